/*
 * json_scan.c -- the strict incremental validator (cpj_json_scanner).
 *
 * cpj_json_scan() reads each byte of a body once: a loop hands it to the
 * helper of the scanner's state. The helpers are static and each called
 * once, so the compiler inlines them into the loop; the ends they share
 * (a value ended, a container closed, a number ended, a watched value
 * began) are one function each, which the helpers call in tail position.
 */
#include "inner.h"
#include "util/word_int.h"

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

/*
 * The scanner while cpj_json_scan() runs: the hot state in locals,
 * written back on the way out.
 */
struct run {
	cpj_json_scanner *s;
	const unsigned char *p;
	size_t len;
	size_t i;               /* the next byte */
	uint64_t objs;
	uint32_t depth;
	uint32_t watch;
	unsigned st;
	unsigned key;
};

/* What a state's helper tells the loop. */
enum {
	R_NEXT,         /* go on with the next byte */
	R_OUT,          /* return: an event is set, or the data ran out */
	R_BAD,          /* p[i] is not valid here */
	R_BAD_ESCAPE,   /* p[i] is not valid in an escape */
	R_FAIL          /* s->err is set */
};

/*
 * The ends the states share. A value ended (s->ev_type says which): the
 * state after it, and its event when watched. R_NEXT or R_OUT.
 */
static int
value_end(struct run *r)
{
	cpj_json_scanner *s = r->s;

	r->st = (r->depth != 0) ? ST_AFTER : ST_DONE;
	if (r->depth <= r->watch) {
		s->ev = CPJ_JSON_EV_END;
		s->ev_key = 0;
		s->ev_level = r->depth;
		return R_OUT;
	}
	return R_NEXT;
}

/* A watched value began with p[i - 1] (ev_type and ev_level set). */
static int
begin_event(struct run *r)
{
	cpj_json_scanner *s = r->s;

	s->ev = CPJ_JSON_EV_BEGIN;
	s->ev_char = (int)r->p[r->i - 1];
	s->ev_key = 0;
	return R_OUT;
}

/* p[i] is '}' or ']' where a container may end. */
static int
close_at(struct run *r)
{
	unsigned c = r->p[r->i];

	if (r->depth == 0
	    || (c == '}') != (int)((r->objs >> (r->depth - 1)) & 1))
		return R_BAD;
	r->depth--;
	r->i++;
	r->s->ev_type = (c == '}') ? CPJ_JSON_OBJECT : CPJ_JSON_ARRAY;
	return value_end(r);
}

/* A number ended before p[i], which is not consumed. */
static int
num_end(struct run *r)
{
	unsigned c = r->p[r->i];

	if (!is_ws(c) && c != ',' && c != ']' && c != '}')
		return R_BAD;
	r->s->ev_type = CPJ_JSON_PRIMITIVE;
	return value_end(r);
}

