/*
 * json_tok.c -- the strict incremental validator (cpj_json_scanner) and
 * tokenizing with jsmn.
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

/* Scanner states. */
enum {
	ST_VALUE,      /* a value is due (document start, after ':' or ',' in an array) */
	ST_ARR_FIRST,  /* after '[': a value or ']' */
	ST_OBJ_FIRST,  /* after '{': a member name or '}' */
	ST_KEY,        /* after ',' in an object: a member name */
	ST_COLON,      /* after a member name */
	ST_AFTER,      /* after a value inside a container: ',' or the closer */
	ST_DONE,       /* the document is complete: whitespace only */
	ST_STR,        /* inside a string */
	ST_ESC,        /* after a backslash */
	ST_HEX,        /* inside \uXXXX; n digits left */
	ST_UTF,        /* inside a UTF-8 sequence; n bytes left, next in lo..hi */
	ST_MINUS,      /* after '-' */
	ST_ZERO,       /* after a leading 0 */
	ST_INT,        /* integer digits */
	ST_DOT,        /* after '.' */
	ST_FRAC,       /* fraction digits */
	ST_EXP_MARK,   /* after 'e' or 'E' */
	ST_EXP_SIGN,   /* after the exponent's sign */
	ST_EXP,        /* exponent digits */
	ST_LIT         /* inside true/false/null; n bytes matched */
};

static const char *const literals[3] = { "true", "false", "null" };

/*
 * Bytes that end the fast path inside a string: '"', '\\', control
 * characters and every non-ASCII byte.
 */
static const unsigned char str_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

#define ONES ((uint64_t)0x0101010101010101u)

/*
 * Eight bytes as a number, p[0] in the low byte whatever the machine's
 * byte order (compilers make this one load on little-endian targets).
 */
static uint64_t
load64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16
	    | (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32
	    | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48
	    | (uint64_t)p[7] << 56;
}

/*
 * Bit 7 of each byte of v that equals b. Borrows only run towards later
 * bytes, so the first byte flagged is always a true match (later flags
 * may be false, and the callers never rely on them).
 */
static uint64_t
has_byte(uint64_t v, unsigned b)
{
	uint64_t x = v ^ (ONES * b);

	return (x - ONES) & ~x;
}

/* Index (0..7) of the first byte flagged in a non-zero mask of bit 7s. */
static size_t
first_byte(uint64_t hit)
{
	uint64_t low = (hit & (~hit + 1)) >> 7;     /* 256^k */

	return (size_t)((low * (uint64_t)0x0001020304050607u) >> 56);
}

