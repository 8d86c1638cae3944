/*
 * cpj_s3.h -- S3 GetObject / PutObject for job artifacts.
 *
 * A caller-allocated cpj_s3_context signs requests with the job's
 * artifactCredentials (SigV4, service "s3", S3 path rules), picks the
 * bucket's endpoint and addressing style, streams object bodies between
 * the network and the caller's sink or source (never buffered whole),
 * retries as the AWS SDKs' standard mode does, corrects the device clock
 * from the service's Date header, follows a bucket's region once, and
 * keeps the details of the last error (HTTP status, S3 error code and
 * message, request ids).
 *
 *     cpj_s3_context s3;
 *     cpj_s3_init(&s3, &http, "eu-west-1", work, sizeof work);
 *     s3.skew = cp.skew;                       (what CodePipeline taught)
 *     cpj_s3_set_credentials(&s3, &creds);
 *     cpj_s3_get_object(&s3, bucket, key, &get);  ... cpj_s3_put_object(...)
 *     cpj_s3_clear(&s3);                       (wipes the signing key)
 *
 * Endpoints (API digest 8.4):
 *  - AWS (no override): virtual-hosted "https://{bucket}.s3.{region}.{suffix}"
 *    when the bucket is virtual-hostable (3..63 of a-z 0-9 '-', not
 *    starting or ending with '-', not shaped like an IPv4 address),
 *    else path style "https://s3.{region}.{suffix}/{bucket}"; the suffix is
 *    the partition's DNS suffix (amazonaws.com, amazonaws.com.cn,
 *    c2s.ic.gov, sc2s.sgov.gov); CPJ_S3_FIPS gives "s3-fips",
 *    CPJ_S3_DUALSTACK adds ".dualstack"; CPJ_S3_PATH_STYLE forces path
 *    style. Accelerate and the legacy global endpoint are not used.
 *  - Endpoint override ("http[s]://host[:port]"): path style by default
 *    (as botocore does for IP endpoints). With CPJ_S3_VIRTUAL_HOSTED the
 *    request still goes to the override's host and port (connection, TLS
 *    name check), with the header "Host: {bucket}.{host}[:port]", and that
 *    Host is signed; a bucket that is not virtual-hostable, an IP address
 *    override, or a name over CPJ_HOST_MAX falls back to path style.
 *  - Keys: every byte outside A-Z a-z 0-9 - . _ ~ is percent-encoded, '/'
 *    is kept; the request target is signed as sent.
 *  - Accepted: a bucket of 1..255 of A-Z a-z 0-9 . - _ and a key of
 *    1..CPJ_S3_KEY_MAX bytes; anything else is CPJ_ERR_PARAM.
 *
 * The HTTP client is borrowed and dedicated to S3 while the context uses
 * it: before each request the context points it at the bucket's origin
 * with cpj_http_client_set_url() when (and only when) scheme, host or port
 * differ from the client's, which closes the open connection; a kept-alive
 * connection is therefore only reused for the same origin. set_url drops
 * the client's proxy, so a proxy must be given with cpj_s3_set_proxy().
 *
 * Integrity: the HTTP layer checks that exactly Content-Length bytes (or
 * the whole chunked body) arrived; a cut transfer is an error, never a
 * short object reported as success. In addition (verify_md5, on by
 * default) the MD5 of the bytes moved is compared with the ETag when the
 * ETag is a plain 32-hex-digit MD5: single-part objects stored without
 * SSE-KMS or SSE-C. Multipart ETags ("...-N") and SSE-KMS / SSE-C objects
 * (whose ETag is not the MD5 of the data) are not checked; etag_checked
 * says whether the check ran. A mismatch is CPJ_ERR_S3_INTEGRITY.
 *
 * Errors: the XML error body is read by a bounded streaming scanner
 * (cpj_s3_xml_*), which keeps Code, Message, Region and RequestId; then
 * NoSuchKey / NoSuchBucket -> CPJ_ERR_S3_NOT_FOUND, AccessDenied /
 * AllAccessDisabled -> CPJ_ERR_S3_ACCESS_DENIED, SignatureDoesNotMatch ->
 * CPJ_ERR_API_SIGNATURE, ExpiredToken / InvalidToken / TokenRefreshRequired ->
 * CPJ_ERR_API_EXPIRED_TOKEN, InvalidAccessKeyId ->
 * CPJ_ERR_API_UNRECOGNIZED_CLIENT, RequestTimeTooSkewed ->
 * CPJ_ERR_API_CLOCK_SKEW, BadDigest / XAmzContentSHA256Mismatch ->
 * CPJ_ERR_S3_INTEGRITY, SlowDown and the SDKs' throttling codes ->
 * CPJ_ERR_API_THROTTLED, InternalError and transient codes or 5xx ->
 * CPJ_ERR_API_SERVER, any other code -> CPJ_ERR_S3_ERROR.
 *
 * Retries (standard mode, as the CodePipeline client): up to max_attempts
 * attempts with full-jitter exponential backoff capped at backoff_cap_ms,
 * on throttling, transient codes, HTTP 500/502/503/504 and connection
 * failures. Besides (not counted as attempts), at most once per call each:
 *  - RequestTimeTooSkewed: the skew is learnt from the Date header and the
 *    request re-signed;
 *  - a wrong region (HTTP 301/302/307, PermanentRedirect,
 *    AuthorizationHeaderMalformed, TemporaryRedirect with the region in
 *    x-amz-bucket-region or <Region>): the request is re-signed for that
 *    region (and sent to its endpoint unless there is an override); the
 *    context keeps the new region for later calls (one job's artifacts
 *    share the artifact store's region).
 * A request whose body was already (partly) read, or a download whose sink
 * already got bytes, is repeated only when the caller gave a rewind or
 * restart callback; otherwise the error is returned as it is.
 *
 * Secrets: the credentials are borrowed, the signing key is cached in the
 * context and wiped by cpj_s3_set_credentials() and cpj_s3_clear(); the
 * Authorization value is wiped after each request. Nothing here logs a
 * secret (the debug log names operation, bucket, key, status and codes).
 *
 * RAM: sizeof(cpj_s3_context) is 5,176 bytes on x86-64 with the defaults
 * (the SigV4 context 1,528, the HTTP response 992, the error scanner and
 * details 776, the origin URL and Host buffers 540, the override URL 260,
 * the Authorization value 384, MD5 96). The caller's work buffer holds the
 * request target (the encoded key, up to 3 x CPJ_S3_KEY_MAX + 258 bytes)
 * and the request head (about 700 bytes plus the session token, the KMS
 * key id and the Content-Type); it is also the unit of network I/O, so
 * 16 KB (one TLS record) is a good size; 4 KB is the minimum for keys of
 * ordinary length.
 *
 * Stack: each call gives its bound, a TLS handshake included. Of it,
 * about 900 bytes are the S3 calls' own frames (gcc 12 -O2 x86-64,
 * -fstack-usage: 672 for the frame that holds the SigV4 request and
 * result and the HTTP request and headers, 160 for the retry loop); the
 * caller's callbacks run inside the exchange and add what they use.
 *
 * Thread safety: none; one context per thread.
 */
