/*
 * test_json.c -- the JSON module: validator, tokens, getters, unescaping
 * and the writer.
 *
 * With an argument the program is a filter for
 * tests/scripts/test_json_python.py:
 *   --write  each stdin line is hex bytes; prints ["<bytes as JSON string>"]
 *            written by cpj_json_writer, or "ERR <code>"
 *   --read   each stdin line is a JSON document ["..."]; prints the hex of
 *            the decoded string, or "ERR <code>"
 *   --validate  each stdin line is hex bytes; prints what cpj_json_parse()
 *            returns for them
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mock/mock_port.h"
#include "inner.h"

static cpj_json_tok toks[256];

/* ---- validating and tokenizing ---------------------------------------- */

static int
parse_valid(void)
{
	static const struct {
		const char *js;
		int ntok;
	} cases[] = {
		{ "{}", 1 },
		{ "[]", 1 },
		{ " [ ] ", 1 },
		{ "\"x\"", 1 },
		{ " 5 ", 1 },
		{ "0", 1 },
		{ "-0.5e+10", 1 },
		{ "1E-2", 1 },
		{ "true", 1 },
		{ "null", 1 },
		{ "[1,2]", 3 },
		{ "{\"a\":{\"b\":[true,false,null]}}", 8 },
		{ "\t\r\n{ \"a\" : [ 1 , \"b\" , { } ] }\n", 6 },
		{ "[\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", 2 },
		{ "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"]", 2 },
		{ "[\"\\ud800\"]", 2 },     /* grammar allows it; unescape rejects */
		{ "[[[[[[[[]]]]]]]]", 8 },
		{ "{\"a\":1,\"a\":2}", 5 },
	};
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		int r = cpj_json_parse(cases[i].js, strlen(cases[i].js), toks,
		    CPJ_ARRAY_LEN(toks));

		if (r != cases[i].ntok)
			fprintf(stderr, "case %zu (%s): %d\n", i, cases[i].js, r);
		CHECK_EQ(r, cases[i].ntok);
		CHECK_EQ(toks[0].parent, -1);
		/* counting mode */
		CHECK_EQ(cpj_json_parse(cases[i].js, strlen(cases[i].js), NULL,
		    0), cases[i].ntok);
	}
	/* too few tokens */
	CHECK_EQ(cpj_json_parse("[1,2]", 5, toks, 2), CPJ_ERR_JSON_TOKENS);
	CHECK_EQ(cpj_json_parse(NULL, 5, toks, 2), CPJ_ERR_PARAM);
	return 0;
}

static int
parse_invalid(void)
{
	static const struct {
		const char *js;
		int err;
	} cases[] = {
		{ "", CPJ_ERR_JSON_TRUNCATED },
		{ "  ", CPJ_ERR_JSON_TRUNCATED },
		{ "{", CPJ_ERR_JSON_TRUNCATED },
		{ "[1,", CPJ_ERR_JSON_TRUNCATED },
		{ "\"abc", CPJ_ERR_JSON_TRUNCATED },
		{ "\"\\u12", CPJ_ERR_JSON_TRUNCATED },
		{ "1.", CPJ_ERR_JSON_TRUNCATED },
		{ "-", CPJ_ERR_JSON_TRUNCATED },
		{ "tru", CPJ_ERR_JSON_TRUNCATED },
		/* jsmn alone accepts these */
		{ "[1 2]", CPJ_ERR_JSON_INVALID },
		{ "{\"a\" \"b\"}", CPJ_ERR_JSON_INVALID },
		{ "{\"a\":1,}", CPJ_ERR_JSON_INVALID },
		{ "[1,]", CPJ_ERR_JSON_INVALID },
		{ "[\"a\":1]", CPJ_ERR_JSON_INVALID },
		{ "{\"a\",1}", CPJ_ERR_JSON_INVALID },
		{ "{} {}", CPJ_ERR_JSON_INVALID },
		{ "1 2", CPJ_ERR_JSON_INVALID },
		{ "[tx]", CPJ_ERR_JSON_INVALID },
		{ "[nulll]", CPJ_ERR_JSON_INVALID },
		{ "[01]", CPJ_ERR_JSON_INVALID },
		{ "[1.e5]", CPJ_ERR_JSON_INVALID },
		{ "[-a]", CPJ_ERR_JSON_INVALID },
		{ "[\"\x01\"]", CPJ_ERR_JSON_INVALID },
		{ "[\"\x1f\"]", CPJ_ERR_JSON_INVALID },
		{ "['a']", CPJ_ERR_JSON_INVALID },
		{ "{a:1}", CPJ_ERR_JSON_INVALID },
		{ "[}", CPJ_ERR_JSON_INVALID },
		{ "{]", CPJ_ERR_JSON_INVALID },
		{ "]", CPJ_ERR_JSON_INVALID },
		{ "[\"\\a\"]", CPJ_ERR_JSON_ESCAPE },
		{ "[\"\\U0041\"]", CPJ_ERR_JSON_ESCAPE },
		{ "[\"\\u00g0\"]", CPJ_ERR_JSON_ESCAPE },
		{ "[\"\\x41\"]", CPJ_ERR_JSON_ESCAPE },
		{ "[\"\\'\"]", CPJ_ERR_JSON_ESCAPE },
	};
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		int r = cpj_json_parse(cases[i].js, strlen(cases[i].js), toks,
		    CPJ_ARRAY_LEN(toks));

		if (r != cases[i].err)
			fprintf(stderr, "case %zu (%s): %d\n", i, cases[i].js, r);
		CHECK_EQ(r, cases[i].err);
	}
	CHECK_EQ(cpj_json_parse("[1]\0", 4, toks, 8), CPJ_ERR_JSON_INVALID);
	return 0;
}

