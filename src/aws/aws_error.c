/*
 * aws_error.c -- AWS error codes (the part of __type after '#') to
 * CPJ_ERR_API_* values, which errors a retry may cure, the error answers
 * of JSON protocols, and which errors say the clock is off.
 */
#include "inner.h"

/* A trailing '+' stands for "Exception", a trailing '*' for "" or
 * "Exception" (the service sends either). Packed: errs[i] is -(error)
 * of the i-th code of `codes` (NUL-terminated, one after the other). */
#define CODES(X) \
	X("Validation+", CPJ_ERR_API_VALIDATION) \
	X("ActionTypeNotFound+", CPJ_ERR_API_ACTION_TYPE_NOT_FOUND) \
	X("JobNotFound+", CPJ_ERR_API_JOB_NOT_FOUND) \
	X("InvalidNonce+", CPJ_ERR_API_INVALID_NONCE) \
	X("InvalidJobState+", CPJ_ERR_API_INVALID_JOB_STATE) \
	X("InvalidClientToken+", CPJ_ERR_API_INVALID_CLIENT_TOKEN) \
	X("InvalidJob+", CPJ_ERR_API_INVALID_JOB_STATE) \
	X("OutputVariablesSizeExceeded+", CPJ_ERR_API_OUTPUT_VARIABLES_SIZE) \
	X("InvalidSignature+", CPJ_ERR_API_SIGNATURE) \
	X("SignatureDoesNotMatch", CPJ_ERR_API_SIGNATURE) \
	X("IncompleteSignature+", CPJ_ERR_API_SIGNATURE) \
	X("ExpiredToken*", CPJ_ERR_API_EXPIRED_TOKEN) \
	X("RequestExpired", CPJ_ERR_API_CLOCK_SKEW) \
	X("UnrecognizedClient+", CPJ_ERR_API_UNRECOGNIZED_CLIENT) \
	X("InvalidAccessKeyId", CPJ_ERR_API_UNRECOGNIZED_CLIENT) \
	X("AccessDenied*", CPJ_ERR_API_ACCESS_DENIED) \
	/* botocore's throttling set (retries/standard.py) */ \
	X("Throttling*", CPJ_ERR_API_THROTTLED) \
	X("Throttled+", CPJ_ERR_API_THROTTLED) \
	X("RequestThrottled*", CPJ_ERR_API_THROTTLED) \
	X("TooManyRequests+", CPJ_ERR_API_THROTTLED) \
	X("ProvisionedThroughputExceeded+", CPJ_ERR_API_THROTTLED) \
	X("TransactionInProgress+", CPJ_ERR_API_THROTTLED) \
	X("RequestLimitExceeded", CPJ_ERR_API_THROTTLED) \
	X("BandwidthLimitExceeded", CPJ_ERR_API_THROTTLED) \
	X("LimitExceeded+", CPJ_ERR_API_THROTTLED) \
	X("SlowDown", CPJ_ERR_API_THROTTLED) \
	X("PriorRequestNotComplete", CPJ_ERR_API_THROTTLED) \
	X("EC2Throttled+", CPJ_ERR_API_THROTTLED) \
	/* transient */ \
	X("RequestTimeout*", CPJ_ERR_API_SERVER) \
	X("InternalFailure", CPJ_ERR_API_SERVER) \
	X("InternalError", CPJ_ERR_API_SERVER) \
	X("ServiceUnavailable*", CPJ_ERR_API_SERVER)

static const unsigned char errs[] = { CODES(CPJ_PACK_ERR) };
static const char codes[] = CODES(CPJ_PACK_TEXT);

/* The bare code of an error type: the part after the last '#', before
 * any ':' (the x-amzn-ErrorType header form "Code:http://..."). */
static size_t
bare_code(const char **type, size_t len)
{
	const char *t = *type, *hash;
	size_t i;

	while ((hash = memchr(t, '#', len)) != NULL) {
		len -= (size_t)(hash + 1 - t);
		t = hash + 1;
	}
	for (i = 0; i < len && t[i] != ':'; i++)
		;
	*type = t;
	return i;
}

/* Whether type[0..len) is table code c (with its '+' or '*' form). */
static int
code_is(const char *c, const char *type, size_t len)
{
	size_t n = strlen(c);
	char m = c[n - 1];

	if (m != '+' && m != '*')
		return len == n && memcmp(c, type, n) == 0;
	n--;
	if (len < n || memcmp(c, type, n) != 0)
		return 0;
	if (len == n)
		return m == '*';
	return len == n + 9 && memcmp(type + n, "Exception", 9) == 0;
}

/* see cpj_aws.h */
int
cpj_aws_error_code(const char *type, size_t len, int http_status)
{
	const char *c = codes;
	size_t i;

	len = bare_code(&type, len);
	for (i = 0; len > 0 && i < sizeof errs; i++, c += strlen(c) + 1) {
		if (code_is(c, type, len))
			return -(int)errs[i];
	}
	if (http_status == 429)
		return CPJ_ERR_API_THROTTLED;
	if (http_status >= 500)
		return CPJ_ERR_API_SERVER;
	if (http_status == 403 && len == 0)
		return CPJ_ERR_API_ACCESS_DENIED;
	return CPJ_ERR_API_UNKNOWN;
}

