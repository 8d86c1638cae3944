/*
 * test_sigv4.c -- SigV4: the aws-c-auth v4 suite (tests/vectors/sigv4/v4)
 * in header and query mode, canonicalisation rules, key cache, wiping,
 * buffer limits and invalid input.
 *
 * The suite is read at run time from $CPJ_TOP/tests/vectors/sigv4/v4, or
 * from the current directory when CPJ_TOP is not set.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sha256_paths.h"
#include "util/sha256_int.h"
#include "inner.h"

#define SUITE_DIR "tests/vectors/sigv4/v4"
#define SUITE_CASES 38
#define FILE_MAX 8192
#define NAMES_MAX 64

/* ---- small helpers ----------------------------------------------------- */

static char top[1024];

static long
read_file(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[2048];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%s/%s", top, dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	if (!feof(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

/* Does the memory [p, p+len) contain `needle`? */
static int
mem_has(const void *p, size_t len, const void *needle, size_t nlen)
{
	const unsigned char *a = p;
	size_t i;

	for (i = 0; i + nlen <= len; i++) {
		if (memcmp(a + i, needle, nlen) == 0)
			return 1;
	}
	return 0;
}

static int
all_zero(const void *p, size_t len)
{
	const unsigned char *a = p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (a[i] != 0)
			return 0;
	}
	return 1;
}

/* ---- the suite --------------------------------------------------------- */

struct suite_case {
	char method[16];
	char path[512];
	char query[1024];
	int has_query;
	cpj_sigv4_header h[16];
	size_t nh;
	char hstore[4096];
	char body[1024];
	size_t body_len;
	char token[1024];
	int normalize, sign_body, omit_token;
};

static struct suite_case sc;
static char fbuf[FILE_MAX], expect[FILE_MAX], got_creq[FILE_MAX],
    got_sts[FILE_MAX], out[FILE_MAX];

/* Value of `"key": true` in context.json. */
static int
json_true(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	p = strstr(json, pat);
	if (p == NULL)
		return 0;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	return strncmp(p, "true", 4) == 0;
}

static int
load_case(const char *dir)
{
	char *p, *line, *next, *hs, *colon;
	const char *tok;
	size_t hs_used = 0;
	long n;

	memset(&sc, 0, sizeof sc);
	if (read_file(dir, "context.json", fbuf, sizeof fbuf) < 0)
		return -1;
	sc.normalize = json_true(fbuf, "normalize");
	sc.sign_body = json_true(fbuf, "sign_body");
	sc.omit_token = json_true(fbuf, "omit_session_token");
	if (strstr(fbuf, "\"expiration_in_seconds\": 3600") == NULL
	    || strstr(fbuf, "\"timestamp\": \"2015-08-30T12:36:00Z\"") == NULL)
		return -1;
	tok = strstr(fbuf, "\"token\":");
	if (tok != NULL) {
		const char *s = strchr(tok + 8, '"'), *e;

		if (s == NULL || (e = strchr(s + 1, '"')) == NULL
		    || (size_t)(e - s - 1) >= sizeof sc.token)
			return -1;
		memcpy(sc.token, s + 1, (size_t)(e - s - 1));
	}

	n = read_file(dir, "request.txt", fbuf, sizeof fbuf);
	if (n < 0)
		return -1;
	/* request line: method SP target SP HTTP/1.1 (target may hold spaces) */
	line = fbuf;
	next = strchr(line, '\n');
	if (next != NULL)
		*next++ = '\0';
	p = strchr(line, ' ');
	if (p == NULL || (size_t)(p - line) >= sizeof sc.method)
		return -1;
	memcpy(sc.method, line, (size_t)(p - line));
	line = p + 1;
	p = line + strlen(line);
	if (p - line < 9 || strcmp(p - 9, " HTTP/1.1") != 0)
		return -1;
	p[-9] = '\0';
	p = strchr(line, '?');
	if (p != NULL) {
		*p = '\0';
		snprintf(sc.query, sizeof sc.query, "%s", p + 1);
		sc.has_query = 1;
	}
	snprintf(sc.path, sizeof sc.path, "%s", line);

	/* headers, with obs-fold continuation lines joined by a space */
	hs = sc.hstore;
	while (next != NULL) {
		line = next;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '\0')
			break;
		if ((*line == ' ' || *line == '\t') && sc.nh > 0) {
			size_t l = strlen(line);

			if (hs_used + l + 2 > sizeof sc.hstore)
				return -1;
			/* the value is the last string in hstore: extend it */
			hs[hs_used - 1] = ' ';
			memcpy(hs + hs_used, line, l + 1);
			hs_used += l + 1;
			continue;
		}
		colon = strchr(line, ':');
		if (colon == NULL || sc.nh == CPJ_ARRAY_LEN(sc.h)
		    || hs_used + strlen(line) + 2 > sizeof sc.hstore)
			return -1;
		*colon = '\0';
		sc.h[sc.nh].name = hs + hs_used;
		memcpy(hs + hs_used, line, strlen(line) + 1);
		hs_used += strlen(line) + 1;
		sc.h[sc.nh].value = hs + hs_used;
		memcpy(hs + hs_used, colon + 1, strlen(colon + 1) + 1);
		hs_used += strlen(colon + 1) + 1;
		sc.nh++;
	}
	if (next != NULL) {
		sc.body_len = strlen(next);
		if (sc.body_len >= sizeof sc.body)
			return -1;
		memcpy(sc.body, next, sc.body_len);
	}
	return 0;
}

