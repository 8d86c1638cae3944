/*
 * http_resp.c -- incremental HTTP/1.1 response parser (see cpj_http.h).
 *
 * One byte at a time through the head (status line, headers, chunk-size
 * lines, trailers), whole spans through bodies. The only buffer is the
 * line buffer of the parser; body bytes go to the sink straight from the
 * caller's input.
 */
#include "inner.h"

enum {
	ST_STATUS,      /* status line */
	ST_HEADER,      /* header lines */
	ST_BODY_LEN,    /* Content-Length body, `left` bytes to go */
	ST_BODY_EOF,    /* body up to end of stream */
	ST_CHUNK_SIZE,  /* chunk-size [ext] CRLF */
	ST_CHUNK_DATA,  /* chunk data, `left` bytes to go */
	ST_CHUNK_CR,    /* CR after chunk data */
	ST_CHUNK_LF,    /* LF after chunk data */
	ST_TRAILER,     /* trailer lines after the last chunk */
	ST_DONE
};

/* p->flags */
#define F_HEAD      0x0001  /* request was HEAD */
#define F_CONNECT   0x0002  /* request was CONNECT */
#define F_CR        0x0004  /* a CR was read; LF must follow */
#define F_CL        0x0008  /* Content-Length seen */
#define F_TE        0x0010  /* Transfer-Encoding: chunked seen */
#define F_CLOSE     0x0020  /* Connection: close */
#define F_KA        0x0040  /* Connection: keep-alive */
#define F_INTERIM   0x0080  /* current message is a 1xx response */
#define F_DIGIT     0x0100  /* chunk size has a digit */
#define F_BWS       0x0200  /* white space after the chunk size */
#define F_EXT       0x0400  /* in a chunk extension */
#define F_AMZN_RID  0x0800  /* request_id came from x-amzn-RequestId */

/* see cpj_http.h */
void
cpj_http_response_init(cpj_http_response *resp)
{
	memset(resp, 0, sizeof *resp);
}

/* see cpj_http.h */
void
cpj_http_parser_init(cpj_http_parser *p, cpj_http_response *resp,
	const char *method)
{
	p->resp = resp;
	p->in_bytes = 0;
	p->left = 0;
	p->head_bytes = 0;
	p->line_len = 0;
	p->max_head = resp->max_head_bytes != 0 ? resp->max_head_bytes
	    : (size_t)CPJ_HTTP_HEAD_MAX;
	p->max_headers = resp->max_headers != 0 ? resp->max_headers
	    : (unsigned)CPJ_HTTP_HEADERS_MAX;
	p->nlines = 0;
	p->state = ST_STATUS;
	p->err = 0;
	p->flags = 0;
	/* (the first byte spares the compares for every other method) */
	if (method != NULL && method[0] == 'H' && strcmp(method, "HEAD") == 0)
		p->flags |= F_HEAD;
	if (method != NULL && method[0] == 'C'
	    && strcmp(method, "CONNECT") == 0)
		p->flags |= F_CONNECT;
	p->line[0] = '\0';

	resp->status = 0;
	resp->version_minor = 0;
	resp->keep_alive = 0;
	resp->until_eof = 0;
	resp->present = 0;
	resp->dropped = 0;
	resp->nheaders = 0;
	resp->content_length = 0;
	resp->body_bytes = 0;
	resp->retry_after = 0;
	resp->request_id[0] = '\0';
	resp->error_type[0] = '\0';
	resp->date[0] = '\0';
	resp->etag[0] = '\0';
	resp->location[0] = '\0';
}

/* Field content: HTAB, SP, VCHAR, obs-text. */
static int
is_field_byte(int c)
{
	char b = (char)c;

	return cpj_http_field_span(&b, 1) == 1;
}

/*
 * One byte of a CRLF-terminated line into p->line. Returns 1 when the line
 * is complete (NUL-terminated, without CRLF), 0 for more, < 0 an error;
 * `bad` is the code for a stray CR or LF.
 */
static int
line_byte(cpj_http_parser *p, int c, int bad)
{
	if (++p->head_bytes > p->max_head)
		return CPJ_ERR_HTTP_HEADER_TOO_LARGE;
	if (p->flags & F_CR) {
		if (c != '\n')
			return bad;
		p->flags &= ~F_CR;
		p->line[p->line_len] = '\0';
		return 1;
	}
	if (c == '\r') {
		p->flags |= F_CR;
		return 0;
	}
	if (c == '\n')
		return bad;
	if (p->line_len >= CPJ_HTTP_LINE_MAX)
		return CPJ_ERR_HTTP_HEADER_TOO_LARGE;
	p->line[p->line_len++] = (char)c;
	return 0;
}

