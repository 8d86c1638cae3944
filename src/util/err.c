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
	X(CPJ_OK, "success") \
	X(CPJ_ERR_PARAM, "invalid argument (API misuse)") \
	X(CPJ_ERR_STATE, "call not valid in this state") \
	X(CPJ_ERR_NOSPACE, "caller buffer too small") \
	X(CPJ_ERR_TIMEOUT, "deadline passed") \
	X(CPJ_ERR_INTERNAL, "invariant broken (a bug)") \
	X(CPJ_ERR_UNSUPPORTED, "feature compiled out or not supported") \
	X(CPJ_ERR_CANCELLED, "the caller's sink or callback stopped the call") \
	X(CPJ_ERR_IO, "local file or device error") \
	X(CPJ_ERR_NET_RESOLVE, "host name did not resolve") \
	X(CPJ_ERR_NET_CONNECT, "connect failed (unreachable, ...)") \
	X(CPJ_ERR_NET_REFUSED, "connection refused") \
	X(CPJ_ERR_NET_CLOSED, "peer closed the connection (EOF)") \
	X(CPJ_ERR_NET_RESET, "connection reset by peer") \
	X(CPJ_ERR_NET_IO, "other socket error") \
	X(CPJ_ERR_NET_PROXY, "proxy refused or broke the CONNECT tunnel") \
	X(CPJ_ERR_NET_URL, "malformed URL or host name") \
	X(CPJ_ERR_TLS_HANDSHAKE, "handshake failed (protocol, no common suite)") \
	X(CPJ_ERR_TLS_UNTRUSTED, "certificate chain not anchored in a trusted CA") \
	X(CPJ_ERR_TLS_HOSTNAME, "certificate does not match the host name") \
	X(CPJ_ERR_TLS_EXPIRED, "certificate expired or not yet valid") \
	X(CPJ_ERR_TLS_CERT, "certificate malformed or with a weak/unsupported algorithm") \
	X(CPJ_ERR_TLS_ANCHORS, "CA bundle unreadable, malformed or over the store's limit") \
	X(CPJ_ERR_TLS_ALERT, "peer sent a fatal alert") \
	X(CPJ_ERR_TLS_IO, "record layer error (bad MAC, truncated record)") \
	X(CPJ_ERR_HTTP_STATUS_LINE, "malformed status line") \
	X(CPJ_ERR_HTTP_HEADER, "malformed header line") \
	X(CPJ_ERR_HTTP_HEADER_TOO_LARGE, "header line or header block over the limit") \
	X(CPJ_ERR_HTTP_TOO_MANY_HEADERS, "more header lines than the limit") \
	X(CPJ_ERR_HTTP_CONTENT_LENGTH, "invalid, overflowing or conflicting Content-Length") \
	X(CPJ_ERR_HTTP_CHUNK, "malformed chunked encoding") \
	X(CPJ_ERR_HTTP_TRUNCATED, "connection ended before the message did") \
	X(CPJ_ERR_HTTP_BODY_TOO_LARGE, "body larger than the caller accepts") \
	X(CPJ_ERR_HTTP_ENCODING, "unsupported Transfer-Encoding") \
	X(CPJ_ERR_HTTP_REQUEST, "request cannot be written (bad header, CR/LF in value)") \
	X(CPJ_ERR_JSON_INVALID, "not valid JSON") \
	X(CPJ_ERR_JSON_TRUNCATED, "document ended early") \
	X(CPJ_ERR_JSON_TOKENS, "more tokens than the token array holds") \
	X(CPJ_ERR_JSON_DEPTH, "nesting deeper than CPJ_JSON_DEPTH_MAX") \
	X(CPJ_ERR_JSON_ESCAPE, "invalid escape or \\u sequence") \
	X(CPJ_ERR_JSON_TYPE, "member has the wrong JSON type") \
	X(CPJ_ERR_JSON_FIELD_TOO_LONG, "a string does not fit its buffer") \
	X(CPJ_ERR_JSON_JOB_TOO_LARGE, "a job does not fit the parser window or storage") \
	X(CPJ_ERR_JSON_MISSING, "a required member is absent") \
	X(CPJ_ERR_SIGV4_INPUT, "request cannot be canonicalised (bad path, query, header)") \
	X(CPJ_ERR_SIGV4_TIME, "timestamp out of range") \
	X(CPJ_ERR_SIGV4_CREDS, "missing or malformed credentials") \
	X(CPJ_ERR_API_THROTTLED, "ThrottlingException and friends") \
	X(CPJ_ERR_API_ACCESS_DENIED, "AccessDeniedException") \
	X(CPJ_ERR_API_JOB_NOT_FOUND, "JobNotFoundException") \
	X(CPJ_ERR_API_INVALID_NONCE, "InvalidNonceException") \
	X(CPJ_ERR_API_INVALID_JOB_STATE, "InvalidJobStateException") \
	X(CPJ_ERR_API_VALIDATION, "ValidationException") \
	X(CPJ_ERR_API_ACTION_TYPE_NOT_FOUND, "ActionTypeNotFoundException") \
	X(CPJ_ERR_API_INVALID_CLIENT_TOKEN, "InvalidClientTokenException") \
	X(CPJ_ERR_API_OUTPUT_VARIABLES_SIZE, "OutputVariablesSizeExceededException") \
	X(CPJ_ERR_API_SIGNATURE, "InvalidSignatureException / SignatureDoesNotMatch") \
	X(CPJ_ERR_API_EXPIRED_TOKEN, "ExpiredTokenException") \
	X(CPJ_ERR_API_UNRECOGNIZED_CLIENT, "UnrecognizedClientException / InvalidAccessKeyId") \
	X(CPJ_ERR_API_SERVER, "5xx from the service") \
	X(CPJ_ERR_API_UNKNOWN, "any other AWS error code") \
	X(CPJ_ERR_API_CLOCK_SKEW, "request time too skewed, even after correction") \
	X(CPJ_ERR_API_RESPONSE, "response body not of the expected shape") \
	X(CPJ_ERR_S3_NOT_FOUND, "NoSuchKey / NoSuchBucket") \
	X(CPJ_ERR_S3_ACCESS_DENIED, "AccessDenied") \
	X(CPJ_ERR_S3_ERROR, "any other S3 error") \
	X(CPJ_ERR_S3_INTEGRITY, "object bytes do not match their ETag (MD5) or declared hash") \
	X(CPJ_ERR_CREDS_NONE, "no provider in the chain had credentials") \
	X(CPJ_ERR_CREDS_FORMAT, "credential document malformed") \
	X(CPJ_ERR_CREDS_EXPIRED, "credentials expired and could not be refreshed") \
	X(CPJ_ERR_CREDS_REFUSED, "credentials provider refused (HTTP 4xx, Code not Success)") \
	X(CPJ_ERR_CREDS_PROVIDER, "credentials provider failed (HTTP 5xx, unexpected status)") \
	X(CPJ_ERR_AGENT_CONFIG, "invalid configuration") \
	X(CPJ_ERR_AGENT_HANDLER, "handler could not be started") \
	X(CPJ_ERR_AGENT_STATE_FILE, "state file unreadable or not writable")

#define CODE(c, t) (unsigned char)-(c),
#define TEXT(c, t) t "\0"
static const unsigned char codes[] = { ERRS(CODE) };
static const char texts[] = ERRS(TEXT);
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