static int
suite_context(cpj_sigv4_context *ctx)
{
	unsigned flags = 0;

	if (!sc.normalize)
		flags |= CPJ_SIGV4_NO_NORMALIZE;
	if (sc.sign_body)
		flags |= CPJ_SIGV4_SIGN_CONTENT_SHA256;
	if (sc.omit_token)
		flags |= CPJ_SIGV4_OMIT_TOKEN;
	if (cpj_sigv4_init(ctx, "us-east-1", "service", flags) != 0)
		return -1;
	return cpj_sigv4_set_credentials(ctx, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    sc.token[0] != '\0' ? sc.token : NULL);
}

static void
suite_request(cpj_sigv4_request *req, cpj_sigv4_result *res)
{
	memset(req, 0, sizeof *req);
	req->method = sc.method;
	req->path = sc.path;
	req->query = sc.has_query ? sc.query : NULL;
	req->headers = sc.h;
	req->header_count = sc.nh;
	req->payload = CPJ_SIGV4_PAYLOAD_BODY;
	req->body = sc.body;
	req->body_len = sc.body_len;
	req->amz_date = "20150830T123600Z";
	req->expires = 3600;
	memset(res, 0, sizeof *res);
	res->canonical_request = got_creq;
	res->canonical_request_size = sizeof got_creq;
	res->string_to_sign = got_sts;
	res->string_to_sign_size = sizeof got_sts;
}

static int
same_file(const char *dir, const char *name, const char *got)
{
	if (read_file(dir, name, expect, sizeof expect) < 0) {
		fprintf(stderr, "%s/%s: unreadable\n", dir, name);
		return 0;
	}
	if (strcmp(expect, got) != 0) {
		fprintf(stderr, "%s/%s differs:\n--- expected\n%s\n--- got\n%s\n",
		    dir, name, expect, got);
		return 0;
	}
	return 1;
}

static cpj_sigv4_context ctx;

static int
suite_header(const char *dir)
{
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	char *a, *e;
	int n;

	CHECK(load_case(dir) == 0);
	CHECK(suite_context(&ctx) == 0);
	suite_request(&req, &res);
	n = cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out);
	CHECK(n > 0);
	CHECK_EQ((size_t)n, strlen(out));
	CHECK(same_file(dir, "header-canonical-request.txt", got_creq));
	CHECK(same_file(dir, "header-string-to-sign.txt", got_sts));
	CHECK(same_file(dir, "header-signature.txt", res.signature));
	CHECK(strcmp(res.amz_date, "20150830T123600Z") == 0);
	/* Authorization and the other signed-request headers */
	CHECK(read_file(dir, "header-signed-request.txt", expect,
	    sizeof expect) > 0);
	a = strstr(expect, "\nAuthorization:");
	CHECK(a != NULL);
	a += strlen("\nAuthorization:");
	e = strchr(a, '\n');
	if (e != NULL)
		*e = '\0';
	if (strcmp(a, out) != 0) {
		fprintf(stderr, "authorization: expected %s\n got %s\n", a, out);
		return __LINE__;
	}
	if (sc.token[0] != '\0') {
		CHECK(res.security_token != NULL);
		CHECK(strcmp(res.security_token, sc.token) == 0);
	} else {
		CHECK(res.security_token == NULL);
	}
	CHECK_EQ(res.content_sha256, sc.sign_body);
	cpj_sigv4_clear(&ctx);
	return 0;
}

/* Every '&'-separated parameter of `mine` appears in the expected URL. */
static int
params_in_url(const char *mine, const char *url, int *count)
{
	char piece[2048];
	const char *p = mine, *e;

	*count = 0;
	while (*p != '\0') {
		e = strchr(p, '&');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) + 2 >= sizeof piece)
			return 0;
		piece[0] = '&';
		memcpy(piece + 1, p, (size_t)(e - p));
		piece[e - p + 1] = '\0';
		if (strstr(url, piece) == NULL) {
			/* first parameter after '?' */
			piece[0] = '?';
			if (strstr(url, piece) == NULL) {
				fprintf(stderr, "parameter %s not in %s\n",
				    piece + 1, url);
				return 0;
			}
		}
		(*count)++;
		p = *e == '&' ? e + 1 : e;
	}
	return 1;
}

static int
suite_query(const char *dir)
{
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	char *eol;
	const char *p;
	int n, count, want;

	CHECK(load_case(dir) == 0);
	CHECK(suite_context(&ctx) == 0);
	suite_request(&req, &res);
	n = cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out);
	CHECK(n > 0);
	CHECK_EQ((size_t)n, strlen(out));
	CHECK(same_file(dir, "query-canonical-request.txt", got_creq));
	CHECK(same_file(dir, "query-string-to-sign.txt", got_sts));
	CHECK(same_file(dir, "query-signature.txt", res.signature));
	CHECK(res.security_token == NULL);
	CHECK_EQ(res.content_sha256, 0);
	/* our parameters are exactly the expected URL's auth parameters */
	CHECK(read_file(dir, "query-signed-request.txt", expect,
	    sizeof expect) > 0);
	eol = strchr(expect, '\n');
	CHECK(eol != NULL);
	*eol = '\0';
	CHECK(params_in_url(out, expect, &count));
	want = 0;
	for (p = expect; (p = strstr(p, "X-Amz-")) != NULL; p++) {
		if (p[-1] == '?' || p[-1] == '&')
			want++;
	}
	CHECK_EQ(count, want);
	cpj_sigv4_clear(&ctx);
	return 0;
}

static char case_names[NAMES_MAX][128];
static size_t ncases;

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
suite_list(void)
{
	char path[1100];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof path, "%s/%s", top, SUITE_DIR);
	dir = opendir(path);
	CHECK(dir != NULL);
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (ncases == NAMES_MAX || strlen(d->d_name) >= 100) {
			closedir(dir);
			return __LINE__;
		}
		memcpy(case_names[ncases++], d->d_name, strlen(d->d_name) + 1);
	}
	closedir(dir);
	qsort(case_names, ncases, sizeof case_names[0], cmp_names);
	CHECK_EQ(ncases, SUITE_CASES);
	return 0;
}

