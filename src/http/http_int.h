/*
 * http_int.h -- the HTTP layer's request writer, response parser and
 * NO_PROXY matching (src/http/), under cpj_http_client_exchange() and
 * cpj_http_roundtrip(). The types are public (cpj_http.h).
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_HTTP_INT_H
#define CPJ_HTTP_INT_H

#include "cpj_http.h"

/**
 * \brief The length of the run of token bytes (RFC 9110 tchar: letters,
 *        digits and !#$%&'*+-.^_`|~) at the start of s[0..n).
 *
 * Stack: at most 16 bytes.
 */
size_t cpj_http_token_span(const char *s, size_t n);

/* The token bytes (tchar), a bit per ASCII byte (http_chars.c); NUL and
 * the bytes from 0x80 up are none. */
extern const uint32_t cpj_http_tchar[4];
#define CPJ_HTTP_TCHAR(c) ((c) < 0x80 \
	&& (cpj_http_tchar[(c) >> 5] >> ((c) & 31) & 1u))

/**
 * \brief The length of the run of field-value bytes (HTAB, SP, VCHAR,
 *        obs-text: no other control byte, no DEL) at the start of
 *        s[0..n), checked a word at a time.
 *
 * Stack: at most 16 bytes.
 */
size_t cpj_http_field_span(const char *s, size_t n);

/**
 * \brief Write a request into a caller buffer.
 *
 * Writes the head and, for a memory body that fits in the rest of `buf`,
 * the body too, so that the whole request goes out in one send.
 *
 * Stack: at most 256 bytes.
 *
 * \param req      the request (see cpj_http_request); `req->host` must be
 *                 set (an authority, e.g. "example.com" or "[::1]:8080").
 * \param buf      caller storage, written from the start.
 * \param len      its size.
 * \param out_len  set to the bytes written (head plus the body if included).
 * \return 1 when the request is complete in `buf` (no body, or a memory
 *         body that fit), 0 when the body must still be sent (a memory body
 *         too large for `buf`, or a streamed body), or CPJ_ERR_PARAM (a
 *         NULL `req`, `buf` or `out_len`; both body forms set; `body` NULL
 *         with a non-zero `body_len`; `headers` NULL with a non-zero
 *         `nheaders`), CPJ_ERR_HTTP_REQUEST (method not a token; target or
 *         host NULL, empty or not visible ASCII; a header name not a
 *         token; a control byte other than HTAB, or DEL, in a value; a
 *         Transfer-Encoding header; a caller Content-Length that differs
 *         from the body, or given twice), CPJ_ERR_NOSPACE (the head plus
 *         one spare byte does not fit). *out_len is set to 0 on every
 *         error but a NULL argument.
 * Never blocks.
 */
int cpj_http_request_write(const cpj_http_request *req, unsigned char *buf,
	size_t len, size_t *out_len);

/**
 * \brief Start parsing one response.
 *
 * Resets the result fields of `resp` (caller fields are kept). The parser
 * keeps a pointer to `resp` until the response is complete or failed.
 * Never fails, never blocks.
 *
 * Stack: at most 48 bytes.
 *
 * \param p       parser storage (caller-allocated).
 * \param resp    the response to fill in; its limits (max_head_bytes,
 *                max_headers) are read here, its callbacks and max_body
 *                while the bytes are fed.
 * \param method  the request's method: "HEAD" (no body) and "CONNECT"
 *                (2xx has no body) change framing; NULL is taken as GET.
 */
void cpj_http_parser_init(cpj_http_parser *p, cpj_http_response *resp,
	const char *method);

/**
 * \brief Feed response bytes.
 *
 * Accepts input split anywhere. Body bytes go to resp->on_body straight
 * from `data` (no copy). After the message is complete, no more input is
 * consumed: *consumed < len then means surplus bytes that belong to no
 * response (the connection must be closed).
 *
 * Stack: at most 3,552 bytes.
 *
 * \param p         a parser set up with cpj_http_parser_init().
 * \param data      bytes from the peer, borrowed for the call only.
 * \param len       how many (0 is allowed).
 * \param consumed  set to the bytes used from `data`.
 * \return 1 message complete, 0 more input needed, or a negative code:
 *         CPJ_ERR_HTTP_STATUS_LINE, CPJ_ERR_HTTP_HEADER,
 *         CPJ_ERR_HTTP_HEADER_TOO_LARGE, CPJ_ERR_HTTP_TOO_MANY_HEADERS,
 *         CPJ_ERR_HTTP_CONTENT_LENGTH, CPJ_ERR_HTTP_ENCODING,
 *         CPJ_ERR_HTTP_CHUNK, CPJ_ERR_HTTP_BODY_TOO_LARGE, or the code a
 *         callback returned. Errors are sticky: later calls return the
 *         same code and consume nothing.
 * The callbacks run inside the call: the Stack figure counts the
 * library's own callbacks; yours add what they use.
 */
int cpj_http_parser_feed(cpj_http_parser *p, const unsigned char *data,
	size_t len, size_t *consumed);

/**
 * \brief Tell the parser that the stream ended.
 *
 * Stack: at most 16 bytes.
 *
 * \param p  a parser set up with cpj_http_parser_init().
 * \return 1 if the message is complete (already, or because its body runs
 *         to end of stream), CPJ_ERR_HTTP_TRUNCATED if it is not, or the
 *         sticky error of an earlier failure.
 */
int cpj_http_parser_eof(cpj_http_parser *p);

/**
 * \brief Decide whether NO_PROXY exempts host:port from the proxy.
 *
 * A pure function over the value of NO_PROXY (the library never reads the
 * environment). Entries are separated by commas (spaces around them are
 * ignored) and compared case-insensitively:
 *  - "*" exempts every host;
 *  - "example.com", ".example.com" and "*.example.com" all exempt
 *    example.com and every name under it (a.example.com), never
 *    badexample.com;
 *  - "host:port" exempts that host on that port only;
 *  - an IP address matches only itself (no CIDR ranges);
 *  - "[::1]" brackets are accepted around IPv6 addresses.
 *
 * Stack: at most 192 bytes.
 *
 * \param no_proxy  the list, or NULL / "" (nothing exempt).
 * \param host      the endpoint's host (no brackets).
 * \param port      the endpoint's port.
 * \return 1 exempt (connect directly), 0 use the proxy.
 */
int cpj_http_no_proxy_match(const char *no_proxy, const char *host,
	uint16_t port);

#endif