/*
 * A run of a head line's bytes from d[0..avail): the bytes before the
 * next CR or LF are copied at once, with the limits line_byte() checks
 * per byte (an over-long line fails at the same byte); the CR or LF then
 * goes through line_byte(), and so does the byte after a CR when it is
 * there. *used: the bytes taken.
 */
static int
line_span(cpj_http_parser *p, const unsigned char *d, size_t avail,
	size_t *used, int bad)
{
	size_t k = 0, lim;
	int rc;

	if (!(p->flags & F_CR)) {
		const unsigned char *e = memchr(d, '\n', avail);

		k = e != NULL ? (size_t)(e - d) : avail;
		e = memchr(d, '\r', k);
		if (e != NULL)
			k = (size_t)(e - d);
		lim = p->max_head - p->head_bytes;
		if (lim > CPJ_HTTP_LINE_MAX - p->line_len)
			lim = CPJ_HTTP_LINE_MAX - p->line_len;
		if (k > lim) {
			*used = lim + 1;
			return CPJ_ERR_HTTP_HEADER_TOO_LARGE;
		}
		memcpy(p->line + p->line_len, d, k);
		p->line_len += k;
		p->head_bytes += k;
		if (k == avail) {
			*used = k;
			return 0;
		}
	}
	*used = k + 1;
	rc = line_byte(p, d[k], bad);
	if (rc == 0 && d[k] == '\r' && k + 1 < avail) {
		/* the LF after the CR, in the same call */
		*used = k + 2;
		rc = line_byte(p, d[k + 1], bad);
	}
	return rc;
}

static CPJ_NOINLINE int
status_line(cpj_http_parser *p)
{
	const char *s = p->line;
	size_t n = p->line_len;
	int status;

	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0
	    || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
		return CPJ_ERR_HTTP_STATUS_LINE;
	if (s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9'
	    || s[11] < '0' || s[11] > '9')
		return CPJ_ERR_HTTP_STATUS_LINE;
	status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (n > 12) {
		if (s[12] != ' ')
			return CPJ_ERR_HTTP_STATUS_LINE;
		if (cpj_http_field_span(s + 13, n - 13) != n - 13)
			return CPJ_ERR_HTTP_STATUS_LINE;
	}
	if (status == 101)
		return CPJ_ERR_HTTP_STATUS_LINE;
	p->nlines = 0;
	if (status < 200) {
		p->flags |= F_INTERIM;
	} else {
		p->flags &= ~F_INTERIM;
		p->resp->status = status;
		p->resp->version_minor = s[7] - '0';
	}
	p->state = ST_HEADER;
	return 0;
}

/* Copy a captured value, or flag it as dropped when it does not fit. */
static void
capture(cpj_http_response *r, char *field, size_t cap, unsigned bit,
	const char *v, size_t vl)
{
	r->present |= bit;
	if (vl > cap) {
		field[0] = '\0';
		r->dropped |= bit;
		return;
	}
	memcpy(field, v, vl);
	field[vl] = '\0';
	r->dropped &= ~bit;
}