static int
utf8_validation(void)
{
	static const char *const good[] = {
		"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
		"\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
		"\xf4\x8f\xbf\xbf", "\xe2\x82\xac",
	};
	static const char *const bad[] = {
		"\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80",
		"\xed\xbf\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\x80",
		"\xbf", "\xc2", "\xe2\x82", "\xf0\x9f\x98", "\xe2\x28\xa1",
		"\xc2\xc2\x80",
	};
	char b[32];
	size_t i;
	int n;

	for (i = 0; i < CPJ_ARRAY_LEN(good); i++) {
		n = snprintf(b, sizeof b, "[\"%s\"]", good[i]);
		CHECK_EQ(cpj_json_parse(b, (size_t)n, toks, 8), 2);
	}
	for (i = 0; i < CPJ_ARRAY_LEN(bad); i++) {
		n = snprintf(b, sizeof b, "[\"%s\"]", bad[i]);
		if (cpj_json_parse(b, (size_t)n, toks, 8) != CPJ_ERR_JSON_INVALID)
			fprintf(stderr, "bad case %zu\n", i);
		CHECK_EQ(cpj_json_parse(b, (size_t)n, toks, 8),
		    CPJ_ERR_JSON_INVALID);
		/* outside a string too */
		n = snprintf(b, sizeof b, "[%s]", bad[i]);
		CHECK_EQ(cpj_json_parse(b, (size_t)n, toks, 8),
		    CPJ_ERR_JSON_INVALID);
	}
	return 0;
}

static int
depth_limit(void)
{
	char b[2 * (CPJ_JSON_DEPTH_MAX + 1) + 1];
	int d;

	for (d = 0; d < CPJ_JSON_DEPTH_MAX; d++) {
		b[d] = '[';
		b[2 * CPJ_JSON_DEPTH_MAX - 1 - d] = ']';
	}
	CHECK_EQ(cpj_json_parse(b, 2 * CPJ_JSON_DEPTH_MAX, toks,
	    CPJ_ARRAY_LEN(toks)), CPJ_JSON_DEPTH_MAX);
	memset(b, '[', CPJ_JSON_DEPTH_MAX + 1);
	CHECK_EQ(cpj_json_parse(b, CPJ_JSON_DEPTH_MAX + 1, toks,
	    CPJ_ARRAY_LEN(toks)), CPJ_ERR_JSON_DEPTH);
	return 0;
}

/* ---- scanner events --------------------------------------------------- */

struct ev {
	int ev, type, ch, key;
	unsigned level;
	unsigned long long pos;
};

