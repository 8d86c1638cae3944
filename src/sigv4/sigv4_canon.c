/*
 * sigv4_canon.c -- the canonical request of SigV4 (see cpj_sigv4.h):
 * path normalisation and encoding, query splitting and sorting, header
 * checks, sorting and trimming.
 *
 * The canonical request is generated piece by piece into a small staging
 * buffer of the context and streamed through SHA-256 (and into the
 * caller's copy buffer when one was asked for); it is never held whole.
 */
#include "sigv4_int.h"
#include "util/sha256_int.h"
#include "util/word_int.h"

#if CPJ_CONFIG_SIGV4_PRESIGN
/* The auth parameters of a presigned URL (all unreserved characters),
 * one after the other. */
static const char auth_params[] =
	"X-Amz-Algorithm\0X-Amz-Credential\0X-Amz-Date\0X-Amz-Expires\0"
	"X-Amz-SignedHeaders\0X-Amz-Security-Token\0X-Amz-Signature";
#endif

/* see sigv4_int.h */
const char cpj_sigv4_hex_upper[17] = "0123456789ABCDEF";
/* see sigv4_int.h */
const uint32_t cpj_sigv4_unreserved[8] = {
	0, 0x03FF6000, 0x87FFFFFE, 0x47FFFFFE, 0, 0, 0, 0
};

#if CPJ_CONFIG_S3 || CPJ_CONFIG_SIGV4_PRESIGN
/* see sigv4_calls.h */
void
cpj_sigv4_buf_put_enc(cpj_buf *b, const char *s, size_t n, unsigned keep)
{
	const char *run = s, *end = s + n;

	for (; s != end; s++) {
		unsigned c = (unsigned char)*s;

		if (UNRESERVED(c) || c == keep)
			continue;
		cpj_buf_put(b, run, (size_t)(s - run));
		cpj_buf_putc(b, '%');
		cpj_buf_putc(b, cpj_sigv4_hex_upper[c >> 4]);
		cpj_buf_putc(b, cpj_sigv4_hex_upper[c & 15]);
		run = s + 1;
	}
	cpj_buf_put(b, run, (size_t)(s - run));
}
#endif

/* Header value bytes: 1 SP/HT, 2 end or CR/LF, 0 anything else. */
static int
vclass(unsigned c)
{
	if (c == ' ' || c == '\t')
		return 1;
	return c == 0 || c == '\r' || c == '\n' ? 2 : 0;
}

/* ---- canonical request stream ---------------------------------------- */

/*
 * The staged bytes into SHA-256 (and the caller's copy). The first flush
 * of a request holds its first block, which for most requests to one
 * endpoint is the same ("POST\n/\n\ncontent-type:...\nhost:..."): its
 * state is kept, keyed by its bytes, and not computed again.
 */
static void
flush(cpj_sigv4_context *ctx)
{
	size_t n = ctx->stage_len, k = 0;

	if (n == 0)
		return;
	if (ctx->copy_on)
		cpj_buf_put(&ctx->copy, ctx->stage, n);
	ctx->stage_len = 0;
	if (ctx->sha.count == 0 && n >= 64) {
		/* a wiped `pre` never matches: a request begins with a method */
		if (memcmp(ctx->pre, ctx->stage, 64) != 0) {
			memcpy(ctx->pre, ctx->stage, 64);
			cpj_sha256_update(&ctx->sha, ctx->pre, 64);
			br_sha256_state(&ctx->sha, ctx->pre_state);
		}
		br_sha256_set_state(&ctx->sha, ctx->pre_state, 64);
		k = 64;
	}
	cpj_sha256_update(&ctx->sha, ctx->stage + k, n - k);
}

static void
put(cpj_sigv4_context *ctx, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (len > sizeof ctx->stage - ctx->stage_len) {
		flush(ctx);
		if (len >= sizeof ctx->stage) {
			cpj_sha256_update(&ctx->sha, data, len);
			if (ctx->copy_on)
				cpj_buf_put(&ctx->copy, data, len);
			return;
		}
	}
	memcpy(ctx->stage + ctx->stage_len, data, len);
	ctx->stage_len += len;
}

static CPJ_NOINLINE void
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
	putch(ctx, (unsigned char)cpj_sigv4_hex_upper[c >> 4]);
	putch(ctx, (unsigned char)cpj_sigv4_hex_upper[c & 15]);
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
	it->pend[0] = (unsigned char)cpj_sigv4_hex_upper[c >> 4];
	it->pend[1] = (unsigned char)cpj_sigv4_hex_upper[c & 15];
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

static CPJ_NOINLINE const cpj_sigv4_header *
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

