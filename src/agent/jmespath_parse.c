/*
 * jmespath_parse.c -- the lexer and the Pratt parser of JMESPath, a port
 * of python-jmespath 1.0.1's lexer.py and parser.py (what the aws CLI
 * runs), so that the same expressions are accepted and parse the same
 * way: binding powers, projection right-hand sides, the lenient argument
 * and multi-select-hash loops, "a[0][1:2]" not projecting. Tokens go to
 * jp->x.e.lex, nodes to jp->x.e.nodes, names and strings to jp->s;
 * recursion is bounded by JP_DEPTH_MAX.
 */
#include <stdio.h>
#include <string.h>

#include "jmespath.h"


static const unsigned char bp[] = {
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 1, 2, 3, 5,
	5, 5, 5, 5, 5, 9, 20, 21, 40,
	45, 50, 55, 60
};

/* struct jp fits its budget (jmespath.h) */
typedef char jp_store_fits[sizeof(struct jp) <= JP_STORE_MAX ? 1 : -1];

#define PROJECTION_STOP 10
#define TOKS_MAX JP_LEX_MAX

struct ps {
	struct jp *jp;
	const char *e;
	int len;
	struct jp_lex *t;         /* jp->x.e.lex */
	int nt;
	int i;
	int depth;
};


static int
perr(struct ps *p, int pos, const char *what)
{
	return jp_fail(p->jp, "%s at column %d", what, pos);
}

/* An identifier of n bytes at s: a string value in t->u.v. */
static int
add_name(struct ps *p, const char *s, size_t n, struct jp_lex *t)
{
	struct jp *jp = p->jp;

	if (jp_room(jp, n + 1) < 0)
		return -1;
	memcpy(jp->s + jp->ns, s, n);
	jp->s[jp->ns + n] = '\0';
	t->u.v.t = JP_STR;
	t->u.v.p = JP_OWN | jp->ns;
	t->u.v.n = (uint32_t)n;
	jp->ns += (uint32_t)n + 1;
	return 0;
}

/* Python's _consume_until: the text up to the closing delimiter, a
 * backslash keeping the character after it. Returns the end (index of
 * the delimiter) or -1. */
static int
until(struct ps *p, int start, char delim)
{
	int k = start + 1;

	while (k < p->len && p->e[k] != delim) {
		if (p->e[k] == '\\')
			k++;
		k++;
	}
	if (k >= p->len)
		return jp_fail(p->jp, "Unclosed %c delimiter at column %d",
		    delim, start);
	return k;
}

static int
lex_quoted(struct ps *p, struct jp_lex *t, int *k)
{
	char tmp[1024];
	size_t out;
	int end = until(p, *k, '"');

	if (end < 0)
		return -1;
	if ((size_t)(end - *k - 1) >= sizeof tmp
	    || cpj_json_unescape(p->e + *k + 1, (size_t)(end - *k - 1), tmp,
	    sizeof tmp, &out) < 0)
		return perr(p, *k, "invalid quoted identifier");
	t->type = T_QID;
	*k = end + 1;
	return add_name(p, tmp, out, t);
}

/* 'raw string': \' becomes ', every other byte stays. */
static int
lex_raw(struct ps *p, struct jp_lex *t, int *k)
{
	struct jp *jp = p->jp;
	int end = until(p, *k, '\''), j;
	uint32_t start = jp->ns;

	if (end < 0 || jp_room(jp, 1) < 0)       /* '' needs its NUL too */
		return -1;
	for (j = *k + 1; j < end; j++) {
		if (p->e[j] == '\\' && j + 1 < end && p->e[j + 1] == '\'')
			j++;
		if (jp_room(jp, 2) < 0)
			return -1;
		jp->s[jp->ns++] = p->e[j];
	}
	jp->s[jp->ns++] = '\0';
	t->u.v.t = JP_STR;
	t->u.v.p = JP_OWN | start;
	t->u.v.n = jp->ns - 1 - start;
	t->type = T_LIT;
	*k = end + 1;
	return 0;
}