/* ST_STR: to the end of the string, or to a byte that needs a look. */
static int
on_str(struct run *r)
{
	const unsigned char *p = r->p;
	cpj_json_scanner *s = r->s;
	size_t i = r->i, len = r->len;
	unsigned c;
	int rc;

	/* most bytes of a body are inside strings: a word at a time */
	i += cpj_word_json_plain(p + i, len - i);
	if (i == len) {
		r->i = i;
		return R_OUT;
	}
	c = p[i];
	r->i = i + 1;
	if (c == '"') {
		if (r->key) {
			r->st = ST_COLON;
			if (r->depth <= r->watch) {
				s->ev = CPJ_JSON_EV_END;
				s->ev_type = CPJ_JSON_STRING;
				s->ev_key = 1;
				s->ev_level = r->depth;
				return R_OUT;
			}
			return R_NEXT;
		}
		s->ev_type = CPJ_JSON_STRING;
		rc = value_end(r);
		/* unwatched (so in a container), a long string has its event
		   (32 bits hold the length of any string under 4 GiB) */
		if (rc == R_NEXT && s->long_min != 0
		    && (uint32_t)(s->pos + i) - s->str_at >= s->long_min) {
			s->ev = CPJ_JSON_EV_LONG;
			s->ev_key = 0;
			s->ev_level = r->depth;
			return R_OUT;
		}
		return rc;
	}
	if (c == '\\') {
		r->st = ST_ESC;
	} else if (c >= 0xC2 && c <= 0xDF) {
		s->n = 1;
		s->lo = 0x80;
		s->hi = 0xBF;
		r->st = ST_UTF;
	} else if (c >= 0xE0 && c <= 0xEF) {
		/* no overlong forms, no UTF-16 surrogates */
		s->n = 2;
		s->lo = (c == 0xE0) ? 0xA0 : 0x80;
		s->hi = (c == 0xED) ? 0x9F : 0xBF;
		r->st = ST_UTF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		/* no overlong forms, nothing above U+10FFFF */
		s->n = 3;
		s->lo = (c == 0xF0) ? 0x90 : 0x80;
		s->hi = (c == 0xF4) ? 0x8F : 0xBF;
		r->st = ST_UTF;
	} else {
		/* control character, or not a UTF-8 lead byte */
		r->i = i;
		return R_BAD;
	}
	return R_NEXT;
}

/* ST_UTF: a continuation byte of a UTF-8 sequence. */
static int
on_utf(struct run *r, unsigned c)
{
	cpj_json_scanner *s = r->s;

	if (c < s->lo || c > s->hi)
		return R_BAD;
	s->lo = 0x80;
	s->hi = 0xBF;
	r->i++;
	if (--s->n == 0)
		r->st = ST_STR;
	return R_NEXT;
}

/* ST_ESC: the byte after a backslash. */
static int
on_esc(struct run *r, unsigned c)
{
	switch (c) {
	case '"': case '\\': case '/': case 'b':
	case 'f': case 'n': case 'r': case 't':
		r->st = ST_STR;
		break;
	case 'u':
		r->s->n = 4;
		r->st = ST_HEX;
		break;
	default:
		return R_BAD_ESCAPE;
	}
	r->i++;
	return R_NEXT;
}

/* ST_HEX: a digit of \uXXXX. */
static int
on_hex(struct run *r, unsigned c)
{
	if (cpj_hexval((int)c) < 0)
		return R_BAD_ESCAPE;
	r->i++;
	if (--r->s->n == 0)
		r->st = ST_STR;
	return R_NEXT;
}

/* ST_OBJ_FIRST, ST_KEY: a member name is due (or '}' after '{'). */
static int
on_name(struct run *r, unsigned c)
{
	cpj_json_scanner *s = r->s;

	if (is_ws(c)) {
		r->i++;
		return R_NEXT;
	}
	if (c == '}' && r->st == ST_OBJ_FIRST)
		return close_at(r);
	if (c != '"')
		return R_BAD;
	r->i++;
	r->key = 1;
	r->st = ST_STR;
	if (r->depth <= r->watch) {
		s->ev = CPJ_JSON_EV_BEGIN;
		s->ev_type = CPJ_JSON_STRING;
		s->ev_char = '"';
		s->ev_key = 1;
		s->ev_level = r->depth;
		return R_OUT;
	}
	return R_NEXT;
}

/* ST_COLON: after a member name. */
static int
on_colon(struct run *r, unsigned c)
{
	if (is_ws(c)) {
		r->i++;
		return R_NEXT;
	}
	if (c != ':')
		return R_BAD;
	r->i++;
	r->st = ST_VALUE;
	/* compact JSON: a string value right after the colon */
	if (r->i < r->len && r->p[r->i] == '"' && r->depth > r->watch) {
		r->i++;
		r->key = 0;
		r->st = ST_STR;
		r->s->str_at = (uint32_t)(r->s->pos + r->i);
	}
	return R_NEXT;
}

