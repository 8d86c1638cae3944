/*
 * test_http_parse.c -- the response parser, driven by the transcripts in
 * tests/data/http/ and by a few direct cases.
 *
 * Transcript format (one file per case, NNN-name.txt):
 *
 *   # comment
 *   method HEAD            request method (default GET)
 *   max_headers N | max_head N | max_body N    response limits
 *   expect ok | expect CPJ_ERR_...              parser result
 *   expect_rt CPJ_ERR_...  result of cpj_http_roundtrip when it differs
 *   status N | keepalive 0|1 | content_length N | nheaders N
 *   retry_after N | body_len N | surplus N      (bytes left after the end)
 *   body TEXT              exact body (escapes below)
 *   request_id|error_type|date|etag|location TEXT   captured value
 *   present LIST | dropped LIST   exact CPJ_HTTP_F_* sets (comma list of
 *                          request_id,error_type,date,etag,location,
 *                          retry_after,content_length,chunked); dropped
 *                          defaults to none
 *   reply                  the rest of the file is the reply
 *
 * Reply lines end in CRLF, except a line ending in a backslash, which ends
 * with nothing. Escapes (reply and TEXT): \r \n \t \0 \\ \xHH. A reply line
 * "@repeat N LINE" stands for N copies of LINE.
 *
 * Every transcript runs through the bare parser at chunk sizes 1, 7 and
 * whole, and through cpj_http_roundtrip over the scripted transport at the
 * same sizes.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_transport.h"

#define TEXT_MAX 1024

struct tcase {
	char name[256];
	char method[16];
	int expect, expect_rt;
	long long status, keepalive, content_length, nheaders, retry_after;
	long long body_len, surplus;
	int has_body;
	unsigned char body[TEXT_MAX];
	size_t body_n;
	int has_field[5];
	char field[5][TEXT_MAX];
	long long present;
	unsigned dropped;
	uint64_t max_body;
	unsigned max_headers;
	size_t max_head;
	unsigned char *reply;
	size_t reply_len;
};

static const char *const field_names[5] = {
	"request_id", "error_type", "date", "etag", "location"
};

static const struct {
	const char *name;
	int code;
} codes[] = {
	{ "ok", 0 },
	{ "CPJ_ERR_HTTP_STATUS_LINE", CPJ_ERR_HTTP_STATUS_LINE },
	{ "CPJ_ERR_HTTP_HEADER", CPJ_ERR_HTTP_HEADER },
	{ "CPJ_ERR_HTTP_HEADER_TOO_LARGE", CPJ_ERR_HTTP_HEADER_TOO_LARGE },
	{ "CPJ_ERR_HTTP_TOO_MANY_HEADERS", CPJ_ERR_HTTP_TOO_MANY_HEADERS },
	{ "CPJ_ERR_HTTP_CONTENT_LENGTH", CPJ_ERR_HTTP_CONTENT_LENGTH },
	{ "CPJ_ERR_HTTP_CHUNK", CPJ_ERR_HTTP_CHUNK },
	{ "CPJ_ERR_HTTP_TRUNCATED", CPJ_ERR_HTTP_TRUNCATED },
	{ "CPJ_ERR_HTTP_BODY_TOO_LARGE", CPJ_ERR_HTTP_BODY_TOO_LARGE },
	{ "CPJ_ERR_HTTP_ENCODING", CPJ_ERR_HTTP_ENCODING },
	{ "CPJ_ERR_NET_CLOSED", CPJ_ERR_NET_CLOSED },
};

static const struct {
	const char *name;
	unsigned bit;
} bits[] = {
	{ "request_id", CPJ_HTTP_F_REQUEST_ID },
	{ "error_type", CPJ_HTTP_F_ERROR_TYPE },
	{ "date", CPJ_HTTP_F_DATE },
	{ "etag", CPJ_HTTP_F_ETAG },
	{ "location", CPJ_HTTP_F_LOCATION },
	{ "retry_after", CPJ_HTTP_F_RETRY_AFTER },
	{ "content_length", CPJ_HTTP_F_CONTENT_LENGTH },
	{ "chunked", CPJ_HTTP_F_CHUNKED },
};

/* ---- transcript loading ------------------------------------------- */