/* `json`, \` becoming `; else the deprecated `text` string form. */
static int
lex_literal(struct ps *p, struct jp_lex *t, int *k)
{
	char tmp[2048];
	size_t n = 0, a;
	int end = until(p, *k, '`'), j;

	if (end < 0)
		return -1;
	for (j = *k + 1; j < end; j++) {
		if (p->e[j] == '\\' && j + 1 < end && p->e[j + 1] == '`')
			j++;
		if (n + 3 >= sizeof tmp)
			return perr(p, *k, "literal too long");
		tmp[n++] = p->e[j];
	}
	t->type = T_LIT;
	if (jp_import(p->jp, tmp, n, &t->u.v) == 0) {
		*k = end + 1;
		return 0;
	}
	/* the others are limits ("out of range", "too ..."): Python's int
	 * has none, do not guess */
	if (strcmp(p->jp->err, "invalid JSON") != 0)
		return -1;
	/* '"%s"' % lexeme.lstrip() */
	for (a = 0; a < n && strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", tmp[a])
	    != NULL; a++)
		;
	memmove(tmp + 1, tmp + a, n - a);
	tmp[0] = '"';
	n = n - a + 1;
	tmp[n++] = '"';
	if (jp_import(p->jp, tmp, n, &t->u.v) < 0 || t->u.v.t != JP_STR)
		return perr(p, *k, "bad literal");
	*k = end + 1;
	return 0;
}

static int
lex_number(struct ps *p, struct jp_lex *t, int *k)
{
	int j = *k, neg = 0;
	int64_t v = 0;

	if (p->e[j] == '-') {
		neg = 1;
		j++;
	}
	if (j >= p->len || p->e[j] < '0' || p->e[j] > '9')
		return perr(p, *k, "Unknown token '-'");
	/* saturate at 32 bits: no array is that long */
	for (; j < p->len && p->e[j] >= '0' && p->e[j] <= '9'; j++)
		if ((v = v * 10 + (p->e[j] - '0')) > INT32_MAX)
			v = INT32_MAX;
	t->type = T_NUMBER;
	t->u.n[0] = (int32_t)(neg ? -v : v);
	*k = j;
	return 0;
}

static int
is_id(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
	    || (!first && c >= '0' && c <= '9');
}

/*
 * The punctuation: a character (op), alone (one) or followed by another
 * (next: two). '[' is there twice: "[]", then "[?" or "[". A 0 type
 * goes on to the next line of the table, and past its end to the other
 * tokens ('=' alone is none).
 */
static const char op[] = ".*],:@(){}[[|&<>!=";
static const char next[] = "\0\0\0\0\0\0\0\0\0\0]?|&====";
static const unsigned char one[] = { T_DOT, T_STAR, T_RBRACKET, T_COMMA,
	T_COLON, T_CURRENT, T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, 0,
	T_LBRACKET, T_PIPE, T_EXPREF, T_LT, T_GT, T_NOT, 0 };
static const unsigned char two[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	T_FLATTEN, T_FILTER, T_OR, T_AND, T_LTE, T_GTE, T_NE, T_EQ };

static int
lex(struct ps *p)
{
	int k = 0;

	if (p->len == 0)
		return jp_fail(p->jp, "empty expression");
	for (;;) {
		struct jp_lex *t;
		size_t o;
		int c;

		while (k < p->len && strchr(" \t\n\r", p->e[k]) != NULL)
			k++;
		if (p->nt >= TOKS_MAX - 1)
			return jp_fail(p->jp, "expression has too many tokens "
			    "(over %d)", TOKS_MAX - 1);
		t = &p->t[p->nt];
		memset(t, 0, sizeof *t);
		t->start = (uint16_t)k;
		if (k >= p->len) {
			t->type = T_EOF;
			p->nt++;
			return 0;
		}
		c = (unsigned char)p->e[k];
		for (o = 0; o < sizeof one && t->type == T_EOF; o++) {
			if (c != op[o])
				continue;
			if (next[o] != 0 && k + 1 < p->len
			    && p->e[k + 1] == next[o]) {
				t->type = two[o];
				k += 2;
			} else if (one[o] != 0) {
				t->type = one[o];
				k++;
			}
		}
		if (t->type != T_EOF) {
			;
		} else if (is_id(c, 1)) {
			int j = k;

			while (j < p->len && is_id((unsigned char)p->e[j], 0))
				j++;
			t->type = T_UID;
			if (add_name(p, p->e + k, (size_t)(j - k), t) < 0)
				return -1;
			k = j;
		} else if (c == '\'') {
			if (lex_raw(p, t, &k) < 0)
				return -1;
		} else if (c == '`') {
			if (lex_literal(p, t, &k) < 0)
				return -1;
		} else if ((c >= '0' && c <= '9') || c == '-') {
			if (lex_number(p, t, &k) < 0)
				return -1;
		} else if (c == '"') {
			if (lex_quoted(p, t, &k) < 0)
				return -1;
		} else {
			return perr(p, k, "Unknown token");
		}
		p->nt++;
	}
}

