/*
 * cpj_sigv4.h -- AWS Signature Version 4 (header and presigned-URL signing).
 *
 * A caller-allocated cpj_sigv4_context holds the signing parameters, the
 * cached signing key and all the working memory of a signing call, so the
 * calls below use no heap and little stack. The flow:
 *
 *     cpj_sigv4_context sc;
 *     cpj_sigv4_init(&sc, "us-east-1", "codepipeline", 0);
 *     cpj_sigv4_set_credentials(&sc, akid, secret, token);
 *     ... fill a cpj_sigv4_request (method, path, query, headers, body) ...
 *     n = cpj_sigv4_sign(&sc, &req, &res, auth, sizeof auth);
 *     ... send the request with the headers "X-Amz-Date: res.amz_date",
 *         "X-Amz-Security-Token: res.security_token" (when not NULL),
 *         "X-Amz-Content-SHA256: res.payload_hash" (when res.content_sha256)
 *         and "Authorization: auth" ...
 *     cpj_sigv4_clear(&sc);       (wipes the cached key)
 *
 * Canonical request rules (they match the aws-c-auth v4 test suite and
 * botocore's SigV4Auth / S3SigV4Auth):
 *  - URI path, non-S3 services: the wire path is normalised (empty and "."
 *    segments dropped, ".." pops a segment, a trailing "/" kept when
 *    segments remain), then every byte outside A-Z a-z 0-9 "-._~" and "/"
 *    is percent-encoded with upper-case hex: a wire "%20" is signed as
 *    "%2520" (double encoding). CPJ_SIGV4_NO_NORMALIZE skips the first step.
 *  - URI path, S3 (CPJ_SIGV4_S3): the wire path verbatim (already encoded
 *    once), never normalised.
 *  - Query: the wire query is split on '&' (empty pieces skipped), each
 *    key and value is percent-decoded (no '+' to space) and re-encoded
 *    with the unreserved set, and the pairs are sorted by encoded key,
 *    then encoded value, in byte order. Duplicates and empty values are
 *    kept; a piece without '=' has the empty value ("k=").
 *  - Headers: names lower-cased; values trimmed of leading and trailing
 *    SP and HT, with inner runs of SP and HT collapsed to one space (also
 *    inside quotes). Other white space (VT, FF, NBSP, ...) is kept as it
 *    is, unlike botocore, whose str.split() also trims those. Repeated
 *    names are joined with ',' in the order given, and the headers are
 *    sorted by name. Every header given is signed; "host" is required.
 *
 * Secrets: the context borrows the credentials (it never copies the
 * secret). The signing key derived from it is cached in the context until
 * the date, region, service or access key id changes, or until
 * cpj_sigv4_set_credentials() / cpj_sigv4_clear(), which wipe it. Every
 * other copy of secret material (HMAC states, "AWS4"+secret) is wiped
 * before a call returns. Nothing here logs.
 *
 * RAM: sizeof(cpj_sigv4_context) is 1,528 bytes on x86-64 with the
 * default limits (1,016 of them working memory of a call, 608 of which
 * grow with CPJ_SIGV4_QUERY_MAX). The caller's buffers are the
 * Authorization value (about 200 bytes plus the signed header names) or
 * the presigned query (about 250 bytes plus the signed header names plus
 * up to three times the session token).
 *
 * Stack: cpj_sigv4_sign() and cpj_sigv4_presign() use about 1 KB (each
 * call gives its bound), key
 * derivation included (all working memory is in the context; HMAC runs on
 * BearSSL's SHA-256 with cached pad states, so no HMAC context sits on the
 * stack). Measured on x86-64 (gcc 12, -O2): 552 bytes in libcpjob's own
 * frames on the deepest chain (-fstack-usage -fcallgraph-info), and
 * 968 bytes in all, BearSSL's SHA-256 included, by painting the stack of
 * a thread that signs with and without a cached key (make bench prints
 * the figure). Each call gives its bound. Calls are reentrant
 * for distinct contexts; a context is used by one thread at a time.
 */
/** \file
 * \brief AWS Signature Version 4 (header and presigned-URL signing).
 */