/* Unescape s[0..n) into out; returns bytes, or -1. *open_end is set when
 * the text ends in a lone backslash. */
static long
unescape(const char *s, size_t n, unsigned char *out, size_t cap,
	int *open_end)
{
	size_t i, o = 0;

	*open_end = 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '\\') {
			if (i + 1 == n) {
				*open_end = 1;
				break;
			}
			c = s[++i];
			switch (c) {
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '0': c = 0; break;
			case '\\': break;
			case 'x':
				if (i + 2 >= n || cpj_hexval(s[i + 1]) < 0
				    || cpj_hexval(s[i + 2]) < 0)
					return -1;
				c = cpj_hexval(s[i + 1]) * 16 + cpj_hexval(s[i + 2]);
				i += 2;
				break;
			default:
				return -1;
			}
		}
		if (o >= cap)
			return -1;
		out[o++] = (unsigned char)c;
	}
	return (long)o;
}

static int
code_of(const char *v, int *out)
{
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(codes); i++) {
		if (strcmp(v, codes[i].name) == 0) {
			*out = codes[i].code;
			return 0;
		}
	}
	return -1;
}

static int
bits_of(const char *v, unsigned *out)
{
	char tmp[256], *tok, *save = NULL;
	size_t i;

	*out = 0;
	if (strlen(v) >= sizeof tmp)
		return -1;
	memcpy(tmp, v, strlen(v) + 1);
	for (tok = strtok_r(tmp, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < CPJ_ARRAY_LEN(bits); i++) {
			if (strcmp(tok, bits[i].name) == 0)
				break;
		}
		if (i == CPJ_ARRAY_LEN(bits))
			return -1;
		*out |= bits[i].bit;
	}
	return 0;
}

/* Append the reply bytes of one line (already without its LF). */
static int
reply_line(struct tcase *t, const char *s, size_t n, size_t *cap)
{
	static unsigned char tmp[4096];
	unsigned long rep = 1, k;
	int open_end;
	long m;

	if (n > 8 && memcmp(s, "@repeat ", 8) == 0) {
		char *end;

		rep = strtoul(s + 8, &end, 10);
		if (*end != ' ' || rep == 0)
			return -1;
		n -= (size_t)(end + 1 - s);
		s = end + 1;
	}
	m = unescape(s, n, tmp, sizeof tmp - 2, &open_end);
	if (m < 0)
		return -1;
	if (!open_end) {
		tmp[m++] = '\r';
		tmp[m++] = '\n';
	}
	for (k = 0; k < rep; k++) {
		if (t->reply_len + (size_t)m > *cap) {
			*cap = (*cap + (size_t)m) * 2;
			t->reply = realloc(t->reply, *cap);
			if (t->reply == NULL)
				return -1;
		}
		memcpy(t->reply + t->reply_len, tmp, (size_t)m);
		t->reply_len += (size_t)m;
	}
	return 0;
}