/** \file
 * \brief S3 GetObject / PutObject for job artifacts.
 *
 * Only in builds with CPJ_CONFIG_S3 (the default).
 */
#ifndef CPJ_S3_H
#define CPJ_S3_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "cpj_config.h"
#include "cpj_creds.h"
#include "cpj_http.h"
#include "cpj_sigv4.h"

#if CPJ_CONFIG_S3 /* cpj_config.h; the whole interface, or none of it */

/** Longest bucket name accepted (legacy us-east-1 names reach 255). */
#define CPJ_S3_BUCKET_MAX 255
/** Longest S3 error code kept; a longer one is not kept (never cut). */
#define CPJ_S3_CODE_MAX 64
/** Longest region name (1..30 of [a-z0-9-] are valid). */
#define CPJ_S3_REGION_MAX 31
/** Longest x-amz-id-2 kept. */
#define CPJ_S3_HOST_ID_MAX 128
/** Bytes of a non-2xx (or unexpected) response body read before the
 *  connection is dropped instead (the scanner still sees all of them). */
#define CPJ_S3_ERRBODY_MAX 65536
/** Largest PutObject body (S3's single-request limit, 5 GiB). */
#define CPJ_S3_PUT_MAX ((uint64_t)5 << 30)
/** Default distance between progress calls, bytes. */
#define CPJ_S3_PROGRESS_STEP ((uint64_t)1 << 20)

