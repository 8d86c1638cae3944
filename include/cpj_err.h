/*
 * cpj_err.h -- error codes of libcpjob.
 *
 * Every call that can fail returns an int: 0 (CPJ_OK) on success, a
 * positive count where the call says so, or a negative CPJ_ERR_* code.
 * Codes come in blocks of 16 per layer so that the layer that failed can
 * be read off the number: -1.. general, -16.. network, -32.. TLS,
 * -48.. HTTP, -64.. JSON, -80.. SigV4, -96.. AWS API (two blocks),
 * -128.. S3, -144.. credentials, -160.. agent.
 *
 * The values are stable API: they never change meaning once released.
 */
/** \file
 * \brief Error codes of libcpjob.
 */
#ifndef CPJ_ERR_H
#define CPJ_ERR_H

/** \brief Success. */
#define CPJ_OK                        0

/* General (-1 .. -15). */
#define CPJ_ERR_PARAM                -1  /**< invalid argument (API misuse) */
#define CPJ_ERR_STATE                -2  /**< call not valid in this state */
#define CPJ_ERR_NOSPACE              -3  /**< caller buffer too small */
#define CPJ_ERR_TIMEOUT              -4  /**< deadline passed */
#define CPJ_ERR_INTERNAL             -5  /**< invariant broken (a bug) */
#define CPJ_ERR_UNSUPPORTED          -6  /**< feature compiled out or not supported */
#define CPJ_ERR_CANCELLED            -7  /**< the caller's sink or callback stopped the call */
#define CPJ_ERR_IO                   -8  /**< local file or device error */

/* Network (-16 .. -31). */
#define CPJ_ERR_NET_RESOLVE         -16  /**< host name did not resolve */
#define CPJ_ERR_NET_CONNECT         -17  /**< connect failed (unreachable, ...) */
#define CPJ_ERR_NET_REFUSED         -18  /**< connection refused */
#define CPJ_ERR_NET_CLOSED          -19  /**< peer closed the connection (EOF) */
#define CPJ_ERR_NET_RESET           -20  /**< connection reset by peer */
#define CPJ_ERR_NET_IO              -21  /**< other socket error */
#define CPJ_ERR_NET_PROXY           -22  /**< proxy refused or broke the CONNECT tunnel */
#define CPJ_ERR_NET_URL             -23  /**< malformed URL or host name */

/* TLS (-32 .. -47); cpj_tls_last_br_error() gives BearSSL's detail. */
#define CPJ_ERR_TLS_HANDSHAKE       -32  /**< handshake failed (protocol, no common suite) */
#define CPJ_ERR_TLS_UNTRUSTED       -33  /**< certificate chain not anchored in a trusted CA */
#define CPJ_ERR_TLS_HOSTNAME        -34  /**< certificate does not match the host name */
#define CPJ_ERR_TLS_EXPIRED         -35  /**< certificate expired or not yet valid */
#define CPJ_ERR_TLS_CERT            -36  /**< certificate malformed or with a weak/unsupported algorithm */
#define CPJ_ERR_TLS_ANCHORS         -37  /**< CA bundle unreadable, malformed or over the store's limit */
#define CPJ_ERR_TLS_ALERT           -38  /**< peer sent a fatal alert */
#define CPJ_ERR_TLS_IO              -39  /**< record layer error (bad MAC, truncated record) */

/* HTTP (-48 .. -63). */
#define CPJ_ERR_HTTP_STATUS_LINE    -48  /**< malformed status line */
#define CPJ_ERR_HTTP_HEADER         -49  /**< malformed header line */
#define CPJ_ERR_HTTP_HEADER_TOO_LARGE -50 /**< header line or header block over the limit */
#define CPJ_ERR_HTTP_TOO_MANY_HEADERS -51 /**< more header lines than the limit */
#define CPJ_ERR_HTTP_CONTENT_LENGTH -52  /**< invalid, overflowing or conflicting Content-Length */
#define CPJ_ERR_HTTP_CHUNK          -53  /**< malformed chunked encoding */
#define CPJ_ERR_HTTP_TRUNCATED      -54  /**< connection ended before the message did */
#define CPJ_ERR_HTTP_BODY_TOO_LARGE -55  /**< body larger than the caller accepts */
#define CPJ_ERR_HTTP_ENCODING       -56  /**< unsupported Transfer-Encoding */
#define CPJ_ERR_HTTP_REQUEST        -57  /**< request cannot be written (bad header, CR/LF in value) */

/* JSON (-64 .. -79). */
#define CPJ_ERR_JSON_INVALID        -64  /**< not valid JSON */
#define CPJ_ERR_JSON_TRUNCATED      -65  /**< document ended early */
#define CPJ_ERR_JSON_TOKENS         -66  /**< more tokens than the token array holds */
#define CPJ_ERR_JSON_DEPTH          -67  /**< nesting deeper than CPJ_JSON_DEPTH_MAX */
#define CPJ_ERR_JSON_ESCAPE         -68  /**< invalid escape or \\u sequence */
#define CPJ_ERR_JSON_TYPE           -69  /**< member has the wrong JSON type */
#define CPJ_ERR_JSON_FIELD_TOO_LONG -70  /**< a string does not fit its buffer */
#define CPJ_ERR_JSON_JOB_TOO_LARGE  -71  /**< a job does not fit the parser window or storage */
#define CPJ_ERR_JSON_MISSING        -72  /**< a required member is absent */