static int
directive(struct tcase *t, const char *key, const char *v)
{
	int open_end, i;
	long m;

	if (strcmp(key, "method") == 0) {
		if (strlen(v) >= sizeof t->method)
			return -1;
		memcpy(t->method, v, strlen(v) + 1);
		return 0;
	}
	if (strcmp(key, "expect") == 0)
		return code_of(v, &t->expect);
	if (strcmp(key, "expect_rt") == 0)
		return code_of(v, &t->expect_rt);
	if (strcmp(key, "body") == 0) {
		m = unescape(v, strlen(v), t->body, sizeof t->body, &open_end);
		if (m < 0 || open_end)
			return -1;
		t->body_n = (size_t)m;
		t->has_body = 1;
		return 0;
	}
	if (strcmp(key, "present") == 0) {
		unsigned b;

		if (bits_of(v, &b) != 0)
			return -1;
		t->present = b;
		return 0;
	}
	if (strcmp(key, "dropped") == 0)
		return bits_of(v, &t->dropped);
	for (i = 0; i < 5; i++) {
		if (strcmp(key, field_names[i]) == 0) {
			m = unescape(v, strlen(v), (unsigned char *)t->field[i],
			    TEXT_MAX - 1, &open_end);
			if (m < 0 || open_end)
				return -1;
			t->field[i][m] = '\0';
			t->has_field[i] = 1;
			return 0;
		}
	}
	{
		char *end;
		long long x = strtoll(v, &end, 10);

		if (*v == '\0' || *end != '\0')
			return -1;
		if (strcmp(key, "status") == 0)
			t->status = x;
		else if (strcmp(key, "keepalive") == 0)
			t->keepalive = x;
		else if (strcmp(key, "content_length") == 0)
			t->content_length = x;
		else if (strcmp(key, "nheaders") == 0)
			t->nheaders = x;
		else if (strcmp(key, "retry_after") == 0)
			t->retry_after = x;
		else if (strcmp(key, "body_len") == 0)
			t->body_len = x;
		else if (strcmp(key, "surplus") == 0)
			t->surplus = x;
		else if (strcmp(key, "max_body") == 0)
			t->max_body = (uint64_t)x;
		else if (strcmp(key, "max_headers") == 0)
			t->max_headers = (unsigned)x;
		else if (strcmp(key, "max_head") == 0)
			t->max_head = (size_t)x;
		else
			return -1;
	}
	return 0;
}

/* Returns 0, or the line number of the first bad line. */
static int
load(struct tcase *t, const char *path)
{
	FILE *f = fopen(path, "rb");
	static char line[8192];
	int lineno = 0, in_reply = 0;
	size_t cap = 0;

	memset(t, 0, sizeof *t);
	memcpy(t->method, "GET", 4);
	t->expect = 1;	/* "no expect line" */
	t->expect_rt = 1;
	t->status = t->keepalive = t->content_length = t->nheaders = -1;
	t->retry_after = t->body_len = t->present = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);
		int term = n > 0 && line[n - 1] == '\n';

		lineno++;
		if (term)
			line[--n] = '\0';
		else if (n == sizeof line - 1)
			goto bad;
		if (in_reply) {
			if (reply_line(t, line, n, &cap) != 0)
				goto bad;
			continue;
		}
		if (line[0] == '#' || n == 0)
			continue;
		if (strcmp(line, "reply") == 0) {
			in_reply = 1;
			continue;
		}
		{
			char *sp = strchr(line, ' ');
			const char *v = "";

			if (sp != NULL) {
				*sp = '\0';
				v = sp + 1;
			}
			if (directive(t, line, v) != 0)
				goto bad;
		}
	}
	fclose(f);
	if (!in_reply || t->expect == 1)
		return lineno + 1;
	if (t->expect_rt == 1)
		t->expect_rt = t->expect;
	return 0;
bad:
	fclose(f);
	return lineno;
}

/* ---- running a case --------------------------------------------------- */

struct sink {
	unsigned char *buf;
	size_t len, cap;
	unsigned calls, empty_calls;
};

static int
sink_body(void *ctx, const unsigned char *d, size_t n)
{
	struct sink *s = ctx;

	s->calls++;
	if (n == 0)
		s->empty_calls++;
	if (s->len + n > s->cap)
		return CPJ_ERR_INTERNAL;
	memcpy(s->buf + s->len, d, n);
	s->len += n;
	return 0;
}

static void
setup_resp(const struct tcase *t, cpj_http_response *r, struct sink *s)
{
	cpj_http_response_init(r);
	r->on_body = sink_body;
	r->body_ctx = s;
	r->max_body = t->max_body;
	r->max_headers = t->max_headers;
	r->max_head_bytes = t->max_head;
}