/* Scan js in pieces of `chunk`, recording events. */
static int
scan_events(const char *js, size_t chunk, unsigned watch, struct ev *evs,
    int max)
{
	cpj_json_scanner s;
	size_t off = 0, len = strlen(js);
	int n = 0;

	cpj_json_scan_init(&s, watch);
	while (off < len) {
		size_t piece = len - off < chunk ? len - off : chunk;
		size_t used = cpj_json_scan(&s, js + off, piece);

		off += used;
		if (s.ev == CPJ_JSON_EV_ERROR)
			return s.err;
		if (s.ev == CPJ_JSON_EV_NONE) {
			if (used != piece)
				return -1000;
			continue;
		}
		if (n == max)
			return -1001;
		evs[n].ev = s.ev;
		evs[n].type = s.ev_type;
		evs[n].ch = s.ev == CPJ_JSON_EV_BEGIN ? s.ev_char : 0;
		evs[n].key = s.ev_key;
		evs[n].level = s.ev_level;
		evs[n].pos = s.pos;
		n++;
	}
	if (cpj_json_scan_finish(&s) != 0)
		return -1002;
	return n;
}

static int
scanner_events(void)
{
	/*           0123456789012345678901234567890 */
	const char *js = "{\"a\":[12,{\"b\":\"c\"}],\"d\":true}";
	static const struct ev want[] = {
		{ CPJ_JSON_EV_BEGIN, CPJ_JSON_OBJECT, '{', 0, 0, 1 },
		{ CPJ_JSON_EV_BEGIN, CPJ_JSON_STRING, '"', 1, 1, 2 },
		{ CPJ_JSON_EV_END, CPJ_JSON_STRING, 0, 1, 1, 4 },
		{ CPJ_JSON_EV_BEGIN, CPJ_JSON_ARRAY, '[', 0, 1, 6 },
		{ CPJ_JSON_EV_BEGIN, CPJ_JSON_PRIMITIVE, '1', 0, 2, 7 },
		/* a number ends before its delimiter, which stays unconsumed */
		{ CPJ_JSON_EV_END, CPJ_JSON_PRIMITIVE, 0, 0, 2, 8 },
		{ CPJ_JSON_EV_BEGIN, CPJ_JSON_OBJECT, '{', 0, 2, 10 },
		{ CPJ_JSON_EV_END, CPJ_JSON_OBJECT, 0, 0, 2, 18 },
		{ CPJ_JSON_EV_END, CPJ_JSON_ARRAY, 0, 0, 1, 19 },
		{ CPJ_JSON_EV_BEGIN, CPJ_JSON_STRING, '"', 1, 1, 21 },
		{ CPJ_JSON_EV_END, CPJ_JSON_STRING, 0, 1, 1, 23 },
		{ CPJ_JSON_EV_BEGIN, CPJ_JSON_PRIMITIVE, 't', 0, 1, 25 },
		{ CPJ_JSON_EV_END, CPJ_JSON_PRIMITIVE, 0, 0, 1, 28 },
		{ CPJ_JSON_EV_END, CPJ_JSON_OBJECT, 0, 0, 0, 29 },
	};
	struct ev got[32];
	size_t chunk;
	int n, i;

	for (chunk = 1; chunk <= strlen(js); chunk++) {
		n = scan_events(js, chunk, 2, got, 32);
		CHECK_EQ(n, (int)CPJ_ARRAY_LEN(want));
		for (i = 0; i < n; i++) {
			CHECK_EQ(got[i].ev, want[i].ev);
			CHECK_EQ(got[i].type, want[i].type);
			CHECK_EQ(got[i].ch, want[i].ch);
			CHECK_EQ(got[i].key, want[i].key);
			CHECK_EQ(got[i].level, want[i].level);
			CHECK_EQ(got[i].pos, want[i].pos);
		}
	}
	/* watch 0: only the document */
	CHECK_EQ(scan_events(js, 3, 0, got, 32), 2);
	CHECK_EQ(got[1].pos, 29);
	/* a bare number ends with the document, without an event */
	CHECK_EQ(scan_events("123", 1, 0, got, 32), 1);
	CHECK_EQ(scan_events("123 ", 1, 0, got, 32), 2);
	return 0;
}