/* ST_VALUE, ST_ARR_FIRST: a value is due (or ']' after '['). */
static int
on_value(struct run *r, unsigned c)
{
	cpj_json_scanner *s = r->s;

	if (c == ']' && r->st == ST_ARR_FIRST)
		return close_at(r);
	if (is_ws(c)) {
		r->i++;
		return R_NEXT;
	}
	switch (c) {
	case '{':
	case '[':
		if (r->depth >= CPJ_JSON_DEPTH_MAX) {
			s->err = CPJ_ERR_JSON_DEPTH;
			return R_FAIL;
		}
		if (c == '{') {
			r->objs |= (uint64_t)1 << r->depth;
			r->st = ST_OBJ_FIRST;
			s->ev_type = CPJ_JSON_OBJECT;
		} else {
			r->objs &= ~((uint64_t)1 << r->depth);
			r->st = ST_ARR_FIRST;
			s->ev_type = CPJ_JSON_ARRAY;
		}
		r->depth++;
		r->i++;
		if (r->depth - 1 <= r->watch) {
			s->ev_level = r->depth - 1;
			return begin_event(r);
		}
		return R_NEXT;
	case '"':
		r->key = 0;
		r->st = ST_STR;
		s->ev_type = CPJ_JSON_STRING;
		s->str_at = (uint32_t)(s->pos + r->i + 1);
		break;
	case '-':
		r->st = ST_MINUS;
		s->ev_type = CPJ_JSON_PRIMITIVE;
		break;
	case '0':
		r->st = ST_ZERO;
		s->ev_type = CPJ_JSON_PRIMITIVE;
		break;
	case 't':
	case 'f':
	case 'n':
		s->lit = (c == 't') ? 0 : (c == 'f') ? 1 : 2;
		s->n = 1;
		r->st = ST_LIT;
		s->ev_type = CPJ_JSON_PRIMITIVE;
		break;
	default:
		if (c < '1' || c > '9')
			return R_BAD;
		r->st = ST_INT;
		s->ev_type = CPJ_JSON_PRIMITIVE;
		break;
	}
	r->i++;
	if (r->depth <= r->watch) {
		s->ev_level = r->depth;
		return begin_event(r);
	}
	return R_NEXT;
}

/* ST_AFTER: after a value inside a container: ',' or the closer. */
static int
on_after(struct run *r, unsigned c)
{
	if (is_ws(c)) {
		r->i++;
		return R_NEXT;
	}
	if (c == ',') {
		r->i++;
		if (!((r->objs >> (r->depth - 1)) & 1)) {
			r->st = ST_VALUE;
			return R_NEXT;
		}
		r->st = ST_KEY;
		/* compact JSON: the next member name right away */
		if (r->i < r->len && r->p[r->i] == '"' && r->depth > r->watch) {
			r->i++;
			r->key = 1;
			r->st = ST_STR;
		}
		return R_NEXT;
	}
	if (c == '}' || c == ']')
		return close_at(r);
	return R_BAD;
}

/* ST_DONE: the document is complete; whitespace only. */
static int
on_done(struct run *r, unsigned c)
{
	if (!is_ws(c))
		return R_BAD;
	r->i++;
	return R_NEXT;
}

/* ST_LIT: inside true, false or null. */
static int
on_lit(struct run *r, unsigned c)
{
	cpj_json_scanner *s = r->s;

	if (c != (unsigned char)literals[s->lit][s->n])
		return R_BAD;
	r->i++;
	if (literals[s->lit][++s->n] == '\0') {
		s->ev_type = CPJ_JSON_PRIMITIVE;
		return value_end(r);
	}
	return R_NEXT;
}

