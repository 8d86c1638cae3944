/*
 * jmespath_load.c -- a JSON document (the command's answer, or a `literal`
 * of the expression) into values: cpj_json_parse() tokens, then one pass
 * that gives each array and object a run of consecutive cells and decodes
 * each string into the arena. Python's json accepts \u0000 and lone
 * surrogates; the command's own document may hold them (the lenient pass).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpj_err.h"
#include "jmespath.h"

/* Unescape validated JSON string text into the arena; \u0000 and lone
 * surrogates kept (as Python's json does). */
static int
unescape(struct jp *jp, const char *in, size_t len, uint32_t *p, uint32_t *n)
{
	size_t i;
	uint32_t o = jp->ns;

	if (len + 1 > sizeof jp->s - jp->ns) {
		jp->fatal = 1;
		return jp_fail(jp, "strings too large (over %u bytes)",
		    (unsigned)sizeof jp->s);
	}
	for (i = 0; i < len; i++) {
		unsigned u;

		if (in[i] != '\\') {
			jp->s[o++] = in[i];
			continue;
		}
		i++;
		switch (in[i]) {
		case 'b': jp->s[o++] = '\b'; break;
		case 'f': jp->s[o++] = '\f'; break;
		case 'n': jp->s[o++] = '\n'; break;
		case 'r': jp->s[o++] = '\r'; break;
		case 't': jp->s[o++] = '\t'; break;
		case 'u': {
			int k = cpj_json_u_escape(in, len, i - 1, &u);

			if (k < 0)
				return jp_fail(jp, "bad escape");
			i += (size_t)k - 2;
			o += (uint32_t)cpj_utf8_put((unsigned char *)jp->s + o, u);
			break;
		}
		default: jp->s[o++] = in[i]; break;   /* " \ / */
		}
	}
	jp->s[o] = '\0';
	*p = jp->ns;
	*n = o - jp->ns;
	jp->ns = o + 1;
	return 0;
}

static int
primitive(struct jp *jp, const char *s, int len, struct jp_val *v)
{
	char num[64];
	char *end;
	int k;

	memset(v, 0, sizeof *v);
	if (s[0] == 't' || s[0] == 'f' || s[0] == 'n') {
		v->t = s[0] == 't' ? JP_TRUE : s[0] == 'f' ? JP_FALSE : JP_NULL;
		return 0;
	}
	if (len >= (int)sizeof num)
		return jp_fail(jp, "number too long");
	memcpy(num, s, (size_t)len);
	num[len] = '\0';
	v->t = JP_NUM;
	v->isint = 1;
	for (k = 0; k < len; k++)
		if (num[k] == '.' || num[k] == 'e' || num[k] == 'E')
			v->isint = 0;
	if (v->isint) {
		errno = 0;
		v->u.i = strtoll(num, &end, 10);
		if (errno == ERANGE)
			return jp_fail(jp, "integer out of range: %s", num);
	} else {
		v->u.d = fmt_strtod(num, &end);
	}
	return 0;
}

/* lenient: a document the command wrote itself, where \u0000 and lone
 * surrogates (which cpj_json_parse() refuses) are valid JSON still */
/* A key given twice in an object: the first place, the last value (a
 * Python dict, as json.loads builds it). Parents before children: the
 * cells are visited in the order the import made them. */
static void
dedupe(struct jp *jp, struct jp_val *v)
{
	uint32_t c, d, prev;

	if (v->t != JP_OBJ)
		return;
	for (prev = v->n ? v->p : 0, c = prev ? jp->cells[prev].next : 0;
	    c != 0; c = jp->cells[c].next) {
		for (d = v->p; d != c && (jp->cells[d].kn != jp->cells[c].kn
		    || memcmp(jp->s + jp->cells[d].kp, jp->s + jp->cells[c].kp,
		    jp->cells[c].kn) != 0); d = jp->cells[d].next)
			;
		if (d == c) {
			prev = c;
			continue;
		}
		jp->cells[d].v = jp->cells[c].v;
		jp->cells[prev].next = jp->cells[c].next;
		v->n--;
		v->flat = 0;
	}
}

static int
import(struct jp *jp, const char *text, size_t len, struct jp_val *out,
    int lenient)
{
	uint32_t first = jp->ncells;
	int nt, i;

	nt = cpj_json_parse(text, len, jp->toks, JP_TOKS_MAX);
	if (nt == CPJ_ERR_JSON_ESCAPE && lenient)
		nt = cpj_json_tokenize(text, len, jp->toks, JP_TOKS_MAX);
	if (nt == CPJ_ERR_JSON_TOKENS)
		return jp_fail(jp, "document too large (over %u values)",
		    (unsigned)JP_TOKS_MAX);
	if (nt == CPJ_ERR_JSON_DEPTH)
		return jp_fail(jp, "JSON nested too deeply (over %d levels)",
		    CPJ_JSON_DEPTH_MAX);
	if (nt < 1)
		return jp_fail(jp, "invalid JSON");
	for (i = 0; i < nt; i++) {
		const cpj_json_tok *t = &jp->toks[i];
		int par = t->parent;
		struct jp_val *dst;
		uint32_t c, k;

		if (i == 0) {
			dst = out;
		} else if (jp->toks[par].type == CPJ_JSON_STRING) {
			dst = &jp->cells[jp->slots[par]].v;
		} else if (jp->toks[par].type == CPJ_JSON_OBJECT) {
			c = jp->slots[par]++;
			if (unescape(jp, text + t->start, (size_t)(t->end
			    - t->start), &jp->cells[c].kp, &jp->cells[c].kn) < 0)
				return -1;
			jp->slots[i] = c;
			continue;
		} else {
			dst = &jp->cells[jp->slots[par]++].v;
		}
		memset(dst, 0, sizeof *dst);
		switch (t->type) {
		case CPJ_JSON_OBJECT:
		case CPJ_JSON_ARRAY:
			dst->t = t->type == CPJ_JSON_OBJECT ? JP_OBJ : JP_ARR;
			dst->n = (uint32_t)t->size;
			if ((uint32_t)t->size > JP_CELLS_MAX - jp->ncells)
				return jp_fail(jp, "document too large (over %u "
				    "values)", (unsigned)JP_CELLS_MAX);
			dst->p = t->size ? jp->ncells : 0;
			dst->flat = 1;
			for (k = 0; k < (uint32_t)t->size; k++) {
				c = jp->ncells++;
				memset(&jp->cells[c], 0, sizeof jp->cells[c]);
				jp->cells[c].next = k + 1 < (uint32_t)t->size
				    ? c + 1 : 0;
			}
			jp->slots[i] = dst->p;
			break;
		case CPJ_JSON_STRING:
			dst->t = JP_STR;
			if (unescape(jp, text + t->start, (size_t)(t->end
			    - t->start), &dst->p, &dst->n) < 0)
				return -1;
			break;
		default:
			if (primitive(jp, text + t->start, t->end - t->start,
			    dst) < 0)
				return -1;
		}
	}
	dedupe(jp, out);
	for (; first < jp->ncells; first++)
		dedupe(jp, &jp->cells[first].v);
	return 0;
}

/* see jmespath.h */
int
jp_import(struct jp *jp, const char *text, size_t len, struct jp_val *out)
{
	return import(jp, text, len, out, 0);
}

/* see jmespath.h */
int
jp_load(struct jp *jp, const char *text, size_t len, struct jp_val *out)
{
	jp->fatal = 0;
	return import(jp, text, len, out, 1);
}

