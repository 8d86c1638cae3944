/*
 * s3_client.c -- the S3 client: its setup (region, endpoint, proxy,
 * credentials), the checks of GetObject and PutObject calls, and the
 * SHA-256 helper for streamed bodies. The request itself is s3_call.c.
 */
#include "inner.h"
#include "util/sha256_int.h"

#if CPJ_CONFIG_S3

/* Largest piece handed to a source at once in the hash helper. */
#define PIECE_MAX ((size_t)1 << 30)

/* see s3/s3_int.h */
int
cpj_s3_region_ok(const char *r)
{
	return r != NULL && cpj_dns_label_ok(r, cpj_strnlen(r, 31), 1, 30);
}

/* see cpj_s3.h */
int
cpj_s3_set_region(cpj_s3_context *s3, const char *region)
{
	if (s3 == NULL || !cpj_s3_region_ok(region))
		return CPJ_ERR_PARAM;
	memset(s3->region, 0, sizeof s3->region);
	memcpy(s3->region, region, strlen(region));
	return 0;
}

/* see cpj_s3.h */
int
cpj_s3_init(cpj_s3_context *s3, cpj_http_client *http, const char *region,
	unsigned char *work, size_t work_len)
{
	if (s3 == NULL || http == NULL || work == NULL || work_len < 2048)
		return CPJ_ERR_PARAM;
	memset(s3, 0, sizeof *s3);
	if (cpj_s3_set_region(s3, region) < 0)
		return CPJ_ERR_PARAM;
	s3->http = http;
	s3->work = work;
	s3->work_len = work_len;
	s3->max_attempts = CPJ_S3_MAX_ATTEMPTS;
	s3->backoff_cap_ms = CPJ_CP_BACKOFF_CAP_MS;
	s3->verify_md5 = 1;
	cpj_s3_xml_init(&s3->error);
	return cpj_sigv4_init(&s3->sig, s3->region, "s3", CPJ_SIGV4_S3);
}

/* see cpj_s3.h */
int
cpj_s3_set_endpoint(cpj_s3_context *s3, const char *url, unsigned flags)
{
	cpj_http_url u;
	int rc;

	if (s3 == NULL || (flags & ~(CPJ_S3_PATH_STYLE | CPJ_S3_VIRTUAL_HOSTED
	    | CPJ_S3_FIPS | CPJ_S3_DUALSTACK)) != 0
	    || ((flags & CPJ_S3_PATH_STYLE) && (flags & CPJ_S3_VIRTUAL_HOSTED)))
		return CPJ_ERR_PARAM;
	if (url != NULL) {
		rc = cpj_http_url_parse(&u, url, -1);
		if (rc < 0)
			return rc;
		if (u.tls && s3->http->tls == NULL)
			return CPJ_ERR_UNSUPPORTED;
		s3->override = u;
		s3->have_override = 1;
	} else {
		s3->have_override = 0;
	}
	s3->flags = flags;
	return 0;
}

/* see cpj_s3.h */
int
cpj_s3_set_proxy(cpj_s3_context *s3, const char *https_proxy,
	const char *no_proxy)
{
	if (s3 == NULL)
		return CPJ_ERR_PARAM;
	s3->proxy = https_proxy;
	s3->no_proxy = no_proxy;
	s3->applied = 0;
	return 0;
}

/* see cpj_s3.h */
int
cpj_s3_set_credentials(cpj_s3_context *s3, const cpj_creds *creds)
{
	if (s3 == NULL || creds == NULL)
		return CPJ_ERR_PARAM;
	return cpj_sigv4_set_credentials(&s3->sig, creds->akid, creds->secret,
	    creds->token[0] != '\0' ? creds->token : NULL);
}

/* see cpj_s3.h */
void
cpj_s3_clear(cpj_s3_context *s3)
{
	if (s3 == NULL)
		return;
	cpj_sigv4_clear(&s3->sig);
	cpj_wipe(s3->auth, sizeof s3->auth);
}

