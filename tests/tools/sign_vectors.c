/*
 * sign_vectors.c -- a test tool (not shipped): `sign_vectors --vectors`
 * SigV4-signs request descriptions read as JSON lines on stdin (the
 * format of tests/tools/sigv4_random.py) and prints one JSON line per
 * input with libcpjob's canonical request, string to sign, signature and
 * Authorization value (tests/scripts/test_sigv4_random.sh compares them
 * with botocore's). It links the agent's formatter and arena.
 *
 * Only the input fields are read (service, region, method, path,
 * query_string, headers, body_hex, access_key, secret_key, token,
 * amz_date); any other member of a line is skipped. Buffers are static:
 * nothing is allocated.
 */
#include <stdio.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "inner.h"
#include "agent/agent.h"
#include "agent/arena.h"

/* A vector line: up to 16 KB of body (32 KB of hex) and the rest. The
 * buffers live in the agent's arena (arena.h), taken once per run. */
#define LINE_SIZE   (64u * 1024)
#define TOKENS_MAX  2048
#define ARENA_SIZE  (64u * 1024)
#define BODY_SIZE   (16u * 1024)
#define CREQ_SIZE   (64u * 1024)
#define STS_SIZE    4096
#define AUTH_SIZE   (1u << 14)

static char *line;
static jsmntok_t *toks;
static char *arena;
static size_t arena_used;
static unsigned char *body;
static cpj_sigv4_header hdrs[CPJ_SIGV4_HEADERS_MAX];
static char *creq, *sts, *auth;
static cpj_sigv4_context sctx;

/* The fields of one vector. */
struct vec {
	int id;                 /* token index of "id", or -1 */
	const char *service, *region, *method, *path, *query;
	const char *body_hex, *akid, *secret, *token, *amz_date;
	size_t nh;
};

static void
usage(FILE *f)
{
	fmt_fprintf(f,
	    "usage: sign_vectors --vectors\n"
	    "\n"
	    "Reads JSON lines on stdin, each describing a request (fields\n"
	    "service, region, method, path, query_string, headers, body_hex,\n"
	    "access_key, secret_key, token, amz_date, as written by\n"
	    "tests/tools/sigv4_random.py), and writes one JSON line per input:\n"
	    "{\"id\":..., \"canonical_request\":..., \"string_to_sign\":...,\n"
	    " \"signature\":..., \"authorization\":...} (or {\"id\":...,\n"
	    "\"error\":...}). Service \"s3\" uses the S3 rules. Exit status 0\n"
	    "when every line was signed.\n");
}

/* ---- JSON input -------------------------------------------------------- */

/* Index just past the value at token i, or -1. */
static int
skip(int i, int n)
{
	int remaining = 1;

	while (remaining > 0) {
		if (i >= n)
			return -1;
		remaining += toks[i].size - 1;
		i++;
	}
	return i;
}

static int
tok_is(int i, const char *s)
{
	size_t len = (size_t)(toks[i].end - toks[i].start);

	return toks[i].type == JSMN_STRING && strlen(s) == len
	    && memcmp(line + toks[i].start, s, len) == 0;
}