static void
run_suite(void)
{
	char name[200], dir[200];
	size_t i;
	int hp = 0, qp = 0, rc;

	h_report("suite_has_38_cases", suite_list());
	for (i = 0; i < ncases; i++) {
		snprintf(dir, sizeof dir, "%s/%s", SUITE_DIR, case_names[i]);
		snprintf(name, sizeof name, "suite_header_%s", case_names[i]);
		rc = suite_header(dir);
		h_report(name, rc);
		hp += rc == 0;
		snprintf(name, sizeof name, "suite_query_%s", case_names[i]);
		rc = suite_query(dir);
		h_report(name, rc);
		qp += rc == 0;
	}
	printf("suite: header mode %d/%zu, query mode %d/%zu\n", hp, ncases,
	    qp, ncases);
}

/* ---- rules ------------------------------------------------------------- */

static const char *const akid = "AKIDEXAMPLE";
static const char *const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

static cpj_sigv4_header host_only[] = { { "Host", "example.amazonaws.com" } };

static void
basic_request(cpj_sigv4_request *req, cpj_sigv4_result *res)
{
	memset(req, 0, sizeof *req);
	req->method = "GET";
	req->path = "/";
	req->headers = host_only;
	req->header_count = 1;
	req->amz_date = "20150830T123600Z";
	req->expires = 60;
	memset(res, 0, sizeof *res);
	res->canonical_request = got_creq;
	res->canonical_request_size = sizeof got_creq;
	res->string_to_sign = got_sts;
	res->string_to_sign_size = sizeof got_sts;
}

static int
setup(unsigned flags, const char *token)
{
	if (cpj_sigv4_init(&ctx, "us-east-1", "service", flags) != 0)
		return -1;
	return cpj_sigv4_set_credentials(&ctx, akid, secret, token);
}

/* Second line (the canonical URI) of the canonical request for `path`. */
static const char *
canon_uri(unsigned flags, const char *path)
{
	static char line[1024];
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	const char *a, *b;

	if (setup(flags, NULL) != 0)
		return "(setup)";
	basic_request(&req, &res);
	req.path = path;
	if (cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) <= 0)
		return "(error)";
	a = strchr(got_creq, '\n') + 1;
	b = strchr(a, '\n');
	snprintf(line, sizeof line, "%.*s", (int)(b - a), a);
	return line;
}

static int
path_rules(void)
{
	CHECK(strcmp(canon_uri(0, "/a/./b/../c//d/"), "/a/c/d/") == 0);
	CHECK(strcmp(canon_uri(0, "/a/b/.."), "/a") == 0);
	CHECK(strcmp(canon_uri(0, "/.."), "/") == 0);
	CHECK(strcmp(canon_uri(0, "/../../x/"), "/x/") == 0);
	CHECK(strcmp(canon_uri(0, "//"), "/") == 0);
	CHECK(strcmp(canon_uri(0, ""), "/") == 0);
	CHECK(strcmp(canon_uri(0, "/a/%2F b~-_.!"), "/a/%252F%20b~-_.%21") == 0);
	CHECK(strcmp(canon_uri(CPJ_SIGV4_NO_NORMALIZE, "/a/./b//c/.."),
	    "/a/./b//c/..") == 0);
	CHECK(strcmp(canon_uri(CPJ_SIGV4_NO_NORMALIZE, "/%41"), "/%2541") == 0);
	CHECK(strcmp(canon_uri(CPJ_SIGV4_S3, "/a/./b//%2F%41!"),
	    "/a/./b//%2F%41!") == 0);
	return 0;
}

static const char *
canon_query(const char *q)
{
	static char line[1024];
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	const char *a, *b;

	if (setup(0, NULL) != 0)
		return "(setup)";
	basic_request(&req, &res);
	req.query = q;
	if (cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) <= 0)
		return "(error)";
	a = strchr(strchr(got_creq, '\n') + 1, '\n') + 1;
	b = strchr(a, '\n');
	snprintf(line, sizeof line, "%.*s", (int)(b - a), a);
	return line;
}

static int
query_rules(void)
{
	CHECK(strcmp(canon_query("b=2&a=&a=1&a&&c%3d=x%41"),
	    "a=&a=&a=1&b=2&c%3D=xA") == 0);
	/* sort on (key, value), not on "k=v": a < a-b */
	CHECK(strcmp(canon_query("a-b=1&a=2"), "a=2&a-b=1") == 0);
	/* '+' is not a space; '=' in a value; raw bytes encoded */
	CHECK(strcmp(canon_query("x+y=1=2&k=\xc3\xa9 "),
	    "k=%C3%A9%20&x%2By=1%3D2") == 0);
	CHECK(strcmp(canon_query("=v&="), "=&=v") == 0);
	CHECK(strcmp(canon_query(""), "") == 0);
	CHECK(strcmp(canon_query("&&&"), "") == 0);
	return 0;
}

static int
header_rules(void)
{
	static const cpj_sigv4_header h[] = {
		{ "X-A-B", "1" }, { "x-a", " a \t b  " }, { "X_A", "q" },
		{ "Host", "h" }, { "X-a", "\tz" }, { "E", "" },
		{ "F", "v\vw" },
	};
	static const char want[] =
	    "GET\n/\n\ne:\nf:v\vw\nhost:h\nx-a:a b,z\nx-a-b:1\n"
	    "x-amz-date:20150830T123600Z\nx_a:q\n\n"
	    "e;f;host;x-a;x-a-b;x-amz-date;x_a\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	cpj_sigv4_request req;
	cpj_sigv4_result res;

	CHECK(setup(0, NULL) == 0);
	basic_request(&req, &res);
	req.headers = h;
	req.header_count = CPJ_ARRAY_LEN(h);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strcmp(got_creq, want) == 0);
	CHECK(strstr(out, "SignedHeaders=e;f;host;x-a;x-a-b;x-amz-date;x_a,")
	    != NULL);
	return 0;
}