/* SigV4 (-80 .. -95). */
#define CPJ_ERR_SIGV4_INPUT         -80  /**< request cannot be canonicalised (bad path, query, header) */
#define CPJ_ERR_SIGV4_TIME          -81  /**< timestamp out of range */
#define CPJ_ERR_SIGV4_CREDS         -82  /**< missing or malformed credentials */

/* AWS API (-96 .. -127): the service answered with an error. */
#define CPJ_ERR_API_THROTTLED       -96  /**< ThrottlingException and friends */
#define CPJ_ERR_API_ACCESS_DENIED   -97  /**< AccessDeniedException */
#define CPJ_ERR_API_JOB_NOT_FOUND   -98  /**< JobNotFoundException */
#define CPJ_ERR_API_INVALID_NONCE   -99  /**< InvalidNonceException */
#define CPJ_ERR_API_INVALID_JOB_STATE -100 /**< InvalidJobStateException */
#define CPJ_ERR_API_VALIDATION     -101  /**< ValidationException */
#define CPJ_ERR_API_ACTION_TYPE_NOT_FOUND -102 /**< ActionTypeNotFoundException */
#define CPJ_ERR_API_INVALID_CLIENT_TOKEN -103 /**< InvalidClientTokenException */
#define CPJ_ERR_API_OUTPUT_VARIABLES_SIZE -104 /**< OutputVariablesSizeExceededException */
#define CPJ_ERR_API_SIGNATURE      -105  /**< InvalidSignatureException / SignatureDoesNotMatch */
#define CPJ_ERR_API_EXPIRED_TOKEN  -106  /**< ExpiredTokenException */
#define CPJ_ERR_API_UNRECOGNIZED_CLIENT -107 /**< UnrecognizedClientException / InvalidAccessKeyId */
#define CPJ_ERR_API_SERVER         -108  /**< 5xx from the service */
#define CPJ_ERR_API_UNKNOWN        -109  /**< any other AWS error code */
#define CPJ_ERR_API_CLOCK_SKEW     -110  /**< request time too skewed, even after correction */
#define CPJ_ERR_API_RESPONSE       -111  /**< response body not of the expected shape */

/* S3 (-128 .. -143). */
#define CPJ_ERR_S3_NOT_FOUND       -128  /**< NoSuchKey / NoSuchBucket */
#define CPJ_ERR_S3_ACCESS_DENIED   -129  /**< AccessDenied */
#define CPJ_ERR_S3_ERROR           -130  /**< any other S3 error */
#define CPJ_ERR_S3_INTEGRITY       -131  /**< object bytes do not match their ETag (MD5) or declared hash */

/* Credentials (-144 .. -159). */
#define CPJ_ERR_CREDS_NONE         -144  /**< no provider in the chain had credentials */
#define CPJ_ERR_CREDS_FORMAT       -145  /**< credential document malformed */
#define CPJ_ERR_CREDS_EXPIRED      -146  /**< credentials expired and could not be refreshed */
#define CPJ_ERR_CREDS_REFUSED      -147  /**< credentials provider refused (HTTP 4xx, Code not Success) */
#define CPJ_ERR_CREDS_PROVIDER     -148  /**< credentials provider failed (HTTP 5xx, unexpected status) */

/* Agent (-160 .. -175). */
#define CPJ_ERR_AGENT_CONFIG       -160  /**< invalid configuration */
#define CPJ_ERR_AGENT_HANDLER      -161  /**< handler could not be started */
#define CPJ_ERR_AGENT_STATE_FILE   -162  /**< state file unreadable or not writable */

/**
 * \brief Text for an error code.
 *
 * Stack: at most 48 bytes.
 *
 * \param err   a CPJ_OK or CPJ_ERR_* value (any int is accepted).
 * \return a static, NUL-terminated string; "unknown error" for codes that
 *         are not defined, and "" for every code when the library was built
 *         with CPJ_CONFIG_STRERROR=0.
 */
const char *cpj_strerror(int err);

/**
 * \brief Set how much the library logs at run time.
 *
 * Levels: 0 nothing, 1 errors, 2 warnings (the default), 3 info,
 * 4 debug (connections, TLS, retries; never secrets). Lines above the
 * level compiled in (CPJ_CONFIG_LOG_LEVEL) do not exist and cannot be
 * turned on. The lines go to cpj_port_log(); a port may filter them
 * further. Process-wide (not thread-safe against concurrent calls: set it
 * at start-up); a value outside 0..4 is clamped.
 *
 * Stack: at most 16 bytes.
 *
 * \param level  0..4.
 */
void cpj_log_set_level(int level);

#endif
