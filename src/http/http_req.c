/*
 * http_req.c -- HTTP/1.1 request writer (see cpj_http.h).
 */
#include "inner.h"

/* The length of a non-empty token, or 0 if s is not one. */
static size_t
token_len(const char *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	return cpj_http_token_span(s, n) == n ? n : 0;
}

static int
valid_token(const char *s)
{
	return token_len(s) != 0;
}

/* Request target and Host value: visible ASCII only, non-empty. */
static int
valid_target(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

/* "name: value" CRLF, the lengths known: one check of the room. */
static void
put_field(cpj_buf *b, const char *name, size_t nl, const char *value,
	size_t vl)
{
	char *d = cpj_buf_room(b, nl + vl + 4);

	if (d == NULL)
		return;
	memcpy(d, name, nl);
	d += nl;
	*d++ = ':';
	*d++ = ' ';
	memcpy(d, value, vl);
	d += vl;
	*d++ = '\r';
	*d = '\n';
}

static int
needs_length(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0
	    || strcmp(method, "PATCH") == 0;
}

/* see cpj_http.h */
int
cpj_http_request_write(const cpj_http_request *req, unsigned char *buf,
	size_t len, size_t *out_len)
{
	cpj_buf b;
	uint64_t blen;
	size_t i;
	int has_body, own_host = 1, own_ua = 1, own_cl = 1, rc;

	if (req == NULL || buf == NULL || out_len == NULL)
		return CPJ_ERR_PARAM;
	*out_len = 0;
	if (req->body_read != NULL && req->body != NULL)
		return CPJ_ERR_PARAM;
	if (req->body == NULL && req->body_len != 0)
		return CPJ_ERR_PARAM;
	if (req->nheaders != 0 && req->headers == NULL)
		return CPJ_ERR_PARAM;
	if (!valid_token(req->method) || !valid_target(req->target)
	    || !valid_target(req->host))
		return CPJ_ERR_HTTP_REQUEST;
	blen = req->body_read != NULL ? req->content_length
	    : (uint64_t)req->body_len;
	has_body = req->body_read != NULL || req->body_len != 0;

	for (i = 0; i < req->nheaders; i++) {
		const cpj_http_header *h = &req->headers[i];
		size_t nl = token_len(h->name);

		/* the value's bytes are checked as it is written */
		if (nl == 0 || h->value == NULL)
			return CPJ_ERR_HTTP_REQUEST;
		/* the names the writer minds differ in length: one compare */
		if (nl != 4 && nl != 10 && nl != 14 && nl != 17) {
			continue;
		} else if (cpj_strieq(h->name, nl, "host")) {
			own_host = 0;
		} else if (cpj_strieq(h->name, nl, "user-agent")) {
			own_ua = 0;
		} else if (cpj_strieq(h->name, nl, "transfer-encoding")) {
			return CPJ_ERR_HTTP_REQUEST;
		} else if (cpj_strieq(h->name, nl, "content-length")) {
			uint64_t v;
			const char *s = h->value;
			size_t sl = strlen(s);

			if (!own_cl || cpj_parse_u64(s, sl, UINT64_MAX, &v) != 0
			    || v != blen)
				return CPJ_ERR_HTTP_REQUEST;
			own_cl = 0;
		}
	}

	/* cpj_buf keeps one byte for a NUL that is not sent. */
	cpj_buf_init(&b, (char *)buf, len);
	cpj_buf_puts(&b, req->method);
	cpj_buf_putc(&b, ' ');
	cpj_buf_puts(&b, req->target);
	cpj_buf_putlit(&b, " HTTP/1.1\r\n");
	if (own_host)
		put_field(&b, "Host", 4, req->host, strlen(req->host));
	if (own_ua)
		cpj_buf_putlit(&b, "User-Agent: " CPJ_USER_AGENT "\r\n");
	for (i = 0; i < req->nheaders; i++) {
		const cpj_http_header *h = &req->headers[i];
		size_t vl = strlen(h->value);

		/* a header value: no control byte but HTAB (so no CR, LF,
		 * NUL), no DEL; checked whether or not the head still fits */
		if (cpj_http_field_span(h->value, vl) != vl)
			return CPJ_ERR_HTTP_REQUEST;
		put_field(&b, h->name, strlen(h->name), h->value, vl);
	}
	if (own_cl && (has_body || needs_length(req->method))) {
		cpj_buf_putlit(&b, "Content-Length: ");
		cpj_buf_put_u64(&b, blen);
		cpj_buf_putlit(&b, "\r\n");
	}
	cpj_buf_putlit(&b, "\r\n");
	if (cpj_buf_ok(&b) != 0)
		return CPJ_ERR_NOSPACE;

	rc = 1;
	if (req->body_read != NULL) {
		rc = 0;
	} else if (req->body_len != 0) {
		/* The body is binary: copy it past the head, no NUL needed. */
		if (req->body_len <= len - b.len) {
			memcpy(buf + b.len, req->body, req->body_len);
			b.len += req->body_len;
		} else {
			rc = 0;
		}
	}
	*out_len = b.len;
	return rc;
}