/* The last line of the canonical request, X-Amz-Content-SHA256. */
static int
payload_kinds(void)
{
	static const char hash[] =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	br_sha256_context sha;
	unsigned char d[32];
	char hex[65];
	size_t i;

	CHECK(setup(CPJ_SIGV4_S3, "tok") == 0);
	basic_request(&req, &res);
	req.body = "hello";
	req.body_len = 5;
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	br_sha256_init(&sha);
	br_sha256_update(&sha, "hello", 5);
	br_sha256_out(&sha, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CHECK(strcmp(res.payload_hash, hex) == 0);
	CHECK(strcmp(got_creq + strlen(got_creq) - 64, hex) == 0);
	CHECK_EQ(res.content_sha256, 1);
	CHECK(strstr(got_creq, "\nx-amz-content-sha256:") != NULL);
	CHECK(strstr(got_creq, "\nx-amz-security-token:tok\n") != NULL);
	CHECK(strcmp(res.security_token, "tok") == 0);

	req.payload = CPJ_SIGV4_PAYLOAD_UNSIGNED;
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strcmp(res.payload_hash, "UNSIGNED-PAYLOAD") == 0);
	CHECK(strstr(got_creq, "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n")
	    != NULL);

	req.payload = CPJ_SIGV4_PAYLOAD_HASH;
	req.payload_hash = hash;
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strcmp(got_creq + strlen(got_creq) - 64, hash) == 0);

	/* non-S3 without the flag: no content header */
	CHECK(setup(0, NULL) == 0);
	basic_request(&req, &res);
	req.payload = CPJ_SIGV4_PAYLOAD_UNSIGNED;
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(res.content_sha256, 0);
	CHECK(strstr(got_creq, "x-amz-content-sha256") == NULL);
	CHECK(strcmp(got_creq + strlen(got_creq) - 16, "UNSIGNED-PAYLOAD") == 0);
	return 0;
}

static int
amz_date(void)
{
	static const struct {
		int64_t t;
		const char *s;
	} v[] = {
		{ 0, "19700101T000000Z" },
		{ 1440938160, "20150830T123600Z" },
		{ 951782400, "20000229T000000Z" },
		{ 951868799, "20000229T235959Z" },
		{ 4107542399LL, "21000228T235959Z" },
		{ 4107542400LL, "21000301T000000Z" },
		{ 253402300799LL, "99991231T235959Z" },
	};
	char s[CPJ_SIGV4_AMZ_DATE_SIZE];
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(v); i++) {
		CHECK_EQ(cpj_sigv4_amz_date(v[i].t, s), 0);
		if (strcmp(s, v[i].s) != 0) {
			fprintf(stderr, "%lld: %s != %s\n", (long long)v[i].t,
			    s, v[i].s);
			return __LINE__;
		}
	}
	CHECK_EQ(cpj_sigv4_amz_date(-1, s), CPJ_ERR_SIGV4_TIME);
	CHECK(s[0] == '\0');
	CHECK_EQ(cpj_sigv4_amz_date(253402300800LL, s), CPJ_ERR_SIGV4_TIME);
	CHECK_EQ(cpj_sigv4_amz_date(0, NULL), CPJ_ERR_PARAM);
	return 0;
}

/* Signing at `now` equals signing with the same amz_date string. */
static int
now_equals_amz_date(void)
{
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	char sig[65];

	CHECK(setup(0, NULL) == 0);
	basic_request(&req, &res);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	memcpy(sig, res.signature, sizeof sig);
	req.amz_date = NULL;
	req.now = 1440938160;
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strcmp(res.amz_date, "20150830T123600Z") == 0);
	CHECK(strcmp(res.signature, sig) == 0);
	return 0;
}

/* ---- key cache and wiping ---------------------------------------------- */

static int
key_cache(void)
{
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	char id[16], sig1[65];

	CHECK(cpj_sigv4_init(&ctx, "us-east-1", "service", 0) == 0);
	snprintf(id, sizeof id, "%s", akid);
	CHECK(cpj_sigv4_set_credentials(&ctx, id, secret, NULL) == 0);
	CHECK_EQ(ctx.derivations, 0);
	basic_request(&req, &res);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 1);
	memcpy(sig1, res.signature, sizeof sig1);
	/* same day, other time: hit */
	req.amz_date = "20150830T235959Z";
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 1);
	CHECK(strcmp(res.signature, sig1) != 0);
	/* next day: miss, then hit */
	req.amz_date = "20150831T000000Z";
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 2);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 2);
	/* other region, then back: two misses (one key cached) */
	ctx.region = "eu-west-1";
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 3);
	CHECK(strstr(out, "/20150831/eu-west-1/service/aws4_request,") != NULL);
	ctx.region = "us-east-1";
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 4);
	ctx.service = "other";
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 5);
	ctx.service = "service";
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 6);
	/* access key id changed in place: miss */
	id[0] = 'X';
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 7);
	/* set_credentials always drops the key */
	CHECK(cpj_sigv4_set_credentials(&ctx, id, secret, NULL) == 0);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 8);
	/* presign shares the cache */
	CHECK(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.derivations, 8);
	/* the cached key gives the same signature as a fresh derivation */
	req.amz_date = "20150830T123600Z";
	CHECK(cpj_sigv4_set_credentials(&ctx, akid, secret, NULL) == 0);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strcmp(res.signature, sig1) == 0);
	CHECK_EQ(ctx.derivations, 9);
	return 0;
}