#if CPJ_S3_KEY_MAX < 1 || CPJ_S3_KEY_MAX > 65535
#error "CPJ_S3_KEY_MAX must be 1..65535"
#endif
#if CPJ_S3_MESSAGE_MAX < CPJ_HTTP_REQUEST_ID_MAX \
    || CPJ_S3_MESSAGE_MAX < CPJ_S3_CODE_MAX
#error "CPJ_S3_MESSAGE_MAX must be at least the code and request id sizes"
#endif

/** Size of the origin URL buffer: "https://[host]:65535" and NUL. */
#define CPJ_S3_URL_SIZE (CPJ_HOST_MAX + 18)
/** Size of the Host header buffer: "host:65535" (or "[v6]:port") and NUL. */
#define CPJ_S3_HOST_SIZE (CPJ_HOST_MAX + 10)

/* Endpoint flags (cpj_s3_set_endpoint). */
/** Always path style. */
#define CPJ_S3_PATH_STYLE      0x01u
/** Virtual-hosted style with an endpoint override (see the file comment). */
#define CPJ_S3_VIRTUAL_HOSTED  0x02u
/** AWS endpoints: the FIPS host "s3-fips". */
#define CPJ_S3_FIPS            0x04u
/** AWS endpoints: the dual-stack host ("s3.dualstack"). */
#define CPJ_S3_DUALSTACK       0x08u

/* Payload modes of a streamed PutObject (cpj_s3_put_options.payload). */
/** X-Amz-Content-SHA256: UNSIGNED-PAYLOAD; one pass over the source. The
 *  body is then protected by TLS only: use it over https. */
#define CPJ_S3_PAYLOAD_UNSIGNED 0
/** The caller computed the hex SHA-256 of the body beforehand (for example
 *  with cpj_s3_sha256_source() and a rewind): two passes, signed body. */
#define CPJ_S3_PAYLOAD_SHA256   1

/**
 * \brief Progress callback: `done` bytes of the body moved so far, of
 *        `total` (0 when unknown, e.g. a chunked download).
 *
 * Called at most once per `progress_step` bytes and once at the end of a
 * successful transfer; a retried transfer starts again from 0.
 * \return 0 to continue, or a negative CPJ_ERR_* code (CPJ_ERR_CANCELLED
 *         by convention) that aborts the transfer with that code.
 */
typedef int (*cpj_s3_progress_cb)(void *ctx, uint64_t done, uint64_t total);

/**
 * Streaming XML error scanner (S3 error bodies), run by the context on
 * each error answer (cpj_s3_context.error). All fields are results
 * except the private state.
 *
 * Accepted: an optional prolog (`<?xml ...?>`, comments, declarations,
 * white space), then a root element named Error. The text of its direct
 * children Code, Message, Region and RequestId is kept (the first
 * complete occurrence of each), with the entities \&lt; \&gt; \&amp;
 * \&quot; \&apos; and \&\#N; / \&\#xN; decoded (a malformed or unknown
 * entity is kept as written; \&\#0;, surrogates and code points above
 * 0x10FFFF count as malformed). A child whose text holds a nested
 * element, a comment or CDATA is not kept. Control bytes in a message become spaces. A root
 * that is not Error, or a byte that cannot start a prolog item, stops the
 * scan with nothing kept. Depth is counted, not stored, so nesting costs
 * nothing; input after the root closes is ignored. A field that has not
 * closed when the input ends is not kept (a truncated body keeps only
 * what completed).
 *
 * RAM: 776 bytes with the defaults on x86-64 (the kept fields and a
 * capture buffer of CPJ_S3_MESSAGE_MAX + 4 bytes).
 */