/* see cpj_aws.h */
int
cpj_aws_error_retryable(int err, int http_status)
{
	if (err == CPJ_ERR_API_THROTTLED || err == CPJ_ERR_API_SERVER)
		return 1;
	switch (http_status) {
	case 500: case 502: case 503: case 504:
		return 1;
	}
	return 0;
}

/* Copy the message s[0..n) into msg (cap bytes), cut at a UTF-8
 * boundary when longer; *cut tells. */
static void
set_message(char *msg, size_t cap, int *cut, const char *s, size_t n)
{
	*cut = 0;
	if (n > cap - 1) {
		n = cap - 1;
		/* do not split a UTF-8 sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		*cut = 1;
	}
	memcpy(msg, s, n);
	msg[n] = '\0';
}

/*
 * A body cut short (the rest did not fit the caller's buffer), made a
 * whole document in place: closed inside the string value of the top
 * object that the cut fell in (a few bytes earlier, so that no escape or
 * UTF-8 sequence is left half), else after its last whole member.
 * Returns the new length, 0 when the start is not a JSON object; *open
 * is the offset of the cut string's first byte, else 0.
 */
static size_t
close_cut(char *b, size_t len, cpj_json_tok *tok, unsigned ntok,
	size_t *open)
{
	cpj_json_scanner s;
	size_t n = 0, last = 0, k;

	*open = 0;
	cpj_json_scan_init(&s, 1);
	while (n < len) {
		n += cpj_json_scan(&s, b + n, len - n);
		if (s.ev == CPJ_JSON_EV_ERROR || (s.ev == CPJ_JSON_EV_BEGIN
		    && s.ev_level == 0 && s.ev_type != CPJ_JSON_OBJECT))
			return 0;
		if (s.ev_level != 1 || s.ev_key)
			continue;
		if (s.ev == CPJ_JSON_EV_END) {
			last = n;
			*open = 0;
		} else if (s.ev == CPJ_JSON_EV_BEGIN
		    && s.ev_type == CPJ_JSON_STRING) {
			*open = n;
		}
	}
	/* the longest escape or UTF-8 sequence a cut can split: 12 bytes */
	for (k = len - 2; *open != 0 && k >= *open && k + 14 > len; k--) {
		b[k] = '"';
		b[k + 1] = '}';
		if (cpj_json_parse(b, k + 2, tok, ntok) > 0)
			return k + 2;
	}
	*open = 0;
	if (last == 0)
		return 0;
	b[last] = '}';
	return last + 1;
}

/* see aws/aws_int.h */
int
cpj_aws_json_error(char *body, size_t len, int more,
	const cpj_http_response *resp, char *code, size_t code_cap,
	char *msg, size_t msg_cap, int *msg_cut)
{
	cpj_json_tok tok[32];
	const char *type = "";
	size_t type_len = 0, open = 0;
	int n = -1, i;

	code[0] = '\0';
	msg[0] = '\0';
	if (more && len > 2)
		len = close_cut(body, len, tok, CPJ_ARRAY_LEN(tok), &open);
	if (len != 0)
		n = cpj_json_parse(body, len, tok, CPJ_ARRAY_LEN(tok));
	if (n > 0 && tok[0].type == CPJ_JSON_OBJECT) {
		size_t ml;

		i = cpj_json_member(body, tok, n, 0, "__type");
		if (i > 0 && tok[i].type == CPJ_JSON_STRING) {
			type = body + tok[i].start;
			type_len = (size_t)(tok[i].end - tok[i].start);
		}
		i = cpj_json_member(body, tok, n, 0, "message");
		if (i < 0)
			i = cpj_json_member(body, tok, n, 0, "Message");
		if (i > 0 && tok[i].type == CPJ_JSON_STRING) {
			/* unescape in place: never longer than the escaped text */
			char *m = body + tok[i].start;
			size_t el = (size_t)(tok[i].end - tok[i].start);

			if (cpj_json_unescape(m, el, m, el + 1, &ml) == 0) {
				set_message(msg, msg_cap, msg_cut, m, ml);
				if ((size_t)tok[i].start == open)
					*msg_cut = 1;
			}
		}
	}
	if (type_len == 0 && (resp->present & CPJ_HTTP_F_ERROR_TYPE)) {
		type = resp->error_type;
		type_len = strlen(type);
	}
	{
		const char *t = type;
		size_t k = bare_code(&t, type_len);

		if (k > code_cap - 1)
			k = code_cap - 1;
		memcpy(code, t, k);
		code[k] = '\0';
	}
	return cpj_aws_error_code(type, type_len, resp->status);
}

/* see aws/aws_int.h */
int
cpj_aws_is_skew_error(int err, const char *code, const char *msg)
{
	if (err == CPJ_ERR_API_CLOCK_SKEW)
		return 1;
	if (strcmp(code, "RequestTimeTooSkewed") == 0)
		return 1;
	return err == CPJ_ERR_API_SIGNATURE
	    && (strstr(msg, "Signature expired") != NULL
	    || strstr(msg, "Signature not yet current") != NULL);
}