/*
 * Region, service and access key id are checked on every call, also while
 * a key derived for them is cached: each changed in place (same length,
 * or the cached text with more after it) to what is not valid is refused.
 */
static int
key_cache_checks(void)
{
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	char region[16], service[16], id[24];

	snprintf(region, sizeof region, "us-east-1");
	snprintf(service, sizeof service, "service");
	snprintf(id, sizeof id, "%s", akid);
	CHECK(cpj_sigv4_init(&ctx, region, service, 0) == 0);
	CHECK(cpj_sigv4_set_credentials(&ctx, id, secret, NULL) == 0);
	basic_request(&req, &res);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.key_valid, 1);
	region[2] = '/';
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_PARAM);
	region[2] = '-';
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	snprintf(region, sizeof region, "us-east-1~");
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_PARAM);
	snprintf(region, sizeof region, "us-east-1");
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	service[0] = ' ';
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_PARAM);
	service[0] = 's';
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	id[3] = ',';
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_CREDS);
	id[3] = akid[3];
	snprintf(id + strlen(akid), sizeof id - strlen(akid), "/");
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_CREDS);
	id[strlen(akid)] = '\0';
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	return 0;
}

/*
 * The cached first block of the canonical request: requests that begin
 * alike, then one that differs in its first block, one whose first flush
 * is shorter than a block (a long path goes to SHA-256 straight), in
 * turn on one context: each signature and canonical request as a fresh
 * context gives them, and the cache holds the last request's first block.
 */
static int
first_block(void)
{
	static const cpj_sigv4_header h_cp[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "Host", "codepipeline.us-east-1.amazonaws.com" },
		{ "X-Amz-Target", "CodePipeline_20150709.PollForJobs" },
	}, h_ack[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "Host", "codepipeline.us-east-1.amazonaws.com" },
		{ "X-Amz-Target", "CodePipeline_20150709.AcknowledgeJob" },
	}, h_other[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "Host", "example.com" },
		{ "X-Amz-Target", "CodePipeline_20150709.PollForJobs" },
	};
	static const struct {
		const cpj_sigv4_header *h;
		const char *path, *body;
	} rq[] = {
		{ h_cp, "/", "{\"maxBatchSize\":1}" },
		{ h_ack, "/", "{\"jobId\":\"1\",\"nonce\":\"2\"}" },
		{ h_other, "/", "{\"maxBatchSize\":1}" },
		{ h_cp, "/", "{\"maxBatchSize\":1}" },
		{ h_cp, "/a-path-segment-long-enough-to-fill-the-stage-at-once/"
		    "0123456789012345678901234567890123456789012345678901234567"
		    "890123456789", "{}" },
		{ h_ack, "/", "{}" },
	};
	static char want_auth[1024], want_creq[2048], seq_creq[2048];
	cpj_sigv4_context fresh;
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	size_t i;
	int hits = 0;

	CHECK(setup(0, "session-token") == 0);
	for (i = 0; i < CPJ_ARRAY_LEN(rq); i++) {
		memset(&req, 0, sizeof req);
		req.method = "POST";
		req.path = rq[i].path;
		req.headers = rq[i].h;
		req.header_count = 3;
		req.body = rq[i].body;
		req.body_len = strlen(rq[i].body);
		req.amz_date = "20261207T103000Z";
		memset(&res, 0, sizeof res);
		res.canonical_request = want_creq;
		res.canonical_request_size = sizeof want_creq;
		CHECK(cpj_sigv4_init(&fresh, "us-east-1", "codepipeline", 0) == 0);
		CHECK(cpj_sigv4_set_credentials(&fresh, akid, secret,
		    "session-token") == 0);
		CHECK(cpj_sigv4_sign(&fresh, &req, &res, want_auth,
		    sizeof want_auth) > 0);
		CHECK(strlen(want_creq) > 64);

		hits += memcmp(ctx.pre, want_creq, 64) == 0;
		ctx.service = "codepipeline";
		res.canonical_request = seq_creq;
		res.canonical_request_size = sizeof seq_creq;
		CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
		CHECK(strcmp(out, want_auth) == 0);
		CHECK(strcmp(seq_creq, want_creq) == 0);
		/* the long path went to SHA-256 without the cache */
		CHECK_EQ(memcmp(ctx.pre, want_creq, 64) == 0, i != 4);
	}
	/* AcknowledgeJob after PollForJobs, and after the long path */
	CHECK_EQ(hits, 2);
	return 0;
}