/* ---- parser ------------------------------------------------------- */

static int expr(struct ps *p, int rbp);

static int
node(struct ps *p, int type, int a, int b)
{
	struct jp *jp = p->jp;
	struct jp_node *n;

	if (jp->nnodes >= JP_NODES_MAX)
		return jp_fail(jp, "expression too large (over %d nodes)",
		    JP_NODES_MAX);
	n = &jp->x.e.nodes[jp->nnodes];
	memset(n, 0, sizeof *n);
	n->type = (uint8_t)type;
	n->a = a;
	n->b = b;
	n->c = -1;
	n->next = -1;
	return jp->nnodes++;
}

/* A node without children. */
static CPJ_NOINLINE int
leaf(struct ps *p, int type)
{
	return node(p, type, -1, -1);
}

static int
cur(const struct ps *p)
{
	return p->t[p->i].type;
}

static int
ahead(const struct ps *p, int k)
{
	return p->i + k < p->nt ? p->t[p->i + k].type : T_EOF;
}

static int
match(struct ps *p, int type)
{
	if (cur(p) != type)
		return perr(p, p->t[p->i].start, cur(p) == T_EOF
		    ? "Incomplete expression" : "Unexpected token");
	p->i++;
	return 0;
}

static int
syntax(struct ps *p)
{
	return perr(p, p->t[p->i].start, cur(p) == T_EOF
	    ? "Incomplete expression" : "syntax error");
}

/* append child c to the list of node n (a = first) */
static void
append(struct ps *p, int n, int c)
{
	struct jp_node *nd = p->jp->x.e.nodes;
	int k = nd[n].a;

	if (k < 0) {
		nd[n].a = c;
		return;
	}
	while (nd[k].next >= 0)
		k = nd[k].next;
	nd[k].next = c;
}

static int
multi_list(struct ps *p)
{
	int n = leaf(p, N_MSLIST), e;

	if (n < 0)
		return -1;
	for (;;) {
		if ((e = expr(p, 0)) < 0)
			return -1;
		append(p, n, e);
		if (cur(p) == T_RBRACKET)
			break;
		if (match(p, T_COMMA) < 0)
			return -1;
	}
	return match(p, T_RBRACKET) < 0 ? -1 : n;
}

static int
multi_hash(struct ps *p)
{
	int n = leaf(p, N_MSHASH), kv, e;

	if (n < 0)
		return -1;
	for (;;) {
		const struct jp_lex *k = &p->t[p->i];

		if (k->type != T_QID && k->type != T_UID)
			return syntax(p);
		p->i++;
		if (match(p, T_COLON) < 0 || (e = expr(p, 0)) < 0
		    || (kv = node(p, N_KV, e, -1)) < 0)
			return -1;
		p->jp->x.e.nodes[kv].u.v = k->u.v;
		append(p, n, kv);
		if (cur(p) == T_COMMA) {
			p->i++;
		} else if (cur(p) == T_RBRACE) {
			p->i++;
			break;
		}
	}
	return n;
}

static int
dot_rhs(struct ps *p, int rbp)
{
	int c = cur(p);

	if (c == T_QID || c == T_UID || c == T_STAR)
		return expr(p, rbp);
	if (c == T_LBRACKET) {
		p->i++;
		return multi_list(p);
	}
	if (c == T_LBRACE) {
		p->i++;
		return multi_hash(p);
	}
	return syntax(p);
}

static int
proj_rhs(struct ps *p, int rbp)
{
	int c = cur(p);

	if (bp[c] < PROJECTION_STOP)
		return leaf(p, N_IDENTITY);
	if (c == T_LBRACKET || c == T_FILTER)
		return expr(p, rbp);
	if (c == T_DOT) {
		p->i++;
		return dot_rhs(p, rbp);
	}
	return syntax(p);
}