/* see cpj_s3.h */
int
cpj_s3_get_object(cpj_s3_context *s3, const char *bucket, const char *key,
	const cpj_s3_get_options *o)
{
	int rc;

	if (s3 == NULL)
		return CPJ_ERR_PARAM;
	if (o == NULL || o->sink == NULL)
		return s3->err = CPJ_ERR_PARAM;
	s3->opt = o;
	s3->is_get = 1;
	rc = cpj_s3_call(s3, "s3: GetObject", bucket, key);
	s3->opt = NULL;
	s3->err = rc;
	return rc;
}

static int
printable(const char *s, size_t max, int space_ok)
{
	size_t n, i;

	n = cpj_strnlen(s, max);
	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x7e || c < 0x20 || (c == ' ' && !space_ok))
			return 0;
	}
	return 1;
}

static int
put_options_ok(const cpj_s3_put_options *o)
{
	size_t i;

	if (o == NULL)
		return 0;
	if ((o->body != NULL) == (o->read != NULL))
		return 0;
	if (o->body != NULL && (uint64_t)o->body_len > CPJ_S3_PUT_MAX)
		return 0;
	if (o->read != NULL) {
		if (o->length > CPJ_S3_PUT_MAX)
			return 0;
		if (o->payload == CPJ_S3_PAYLOAD_SHA256) {
			if (o->sha256_hex == NULL
			    || cpj_strnlen(o->sha256_hex, 64) != 64)
				return 0;
			for (i = 0; i < 64; i++) {
				char c = o->sha256_hex[i];

				if (!((c >= '0' && c <= '9')
				    || (c >= 'a' && c <= 'f')))
					return 0;
			}
		} else if (o->payload != CPJ_S3_PAYLOAD_UNSIGNED) {
			return 0;
		}
	}
	if (o->sse != NULL && strcmp(o->sse, "AES256") != 0
	    && strcmp(o->sse, "aws:kms") != 0)
		return 0;
	if (o->kms_key_id != NULL && (o->sse == NULL
	    || strcmp(o->sse, "aws:kms") != 0
	    || !printable(o->kms_key_id, 400, 0)))
		return 0;
	if (o->content_type != NULL && !printable(o->content_type, 256, 1))
		return 0;
	return 1;
}

/* see cpj_s3.h */
int
cpj_s3_put_object(cpj_s3_context *s3, const char *bucket, const char *key,
	const cpj_s3_put_options *o)
{
	int rc;

	if (s3 == NULL)
		return CPJ_ERR_PARAM;
	if (!put_options_ok(o))
		return s3->err = CPJ_ERR_PARAM;
	s3->opt = o;
	s3->is_get = 0;
	rc = cpj_s3_call(s3, "s3: PutObject", bucket, key);
	s3->opt = NULL;
	s3->err = rc;
	return rc;
}

/* see cpj_s3.h */
int
cpj_s3_sha256_source(cpj_http_body_source read, void *ctx, uint64_t length,
	unsigned char *buf, size_t buf_len, char hex[CPJ_SIGV4_HEX_SIZE])
{
	br_sha256_context sc;
	unsigned char d[32];
	cpj_buf b;

	if (hex != NULL)
		hex[0] = '\0';
	if (read == NULL || buf == NULL || buf_len == 0 || hex == NULL)
		return CPJ_ERR_PARAM;
	if (buf_len > PIECE_MAX)
		buf_len = PIECE_MAX;
	br_sha256_init(&sc);
	while (length > 0) {
		size_t want = buf_len;
		int r;

		if ((uint64_t)want > length)
			want = (size_t)length;
		r = read(ctx, buf, want);
		if (r < 0)
			return r;
		if (r == 0 || (size_t)r > want)
			return CPJ_ERR_IO;
		cpj_sha256_update(&sc, buf, (size_t)r);
		length -= (uint64_t)r;
	}
	cpj_sha256_out(&sc, d);
	cpj_buf_init(&b, hex, CPJ_SIGV4_HEX_SIZE);
	cpj_buf_put_hex(&b, d, sizeof d);
	return cpj_buf_ok(&b);
}

#endif /* CPJ_CONFIG_S3 */
