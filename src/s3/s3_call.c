/*
 * s3_call.c -- one S3 request through the AWS request core: the body
 * streams (sink, source, progress, restart and rewind), the response
 * headers, the MD5/ETag check, and the hooks (endpoint and target per
 * attempt, error answers, the region redirect).
 */
#include "inner.h"

#if CPJ_CONFIG_S3

/* Work space the HTTP layer needs at least besides the target. */
#define HEAD_ROOM 512

/* ---- callbacks -------------------------------------------------------- */

static int
progress(cpj_s3_context *s3, int final)
{
	cpj_s3_progress_cb cb;
	void *ctx;
	uint64_t step;
	int rc;

	if (s3->is_get) {
		const cpj_s3_get_options *g = s3->opt;

		cb = g->progress;
		ctx = g->progress_ctx;
		step = g->progress_step;
	} else {
		const cpj_s3_put_options *p = s3->opt;

		cb = p->progress;
		ctx = p->progress_ctx;
		step = p->progress_step;
	}
	if (cb == NULL)
		return 0;
	if (step == 0)
		step = CPJ_S3_PROGRESS_STEP;
	if (final ? s3->reported == s3->moved && s3->reported != 0
	    : s3->moved < s3->next_progress)
		return 0;
	s3->next_progress = s3->moved - s3->moved % step + step;
	s3->reported = s3->moved;
	rc = cb(ctx, s3->moved, s3->total);
	return rc < 0 ? rc : 0;
}

/* Response body: a 200 GetObject body goes to the caller's sink; every
 * other body is read through the error scanner and dropped. */
static int
sink(void *ctx, const unsigned char *data, size_t len)
{
	cpj_s3_context *s3 = ctx;
	int status = s3->resp.status;

	if (s3->is_get && status == 200) {
		const cpj_s3_get_options *g = s3->opt;
		int rc;

		if (g->max_size != 0 && (len > g->max_size
		    || s3->moved > g->max_size - len))
			return CPJ_ERR_HTTP_BODY_TOO_LARGE;
		if (s3->verify_md5)
			br_md5_update(&s3->md5, data, len);
		rc = g->sink(g->sink_ctx, data, len);
		if (rc < 0)
			return rc;
		s3->moved += len;
		return progress(s3, 0);
	}
	if (status < 200 || status >= 300)
		cpj_s3_xml_feed(&s3->error, data, len);
	s3->discarded += len;
	if (s3->discarded > CPJ_S3_ERRBODY_MAX) {
		s3->discard_over = 1;
		return CPJ_ERR_HTTP_BODY_TOO_LARGE;
	}
	return 0;
}

/* Streamed PutObject body: count, hash, report progress. */
static int
source(void *ctx, unsigned char *buf, size_t len)
{
	cpj_s3_context *s3 = ctx;
	const cpj_s3_put_options *p = s3->opt;
	int r, rc;

	s3->src_calls++;
	r = p->read(p->read_ctx, buf, len);
	if (r <= 0)
		return r;
	if ((size_t)r > len)
		return CPJ_ERR_PARAM;
	if (s3->verify_md5)
		br_md5_update(&s3->md5, buf, (size_t)r);
	s3->moved += (uint64_t)r;
	rc = progress(s3, 0);
	return rc < 0 ? rc : r;
}

/* Copy a header value into a field if it fits (never cut). */
static void
keep(char *dst, size_t cap, const char *v, size_t n)
{
	if (n < cap) {
		memcpy(dst, v, n);
		dst[n] = '\0';
	}
}