static int
index_expr(struct ps *p)
{
	int n, idx = 0;

	if (ahead(p, 0) == T_COLON || ahead(p, 1) == T_COLON) {
		if ((n = leaf(p, N_SLICE)) < 0)
			return -1;
		while (cur(p) != T_RBRACKET && idx < 3) {
			if (cur(p) == T_COLON) {
				if (++idx == 3)
					return syntax(p);
			} else if (cur(p) == T_NUMBER) {
				p->jp->x.e.nodes[n].u.n[idx] =
				    p->t[p->i].u.n[0];
				p->jp->x.e.nodes[n].op |= (uint8_t)(1u << idx);
			} else {
				return syntax(p);
			}
			p->i++;
		}
	} else {
		if ((n = leaf(p, N_INDEX)) < 0)
			return -1;
		p->jp->x.e.nodes[n].u.n[0] = p->t[p->i].u.n[0];
		p->i++;
	}
	return match(p, T_RBRACKET) < 0 ? -1 : n;
}

static int
project_if_slice(struct ps *p, int left, int right)
{
	int ie = node(p, N_INDEX_EXPR, left, right), r;

	if (ie < 0 || p->jp->x.e.nodes[right].type != N_SLICE)
		return ie;
	if ((r = proj_rhs(p, bp[T_STAR])) < 0)
		return -1;
	return node(p, N_PROJ, ie, r);
}

static int
filter(struct ps *p, int left)
{
	int cond, right, n;

	if ((cond = expr(p, 0)) < 0 || match(p, T_RBRACKET) < 0)
		return -1;
	if (cur(p) == T_FLATTEN)
		right = leaf(p, N_IDENTITY);
	else
		right = proj_rhs(p, bp[T_FILTER]);
	if (right < 0 || (n = node(p, N_FPROJ, left, right)) < 0)
		return -1;
	p->jp->x.e.nodes[n].c = cond;
	return n;
}

static int led(struct ps *p, int type, int left);

/* The left of a led that nud calls (-1): the current node, made where
 * nud made it (after an index), so that the node limit strikes at the
 * same place. */
static int
lhs(struct ps *p, int left)
{
	return left >= 0 ? left : leaf(p, N_IDENTITY);
}

static int
nud(struct ps *p, const struct jp_lex *t)
{
	int l, r, n;

	switch (t->type) {
	case T_LIT:
		if ((n = leaf(p, N_LITERAL)) >= 0)
			p->jp->x.e.nodes[n].u.v = t->u.v;
		return n;
	case T_UID:
	case T_QID:
		if (t->type == T_QID && cur(p) == T_LPAREN)
			return perr(p, t->start,
			    "Quoted identifier not allowed for function names");
		if ((n = leaf(p, N_FIELD)) >= 0) {
			p->jp->x.e.nodes[n].u.v = t->u.v;
		}
		return n;
	case T_STAR:
		if ((l = leaf(p, N_IDENTITY)) < 0)
			return -1;
		r = cur(p) == T_RBRACKET ? leaf(p, N_IDENTITY)
		    : proj_rhs(p, bp[T_STAR]);
		return r < 0 ? -1 : node(p, N_VPROJ, l, r);
	case T_FILTER:
	case T_FLATTEN:
		return led(p, t->type, -1);
	case T_LBRACE:
		return multi_hash(p);
	case T_LPAREN:
		if ((n = expr(p, 0)) < 0 || match(p, T_RPAREN) < 0)
			return -1;
		return n;
	case T_NOT:
		return (l = expr(p, bp[T_NOT])) < 0 ? -1
		    : node(p, N_NOT, l, -1);
	case T_LBRACKET:
		if (cur(p) == T_NUMBER || cur(p) == T_COLON
		    || (cur(p) == T_STAR && ahead(p, 1) == T_RBRACKET))
			return led(p, T_LBRACKET, -1);
		return multi_list(p);
	case T_CURRENT:
		return leaf(p, N_CURRENT);
	case T_EXPREF:
		return (l = expr(p, bp[T_EXPREF])) < 0 ? -1
		    : node(p, N_EXPREF, l, -1);
	default:
		return perr(p, t->start, t->type == T_EOF
		    ? "Incomplete expression" : "invalid token");
	}
}