/* ST_MINUS to ST_EXP: inside a number. */
static CPJ_NOINLINE int
on_number(struct run *r, unsigned c)
{
	switch (r->st) {
	case ST_MINUS:
		if (c == '0') {
			r->st = ST_ZERO;
		} else if (c >= '1' && c <= '9') {
			r->st = ST_INT;
		} else {
			return R_BAD;
		}
		r->i++;
		return R_NEXT;
	case ST_INT:
		while (c >= '0' && c <= '9') {
			if (++r->i == r->len)
				return R_OUT;
			c = r->p[r->i];
		}
		/* FALLTHROUGH */
	case ST_ZERO:
		if (c == '.') {
			r->st = ST_DOT;
			r->i++;
			return R_NEXT;
		}
		/* FALLTHROUGH */
	case ST_FRAC:
		if (r->st == ST_FRAC && c >= '0' && c <= '9') {
			r->i++;
			return R_NEXT;
		}
		if (c == 'e' || c == 'E') {
			r->st = ST_EXP_MARK;
			r->i++;
			return R_NEXT;
		}
		return num_end(r);
	case ST_DOT:
		if (c < '0' || c > '9')
			return R_BAD;
		r->st = ST_FRAC;
		r->i++;
		return R_NEXT;
	case ST_EXP_MARK:
		if (c == '+' || c == '-') {
			r->st = ST_EXP_SIGN;
			r->i++;
			return R_NEXT;
		}
		/* FALLTHROUGH */
	case ST_EXP_SIGN:
		if (c < '0' || c > '9')
			return R_BAD;
		r->st = ST_EXP;
		r->i++;
		return R_NEXT;
	default:        /* ST_EXP */
		if (c >= '0' && c <= '9') {
			r->i++;
			return R_NEXT;
		}
		return num_end(r);
	}
}

/* see cpj_json.h */
size_t
cpj_json_scan(cpj_json_scanner *s, const char *data, size_t len)
{
	struct run r;
	int a = R_NEXT;

	s->ev = CPJ_JSON_EV_NONE;
	if (s->err != 0) {
		s->ev = CPJ_JSON_EV_ERROR;
		return 0;
	}
	r.s = s;
	r.p = (const unsigned char *)data;
	r.len = len;
	r.i = 0;
	r.objs = s->objs;
	r.depth = s->depth;
	r.watch = s->watch;
	r.st = s->state;
	r.key = s->key;
	while (r.i < len) {
		unsigned c = r.p[r.i];

		switch (r.st) {
		case ST_STR:
			a = on_str(&r);
			break;
		case ST_UTF:
			a = on_utf(&r, c);
			break;
		case ST_ESC:
			a = on_esc(&r, c);
			break;
		case ST_HEX:
			a = on_hex(&r, c);
			break;
		case ST_OBJ_FIRST:
		case ST_KEY:
			a = on_name(&r, c);
			break;
		case ST_COLON:
			a = on_colon(&r, c);
			break;
		case ST_ARR_FIRST:
		case ST_VALUE:
			a = on_value(&r, c);
			break;
		case ST_AFTER:
			a = on_after(&r, c);
			break;
		case ST_DONE:
			a = on_done(&r, c);
			break;
		case ST_LIT:
			a = on_lit(&r, c);
			break;
		case ST_MINUS:
		case ST_ZERO:
		case ST_INT:
		case ST_DOT:
		case ST_FRAC:
		case ST_EXP_MARK:
		case ST_EXP_SIGN:
		case ST_EXP:
			a = on_number(&r, c);
			break;
		default:
			s->err = CPJ_ERR_INTERNAL;
			a = R_FAIL;
			break;
		}
		if (a != R_NEXT)
			break;
	}
	s->objs = r.objs;
	s->depth = r.depth;
	s->key = (unsigned char)r.key;
	s->state = (unsigned char)r.st;
	s->pos += r.i;
	switch (a) {
	case R_BAD_ESCAPE:
		s->err = CPJ_ERR_JSON_ESCAPE;
		break;
	case R_BAD:
		s->err = CPJ_ERR_JSON_INVALID;
		break;
	case R_FAIL:
		break;
	default:        /* R_NEXT, R_OUT */
		return r.i;
	}
	s->ev = CPJ_JSON_EV_ERROR;
	return r.i;
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
