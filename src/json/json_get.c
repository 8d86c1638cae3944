/*
 * json_get.c -- reading tokens: subtree skipping, member lookup, typed
 * getters and bounded unescaping of strings to UTF-8.
 */
#include "inner.h"

static int
hex4(const char *s, size_t len, size_t i, unsigned *out)
{
	unsigned v = 0;
	size_t k;

	if (len - i < 4)
		return CPJ_ERR_JSON_ESCAPE;
	for (k = 0; k < 4; k++) {
		int h = cpj_hexval((unsigned char)s[i + k]);

		if (h < 0)
			return CPJ_ERR_JSON_ESCAPE;
		v = (v << 4) | (unsigned)h;
	}
	*out = v;
	return CPJ_OK;
}

/* see json_int.h */
int
cpj_json_u_escape(const char *s, size_t len, size_t i, unsigned *cp)
{
	unsigned lo;

	if (len - i < 2 || s[i] != '\\' || s[i + 1] != 'u'
	    || hex4(s, len, i + 2, cp) < 0)
		return CPJ_ERR_JSON_ESCAPE;
	if (*cp >= 0xD800 && *cp <= 0xDBFF && len - i >= 12
	    && s[i + 6] == '\\' && s[i + 7] == 'u'
	    && hex4(s, len, i + 8, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
		*cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
		return 12;
	}
	return 6;
}

/* see json_int.h */
size_t
cpj_utf8_put(unsigned char *u, unsigned cp)
{
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	u[0] = (unsigned char)(0xF0 | (cp >> 18));
	u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	u[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decode the escape sequence at in[*ip] (a backslash) into UTF-8 in u[]:
 * returns the number of bytes (1..4) and moves *ip past the sequence, or
 * CPJ_ERR_JSON_ESCAPE (\u0000 and lone surrogates included).
 */
static int
unescape_one(const char *in, size_t len, size_t *ip, unsigned char *u)
{
	size_t i = *ip + 1;
	unsigned cp;
	int n;

	if (i >= len)
		return CPJ_ERR_JSON_ESCAPE;
	switch (in[i]) {
	case '"':  u[0] = '"'; break;
	case '\\': u[0] = '\\'; break;
	case '/':  u[0] = '/'; break;
	case 'b':  u[0] = '\b'; break;
	case 'f':  u[0] = '\f'; break;
	case 'n':  u[0] = '\n'; break;
	case 'r':  u[0] = '\r'; break;
	case 't':  u[0] = '\t'; break;
	case 'u':
		n = cpj_json_u_escape(in, len, *ip, &cp);
		if (n < 0 || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
			return CPJ_ERR_JSON_ESCAPE;     /* (a lone half) */
		*ip += (size_t)n;
		return (int)cpj_utf8_put(u, cp);
	default:
		return CPJ_ERR_JSON_ESCAPE;
	}
	*ip = i + 1;
	return 1;
}

/* see cpj_json.h */
int
cpj_json_unescape(const char *in, size_t len, char *out, size_t cap,
    size_t *outlen)
{
	size_t i = 0, o = 0;

	if (cap == 0)
		return CPJ_ERR_JSON_FIELD_TOO_LONG;
	while (i < len) {
		size_t run = i;
		unsigned char u[4];
		int n;

		/* copy the longest run without a backslash in one go */
		while (run < len && in[run] != '\\') {
			unsigned char c = (unsigned char)in[run];

			if (c < 0x20 || c == '"')
				return CPJ_ERR_JSON_INVALID;
			run++;
		}
		if (run > i) {
			if (run - i >= cap - o)
				return CPJ_ERR_JSON_FIELD_TOO_LONG;
			memmove(out + o, in + i, run - i);
			o += run - i;
			i = run;
			if (i == len)
				break;
		}
		n = unescape_one(in, len, &i, u);
		if (n < 0)
			return n;
		if ((size_t)n >= cap - o)
			return CPJ_ERR_JSON_FIELD_TOO_LONG;
		memcpy(out + o, u, (size_t)n);
		o += (size_t)n;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return CPJ_OK;
}

static int
bad_index(const cpj_json_tok *t, int ntok, int i)
{
	return t == NULL || i < 0 || i >= ntok;
}

/* see cpj_json.h */
int
cpj_json_next(const cpj_json_tok *t, int ntok, int i)
{
	int j, end;

	if (bad_index(t, ntok, i))
		return CPJ_ERR_PARAM;
	end = t[i].end;
	for (j = i + 1; j < ntok && t[j].start < end; j++)
		;
	return j;
}

/* see cpj_json.h */
int
cpj_json_str_eq(const char *js, const cpj_json_tok *t, int ntok, int i,
    const char *s)
{
	const char *p;
	size_t len, k, o;

	if (bad_index(t, ntok, i) || t[i].type != CPJ_JSON_STRING)
		return 0;
	p = js + t[i].start;
	len = (size_t)(t[i].end - t[i].start);
	if (memchr(p, '\\', len) == NULL)
		return strncmp(p, s, len) == 0 && s[len] == '\0';
	/* compare while decoding */
	k = 0;
	o = 0;
	while (k < len) {
		unsigned char u[4];
		int n, m;

		if (p[k] != '\\') {
			if (s[o] == '\0' || s[o] != p[k])
				return 0;
			k++;
			o++;
			continue;
		}
		n = unescape_one(p, len, &k, u);
		if (n < 0)
			return 0;
		for (m = 0; m < n; m++, o++) {
			if (s[o] == '\0' || (unsigned char)s[o] != u[m])
				return 0;
		}
	}
	return s[o] == '\0';
}

/* see cpj_json.h */
int
cpj_json_member(const char *js, const cpj_json_tok *t, int ntok, int obj,
    const char *name)
{
	int i, k, found = CPJ_ERR_JSON_MISSING;

	if (bad_index(t, ntok, obj))
		return CPJ_ERR_PARAM;
	if (t[obj].type != CPJ_JSON_OBJECT)
		return CPJ_ERR_JSON_TYPE;
	i = obj + 1;
	for (k = 0; k < t[obj].size; k++) {
		if (i + 1 >= ntok)
			return CPJ_ERR_PARAM;
		if (cpj_json_str_eq(js, t, ntok, i, name))
			found = i + 1;          /* the last duplicate wins */
		i = cpj_json_next(t, ntok, i + 1);
		if (i < 0)
			return i;
	}
	return found;
}

/* see cpj_json.h */
int
cpj_json_get_str(const char *js, const cpj_json_tok *t, int ntok, int i,
    char *out, size_t cap, size_t *outlen)
{
	if (bad_index(t, ntok, i))
		return CPJ_ERR_PARAM;
	if (t[i].type != CPJ_JSON_STRING)
		return CPJ_ERR_JSON_TYPE;
	return cpj_json_unescape(js + t[i].start,
	    (size_t)(t[i].end - t[i].start), out, cap, outlen);
}

/* see cpj_json.h */
int
cpj_json_get_i64(const char *js, const cpj_json_tok *t, int ntok, int i,
    int64_t *out)
{
	const char *p;
	size_t len, neg;
	uint64_t v;

	if (bad_index(t, ntok, i))
		return CPJ_ERR_PARAM;
	if (t[i].type != CPJ_JSON_PRIMITIVE)
		return CPJ_ERR_JSON_TYPE;
	p = js + t[i].start;
	len = (size_t)(t[i].end - t[i].start);
	neg = len > 0 && p[0] == '-';
	/* the magnitude: up to 2^63 - 1, or 2^63 with a minus */
	if (cpj_parse_u64(p + neg, len - neg, (uint64_t)INT64_MAX + neg, &v) < 0)
		return CPJ_ERR_JSON_TYPE;
	if (!neg)
		*out = (int64_t)v;
	else
		*out = v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
	return CPJ_OK;
}

/* see cpj_json.h */
int
cpj_json_get_bool(const char *js, const cpj_json_tok *t, int ntok, int i,
    int *out)
{
	const char *p;
	size_t len;

	if (bad_index(t, ntok, i))
		return CPJ_ERR_PARAM;
	p = js + t[i].start;
	len = (size_t)(t[i].end - t[i].start);
	if (t[i].type != CPJ_JSON_PRIMITIVE || (len != 4 && len != 5)
	    || memcmp(p, len == 4 ? "true" : "false", len) != 0)
		return CPJ_ERR_JSON_TYPE;
	*out = len == 4;
	return CPJ_OK;
}