static void
connection_tokens(cpj_http_parser *p, const char *v, size_t vl)
{
	size_t i = 0;

	while (i < vl) {
		size_t s, e;

		while (i < vl && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < vl && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (cpj_strieq(v + s, e - s, "close"))
			p->flags |= F_CLOSE;
		else if (cpj_strieq(v + s, e - s, "keep-alive"))
			p->flags |= F_KA;
	}
}

/* The header names header_field() minds, told apart by their lengths
 * first (one compare for most names, two for the 16-byte ones). */
enum {
	H_NONE, H_CONTENT_LENGTH, H_TRANSFER_ENCODING, H_CONNECTION,
	H_RETRY_AFTER,
	/* the captured ones, in the order of `captures` */
	H_AMZN_RID, H_AMZ_RID, H_ERROR_TYPE, H_DATE, H_ETAG, H_LOCATION
};

/* Where each captured header goes: field, its room, its present bit. */
static const struct capture_to {
	unsigned short off, cap;
	unsigned char bit;
} captures[] = {
	{ offsetof(cpj_http_response, request_id), CPJ_HTTP_REQUEST_ID_MAX,
	    CPJ_HTTP_F_REQUEST_ID },
	{ offsetof(cpj_http_response, request_id), CPJ_HTTP_REQUEST_ID_MAX,
	    CPJ_HTTP_F_REQUEST_ID },
	{ offsetof(cpj_http_response, error_type), CPJ_HTTP_ERROR_TYPE_MAX,
	    CPJ_HTTP_F_ERROR_TYPE },
	{ offsetof(cpj_http_response, date), CPJ_HTTP_DATE_MAX,
	    CPJ_HTTP_F_DATE },
	{ offsetof(cpj_http_response, etag), CPJ_HTTP_ETAG_MAX,
	    CPJ_HTTP_F_ETAG },
	{ offsetof(cpj_http_response, location), CPJ_HTTP_LOCATION_MAX,
	    CPJ_HTTP_F_LOCATION },
};

static int
header_kind(const char *n, size_t nl)
{
	switch (nl) {
	case 4:
		return cpj_strieq(n, nl, "date") ? H_DATE
		    : cpj_strieq(n, nl, "etag") ? H_ETAG : H_NONE;
	case 8:
		return cpj_strieq(n, nl, "location") ? H_LOCATION : H_NONE;
	case 10:
		return cpj_strieq(n, nl, "connection") ? H_CONNECTION : H_NONE;
	case 11:
		return cpj_strieq(n, nl, "retry-after") ? H_RETRY_AFTER
		    : H_NONE;
	case 14:
		return cpj_strieq(n, nl, "content-length") ? H_CONTENT_LENGTH
		    : H_NONE;
	case 16:
		return cpj_strieq(n, nl, "x-amzn-requestid") ? H_AMZN_RID
		    : cpj_strieq(n, nl, "x-amz-request-id") ? H_AMZ_RID
		    : cpj_strieq(n, nl, "x-amzn-errortype") ? H_ERROR_TYPE
		    : H_NONE;
	case 17:
		return cpj_strieq(n, nl, "transfer-encoding")
		    ? H_TRANSFER_ENCODING : H_NONE;
	default:
		return H_NONE;
	}
}

/* A header of the final response: framing fields and captures. */
static int
header_field(cpj_http_parser *p, const char *n, size_t nl, const char *v,
	size_t vl)
{
	cpj_http_response *r = p->resp;
	uint64_t x;
	int tunnel = (p->flags & F_CONNECT) && r->status / 100 == 2;
	int kind = header_kind(n, nl);

	switch (kind) {
	case H_CONTENT_LENGTH:
		if (tunnel)
			return 0;
		if (cpj_parse_u64(v, vl, UINT64_MAX, &x) != 0)
			return CPJ_ERR_HTTP_CONTENT_LENGTH;
		if ((p->flags & F_CL) && x != r->content_length)
			return CPJ_ERR_HTTP_CONTENT_LENGTH;
		p->flags |= F_CL;
		r->content_length = x;
		r->present |= CPJ_HTTP_F_CONTENT_LENGTH;
		break;
	case H_TRANSFER_ENCODING:
		if (tunnel)
			return 0;
		if (!cpj_strieq(v, vl, "chunked") || (p->flags & F_TE))
			return CPJ_ERR_HTTP_ENCODING;
		p->flags |= F_TE;
		r->present |= CPJ_HTTP_F_CHUNKED;
		break;
	case H_CONNECTION:
		connection_tokens(p, v, vl);
		break;
	case H_RETRY_AFTER:
		r->present |= CPJ_HTTP_F_RETRY_AFTER;
		if (cpj_parse_u64(v, vl, UINT32_MAX, &x) == 0) {
			r->retry_after = (uint32_t)x;
			r->dropped &= ~CPJ_HTTP_F_RETRY_AFTER;
		} else {
			r->retry_after = 0;
			r->dropped |= CPJ_HTTP_F_RETRY_AFTER;
		}
		break;
	case H_NONE:
		break;
	default: {
		const struct capture_to *c = &captures[kind - H_AMZN_RID];

		/* x-amzn-RequestId wins over x-amz-request-id */
		if (kind == H_AMZ_RID && (p->flags & F_AMZN_RID))
			break;
		if (kind == H_AMZN_RID)
			p->flags |= F_AMZN_RID;
		capture(r, (char *)r + c->off, c->cap, c->bit, v, vl);
		break;
	}
	}
	return 0;
}

/* The empty line after the head: choose the framing of the body. */
static int
end_of_head(cpj_http_parser *p)
{
	cpj_http_response *r = p->resp;

	if (p->flags & F_INTERIM) {
		/* 1xx: no body; the real response follows. */
		p->flags &= ~F_INTERIM;
		p->state = ST_STATUS;
		return 0;
	}
	if ((p->flags & F_CONNECT) && r->status / 100 == 2) {
		r->keep_alive = 1;
		p->state = ST_DONE;
		return 0;
	}
	if ((p->flags & F_CL) && (p->flags & F_TE))
		return CPJ_ERR_HTTP_CONTENT_LENGTH;
	r->keep_alive = !(p->flags & F_CLOSE)
	    && (r->version_minor == 1 || (p->flags & F_KA));
	if ((p->flags & F_HEAD) || r->status == 204 || r->status == 304) {
		p->state = ST_DONE;
	} else if (p->flags & F_TE) {
		p->left = 0;
		p->line_len = 0;
		p->state = ST_CHUNK_SIZE;
	} else if (p->flags & F_CL) {
		if (r->max_body != 0 && r->content_length > r->max_body)
			return CPJ_ERR_HTTP_BODY_TOO_LARGE;
		p->left = r->content_length;
		p->state = p->left != 0 ? ST_BODY_LEN : ST_DONE;
	} else {
		r->keep_alive = 0;
		r->until_eof = 1;
		p->state = ST_BODY_EOF;
	}
	return 0;
}

/* A complete header or trailer line in p->line. */
static CPJ_NOINLINE int
header_line(cpj_http_parser *p)
{
	char *s = p->line;
	size_t n = p->line_len, nl, vs, ve;
	cpj_http_response *r = p->resp;
	int rc;

	if (n == 0) {
		if (p->state == ST_TRAILER) {
			p->state = ST_DONE;
			return 0;
		}
		return end_of_head(p);
	}
	if (++p->nlines > p->max_headers)
		return CPJ_ERR_HTTP_TOO_MANY_HEADERS;
	/* obs-fold and names with space before the colon are rejected. */
	nl = cpj_http_token_span(s, n);
	if (nl == 0 || nl == n || s[nl] != ':')
		return CPJ_ERR_HTTP_HEADER;
	vs = nl + 1;
	while (vs < n && (s[vs] == ' ' || s[vs] == '\t'))
		vs++;
	ve = n;
	while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
		ve--;
	if (cpj_http_field_span(s + vs, ve - vs) != ve - vs)
		return CPJ_ERR_HTTP_HEADER;
	if (p->state == ST_TRAILER || (p->flags & F_INTERIM))
		return 0;
	r->nheaders++;
	s[nl] = '\0';
	s[ve] = '\0';
	rc = header_field(p, s, nl, s + vs, ve - vs);
	if (rc < 0)
		return rc;
	if (r->on_header != NULL) {
		rc = r->on_header(r->header_ctx, s, nl, s + vs, ve - vs);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Hand body bytes to the sink. Past max_body, the bytes up to the limit
 * are still handed over, so that the outcome does not depend on how the
 * input was split.
 */
static int
deliver(cpj_http_parser *p, const unsigned char *d, size_t n)
{
	cpj_http_response *r = p->resp;
	int over = 0;

	if (r->max_body != 0) {
		uint64_t room = r->body_bytes >= r->max_body ? 0
		    : r->max_body - r->body_bytes;

		if ((uint64_t)n > room) {
			n = (size_t)room;
			over = 1;
		}
	}
	r->body_bytes += n;
	if (n != 0 && r->on_body != NULL) {
		int rc = r->on_body(r->body_ctx, d, n);

		if (rc < 0)
			return rc;
	}
	return over ? CPJ_ERR_HTTP_BODY_TOO_LARGE : 0;
}

/* One byte of a chunk-size line: 1*HEXDIG [BWS] [; ext] CRLF. */
static CPJ_NOINLINE int
chunk_size_byte(cpj_http_parser *p, int c)
{
	cpj_http_response *r = p->resp;
	int v;

	if (++p->line_len > CPJ_HTTP_LINE_MAX)
		return CPJ_ERR_HTTP_CHUNK;
	if (p->flags & F_CR) {
		if (c != '\n' || !(p->flags & F_DIGIT))
			return CPJ_ERR_HTTP_CHUNK;
		p->flags &= ~(F_CR | F_DIGIT | F_BWS | F_EXT);
		p->line_len = 0;
		if (p->left == 0) {
			p->state = ST_TRAILER;
			return 0;
		}
		if (r->max_body != 0 && (r->body_bytes > r->max_body
		    || p->left > r->max_body - r->body_bytes))
			return CPJ_ERR_HTTP_BODY_TOO_LARGE;
		p->state = ST_CHUNK_DATA;
		return 0;
	}
	if (c == '\r') {
		p->flags |= F_CR;
		return 0;
	}
	if (p->flags & F_EXT)
		return is_field_byte(c) ? 0 : CPJ_ERR_HTTP_CHUNK;
	v = cpj_hexval(c);
	if (v >= 0 && !(p->flags & F_BWS)) {
		if (p->left > (UINT64_MAX >> 4))
			return CPJ_ERR_HTTP_CHUNK;
		p->left = (p->left << 4) | (uint64_t)v;
		p->flags |= F_DIGIT;
		return 0;
	}
	if (!(p->flags & F_DIGIT))
		return CPJ_ERR_HTTP_CHUNK;
	if (c == ' ' || c == '\t') {
		p->flags |= F_BWS;
		return 0;
	}
	if (c == ';') {
		p->flags |= F_EXT;
		return 0;
	}
	return CPJ_ERR_HTTP_CHUNK;
}

/* A body span of at most `left` bytes; returns bytes used or < 0. */
static CPJ_NOINLINE int
body_span(cpj_http_parser *p, const unsigned char *d, size_t avail,
	size_t *used)
{
	size_t n = avail;

	if ((uint64_t)n > p->left)
		n = (size_t)p->left;
	*used = n;
	p->left -= n;
	return deliver(p, d, n);
}

/* see cpj_http.h */
int
cpj_http_parser_feed(cpj_http_parser *p, const unsigned char *data,
	size_t len, size_t *consumed)
{
	size_t i = 0, n;
	int rc = 0;

	*consumed = 0;
	if (p->err != 0)
		return p->err;
	while (i < len && p->state != ST_DONE && rc >= 0) {
		int c = data[i];

		switch (p->state) {
		case ST_STATUS:
			/* Fail fast on a reply that is not HTTP at all. */
			if (p->line_len < 5 && !(p->flags & F_CR)
			    && c != "HTTP/"[p->line_len]) {
				rc = CPJ_ERR_HTTP_STATUS_LINE;
				break;
			}
			if (p->line_len < 5) {
				i++;
				rc = line_byte(p, c, CPJ_ERR_HTTP_STATUS_LINE);
			} else {
				rc = line_span(p, data + i, len - i, &n,
				    CPJ_ERR_HTTP_STATUS_LINE);
				i += n;
			}
			if (rc == 1) {
				rc = status_line(p);
				p->line_len = 0;
			}
			break;
		case ST_HEADER:
		case ST_TRAILER:
			rc = line_span(p, data + i, len - i, &n,
			    CPJ_ERR_HTTP_HEADER);
			i += n;
			if (rc == 1) {
				rc = header_line(p);
				p->line_len = 0;
			}
			break;
		case ST_BODY_LEN:
			rc = body_span(p, data + i, len - i, &n);
			i += n;
			if (p->left == 0)
				p->state = ST_DONE;
			break;
		case ST_BODY_EOF:
			n = len - i;
			rc = deliver(p, data + i, n);
			i += n;
			break;
		case ST_CHUNK_SIZE:
			i++;
			rc = chunk_size_byte(p, c);
			break;
		case ST_CHUNK_DATA:
			rc = body_span(p, data + i, len - i, &n);
			i += n;
			if (p->left == 0)
				p->state = ST_CHUNK_CR;
			break;
		case ST_CHUNK_CR:
			i++;
			if (c != '\r')
				rc = CPJ_ERR_HTTP_CHUNK;
			p->state = ST_CHUNK_LF;
			break;
		case ST_CHUNK_LF:
			i++;
			if (c != '\n')
				rc = CPJ_ERR_HTTP_CHUNK;
			p->state = ST_CHUNK_SIZE;
			break;
		default:
			rc = CPJ_ERR_INTERNAL;
			break;
		}
	}
	p->in_bytes += i;
	*consumed = i;
	if (rc < 0) {
		p->err = rc;
		p->resp->keep_alive = 0;
		return rc;
	}
	return p->state == ST_DONE;
}

/* see cpj_http.h */
int
cpj_http_parser_eof(cpj_http_parser *p)
{
	if (p->err != 0)
		return p->err;
	if (p->state == ST_BODY_EOF)
		p->state = ST_DONE;
	if (p->state == ST_DONE)
		return 1;
	p->err = CPJ_ERR_HTTP_TRUNCATED;
	p->resp->keep_alive = 0;
	return p->err;
}
