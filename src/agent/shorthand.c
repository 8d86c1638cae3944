/*
 * shorthand.c -- the aws CLI's shorthand syntax (its ShorthandParser):
 * key=value,key2=value2 at the top, a value being a word, 'quoted' or
 * "quoted" (\' \" \\ inside), a csv list (k=a,b,c), an explicit list
 * (k=[a,[b],{c=d}]) or a hash (k={a=b,c=[d]}), with its whitespace rules,
 * its backtracking over "a=b,c=d" and its messages (the input with a caret
 * where it stopped).
 *
 * The values are read into a small tree in static storage, then the top
 * members into pairs: a string as it is (type 'h'), a list or a hash as
 * Python's repr (types 'l' and 'm'), which only messages show.
 */
#include <string.h>

#include "agent.h"
#include "cli.h"
#include "jmespath.h"

#define NODES 256
#define DEPTH 32

struct node {
	char *str;      /* 's': the text; a hash member: its key in key */
	char *key;
	short kid, next;
	char t;         /* 's', 'l' list, 'm' hash */
};

struct sp {
	const char *s;
	size_t i, len;
	char *st;
	size_t cap, used;
	int nn, depth;
	const char *exp;        /* the syntax error: what was expected */
	size_t at;              /* where */
	int fatal;              /* too long or too deep: not a syntax error */
};

static struct node nd[NODES];

static int
pyspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* May c start a word (f 0), or follow in a first (1) or later (2) value
 * of a csv list (the parser's regular expressions)? */
static int
word(unsigned char c, int f)
{
	if (c >= 0xf0)
		return 0;       /* past U+FFFF */
	if (c >= 0x80 || (f && pyspace(c)))
		return 1;
	if (c < 0x21 || c == '"' || c == '\'' || c == ',')
		return 0;
	return f == 0 ? c != '=' && c != '[' && c != '{'
	    : f == 1 ? c != ']' && c != '}' : c != '=';
}

static int
syntax(struct sp *p, const char *exp)
{
	if (p->exp == NULL) {
		p->exp = exp;
		p->at = p->i;
	}
	return -1;
}

static int
fatal(struct sp *p)
{
	p->fatal = 1;
	return -1;
}

static void
skip_ws(struct sp *p)
{
	while (p->i < p->len && strchr(" \t\n\r\v\f", p->s[p->i]) != NULL)
		p->i++;
}

static int
expect(struct sp *p, char c, int ws)
{
	static const char *const exps[] = { "=", ",", "[", "]", "{", "}" };

	if (ws)
		skip_ws(p);
	if (p->i >= p->len || p->s[p->i] != c)
		return syntax(p, exps[strchr("=,[]{}", c) - "=,[]{}"]);
	p->i++;
	if (ws)
		skip_ws(p);
	return 0;
}

static int
node(struct sp *p, char t, char *str)
{
	if (p->nn >= NODES)
		return fatal(p);
	memset(&nd[p->nn], 0, sizeof nd[0]);
	nd[p->nn].t = t;
	nd[p->nn].str = str;
	nd[p->nn].kid = nd[p->nn].next = -1;
	return p->nn++;
}

/* n bytes of the input at `from` into the store, "\x" made "x" for x in
 * `esc` (the quote, or ','), then (quoted) "\\" made "\"; rstrip: the
 * trailing whitespace dropped. A string node. */
static int
text(struct sp *p, size_t from, size_t n, char esc, int rstrip)
{
	char *d = p->st + p->used;
	size_t i, k = 0;
	int pass;

	if (n + 1 > p->cap - p->used)
		return fatal(p);
	memcpy(d, p->s + from, n);
	for (pass = 0; pass < (esc == ',' ? 1 : 2); pass++, n = k, k = 0) {
		char x = pass == 0 ? esc : '\\';

		for (i = 0; i < n; i++) {
			if (d[i] == '\\' && i + 1 < n && d[i + 1] == x)
				i++;
			d[k++] = d[i];
		}
	}
	while (rstrip && n > 0 && pyspace((unsigned char)d[n - 1]))
		n--;
	d[n] = '\0';
	p->used += n + 1;
	return node(p, 's', d);
}

/* A word at p->i: (\,|[start])(\,|[follow f])* ; -1 when none (must). */
static int
plain(struct sp *p, int f, int must)
{
	const char *s = p->s + p->i;
	size_t n = 0, from = p->i;

	for (;;) {
		if (s[n] == '\\' && s[n + 1] == ',')
			n += 2;
		else if (s[n] != '\0' && word((unsigned char)s[n], n ? f : 0))
			n++;
		else
			break;
	}
	if (n == 0 && must)
		return syntax(p, "<second>");
	p->i += n;
	return text(p, from, n, ',', 1);
}

/* '...' or "..." as its regular expression matches it: \\ and \q are
 * taken as pairs, and at the end of the input the last \q closes it. */
static int
quoted(struct sp *p)
{
	const char *s = p->s + p->i;
	char q = *s;
	size_t k = 1, last = 0, from = p->i + 1;

	for (;;) {
		if (s[k] == '\0') {
			if (last == 0)
				return syntax(p, q == '\'' ? "<singled quoted>"
				    : "<double quoted>");
			k = last;
			break;
		}
		if (s[k] == q)
			break;
		if (s[k] == '\\' && (s[k + 1] == '\\' || s[k + 1] == q)) {
			if (s[k + 1] == q)
				last = k + 1;
			k++;
		}
		k++;
	}
	p->i += k + 1;
	return text(p, from, k - 1, q, 0);
}

static int
first_value(struct sp *p, int f)
{
	if (p->i < p->len && (p->s[p->i] == '\'' || p->s[p->i] == '"'))
		return quoted(p);
	return plain(p, f, f == 2);
}

static int values(struct sp *p, int top);

static void
append(int parent, int *last, int kid)
{
	if (*last < 0)
		nd[parent].kid = (short)kid;
	else
		nd[*last].next = (short)kid;
	*last = kid;
}

static int
key(struct sp *p)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
	    "QRSTUVWXYZ0123456789-_.#/:";
	size_t n = fmt_span(p->s + p->i, ok, 1), from = p->i;

	p->i += n;
	return text(p, from, n, ',', 0);
}