static int
on_header(void *ctx, const char *name, size_t name_len, const char *value,
	size_t value_len)
{
	cpj_s3_context *s3 = ctx;

	if (cpj_strieq(name, name_len, "x-amz-bucket-region")) {
		if (value_len <= 30 && cpj_s3_region_ok(value))
			keep(s3->bucket_region, sizeof s3->bucket_region,
			    value, value_len);
	} else if (cpj_strieq(name, name_len, "x-amz-server-side-encryption")) {
		keep(s3->sse, sizeof s3->sse, value, value_len);
		/* the ETag of an SSE-KMS (or DSSE-KMS) object is no MD5 */
		if (value_len >= 7 && memcmp(value, "aws:kms", 7) == 0)
			s3->sse_no_md5 = 1;
	} else if (cpj_strieq(name, name_len,
	    "x-amz-server-side-encryption-customer-algorithm")) {
		s3->sse_no_md5 = 1;
	} else if (cpj_strieq(name, name_len, "x-amz-id-2")) {
		keep(s3->host_id, sizeof s3->host_id, value, value_len);
	} else if (s3->is_get && s3->resp.status == 200
	    && cpj_strieq(name, name_len, "content-length")) {
		const cpj_s3_get_options *g = s3->opt;
		uint64_t n;

		/* a malformed value is the parser's error, not ours */
		if (cpj_parse_u64(value, value_len, UINT64_MAX, &n) == 0) {
			if (g->max_size != 0 && n > g->max_size)
				return CPJ_ERR_HTTP_BODY_TOO_LARGE;
			s3->total = n;
		}
	}
	return 0;
}

/* ---- the call ------------------------------------------------------------ */

/* 1 when the request can be sent again (its body can be replayed). */
static int
restartable(const cpj_s3_context *s3)
{
	if (s3->is_get) {
		const cpj_s3_get_options *g = s3->opt;

		return s3->moved == 0 || g->restart != NULL;
	} else {
		const cpj_s3_put_options *p = s3->opt;

		return p->read == NULL || s3->src_calls == 0
		    || p->rewind != NULL;
	}
}

/* Before an attempt: replay the body from its start if it was used. */
static int
restart(cpj_s3_context *s3)
{
	int rc = 0;

	if (s3->is_get) {
		const cpj_s3_get_options *g = s3->opt;

		if (s3->moved > 0)
			rc = g->restart(g->sink_ctx);
	} else {
		const cpj_s3_put_options *p = s3->opt;

		if (p->read != NULL && s3->src_calls > 0)
			rc = p->rewind(p->read_ctx);
	}
	return rc < 0 ? rc : 0;
}

/* Point the HTTP client at the request's origin when it is not there. */
static int
ensure_url(cpj_s3_context *s3)
{
	cpj_http_client *c = s3->http;
	cpj_http_url u;
	int rc;

	rc = cpj_http_url_parse(&u, s3->loc.url, -1);
	if (rc < 0)
		return rc;
	if (s3->applied && c->url.host[0] != '\0' && c->url.tls == u.tls
	    && c->url.port == u.port && strcmp(c->url.host, u.host) == 0)
		return 0;
	rc = cpj_http_client_set_url(c, s3->loc.url);
	if (rc == 0 && s3->proxy != NULL && s3->proxy[0] != '\0')
		rc = cpj_http_client_set_proxy(c, s3->proxy, s3->no_proxy);
	s3->applied = rc == 0;
	return rc;
}

/* The MD5 of the bytes moved against a plain-MD5 ETag. */
static int
check_etag(cpj_s3_context *s3)
{
	unsigned char d[16];
	char x[33];
	const char *e = s3->etag;
	size_t n = strlen(e), i;

	if (!s3->verify_md5 || s3->sse_no_md5)
		return 0;
	if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
		e++;
		n -= 2;
	}
	if (n != 32)
		return 0;
	for (i = 0; i < n; i++) {
		if (cpj_hexval(e[i]) < 0)
			return 0;
	}
	br_md5_out(&s3->md5, d);
	s3->etag_checked = 1;
	cpj_hex_lower(x, d, sizeof d);
	return cpj_strieq(e, n, x) ? 0 : CPJ_ERR_S3_INTEGRITY;
}

static int
is_redirect(const cpj_s3_context *s3)
{
	const char *c = s3->error.code;

	return s3->http_status == 301 || s3->http_status == 302
	    || s3->http_status == 307
	    || strcmp(c, "PermanentRedirect") == 0
	    || strcmp(c, "TemporaryRedirect") == 0
	    || strcmp(c, "AuthorizationHeaderMalformed") == 0;
}