typedef struct cpj_s3_xml {
	/* ---- results ---- */
	char code[CPJ_S3_CODE_MAX + 1];        /**< "" if none was kept */
	char message[CPJ_S3_MESSAGE_MAX + 1];  /**< "" if none was kept */
	char region[CPJ_S3_REGION_MAX + 1];    /**< "" unless a valid region */
	/** "" if none was kept (visible ASCII only) */
	char request_id[CPJ_HTTP_REQUEST_ID_MAX + 1];
	int message_cut;                       /**< the message was longer */
	int root;                              /**< 1: the root is `<Error>` */
	/* ---- private ---- */
	/** \var cpj_s3_xml::state
	 *  private: where the scan is (prolog, text, tag, entity, skipping,
	 *  done). */
	/** \var cpj_s3_xml::field
	 *  private: the field being captured, if any. */
	/** \var cpj_s3_xml::quote
	 *  private: quote of the attribute value being read; while skipping,
	 *  the last bytes seen. */
	/** \var cpj_s3_xml::skip_end
	 *  private: terminator of the construct being skipped; in a tag,
	 *  whether '/' came last. */
	int state, field, quote, skip_end;
	uint32_t depth;                        /**< private: open elements (1 inside the root) */
	/** \var cpj_s3_xml::name_len
	 *  private: bytes of the tag name (counted beyond `name`). */
	/** \var cpj_s3_xml::flen
	 *  private: bytes in `fbuf`. */
	/** \var cpj_s3_xml::ent_len
	 *  private: bytes in `ent`. */
	size_t name_len, flen, ent_len;
	/** \var cpj_s3_xml::fover
	 *  private: the field overflowed `fbuf`. */
	/** \var cpj_s3_xml::fbad
	 *  private: the field is not plain text (it will not be kept). */
	/** \var cpj_s3_xml::done
	 *  private: not used. */
	int fover, fbad, done;
	unsigned kept;                         /**< private: bits of the fields kept */
	char name[12];                         /**< private: the tag name (its first bytes) */
	char ent[12];                          /**< private: the entity being read */
	char fbuf[CPJ_S3_MESSAGE_MAX + 4];     /**< private: text of the field being captured */
} cpj_s3_xml;

/** Where a request goes (cpj_s3_locate). */
typedef struct cpj_s3_location {
	/** Origin to connect to: "https://host" or "http://host:port". */
	char url[CPJ_S3_URL_SIZE];
	/** Host header value (signed): "host" or "host:port" when the port
	 *  is not the scheme's default. */
	char host[CPJ_S3_HOST_SIZE];
	/** 1 virtual-hosted, 0 path style. */
	int virtual_hosted;
} cpj_s3_location;

/**
 * The S3 client context (caller-allocated). Fields marked read-only are
 * results; `skew`, `max_attempts`, `backoff_cap_ms`, `request_ms` and
 * `verify_md5` may be set by the caller between calls; the rest is
 * private.
 */
typedef struct cpj_s3_context {
	cpj_http_client *http;          /**< private: the HTTP client, borrowed */
	cpj_sigv4_context sig;          /**< private: the signer */
	char region[CPJ_S3_REGION_MAX + 1]; /**< signing region (read-only) */
	unsigned flags;                 /**< private: CPJ_S3_* endpoint flags */
	int have_override;              /**< private: `override` is set */
	cpj_http_url override;          /**< private: endpoint override, parsed */
	/** \var cpj_s3_context::proxy
	 *  private: proxy URL, borrowed (cpj_s3_set_proxy()). */
	/** \var cpj_s3_context::no_proxy
	 *  private: NO_PROXY list, borrowed (cpj_s3_set_proxy()). */
	const char *proxy, *no_proxy;
	unsigned char *work;            /**< private: caller's work buffer */
	size_t work_len;                /**< private: its size */

	/** Seconds added to the device clock when signing; copy it from the
	 *  CodePipeline client (cpj_cp_context.skew). Updated from the Date
	 *  header of responses: of a 2xx answer when it is more than 240 s
	 *  off, and of a RequestTimeTooSkewed answer before its re-sign. */
	int64_t skew;
	unsigned max_attempts;          /**< attempts per call, >= 1 (default 3) */
	uint32_t backoff_cap_ms;        /**< backoff cap (default 20 s) */
	/** Whole-exchange deadline of each S3 request in milliseconds, set on
	 *  the HTTP client for the call and restored after; 0 keeps the
	 *  client's own (CPJ_TIMEOUT_MS by default, which is short for large
	 *  artifacts on slow links). */
	uint32_t request_ms;
	int verify_md5;                 /**< 1 (default): compare MD5 and ETag */

	/* ---- details of the last call (read-only) ---- */
	int err;                        /**< its result (0 or CPJ_ERR_*) */
	int http_status;                /**< 0 when no response was read */
	cpj_s3_xml error;               /**< code, message, region of the error body */
	char request_id[CPJ_HTTP_REQUEST_ID_MAX + 1]; /**< x-amz-request-id */
	char host_id[CPJ_S3_HOST_ID_MAX + 1];         /**< x-amz-id-2 */
	char etag[CPJ_HTTP_ETAG_MAX + 1];  /**< ETag as sent (with quotes), "" if none */
	char sse[16];                   /**< x-amz-server-side-encryption of the answer */
	uint64_t size;                  /**< body bytes moved by the last successful call */
	int etag_checked;               /**< 1: the MD5 was compared with the ETag */
	/* statistics (read-only, cumulative) */
	uint32_t attempts;              /**< requests sent, retries included */
	uint32_t retries;               /**< attempts after a retryable failure */
	uint32_t resigns;               /**< re-signs after a clock-skew error */
	uint32_t redirects;             /**< re-signs for another region */

	/* ---- private: per-call state ---- */
	cpj_s3_location loc;            /**< private: where the request goes */
	cpj_http_response resp;         /**< private: the answer being read */
	const void *opt;                /**< private: the call's get or put options */
	int is_get;                     /**< private: the call is a GetObject */
	int sse_no_md5;                 /**< private: the answer's ETag is not an MD5 */
	int discard_over;               /**< private: an unwanted body was too long */
	int applied;                    /**< private: the client's URL and proxy are ours */
	/** \var cpj_s3_context::moved
	 *  private: body bytes moved in this attempt. */
	/** \var cpj_s3_context::total
	 *  private: the body's size when known, else 0 (for progress). */
	/** \var cpj_s3_context::next_progress
	 *  private: `moved` at which progress is called next. */
	/** \var cpj_s3_context::reported
	 *  private: `moved` at the last progress call. */
	/** \var cpj_s3_context::discarded
	 *  private: bytes of an unwanted body read and dropped. */
	uint64_t moved, total, next_progress, reported, discarded;
	unsigned src_calls;             /**< private: body source calls in this attempt */
	/** private: x-amz-bucket-region of the answer, "" if none */
	char bucket_region[CPJ_S3_REGION_MAX + 1];
	br_md5_context md5;             /**< private: MD5 of the bytes moved */
	/** private: Authorization value (wiped after each request) */
	char auth[256 + CPJ_SIGV4_AKID_MAX];
} cpj_s3_context;