static int
wiping(void)
{
	static const char secret2[] = "Zq8sT1uVw2xY3zA4bC5dE6fG7hI8jK9lM0nO1pQr";
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	unsigned char kd[32];
	br_hmac_key_context kc;
	br_hmac_context hc;
	char aws4[64];
	int i;

	CHECK(cpj_sigv4_init(&ctx, "us-east-1", "service", 0) == 0);
	CHECK(cpj_sigv4_set_credentials(&ctx, akid, secret2, "tokentoken") == 0);
	basic_request(&req, &res);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK_EQ(ctx.key_valid, 1);
	CHECK(!all_zero(ctx.key_ist, sizeof ctx.key_ist));
	CHECK(!all_zero(ctx.key_ost, sizeof ctx.key_ost));

	/* after a call: no copy of the secret, and the working state is wiped */
	snprintf(aws4, sizeof aws4, "AWS4%s", secret2);
	CHECK(!mem_has(&ctx, sizeof ctx, secret2, 20));
	CHECK(!mem_has(&ctx, sizeof ctx, secret2 + 20, 20));
	CHECK(!mem_has(&ctx, sizeof ctx, aws4, 8));
	CHECK(all_zero(&ctx.sha, sizeof ctx.sha));
	CHECK(all_zero(ctx.stage, sizeof ctx.stage));

	/* the derived kDate..kSigning values do not sit in the context */
	br_hmac_key_init(&kc, &br_sha256_vtable, aws4, strlen(aws4));
	for (i = 0; i < 4; i++) {
		static const char *const parts[] = {
			"20150830", "us-east-1", "service", "aws4_request"
		};

		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, parts[i], strlen(parts[i]));
		br_hmac_out(&hc, kd);
		CHECK(!mem_has(&ctx, sizeof ctx, kd, 16));
		br_hmac_key_init(&kc, &br_sha256_vtable, kd, 32);
	}
	/* ...but its HMAC key states do (as BearSSL computes them), until
	 * cleared */
	CHECK(memcmp(ctx.key_ist, kc.ksi, 32) == 0);
	CHECK(memcmp(ctx.key_ost, kc.kso, 32) == 0);

	CHECK(!all_zero(ctx.pre, sizeof ctx.pre));
	CHECK(!all_zero(ctx.pre_state, sizeof ctx.pre_state));
	cpj_sigv4_clear(&ctx);
	CHECK(all_zero(ctx.key_ist, sizeof ctx.key_ist));
	CHECK(all_zero(ctx.pre, sizeof ctx.pre));
	CHECK(all_zero(ctx.pre_state, sizeof ctx.pre_state));
	CHECK(all_zero(ctx.key_ost, sizeof ctx.key_ost));
	CHECK_EQ(ctx.key_valid, 0);
	CHECK(!mem_has(&ctx, sizeof ctx, kc.ksi, 16));
	CHECK(!mem_has(&ctx, sizeof ctx, kc.kso, 16));
	CHECK(ctx.secret == NULL && ctx.akid == NULL && ctx.token == NULL);
	CHECK(all_zero(&ctx.u, sizeof ctx.u));
	/* signing now needs credentials again */
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_CREDS);
	/* set_credentials also wipes the key */
	CHECK(cpj_sigv4_set_credentials(&ctx, akid, secret2, NULL) == 0);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(!all_zero(ctx.key_ist, sizeof ctx.key_ist));
	CHECK(cpj_sigv4_set_credentials(&ctx, akid, secret, NULL) == 0);
	CHECK(all_zero(ctx.key_ist, sizeof ctx.key_ist));
	CHECK(all_zero(ctx.key_ost, sizeof ctx.key_ost));
	CHECK_EQ(ctx.key_valid, 0);
	cpj_sigv4_clear(NULL);
	return 0;
}

/* ---- buffers too small ------------------------------------------------- */

static int
nospace(void)
{
	static char small[FILE_MAX];
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	int n, m, size;

	CHECK(setup(0, "tok/en+=") == 0);
	basic_request(&req, &res);
	n = cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out);
	CHECK(n > 0);
	for (size = 0; size <= n; size++) {
		memset(small, 'x', sizeof small);
		CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, small, (size_t)size),
		    CPJ_ERR_NOSPACE);
		CHECK(size == 0 || small[0] == '\0');
		CHECK(res.signature[0] == '\0');
		CHECK(small[size] == 'x');
	}
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, small, (size_t)n + 1), n);
	CHECK(strcmp(small, out) == 0);

	m = cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out);
	CHECK(m > 0);
	CHECK(strstr(out, "&X-Amz-Security-Token=tok%2Fen%2B%3D&") != NULL);
	for (size = 0; size <= m; size++) {
		memset(small, 'x', sizeof small);
		CHECK_EQ(cpj_sigv4_presign(&ctx, &req, &res, small,
		    (size_t)size), CPJ_ERR_NOSPACE);
		CHECK(size == 0 || small[0] == '\0');
		CHECK(small[size] == 'x');
	}
	CHECK_EQ(cpj_sigv4_presign(&ctx, &req, &res, small, (size_t)m + 1), m);

	/* copies: one byte short of the canonical request / string to sign */
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	n = (int)strlen(got_creq);
	m = (int)strlen(got_sts);
	res.canonical_request_size = (size_t)n;
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_NOSPACE);
	CHECK(out[0] == '\0');
	res.canonical_request_size = (size_t)n + 1;
	res.string_to_sign_size = (size_t)m;
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_NOSPACE);
	res.string_to_sign_size = (size_t)m + 1;
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	/* a large path going straight through to the copy */
	memset(small, 'a', 3000);
	small[0] = '/';
	small[3000] = '\0';
	req.path = small;
	res.canonical_request_size = sizeof got_creq;
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strncmp(got_creq + 4, small, 3000) == 0);
	res.canonical_request_size = 3000;
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_NOSPACE);
	return 0;
}

/* ---- invalid input ----------------------------------------------------- */

static int
sign_with(cpj_sigv4_request *req)
{
	cpj_sigv4_result res;

	memset(&res, 0, sizeof res);
	return cpj_sigv4_sign(&ctx, req, &res, out, sizeof out);
}

