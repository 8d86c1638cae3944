/*
 * cp_endpoint.c -- CodePipeline endpoint host for a region (the
 * endpoint rule set of the service model, without dual-stack, which
 * CodePipeline does not list).
 */
#include "inner.h"

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* see cpj_codepipeline.h */
int
cpj_cp_endpoint_host(const char *region, int fips, char *host, size_t cap,
	char *sign_region, size_t sign_cap)
{
	size_t n;
	cpj_buf b;

	if (region == NULL)
		return CPJ_ERR_PARAM;
	n = cpj_strnlen(region, 31);
	/* Deprecated pseudo-regions "fips-<region>" sign with the real one. */
	if (n > 5 && has_prefix(region, "fips-")) {
		region += 5;
		n -= 5;
		fips = 1;
	}
	if (!cpj_dns_label_ok(region, n, 1, 30))
		return CPJ_ERR_PARAM;
	cpj_buf_init(&b, host, cap);
	cpj_buf_puts(&b, fips ? "codepipeline-fips." : "codepipeline.");
	cpj_buf_put(&b, region, n);
	cpj_buf_putc(&b, '.');
	cpj_buf_puts(&b, cpj_aws_dns_suffix(region));
	if (cpj_buf_ok(&b) < 0)
		return CPJ_ERR_NOSPACE;
	if (sign_region != NULL) {
		if (n >= sign_cap)
			return CPJ_ERR_NOSPACE;
		memcpy(sign_region, region, n);
		sign_region[n] = '\0';
	}
	return (int)b.len;
}