/**
 * \brief Set up a context: AWS endpoints for `region`, automatic
 *        addressing, no credentials, 3 attempts, MD5 checks on.
 *
 * Stack: at most 160 bytes.
 *
 * \param s3        the context (zeroed here).
 * \param http      HTTP client (with a TLS context for https), borrowed for
 *                  the context's lifetime and dedicated to it (see the file
 *                  comment); its timeouts apply (see request_ms).
 * \param region    the bucket's region, 1..30 of [a-z0-9-], not starting
 *                  or ending with '-'; copied.
 * \param work      work buffer (see RAM above), borrowed for the context's
 *                  lifetime; at least 2,048 bytes.
 * \param work_len  its size.
 * \return 0 or CPJ_ERR_PARAM (NULL, bad region, work too small).
 */
int cpj_s3_init(cpj_s3_context *s3, cpj_http_client *http,
	const char *region, unsigned char *work, size_t work_len);

/**
 * \brief Change the region (copied; the signer derives a new signing key
 *        for it at the next request).
 *
 * Stack: at most 112 bytes.
 *
 * \param s3      the context.
 * \param region  as for cpj_s3_init().
 * \return 0 or CPJ_ERR_PARAM (then the region is unchanged).
 */
int cpj_s3_set_region(cpj_s3_context *s3, const char *region);

/**
 * \brief Choose the endpoint and addressing.
 *
 * Stack: at most 480 bytes.
 *
 * \param s3     the context.
 * \param url    endpoint override "http[s]://host[:port][/]" (parsed and
 *               copied), or NULL for AWS's endpoints.
 * \param flags  CPJ_S3_PATH_STYLE or CPJ_S3_VIRTUAL_HOSTED (not both),
 *               CPJ_S3_FIPS, CPJ_S3_DUALSTACK (AWS endpoints only; ignored
 *               with an override), or 0.
 * \return 0, CPJ_ERR_PARAM (unknown or conflicting flags), or an error of
 *         cpj_http_url_parse() (CPJ_ERR_NET_URL, CPJ_ERR_UNSUPPORTED),
 *         CPJ_ERR_UNSUPPORTED also for an https override when the HTTP
 *         client has no TLS context; on error the endpoint and flags are
 *         unchanged.
 */
int cpj_s3_set_endpoint(cpj_s3_context *s3, const char *url, unsigned flags);