/* Reset the per-attempt results. */
static void
attempt_init(cpj_s3_context *s3)
{
	const cpj_s3_put_options *p = s3->is_get ? NULL : s3->opt;

	s3->http_status = 0;
	cpj_s3_xml_init(&s3->error);
	s3->request_id[0] = '\0';
	s3->host_id[0] = '\0';
	s3->etag[0] = '\0';
	s3->sse[0] = '\0';
	s3->bucket_region[0] = '\0';
	s3->size = 0;
	s3->etag_checked = 0;
	s3->sse_no_md5 = 0;
	s3->discard_over = 0;
	s3->moved = 0;
	s3->reported = 0;
	s3->discarded = 0;
	s3->src_calls = 0;
	s3->total = 0;
	br_md5_init(&s3->md5);
	if (p != NULL) {
		s3->total = p->read != NULL ? p->length : p->body_len;
		if (p->read == NULL && s3->verify_md5)
			br_md5_update(&s3->md5, p->body, p->body_len);
	}
	s3->next_progress = 0;
}

/* One call's state for the request core's hooks. */
struct s3_call {
	cpj_s3_context *s3;
	const char *op, *bucket, *key;
	int used, redirected;
	cpj_sigv4_header h[3];
};

/* Before each attempt: replay the body if it was used, reset the
 * results, find the endpoint and the target, and describe the request. */
static int
prepare(void *ctx, cpj_aws_req *r)
{
	struct s3_call *k = ctx;
	cpj_s3_context *s3 = k->s3;
	const cpj_s3_put_options *p = s3->is_get ? NULL : s3->opt;
	size_t off, n = 0;
	uint64_t step;
	int rc;

	if (k->used) {
		rc = restart(s3);
		if (rc < 0)
			return rc;
	}
	attempt_init(s3);
	step = s3->is_get
	    ? ((const cpj_s3_get_options *)s3->opt)->progress_step
	    : p->progress_step;
	s3->next_progress = step != 0 ? step : CPJ_S3_PROGRESS_STEP;
	rc = cpj_s3_locate(s3, k->bucket, k->key, &s3->loc,
	    (char *)s3->work, s3->work_len);
	if (rc < 0)
		return rc;
	off = (size_t)rc + 1;
	if (s3->work_len - off < HEAD_ROOM)
		return CPJ_ERR_NOSPACE;
	rc = ensure_url(s3);
	if (rc < 0)
		return rc;
	CPJ_LOG_D("s3: %s %s%s (%s)", k->op, s3->loc.host,
	    (const char *)s3->work, s3->region);

	if (p != NULL && p->content_type != NULL) {
		k->h[n].name = "Content-Type";
		k->h[n++].value = p->content_type;
	}
	if (p != NULL && p->sse != NULL) {
		k->h[n].name = "x-amz-server-side-encryption";
		k->h[n++].value = p->sse;
	}
	if (p != NULL && p->kms_key_id != NULL) {
		k->h[n].name = "x-amz-server-side-encryption-aws-kms-key-id";
		k->h[n++].value = p->kms_key_id;
	}
	r->method = s3->is_get ? "GET" : "PUT";
	r->target = (const char *)s3->work;
	r->host = s3->loc.host;
	r->headers = k->h;
	r->nheaders = n;
	r->payload = CPJ_SIGV4_PAYLOAD_BODY;
	if (p != NULL && p->read == NULL) {
		r->body = p->body;
		r->body_len = p->body_len;
	} else if (p != NULL) {
		r->payload = p->payload == CPJ_S3_PAYLOAD_SHA256
		    ? CPJ_SIGV4_PAYLOAD_HASH : CPJ_SIGV4_PAYLOAD_UNSIGNED;
		r->payload_hash = p->payload == CPJ_S3_PAYLOAD_SHA256
		    ? p->sha256_hex : NULL;
		r->body_read = source;
		r->body_ctx = s3;
		r->content_length = p->length;
	}
	r->content_sha256 = 1;
	r->on_body = sink;
	r->on_header = on_header;
	r->resp_ctx = s3;
	r->work = s3->work + off;
	r->work_len = s3->work_len - off;
	return 0;
}

static int
answered(void *ctx, int rc)
{
	struct s3_call *k = ctx;
	cpj_s3_context *s3 = k->s3;

	k->used = s3->moved > 0 || s3->src_calls > 0;
	s3->http_status = s3->resp.status;
	memcpy(s3->request_id, s3->resp.request_id, sizeof s3->request_id);
	if (rc == CPJ_ERR_HTTP_BODY_TOO_LARGE && s3->discard_over
	    && (s3->resp.status < 200 || s3->resp.status >= 300))
		rc = 0;         /* an error answer we stopped reading */
	return rc;
}