#ifndef CPJ_SIGV4_H
#define CPJ_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "cpj_config.h"
#include "cpj_buf.h"


/** Size of an X-Amz-Date value with its NUL ("YYYYMMDDTHHMMSSZ"). */
#define CPJ_SIGV4_AMZ_DATE_SIZE 17

/** Size of a hex SHA-256 or signature with its NUL. */
#define CPJ_SIGV4_HEX_SIZE 65

/* Context flags (cpj_sigv4_init). */
/** S3 rules: path verbatim (no normalisation, no second encoding), and
 *  X-Amz-Content-SHA256 always added and signed in header mode. */
#define CPJ_SIGV4_S3                 0x01u
/** Non-S3: encode the path a second time but do not normalise it. */
#define CPJ_SIGV4_NO_NORMALIZE       0x02u
/** Non-S3, header mode: also add and sign X-Amz-Content-SHA256. */
#define CPJ_SIGV4_SIGN_CONTENT_SHA256 0x04u
/** Leave the session token out of the signature. In header mode the caller
 *  still sends X-Amz-Security-Token (res.security_token); cpj_sigv4_presign
 *  appends the token parameter after X-Amz-Signature. */
#define CPJ_SIGV4_OMIT_TOKEN         0x08u

/* Payload kinds (cpj_sigv4_request.payload). */
/** Hash body[0..body_len) (the empty-string hash when body_len is 0). */
#define CPJ_SIGV4_PAYLOAD_BODY      0
/** Use payload_hash, 64 lower-case hex digits the caller computed. */
#define CPJ_SIGV4_PAYLOAD_HASH      1
/** Sign the literal "UNSIGNED-PAYLOAD". */
#define CPJ_SIGV4_PAYLOAD_UNSIGNED  2

/** One request header: NUL-terminated name and value, both borrowed. */
typedef struct {
	const char *name;   /**< an HTTP token, 1..CPJ_SIGV4_HNAME_MAX bytes */
	const char *value;  /**< no CR or LF; trimmed as it is signed */
} cpj_sigv4_header;

/** One query parameter inside a signing call (internal). */
typedef struct {
	const char *s;      /**< start of "key[=value]" in a wire query */
	uint32_t klen;      /**< key length */
	uint32_t len;       /**< length of the whole piece */
} cpj_sigv4_qparam;

/**
 * \brief Signing context: parameters, cached signing key, working memory.
 *
 * Allocated by the caller, set up by cpj_sigv4_init(). Only `derivations`
 * may be read by callers; every other field is private. It may be copied
 * with memcpy between calls (it holds no pointers into itself except
 * during a call).
 */