static int
invalid_input(void)
{
	static cpj_sigv4_header many[CPJ_SIGV4_HEADERS_MAX + 1];
	static char names[CPJ_SIGV4_HEADERS_MAX + 1][8];
	static char longq[(CPJ_SIGV4_QUERY_MAX + CPJ_SIGV4_SEGMENTS_MAX) * 4 + 16];
	static const char *const bad_dates[] = {
		"20150830T123600", "20150830T123600ZZ", "2015083OT123600Z",
		"20150830X123600Z", "20151330T123600Z", "20150230T123600Z",
		"20150229T000000Z", "20150830T243600Z", "20150830T126000Z",
		"19691231T235959Z", "20150800T000000Z", "",
	};
	cpj_sigv4_header h[2];
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	size_t i;
	char *p;

	CHECK(setup(0, NULL) == 0);
	basic_request(&req, &res);
	CHECK(sign_with(&req) > 0);

	/* NULL arguments */
	CHECK_EQ(cpj_sigv4_sign(NULL, &req, &res, out, sizeof out), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_sign(&ctx, NULL, &res, out, sizeof out), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, NULL, out, sizeof out), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, NULL, 10), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_presign(&ctx, &req, &res, NULL, 10), CPJ_ERR_PARAM);
	req.method = NULL;
	CHECK_EQ(sign_with(&req), CPJ_ERR_PARAM);
	req.method = "GET";

	/* method, path, query */
	req.method = "G T";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.method = "";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.method = "GET";
	req.path = "a/b";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.path = "/a?b";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.path = "/a#b";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.path = "/a\r\nb";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.path = "/";
	req.query = "a=%4";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.query = "a=%zz";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.query = "a=%";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.query = "a=\n";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	/* query parameter limit */
	p = longq;
	for (i = 0; i < CPJ_SIGV4_QUERY_MAX; i++)
		p += sprintf(p, "%sa", i ? "&" : "");
	req.query = longq;
	CHECK(sign_with(&req) > 0);
	strcat(longq, "&b");
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.query = NULL;
	/* path depth limit (normalised mode only) */
	p = longq;
	for (i = 0; i < CPJ_SIGV4_SEGMENTS_MAX; i++)
		p += sprintf(p, "/a");
	req.path = longq;
	CHECK(sign_with(&req) > 0);
	strcat(longq, "/a");
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	/* the limit holds at every point, even if ".." comes later */
	strcat(longq, "/..");
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.path = "/a/../a/../a/../a/../a/../a/../a/../a/../a/../a/..";
	CHECK(sign_with(&req) > 0);
	req.path = "/";

	/* headers */
	req.headers = h;
	req.header_count = 2;
	h[0].name = "Host";
	h[0].value = "x";
	h[1].name = "X-Ok";
	h[1].value = "v";
	CHECK(sign_with(&req) > 0);
	h[1].name = "Bad Name";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	h[1].name = "Bad:";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	h[1].name = "";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	h[1].name = NULL;
	CHECK_EQ(sign_with(&req), CPJ_ERR_PARAM);
	h[1].name = "X-Ok";
	h[1].value = "a\r\nInjected: 1";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	h[1].value = "a\nb";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	h[1].value = "v";
	h[1].name = "X-Amz-Date";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	h[1].name = "authorization";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	h[1].name = "X-Amz-Content-SHA256";
	CHECK(sign_with(&req) > 0);       /* not added without the flag */
	h[0].name = "X-Host";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);   /* no Host */
	h[0].name = "Host";
	req.headers = NULL;
	CHECK_EQ(sign_with(&req), CPJ_ERR_PARAM);
	/* header limit */
	for (i = 0; i <= CPJ_SIGV4_HEADERS_MAX; i++) {
		snprintf(names[i], sizeof names[i], "H%zu", i);
		many[i].name = i == 0 ? "Host" : names[i];
		many[i].value = "v";
	}
	req.headers = many;
	req.header_count = CPJ_SIGV4_HEADERS_MAX;
	CHECK(sign_with(&req) > 0);
	req.header_count = CPJ_SIGV4_HEADERS_MAX + 1;
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.headers = host_only;
	req.header_count = 1;

	/* dates */
	for (i = 0; i < CPJ_ARRAY_LEN(bad_dates); i++) {
		req.amz_date = bad_dates[i];
		if (sign_with(&req) != CPJ_ERR_SIGV4_TIME) {
			fprintf(stderr, "date %s accepted\n", bad_dates[i]);
			return __LINE__;
		}
	}
	req.amz_date = "20160229T235959Z";
	CHECK(sign_with(&req) > 0);
	req.amz_date = NULL;
	req.now = -5;
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_TIME);
	req.amz_date = "20150830T123600Z";

	/* payload */
	req.payload = 7;
	CHECK_EQ(sign_with(&req), CPJ_ERR_PARAM);
	req.payload = CPJ_SIGV4_PAYLOAD_HASH;
	req.payload_hash = "abc";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.payload_hash =
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";
	CHECK_EQ(sign_with(&req), CPJ_ERR_SIGV4_INPUT);
	req.payload_hash = NULL;
	CHECK_EQ(sign_with(&req), CPJ_ERR_PARAM);
	req.payload = CPJ_SIGV4_PAYLOAD_BODY;
	req.body = NULL;
	req.body_len = 3;
	CHECK_EQ(sign_with(&req), CPJ_ERR_PARAM);
	req.body_len = 0;
	CHECK(sign_with(&req) > 0);

	/* presign: expires and auth parameters already present */
	req.expires = 0;
	CHECK_EQ(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_INPUT);
	req.expires = 604801;
	CHECK_EQ(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_INPUT);
	req.expires = 604800;
	CHECK(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out) > 0);
	req.query = "a=1&X-Amz-Signature=abc";
	CHECK_EQ(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_INPUT);
	req.query = "X%2DAmz-Date=1";
	CHECK_EQ(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_INPUT);
	req.query = "x-amz-date=1";
	CHECK(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	req.query = NULL;
	return 0;
}

