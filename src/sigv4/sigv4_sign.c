/*
 * sigv4_sign.c -- string to sign, signing key cache, header and query
 * signing (see cpj_sigv4.h); the canonical request is sigv4_canon.c's.
 */
#include "sigv4_int.h"
#include "util/sha256_int.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"
#define METHOD_MAX 32
#define EXPIRES_MAX 604800u

static const char unsigned_payload[] = "UNSIGNED-PAYLOAD";

/* ---- date, payload, credentials ---------------------------------------- */

static int
amz_date_ok(const char *s)
{
	unsigned y, mo, d;
	int i;

	if (cpj_strnlen(s, 16) != 16 || s[8] != 'T' || s[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++) {
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return 0;
	}
	y = cpj_dec(s, 4);
	mo = cpj_dec(s + 4, 2);
	d = cpj_dec(s + 6, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1
	    || d > cpj_month_days(y, mo))
		return 0;
	return cpj_dec(s + 9, 2) < 24 && cpj_dec(s + 11, 2) < 60
	    && cpj_dec(s + 13, 2) < 60;
}

static int
payload_hash(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res)
{
	size_t i;

	switch (req->payload) {
	case CPJ_SIGV4_PAYLOAD_BODY:
		/* no body: the SHA-256 of nothing */
		if (req->body == NULL && req->body_len != 0)
			return CPJ_ERR_PARAM;
		br_sha256_init(&ctx->sha);
		cpj_sha256_update(&ctx->sha, req->body, req->body_len);
		cpj_sha256_out(&ctx->sha, ctx->stage);
		cpj_hex_lower(res->payload_hash, ctx->stage, 32);
		return CPJ_OK;
	case CPJ_SIGV4_PAYLOAD_HASH:
		if (req->payload_hash == NULL)
			return CPJ_ERR_PARAM;
		if (cpj_strnlen(req->payload_hash, 64) != 64)
			return CPJ_ERR_SIGV4_INPUT;
		for (i = 0; i < 64; i++) {
			char c = req->payload_hash[i];

			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return CPJ_ERR_SIGV4_INPUT;
		}
		memcpy(res->payload_hash, req->payload_hash, 65);
		return CPJ_OK;
	case CPJ_SIGV4_PAYLOAD_UNSIGNED:
		memcpy(res->payload_hash, unsigned_payload, sizeof unsigned_payload);
		return CPJ_OK;
	default:
		return CPJ_ERR_PARAM;
	}
}

/* n when s is the n bytes `kept` (and its NUL there), else 0. */
static size_t
same_len(const char *s, const char *kept, size_t n)
{
	return strncmp(s, kept, n) == 0 && s[n] == '\0' ? n : 0;
}

/*
 * Lengths of region, service and access key id, re-checked per call:
 * strings equal to those the cached signing key was derived for were
 * checked then, and only their lengths are taken again.
 */
static int
scope_lengths(const cpj_sigv4_context *ctx, size_t *rl, size_t *sl, size_t *al)
{
	if (ctx->region == NULL || ctx->service == NULL)
		return CPJ_ERR_PARAM;
	if (ctx->akid == NULL || ctx->secret == NULL)
		return CPJ_ERR_SIGV4_CREDS;
	*rl = *sl = *al = 0;
	if (ctx->key_valid) {
		*rl = same_len(ctx->region, ctx->key_region,
		    ctx->key_region_len);
		*sl = same_len(ctx->service, ctx->key_service,
		    ctx->key_service_len);
		*al = same_len(ctx->akid, ctx->key_akid, ctx->key_akid_len);
	}
	if (*rl == 0)
		*rl = cpj_sigv4_name_len(ctx->region);
	if (*sl == 0)
		*sl = cpj_sigv4_name_len(ctx->service);
	if (*rl == 0 || *sl == 0)
		return CPJ_ERR_PARAM;
	if (*al == 0)
		*al = cpj_sigv4_visible_len(ctx->akid, CPJ_SIGV4_AKID_MAX,
		    "/,;=");
	if (*al == 0)
		return CPJ_ERR_SIGV4_CREDS;
	return CPJ_OK;
}

/* ---- signing key ------------------------------------------------------- */

/*
 * HMAC-SHA256 (RFC 2104) on BearSSL's SHA-256: a key is kept as the two
 * SHA-256 states after its inner and outer pad blocks, as br_hmac does,
 * so that a MAC costs no key set-up and the stack stays that of SHA-256.
 */
static void
hmac_key(cpj_sigv4_context *ctx, const unsigned char *key, size_t len,
	unsigned char *ist, unsigned char *ost)
{
	unsigned char *b = ctx->u.d.block;
	size_t i;

	if (len > 64) {
		br_sha256_init(&ctx->sha);
		cpj_sha256_update(&ctx->sha, key, len);
		cpj_sha256_out(&ctx->sha, ctx->u.d.t);
		key = ctx->u.d.t;
		len = 32;
	}
	for (i = 0; i < 64; i++)
		b[i] = (unsigned char)((i < len ? key[i] : 0) ^ 0x36);
	br_sha256_init(&ctx->sha);
	cpj_sha256_update(&ctx->sha, b, 64);
	br_sha256_state(&ctx->sha, ist);
	for (i = 0; i < 64; i++)
		b[i] ^= 0x36 ^ 0x5C;
	br_sha256_init(&ctx->sha);
	cpj_sha256_update(&ctx->sha, b, 64);
	br_sha256_state(&ctx->sha, ost);
}

/* out = HMAC(key given by its states, msg); out may not overlap msg. */
static void
hmac(cpj_sigv4_context *ctx, const unsigned char *ist,
	const unsigned char *ost, const void *msg, size_t len,
	unsigned char *out)
{
	br_sha256_set_state(&ctx->sha, ist, 64);
	cpj_sha256_update(&ctx->sha, msg, len);
	cpj_sha256_out(&ctx->sha, out);
	br_sha256_set_state(&ctx->sha, ost, 64);
	cpj_sha256_update(&ctx->sha, out, 32);
	cpj_sha256_out(&ctx->sha, out);
}

/* One step of the key chain: t = HMAC(t, data). */
static void
key_step(cpj_sigv4_context *ctx, const void *data, size_t len)
{
	hmac_key(ctx, ctx->u.d.t, 32, ctx->u.d.ist, ctx->u.d.ost);
	hmac(ctx, ctx->u.d.ist, ctx->u.d.ost, data, len, ctx->u.d.t);
}

static int
signing_key(cpj_sigv4_context *ctx, const char *date8, size_t rl, size_t sl,
	size_t al)
{
	size_t n;

	if (ctx->key_valid && memcmp(ctx->key_date, date8, 8) == 0
	    && ctx->key_akid_len == al && ctx->key_region_len == rl
	    && ctx->key_service_len == sl
	    && memcmp(ctx->key_akid, ctx->akid, al) == 0
	    && memcmp(ctx->key_region, ctx->region, rl) == 0
	    && memcmp(ctx->key_service, ctx->service, sl) == 0)
		return CPJ_OK;

	ctx->key_valid = 0;
	n = cpj_strnlen(ctx->secret, CPJ_SIGV4_SECRET_MAX);
	if (n == 0 || n > CPJ_SIGV4_SECRET_MAX)
		return CPJ_ERR_SIGV4_CREDS;
	/* kDate = HMAC("AWS4" + secret, date), then region, service, ... */
	memcpy(ctx->u.d.k, "AWS4", 4);
	memcpy(ctx->u.d.k + 4, ctx->secret, n);
	hmac_key(ctx, ctx->u.d.k, 4 + n, ctx->u.d.ist, ctx->u.d.ost);
	hmac(ctx, ctx->u.d.ist, ctx->u.d.ost, date8, 8, ctx->u.d.t);
	key_step(ctx, ctx->region, rl);
	key_step(ctx, ctx->service, sl);
	key_step(ctx, TERMINATOR, sizeof TERMINATOR - 1);
	/* u.d.t holds kSigning; keep only its two HMAC states */
	hmac_key(ctx, ctx->u.d.t, 32, ctx->key_ist, ctx->key_ost);
	cpj_wipe(&ctx->u.d, sizeof ctx->u.d);
	cpj_wipe(&ctx->sha, sizeof ctx->sha);

	memcpy(ctx->key_date, date8, 8);
	memcpy(ctx->key_akid, ctx->akid, al);
	memcpy(ctx->key_region, ctx->region, rl);
	memcpy(ctx->key_service, ctx->service, sl);
	ctx->key_akid_len = al;
	ctx->key_region_len = rl;
	ctx->key_service_len = sl;
	ctx->key_valid = 1;
	ctx->derivations++;
	return CPJ_OK;
}

/* ---- the whole signature ----------------------------------------------- */

/*
 * After cpj_sigv4_canonical() (the hash of the canonical request is in
 * ctx->stage): the string to sign and its HMAC. Called one after the
 * other by sign and presign, so that the stack of each is not added.
 */
/* The credential scope: date/region/service/aws4_request, `sep` between
 * the parts ("/", or "%2F" in a query). */
static void
put_scope(cpj_buf *b, const cpj_sigv4_context *ctx,
	const struct cpj_sigv4_job *j, const char *sep)
{
	size_t n = strlen(sep);
	char *d = cpj_buf_room(b, 8 + j->rl + j->sl + 3 * n
	    + sizeof TERMINATOR - 1);

	if (d == NULL)
		return;
	memcpy(d, j->res->amz_date, 8);
	d += 8;
	memcpy(d, sep, n);
	d += n;
	memcpy(d, ctx->region, j->rl);
	d += j->rl;
	memcpy(d, sep, n);
	d += n;
	memcpy(d, ctx->service, j->sl);
	d += j->sl;
	memcpy(d, sep, n);
	memcpy(d + n, TERMINATOR, sizeof TERMINATOR - 1);
}

static int
string_to_sign(cpj_sigv4_context *ctx, const struct cpj_sigv4_job *j)
{
	cpj_sigv4_result *res = j->res;
	cpj_buf sts;
	int rc;

	/* Signing key (cached), then the HMAC of the string to sign. */
	rc = signing_key(ctx, res->amz_date, j->rl, j->sl, j->al);
	if (rc < 0)
		return rc;
	/* String to sign, assembled in u.sts (the query index is done) */
	cpj_hex_lower((char *)ctx->stage + 32, ctx->stage, 32);
	cpj_buf_init(&sts, ctx->u.sts, sizeof ctx->u.sts);
	cpj_buf_put(&sts, ALGORITHM "\n", sizeof ALGORITHM);
	cpj_buf_put(&sts, res->amz_date, 16);
	cpj_buf_putc(&sts, '\n');
	if (j->sc_len != 0)     /* as the Authorization value has it */
		cpj_buf_put(&sts, j->out->p + j->sc_off, j->sc_len);
	else
		put_scope(&sts, ctx, j, "/");
	cpj_buf_putc(&sts, '\n');
	cpj_buf_put(&sts, ctx->stage + 32, 64);
	if (cpj_buf_ok(&sts) < 0)
		return CPJ_ERR_INTERNAL;
	if (res->string_to_sign != NULL) {
		if (sts.len >= res->string_to_sign_size)
			return CPJ_ERR_NOSPACE;
		memcpy(res->string_to_sign, sts.p, sts.len + 1);
	}
	/* HMAC-SHA256(kSigning, string to sign) from the cached states */
	hmac(ctx, ctx->key_ist, ctx->key_ost, sts.p, sts.len, ctx->stage);
	cpj_hex_lower(res->signature, ctx->stage, 32);
	return CPJ_OK;
}

static void
start_result(cpj_sigv4_result *res)
{
	res->amz_date[0] = '\0';
	res->payload_hash[0] = '\0';
	res->signature[0] = '\0';
	res->content_sha256 = 0;
	res->security_token = NULL;
	if (res->canonical_request != NULL && res->canonical_request_size > 0)
		res->canonical_request[0] = '\0';
	if (res->string_to_sign != NULL && res->string_to_sign_size > 0)
		res->string_to_sign[0] = '\0';
}

/* Checks and set-up shared by sign and presign: j for req and res, the
 * output in out (buf, size). */
static int
prepare(cpj_sigv4_context *ctx, struct cpj_sigv4_job *j,
	const cpj_sigv4_request *req, cpj_sigv4_result *res, cpj_buf *out,
	char *buf, size_t size, int presign)
{
	int header_mode = !presign;
	size_t ml, nadded = 0;
	int rc;

	cpj_buf_init(out, buf, size);
	start_result(res);
	memset(j, 0, sizeof *j);
	j->req = req;
	j->res = res;
	j->out = out;
	j->presign = presign;
	rc = scope_lengths(ctx, &j->rl, &j->sl, &j->al);
	if (rc < 0)
		return rc;
	if (req->method == NULL || req->path == NULL)
		return CPJ_ERR_PARAM;
	ml = cpj_strnlen(req->method, METHOD_MAX);
	if (ml == 0 || ml > METHOD_MAX
	    || cpj_http_token_span(req->method, ml) != ml)
		return CPJ_ERR_SIGV4_INPUT;
	if (req->amz_date != NULL) {
		if (!amz_date_ok(req->amz_date))
			return CPJ_ERR_SIGV4_TIME;
		memcpy(res->amz_date, req->amz_date, CPJ_SIGV4_AMZ_DATE_SIZE);
	} else {
		rc = cpj_sigv4_amz_date(req->now, res->amz_date);
		if (rc < 0)
			return rc;
	}
	rc = payload_hash(ctx, req, res);
	if (rc < 0)
		return rc;

	if (header_mode) {
		ctx->added[nadded].name = "x-amz-date";
		ctx->added[nadded++].value = res->amz_date;
		if (ctx->token != NULL) {
			res->security_token = ctx->token;
			if (!(ctx->flags & CPJ_SIGV4_OMIT_TOKEN)) {
				ctx->added[nadded].name = "x-amz-security-token";
				ctx->added[nadded++].value = ctx->token;
			}
		}
		if (ctx->flags & (CPJ_SIGV4_S3 | CPJ_SIGV4_SIGN_CONTENT_SHA256)) {
			res->content_sha256 = 1;
			ctx->added[nadded].name = "x-amz-content-sha256";
			ctx->added[nadded++].value = res->payload_hash;
		}
	}
	return cpj_sigv4_sort_headers(ctx, req, nadded, header_mode, &j->nh);
}

static int
finish(cpj_sigv4_context *ctx, cpj_sigv4_result *res, cpj_buf *out, int rc)
{
	cpj_wipe(&ctx->sha, sizeof ctx->sha);
	cpj_wipe(ctx->stage, sizeof ctx->stage);
	ctx->stage_len = 0;
	ctx->copy_on = 0;
	if (rc == CPJ_OK) {
		rc = cpj_buf_ok(out);
		if (rc == CPJ_OK && out->len > INT32_MAX)
			rc = CPJ_ERR_NOSPACE;
	}
	if (rc < 0) {
		if (out->p != NULL && out->cap > 0)
			out->p[0] = '\0';
		start_result(res);
		return rc;
	}
	return (int)out->len;
}

/* see cpj_sigv4.h */
int
cpj_sigv4_sign(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res, char *auth, size_t auth_size)
{
	struct cpj_sigv4_job j;
	cpj_buf out;
	int rc;

	if (ctx == NULL || req == NULL || res == NULL || auth == NULL)
		return CPJ_ERR_PARAM;
	rc = prepare(ctx, &j, req, res, &out, auth, auth_size, 0);
	if (rc == CPJ_OK) {
		cpj_buf_putlit(&out, ALGORITHM " Credential=");
		cpj_buf_put(&out, ctx->akid, j.al);
		cpj_buf_putc(&out, '/');
		j.sc_off = out.len;
		put_scope(&out, ctx, &j, "/");
		j.sc_len = out.over ? 0 : out.len - j.sc_off;
		cpj_buf_putlit(&out, ", SignedHeaders=");
		j.sh_off = out.len;
		cpj_sigv4_signed_headers(ctx, req, j.nh, &out, 0);
		j.sh_len = out.len - j.sh_off;
		cpj_buf_putlit(&out, ", Signature=");
		/* room for the signature? */
		if (out.over || auth_size - out.len <= 64)
			rc = CPJ_ERR_NOSPACE;
	}
	if (rc == CPJ_OK)
		rc = cpj_sigv4_canonical(ctx, &j);
	if (rc == CPJ_OK)
		rc = string_to_sign(ctx, &j);
	if (rc == CPJ_OK)
		cpj_buf_put(&out, res->signature, 64);
	return finish(ctx, res, &out, rc);
}

#if CPJ_CONFIG_SIGV4_PRESIGN
/* The session token as a query parameter, when there is one. */
static void
put_token(cpj_buf *out, const cpj_sigv4_context *ctx)
{
	if (ctx->token == NULL)
		return;
	cpj_buf_putlit(out, "&X-Amz-Security-Token=");
	cpj_sigv4_buf_put_enc(out, ctx->token, strlen(ctx->token), 0);
}

/* see cpj_sigv4.h */
int
cpj_sigv4_presign(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res, char *query, size_t query_size)
{
	struct cpj_sigv4_job j;
	cpj_buf out;
	int rc;

	if (ctx == NULL || req == NULL || res == NULL || query == NULL)
		return CPJ_ERR_PARAM;
	rc = prepare(ctx, &j, req, res, &out, query, query_size, 1);
	if (rc == CPJ_OK && (req->expires == 0 || req->expires > EXPIRES_MAX))
		rc = CPJ_ERR_SIGV4_INPUT;
	if (rc == CPJ_OK) {
		cpj_buf_putlit(&out, "X-Amz-Algorithm=" ALGORITHM
		    "&X-Amz-Credential=");
		cpj_sigv4_buf_put_enc(&out, ctx->akid, strlen(ctx->akid), 0);
		cpj_buf_putlit(&out, "%2F");
		put_scope(&out, ctx, &j, "%2F");
		cpj_buf_putlit(&out, "&X-Amz-Date=");
		cpj_buf_puts(&out, res->amz_date);
		cpj_buf_putlit(&out, "&X-Amz-Expires=");
		cpj_buf_put_u64(&out, req->expires);
		cpj_buf_putlit(&out, "&X-Amz-SignedHeaders=");
		cpj_sigv4_signed_headers(ctx, req, j.nh, &out, 1);
		if (!(ctx->flags & CPJ_SIGV4_OMIT_TOKEN))
			put_token(&out, ctx);
		if (out.over)
			rc = CPJ_ERR_NOSPACE;
	}
	if (rc == CPJ_OK)
		rc = cpj_sigv4_canonical(ctx, &j);
	if (rc == CPJ_OK)
		rc = string_to_sign(ctx, &j);
	if (rc == CPJ_OK) {
		cpj_buf_putlit(&out, "&X-Amz-Signature=");
		cpj_buf_put(&out, res->signature, 64);
		if (ctx->flags & CPJ_SIGV4_OMIT_TOKEN)
			put_token(&out, ctx);
	}
	return finish(ctx, res, &out, rc);
}
#endif /* CPJ_CONFIG_SIGV4_PRESIGN */
