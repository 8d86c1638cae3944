/*
 * sigv4_sign.c -- canonical request, string to sign, signing key cache,
 * header and query signing (see cpj_sigv4.h).
 *
 * The canonical request is generated piece by piece into a small staging
 * buffer of the context and streamed through SHA-256 (and into the
 * caller's copy buffer when one was asked for); it is never held whole.
 */
#include "inner.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"
#define METHOD_MAX 32
#define EXPIRES_MAX 604800u

static const char empty_sha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char unsigned_payload[] = "UNSIGNED-PAYLOAD";
static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

#if CPJ_CONFIG_SIGV4_PRESIGN
/* The auth parameters of a presigned URL (all unreserved characters). */
static const char *const auth_params[] = {
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
};
#endif

/* RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), one bit per byte value. */
static const uint32_t unreserved_map[8] = {
	0, 0x03FF6000, 0x87FFFFFE, 0x47FFFFFE, 0, 0, 0, 0
};
#define UNRESERVED(c) ((unreserved_map[(c) >> 5] >> ((c) & 31)) & 1u)

/* Header value bytes: 1 SP/HT, 2 end or CR/LF, 0 anything else. */
static const unsigned char vclass[256] = {
	[0] = 2, ['\t'] = 1, ['\n'] = 2, ['\r'] = 2, [' '] = 1,
};

/* HTTP token character (RFC 9110 tchar). */
static int
tchar(unsigned c)
{
	if (UNRESERVED(c))
		return 1;
	return c != 0 && strchr("!#$%&'*+^`|", (int)c) != NULL;
}

static void
hex_lower_out(char *out, const unsigned char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex_lower[in[i] >> 4];
		out[2 * i + 1] = hex_lower[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* ---- canonical request stream ---------------------------------------- */

static void
flush(cpj_sigv4_context *ctx)
{
	if (ctx->stage_len == 0)
		return;
	br_sha256_update(&ctx->sha, ctx->stage, ctx->stage_len);
	if (ctx->copy_on)
		cpj_buf_put(&ctx->copy, ctx->stage, ctx->stage_len);
	ctx->stage_len = 0;
}

static void
put(cpj_sigv4_context *ctx, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (len > sizeof ctx->stage - ctx->stage_len) {
		flush(ctx);
		if (len >= sizeof ctx->stage) {
			br_sha256_update(&ctx->sha, data, len);
			if (ctx->copy_on)
				cpj_buf_put(&ctx->copy, data, len);
			return;
		}
	}
	memcpy(ctx->stage + ctx->stage_len, data, len);
	ctx->stage_len += len;
}

static inline void
putch(cpj_sigv4_context *ctx, unsigned c)
{
	if (ctx->stage_len == sizeof ctx->stage)
		flush(ctx);
	ctx->stage[ctx->stage_len++] = (unsigned char)c;
}

static void
put_str(cpj_sigv4_context *ctx, const char *s)
{
	put(ctx, s, strlen(s));
}

static inline void
put_pct(cpj_sigv4_context *ctx, unsigned c)
{
	putch(ctx, '%');
	putch(ctx, (unsigned char)hex_upper[c >> 4]);
	putch(ctx, (unsigned char)hex_upper[c & 15]);
}

/* ---- path -------------------------------------------------------------- */

/* Encode every byte but the unreserved ones and '/'. */
static void
emit_path_enc(cpj_sigv4_context *ctx, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		unsigned c = (unsigned char)s[i];

		if (UNRESERVED(c) || c == '/')
			continue;
		put(ctx, s + run, i - run);
		put_pct(ctx, c);
		run = i + 1;
	}
	put(ctx, s + run, len - run);
}

static int
emit_path(cpj_sigv4_context *ctx, const char *path)
{
	size_t len, i, n, k;

	len = strlen(path);
	if (len == 0) {
		putch(ctx, '/');
		return CPJ_OK;
	}
	if (path[0] != '/' || len > UINT32_MAX)
		return CPJ_ERR_SIGV4_INPUT;
	for (i = 0; i < len; i++) {
		unsigned c = (unsigned char)path[i];

		if (c < 0x20 || c == 0x7f || c == '?' || c == '#')
			return CPJ_ERR_SIGV4_INPUT;
	}
	if (ctx->flags & CPJ_SIGV4_S3) {
		put(ctx, path, len);
		return CPJ_OK;
	}
	if (ctx->flags & CPJ_SIGV4_NO_NORMALIZE) {
		emit_path_enc(ctx, path, len);
		return CPJ_OK;
	}

	/* remove_dot_segments, dropping empty segments too. */
	n = 0;
	i = 1;
	while (i <= len) {
		size_t start = i, sl;

		while (i < len && path[i] != '/')
			i++;
		sl = i - start;
		i++;
		if (sl == 0 || (sl == 1 && path[start] == '.'))
			continue;
		if (sl == 2 && path[start] == '.' && path[start + 1] == '.') {
			if (n > 0)
				n--;
			continue;
		}
		if (n == CPJ_SIGV4_SEGMENTS_MAX)
			return CPJ_ERR_SIGV4_INPUT;
		ctx->u.seg[n].off = (uint32_t)start;
		ctx->u.seg[n].len = (uint32_t)sl;
		n++;
	}
	putch(ctx, '/');
	for (k = 0; k < n; k++) {
		if (k > 0)
			putch(ctx, '/');
		emit_path_enc(ctx, path + ctx->u.seg[k].off, ctx->u.seg[k].len);
	}
	if (n > 0 && path[len - 1] == '/')
		putch(ctx, '/');
	return CPJ_OK;
}

/* ---- query ------------------------------------------------------------- */

/* Iterator over the encoded form of a decoded wire string. */
struct qit {
	const unsigned char *p, *end;
	int np;
	unsigned char pend[2];
};

static void
qit_init(struct qit *it, const char *s, size_t len)
{
	it->p = (const unsigned char *)s;
	it->end = it->p + len;
	it->np = 0;
}

static int
qit_next(struct qit *it)
{
	unsigned c;

	if (it->np > 0)
		return it->pend[2 - it->np--];
	if (it->p == it->end)
		return -1;
	c = *it->p++;
	if (c == '%') {
		/* split_query checked that two hex digits follow */
		c = (unsigned)(cpj_hexval(it->p[0]) << 4 | cpj_hexval(it->p[1]));
		it->p += 2;
	}
	if (UNRESERVED(c))
		return (int)c;
	it->pend[0] = (unsigned char)hex_upper[c >> 4];
	it->pend[1] = (unsigned char)hex_upper[c & 15];
	it->np = 2;
	return '%';
}

static int
enc_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	struct qit x, y;
	int cx, cy;

	qit_init(&x, a, alen);
	qit_init(&y, b, blen);
	do {
		cx = qit_next(&x);
		cy = qit_next(&y);
		if (cx != cy)
			return cx - cy;
	} while (cx >= 0);
	return 0;
}

