/*
 * cpj_http.h -- HTTP/1.1 client: request writer, incremental response
 * parser, and a keep-alive client over plain sockets, TLS and HTTPS
 * proxies.
 *
 * Two calls send a request, over a request writer (the head, and the
 * body when it fits, into a caller buffer) and a response parser (a pure
 * state machine over response bytes that accepts input split anywhere,
 * one byte at a time included, and hands the body to a caller sink in
 * pieces; the whole body is never held in memory):
 *  - cpj_http_roundtrip(): one request and its response over any open
 *    cpj_transport (a socket, TLS, a test script);
 *  - cpj_http_client: a caller-allocated keep-alive client for one endpoint
 *    (URL), with connect/idle/whole-request timeouts and HTTPS proxies.
 *
 * Response rules (RFC 9110/9112, strict where the RFC allows a choice):
 *  - Status line "HTTP/1.0" or "HTTP/1.1", one space, a three-digit code
 *    100..599, then an optional space and reason phrase. Anything else is
 *    CPJ_ERR_HTTP_STATUS_LINE. 101 (protocol switch) is never asked for
 *    and is CPJ_ERR_HTTP_STATUS_LINE; other 1xx responses are skipped.
 *  - Every line ends in CRLF; a bare CR or bare LF is an error (status
 *    line, header, chunk: the code of that part).
 *  - Header names are tokens compared case-insensitively; no space before
 *    the colon; values are trimmed of spaces and tabs and must not hold
 *    control bytes other than HTAB (DEL included). obs-fold (a line that
 *    starts with a space or tab) is rejected with CPJ_ERR_HTTP_HEADER.
 *  - Limits: a header line longer than CPJ_HTTP_LINE_MAX bytes, or more
 *    head bytes (status lines and headers of the final and every interim
 *    1xx response together) than max_head_bytes, is
 *    CPJ_ERR_HTTP_HEADER_TOO_LARGE; more header lines in one response than
 *    max_headers is CPJ_ERR_HTTP_TOO_MANY_HEADERS (detected at the first
 *    line over the limit, so a flood costs nothing more).
 *  - Framing: responses to HEAD, 204, 304 and 2xx responses to CONNECT
 *    have no body. Otherwise "Transfer-Encoding: chunked" (the only coding
 *    accepted; anything else, or chunked twice, is CPJ_ERR_HTTP_ENCODING),
 *    else Content-Length (digits only; duplicates must agree; both with
 *    Transfer-Encoding is a conflict: CPJ_ERR_HTTP_CONTENT_LENGTH), else
 *    the body runs to end of stream and the connection is not reusable.
 *  - Chunked: hex size (overflow, no digit, a bad byte: CPJ_ERR_HTTP_CHUNK),
 *    optional spaces/tabs and ";extensions" (ignored; the whole size line
 *    is bounded by CPJ_HTTP_LINE_MAX), CRLF after each chunk's data
 *    (checked), trailer fields after the last chunk (syntax-checked and
 *    counted against the limits, then discarded).
 *  - End of stream before the message is complete is
 *    CPJ_ERR_HTTP_TRUNCATED. Bytes after the end of the message (a body
 *    longer than announced, or a server talking out of turn) are never
 *    handed to the next request: those read with the response make
 *    cpj_http_roundtrip() mark it not reusable; those that arrive later
 *    fail the client's idle check before the next request (or, over TLS,
 *    make the engine refuse the send: CPJ_ERR_STATE, retried on a fresh
 *    connection). Either way the connection is closed.
 *
 * Thread safety: none; one context per thread.
 */
/** \file
 * \brief HTTP/1.1 client: request writer, incremental response parser
 *        and keep-alive client over plain sockets, TLS and HTTPS proxies.
 */
#ifndef CPJ_HTTP_H
#define CPJ_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"
#include "cpj_transport.h"
#include "cpj_net.h"

#if CPJ_HTTP_HEAD_MAX < CPJ_HTTP_LINE_MAX
#error "CPJ_HTTP_HEAD_MAX must be at least CPJ_HTTP_LINE_MAX"
#endif