static int
scanner_sticky_and_finish(void)
{
	cpj_json_scanner s;

	cpj_json_scan_init(&s, 0);
	CHECK_EQ(cpj_json_scan(&s, "[1,", 3), 1);
	CHECK_EQ(s.ev, CPJ_JSON_EV_BEGIN);
	CHECK_EQ(cpj_json_scan(&s, "1,", 2), 2);
	CHECK_EQ(s.ev, CPJ_JSON_EV_NONE);
	CHECK_EQ(cpj_json_scan_finish(&s), CPJ_ERR_JSON_TRUNCATED);
	cpj_json_scan_init(&s, 0);
	CHECK_EQ(cpj_json_scan(&s, "[1,x]", 5), 1);
	CHECK_EQ(cpj_json_scan(&s, "1,x]", 4), 2);
	CHECK_EQ(s.ev, CPJ_JSON_EV_ERROR);
	CHECK_EQ(s.err, CPJ_ERR_JSON_INVALID);
	CHECK_EQ(s.pos, 3);
	CHECK_EQ(cpj_json_scan(&s, "]", 1), 0);
	CHECK_EQ(s.ev, CPJ_JSON_EV_ERROR);
	CHECK_EQ(cpj_json_scan_finish(&s), CPJ_ERR_JSON_INVALID);
	return 0;
}

/* ---- unescaping ------------------------------------------------------- */

static int
unescape_table(void)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t" },
		{ "\\u0041\\u00e9\\u00E9", "A\xc3\xa9\xc3\xa9" },
		{ "\\u007f\\u0080\\u07ff\\u0800", "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80" },
		{ "\\uffff\\ufffd", "\xef\xbf\xbf\xef\xbf\xbd" },
		{ "\\ud83d\\ude00", "\xf0\x9f\x98\x80" },
		{ "\\uD800\\uDC00", "\xf0\x90\x80\x80" },
		{ "\\udbff\\udfff", "\xf4\x8f\xbf\xbf" },
		{ "a\\ud83d\\ude00b\\u0001", "a\xf0\x9f\x98\x80" "b\x01" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
	};
	static const struct {
		const char *in;
		int err;
	} bad[] = {
		{ "\\ud800", CPJ_ERR_JSON_ESCAPE },
		{ "\\ud800x", CPJ_ERR_JSON_ESCAPE },
		{ "\\ud800\\n", CPJ_ERR_JSON_ESCAPE },
		{ "\\ud800\\u0041", CPJ_ERR_JSON_ESCAPE },
		{ "\\ud800\\ud800", CPJ_ERR_JSON_ESCAPE },
		{ "\\udc00", CPJ_ERR_JSON_ESCAPE },
		{ "\\udfff\\ud800", CPJ_ERR_JSON_ESCAPE },
		{ "\\ud800\\udc0", CPJ_ERR_JSON_ESCAPE },
		{ "\\u0000", CPJ_ERR_JSON_ESCAPE },
		{ "\\u12", CPJ_ERR_JSON_ESCAPE },
		{ "\\u12g4", CPJ_ERR_JSON_ESCAPE },
		{ "\\x", CPJ_ERR_JSON_ESCAPE },
		{ "\\", CPJ_ERR_JSON_ESCAPE },
		{ "a\"b", CPJ_ERR_JSON_INVALID },
		{ "a\nb", CPJ_ERR_JSON_INVALID },
	};
	char out[64];
	size_t i, n;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		CHECK_EQ(cpj_json_unescape(cases[i].in, strlen(cases[i].in), out,
		    sizeof out, &n), 0);
		CHECK_EQ(n, strlen(cases[i].out));
		CHECK(strcmp(out, cases[i].out) == 0);
	}
	for (i = 0; i < CPJ_ARRAY_LEN(bad); i++) {
		if (cpj_json_unescape(bad[i].in, strlen(bad[i].in), out,
		    sizeof out, &n) != bad[i].err)
			fprintf(stderr, "bad case %zu\n", i);
		CHECK_EQ(cpj_json_unescape(bad[i].in, strlen(bad[i].in), out,
		    sizeof out, &n), bad[i].err);
	}
	return 0;
}

