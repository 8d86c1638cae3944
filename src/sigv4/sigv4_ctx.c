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
	size_t n;

	if (s == NULL)
		return 0;
	/* one pass: the NUL is found where the bytes are checked */
	for (n = 0; n <= CPJ_SIGV4_NAME_MAX; n++) {
		unsigned c = (unsigned char)s[n];

		if (c == '\0')
			return n;
		if (!UNRESERVED(c) || c == '~')
			return 0;
	}
	return 0;
}

/* see sigv4_int.h */
size_t
cpj_sigv4_visible_len(const char *s, size_t max, const char *bad)
{
	size_t n;

	/* one pass; `bad` is searched only for bytes outside the unreserved
	 * set (an access key id has none) */
	for (n = 0; n <= max; n++) {
		unsigned c = (unsigned char)s[n];

		if (c == '\0')
			return n;
		if (c <= 0x20 || c >= 0x7f
		    || (!UNRESERVED(c) && strchr(bad, (int)c) != NULL))
			return 0;
	}
	return 0;
}

/* The cached key and what it was derived for, and the cached first block
 * of a canonical request (a session token may be in it): the fields from
 * key_ist up to the working memory (cpj_sigv4.h keeps them together). */
static void
forget_key(cpj_sigv4_context *ctx)
{
	cpj_wipe(ctx->key_ist, offsetof(cpj_sigv4_context, sha)
	    - offsetof(cpj_sigv4_context, key_ist));
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
	ctx->akid = ctx->secret = ctx->token = NULL;
	ctx->copy_on = 0;
	ctx->stage_len = 0;
	/* the cached key and block (forget_key()) and the working memory */
	cpj_wipe(ctx->key_ist, sizeof *ctx
	    - offsetof(cpj_sigv4_context, key_ist));
}
