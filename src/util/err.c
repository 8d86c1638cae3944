/*
 * err.c -- cpj_strerror() (see cpj_err.h).
 */
#include "inner.h"

#if CPJ_CONFIG_STRERROR
static const struct {
	int code;
	const char *text;
} errs[] = {
	{ CPJ_OK, "success" },
	{ CPJ_ERR_PARAM, "invalid argument (API misuse)" },
	{ CPJ_ERR_STATE, "call not valid in this state" },
	{ CPJ_ERR_NOSPACE, "caller buffer too small" },
	{ CPJ_ERR_TIMEOUT, "deadline passed" },
	{ CPJ_ERR_INTERNAL, "invariant broken (a bug)" },
	{ CPJ_ERR_UNSUPPORTED, "feature compiled out or not supported" },
	{ CPJ_ERR_CANCELLED, "the caller's sink or callback stopped the call" },
	{ CPJ_ERR_IO, "local file or device error" },
	{ CPJ_ERR_NET_RESOLVE, "host name did not resolve" },
	{ CPJ_ERR_NET_CONNECT, "connect failed (unreachable, ...)" },
	{ CPJ_ERR_NET_REFUSED, "connection refused" },
	{ CPJ_ERR_NET_CLOSED, "peer closed the connection (EOF)" },
	{ CPJ_ERR_NET_RESET, "connection reset by peer" },
	{ CPJ_ERR_NET_IO, "other socket error" },
	{ CPJ_ERR_NET_PROXY, "proxy refused or broke the CONNECT tunnel" },
	{ CPJ_ERR_NET_URL, "malformed URL or host name" },
	{ CPJ_ERR_TLS_HANDSHAKE, "handshake failed (protocol, no common suite)" },
	{ CPJ_ERR_TLS_UNTRUSTED, "certificate chain not anchored in a trusted CA" },
	{ CPJ_ERR_TLS_HOSTNAME, "certificate does not match the host name" },
	{ CPJ_ERR_TLS_EXPIRED, "certificate expired or not yet valid" },
	{ CPJ_ERR_TLS_CERT, "certificate malformed or with a weak/unsupported algorithm" },
	{ CPJ_ERR_TLS_ANCHORS, "CA bundle unreadable, malformed or over the store's limit" },
	{ CPJ_ERR_TLS_ALERT, "peer sent a fatal alert" },
	{ CPJ_ERR_TLS_IO, "record layer error (bad MAC, truncated record)" },
	{ CPJ_ERR_HTTP_STATUS_LINE, "malformed status line" },
	{ CPJ_ERR_HTTP_HEADER, "malformed header line" },
	{ CPJ_ERR_HTTP_HEADER_TOO_LARGE, "header line or header block over the limit" },
	{ CPJ_ERR_HTTP_TOO_MANY_HEADERS, "more header lines than the limit" },
	{ CPJ_ERR_HTTP_CONTENT_LENGTH, "invalid, overflowing or conflicting Content-Length" },
	{ CPJ_ERR_HTTP_CHUNK, "malformed chunked encoding" },
	{ CPJ_ERR_HTTP_TRUNCATED, "connection ended before the message did" },
	{ CPJ_ERR_HTTP_BODY_TOO_LARGE, "body larger than the caller accepts" },
	{ CPJ_ERR_HTTP_ENCODING, "unsupported Transfer-Encoding" },
	{ CPJ_ERR_HTTP_REQUEST, "request cannot be written (bad header, CR/LF in value)" },
	{ CPJ_ERR_JSON_INVALID, "not valid JSON" },
	{ CPJ_ERR_JSON_TRUNCATED, "document ended early" },
	{ CPJ_ERR_JSON_TOKENS, "more tokens than the token array holds" },
	{ CPJ_ERR_JSON_DEPTH, "nesting deeper than CPJ_JSON_DEPTH_MAX" },
	{ CPJ_ERR_JSON_ESCAPE, "invalid escape or \\u sequence" },
	{ CPJ_ERR_JSON_TYPE, "member has the wrong JSON type" },
	{ CPJ_ERR_JSON_FIELD_TOO_LONG, "a string does not fit its buffer" },
	{ CPJ_ERR_JSON_JOB_TOO_LARGE, "a job does not fit the parser window or storage" },
	{ CPJ_ERR_JSON_MISSING, "a required member is absent" },
	{ CPJ_ERR_SIGV4_INPUT, "request cannot be canonicalised (bad path, query, header)" },
	{ CPJ_ERR_SIGV4_TIME, "timestamp out of range" },
	{ CPJ_ERR_SIGV4_CREDS, "missing or malformed credentials" },
	{ CPJ_ERR_API_THROTTLED, "ThrottlingException and friends" },
	{ CPJ_ERR_API_ACCESS_DENIED, "AccessDeniedException" },
	{ CPJ_ERR_API_JOB_NOT_FOUND, "JobNotFoundException" },
	{ CPJ_ERR_API_INVALID_NONCE, "InvalidNonceException" },
	{ CPJ_ERR_API_INVALID_JOB_STATE, "InvalidJobStateException" },
	{ CPJ_ERR_API_VALIDATION, "ValidationException" },
	{ CPJ_ERR_API_ACTION_TYPE_NOT_FOUND, "ActionTypeNotFoundException" },
	{ CPJ_ERR_API_INVALID_CLIENT_TOKEN, "InvalidClientTokenException" },
	{ CPJ_ERR_API_OUTPUT_VARIABLES_SIZE, "OutputVariablesSizeExceededException" },
	{ CPJ_ERR_API_SIGNATURE, "InvalidSignatureException / SignatureDoesNotMatch" },
	{ CPJ_ERR_API_EXPIRED_TOKEN, "ExpiredTokenException" },
	{ CPJ_ERR_API_UNRECOGNIZED_CLIENT, "UnrecognizedClientException / InvalidAccessKeyId" },
	{ CPJ_ERR_API_SERVER, "5xx from the service" },
	{ CPJ_ERR_API_UNKNOWN, "any other AWS error code" },
	{ CPJ_ERR_API_CLOCK_SKEW, "request time too skewed, even after correction" },
	{ CPJ_ERR_API_RESPONSE, "response body not of the expected shape" },
	{ CPJ_ERR_S3_NOT_FOUND, "NoSuchKey / NoSuchBucket" },
	{ CPJ_ERR_S3_ACCESS_DENIED, "AccessDenied" },
	{ CPJ_ERR_S3_ERROR, "any other S3 error" },
	{ CPJ_ERR_S3_INTEGRITY, "object bytes do not match their ETag (MD5) or declared hash" },
	{ CPJ_ERR_CREDS_NONE, "no provider in the chain had credentials" },
	{ CPJ_ERR_CREDS_FORMAT, "credential document malformed" },
	{ CPJ_ERR_CREDS_EXPIRED, "credentials expired and could not be refreshed" },
	{ CPJ_ERR_CREDS_REFUSED, "credentials provider refused (HTTP 4xx, Code not Success)" },
	{ CPJ_ERR_CREDS_PROVIDER, "credentials provider failed (HTTP 5xx, unexpected status)" },
	{ CPJ_ERR_AGENT_CONFIG, "invalid configuration" },
	{ CPJ_ERR_AGENT_HANDLER, "handler could not be started" },
	{ CPJ_ERR_AGENT_STATE_FILE, "state file unreadable or not writable" },
};
#endif

/* see cpj_err.h */
const char *
cpj_strerror(int err)
{
#if CPJ_CONFIG_STRERROR
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(errs); i++) {
		if (errs[i].code == err)
			return errs[i].text;
	}
	return "unknown error";
#else
	(void)err;
	return "";
#endif
}