static int
unescape_bounds(void)
{
	char out[16], buf[32];
	size_t n;

	/* the output and its NUL must fit exactly */
	CHECK_EQ(cpj_json_unescape("abcd", 4, out, 5, &n), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(cpj_json_unescape("abcd", 4, out, 4, &n),
	    CPJ_ERR_JSON_FIELD_TOO_LONG);
	CHECK_EQ(cpj_json_unescape("a\\ud83d\\ude00", 13, out, 6, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(cpj_json_unescape("a\\ud83d\\ude00", 13, out, 5, &n),
	    CPJ_ERR_JSON_FIELD_TOO_LONG);
	CHECK_EQ(cpj_json_unescape("", 0, out, 0, &n),
	    CPJ_ERR_JSON_FIELD_TOO_LONG);
	CHECK_EQ(cpj_json_unescape("", 0, out, 1, NULL), 0);
	CHECK_EQ(out[0], '\0');
	/* in place */
	strcpy(buf, "x\\u00e9\\ud83d\\ude00\\n!");
	CHECK_EQ(cpj_json_unescape(buf, strlen(buf), buf, sizeof buf, &n), 0);
	CHECK(strcmp(buf, "x\xc3\xa9\xf0\x9f\x98\x80\n!") == 0);
	CHECK_EQ(n, 9);
	return 0;
}

/* ---- getters ---------------------------------------------------------- */

static int
getters(void)
{
	static const char js[] =
	    "{\"a\":{\"b\":{\"c\":\"x\\ty\"}},\"n\":-9223372036854775808,"
	    "\"m\":9223372036854775807,\"o\":9223372036854775808,"
	    "\"p\":-9223372036854775809,\"q\":99999999999999999999,"
	    "\"f\":1.5,\"e\":1e3,\"t\":true,\"F\":false,\"z\":null,"
	    "\"\\u0069d\":\"v\",\"dup\":1,\"dup\":2,\"arr\":[1,[2,3],{\"q\":4}],"
	    "\"last\":\"\\ud83d\\ude00\"}";
	char out[16];
	int64_t v;
	int ntok, i, b;
	size_t n;

	ntok = cpj_json_parse(js, sizeof js - 1, toks, CPJ_ARRAY_LEN(toks));
	CHECK(ntok > 0);
	i = cpj_json_member(js, toks, ntok, cpj_json_member(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "a"), "b"), "c");
	CHECK(i > 0);
	CHECK_EQ(cpj_json_get_str(js, toks, ntok, i, out, sizeof out, &n), 0);
	CHECK(strcmp(out, "x\ty") == 0);
	CHECK_EQ(cpj_json_get_str(js, toks, ntok, i, out, 3, &n),
	    CPJ_ERR_JSON_FIELD_TOO_LONG);
	CHECK_EQ(cpj_json_member(js, toks, ntok, cpj_json_member(js, toks,
	    ntok, 0, "a"), "x"), CPJ_ERR_JSON_MISSING);
	CHECK_EQ(cpj_json_member(js, toks, ntok, i, "d"), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "n"), &v), 0);
	CHECK(v == INT64_MIN);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "m"), &v), 0);
	CHECK(v == INT64_MAX);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "o"), &v), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "p"), &v), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "q"), &v), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "f"), &v), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "e"), &v), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "t"), &v), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "a"), &v), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_get_bool(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "t"), &b), 0);
	CHECK_EQ(b, 1);
	CHECK_EQ(cpj_json_get_bool(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "F"), &b), 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(cpj_json_get_bool(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "z"), &b), CPJ_ERR_JSON_TYPE);
	/* names are compared decoded; duplicates: the last wins */
	i = cpj_json_member(js, toks, ntok, 0, "id");
	CHECK(i > 0);
	CHECK(cpj_json_str_eq(js, toks, ntok, i, "v"));
	CHECK(!cpj_json_str_eq(js, toks, ntok, i, "vv"));
	CHECK(!cpj_json_str_eq(js, toks, ntok, i, ""));
	CHECK_EQ(cpj_json_get_i64(js, toks, ntok,
	    cpj_json_member(js, toks, ntok, 0, "dup"), &v), 0);
	CHECK(v == 2);
	/* members after a nested array and object are found */
	i = cpj_json_member(js, toks, ntok, 0, "last");
	CHECK(i > 0);
	CHECK(cpj_json_str_eq(js, toks, ntok, i, "\xf0\x9f\x98\x80"));
	CHECK(!cpj_json_str_eq(js, toks, ntok, i, "\xf0\x9f\x98"));
	CHECK_EQ(cpj_json_next(toks, ntok, 0), ntok);
	i = cpj_json_member(js, toks, ntok, 0, "arr");
	CHECK_EQ(cpj_json_next(toks, ntok, i), i + 8);
	CHECK_EQ(cpj_json_get_str(js, toks, ntok, i, out, sizeof out, &n),
	    CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_member(js, toks, ntok, i, "q"), CPJ_ERR_JSON_TYPE);
	CHECK_EQ(cpj_json_member(js, toks, ntok, 0, "nope"),
	    CPJ_ERR_JSON_MISSING);
	CHECK_EQ(cpj_json_member(js, toks, ntok, ntok, "a"), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_json_member(js, toks, ntok, -1, "a"), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_json_next(toks, ntok, ntok), CPJ_ERR_PARAM);
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