/* [v, ...] and {k=v, ...}; a key given twice keeps its place and takes
 * the last value, as a Python dict. */
static int
bracket(struct sp *p)
{
	char close = p->s[p->i] == '[' ? ']' : '}';
	int me, last = -1, k = -1, v;

	if (++p->depth > DEPTH)
		return fatal(p);
	if (expect(p, p->s[p->i], 1) < 0
	    || (me = node(p, close == ']' ? 'l' : 'm', NULL)) < 0)
		return -1;
	while (p->i >= p->len || p->s[p->i] != close) {
		if (close == '}' && ((k = key(p)) < 0 || expect(p, '=', 1) < 0))
			return -1;
		if ((v = values(p, 0)) < 0)
			return -1;
		skip_ws(p);
		if ((p->i >= p->len || p->s[p->i] != close)
		    && expect(p, ',', 0) < 0)
			return -1;
		skip_ws(p);
		if (close == '}') {
			int j;

			nd[v].key = nd[k].str;
			for (j = nd[me].kid; j >= 0 && strcmp(nd[j].key,
			    nd[v].key) != 0; j = nd[j].next)
				;
			if (j >= 0) {
				nd[v].next = nd[j].next;
				memcpy(&nd[j], &nd[v], sizeof nd[j]);
				continue;
			}
		}
		append(me, &last, v);
	}
	p->depth--;
	return expect(p, close, 0) < 0 ? -1 : me;
}

/* a,b,c: a list when a second value follows; "a=b,c=d" backtracks to
 * the comma before c. */
static int
csv(struct sp *p)
{
	int first, me, last = -1, v;

	if ((first = first_value(p, 1)) < 0)
		return -1;
	skip_ws(p);
	if (p->i >= p->len || p->s[p->i] != ',')
		return first;
	if (expect(p, ',', 1) < 0 || (me = node(p, 'l', NULL)) < 0)
		return -1;
	append(me, &last, first);
	for (;;) {
		v = first_value(p, 2);
		if (v >= 0) {
			skip_ws(p);
			if (p->i >= p->len) {
				append(me, &last, v);
				break;
			}
			if (expect(p, ',', 1) == 0) {
				append(me, &last, v);
				continue;
			}
		}
		if (p->fatal || p->i >= p->len)
			return -1;
		p->exp = NULL;
		while (p->i > 0 && p->s[p->i] != ',')
			p->i--;
		break;
	}
	return nd[first].next < 0 ? first : me;
}

