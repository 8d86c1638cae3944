/*
 * err.c -- cpj_strerror() (see cpj_err.h).
 */
#include "inner.h"

#if CPJ_CONFIG_STRERROR
/*
 * The texts, packed: codes[i] is -(code) of the i-th text of `texts`
 * (NUL-terminated, one after the other): no pointer per entry, so the
 * table is half the size on a 32-bit board and a third on a 64-bit one.
 */
#define ERRS(X) \
	X("success", CPJ_OK) \
	X("invalid argument (API misuse)", CPJ_ERR_PARAM) \
	X("call not valid in this state", CPJ_ERR_STATE) \
	X("caller buffer too small", CPJ_ERR_NOSPACE) \
	X("deadline passed", CPJ_ERR_TIMEOUT) \
	X("invariant broken (a bug)", CPJ_ERR_INTERNAL) \
	X("feature compiled out or not supported", CPJ_ERR_UNSUPPORTED) \
	X("the caller's sink or callback stopped the call", CPJ_ERR_CANCELLED) \
	X("local file or device error", CPJ_ERR_IO) \
	X("host name did not resolve", CPJ_ERR_NET_RESOLVE) \
	X("connect failed (unreachable, ...)", CPJ_ERR_NET_CONNECT) \
	X("connection refused", CPJ_ERR_NET_REFUSED) \
	X("peer closed the connection (EOF)", CPJ_ERR_NET_CLOSED) \
	X("connection reset by peer", CPJ_ERR_NET_RESET) \
	X("other socket error", CPJ_ERR_NET_IO) \
	X("proxy refused or broke the CONNECT tunnel", CPJ_ERR_NET_PROXY) \
	X("malformed URL or host name", CPJ_ERR_NET_URL) \
	X("handshake failed (protocol, no common suite)", CPJ_ERR_TLS_HANDSHAKE) \
	X("certificate chain not anchored in a trusted CA", CPJ_ERR_TLS_UNTRUSTED) \
	X("certificate does not match the host name", CPJ_ERR_TLS_HOSTNAME) \
	X("certificate expired or not yet valid", CPJ_ERR_TLS_EXPIRED) \
	X("certificate malformed or with a weak/unsupported algorithm", CPJ_ERR_TLS_CERT) \
	X("CA bundle unreadable, malformed or over the store's limit", CPJ_ERR_TLS_ANCHORS) \
	X("peer sent a fatal alert", CPJ_ERR_TLS_ALERT) \
	X("record layer error (bad MAC, truncated record)", CPJ_ERR_TLS_IO) \
	X("malformed status line", CPJ_ERR_HTTP_STATUS_LINE) \
	X("malformed header line", CPJ_ERR_HTTP_HEADER) \
	X("header line or header block over the limit", CPJ_ERR_HTTP_HEADER_TOO_LARGE) \
	X("more header lines than the limit", CPJ_ERR_HTTP_TOO_MANY_HEADERS) \
	X("invalid, overflowing or conflicting Content-Length", CPJ_ERR_HTTP_CONTENT_LENGTH) \
	X("malformed chunked encoding", CPJ_ERR_HTTP_CHUNK) \
	X("connection ended before the message did", CPJ_ERR_HTTP_TRUNCATED) \
	X("body larger than the caller accepts", CPJ_ERR_HTTP_BODY_TOO_LARGE) \
	X("unsupported Transfer-Encoding", CPJ_ERR_HTTP_ENCODING) \
	X("request cannot be written (bad header, CR/LF in value)", CPJ_ERR_HTTP_REQUEST) \
	X("not valid JSON", CPJ_ERR_JSON_INVALID) \
	X("document ended early", CPJ_ERR_JSON_TRUNCATED) \
	X("more tokens than the token array holds", CPJ_ERR_JSON_TOKENS) \
	X("nesting deeper than CPJ_JSON_DEPTH_MAX", CPJ_ERR_JSON_DEPTH) \
	X("invalid escape or \\u sequence", CPJ_ERR_JSON_ESCAPE) \
	X("member has the wrong JSON type", CPJ_ERR_JSON_TYPE) \
	X("a string does not fit its buffer", CPJ_ERR_JSON_FIELD_TOO_LONG) \
	X("a job does not fit the parser window or storage", CPJ_ERR_JSON_JOB_TOO_LARGE) \
	X("a required member is absent", CPJ_ERR_JSON_MISSING) \
	X("request cannot be canonicalised (bad path, query, header)", CPJ_ERR_SIGV4_INPUT) \
	X("timestamp out of range", CPJ_ERR_SIGV4_TIME) \
	X("missing or malformed credentials", CPJ_ERR_SIGV4_CREDS) \
	X("ThrottlingException and friends", CPJ_ERR_API_THROTTLED) \
	X("AccessDeniedException", CPJ_ERR_API_ACCESS_DENIED) \
	X("JobNotFoundException", CPJ_ERR_API_JOB_NOT_FOUND) \
	X("InvalidNonceException", CPJ_ERR_API_INVALID_NONCE) \
	X("InvalidJobStateException", CPJ_ERR_API_INVALID_JOB_STATE) \
	X("ValidationException", CPJ_ERR_API_VALIDATION) \
	X("ActionTypeNotFoundException", CPJ_ERR_API_ACTION_TYPE_NOT_FOUND) \
	X("InvalidClientTokenException", CPJ_ERR_API_INVALID_CLIENT_TOKEN) \
	X("OutputVariablesSizeExceededException", CPJ_ERR_API_OUTPUT_VARIABLES_SIZE) \
	X("InvalidSignatureException / SignatureDoesNotMatch", CPJ_ERR_API_SIGNATURE) \
	X("ExpiredTokenException", CPJ_ERR_API_EXPIRED_TOKEN) \
	X("UnrecognizedClientException / InvalidAccessKeyId", CPJ_ERR_API_UNRECOGNIZED_CLIENT) \
	X("5xx from the service", CPJ_ERR_API_SERVER) \
	X("any other AWS error code", CPJ_ERR_API_UNKNOWN) \
	X("request time too skewed, even after correction", CPJ_ERR_API_CLOCK_SKEW) \
	X("response body not of the expected shape", CPJ_ERR_API_RESPONSE) \
	X("NoSuchKey / NoSuchBucket", CPJ_ERR_S3_NOT_FOUND) \
	X("AccessDenied", CPJ_ERR_S3_ACCESS_DENIED) \
	X("any other S3 error", CPJ_ERR_S3_ERROR) \
	X("object bytes do not match their ETag (MD5) or declared hash", CPJ_ERR_S3_INTEGRITY) \
	X("no provider in the chain had credentials", CPJ_ERR_CREDS_NONE) \
	X("credential document malformed", CPJ_ERR_CREDS_FORMAT) \
	X("credentials expired and could not be refreshed", CPJ_ERR_CREDS_EXPIRED) \
	X("credentials provider refused (HTTP 4xx, Code not Success)", CPJ_ERR_CREDS_REFUSED) \
	X("credentials provider failed (HTTP 5xx, unexpected status)", CPJ_ERR_CREDS_PROVIDER) \
	X("invalid configuration", CPJ_ERR_AGENT_CONFIG) \
	X("handler could not be started", CPJ_ERR_AGENT_HANDLER) \
	X("state file unreadable or not writable", CPJ_ERR_AGENT_STATE_FILE)

static const unsigned char codes[] = { ERRS(CPJ_PACK_ERR) };
static const char texts[] = ERRS(CPJ_PACK_TEXT);
#endif

/* see cpj_err.h */
const char *
cpj_strerror(int err)
{
#if CPJ_CONFIG_STRERROR
	const char *t = texts;
	size_t i;

	for (i = 0; err <= 0 && err > -256 && i < sizeof codes;
	    i++, t += strlen(t) + 1) {
		if (codes[i] == -err)
			return t;
	}
	return "unknown error";
#else
	(void)err;
	return "";
#endif
}