/**
 * \brief Route S3 connections through an HTTPS proxy (CONNECT), as
 *        cpj_http_client_set_proxy(); re-applied whenever the context
 *        changes the client's URL.
 *
 * Stack: at most 16 bytes.
 *
 * \param s3                    the context.
 * \param https_proxy, no_proxy  borrowed: they MUST stay valid while the
 *                               context is used; NULL for none.
 * \return 0, or CPJ_ERR_PARAM (s3 NULL). The values are checked at the
 *         next request: errors of cpj_http_client_set_proxy() come from
 *         the calls then.
 */
int cpj_s3_set_proxy(cpj_s3_context *s3, const char *https_proxy,
	const char *no_proxy);

/**
 * \brief Sign the following calls with these credentials (the job's
 *        artifactCredentials); the cached signing key is wiped.
 *
 * `creds` is borrowed: it MUST stay valid and unchanged until the next
 * cpj_s3_set_credentials() or cpj_s3_clear(); the caller wipes it
 * (cpj_creds_clear()). The same type as cpj_cp_set_credentials().
 *
 * Stack: at most 112 bytes.
 *
 * \param s3      the context.
 * \param creds   access key id, secret and session token ("" for none),
 *                e.g. from cpj_creds_set() (see cpj_sigv4_set_credentials()).
 * \return 0, CPJ_ERR_PARAM (NULL argument), or CPJ_ERR_SIGV4_CREDS
 *         (malformed; the context then holds none).
 */
int cpj_s3_set_credentials(cpj_s3_context *s3, const cpj_creds *creds);

/**
 * \brief Wipe the signing key, the last Authorization value and the
 *        credential pointers. Endpoint, region and skew are kept. Safe to
 *        call more than once.
 *
 * Stack: at most 64 bytes.
 */
void cpj_s3_clear(cpj_s3_context *s3);

/** GetObject options; zero-fill, then set `sink` (required). */
typedef struct cpj_s3_get_options {
	/** Receives the object's bytes as they arrive (see
	 *  cpj_http_body_sink); a negative return stops the call with that
	 *  code and is never retried. */
	cpj_http_body_sink sink;
	void *sink_ctx;                 /**< passed to `sink` and `restart` */
	/** Optional: discard everything the sink received (e.g. truncate the
	 *  file), so that a transfer cut after its first bytes can be retried.
	 *  Called with sink_ctx; returns 0 or a negative code (then returned). */
	int (*restart)(void *ctx);
	/** 0: no limit; else a larger object is CPJ_ERR_HTTP_BODY_TOO_LARGE
	 *  before any byte reaches the sink (when its length is announced). */
	uint64_t max_size;
	cpj_s3_progress_cb progress;    /**< optional */
	void *progress_ctx;             /**< passed to `progress` */
	uint64_t progress_step;         /**< 0: CPJ_S3_PROGRESS_STEP */
} cpj_s3_get_options;

/**
 * \brief GetObject: stream bucket/key to o->sink.
 *
 * Sends a GET of the bucket/key target (see Endpoints above), with
 * X-Amz-Content-SHA256 of the empty body. Only a 200 answer's body
 * reaches the sink (another 2xx status is CPJ_ERR_S3_ERROR); s3->size is
 * the byte count, s3->etag the ETag, s3->etag_checked whether its MD5 was
 * verified. s3->err is set to the result.
 *
 * Stack: at most 6,192 bytes.
 *
 * \param s3           a context with credentials.
 * \param bucket, key  NUL-terminated, borrowed for the call (see
 *                     Endpoints above for what is accepted).
 * \param o            the options, borrowed for the call; `sink` is
 *                     required.
 * \return 0, or CPJ_ERR_PARAM (arguments), CPJ_ERR_NOSPACE (work buffer
 *         too small for the target and head), CPJ_ERR_SIGV4_* (no or
 *         bad credentials), the network, TLS, timeout and HTTP errors
 *         (CPJ_ERR_HTTP_TRUNCATED for a cut transfer,
 *         CPJ_ERR_HTTP_BODY_TOO_LARGE over max_size), CPJ_ERR_S3_*,
 *         CPJ_ERR_API_* (details in s3->http_status, s3->error,
 *         s3->request_id), CPJ_ERR_S3_INTEGRITY, or the code returned by
 *         the sink, restart or progress callback.
 * Blocks for the transfer, each attempt bounded by the HTTP client's
 * deadline (or request_ms) plus the backoff between attempts.
 */