typedef struct {
	/* Parameters (borrowed strings; see cpj_sigv4_init / _set_credentials). */
	const char *region;         /**< private: signing region */
	const char *service;        /**< private: signing name */
	unsigned flags;             /**< private: CPJ_SIGV4_* context flags */
	const char *akid;           /**< private: access key id, NULL when unset */
	const char *secret;         /**< private: secret access key, NULL when unset */
	const char *token;          /**< private: session token, NULL when there is none */
	int copy_on;                /**< private: a copy was asked for */
	size_t stage_len;           /**< private: bytes in `stage` */

	/** Number of signing-key derivations so far (a cache miss adds one). */
	unsigned long derivations;

	/* Cached signing key: the SHA-256 states after the HMAC inner and
	 * outer key blocks of kSigning, and what it was derived for; then the
	 * cached first block of a canonical request. Kept together, up to
	 * `sha`: they are wiped as one range. */
	/** \var cpj_sigv4_context::key_ist
	 *  private: SHA-256 state after the HMAC inner key block of kSigning. */
	/** \var cpj_sigv4_context::key_ost
	 *  private: SHA-256 state after the HMAC outer key block of kSigning. */
	unsigned char key_ist[32], key_ost[32];
	int key_valid;              /**< private: 1 when the cached key is set */
	char key_date[8];           /**< private: the YYYYMMDD it was derived for */
	/** \var cpj_sigv4_context::key_region_len
	 *  private: bytes in key_region. */
	/** \var cpj_sigv4_context::key_service_len
	 *  private: bytes in key_service. */
	/** \var cpj_sigv4_context::key_akid_len
	 *  private: bytes in key_akid. */
	size_t key_region_len, key_service_len, key_akid_len;
	/** private: the region it was derived for (no NUL) */
	char key_region[CPJ_SIGV4_NAME_MAX];
	/** private: the service it was derived for (no NUL) */
	char key_service[CPJ_SIGV4_NAME_MAX];
	/** private: the access key id it was derived for (no NUL) */
	char key_akid[CPJ_SIGV4_AKID_MAX];
	/** private: the first 64 bytes of the last canonical request that had
	 *  as many (pre[0] == 0: none), and the SHA-256 state after them;
	 *  most requests to one endpoint begin alike */
	unsigned char pre[64], pre_state[32];

	/* Working memory of one call, up to the end; secrets in it are wiped
	 * before the call returns. */
	br_sha256_context sha;      /**< private: SHA-256 of the call */
	cpj_buf copy;               /**< private: the caller's canonical-request copy */
	/** private: canonical request bytes on their way to SHA-256; digests */
	unsigned char stage[128];
	/** private: header indexes in name order (the caller's headers, then
	 *  the added ones) */
	uint8_t hidx[CPJ_SIGV4_HEADERS_MAX + 3];
	/** private: 1 where a header in name order has the name of the one
	 *  before it */
	uint8_t hsame[CPJ_SIGV4_HEADERS_MAX + 3];
	/** private: the headers the call adds (x-amz-date,
	 *  x-amz-security-token, x-amz-content-sha256) */
	cpj_sigv4_header added[3];
	/** private: path segments, query parameters, key derivation or the
	 *  string to sign, one at a time */
	union {
		struct {
			uint32_t off, len;
		} seg[CPJ_SIGV4_SEGMENTS_MAX];
		cpj_sigv4_qparam q[CPJ_SIGV4_QUERY_MAX + 6];
		struct {
			unsigned char k[4 + CPJ_SIGV4_SECRET_MAX];
			unsigned char block[64], t[32], ist[32], ost[32];
		} d;
		char sts[128 + 2 * CPJ_SIGV4_NAME_MAX];
	} u;
} cpj_sigv4_context;

/**
 * \brief What to sign. Every pointer is borrowed for the call only.
 *
 * A zero-filled struct plus method, path and headers describes a request
 * with an empty body signed at `now` = 0; set the fields that apply.
 */
typedef struct {
	/** Method as sent ("GET", "POST", ...): an HTTP token of 1..32 bytes. */
	const char *method;
	/** Path as sent on the wire: starts with '/' ("" means "/"); no '?',
	 *  '#' or control characters. */
	const char *path;
	/** Query as sent, without '?'; NULL or "" for none. Every '%' must
	 *  start a %XX escape; no '#' or control characters. */
	const char *query;
	/** Headers to sign, Host included; `header_count` at most
	 *  CPJ_SIGV4_HEADERS_MAX. Names are HTTP tokens of at most
	 *  CPJ_SIGV4_HNAME_MAX bytes; values hold no CR or LF. Authorization
	 *  and any header this call adds (X-Amz-Date, X-Amz-Security-Token,
	 *  X-Amz-Content-SHA256 in header mode) must not be among them. */
	const cpj_sigv4_header *headers;
	size_t header_count;        /**< entries of `headers` */
	/** CPJ_SIGV4_PAYLOAD_BODY, _HASH or _UNSIGNED. */
	int payload;
	/** The body for CPJ_SIGV4_PAYLOAD_BODY (NULL allowed when body_len is 0). */
	const void *body;
	size_t body_len;            /**< its length in bytes */
	/** For CPJ_SIGV4_PAYLOAD_HASH: 64 lower-case hex digits, NUL-terminated. */
	const char *payload_hash;
	/** "YYYYMMDDTHHMMSSZ" (UTC, years 1970..9999), or NULL to use `now`. */
	const char *amz_date;
	/** Signing time in Unix seconds (e.g. cpj_port_time_unix() corrected
	 *  for clock skew), used when amz_date is NULL. */
	int64_t now;
	/** cpj_sigv4_presign only: X-Amz-Expires, 1..604800 seconds. */
	uint32_t expires;
} cpj_sigv4_request;