/* Checks common to both modes; `rt` is the roundtrip mode. */
static int
check_result(const struct tcase *t, const cpj_http_response *r,
	const struct sink *s, int rt)
{
	int i;

	CHECK_EQ(s->empty_calls, 0);
	CHECK_EQ(r->body_bytes, s->len);
	if (t->status >= 0)
		CHECK_EQ(r->status, t->status);
	if (t->keepalive >= 0 && !(rt && t->surplus > 0))
		CHECK_EQ(r->keep_alive, t->keepalive);
	if (t->content_length >= 0)
		CHECK_EQ(r->content_length, t->content_length);
	if (t->nheaders >= 0)
		CHECK_EQ(r->nheaders, t->nheaders);
	if (t->retry_after >= 0)
		CHECK_EQ(r->retry_after, t->retry_after);
	if (t->body_len >= 0)
		CHECK_EQ(s->len, t->body_len);
	if (t->has_body) {
		CHECK_EQ(s->len, t->body_n);
		CHECK(memcmp(s->buf, t->body, t->body_n) == 0);
	}
	if (t->present >= 0)
		CHECK_EQ(r->present, t->present);
	CHECK_EQ(r->dropped, t->dropped);
	for (i = 0; i < 5; i++) {
		const char *got[5] = { r->request_id, r->error_type, r->date,
		    r->etag, r->location };

		if (t->has_field[i] && strcmp(got[i], t->field[i]) != 0) {
			fprintf(stderr, "%s: %s is \"%s\"\n", t->name,
			    field_names[i], got[i]);
			return __LINE__;
		}
	}
	return 0;
}

static cpj_http_parser parser;

static int
run_parser(const struct tcase *t, size_t chunk)
{
	cpj_http_response r;
	struct sink s;
	size_t off = 0, used;
	int rc = 0, rc2;

	memset(&s, 0, sizeof s);
	s.cap = t->reply_len + 1;
	s.buf = malloc(s.cap);
	CHECK(s.buf != NULL);
	setup_resp(t, &r, &s);
	cpj_http_parser_init(&parser, &r, t->method);
	while (off < t->reply_len) {
		size_t n = t->reply_len - off;

		if (n > chunk)
			n = chunk;
		rc = cpj_http_parser_feed(&parser, t->reply + off, n, &used);
		if (rc < 0)
			break;
		CHECK(used <= n);
		off += used;
		if (rc == 1)
			break;
		CHECK_EQ(used, n);
	}
	if (rc == 0)
		rc = cpj_http_parser_eof(&parser);
	if (t->expect != 0) {
		free(s.buf);
		CHECK_EQ(rc, t->expect);
		/* sticky */
		CHECK_EQ(cpj_http_parser_feed(&parser, t->reply, 0, &used),
		    t->expect);
		CHECK_EQ(cpj_http_parser_eof(&parser), t->expect);
		CHECK_EQ(r.keep_alive, 0);
		return 0;
	}
	CHECK_EQ(rc, 1);
	CHECK_EQ(t->reply_len - off, t->surplus);
	/* complete: more input is not consumed */
	if (off < t->reply_len) {
		CHECK_EQ(cpj_http_parser_feed(&parser, t->reply + off, 1, &used), 1);
		CHECK_EQ(used, 0);
	}
	CHECK_EQ(cpj_http_parser_eof(&parser), 1);
	rc2 = check_result(t, &r, &s, 0);
	free(s.buf);
	return rc2;
}

static mock_tr mt;