static int
is_ws(unsigned c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* see cpj_json.h */
void
cpj_json_scan_init(cpj_json_scanner *s, unsigned watch)
{
	memset(s, 0, sizeof *s);
	s->state = ST_VALUE;
	s->watch = watch;
}

/* see cpj_json.h */
size_t
cpj_json_scan(cpj_json_scanner *s, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;
	unsigned st = s->state;
	unsigned c;
	/* the hot state in locals, written back on the way out */
	uint64_t objs = s->objs;
	uint32_t depth = s->depth;
	uint32_t watch = s->watch;
	unsigned key = s->key;

	s->ev = CPJ_JSON_EV_NONE;
	if (s->err != 0) {
		s->ev = CPJ_JSON_EV_ERROR;
		return 0;
	}
	while (i < len) {
		c = p[i];
		switch (st) {
		case ST_STR:
			/*
			 * Most bytes of a body are inside strings: skip eight at
			 * a time while none of them can end the fast path
			 * ('"', '\\', below 0x20, 0x80 and up).
			 */
			while (len - i >= 8) {
				uint64_t v = load64(p + i), hit;

				hit = (v | (v - ONES * 0x20) | has_byte(v, '"')
				    | has_byte(v, '\\')) & (ONES * 0x80);
				if (hit != 0) {
					i += first_byte(hit);
					break;
				}
				i += 8;
			}
			if (i == len)
				goto out;
			c = p[i];
			while (!str_stop[c]) {
				if (++i == len)
					goto out;
				c = p[i];
			}
			i++;
			if (c == '"') {
				if (key) {
					st = ST_COLON;
					if (depth <= watch) {
						s->ev = CPJ_JSON_EV_END;
						s->ev_type = CPJ_JSON_STRING;
						s->ev_key = 1;
						s->ev_level = depth;
						goto out;
					}
					break;
				}
				s->ev_type = CPJ_JSON_STRING;
				goto value_end;
			}
			if (c == '\\') {
				st = ST_ESC;
			} else if (c >= 0xC2 && c <= 0xDF) {
				s->n = 1;
				s->lo = 0x80;
				s->hi = 0xBF;
				st = ST_UTF;
			} else if (c >= 0xE0 && c <= 0xEF) {
				/* no overlong forms, no UTF-16 surrogates */
				s->n = 2;
				s->lo = (c == 0xE0) ? 0xA0 : 0x80;
				s->hi = (c == 0xED) ? 0x9F : 0xBF;
				st = ST_UTF;
			} else if (c >= 0xF0 && c <= 0xF4) {
				/* no overlong forms, nothing above U+10FFFF */
				s->n = 3;
				s->lo = (c == 0xF0) ? 0x90 : 0x80;
				s->hi = (c == 0xF4) ? 0x8F : 0xBF;
				st = ST_UTF;
			} else {
				/* control character, or not a UTF-8 lead byte */
				i--;
				goto bad;
			}
			break;
		case ST_UTF:
			if (c < s->lo || c > s->hi)
				goto bad;
			s->lo = 0x80;
			s->hi = 0xBF;
			i++;
			if (--s->n == 0)
				st = ST_STR;
			break;
		case ST_ESC:
			switch (c) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				st = ST_STR;
				break;
			case 'u':
				s->n = 4;
				st = ST_HEX;
				break;
			default:
				goto bad_escape;
			}
			i++;
			break;
		case ST_HEX:
			if (cpj_hexval((int)c) < 0)
				goto bad_escape;
			i++;
			if (--s->n == 0)
				st = ST_STR;
			break;
		case ST_OBJ_FIRST:
		case ST_KEY:
			if (is_ws(c)) {
				i++;
				break;
			}
			if (c == '}' && st == ST_OBJ_FIRST)
				goto close;
			if (c != '"')
				goto bad;
			i++;
			key = 1;
			st = ST_STR;
			if (depth <= watch) {
				s->ev = CPJ_JSON_EV_BEGIN;
				s->ev_type = CPJ_JSON_STRING;
				s->ev_char = '"';
				s->ev_key = 1;
				s->ev_level = depth;
				goto out;
			}
			break;
		case ST_COLON:
			if (is_ws(c)) {
				i++;
				break;
			}
			if (c != ':')
				goto bad;
			i++;
			st = ST_VALUE;
			/* compact JSON: a string value right after the colon */
			if (i < len && p[i] == '"' && depth > watch) {
				i++;
				key = 0;
				st = ST_STR;
			}
			break;
		case ST_ARR_FIRST:
			if (c == ']')
				goto close;
			/* FALLTHROUGH */
		case ST_VALUE:
			if (is_ws(c)) {
				i++;
				break;
			}
			switch (c) {
			case '{':
			case '[':
				if (depth >= CPJ_JSON_DEPTH_MAX) {
					s->err = CPJ_ERR_JSON_DEPTH;
					goto fail;
				}
				if (c == '{') {
					objs |= (uint64_t)1 << depth;
					st = ST_OBJ_FIRST;
					s->ev_type = CPJ_JSON_OBJECT;
				} else {
					objs &= ~((uint64_t)1 << depth);
					st = ST_ARR_FIRST;
					s->ev_type = CPJ_JSON_ARRAY;
				}
				depth++;
				i++;
				if (depth - 1 <= watch) {
					s->ev_level = depth - 1;
					goto begin;
				}
				continue;
			case '"':
				key = 0;
				st = ST_STR;
				s->ev_type = CPJ_JSON_STRING;
				break;
			case '-':
				st = ST_MINUS;
				s->ev_type = CPJ_JSON_PRIMITIVE;
				break;
			case '0':
				st = ST_ZERO;
				s->ev_type = CPJ_JSON_PRIMITIVE;
				break;
			case 't':
			case 'f':
			case 'n':
				s->lit = (c == 't') ? 0 : (c == 'f') ? 1 : 2;
				s->n = 1;
				st = ST_LIT;
				s->ev_type = CPJ_JSON_PRIMITIVE;
				break;
			default:
				if (c < '1' || c > '9')
					goto bad;
				st = ST_INT;
				s->ev_type = CPJ_JSON_PRIMITIVE;
				break;
			}
			i++;
			if (depth <= watch) {
				s->ev_level = depth;
				goto begin;
			}
			break;
		case ST_AFTER:
			if (is_ws(c)) {
				i++;
				break;
			}
			if (c == ',') {
				i++;
				if (!((objs >> (depth - 1)) & 1)) {
					st = ST_VALUE;
					break;
				}
				st = ST_KEY;
				/* compact JSON: the next member name right away */
				if (i < len && p[i] == '"' && depth > watch) {
					i++;
					key = 1;
					st = ST_STR;
				}
				break;
			}
			if (c == '}' || c == ']')
				goto close;
			goto bad;
		case ST_DONE:
			if (!is_ws(c))
				goto bad;
			i++;
			break;
		case ST_LIT:
			if (c != (unsigned char)literals[s->lit][s->n])
				goto bad;
			i++;
			if (literals[s->lit][++s->n] == '\0') {
				s->ev_type = CPJ_JSON_PRIMITIVE;
				goto value_end;
			}
			break;
		case ST_MINUS:
			if (c == '0') {
				st = ST_ZERO;
			} else if (c >= '1' && c <= '9') {
				st = ST_INT;
			} else {
				goto bad;
			}
			i++;
			break;
		case ST_INT:
			while (c >= '0' && c <= '9') {
				if (++i == len)
					goto out;
				c = p[i];
			}
			/* FALLTHROUGH */
		case ST_ZERO:
			if (c == '.') {
				st = ST_DOT;
				i++;
				break;
			}
			/* FALLTHROUGH */
		case ST_FRAC:
			if (st == ST_FRAC && c >= '0' && c <= '9') {
				i++;
				break;
			}
			if (c == 'e' || c == 'E') {
				st = ST_EXP_MARK;
				i++;
				break;
			}
			goto num_end;
		case ST_DOT:
			if (c < '0' || c > '9')
				goto bad;
			st = ST_FRAC;
			i++;
			break;
		case ST_EXP_MARK:
			if (c == '+' || c == '-') {
				st = ST_EXP_SIGN;
				i++;
				break;
			}
			/* FALLTHROUGH */
		case ST_EXP_SIGN:
			if (c < '0' || c > '9')
				goto bad;
			st = ST_EXP;
			i++;
			break;
		case ST_EXP:
			if (c >= '0' && c <= '9') {
				i++;
				break;
			}
			goto num_end;
		default:
			s->err = CPJ_ERR_INTERNAL;
			goto fail;
		}
		continue;

	num_end:
		/* The number ended before this byte, which is not consumed. */
		if (!is_ws(c) && c != ',' && c != ']' && c != '}')
			goto bad;
		s->ev_type = CPJ_JSON_PRIMITIVE;
		/* FALLTHROUGH */
	value_end:
		st = (depth != 0) ? ST_AFTER : ST_DONE;
		if (depth <= watch) {
			s->ev = CPJ_JSON_EV_END;
			s->ev_key = 0;
			s->ev_level = depth;
			goto out;
		}
		continue;

	close:
		/* c is '}' or ']', inside a container */
		if (depth == 0
		    || (c == '}') != (int)((objs >> (depth - 1)) & 1))
			goto bad;
		depth--;
		i++;
		s->ev_type = (c == '}') ? CPJ_JSON_OBJECT : CPJ_JSON_ARRAY;
		goto value_end;

	begin:
		s->ev = CPJ_JSON_EV_BEGIN;
		s->ev_char = (int)c;
		s->ev_key = 0;
		goto out;
	}
out:
	s->objs = objs;
	s->depth = depth;
	s->key = (unsigned char)key;
	s->state = (unsigned char)st;
	s->pos += i;
	return i;

bad_escape:
	s->err = CPJ_ERR_JSON_ESCAPE;
	goto fail;
bad:
	s->err = CPJ_ERR_JSON_INVALID;
fail:
	s->objs = objs;
	s->depth = depth;
	s->key = (unsigned char)key;
	s->state = (unsigned char)st;
	s->ev = CPJ_JSON_EV_ERROR;
	s->pos += i;
	return i;
}

/* see cpj_json.h */
int
cpj_json_scan_finish(cpj_json_scanner *s)
{
	if (s->err != 0)
		return s->err;
	if (s->depth == 0) {
		switch (s->state) {
		case ST_DONE:
			return CPJ_OK;
		case ST_ZERO:
		case ST_INT:
		case ST_FRAC:
		case ST_EXP:
			/* a bare number ends with the document */
			s->state = ST_DONE;
			return CPJ_OK;
		default:
			break;
		}
	}
	s->err = CPJ_ERR_JSON_TRUNCATED;
	return s->err;
}

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