/**
 * \brief Result of a signing call (besides the Authorization value or the
 *        presigned query).
 *
 * The caller may ask for copies of the intermediate strings (debugging,
 * test vectors) by setting `canonical_request` / `string_to_sign` and
 * their sizes before the call; NULL means no copy (the canonical request
 * is hashed as it is generated and never stored otherwise).
 */
typedef struct {
	/** Out: the X-Amz-Date value (header mode: send it as that header). */
	char amz_date[CPJ_SIGV4_AMZ_DATE_SIZE];
	/** Out: the payload hash signed (hex, or "UNSIGNED-PAYLOAD"). */
	char payload_hash[CPJ_SIGV4_HEX_SIZE];
	/** Out: the signature, 64 lower-case hex digits. */
	char signature[CPJ_SIGV4_HEX_SIZE];
	/** Out, header mode: 1 when "X-Amz-Content-SHA256: payload_hash" is
	 *  part of the signature and must be sent, else 0. */
	int content_sha256;
	/** Out, header mode: the session token to send as
	 *  X-Amz-Security-Token (the context's borrowed pointer), or NULL. */
	const char *security_token;
	/** In (optional): buffer for a NUL-terminated copy of the canonical
	 *  request. */
	char *canonical_request;
	size_t canonical_request_size;  /**< In: its size in bytes */
	/** In (optional): buffer for a NUL-terminated copy of the string to sign. */
	char *string_to_sign;
	size_t string_to_sign_size;     /**< In: its size in bytes */
} cpj_sigv4_result;

/**
 * \brief Set up a signing context.
 *
 * Clears the whole context (no credentials, no cached key).
 *
 * Stack: at most 48 bytes.
 *
 * \param ctx      caller-allocated context.
 * \param region   e.g. "us-east-1"; borrowed: MUST stay valid and unchanged
 *                 while the context is used (changing it is allowed between
 *                 calls: the key cache notices).
 * \param service  signing name, e.g. "codepipeline", "s3"; borrowed likewise.
 *                 Region and service: 1..CPJ_SIGV4_NAME_MAX bytes of
 *                 A-Z a-z 0-9 '-' '_' '.'.
 * \param flags    CPJ_SIGV4_S3, CPJ_SIGV4_NO_NORMALIZE,
 *                 CPJ_SIGV4_SIGN_CONTENT_SHA256, CPJ_SIGV4_OMIT_TOKEN (or 0).
 * \return 0, or CPJ_ERR_PARAM (NULL argument, bad region or service name,
 *         unknown flag).
 */
int cpj_sigv4_init(cpj_sigv4_context *ctx, const char *region,
	const char *service, unsigned flags);

/**
 * \brief Set the credentials to sign with; wipes the cached signing key.
 *
 * The strings are borrowed (never copied): they MUST stay valid until the
 * next cpj_sigv4_set_credentials() or cpj_sigv4_clear(). Changing the
 * secret in place without calling this again is not detected when the
 * access key id stays the same.
 *
 * Stack: at most 112 bytes.
 *
 * \param ctx     a context set up with cpj_sigv4_init().
 * \param akid    access key id, 1..CPJ_SIGV4_AKID_MAX printable ASCII
 *                characters other than space, '/', ',', ';' and '='.
 * \param secret  secret access key, 1..CPJ_SIGV4_SECRET_MAX bytes.
 * \param token   session token or NULL / "" for none; at most
 *                CPJ_SIGV4_TOKEN_MAX printable ASCII characters, no space.
 * \return 0, CPJ_ERR_PARAM (ctx NULL), or CPJ_ERR_SIGV4_CREDS (then the
 *         context holds no credentials).
 */
int cpj_sigv4_set_credentials(cpj_sigv4_context *ctx, const char *akid,
	const char *secret, const char *token);

/**
 * \brief Wipe the cached signing key and all working memory, and drop the
 *        credential pointers (region, service and flags are kept).
 *
 * The caller wipes its own copy of the secret. Safe on a NULL context.
 *
 * Stack: at most 32 bytes.
 */