static int
hex4(const char *s, unsigned *v)
{
	int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		d = cpj_hexval((unsigned char)s[i]);
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/*
 * Unescape JSON string token i into the arena (UTF-8, NUL-terminated).
 * \u0000 is refused: the library takes NUL-terminated strings.
 */
static const char *
unescape(int i)
{
	const char *s = line + toks[i].start;
	size_t len = (size_t)(toks[i].end - toks[i].start), k = 0;
	char *o = arena + arena_used;
	size_t cap = ARENA_SIZE - arena_used, n = 0;
	unsigned cp, lo;

	if (toks[i].type != JSMN_STRING)
		return NULL;
	while (k < len) {
		unsigned char c = (unsigned char)s[k++];

		if (n + 5 > cap)
			return NULL;
		if (c < 0x20)
			return NULL;
		if (c != '\\') {
			o[n++] = (char)c;
			continue;
		}
		if (k >= len)
			return NULL;
		c = (unsigned char)s[k++];
		switch (c) {
		case '"': case '\\': case '/':
			o[n++] = (char)c;
			continue;
		case 'b': o[n++] = '\b'; continue;
		case 'f': o[n++] = '\f'; continue;
		case 'n': o[n++] = '\n'; continue;
		case 'r': o[n++] = '\r'; continue;
		case 't': o[n++] = '\t'; continue;
		case 'u': break;
		default: return NULL;
		}
		if (len - k < 4 || hex4(s + k, &cp) < 0)
			return NULL;
		k += 4;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return NULL;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (len - k < 6 || s[k] != '\\' || s[k + 1] != 'u'
			    || hex4(s + k + 2, &lo) < 0
			    || lo < 0xDC00 || lo > 0xDFFF)
				return NULL;
			k += 6;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		}
		if (cp == 0)
			return NULL;
		if (cp < 0x80) {
			o[n++] = (char)cp;
		} else if (cp < 0x800) {
			o[n++] = (char)(0xC0 | cp >> 6);
			o[n++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			o[n++] = (char)(0xE0 | cp >> 12);
			o[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
			o[n++] = (char)(0x80 | (cp & 0x3F));
		} else {
			o[n++] = (char)(0xF0 | cp >> 18);
			o[n++] = (char)(0x80 | (cp >> 12 & 0x3F));
			o[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
			o[n++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	if (n + 1 > cap)
		return NULL;
	o[n] = '\0';
	arena_used += n + 1;
	return o;
}

/* headers: [[name, value], ...] starting at token i. */
static const char *
parse_headers(struct vec *v, int i, int ntok)
{
	int k, e, j = i + 1;

	if (toks[i].type != JSMN_ARRAY)
		return "headers is not an array";
	if (toks[i].size > CPJ_SIGV4_HEADERS_MAX)
		return "too many headers";
	for (k = 0; k < toks[i].size; k++) {
		e = skip(j, ntok);
		if (e < 0 || toks[j].type != JSMN_ARRAY || toks[j].size != 2
		    || e != j + 3)
			return "headers entry is not [name, value]";
		hdrs[k].name = unescape(j + 1);
		hdrs[k].value = unescape(j + 2);
		if (hdrs[k].name == NULL || hdrs[k].value == NULL)
			return "bad header string";
		j = e;
	}
	v->nh = (size_t)toks[i].size;
	return NULL;
}

static const char *
parse_vec(struct vec *v, size_t len)
{
	/* string members; only "token" may be null */
	static const char *const keys[] = {
		"service", "region", "method", "path", "query_string",
		"body_hex", "access_key", "secret_key", "amz_date", "token",
	};
	const char **dsts[10];
	jsmn_parser p;
	int ntok, i, k, val, next, seen_headers = 0;
	size_t s;
	const char *err;

	memset(v, 0, sizeof *v);
	v->id = -1;
	dsts[0] = &v->service;
	dsts[1] = &v->region;
	dsts[2] = &v->method;
	dsts[3] = &v->path;
	dsts[4] = &v->query;
	dsts[5] = &v->body_hex;
	dsts[6] = &v->akid;
	dsts[7] = &v->secret;
	dsts[8] = &v->amz_date;
	dsts[9] = &v->token;
	arena_used = 0;
	jsmn_init(&p);
	ntok = jsmn_parse(&p, line, len, toks, TOKENS_MAX);
	if (ntok < 0)
		return ntok == JSMN_ERROR_NOMEM ? "too many JSON tokens"
		    : "invalid JSON";
	if (ntok < 1 || toks[0].type != JSMN_OBJECT)
		return "line is not a JSON object";
	if (skip(0, ntok) != ntok)
		return "trailing data after the object";
	i = 1;
	for (k = 0; k < toks[0].size; k++) {
		val = i + 1;
		next = skip(val, ntok);
		if (next < 0)
			return "invalid JSON";
		if (tok_is(i, "id")) {
			v->id = val;
		} else if (tok_is(i, "headers")) {
			err = parse_headers(v, val, ntok);
			if (err != NULL)
				return err;
			seen_headers = 1;
		} else {
			for (s = 0; s < sizeof keys / sizeof keys[0]; s++) {
				if (!tok_is(i, keys[s]))
					continue;
				if (s == 9 && toks[val].type == JSMN_PRIMITIVE
				    && line[toks[val].start] == 'n') {
					*dsts[s] = NULL;
					break;
				}
				*dsts[s] = unescape(val);
				if (*dsts[s] == NULL)
					return "bad string member";
				break;
			}
		}
		i = next;
	}
	if (!seen_headers || v->service == NULL || v->region == NULL
	    || v->method == NULL || v->path == NULL || v->query == NULL
	    || v->body_hex == NULL || v->akid == NULL || v->secret == NULL
	    || v->amz_date == NULL)
		return "missing member";
	return NULL;
}

static long
hex_decode(const char *h, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi, lo;

	while (h[0] != '\0') {
		hi = cpj_hexval((unsigned char)h[0]);
		lo = h[1] != '\0' ? cpj_hexval((unsigned char)h[1]) : -1;
		if (hi < 0 || lo < 0 || n == cap)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		h += 2;
	}
	return (long)n;
}

/* ---- JSON output ------------------------------------------------------- */

static void
put_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fmt_printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

static void
put_id(const struct vec *v)
{
	fputs("{\"id\":", stdout);
	if (v->id < 0) {
		fputs("null", stdout);
	} else {
		const jsmntok_t *t = &toks[v->id];
		int quote = t->type == JSMN_STRING;

		if (t->type == JSMN_OBJECT || t->type == JSMN_ARRAY) {
			fputs("null", stdout);
			return;
		}
		if (quote)
			putchar('"');
		fwrite(line + t->start, 1, (size_t)(t->end - t->start), stdout);
		if (quote)
			putchar('"');
	}
}

static void
put_error(const struct vec *v, const char *msg)
{
	put_id(v);
	fputs(",\"error\":", stdout);
	put_str(msg);
	fputs("}\n", stdout);
}

/* ---- one vector -------------------------------------------------------- */

static int
sign_vec(const struct vec *v)
{
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	long blen;
	int rc;

	rc = cpj_sigv4_init(&sctx, v->region, v->service,
	    strcmp(v->service, "s3") == 0 ? CPJ_SIGV4_S3 : 0);
	if (rc == 0)
		rc = cpj_sigv4_set_credentials(&sctx, v->akid, v->secret, v->token);
	if (rc < 0) {
		put_error(v, cpj_strerror(rc));
		return rc;
	}
	blen = hex_decode(v->body_hex, body, BODY_SIZE);
	if (blen < 0) {
		put_error(v, "bad body_hex");
		cpj_sigv4_clear(&sctx);
		return CPJ_ERR_PARAM;
	}
	memset(&req, 0, sizeof req);
	req.method = v->method;
	req.path = v->path;
	req.query = v->query;
	req.headers = hdrs;
	req.header_count = v->nh;
	req.payload = CPJ_SIGV4_PAYLOAD_BODY;
	req.body = body;
	req.body_len = (size_t)blen;
	req.amz_date = v->amz_date;
	memset(&res, 0, sizeof res);
	res.canonical_request = creq;
	res.canonical_request_size = CREQ_SIZE;
	res.string_to_sign = sts;
	res.string_to_sign_size = STS_SIZE;
	rc = cpj_sigv4_sign(&sctx, &req, &res, auth, AUTH_SIZE);
	cpj_sigv4_clear(&sctx);
	if (rc < 0) {
		put_error(v, cpj_strerror(rc));
		return rc;
	}
	put_id(v);
	fputs(",\"canonical_request\":", stdout);
	put_str(creq);
	fputs(",\"string_to_sign\":", stdout);
	put_str(sts);
	fputs(",\"signature\":", stdout);
	put_str(res.signature);
	fputs(",\"authorization\":", stdout);
	put_str(auth);
	fputs("}\n", stdout);
	return 0;
}

static int
vectors(void)
{
	struct vec v;
	unsigned long n = 0, failed = 0;
	size_t len;
	const char *err;
	int c;

	line = agent_arena_take(LINE_SIZE);
	toks = agent_arena_take(TOKENS_MAX * sizeof *toks);
	arena = agent_arena_take(ARENA_SIZE);
	body = agent_arena_take(BODY_SIZE);
	creq = agent_arena_take(CREQ_SIZE);
	sts = agent_arena_take(STS_SIZE);
	auth = agent_arena_take(AUTH_SIZE);
	while (fgets(line, LINE_SIZE, stdin) != NULL) {
		len = strlen(line);
		if (len == LINE_SIZE - 1 && line[len - 1] != '\n') {
			while ((c = getchar()) != EOF && c != '\n')
				;
			memset(&v, 0, sizeof v);
			v.id = -1;
			put_error(&v, "line too long");
			n++;
			failed++;
			continue;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		n++;
		err = parse_vec(&v, len);
		if (err != NULL) {
			put_error(&v, err);
			failed++;
		} else if (sign_vec(&v) < 0) {
			failed++;
		}
		/* the secret went through the arena: wipe what was used */
		memset(arena, 0, arena_used);
	}
	memset(line, 0, LINE_SIZE);
	if (ferror(stdin)) {
		fmt_fprintf(stderr, "sign_vectors: read error on stdin\n");
		return CPJ_EXIT_FAIL;
	}
	if (fflush(stdout) != 0) {
		fmt_fprintf(stderr, "sign_vectors: write error on stdout\n");
		return CPJ_EXIT_FAIL;
	}
	if (failed > 0) {
		fmt_fprintf(stderr, "sign_vectors: %lu of %lu lines not signed\n",
		    failed, n);
		return CPJ_EXIT_FAIL;
	}
	return CPJ_EXIT_OK;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--vectors") == 0)
		return vectors();
	if (argc == 2 && (strcmp(argv[1], "--help") == 0
	    || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return CPJ_EXIT_OK;
	}
	usage(stderr);
	return CPJ_EXIT_USAGE;
}