/* Sizes of the captured header fields (bytes, without the NUL). */
#define CPJ_HTTP_REQUEST_ID_MAX   64   /**< x-amzn-RequestId / x-amz-request-id */
#define CPJ_HTTP_ERROR_TYPE_MAX  128   /**< x-amzn-ErrorType */
#define CPJ_HTTP_DATE_MAX         40   /**< Date */
#define CPJ_HTTP_ETAG_MAX        128   /**< ETag */
#define CPJ_HTTP_LOCATION_MAX    512   /**< Location */

/* Bits of cpj_http_response.present and .dropped. */
#define CPJ_HTTP_F_REQUEST_ID     0x01u /**< x-amzn-RequestId or x-amz-request-id (`request_id`) */
#define CPJ_HTTP_F_ERROR_TYPE     0x02u /**< x-amzn-ErrorType (`error_type`) */
#define CPJ_HTTP_F_DATE           0x04u /**< Date (`date`) */
#define CPJ_HTTP_F_ETAG           0x08u /**< ETag (`etag`) */
#define CPJ_HTTP_F_LOCATION       0x10u /**< Location (`location`) */
/** Retry-After (`retry_after`); dropped unless delta-seconds that fit in
 *  32 bits. */
#define CPJ_HTTP_F_RETRY_AFTER    0x20u
#define CPJ_HTTP_F_CONTENT_LENGTH 0x40u /**< Content-Length (`content_length`); never dropped */
#define CPJ_HTTP_F_CHUNKED        0x80u /**< Transfer-Encoding: chunked; never dropped */

/** One request header: both strings NUL-terminated, borrowed by the call. */
typedef struct cpj_http_header {
	const char *name;   /**< field name, an HTTP token (RFC 9110 tchar) */
	const char *value;  /**< field value: no control byte other than HTAB
	                         (so no CR, LF or DEL) */
} cpj_http_header;

/**
 * \brief Streaming body source.
 *
 * Called to fill `buf` with up to `len` (> 0) bytes of the request body;
 * `len` never exceeds the bytes still due (content_length in all).
 * \return the number of bytes written (1..len), 0 when the source has
 *         ended, or a negative CPJ_ERR_* code that aborts the request.
 */
typedef int (*cpj_http_body_source)(void *ctx, unsigned char *buf,
	size_t len);

/**
 * \brief Response body sink.
 *
 * Called with successive pieces of the (de-chunked) body; `data` is
 * borrowed for the call only. Called only with len > 0.
 * \return 0 to continue, or a negative CPJ_ERR_* code (CPJ_ERR_CANCELLED
 *         by convention) that stops the parse with that code.
 */
typedef int (*cpj_http_body_sink)(void *ctx, const unsigned char *data,
	size_t len);

/**
 * \brief Header observer.
 *
 * Called for every header field of the final response (not for interim
 * 1xx responses or trailers), the captured ones included. `name` and
 * `value` are NUL-terminated, value trimmed, both borrowed for the call
 * only; the lengths exclude the NUL.
 * \return 0 to continue, or a negative CPJ_ERR_* code that stops the parse.
 */
typedef int (*cpj_http_header_cb)(void *ctx, const char *name,
	size_t name_len, const char *value, size_t value_len);

/**
 * A request. All pointers are borrowed for the duration of the call that
 * receives the request.
 *
 * The body is either `body`/`body_len` (memory) or `body_read` with
 * exactly `content_length` bytes (streamed); setting both is
 * CPJ_ERR_PARAM. With neither, the request has no body.
 *
 * The writer emits, in order: the request line; Host (from `host`) unless
 * a caller header named Host is present; User-Agent: CPJ_USER_AGENT unless
 * the caller gives one; the caller headers in their order; Content-Length
 * when there is a body or the method is POST, PUT or PATCH (a caller
 * Content-Length is accepted only if it equals the body length, and then
 * replaces ours); the empty line. A caller Transfer-Encoding header is
 * CPJ_ERR_HTTP_REQUEST (bodies are always sent with a length).
 */