void cpj_sigv4_clear(cpj_sigv4_context *ctx);

/**
 * \brief Sign a request for the Authorization header.
 *
 * Computes the canonical request (streamed through SHA-256, never stored
 * unless res->canonical_request asks for a copy), the string to sign and
 * the signature, with the headers this call adds: x-amz-date always,
 * x-amz-security-token when the context has a token (unless
 * CPJ_SIGV4_OMIT_TOKEN), x-amz-content-sha256 with CPJ_SIGV4_S3 or
 * CPJ_SIGV4_SIGN_CONTENT_SHA256. The signing key is derived only when the
 * cache does not match (date, region, service, access key id), so that
 * steady-state signing costs one SHA-256 of the body, one of the
 * canonical request and one HMAC of the string to sign.
 *
 * Blocks only for the computation (no I/O).
 *
 * Stack: at most 1,056 bytes.
 *
 * \param ctx        context with credentials.
 * \param req        the request (borrowed for the call).
 * \param res        receives amz_date, payload_hash, signature,
 *                   content_sha256, security_token and the optional copies.
 * \param auth       receives the NUL-terminated Authorization value
 *                   "AWS4-HMAC-SHA256 Credential=<akid>/<scope>,
 *                   SignedHeaders=<names>, Signature=<hex>".
 * \param auth_size  size of `auth` in bytes.
 * \return the length of the Authorization value (> 0), or
 *         CPJ_ERR_PARAM (a NULL argument; a NULL method, path, header
 *         name or value, `headers` with a non-zero count, `body` with a
 *         non-zero body_len, or payload_hash for CPJ_SIGV4_PAYLOAD_HASH;
 *         an unknown payload kind),
 *         CPJ_ERR_SIGV4_CREDS (no or bad credentials),
 *         CPJ_ERR_SIGV4_TIME (bad amz_date, or `now` outside 1970..9999),
 *         CPJ_ERR_SIGV4_INPUT (method, path, query, header or payload hash
 *         not acceptable; over CPJ_SIGV4_HEADERS_MAX headers,
 *         CPJ_SIGV4_QUERY_MAX parameters or CPJ_SIGV4_SEGMENTS_MAX path
 *         segments; no Host header),
 *         CPJ_ERR_NOSPACE (auth or a requested copy buffer too small:
 *         nothing is truncated silently).
 *         On error, `auth` and the copies are empty strings and
 *         res->signature is "".
 */
int cpj_sigv4_sign(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res, char *auth, size_t auth_size);

#if CPJ_CONFIG_SIGV4_PRESIGN
/**
 * \brief Sign a request as a presigned URL (query-string signing).
 *
 * The auth parameters X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-Expires, X-Amz-SignedHeaders and (unless CPJ_SIGV4_OMIT_TOKEN)
 * X-Amz-Security-Token are signed with the request's own query; no header
 * is added. The payload hash is computed as req->payload says (a real
 * hash by default; S3 presigned URLs usually use
 * CPJ_SIGV4_PAYLOAD_UNSIGNED). The request's query must not already hold
 * one of those parameters or X-Amz-Signature.
 *
 * Stack: at most 1,040 bytes.
 *
 * \param ctx         context with credentials.
 * \param req         the request (borrowed for the call); `expires` is
 *                    required.
 * \param res         receives amz_date, payload_hash, signature and the
 *                    optional copies.
 * \param query       receives the NUL-terminated, encoded parameters to
 *                    append to the request's query (after '&', or after
 *                    '?' when it has none): the auth parameters, then
 *                    "X-Amz-Signature=<hex>", then the token parameter
 *                    when CPJ_SIGV4_OMIT_TOKEN is set.
 * \param query_size  size of `query` in bytes.
 * \return the length written to `query` (> 0), or the errors of
 *         cpj_sigv4_sign(); CPJ_ERR_SIGV4_INPUT also for `expires` outside
 *         1..604800 or an auth parameter already in the query.
 *         res->content_sha256 is 0 and res->security_token NULL.
 * Only in builds with CPJ_CONFIG_SIGV4_PRESIGN (the default).
 */
int cpj_sigv4_presign(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res, char *query, size_t query_size);
#endif

#endif