static const char *
qval(const cpj_sigv4_qparam *q, size_t *vlen)
{
	if (q->klen < q->len) {
		*vlen = q->len - q->klen - 1;
		return q->s + q->klen + 1;
	}
	*vlen = 0;
	return q->s + q->len;
}

static int
qcmp(const cpj_sigv4_qparam *a, const cpj_sigv4_qparam *b)
{
	const char *av, *bv;
	size_t al, bl;
	int r;

	r = enc_cmp(a->s, a->klen, b->s, b->klen);
	if (r != 0)
		return r;
	av = qval(a, &al);
	bv = qval(b, &bl);
	return enc_cmp(av, al, bv, bl);
}

/* Split a wire query into ctx->u.q[*n ..], at most `max` entries in all. */
static int
split_query(cpj_sigv4_context *ctx, const char *q, size_t *n, size_t max)
{
	const char *p = q;

	while (*p != '\0') {
		const char *s = p;
		size_t klen = 0, len;
		int eq = 0;

		while (*p != '\0' && *p != '&') {
			unsigned c = (unsigned char)*p;

			if (c < 0x20 || c == 0x7f || c == '#')
				return CPJ_ERR_SIGV4_INPUT;
			if (c == '%') {
				if (cpj_hexval(p[1]) < 0 || cpj_hexval(p[2]) < 0)
					return CPJ_ERR_SIGV4_INPUT;
				p += 3;
				continue;
			}
			if (c == '=' && !eq) {
				klen = (size_t)(p - s);
				eq = 1;
			}
			p++;
		}
		len = (size_t)(p - s);
		if (len > 0) {
			if (*n >= max || len > UINT32_MAX)
				return CPJ_ERR_SIGV4_INPUT;
			ctx->u.q[*n].s = s;
			ctx->u.q[*n].klen = (uint32_t)(eq ? klen : len);
			ctx->u.q[*n].len = (uint32_t)len;
			(*n)++;
		}
		if (*p == '&')
			p++;
	}
	return CPJ_OK;
}

static void
sort_query(cpj_sigv4_context *ctx, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		cpj_sigv4_qparam t = ctx->u.q[i];

		for (j = i; j > 0 && qcmp(&ctx->u.q[j - 1], &t) > 0; j--)
			ctx->u.q[j] = ctx->u.q[j - 1];
		ctx->u.q[j] = t;
	}
}

static void
emit_qenc(cpj_sigv4_context *ctx, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = (unsigned char)s[i];

		if (c == '%') {
			c = (unsigned)(cpj_hexval((unsigned char)s[i + 1]) << 4
			    | cpj_hexval((unsigned char)s[i + 2]));
			i += 3;
		} else {
			i++;
		}
		if (UNRESERVED(c))
			putch(ctx, c);
		else
			put_pct(ctx, c);
	}
}