typedef struct cpj_http_request {
	const char *method;     /**< token, e.g. "POST" */
	const char *target;     /**< request target: "/path?query" (visible ASCII) */
	const char *host;       /**< Host header value; NULL: the client sets it */
	const cpj_http_header *headers; /**< caller headers (may be NULL if none) */
	size_t nheaders;        /**< entries in `headers` */
	const void *body;       /**< memory body or NULL */
	size_t body_len;        /**< length of the memory body (0 without one) */
	cpj_http_body_source body_read; /**< streamed body or NULL */
	void *body_ctx;         /**< passed to `body_read` */
	uint64_t content_length; /**< length of the streamed body */
	/** Optional: restart `body_read` at the first byte, so that a
	 *  request whose kept-alive connection turned out closed is sent
	 *  again on a new one, as a memory body is (NULL: it is not, the
	 *  error is returned). Called with `body_ctx`; returns 0 or a
	 *  negative code (then the exchange's error is returned). */
	int (*body_rewind)(void *ctx);
	/** Deadline of this exchange, ms, used by cpj_http_client_exchange()
	 *  instead of the client's request timeout (its connect and idle
	 *  timeouts still apply); 0: the client's. */
	uint32_t request_ms;
} cpj_http_request;

/**
 * A response. Set it up with cpj_http_response_init(), then set the
 * caller fields (all optional). The parser resets the result fields at
 * the start of every exchange and leaves the caller fields alone.
 *
 * Captured headers: a value that fits its field is copied (NUL-terminated)
 * and its bit set in `present`. A value that does not fit is NOT captured:
 * its field stays empty and its bit is set in both `present` and
 * `dropped`; the response is not an error (a peer cannot fail a request
 * through a diagnostic header), and never silently truncated. A repeated
 * captured header replaces the earlier value. x-amz-request-id (S3) fills
 * `request_id` when x-amzn-RequestId is absent. Retry-After is captured
 * as delta-seconds; its HTTP-date form is reported as dropped.
 *
 * RAM: 992 bytes on x86-64 (the captured fields are 877 of them).
 */
typedef struct cpj_http_response {
	/* ---- caller fields ---- */
	cpj_http_body_sink on_body;     /**< NULL: the body is read and discarded */
	void *body_ctx;                 /**< passed to `on_body` */
	cpj_http_header_cb on_header;   /**< NULL: not called */
	void *header_ctx;               /**< passed to `on_header` */
	/** 0: no limit. Else a larger body is CPJ_ERR_HTTP_BODY_TOO_LARGE: at
	 *  once for a Content-Length or chunk size over the limit; for a body
	 *  to end of stream after its first max_body bytes were handed over. */
	uint64_t max_body;
	unsigned max_headers;  /**< 0: CPJ_HTTP_HEADERS_MAX (read when the response is parsed) */
	size_t max_head_bytes; /**< 0: CPJ_HTTP_HEAD_MAX (read when the response is parsed) */

	/* ---- results ---- */
	int status;            /**< final status code, 100..599 (0 until known) */
	int version_minor;     /**< 0 or 1 (HTTP/1.x) */
	int keep_alive;        /**< 1: the connection may carry another request */
	int until_eof;         /**< 1: the body had no length and ran to end of stream */
	unsigned present;      /**< CPJ_HTTP_F_* bits of the headers seen */
	unsigned dropped;      /**< CPJ_HTTP_F_* bits seen but too long to capture */
	unsigned nheaders;     /**< header lines of the final response */
	uint64_t content_length; /**< valid when present & CPJ_HTTP_F_CONTENT_LENGTH */
	uint64_t body_bytes;   /**< body bytes handed to on_body (or discarded) */
	uint32_t retry_after;  /**< seconds, valid when present & CPJ_HTTP_F_RETRY_AFTER */
	/** x-amzn-RequestId, else x-amz-request-id; "" if none or dropped */
	char request_id[CPJ_HTTP_REQUEST_ID_MAX + 1];
	/** x-amzn-ErrorType; "" if none or dropped */
	char error_type[CPJ_HTTP_ERROR_TYPE_MAX + 1];
	char date[CPJ_HTTP_DATE_MAX + 1];         /**< Date; "" if none or dropped */
	/** ETag as sent (quotes included); "" if none or dropped */
	char etag[CPJ_HTTP_ETAG_MAX + 1];
	char location[CPJ_HTTP_LOCATION_MAX + 1]; /**< Location; "" if none or dropped */
	/** cpj_http_client_exchange() and cpj_http_roundtrip(): the device's
	 *  cpj_port_time_unix() just after the Date header arrived (0: none),
	 *  the instant the server's Date describes, for clock-skew checks */
	int64_t date_at;
} cpj_http_response;