/*
 * GET and PUT are idempotent: an answer cut at any point (even after
 * "200 OK" of a PUT whose object is stored) is cured by sending the
 * request again, when the sink can restart or the source rewind.
 */
static int
replayable(void *ctx, int answer)
{
	(void)answer;
	return restartable(((struct s3_call *)ctx)->s3);
}

/* A 2xx answer: the length, the ETag against the MD5, the last progress. */
static int
done(void *ctx)
{
	struct s3_call *k = ctx;
	cpj_s3_context *s3 = k->s3;
	int rc;

	if (s3->resp.present & CPJ_HTTP_F_ETAG)
		memcpy(s3->etag, s3->resp.etag, sizeof s3->etag);
	if (s3->is_get && s3->resp.status != 200)
		return CPJ_ERR_S3_ERROR;
	if (s3->is_get && (s3->resp.present & CPJ_HTTP_F_CONTENT_LENGTH)
	    && s3->moved != s3->resp.content_length)
		return CPJ_ERR_HTTP_TRUNCATED;
	rc = check_etag(s3);
	if (rc < 0) {
		CPJ_LOG_E("s3: %s %s: MD5 of the data does not match ETag %s",
		    k->op, k->key, s3->etag);
		return rc;
	}
	if (!s3->is_get && ((const cpj_s3_put_options *)s3->opt)->read
	    == NULL)
		s3->moved = s3->total;  /* memory body */
	rc = progress(s3, 1);
	if (rc < 0)
		return rc;
	s3->size = s3->moved;
	return 0;
}

static int
failed(void *ctx, int *skewed)
{
	struct s3_call *k = ctx;
	cpj_s3_context *s3 = k->s3;
	int rc;

	rc = cpj_s3_error_map(cpj_s3_xml_found(&s3->error)
	    ? s3->error.code : NULL, s3->resp.status);
	CPJ_LOG_I("s3: %s %s: HTTP %d %s (request id %s)", k->op, k->key,
	    s3->resp.status, s3->error.code, s3->request_id);
	*skewed = rc == CPJ_ERR_API_CLOCK_SKEW;
	return rc;
}

/* Once per call: a bucket in another region is asked again there. */
static int
redirect(void *ctx)
{
	struct s3_call *k = ctx;
	cpj_s3_context *s3 = k->s3;
	const char *r;

	if (k->redirected || !is_redirect(s3))
		return 0;
	r = s3->bucket_region[0] != '\0' ? s3->bucket_region
	    : s3->error.region;
	if (r[0] == '\0' || strcmp(r, s3->region) == 0)
		return 0;
	CPJ_LOG_W("s3: bucket %s is in %s, not %s", k->bucket, r, s3->region);
	cpj_s3_set_region(s3, r);
	k->redirected = 1;
	return 1;
}

static const cpj_aws_hooks hooks = {
	prepare, answered, replayable, done, failed, redirect
};

/* see s3/s3_int.h */
int
cpj_s3_call(cpj_s3_context *s3, const char *label, const char *bucket,
	const char *key)
{
	struct s3_call k;
	cpj_aws_call c;

	memset(&k, 0, sizeof k);
	k.s3 = s3;
	k.op = label + 4;
	k.bucket = bucket;
	k.key = key;
	memset(&c, 0, sizeof c);
	c.hooks = &hooks;
	c.ctx = &k;
	c.label = label;
	c.http = s3->http;
	c.sig = &s3->sig;
	c.auth = s3->auth;
	c.auth_cap = sizeof s3->auth;
	c.resp = &s3->resp;
	c.skew = &s3->skew;
	c.max_attempts = s3->max_attempts;
	c.backoff_cap_ms = s3->backoff_cap_ms;
	c.request_ms = s3->request_ms;
	c.attempts = &s3->attempts;
	c.retries = &s3->retries;
	c.resigns = &s3->resigns;
	c.redirects = &s3->redirects;
	return cpj_aws_call_run(&c);
}

#endif /* CPJ_CONFIG_S3 */