static int
writer_table(void)
{
	char out[256];
	cpj_buf b;
	cpj_json_writer w;

	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	cpj_json_put_key_str(&w, "jobId", "a\"b\\c/d");
	cpj_json_put_key(&w, "ctl");
	cpj_json_put_strn(&w, "\b\f\n\r\t\x01\x1f\x7f\0", 9);
	cpj_json_put_key(&w, "utf8");
	cpj_json_put_str(&w, "\xc3\xa9\xf0\x9f\x98\x80");
	cpj_json_put_key(&w, "list");
	cpj_json_array_begin(&w);
	cpj_json_put_u64(&w, 0);
	cpj_json_put_i64(&w, INT64_MIN);
	cpj_json_put_i64(&w, 42);
	cpj_json_put_u64(&w, UINT64_MAX);
	cpj_json_put_bool(&w, 1);
	cpj_json_put_bool(&w, 0);
	cpj_json_put_null(&w);
	cpj_json_array_begin(&w);
	cpj_json_array_end(&w);
	cpj_json_object_begin(&w);
	cpj_json_object_end(&w);
	cpj_json_array_end(&w);
	cpj_json_put_key(&w, "k\n");
	cpj_json_put_str(&w, "");
	cpj_json_object_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), 0);
	CHECK(strcmp(out,
	    "{\"jobId\":\"a\\\"b\\\\c/d\","
	    "\"ctl\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\\u0000\","
	    "\"utf8\":\"\xc3\xa9\xf0\x9f\x98\x80\","
	    "\"list\":[0,-9223372036854775808,42,18446744073709551615,"
	    "true,false,null,[],{}],\"k\\n\":\"\"}") == 0);
	/* our own parser reads it back */
	CHECK_EQ(cpj_json_parse(out, b.len, toks, CPJ_ARRAY_LEN(toks)), 20);

	/* a bare value is a document too */
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_put_str(&w, "x");
	CHECK_EQ(cpj_json_writer_finish(&w), 0);
	CHECK(strcmp(out, "\"x\"") == 0);
	return 0;
}

static int
writer_misuse(void)
{
	char out[64];
	cpj_buf b;
	cpj_json_writer w;
	int d;

	/* a value where a name is due */
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	cpj_json_put_str(&w, "x");
	cpj_json_object_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	/* a name in an array */
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_array_begin(&w);
	cpj_json_put_key(&w, "k");
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	/* two names in a row; a name without a value at the end */
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	cpj_json_put_key(&w, "k");
	cpj_json_put_key(&w, "k");
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	cpj_json_put_key(&w, "k");
	cpj_json_object_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	/* mismatched end, unfinished, two top-level values, nothing */
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	cpj_json_array_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_array_begin(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	cpj_json_array_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), 0);
	cpj_json_put_null(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_STATE);
	/* invalid UTF-8 is never written */
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_put_str(&w, "a\xed\xa0\x80");
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_PARAM);
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_put_str(&w, "\xc3");
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_PARAM);
	/* too deep */
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	for (d = 0; d <= CPJ_JSON_DEPTH_MAX; d++)
		cpj_json_array_begin(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_JSON_DEPTH);
	/* out of buffer: exact fit, then one byte short */
	cpj_buf_init(&b, out, 10);
	cpj_json_writer_init(&w, &b);
	cpj_json_array_begin(&w);
	cpj_json_put_str(&w, "abcde");
	cpj_json_array_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), 0);
	CHECK(strcmp(out, "[\"abcde\"]") == 0);
	cpj_buf_init(&b, out, 9);
	cpj_json_writer_init(&w, &b);
	cpj_json_array_begin(&w);
	cpj_json_put_str(&w, "abcde");
	cpj_json_array_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_NOSPACE);
	cpj_json_writer_init(&w, NULL);
	CHECK_EQ(cpj_json_writer_finish(&w), CPJ_ERR_PARAM);
	return 0;
}