/**
 * The response parser. Caller-allocated; all fields are private except
 * `in_bytes` (read-only). RAM: CPJ_HTTP_LINE_MAX + about 72 bytes
 * (1,096 bytes with the defaults on x86-64).
 */
typedef struct cpj_http_parser {
	cpj_http_response *resp; /**< private: the response being filled in */
	uint64_t in_bytes;     /**< bytes consumed since init (read-only) */
	uint64_t left;         /**< private: body or chunk bytes still expected */
	size_t head_bytes;     /**< private: head bytes so far (all interim responses) */
	size_t line_len;       /**< private: bytes in `line`, or of the chunk-size line */
	size_t max_head;       /**< private: head byte limit (from the response) */
	unsigned max_headers;  /**< private: header line limit (from the response) */
	unsigned nlines;       /**< private: header or trailer lines of this message */
	int state;             /**< private: the part being parsed (status line,
	                            headers, body, chunks, trailers, done) */
	int err;               /**< private: sticky error, 0 if none */
	int flags;             /**< private: method and framing bits */
	/** private: the status, header or trailer line being read */
	char line[CPJ_HTTP_LINE_MAX + 1];
} cpj_http_parser;

/**
 * \brief Set up a response: zeroes every field (caller fields included).
 *
 * Stack: at most 16 bytes.
 */
void cpj_http_response_init(cpj_http_response *resp);

/**
 * \brief One request and its response over an open transport.
 *
 * Writes the request into `work` and sends
 * it: one transport send when the whole request fits in `work`; otherwise
 * the head (with as much of a streamed body as fits) first, then a memory
 * body straight from req->body, or a streamed body in pieces of up to
 * `work_len` bytes. Then reads into `work` and feeds `p` until the
 * response is complete. Short sends are continued; a transport return of
 * 0 is retried up to 64 times in a row, then CPJ_ERR_TIMEOUT.
 *
 * On success resp->keep_alive tells whether the transport may carry
 * another request (it is cleared when bytes followed the response).
 *
 * Stack: at most 3,728 bytes.
 *
 * \param tr        an open transport; the call never closes it.
 * \param req       the request; req->host must be set.
 * \param p         parser storage (initialised here).
 * \param resp      response; its caller fields are used, results filled.
 * \param work      caller scratch buffer, borrowed for the call; it must
 *                  hold the request head plus one byte (1 KiB is ample
 *                  for AWS calls; larger buffers mean fewer reads).
 * \param work_len  its size (> 0).
 * \return 0, or an error of the writer (nothing was sent then: p->in_bytes
 *         is 0 and the source was not read), of the body source, of the
 *         transport (CPJ_ERR_NET_*, CPJ_ERR_TLS_*, CPJ_ERR_TIMEOUT), or of
 *         the parser. End of stream before any response byte is
 *         CPJ_ERR_NET_CLOSED; after some, CPJ_ERR_HTTP_TRUNCATED. A body
 *         source that ends before req->content_length bytes is
 *         CPJ_ERR_HTTP_REQUEST; one that returns more than it was asked
 *         for is CPJ_ERR_PARAM, as is a NULL argument or a `work_len` of
 *         0. After an error the transport must be closed.
 * Blocks as the transport does (its own timeouts bound each call).
 */
int cpj_http_roundtrip(const cpj_transport *tr, const cpj_http_request *req,
	cpj_http_parser *p, cpj_http_response *resp, unsigned char *work,
	size_t work_len);

/** A parsed endpoint or proxy URL. */
typedef struct cpj_http_url {
	int tls;                       /**< 1 for https */
	uint16_t port;                 /**< explicit or the scheme's default */
	char host[CPJ_HOST_MAX + 1];   /**< without IPv6 brackets */
} cpj_http_url;

/**
 * \brief Parse "scheme://host[:port][/]".
 *
 * Schemes http and https (any case). Host: a DNS name or IPv4 address
 * (letters, digits, '-', '.', '_'), or an IPv6 literal in brackets.
 * A path other than "/", a query, a fragment or an empty host are
 * rejected: endpoints here are origins.
 *
 * Stack: at most 176 bytes.
 *
 * \param u            result (unchanged on error).
 * \param url          NUL-terminated URL, borrowed.
 * \param default_tls  scheme when the URL has none: 0 http, 1 https;
 *                     -1: the scheme is required.
 * \return 0, CPJ_ERR_NET_URL (malformed, unknown scheme, port not
 *         1..65535, host over CPJ_HOST_MAX), CPJ_ERR_UNSUPPORTED
 *         (user:password@ in the URL), CPJ_ERR_PARAM (NULL).
 */