static int
run_roundtrip(const struct tcase *t, size_t chunk)
{
	static unsigned char work[1024];
	cpj_http_response r;
	cpj_http_request req;
	cpj_transport tr;
	struct sink s;
	char line[64];
	int rc, rc2;

	memset(&s, 0, sizeof s);
	s.cap = t->reply_len + 1;
	s.buf = malloc(s.cap);
	CHECK(s.buf != NULL);
	setup_resp(t, &r, &s);
	memset(&req, 0, sizeof req);
	req.method = t->method;
	req.target = strcmp(t->method, "CONNECT") == 0 ? "example.com:443" : "/";
	req.host = "example.com";
	mock_tr_init(&mt, t->reply, t->reply_len);
	mock_tr_set_chunk(&mt, chunk);
	mock_tr_transport(&mt, &tr);
	rc = cpj_http_roundtrip(&tr, &req, &parser, &r, work, sizeof work);
	CHECK_EQ(mt.send_calls, 1);
	snprintf(line, sizeof line, "%s %s HTTP/1.1\r\n", req.method, req.target);
	CHECK(mt.sent_len > strlen(line));
	CHECK(memcmp(mt.sent, line, strlen(line)) == 0);
	if (t->expect_rt != 0) {
		free(s.buf);
		CHECK_EQ(rc, t->expect_rt);
		CHECK_EQ(r.keep_alive, 0);
		return 0;
	}
	CHECK_EQ(rc, 0);
	/* Surplus bytes seen with the response make it not reusable. */
	if (t->surplus > 0 && mt.pos > t->reply_len - (size_t)t->surplus)
		CHECK_EQ(r.keep_alive, 0);
	rc2 = check_result(t, &r, &s, 1);
	free(s.buf);
	return rc2;
}

/*
 * Split invariance under mutation: a transcript with a few bytes changed
 * must parse to the same outcome whatever the chunking, and never crash
 * (the sanitizers watch). Deterministic: a fixed-seed generator.
 */
struct outcome {
	int rc, status, keep_alive;
	size_t off;
	uint64_t body_len;
	uint32_t body_hash;
	unsigned present, dropped;
};

static int
hash_sink(void *ctx, const unsigned char *d, size_t n)
{
	uint32_t *h = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		*h = (*h ^ d[i]) * 16777619u;
	return 0;
}

static void
outcome_of(const unsigned char *b, size_t len, const char *method,
	size_t chunk, struct outcome *o)
{
	cpj_http_response r;
	size_t off = 0, used;
	int rc = 0;

	memset(o, 0, sizeof *o);
	o->body_hash = 2166136261u;
	cpj_http_response_init(&r);
	r.on_body = hash_sink;
	r.body_ctx = &o->body_hash;
	r.max_body = 1000;
	cpj_http_parser_init(&parser, &r, method);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		rc = cpj_http_parser_feed(&parser, b + off, n, &used);
		if (rc != 0)
			break;
		off += used;
	}
	if (rc == 1)
		off += used;
	if (rc == 0)
		rc = cpj_http_parser_eof(&parser);
	o->rc = rc;
	o->off = rc == 1 ? off : 0;
	o->status = r.status;
	o->keep_alive = r.keep_alive;
	o->body_len = r.body_bytes;
	o->present = r.present;
	o->dropped = r.dropped;
	if (rc < 0)
		o->body_hash = 0;
}

static uint32_t lcg_state = 12345;

