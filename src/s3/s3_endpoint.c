/*
 * s3_endpoint.c -- S3 addressing: virtual-hostable buckets, key encoding,
 * and the origin, Host and request target of a request (API digest 8.4).
 */
#include "inner.h"

#if CPJ_CONFIG_S3

/* see cpj_s3.h */
int
cpj_s3_bucket_virtual_hostable(const char *bucket)
{
	/* without dots the name cannot be shaped like an IPv4 address */
	return bucket != NULL
	    && cpj_dns_label_ok(bucket, cpj_strnlen(bucket, 63), 3, 63);
}

/* 1 if the bucket name may be sent at all (path style included). */
static int
bucket_ok(const char *bucket)
{
	size_t n, i;

	if (bucket == NULL)
		return 0;
	n = cpj_strnlen(bucket, CPJ_S3_BUCKET_MAX);
	if (n == 0 || n > CPJ_S3_BUCKET_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = bucket[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		    || (c >= '0' && c <= '9') || c == '-' || c == '.'
		    || c == '_'))
			return 0;
	}
	return 1;
}

/* see cpj_s3.h */
int
cpj_s3_key_encode(const char *key, char *out, size_t cap)
{
	cpj_buf b;
	size_t n;

	if (out != NULL && cap > 0)
		out[0] = '\0';
	if (key == NULL || out == NULL)
		return CPJ_ERR_PARAM;
	n = cpj_strnlen(key, CPJ_S3_KEY_MAX);
	if (n == 0 || n > CPJ_S3_KEY_MAX)
		return CPJ_ERR_PARAM;
	cpj_buf_init(&b, out, cap);
	cpj_sigv4_buf_put_enc(&b, key, n, '/');
	if (cpj_buf_ok(&b) < 0) {
		out[0] = '\0';
		return CPJ_ERR_NOSPACE;
	}
	return (int)b.len;
}

/* 1 if `h` is an IPv4 dotted quad shape or an IPv6 literal. */
static int
host_is_ip(const char *h)
{
	size_t i;

	if (strchr(h, ':') != NULL)
		return 1;
	for (i = 0; h[i] != '\0'; i++) {
		if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
			return 0;
	}
	return 1;
}

/* "scheme://" + host (bracketed if IPv6) [+ ":port"] into a buffer. */
static void
put_origin(cpj_buf *b, const cpj_http_url *u, int scheme)
{
	int v6 = strchr(u->host, ':') != NULL;

	if (scheme)
		cpj_buf_puts(b, u->tls ? "https://" : "http://");
	if (v6)
		cpj_buf_putc(b, '[');
	cpj_buf_puts(b, u->host);
	if (v6)
		cpj_buf_putc(b, ']');
	if (u->port != (u->tls ? 443 : 80)) {
		cpj_buf_putc(b, ':');
		cpj_buf_put_u64(b, u->port);
	}
}

/* see cpj_s3.h */
int
cpj_s3_locate(const cpj_s3_context *s3, const char *bucket,
	const char *key, cpj_s3_location *loc, char *target,
	size_t target_cap)
{
	cpj_buf ub, hb, tb;
	int virt, rc;

	if (target != NULL && target_cap > 0)
		target[0] = '\0';
	if (s3 == NULL || loc == NULL || target == NULL || !bucket_ok(bucket)
	    || key == NULL)
		return CPJ_ERR_PARAM;
	memset(loc, 0, sizeof *loc);
	virt = cpj_s3_bucket_virtual_hostable(bucket)
	    && !(s3->flags & CPJ_S3_PATH_STYLE);
	if (s3->have_override && (!(s3->flags & CPJ_S3_VIRTUAL_HOSTED)
	    || host_is_ip(s3->override.host) || strlen(bucket) + 1
	    + strlen(s3->override.host) > CPJ_HOST_MAX))
		virt = 0;
	cpj_buf_init(&ub, loc->url, sizeof loc->url);
	cpj_buf_init(&hb, loc->host, sizeof loc->host);
	if (virt) {
		cpj_buf_puts(&hb, bucket);
		cpj_buf_putc(&hb, '.');
	}
	if (s3->have_override) {
		put_origin(&ub, &s3->override, 1);
		put_origin(&hb, &s3->override, 0);
	} else {
		cpj_buf_puts(&hb, (s3->flags & CPJ_S3_FIPS) ? "s3-fips" : "s3");
		if (s3->flags & CPJ_S3_DUALSTACK)
			cpj_buf_puts(&hb, ".dualstack");
		cpj_buf_putc(&hb, '.');
		cpj_buf_puts(&hb, s3->region);
		cpj_buf_putc(&hb, '.');
		cpj_buf_puts(&hb, cpj_aws_dns_suffix(s3->region));
		if (cpj_buf_ok(&hb) < 0 || hb.len > CPJ_HOST_MAX)
			return CPJ_ERR_NOSPACE;
		cpj_buf_puts(&ub, "https://");
		cpj_buf_puts(&ub, loc->host);
	}
	if (cpj_buf_ok(&ub) < 0 || cpj_buf_ok(&hb) < 0)
		return CPJ_ERR_NOSPACE;
	loc->virtual_hosted = virt;

	cpj_buf_init(&tb, target, target_cap);
	cpj_buf_putc(&tb, '/');
	if (!virt) {
		cpj_buf_puts(&tb, bucket);
		cpj_buf_putc(&tb, '/');
	}
	if (cpj_buf_ok(&tb) < 0) {
		target[0] = '\0';
		return CPJ_ERR_NOSPACE;
	}
	rc = cpj_s3_key_encode(key, target + tb.len, target_cap - tb.len);
	if (rc < 0) {
		target[0] = '\0';
		return rc;
	}
	return (int)tb.len + rc;
}

#endif /* CPJ_CONFIG_S3 */