int cpj_http_url_parse(cpj_http_url *u, const char *url, int default_tls);

/* TLS context (cpj_tls.h); the client only keeps a pointer to it. */
struct cpj_tls_context;

/**
 * A keep-alive HTTP client for one endpoint. Caller-allocated; fields are
 * private except `tls`, `url`, `authority` and the counters (read-only).
 *
 * RAM: sizeof(cpj_http_client) = sizeof(cpj_net_context)
 * + CPJ_HTTP_LINE_MAX + 4 * CPJ_HOST_MAX + about 200 bytes (3,848 bytes
 * with the defaults on x86-64), plus the TLS context the caller provides.
 */
typedef struct cpj_http_client {
	cpj_net_context net;           /**< private: the socket */
	struct cpj_tls_context *tls;   /**< read-only: the TLS context of init (borrowed); NULL: https is unsupported */
	cpj_transport lower;           /**< private: the socket (under TLS) */
	cpj_transport tr;              /**< private: transport of the open connection */
	cpj_http_parser parser;        /**< private: parser of the current exchange */
	int conn_open;                 /**< private: a connection is up */
	int tls_up;                    /**< private: TLS runs on it */
	int use_proxy;                 /**< private: connect through `proxy` */
	/** The endpoint set by cpj_http_client_set_url() (read-only; host ""
	 *  when unset): a caller sharing the client compares it with its own
	 *  origin before setting it again. */
	cpj_http_url url;
	cpj_http_url proxy;            /**< private: the proxy, used when `use_proxy` is set */
	/** The Host header value sent when req->host is NULL: the URL's host
	 *  ("[v6]" bracketed) with ":port" when not the scheme's default
	 *  (read-only; a SigV4 signer signs this value). */
	char authority[CPJ_HOST_MAX + 10];
	char tunnel[CPJ_HOST_MAX + 10];    /**< private: CONNECT target: host:port */
	/** \var cpj_http_client::connect_ms
	 *  private: connect timeout, ms (cpj_http_client_set_timeouts()). */
	/** \var cpj_http_client::idle_ms
	 *  private: longest wait for a single read or write, ms. */
	/** \var cpj_http_client::request_ms
	 *  private: deadline of a whole exchange, ms. */
	uint32_t connect_ms, idle_ms, request_ms;
	/* counters (read-only) */
	uint32_t connects;             /**< connections opened */
	uint32_t requests;             /**< requests sent */
	uint32_t reuses;               /**< requests sent on a kept-alive connection */
	uint32_t retries;              /**< requests repeated on a fresh connection */
} cpj_http_client;

/**
 * \brief Set up a client with no endpoint, no proxy, default timeouts.
 *
 * Stack: at most 80 bytes.
 *
 * \param c    the client (no system call).
 * \param tls  TLS context used for https endpoints, kept by pointer for
 *             the client's life; NULL if only http is needed.
 */
void cpj_http_client_init(cpj_http_client *c, struct cpj_tls_context *tls);

/**
 * \brief Set the endpoint (closes any open connection, clears the proxy).
 *
 * Stack: at most 3,552 bytes.
 *
 * \param c    a client set up with cpj_http_client_init().
 * \param url  "http://host[:port]" or "https://host[:port]" (optional
 *             trailing "/"), borrowed for the call (parsed and copied);
 *             see cpj_http_url_parse().
 * \return 0, CPJ_ERR_NET_URL, CPJ_ERR_UNSUPPORTED (https without a TLS
 *         context, or user:password@), CPJ_ERR_PARAM (NULL argument). On
 *         error the client has no endpoint until a call succeeds.
 */
int cpj_http_client_set_url(cpj_http_client *c, const char *url);

