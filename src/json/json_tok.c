/*
 * json_tok.c -- tokenizing with jsmn, and whole-document parsing (the
 * validator of json_scan.c, then jsmn).
 *
 * This is the only translation unit that compiles jsmn's implementation
 * (Debian's libjsmn-dev): static, strict mode, parent links. jsmn writes
 * straight into the caller's cpj_json_tok array, whose layout is checked
 * against jsmntok_t below; no other code sees jsmn's types.
 */
#include "inner.h"

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

/* cpj_json_tok must be jsmntok_t with other names. */
typedef char tok_size_ok[sizeof(cpj_json_tok) == sizeof(jsmntok_t) ? 1 : -1];
typedef char tok_type_ok[sizeof(jsmntype_t) == sizeof(int) ? 1 : -1];
typedef char tok_layout_ok[
    offsetof(cpj_json_tok, type) == offsetof(jsmntok_t, type)
    && offsetof(cpj_json_tok, start) == offsetof(jsmntok_t, start)
    && offsetof(cpj_json_tok, end) == offsetof(jsmntok_t, end)
    && offsetof(cpj_json_tok, size) == offsetof(jsmntok_t, size)
    && offsetof(cpj_json_tok, parent) == offsetof(jsmntok_t, parent)
    && CPJ_JSON_OBJECT == JSMN_OBJECT && CPJ_JSON_ARRAY == JSMN_ARRAY
    && CPJ_JSON_STRING == JSMN_STRING
    && CPJ_JSON_PRIMITIVE == JSMN_PRIMITIVE ? 1 : -1];

/* see cpj_json.h */
int
cpj_json_tokenize(const char *js, size_t len, cpj_json_tok *toks,
    unsigned ntoks)
{
	jsmn_parser jp;
	int r;

	if (js == NULL || len > 2147483647u || (toks == NULL && ntoks != 0))
		return CPJ_ERR_PARAM;
	jsmn_init(&jp);
	/*
	 * jsmn fills the caller's array through its own, layout-identical
	 * type (checked above); the array is not read in this function.
	 */
	r = jsmn_parse(&jp, js, len, (jsmntok_t *)(void *)toks, ntoks);
	if (r >= 0)
		return (r == 0) ? CPJ_ERR_JSON_TRUNCATED : r;
	switch (r) {
	case JSMN_ERROR_NOMEM:
		return CPJ_ERR_JSON_TOKENS;
	case JSMN_ERROR_PART:
		return CPJ_ERR_JSON_TRUNCATED;
	default:
		return CPJ_ERR_JSON_INVALID;
	}
}

/* see cpj_json.h */
int
cpj_json_parse(const char *js, size_t len, cpj_json_tok *toks,
    unsigned ntoks)
{
	cpj_json_scanner s;
	size_t n, start = 0;
	int r, root = CPJ_JSON_UNDEFINED;

	if (js == NULL || len > 2147483647u || (toks == NULL && ntoks != 0))
		return CPJ_ERR_PARAM;
	cpj_json_scan_init(&s, 0);
	n = 0;
	while (n < len) {
		n += cpj_json_scan(&s, js + n, len - n);
		if (s.ev == CPJ_JSON_EV_ERROR)
			return s.err;
		if (s.ev == CPJ_JSON_EV_BEGIN) {
			root = s.ev_type;
			start = n - 1;
		}
	}
	r = cpj_json_scan_finish(&s);
	if (r < 0)
		return r;
	if (root != CPJ_JSON_PRIMITIVE)
		return cpj_json_tokenize(js, len, toks, ntoks);
	/*
	 * A bare number or literal: strict jsmn wants a delimiter after it,
	 * which a document may not have. It is one token.
	 */
	if (toks == NULL)
		return 1;
	if (ntoks < 1)
		return CPJ_ERR_JSON_TOKENS;
	n = len;
	while (n > start && (js[n - 1] == ' ' || js[n - 1] == '\n'
	    || js[n - 1] == '\r' || js[n - 1] == '\t'))
		n--;
	toks[0].type = CPJ_JSON_PRIMITIVE;
	toks[0].start = (int)start;
	toks[0].end = (int)n;
	toks[0].size = 0;
	toks[0].parent = -1;
	return 1;
}