/* Every byte value through the writer and back through our reader. */
static int
writer_roundtrip(void)
{
	static char in[512], out[4096], dec[512];
	cpj_buf b;
	cpj_json_writer w;
	size_t i, n = 0;
	int ntok;

	for (i = 1; i < 0x80; i++)
		in[n++] = (char)i;
	memcpy(in + n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 13);
	n += 13;
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_array_begin(&w);
	cpj_json_put_strn(&w, in, n);
	cpj_json_array_end(&w);
	CHECK_EQ(cpj_json_writer_finish(&w), 0);
	ntok = cpj_json_parse(out, b.len, toks, CPJ_ARRAY_LEN(toks));
	CHECK_EQ(ntok, 2);
	CHECK_EQ(cpj_json_get_str(out, toks, ntok, 1, dec, sizeof dec, &i), 0);
	CHECK_EQ(i, n);
	CHECK(memcmp(dec, in, n) == 0);
	return 0;
}

/* ---- filters for the Python round trip ------------------------------ */

static char line[1 << 20];
static char bytes[1 << 19];
static char outbuf[(1 << 20) * 3];

static int
filter_write(void)
{
	while (fgets(line, sizeof line, stdin) != NULL) {
		size_t len = strcspn(line, "\r\n"), i, n = 0;
		cpj_buf b;
		cpj_json_writer w;
		int r;

		for (i = 0; i + 1 < len; i += 2)
			bytes[n++] = (char)(cpj_hexval(line[i]) * 16
			    + cpj_hexval(line[i + 1]));
		cpj_buf_init(&b, outbuf, sizeof outbuf);
		cpj_json_writer_init(&w, &b);
		cpj_json_array_begin(&w);
		cpj_json_put_strn(&w, bytes, n);
		cpj_json_array_end(&w);
		r = cpj_json_writer_finish(&w);
		if (r != 0)
			printf("ERR %d\n", r);
		else
			printf("%s\n", outbuf);
	}
	return 0;
}

static int
filter_read(void)
{
	static cpj_json_tok t[4];

	while (fgets(line, sizeof line, stdin) != NULL) {
		size_t len = strcspn(line, "\n"), n, i;
		int r = cpj_json_parse(line, len, t, 4);

		if (r == 2)
			r = cpj_json_get_str(line, t, r, 1, bytes, sizeof bytes,
			    &n);
		else if (r >= 0)
			r = -1000;
		if (r != 0) {
			printf("ERR %d\n", r);
			continue;
		}
		for (i = 0; i < n; i++)
			printf("%02x", (unsigned char)bytes[i]);
		printf("\n");
	}
	return 0;
}

static int
filter_validate(void)
{
	static cpj_json_tok t[4096];

	while (fgets(line, sizeof line, stdin) != NULL) {
		size_t len = strcspn(line, "\r\n"), i, n = 0;

		for (i = 0; i + 1 < len; i += 2)
			bytes[n++] = (char)(cpj_hexval(line[i]) * 16
			    + cpj_hexval(line[i + 1]));
		printf("%d\n", cpj_json_parse(bytes, n, t, CPJ_ARRAY_LEN(t)));
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--write") == 0)
		return filter_write();
	if (argc == 2 && strcmp(argv[1], "--read") == 0)
		return filter_read();
	if (argc == 2 && strcmp(argv[1], "--validate") == 0)
		return filter_validate();
	mock_port_reset();
	RUN(parse_valid);
	RUN(parse_invalid);
	RUN(utf8_validation);
	RUN(depth_limit);
	RUN(scanner_events);
	RUN(scanner_sticky_and_finish);
	RUN(unescape_table);
	RUN(unescape_bounds);
	RUN(getters);
	RUN(writer_table);
	RUN(writer_misuse);
	RUN(writer_roundtrip);
	return H_EXIT();
}