/**
 * \brief Route the endpoint through an HTTP proxy with CONNECT.
 *
 * Call after cpj_http_client_set_url(). The caller passes the values of
 * HTTPS_PROXY (or https_proxy) and NO_PROXY (or no_proxy), which
 * decides as curl does. The proxy URL is "http://host[:port]" or
 * "host[:port]" (port 80 by default); a tunnel is opened with CONNECT for
 * each new connection and TLS (for https endpoints) runs inside it, so
 * the proxy never sees the traffic. Closes any open connection.
 *
 * Stack: at most 3,552 bytes.
 *
 * \param c            a client with a URL.
 * \param https_proxy  proxy URL, or NULL / "" for none; borrowed for the
 *                     call (parsed and copied).
 * \param no_proxy     NO_PROXY list, or NULL; borrowed for the call.
 * \return 0 (the proxy is used, or exempt by NO_PROXY, or none given),
 *         CPJ_ERR_NET_URL, CPJ_ERR_UNSUPPORTED (https:// proxies and
 *         proxy credentials are not supported), CPJ_ERR_STATE (no URL set),
 *         CPJ_ERR_PARAM (`c` NULL). On error no proxy is used.
 */
int cpj_http_client_set_proxy(cpj_http_client *c, const char *https_proxy,
	const char *no_proxy);

/**
 * \brief Set the timeouts; 0 picks the default of each. No I/O.
 *
 * Stack: at most 16 bytes.
 *
 * \param c           the client.
 * \param connect_ms  connect timeout (CPJ_CONNECT_TIMEOUT_MS).
 * \param idle_ms     longest wait for any single read or write
 *                    (CPJ_IDLE_TIMEOUT_MS).
 * \param request_ms  whole exchange: connect, proxy tunnel, TLS
 *                    handshake, request and response (CPJ_TIMEOUT_MS).
 */
void cpj_http_client_set_timeouts(cpj_http_client *c, uint32_t connect_ms,
	uint32_t idle_ms, uint32_t request_ms);

/**
 * \brief One request and its response, reusing the connection if it can.
 *
 * Before sending on a kept-alive connection, the client checks it without
 * blocking; a connection the server closed while idle
 * is replaced by a fresh one before anything is sent. If a reused
 * connection still turns out dead before any response byte (end of
 * stream, reset, or a TLS engine holding unread bytes: CPJ_ERR_STATE),
 * the request is sent once more on a fresh connection, unless its body
 * source was already read (a source cannot be rewound). Fresh
 * connections are never retried here; retry policy (backoff, 5xx) is
 * the caller's.
 * The connection is closed after any error, when the response says
 * Connection: close or has no length, and when bytes follow the response.
 * Over TLS, a body that runs to end of stream is accepted only when the
 * server ended it with close_notify (else CPJ_ERR_HTTP_TRUNCATED).
 *
 * Stack: at most 5,104 bytes.
 *
 * \param c         a client with a URL.
 * \param req       the request; req->host NULL means the URL's authority.
 * \param resp      response (caller fields used, results filled).
 * \param work      scratch buffer borrowed for the call; must hold the
 *                  request head and the proxy CONNECT request.
 * \param work_len  its size.
 * \return 0 (any HTTP status is success at this layer), CPJ_ERR_PARAM
 *         (NULL argument, `work_len` 0), CPJ_ERR_STATE (no URL),
 *         CPJ_ERR_UNSUPPORTED, an error of writing the request (then
 *         no connection was made or used), or an error of
 *         cpj_http_roundtrip(),
 *         connect (CPJ_ERR_NET_*), TLS (CPJ_ERR_TLS_*), CPJ_ERR_TIMEOUT
 *         when the connect, idle or whole-request timeout passed,
 *         CPJ_ERR_NET_PROXY (the proxy refused the tunnel, closed, answered
 *         malformed, or spoke out of turn; resp->status then holds the
 *         proxy's status, 0 if it gave none). On any error the results in
 *         `resp` describe whatever was parsed before it.
 * Blocks at most req->request_ms, or the client's request timeout when
 * that is 0 (every wait, connect included, is bounded by the
 * whole-request deadline of cpj_net). The Stack figure counts
 * cpj_tls_open() (a handshake) and the library's own callbacks.
 */
int cpj_http_client_exchange(cpj_http_client *c, const cpj_http_request *req,
	cpj_http_response *resp, unsigned char *work, size_t work_len);

/**
 * \brief Close the connection (TLS close_notify, then the socket).
 *        Safe to call at any time; the client stays configured.
 *
 * Stack: at most 3,504 bytes.
 */
void cpj_http_client_close(cpj_http_client *c);

#endif