int cpj_s3_get_object(cpj_s3_context *s3, const char *bucket,
	const char *key, const cpj_s3_get_options *o);

/** PutObject options; zero-fill, then set the body. */
typedef struct cpj_s3_put_options {
	/** Memory body (the signer hashes it), or NULL with `read` set (an
	 *  empty body is a non-NULL pointer with body_len 0). */
	const void *body;
	size_t body_len;                /**< its length, 0..CPJ_S3_PUT_MAX */
	/** Streamed body: exactly `length` bytes from `read` (see
	 *  cpj_http_body_source; ending early is CPJ_ERR_HTTP_REQUEST). */
	cpj_http_body_source read;
	void *read_ctx;                 /**< passed to `read` and `rewind` */
	uint64_t length;                /**< 0..CPJ_S3_PUT_MAX */
	/** Optional: restart `read` at the first byte (e.g. lseek to 0), so
	 *  that a request whose body was read can be retried or re-signed.
	 *  Called with read_ctx; returns 0 or a negative code (then returned). */
	int (*rewind)(void *ctx);
	/** Streamed body: CPJ_S3_PAYLOAD_UNSIGNED or CPJ_S3_PAYLOAD_SHA256. */
	int payload;
	/** CPJ_S3_PAYLOAD_SHA256: 64 lower-case hex digits, NUL-terminated. */
	const char *sha256_hex;
	/** NULL, "AES256" or "aws:kms" (x-amz-server-side-encryption). */
	const char *sse;
	/** With "aws:kms": the key id, ARN or alias ARN (1..400 printable
	 *  ASCII bytes, no space), sent as
	 *  x-amz-server-side-encryption-aws-kms-key-id; NULL: the account's AWS managed key. */
	const char *kms_key_id;
	/** Content-Type, e.g. "application/zip" (1..256 printable ASCII
	 *  bytes); NULL: none. */
	const char *content_type;
	cpj_s3_progress_cb progress;    /**< optional */
	void *progress_ctx;             /**< passed to `progress` */
	uint64_t progress_step;         /**< 0: CPJ_S3_PROGRESS_STEP */
} cpj_s3_put_options;

/**
 * \brief PutObject: upload a body to bucket/key.
 *
 * Headers sent and signed: Host, X-Amz-Date, X-Amz-Content-SHA256 (the
 * body's hash or UNSIGNED-PAYLOAD), X-Amz-Security-Token, Content-Type
 * and the SSE headers when given. On success s3->etag holds the ETag
 * (with its quotes), s3->size the bytes sent, s3->sse the encryption
 * the service applied. s3->err is set to the result.
 *
 * Stack: at most 6,224 bytes.
 *
 * \param s3           a context with credentials.
 * \param bucket, key  NUL-terminated, borrowed for the call (see
 *                     Endpoints above for what is accepted).
 * \param o            the options, borrowed for the call.
 * \return 0, or the errors of cpj_s3_get_object() (the callbacks being
 *         read, rewind and progress); CPJ_ERR_PARAM also for both or
 *         neither body, an unknown payload mode or SSE value, a KMS key id
 *         without "aws:kms" or not 1..400 printable bytes, a malformed
 *         Content-Type or hash, or a body over CPJ_S3_PUT_MAX.
 */
int cpj_s3_put_object(cpj_s3_context *s3, const char *bucket,
	const char *key, const cpj_s3_put_options *o);

/**
 * \brief Hash `length` bytes of a source (the first pass of
 *        CPJ_S3_PAYLOAD_SHA256); the caller rewinds it afterwards.
 *
 * Stack: at most 3,664 bytes.
 *
 * \param read          the source, called with `ctx`.
 * \param ctx           passed to `read`.
 * \param length        bytes to read and hash.
 * \param buf, buf_len  scratch for the reads (any size >= 1; borrowed).
 * \param hex           receives 64 lower-case hex digits and a NUL.
 * \return 0, CPJ_ERR_PARAM, CPJ_ERR_IO (the source ended before `length`
 *         bytes or gave more than asked), or the source's own error.
 * Its own frame is about 200 bytes (a SHA-256 context); the Stack
 * figure counts the library's sources, yours add theirs.
 */
int cpj_s3_sha256_source(cpj_http_body_source read, void *ctx,
	uint64_t length, unsigned char *buf, size_t buf_len,
	char hex[CPJ_SIGV4_HEX_SIZE]);

#endif /* CPJ_CONFIG_S3 */

#endif