static uint32_t
lcg(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

static int
mutations(const struct tcase *t)
{
	static unsigned char m[8192];
	struct outcome a, b, c;
	int k, j;

	if (t->reply_len == 0 || t->reply_len > sizeof m)
		return 0;
	for (k = 0; k < 100; k++) {
		memcpy(m, t->reply, t->reply_len);
		for (j = 0; j < 1 + k % 3; j++) {
			static const unsigned char pick[] = { '\r', '\n', ' ',
			    ':', '0', '9', 'f', ';', '\t', 0, 0x7f, 0xff, 'A' };
			size_t at = lcg() % t->reply_len;

			m[at] = (lcg() & 1) ? pick[lcg() % sizeof pick]
			    : (unsigned char)lcg();
		}
		outcome_of(m, t->reply_len, t->method, 1, &a);
		outcome_of(m, t->reply_len, t->method, 3, &b);
		outcome_of(m, t->reply_len, t->method, t->reply_len, &c);
		if (memcmp(&a, &b, sizeof a) != 0
		    || memcmp(&a, &c, sizeof a) != 0) {
			fprintf(stderr, "%s: mutation %d: rc %d/%d/%d st %d/%d/%d "
			    "ka %d/%d/%d off %zu/%zu/%zu body %llu/%llu/%llu "
			    "pr %x/%x/%x dr %x/%x/%x\n",
			    t->name, k, a.rc, b.rc, c.rc, a.status, b.status,
			    c.status, a.keep_alive, b.keep_alive, c.keep_alive,
			    a.off, b.off, c.off, (unsigned long long)a.body_len,
			    (unsigned long long)b.body_len,
			    (unsigned long long)c.body_len, a.present, b.present,
			    c.present, a.dropped, b.dropped, c.dropped);
			return __LINE__;
		}
		if (a.rc != 1 && (a.rc > CPJ_ERR_HTTP_STATUS_LINE
		    || a.rc < CPJ_ERR_HTTP_REQUEST)) {
			fprintf(stderr, "%s: mutation %d: rc %d\n", t->name, k,
			    a.rc);
			return __LINE__;
		}
	}
	return 0;
}

static int
transcripts(void)
{
	static struct tcase t;
	char dir[1024], path[2048];
	const char *top = getenv("CPJ_TOP");
	struct dirent **ents;
	int n, i, files = 0;

	snprintf(dir, sizeof dir, "%s/tests/data/http", top != NULL ? top : ".");
	n = scandir(dir, &ents, NULL, alphasort);
	CHECK(n > 0);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t nl = strlen(name);
		static const size_t chunks[] = { 1, 7, (size_t)-1 };
		size_t k;
		int rc;

		if (nl < 5 || strcmp(name + nl - 4, ".txt") != 0) {
			free(ents[i]);
			continue;
		}
		files++;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		rc = load(&t, path);
		snprintf(t.name, sizeof t.name, "%s", name);
		if (rc != 0) {
			fprintf(stderr, "%s: bad transcript line %d\n", name, rc);
			printf("FAIL http/%s load (line %d)\n", name, rc);
			h_failed++;
			free(t.reply);
			free(ents[i]);
			continue;
		}
		for (k = 0; k < CPJ_ARRAY_LEN(chunks); k++) {
			char label[512];
			const char *cs = k == 2 ? "whole" : k == 1 ? "7" : "1";

			rc = run_parser(&t, chunks[k]);
			snprintf(label, sizeof label, "http/%s parser chunk=%s",
			    name, cs);
			h_report(label, rc);
			rc = run_roundtrip(&t, chunks[k] == (size_t)-1 ? 0
			    : chunks[k]);
			snprintf(label, sizeof label, "http/%s roundtrip chunk=%s",
			    name, cs);
			h_report(label, rc);
		}
		{
			char label[512];

			snprintf(label, sizeof label, "http/%s mutations", name);
			h_report(label, mutations(&t));
		}
		free(t.reply);
		free(ents[i]);
	}
	free(ents);
	CHECK(files >= 60);
	return 0;
}

/* ---- direct cases ------------------------------------------------- */

static int
feed_all(cpj_http_parser *p, const char *s, size_t *used)
{
	return cpj_http_parser_feed(p, (const unsigned char *)s, strlen(s), used);
}

struct hdrs {
	char seen[512];
	int stop_at;
	int calls;
};

static int
on_hdr(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
	struct hdrs *h = ctx;
	size_t l = strlen(h->seen);

	if (strlen(name) != nl || strlen(value) != vl)
		return CPJ_ERR_INTERNAL;
	snprintf(h->seen + l, sizeof h->seen - l, "%s=%s;", name, value);
	if (++h->calls == h->stop_at)
		return CPJ_ERR_CANCELLED;
	return 0;
}