/* see sigv4_int.h */
int
cpj_sigv4_sort_headers(cpj_sigv4_context *ctx, const cpj_sigv4_request *req,
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
		/* length and bytes in one pass (the NUL is not a tchar) */
		for (nl = 0; CPJ_HTTP_TCHAR((unsigned char)name[nl]); nl++)
			;
		if (name[nl] != '\0' || nl == 0 || nl > CPJ_SIGV4_HNAME_MAX)
			return CPJ_ERR_SIGV4_INPUT;
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

/* The lower-case form of s, straight into the stage (flushed when full). */
static void
emit_lower(cpj_sigv4_context *ctx, const char *s)
{
	for (;;) {
		unsigned char *d = ctx->stage + ctx->stage_len;
		unsigned char *e = ctx->stage + sizeof ctx->stage;

		while (d != e && *s != '\0')
			*d++ = (unsigned char)cpj_tolower((unsigned char)*s++);
		ctx->stage_len = (size_t)(d - ctx->stage);
		if (*s == '\0')
			return;
		flush(ctx);
	}
}

/* Trimmed value: SP/HT runs collapse to one space, ends trimmed. */
static int
emit_value(cpj_sigv4_context *ctx, const char *v)
{
	const unsigned char *p = (const unsigned char *)v, *w;
	int first = 1;

	for (;;) {
		while (vclass(*p) == 1)
			p++;
		if (*p == '\0')
			return CPJ_OK;
		if (vclass(*p) == 2)
			return CPJ_ERR_SIGV4_INPUT;
		w = p;
		while (vclass(*p) == 0)
			p++;
		if (!first)
			putch(ctx, ' ');
		first = 0;
		put(ctx, w, (size_t)(p - w));
	}
}

/* Index just past the group of same-named headers starting at i. */
static CPJ_NOINLINE size_t
group_end(const cpj_sigv4_context *ctx, size_t i, size_t n)
{
	for (i++; i < n && ctx->hsame[i]; i++)
		;
	return i;
}

/* Canonical headers, then the signed header list (`signed_list` when the
 * caller has it already, else generated). The signed list holds the
 * lower-case names in the same order, ';' between them: the names are
 * copied from it when it is there. */
static int
emit_headers(cpj_sigv4_context *ctx, const cpj_sigv4_request *req, size_t n,
	const char *signed_list, size_t signed_len)
{
	const char *sl = signed_list;
	/* no arithmetic on the NULL of presigning */
	const char *sl_end = sl != NULL ? sl + signed_len : NULL;
	size_t i, j, e;
	int rc;

	for (i = 0; i < n; i = e) {
		e = group_end(ctx, i, n);
		if (sl != NULL) {
			size_t rest = sl < sl_end ? (size_t)(sl_end - sl) : 0;
			const char *semi = memchr(sl, ';', rest);
			size_t len = semi != NULL ? (size_t)(semi - sl) : rest;

			put(ctx, sl, len);
			sl += len + 1;
		} else {
			emit_lower(ctx, hdr(ctx, req, ctx->hidx[i])->name);
		}
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

/* Append the lower-case form of s[0..n), a header name (checked as a
 * token: ASCII), a word at a time. */
static void
buf_put_lower(cpj_buf *b, const char *s, size_t n)
{
	/* through a local pointer: stores through b->p could alias *b */
	unsigned char *d = (unsigned char *)cpj_buf_room(b, n);
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; n - i >= CPJ_WORD_BYTES; i += CPJ_WORD_BYTES)
		cpj_word_store(d + i, cpj_word_lower(cpj_word_load(u + i)));
	for (; i < n; i++)
		d[i] = (unsigned char)cpj_tolower(u[i]);
}

/* see sigv4_int.h */
void
cpj_sigv4_signed_headers(const cpj_sigv4_context *ctx,
	const cpj_sigv4_request *req, size_t n, cpj_buf *b, int pct)
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
			cpj_buf_putlit(b, "%3B");
		for (; *s != '\0'; s++) {
			unsigned c = (unsigned)cpj_tolower((unsigned char)*s);

			if (UNRESERVED(c)) {
				cpj_buf_putc(b, (char)c);
			} else {
				cpj_buf_putc(b, '%');
				cpj_buf_putc(b, cpj_sigv4_hex_upper[c >> 4]);
				cpj_buf_putc(b, cpj_sigv4_hex_upper[c & 15]);
			}
		}
	}
}

/* ---- the whole canonical request ---------------------------------------- */

/* see sigv4_int.h */
int
cpj_sigv4_canonical(cpj_sigv4_context *ctx, const struct cpj_sigv4_job *j)
{
	const cpj_sigv4_request *req = j->req;
	cpj_sigv4_result *res = j->res;
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
		const char *a;
		size_t i, k;

		for (i = 0; i < nq; i++) {
			for (a = auth_params; a < auth_params + sizeof auth_params;
			    a += k + 1) {
				k = strlen(a);
				if (enc_cmp(ctx->u.q[i].s, ctx->u.q[i].klen, a, k)
				    == 0)
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
	cpj_sha256_out(&ctx->sha, ctx->stage);
	return CPJ_OK;
}