static int
led_lparen(struct ps *p, int left)
{
	struct jp_node *nd = p->jp->x.e.nodes;
	int e;

	if (nd[left].type != N_FIELD)
		return perr(p, p->t[p->i - 1].start, "Invalid function name");
	nd[left].type = N_FUNC;
	while (cur(p) != T_RPAREN) {
		if ((e = expr(p, 0)) < 0)
			return -1;
		if (cur(p) == T_COMMA)
			p->i++;
		append(p, left, e);
	}
	p->i++;
	return left;
}

static int
led(struct ps *p, int type, int left)
{
	int r, n;

	switch (type) {
	case T_DOT:
		if (cur(p) != T_STAR) {
			if ((r = dot_rhs(p, bp[T_DOT])) < 0)
				return -1;
			return node(p, N_SUBEXPR, left, r);
		}
		p->i++;
		return (r = proj_rhs(p, bp[T_DOT])) < 0 ? -1
		    : node(p, N_VPROJ, left, r);
	case T_PIPE:
	case T_OR:
	case T_AND:
		if ((r = expr(p, bp[type])) < 0)
			return -1;
		return node(p, type == T_PIPE ? N_PIPE : type == T_OR ? N_OR
		    : N_AND, left, r);
	case T_LPAREN:
		return led_lparen(p, left);
	case T_FILTER:
		return (left = lhs(p, left)) < 0 ? -1 : filter(p, left);
	case T_EQ: case T_NE: case T_GT: case T_GTE: case T_LT: case T_LTE:
		if ((r = expr(p, bp[type])) < 0
		    || (n = node(p, N_CMP, left, r)) < 0)
			return -1;
		p->jp->x.e.nodes[n].op = (uint8_t)type;
		return n;
	case T_FLATTEN:
		if ((left = lhs(p, left)) < 0
		    || (left = node(p, N_FLATTEN, left, -1)) < 0
		    || (r = proj_rhs(p, bp[T_FLATTEN])) < 0)
			return -1;
		return node(p, N_PROJ, left, r);
	case T_LBRACKET:
		if (cur(p) == T_NUMBER || cur(p) == T_COLON) {
			if ((r = index_expr(p)) < 0
			    || (left = lhs(p, left)) < 0)
				return -1;
			if (p->jp->x.e.nodes[left].type == N_INDEX_EXPR)
				return node(p, N_INDEX_EXPR, left, r);
			return project_if_slice(p, left, r);
		}
		if (match(p, T_STAR) < 0 || match(p, T_RBRACKET) < 0
		    || (left = lhs(p, left)) < 0
		    || (r = proj_rhs(p, bp[T_STAR])) < 0)
			return -1;
		return node(p, N_PROJ, left, r);
	default:
		return perr(p, p->t[p->i - 1].start, "invalid token");
	}
}

static int
expr(struct ps *p, int rbp)
{
	const struct jp_lex *t;
	int left;

	if (++p->depth > JP_DEPTH_MAX)
		return jp_fail(p->jp, "expression nested too deeply (over %d)",
		    JP_DEPTH_MAX);
	t = &p->t[p->i];
	if (t->type != T_EOF)
		p->i++;
	left = nud(p, t);
	while (left >= 0 && rbp < bp[cur(p)]) {
		int type = cur(p);

		p->i++;
		left = led(p, type, left);
	}
	p->depth--;
	return left;
}

/* see jmespath.h */
int
jp_compile(struct jp *jp, const char *e)
{
	struct ps p;

	memset(&p, 0, sizeof p);
	memset(jp->x.e.lex, 0, sizeof jp->x.e.lex);
	p.t = jp->x.e.lex;
	jp->nnodes = 0;
	jp->doc = NULL;
	jp->ncells = 1;       /* cell 0 ends lists */
	jp->ns = 0;
	jp->err[0] = '\0';
	p.jp = jp;
	p.e = e;
	p.len = (int)strnlen(e, 65536);
	if (p.len >= 65536)
		return jp_fail(jp, "expression too long");
	if (lex(&p) < 0)
		return -1;
	jp->root = expr(&p, 0);
	if (jp->root < 0)
		return -1;
	if (cur(&p) != T_EOF)
		return perr(&p, p.t[p.i].start, "Unexpected token");
	return 0;
}