static int
header_callback(void)
{
	cpj_http_response r;
	struct hdrs h;
	size_t used;
	static const char reply[] =
	    "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nx-amz-meta-a:  one \r\nETag: \"e\"\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: t\r\n\r\n";

	memset(&h, 0, sizeof h);
	cpj_http_response_init(&r);
	r.on_header = on_hdr;
	r.header_ctx = &h;
	cpj_http_parser_init(&parser, &r, "GET");
	CHECK_EQ(feed_all(&parser, reply, &used), 1);
	CHECK_EQ(used, strlen(reply));
	CHECK(strcmp(h.seen, "x-amz-meta-a=one;ETag=\"e\";"
	    "Transfer-Encoding=chunked;") == 0);
	CHECK(strcmp(r.etag, "\"e\"") == 0);

	/* a callback error stops the parse with its code */
	memset(&h, 0, sizeof h);
	h.stop_at = 2;
	cpj_http_parser_init(&parser, &r, "GET");
	CHECK_EQ(feed_all(&parser, reply, &used), CPJ_ERR_CANCELLED);
	CHECK_EQ(h.calls, 2);
	CHECK_EQ(cpj_http_parser_eof(&parser), CPJ_ERR_CANCELLED);
	return 0;
}

static int
stop_sink(void *ctx, const unsigned char *d, size_t n)
{
	size_t *total = ctx;

	(void)d;
	*total += n;
	return *total >= 4 ? CPJ_ERR_CANCELLED : 0;
}

static int
body_sink_cancel(void)
{
	cpj_http_response r;
	size_t used, total = 0;
	static const char reply[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";

	cpj_http_response_init(&r);
	r.on_body = stop_sink;
	r.body_ctx = &total;
	cpj_http_parser_init(&parser, &r, "GET");
	CHECK_EQ(feed_all(&parser, reply, &used), CPJ_ERR_CANCELLED);
	CHECK_EQ(total, 10);	/* one piece: the whole body at once */
	return 0;
}

static int
no_sink_discards(void)
{
	cpj_http_response r;
	size_t used;
	static const char reply[] =
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";

	cpj_http_response_init(&r);
	cpj_http_parser_init(&parser, &r, NULL);
	CHECK_EQ(feed_all(&parser, reply, &used), 1);
	CHECK_EQ(r.body_bytes, 5);
	CHECK_EQ(parser.in_bytes, strlen(reply));
	return 0;
}

/* A parser reused for a second response starts clean. */
static int
reinit_clears(void)
{
	cpj_http_response r;
	size_t used;

	cpj_http_response_init(&r);
	cpj_http_parser_init(&parser, &r, "GET");
	CHECK_EQ(feed_all(&parser, "HTTP/1.1 500 X\r\nx-amzn-RequestId: a\r\n"
	    "x-amzn-ErrorType: E\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n",
	    &used), 1);
	CHECK(strcmp(r.request_id, "a") == 0);
	cpj_http_parser_init(&parser, &r, "GET");
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.present, 0);
	CHECK_EQ(r.request_id[0], '\0');
	CHECK_EQ(r.error_type[0], '\0');
	CHECK_EQ(r.retry_after, 0);
	CHECK_EQ(feed_all(&parser, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	    &used), 1);
	CHECK_EQ(r.status, 200);
	return 0;
}

/* Content-Length bodies are handed over in as few pieces as the input. */
static int
body_zero_copy(void)
{
	cpj_http_response r;
	struct sink s;
	static unsigned char buf[64];
	size_t used;
	static const char reply[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";

	memset(&s, 0, sizeof s);
	s.buf = buf;
	s.cap = sizeof buf;
	cpj_http_response_init(&r);
	r.on_body = sink_body;
	r.body_ctx = &s;
	cpj_http_parser_init(&parser, &r, "GET");
	CHECK_EQ(feed_all(&parser, reply, &used), 1);
	CHECK_EQ(s.calls, 1);
	CHECK_EQ(used, strlen(reply));
	return 0;
}

int
main(void)
{
	RUN(transcripts);
	RUN(header_callback);
	RUN(body_sink_cancel);
	RUN(no_sink_discards);
	RUN(reinit_clears);
	RUN(body_zero_copy);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}