static void
emit_query(cpj_sigv4_context *ctx, size_t n)
{
	size_t i, vl;
	const char *v;

	for (i = 0; i < n; i++) {
		if (i > 0)
			putch(ctx, '&');
		emit_qenc(ctx, ctx->u.q[i].s, ctx->u.q[i].klen);
		putch(ctx, '=');
		v = qval(&ctx->u.q[i], &vl);
		emit_qenc(ctx, v, vl);
	}
}

/* ---- headers ----------------------------------------------------------- */

static const cpj_sigv4_header *
hdr(const cpj_sigv4_context *ctx, const cpj_sigv4_request *req, unsigned i)
{
	return i < req->header_count ? &req->headers[i]
	    : &ctx->added[i - req->header_count];
}

/* Case-insensitive byte-order compare of two names. */
static int
name_cmp(const char *a, const char *b)
{
	for (;;) {
		int ca = cpj_tolower((unsigned char)*a++);
		int cb = cpj_tolower((unsigned char)*b++);

		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

/* Check the caller's headers, append the added ones, sort (stably). */
static int
sort_headers(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	size_t nadded, int header_mode, size_t *total)
{
	size_t i, j, n, nl;
	int host = 0;

	if (req->header_count > CPJ_SIGV4_HEADERS_MAX)
		return CPJ_ERR_SIGV4_INPUT;
	if (req->header_count > 0 && req->headers == NULL)
		return CPJ_ERR_PARAM;
	for (i = 0; i < req->header_count; i++) {
		const char *name = req->headers[i].name;

		if (name == NULL || req->headers[i].value == NULL)
			return CPJ_ERR_PARAM;
		nl = cpj_strnlen(name, CPJ_SIGV4_HNAME_MAX);
		if (nl == 0 || nl > CPJ_SIGV4_HNAME_MAX)
			return CPJ_ERR_SIGV4_INPUT;
		for (j = 0; j < nl; j++) {
			if (!tchar((unsigned char)name[j]))
				return CPJ_ERR_SIGV4_INPUT;
		}
		switch (cpj_tolower((unsigned char)name[0])) {
		case 'h':
			host |= cpj_strieq(name, nl, "host");
			break;
		case 'a':
			if (header_mode && cpj_strieq(name, nl, "authorization"))
				return CPJ_ERR_SIGV4_INPUT;
			break;
		case 'x':       /* the added names all start with "x-amz-" */
			for (j = 0; j < nadded; j++) {
				if (cpj_strieq(name, nl, ctx->added[j].name))
					return CPJ_ERR_SIGV4_INPUT;
			}
			break;
		}
	}
	if (!host)
		return CPJ_ERR_SIGV4_INPUT;

	n = req->header_count + nadded;
	for (i = 0; i < n; i++) {
		uint8_t t = (uint8_t)i;
		const char *tn = hdr(ctx, req, t)->name;

		for (j = i; j > 0
		    && name_cmp(hdr(ctx, req, ctx->hidx[j - 1])->name, tn) > 0; j--)
			ctx->hidx[j] = ctx->hidx[j - 1];
		ctx->hidx[j] = t;
	}
	ctx->hsame[0] = 0;
	for (i = 1; i < n; i++)
		ctx->hsame[i] = name_cmp(hdr(ctx, req, ctx->hidx[i - 1])->name,
		    hdr(ctx, req, ctx->hidx[i])->name) == 0;
	*total = n;
	return CPJ_OK;
}

static void
emit_lower(cpj_sigv4_context *ctx, const char *s)
{
	while (*s != '\0')
		putch(ctx, (unsigned)cpj_tolower((unsigned char)*s++));
}

/* Trimmed value: SP/HT runs collapse to one space, ends trimmed. */
static int
emit_value(cpj_sigv4_context *ctx, const char *v)
{
	const unsigned char *p = (const unsigned char *)v, *w;
	int first = 1;

	for (;;) {
		while (vclass[*p] == 1)
			p++;
		if (*p == '\0')
			return CPJ_OK;
		if (vclass[*p] == 2)
			return CPJ_ERR_SIGV4_INPUT;
		w = p;
		while (vclass[*p] == 0)
			p++;
		if (!first)
			putch(ctx, ' ');
		first = 0;
		put(ctx, w, (size_t)(p - w));
	}
}

/* Index just past the group of same-named headers starting at i. */
static size_t
group_end(const cpj_sigv4_context *ctx, size_t i, size_t n)
{
	for (i++; i < n && ctx->hsame[i]; i++)
		;
	return i;
}

/* Canonical headers, then the signed header list (`signed_list` when the
 * caller has it already, else generated). */
static int
emit_headers(cpj_sigv4_context *ctx, const cpj_sigv4_request *req, size_t n,
	const char *signed_list, size_t signed_len)
{
	size_t i, j, e;
	int rc;

	for (i = 0; i < n; i = e) {
		e = group_end(ctx, i, n);
		emit_lower(ctx, hdr(ctx, req, ctx->hidx[i])->name);
		putch(ctx, ':');
		for (j = i; j < e; j++) {
			if (j > i)
				putch(ctx, ',');
			rc = emit_value(ctx, hdr(ctx, req, ctx->hidx[j])->value);
			if (rc < 0)
				return rc;
		}
		putch(ctx, '\n');
	}
	putch(ctx, '\n');
	if (signed_list != NULL) {
		put(ctx, signed_list, signed_len);
		return CPJ_OK;
	}
	for (i = 0; i < n; i = e) {
		e = group_end(ctx, i, n);
		if (i > 0)
			putch(ctx, ';');
		emit_lower(ctx, hdr(ctx, req, ctx->hidx[i])->name);
	}
	return CPJ_OK;
}

/* Append the lower-case form of s[0..n). */
static void
buf_put_lower(cpj_buf *b, const char *s, size_t n)
{
	size_t i;

	if (b->over || n >= b->cap - b->len) {
		b->over = 1;
		return;
	}
	for (i = 0; i < n; i++)
		b->p[b->len + i] = (char)cpj_tolower((unsigned char)s[i]);
	b->len += n;
	b->p[b->len] = '\0';
}

/* SignedHeaders value into b; `pct` percent-encodes it (query mode). */
static void
buf_signed_headers(const cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	size_t n, cpj_buf *b, int pct)
{
	size_t i, e;
	const char *s;

	for (i = 0; i < n; i = e) {
		e = group_end(ctx, i, n);
		s = hdr(ctx, req, ctx->hidx[i])->name;
		if (!pct) {
			if (i > 0)
				cpj_buf_putc(b, ';');
			buf_put_lower(b, s, strlen(s));
			continue;
		}
		if (i > 0)
			cpj_buf_puts(b, "%3B");
		for (; *s != '\0'; s++) {
			unsigned c = (unsigned)cpj_tolower((unsigned char)*s);

			if (UNRESERVED(c)) {
				cpj_buf_putc(b, (char)c);
			} else {
				cpj_buf_putc(b, '%');
				cpj_buf_putc(b, hex_upper[c >> 4]);
				cpj_buf_putc(b, hex_upper[c & 15]);
			}
		}
	}
}

#if CPJ_CONFIG_SIGV4_PRESIGN
/* Append s percent-encoded with the unreserved set. */
static void
buf_put_enc(cpj_buf *b, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		unsigned c = (unsigned char)*s;

		if (UNRESERVED(c))
			continue;
		cpj_buf_put(b, run, (size_t)(s - run));
		cpj_buf_putc(b, '%');
		cpj_buf_putc(b, hex_upper[c >> 4]);
		cpj_buf_putc(b, hex_upper[c & 15]);
		run = s + 1;
	}
	cpj_buf_put(b, run, (size_t)(s - run));
}
#endif

/* ---- date, payload, credentials ---------------------------------------- */

static unsigned
num(const char *s, int digits)
{
	unsigned v = 0;

	while (digits-- > 0)
		v = v * 10 + (unsigned)(*s++ - '0');
	return v;
}

static int
amz_date_ok(const char *s)
{
	static const unsigned char mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned y, mo, d;
	int i;

	if (cpj_strnlen(s, 16) != 16 || s[8] != 'T' || s[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++) {
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return 0;
	}
	y = num(s, 4);
	mo = num(s + 4, 2);
	d = num(s + 6, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	return num(s + 9, 2) < 24 && num(s + 11, 2) < 60 && num(s + 13, 2) < 60;
}

static int
payload_hash(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res)
{
	size_t i;

	switch (req->payload) {
	case CPJ_SIGV4_PAYLOAD_BODY:
		if (req->body_len == 0) {
			memcpy(res->payload_hash, empty_sha256, sizeof empty_sha256);
			return CPJ_OK;
		}
		if (req->body == NULL)
			return CPJ_ERR_PARAM;
		br_sha256_init(&ctx->sha);
		br_sha256_update(&ctx->sha, req->body, req->body_len);
		br_sha256_out(&ctx->sha, ctx->stage);
		hex_lower_out(res->payload_hash, ctx->stage, 32);
		return CPJ_OK;
	case CPJ_SIGV4_PAYLOAD_HASH:
		if (req->payload_hash == NULL)
			return CPJ_ERR_PARAM;
		if (cpj_strnlen(req->payload_hash, 64) != 64)
			return CPJ_ERR_SIGV4_INPUT;
		for (i = 0; i < 64; i++) {
			char c = req->payload_hash[i];

			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return CPJ_ERR_SIGV4_INPUT;
		}
		memcpy(res->payload_hash, req->payload_hash, 65);
		return CPJ_OK;
	case CPJ_SIGV4_PAYLOAD_UNSIGNED:
		memcpy(res->payload_hash, unsigned_payload, sizeof unsigned_payload);
		return CPJ_OK;
	default:
		return CPJ_ERR_PARAM;
	}
}

/* Lengths of region, service and access key id, re-checked per call. */
static int
scope_lengths(const cpj_sigv4_context *ctx, size_t *rl, size_t *sl, size_t *al)
{
	size_t i;

	if (ctx->region == NULL || ctx->service == NULL)
		return CPJ_ERR_PARAM;
	if (ctx->akid == NULL || ctx->secret == NULL)
		return CPJ_ERR_SIGV4_CREDS;
	*rl = cpj_strnlen(ctx->region, CPJ_SIGV4_NAME_MAX);
	*sl = cpj_strnlen(ctx->service, CPJ_SIGV4_NAME_MAX);
	if (*rl == 0 || *rl > CPJ_SIGV4_NAME_MAX || *sl == 0
	    || *sl > CPJ_SIGV4_NAME_MAX)
		return CPJ_ERR_PARAM;
	for (i = 0; i < *rl; i++) {
		if (!UNRESERVED((unsigned char)ctx->region[i])
		    || ctx->region[i] == '~')
			return CPJ_ERR_PARAM;
	}
	for (i = 0; i < *sl; i++) {
		if (!UNRESERVED((unsigned char)ctx->service[i])
		    || ctx->service[i] == '~')
			return CPJ_ERR_PARAM;
	}
	*al = cpj_strnlen(ctx->akid, CPJ_SIGV4_AKID_MAX);
	if (*al == 0 || *al > CPJ_SIGV4_AKID_MAX)
		return CPJ_ERR_SIGV4_CREDS;
	for (i = 0; i < *al; i++) {
		unsigned c = (unsigned char)ctx->akid[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ',' || c == ';'
		    || c == '=')
			return CPJ_ERR_SIGV4_CREDS;
	}
	return CPJ_OK;
}

/* ---- signing key ------------------------------------------------------- */

/*
 * HMAC-SHA256 (RFC 2104) on BearSSL's SHA-256: a key is kept as the two
 * SHA-256 states after its inner and outer pad blocks, as br_hmac does,
 * so that a MAC costs no key set-up and the stack stays that of SHA-256.
 */
static void
hmac_key(cpj_sigv4_context *ctx, const unsigned char *key, size_t len,
	unsigned char *ist, unsigned char *ost)
{
	unsigned char *b = ctx->u.d.block;
	size_t i;

	if (len > 64) {
		br_sha256_init(&ctx->sha);
		br_sha256_update(&ctx->sha, key, len);
		br_sha256_out(&ctx->sha, ctx->u.d.t);
		key = ctx->u.d.t;
		len = 32;
	}
	for (i = 0; i < 64; i++)
		b[i] = (unsigned char)((i < len ? key[i] : 0) ^ 0x36);
	br_sha256_init(&ctx->sha);
	br_sha256_update(&ctx->sha, b, 64);
	br_sha256_state(&ctx->sha, ist);
	for (i = 0; i < 64; i++)
		b[i] ^= 0x36 ^ 0x5C;
	br_sha256_init(&ctx->sha);
	br_sha256_update(&ctx->sha, b, 64);
	br_sha256_state(&ctx->sha, ost);
}

/* out = HMAC(key given by its states, msg); out may not overlap msg. */
static void
hmac(cpj_sigv4_context *ctx, const unsigned char *ist,
	const unsigned char *ost, const void *msg, size_t len,
	unsigned char *out)
{
	br_sha256_set_state(&ctx->sha, ist, 64);
	br_sha256_update(&ctx->sha, msg, len);
	br_sha256_out(&ctx->sha, out);
	br_sha256_set_state(&ctx->sha, ost, 64);
	br_sha256_update(&ctx->sha, out, 32);
	br_sha256_out(&ctx->sha, out);
}

/* One step of the key chain: t = HMAC(t, data). */
static void
key_step(cpj_sigv4_context *ctx, const void *data, size_t len)
{
	hmac_key(ctx, ctx->u.d.t, 32, ctx->u.d.ist, ctx->u.d.ost);
	hmac(ctx, ctx->u.d.ist, ctx->u.d.ost, data, len, ctx->u.d.t);
}

static int
signing_key(cpj_sigv4_context *ctx, const char *date8, size_t rl, size_t sl,
	size_t al)
{
	size_t n;

	if (ctx->key_valid && memcmp(ctx->key_date, date8, 8) == 0
	    && ctx->key_akid_len == al && ctx->key_region_len == rl
	    && ctx->key_service_len == sl
	    && memcmp(ctx->key_akid, ctx->akid, al) == 0
	    && memcmp(ctx->key_region, ctx->region, rl) == 0
	    && memcmp(ctx->key_service, ctx->service, sl) == 0)
		return CPJ_OK;

	ctx->key_valid = 0;
	n = cpj_strnlen(ctx->secret, CPJ_SIGV4_SECRET_MAX);
	if (n == 0 || n > CPJ_SIGV4_SECRET_MAX)
		return CPJ_ERR_SIGV4_CREDS;
	/* kDate = HMAC("AWS4" + secret, date), then region, service, ... */
	memcpy(ctx->u.d.k, "AWS4", 4);
	memcpy(ctx->u.d.k + 4, ctx->secret, n);
	hmac_key(ctx, ctx->u.d.k, 4 + n, ctx->u.d.ist, ctx->u.d.ost);
	hmac(ctx, ctx->u.d.ist, ctx->u.d.ost, date8, 8, ctx->u.d.t);
	key_step(ctx, ctx->region, rl);
	key_step(ctx, ctx->service, sl);
	key_step(ctx, TERMINATOR, sizeof TERMINATOR - 1);
	/* u.d.t holds kSigning; keep only its two HMAC states */
	hmac_key(ctx, ctx->u.d.t, 32, ctx->key_ist, ctx->key_ost);
	cpj_wipe(&ctx->u.d, sizeof ctx->u.d);
	cpj_wipe(&ctx->sha, sizeof ctx->sha);

	memcpy(ctx->key_date, date8, 8);
	memcpy(ctx->key_akid, ctx->akid, al);
	memcpy(ctx->key_region, ctx->region, rl);
	memcpy(ctx->key_service, ctx->service, sl);
	ctx->key_akid_len = al;
	ctx->key_region_len = rl;
	ctx->key_service_len = sl;
	ctx->key_valid = 1;
	ctx->derivations++;
	return CPJ_OK;
}

/* ---- the whole signature ----------------------------------------------- */

/*
 * Common part of sign and presign. `out` is the caller's output buffer,
 * already holding the Authorization prefix or the auth parameters.
 */
struct job {
	const cpj_sigv4_request *req;
	cpj_sigv4_result *res;
	cpj_buf *out;
	size_t nh;           /* headers after sorting, added ones included */
	size_t rl, sl, al;   /* region, service, access key id lengths */
	size_t sh_off, sh_len; /* sign: SignedHeaders value inside out */
	int presign;
};

static int
canonical_and_sign(cpj_sigv4_context *ctx, struct job *j)
{
	const cpj_sigv4_request *req = j->req;
	cpj_sigv4_result *res = j->res;
	cpj_buf sts;
	size_t nq = 0;
	int rc;

	/* Canonical request, streamed through SHA-256. */
	br_sha256_init(&ctx->sha);
	ctx->stage_len = 0;
	ctx->copy_on = res->canonical_request != NULL;
	if (ctx->copy_on)
		cpj_buf_init(&ctx->copy, res->canonical_request,
		    res->canonical_request_size);
	put_str(ctx, req->method);
	putch(ctx, '\n');
	rc = emit_path(ctx, req->path);
	if (rc < 0)
		return rc;
	putch(ctx, '\n');
	if (req->query != NULL) {
		rc = split_query(ctx, req->query, &nq, CPJ_SIGV4_QUERY_MAX);
		if (rc < 0)
			return rc;
	}
#if CPJ_CONFIG_SIGV4_PRESIGN
	if (j->presign) {
		size_t i, k;

		for (i = 0; i < nq; i++) {
			for (k = 0; k < CPJ_ARRAY_LEN(auth_params); k++) {
				if (enc_cmp(ctx->u.q[i].s, ctx->u.q[i].klen,
				    auth_params[k], strlen(auth_params[k])) == 0)
					return CPJ_ERR_SIGV4_INPUT;
			}
		}
		rc = split_query(ctx, j->out->p, &nq,
		    CPJ_ARRAY_LEN(ctx->u.q));
		if (rc < 0)
			return CPJ_ERR_INTERNAL;
	}
#endif
	sort_query(ctx, nq);
	emit_query(ctx, nq);
	putch(ctx, '\n');
	rc = emit_headers(ctx, req, j->nh,
	    j->presign ? NULL : j->out->p + j->sh_off, j->sh_len);
	if (rc < 0)
		return rc;
	putch(ctx, '\n');
	put_str(ctx, res->payload_hash);
	flush(ctx);
	if (ctx->copy_on && cpj_buf_ok(&ctx->copy) < 0)
		return CPJ_ERR_NOSPACE;
	br_sha256_out(&ctx->sha, ctx->stage);

	/* Signing key (cached), then the HMAC of the string to sign. */
	rc = signing_key(ctx, res->amz_date, j->rl, j->sl, j->al);
	if (rc < 0)
		return rc;
	/* String to sign, assembled in u.sts (the query index is done) */
	hex_lower_out((char *)ctx->stage + 32, ctx->stage, 32);
	cpj_buf_init(&sts, ctx->u.sts, sizeof ctx->u.sts);
	cpj_buf_put(&sts, ALGORITHM "\n", sizeof ALGORITHM);
	cpj_buf_put(&sts, res->amz_date, 16);
	cpj_buf_putc(&sts, '\n');
	cpj_buf_put(&sts, res->amz_date, 8);
	cpj_buf_putc(&sts, '/');
	cpj_buf_put(&sts, ctx->region, j->rl);
	cpj_buf_putc(&sts, '/');
	cpj_buf_put(&sts, ctx->service, j->sl);
	cpj_buf_put(&sts, "/" TERMINATOR "\n", sizeof TERMINATOR + 1);
	cpj_buf_put(&sts, ctx->stage + 32, 64);
	if (cpj_buf_ok(&sts) < 0)
		return CPJ_ERR_INTERNAL;
	if (res->string_to_sign != NULL) {
		if (sts.len >= res->string_to_sign_size)
			return CPJ_ERR_NOSPACE;
		memcpy(res->string_to_sign, sts.p, sts.len + 1);
	}
	/* HMAC-SHA256(kSigning, string to sign) from the cached states */
	hmac(ctx, ctx->key_ist, ctx->key_ost, sts.p, sts.len, ctx->stage);
	hex_lower_out(res->signature, ctx->stage, 32);
	return CPJ_OK;
}

/* Checks and set-up shared by sign and presign. */
static int
prepare(cpj_sigv4_context *ctx, struct job *j, int header_mode)
{
	const cpj_sigv4_request *req = j->req;
	cpj_sigv4_result *res = j->res;
	size_t i, ml, nadded = 0;
	int rc;

	rc = scope_lengths(ctx, &j->rl, &j->sl, &j->al);
	if (rc < 0)
		return rc;
	if (req->method == NULL || req->path == NULL)
		return CPJ_ERR_PARAM;
	ml = cpj_strnlen(req->method, METHOD_MAX);
	if (ml == 0 || ml > METHOD_MAX)
		return CPJ_ERR_SIGV4_INPUT;
	for (i = 0; i < ml; i++) {
		if (!tchar((unsigned char)req->method[i]))
			return CPJ_ERR_SIGV4_INPUT;
	}
	if (req->amz_date != NULL) {
		if (!amz_date_ok(req->amz_date))
			return CPJ_ERR_SIGV4_TIME;
		memcpy(res->amz_date, req->amz_date, CPJ_SIGV4_AMZ_DATE_SIZE);
	} else {
		rc = cpj_sigv4_amz_date(req->now, res->amz_date);
		if (rc < 0)
			return rc;
	}
	rc = payload_hash(ctx, req, res);
	if (rc < 0)
		return rc;

	if (header_mode) {
		ctx->added[nadded].name = "x-amz-date";
		ctx->added[nadded++].value = res->amz_date;
		if (ctx->token != NULL) {
			res->security_token = ctx->token;
			if (!(ctx->flags & CPJ_SIGV4_OMIT_TOKEN)) {
				ctx->added[nadded].name = "x-amz-security-token";
				ctx->added[nadded++].value = ctx->token;
			}
		}
		if (ctx->flags & (CPJ_SIGV4_S3 | CPJ_SIGV4_SIGN_CONTENT_SHA256)) {
			res->content_sha256 = 1;
			ctx->added[nadded].name = "x-amz-content-sha256";
			ctx->added[nadded++].value = res->payload_hash;
		}
	}
	return sort_headers(ctx, req, nadded, header_mode, &j->nh);
}

static void
start_result(cpj_sigv4_result *res)
{
	res->amz_date[0] = '\0';
	res->payload_hash[0] = '\0';
	res->signature[0] = '\0';
	res->content_sha256 = 0;
	res->security_token = NULL;
	if (res->canonical_request != NULL && res->canonical_request_size > 0)
		res->canonical_request[0] = '\0';
	if (res->string_to_sign != NULL && res->string_to_sign_size > 0)
		res->string_to_sign[0] = '\0';
}

static int
finish(cpj_sigv4_context *ctx, cpj_sigv4_result *res, cpj_buf *out, int rc)
{
	cpj_wipe(&ctx->sha, sizeof ctx->sha);
	cpj_wipe(ctx->stage, sizeof ctx->stage);
	ctx->stage_len = 0;
	ctx->copy_on = 0;
	if (rc == CPJ_OK) {
		rc = cpj_buf_ok(out);
		if (rc == CPJ_OK && out->len > INT32_MAX)
			rc = CPJ_ERR_NOSPACE;
	}
	if (rc < 0) {
		if (out->p != NULL && out->cap > 0)
			out->p[0] = '\0';
		start_result(res);
		return rc;
	}
	return (int)out->len;
}

/* see cpj_sigv4.h */
int
cpj_sigv4_sign(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res, char *auth, size_t auth_size)
{
	struct job j;
	cpj_buf out;
	int rc;

	if (ctx == NULL || req == NULL || res == NULL || auth == NULL)
		return CPJ_ERR_PARAM;
	cpj_buf_init(&out, auth, auth_size);
	start_result(res);
	memset(&j, 0, sizeof j);
	j.req = req;
	j.res = res;
	j.out = &out;
	rc = prepare(ctx, &j, 1);
	if (rc == CPJ_OK) {
		cpj_buf_puts(&out, ALGORITHM " Credential=");
		cpj_buf_put(&out, ctx->akid, j.al);
		cpj_buf_putc(&out, '/');
		cpj_buf_put(&out, res->amz_date, 8);
		cpj_buf_putc(&out, '/');
		cpj_buf_put(&out, ctx->region, j.rl);
		cpj_buf_putc(&out, '/');
		cpj_buf_put(&out, ctx->service, j.sl);
		cpj_buf_puts(&out, "/" TERMINATOR ", SignedHeaders=");
		j.sh_off = out.len;
		buf_signed_headers(ctx, req, j.nh, &out, 0);
		j.sh_len = out.len - j.sh_off;
		cpj_buf_puts(&out, ", Signature=");
		/* room for the signature? */
		if (out.over || auth_size - out.len <= 64)
			rc = CPJ_ERR_NOSPACE;
	}
	if (rc == CPJ_OK)
		rc = canonical_and_sign(ctx, &j);
	if (rc == CPJ_OK)
		cpj_buf_put(&out, res->signature, 64);
	return finish(ctx, res, &out, rc);
}

#if CPJ_CONFIG_SIGV4_PRESIGN
/* see cpj_sigv4.h */
int
cpj_sigv4_presign(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
	cpj_sigv4_result *res, char *query, size_t query_size)
{
	struct job j;
	cpj_buf out;
	int rc;

	if (ctx == NULL || req == NULL || res == NULL || query == NULL)
		return CPJ_ERR_PARAM;
	cpj_buf_init(&out, query, query_size);
	start_result(res);
	memset(&j, 0, sizeof j);
	j.req = req;
	j.res = res;
	j.out = &out;
	j.presign = 1;
	rc = prepare(ctx, &j, 0);
	if (rc == CPJ_OK && (req->expires == 0 || req->expires > EXPIRES_MAX))
		rc = CPJ_ERR_SIGV4_INPUT;
	if (rc == CPJ_OK) {
		cpj_buf_puts(&out, "X-Amz-Algorithm=" ALGORITHM
		    "&X-Amz-Credential=");
		buf_put_enc(&out, ctx->akid);
		cpj_buf_puts(&out, "%2F");
		cpj_buf_put(&out, res->amz_date, 8);
		cpj_buf_puts(&out, "%2F");
		cpj_buf_put(&out, ctx->region, j.rl);
		cpj_buf_puts(&out, "%2F");
		cpj_buf_put(&out, ctx->service, j.sl);
		cpj_buf_puts(&out, "%2F" TERMINATOR "&X-Amz-Date=");
		cpj_buf_puts(&out, res->amz_date);
		cpj_buf_puts(&out, "&X-Amz-Expires=");
		cpj_buf_put_u64(&out, req->expires);
		cpj_buf_puts(&out, "&X-Amz-SignedHeaders=");
		buf_signed_headers(ctx, req, j.nh, &out, 1);
		if (ctx->token != NULL && !(ctx->flags & CPJ_SIGV4_OMIT_TOKEN)) {
			cpj_buf_puts(&out, "&X-Amz-Security-Token=");
			buf_put_enc(&out, ctx->token);
		}
		if (out.over)
			rc = CPJ_ERR_NOSPACE;
	}
	if (rc == CPJ_OK)
		rc = canonical_and_sign(ctx, &j);
	if (rc == CPJ_OK) {
		cpj_buf_puts(&out, "&X-Amz-Signature=");
		cpj_buf_put(&out, res->signature, 64);
		if (ctx->token != NULL && (ctx->flags & CPJ_SIGV4_OMIT_TOKEN)) {
			cpj_buf_puts(&out, "&X-Amz-Security-Token=");
			buf_put_enc(&out, ctx->token);
		}
	}
	return finish(ctx, res, &out, rc);
}
#endif /* CPJ_CONFIG_SIGV4_PRESIGN */