static int
invalid_setup(void)
{
	static char longname[CPJ_SIGV4_NAME_MAX + 2];
	static char longtok[CPJ_SIGV4_TOKEN_MAX + 2];
	cpj_sigv4_request req;
	cpj_sigv4_result res;

	CHECK_EQ(cpj_sigv4_init(NULL, "r", "s", 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_init(&ctx, "us/east", "s", 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_init(&ctx, "", "s", 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_init(&ctx, "r", NULL, 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_init(&ctx, "r", "s s", 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_sigv4_init(&ctx, "r", "s", 0x100), CPJ_ERR_PARAM);
	memset(longname, 'a', sizeof longname - 1);
	CHECK_EQ(cpj_sigv4_init(&ctx, longname, "s", 0), CPJ_ERR_PARAM);
	longname[CPJ_SIGV4_NAME_MAX] = '\0';
	CHECK_EQ(cpj_sigv4_init(&ctx, longname, "s", 0), 0);

	CHECK_EQ(cpj_sigv4_init(&ctx, "us-east-1", "service", 0), 0);
	basic_request(&req, &res);
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, NULL, secret, NULL),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, "", secret, NULL),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, "AK/ID", secret, NULL),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, "AK ID", secret, NULL),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, akid, "", NULL),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, akid, secret, "a b"),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, akid, secret, "a\r\nb"),
	    CPJ_ERR_SIGV4_CREDS);
	memset(longtok, 'T', sizeof longtok - 1);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, akid, secret, longtok),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK(ctx.akid == NULL && ctx.secret == NULL);
	CHECK_EQ(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out),
	    CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, akid, secret, ""), 0);
	CHECK(ctx.token == NULL);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(res.security_token == NULL);
	CHECK(strstr(got_creq, "security-token") == NULL);
	return 0;
}

/* Signature recomputed with BearSSL's own HMAC over our string to sign,
 * for secrets around the HMAC block size ("AWS4" + secret of 63..65
 * bytes, and a long one that HMAC hashes first). */
static int
secret_lengths(void)
{
	static const size_t lens[] = { 1, 40, 59, 60, 61, 100, CPJ_SIGV4_SECRET_MAX };
	static const char *const parts[] = {
		"20150830", "us-east-1", "service", "aws4_request"
	};
	char sec[CPJ_SIGV4_SECRET_MAX + 2], key[CPJ_SIGV4_SECRET_MAX + 6];
	char hex[65];
	unsigned char d[32];
	br_hmac_key_context kc;
	br_hmac_context hc;
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	size_t i, k;

	for (i = 0; i < CPJ_ARRAY_LEN(lens); i++) {
		for (k = 0; k < lens[i]; k++)
			sec[k] = (char)('!' + (k * 7 + i) % 90);
		sec[lens[i]] = '\0';
		CHECK(cpj_sigv4_init(&ctx, "us-east-1", "service", 0) == 0);
		CHECK(cpj_sigv4_set_credentials(&ctx, akid, sec, NULL) == 0);
		basic_request(&req, &res);
		CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);

		snprintf(key, sizeof key, "AWS4%s", sec);
		br_hmac_key_init(&kc, &br_sha256_vtable, key, strlen(key));
		for (k = 0; k < 4; k++) {
			br_hmac_init(&hc, &kc, 0);
			br_hmac_update(&hc, parts[k], strlen(parts[k]));
			br_hmac_out(&hc, d);
			br_hmac_key_init(&kc, &br_sha256_vtable, d, 32);
		}
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, got_sts, strlen(got_sts));
		br_hmac_out(&hc, d);
		for (k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		if (strcmp(hex, res.signature) != 0) {
			fprintf(stderr, "secret of %zu bytes: %s != %s\n",
			    lens[i], res.signature, hex);
			return __LINE__;
		}
	}
	/* one byte over the limit */
	memset(sec, 'x', sizeof sec - 1);
	sec[sizeof sec - 1] = '\0';
	CHECK_EQ(cpj_sigv4_set_credentials(&ctx, akid, sec, NULL),
	    CPJ_ERR_SIGV4_CREDS);
	return 0;
}

/* OMIT_TOKEN: token sent but not signed (header), appended (query). */
static int
omit_token(void)
{
	cpj_sigv4_request req;
	cpj_sigv4_result res;
	char sig[65];
	const char *p;

	CHECK(setup(CPJ_SIGV4_OMIT_TOKEN, "TOKEN") == 0);
	basic_request(&req, &res);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strcmp(res.security_token, "TOKEN") == 0);
	CHECK(strstr(got_creq, "security-token") == NULL);
	memcpy(sig, res.signature, sizeof sig);
	CHECK(setup(0, NULL) == 0);
	CHECK(cpj_sigv4_sign(&ctx, &req, &res, out, sizeof out) > 0);
	CHECK(strcmp(sig, res.signature) == 0);

	CHECK(setup(CPJ_SIGV4_OMIT_TOKEN, "TOKEN") == 0);
	CHECK(cpj_sigv4_presign(&ctx, &req, &res, out, sizeof out) > 0);
	p = strstr(out, "&X-Amz-Signature=");
	CHECK(p != NULL);
	CHECK(strcmp(p + 17 + 64, "&X-Amz-Security-Token=TOKEN") == 0);
	CHECK(strstr(got_creq, "Security-Token") == NULL);
	return 0;
}

int
main(void)
{
	const char *t = getenv("CPJ_TOP");

	snprintf(top, sizeof top, "%s", t != NULL && *t != '\0' ? t : ".");
	/* SHA-256 with the CPU's SHA instructions where it has them (the
	   default), then BearSSL's portable code: the suite on both paths */
	printf("SHA-256: %s\n", cpj_sha256_hw_used()
	    ? "SHA instructions, then portable" : "portable only");
	RUN(sha256_hw_path);
	run_suite();
	RUN(sha256_portable_path);
	ncases = 0;
	run_suite();
	RUN(path_rules);
	RUN(query_rules);
	RUN(header_rules);
	RUN(payload_kinds);
	RUN(amz_date);
	RUN(now_equals_amz_date);
	RUN(key_cache);
	RUN(key_cache_checks);
	RUN(first_block);
	RUN(wiping);
	RUN(nospace);
	RUN(invalid_input);
	RUN(invalid_setup);
	RUN(omit_token);
	RUN(secret_lengths);
	cpj_sigv4_clear(&ctx);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}