static int
values(struct sp *p, int top)
{
	if (p->i >= p->len)
		return text(p, p->i, 0, ',', 0);
	if (p->s[p->i] == '[' || p->s[p->i] == '{')
		return bracket(p);
	return top ? csv(p) : first_value(p, 1);
}

static void
put(struct sp *p, const char *s, int repr)
{
	size_t n = repr ? jp_py_repr(p->st + p->used, p->cap - p->used, s,
	    strlen(s))
	    : strlen(s);

	if (n + 1 > p->cap - p->used) {
		p->fatal = 1;
		return;
	}
	if (!repr)
		memcpy(p->st + p->used, s, n + 1);
	p->used += n;
}

/* Python's repr of a node into the store. */
static void
repr(struct sp *p, int n)
{
	int k;

	if (nd[n].t == 's') {
		put(p, nd[n].str, 1);
		return;
	}
	put(p, nd[n].t == 'l' ? "[" : "{", 0);
	for (k = nd[n].kid; k >= 0 && !p->fatal; k = nd[k].next) {
		if (k != nd[n].kid)
			put(p, ", ", 0);
		if (nd[n].t == 'm') {
			put(p, nd[k].key, 1);
			put(p, ": ", 0);
		}
		repr(p, k);
	}
	put(p, nd[n].t == 'l' ? "]" : "}", 0);
}

/* The input with a caret under position at (the parser's message). */
static void
location(const char *s, size_t at)
{
	const char *nl = strchr(s + at, '\n'), *ls = s + at;
	size_t col = 0;

	while (ls > s && ls[-1] != '\n')
		ls--;
	for (; ls < s + at; ls++)
		col += ((unsigned char)*ls & 0xc0) != 0x80;
	fmt_eprintf("%.*s\n%*s^%s\n", nl != NULL ? (int)(nl - s)
	    : (int)strlen(s), s, (int)col, "", nl != NULL ? nl : "");
}

/* see cli.h */
int
cli_shorthand_kv(const char *opt, const char *s, struct cli_kv *kv, int max,
	char *store, size_t cap, size_t *usedp)
{
	struct sp p;
	int n = 0, k, v, dup = -1;
	size_t last = 0;

	memset(&p, 0, sizeof p);
	p.s = s;
	p.len = strlen(s);
	p.st = store;
	p.cap = cap;
	do {
		if ((n > 0 && expect(&p, ',', 1) < 0) || (k = key(&p)) < 0
		    || expect(&p, '=', 1) < 0 || (v = values(&p, 1)) < 0)
			break;
		for (dup = 0; dup < n && strcmp(kv[dup].key, nd[k].str); dup++)
			;
		if (dup < n || n >= max) {
			p.fatal = n >= max;
			break;
		}
		dup = -1;
		kv[n].key = nd[k].str;
		kv[n].type = nd[v].t == 's' ? 'h' : nd[v].t;
		kv[n].value = nd[v].str;
		if (nd[v].t != 's') {
			kv[n].value = store + p.used;
			repr(&p, v);
			if (p.fatal)
				break;
			p.used++;
		}
		n++;
		last = p.i;
	} while (p.i < p.len);
	if (p.exp == NULL && !p.fatal && dup < 0) {
		*usedp = p.used;
		return n;
	}
	if (opt == NULL)
		return -1;
	cli_param_err(opt);
	if (p.fatal) {
		fmt_eprintf("too long, too many members or nested too "
		    "deeply for input:\n%s\n", s);
	} else if (dup >= 0) {
		fmt_eprintf("Second instance of key \"%s\" encountered for "
		    "input:\n", kv[dup].key);
		location(s, last + 1);
		fmt_eprintf("This is often because there is a preceding "
		    "\",\" instead of a space.\n");
	} else {
		const char *got = *p.exp == '<' ? "<none>" : p.at < p.len
		    ? s + p.at : "EOF";
		int l = got != s + p.at ? (int)strlen(got) : 1;

		while (got == s + p.at && ((unsigned char)got[l] & 0xc0) == 0x80)
			l++;
		fmt_eprintf("Expected: '%s', received: '%.*s' for input:\n",
		    p.exp, l, got);
		location(s, p.at);
	}
	return -1;
}
