/*
 * sigv4_ctx.c -- SigV4 context set-up, credentials and wiping
 * (see cpj_sigv4.h).
 */
#include "sigv4_int.h"

#define KNOWN_FLAGS (CPJ_SIGV4_S3 | CPJ_SIGV4_NO_NORMALIZE \
	| CPJ_SIGV4_SIGN_CONTENT_SHA256 | CPJ_SIGV4_OMIT_TOKEN)

/* see sigv4_int.h */
size_t
cpj_sigv4_name_len(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return 0;
	n = cpj_strnlen(s, CPJ_SIGV4_NAME_MAX);
	if (n > CPJ_SIGV4_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i];

		if (!UNRESERVED(c) || c == '~')
			return 0;
	}
	return n;
}

/* see sigv4_int.h */
size_t
cpj_sigv4_visible_len(const char *s, size_t max, const char *bad)
{
	size_t i, n;

	n = cpj_strnlen(s, max);
	if (n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr(bad, c) != NULL)
			return 0;
	}
	return n;
}

static void
forget_key(cpj_sigv4_context *ctx)
{
	cpj_wipe(ctx->key_ist, sizeof ctx->key_ist);
	cpj_wipe(ctx->key_ost, sizeof ctx->key_ost);
	ctx->key_valid = 0;
	cpj_wipe(ctx->key_date, sizeof ctx->key_date);
	ctx->key_region_len = ctx->key_service_len = ctx->key_akid_len = 0;
	cpj_wipe(ctx->key_region, sizeof ctx->key_region);
	cpj_wipe(ctx->key_service, sizeof ctx->key_service);
	cpj_wipe(ctx->key_akid, sizeof ctx->key_akid);
}

/* see cpj_sigv4.h */
int
cpj_sigv4_init(cpj_sigv4_context *ctx, const char *region,
	const char *service, unsigned flags)
{
	if (ctx == NULL)
		return CPJ_ERR_PARAM;
	memset(ctx, 0, sizeof *ctx);
	if (cpj_sigv4_name_len(region) == 0 || cpj_sigv4_name_len(service) == 0
	    || (flags & ~KNOWN_FLAGS) != 0)
		return CPJ_ERR_PARAM;
	ctx->region = region;
	ctx->service = service;
	ctx->flags = flags;
	return CPJ_OK;
}

/* see cpj_sigv4.h */
int
cpj_sigv4_set_credentials(cpj_sigv4_context *ctx, const char *akid,
	const char *secret, const char *token)
{
	size_t n;

	if (ctx == NULL)
		return CPJ_ERR_PARAM;
	forget_key(ctx);
	ctx->akid = ctx->secret = ctx->token = NULL;
	if (akid == NULL || secret == NULL
	    || cpj_sigv4_visible_len(akid, CPJ_SIGV4_AKID_MAX, "/,;=") == 0)
		return CPJ_ERR_SIGV4_CREDS;
	n = cpj_strnlen(secret, CPJ_SIGV4_SECRET_MAX);
	if (n == 0 || n > CPJ_SIGV4_SECRET_MAX)
		return CPJ_ERR_SIGV4_CREDS;
	if (token != NULL && token[0] != '\0') {
		if (cpj_sigv4_visible_len(token, CPJ_SIGV4_TOKEN_MAX, "") == 0)
			return CPJ_ERR_SIGV4_CREDS;
	} else {
		token = NULL;
	}
	ctx->akid = akid;
	ctx->secret = secret;
	ctx->token = token;
	return CPJ_OK;
}

/* see cpj_sigv4.h */
void
cpj_sigv4_clear(cpj_sigv4_context *ctx)
{
	if (ctx == NULL)
		return;
	forget_key(ctx);
	ctx->akid = ctx->secret = ctx->token = NULL;
	cpj_wipe(&ctx->sha, sizeof ctx->sha);
	cpj_wipe(&ctx->copy, sizeof ctx->copy);
	ctx->copy_on = 0;
	ctx->stage_len = 0;
	cpj_wipe(ctx->stage, sizeof ctx->stage);
	cpj_wipe(ctx->hidx, sizeof ctx->hidx);
	cpj_wipe(ctx->hsame, sizeof ctx->hsame);
	cpj_wipe(ctx->added, sizeof ctx->added);
	cpj_wipe(&ctx->u, sizeof ctx->u);
}
