/*
 * jmespath.h -- JMESPath (--query) over a JSON document, and the aws
 * CLI's json and text renderings of the result, in fixed memory.
 *
 * The grammar and the evaluation follow python-jmespath 1.0.1 (what the
 * aws CLI uses), quirks included: identifiers (bare and quoted), @,
 * sub-expressions, index, slice, [*], .*, [] (flatten), filters [?...]
 * with == != < <= > >=, ||, &&, !, literals (`json`, 'raw'), multi-select
 * lists and hashes, pipes, and JMESPath's built-in functions (an
 * unknown function is a run-time error, as in python-jmespath); &expr
 * evaluates to a reference to its expression, for map, sort_by, min_by
 * and max_by.
 *
 * Everything lives in one caller-owned struct jp (static in the caller):
 * the compiled expression, the document's values and every value the
 * evaluation builds (cells and a string arena), except the document's
 * strings, which stay in its text (jp_load). When a limit is reached the
 * call fails with a message naming it; nothing is allocated.
 * The parser and the evaluator recurse, at most JP_DEPTH_MAX levels.
 */
#ifndef CPJ_JMESPATH_H
#define CPJ_JMESPATH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpj_buf.h"
#include "cpj_json.h"
#include "inner.h"            /* CPJ_NOINLINE */
#include "util/buf_int.h"    /* cpj_buf_init, the appender (internal) */
#include "json/json_int.h"
#include "fmt.h"             /* fmt_snprintf, fmt_pyfloat, fmt_strtod */

/*
 * Limits (docs/agent.md, "Static memory"). struct jp is at most 160 KiB
 * (jmespath_parse.c checks it at compile time) and sits next to the
 * query's result (128 KiB); the document it reads is the command's
 * output, at most 128 KiB (OUT_MAX, cli_common.c), whose strings stay
 * where they are (decoded in place, not copied).
 *
 * JP_CELLS_MAX: values of the document and of the results built from it
 * (24 bytes each). The densest document cpjob can render into 128 KiB
 * (50 jobs, the most a poll asks for, every member present and empty, 16
 * configuration entries, artifacts filling the rest) holds 3,175 values;
 * a poll of the emulator's realistic jobs (tests/emulator/client.py's
 * queue_job, two configuration entries) 45 a job: 37 jobs fill about
 * 124,800 bytes with 1,666 values.
 * 4,096: every document loads, with at least 920 values left for the
 * results (2,429 over the realistic one; cell 0 ends lists).
 * JP_STRS_MAX: the strings of the expression (names, 'raw' strings and
 * `literal` strings) and those the evaluation builds (join, to_string,
 * reverse, type): what struct jp has left, 31 KiB.
 * JP_LEX_MAX, JP_NODES_MAX: tokens and nodes of an expression (16 and 32
 * bytes each): the limits the parser had, far above the few dozen tokens
 * of a script's query (test_cli_query.py's longest: 27).
 * JP_SCRATCH_MAX: the member stack of --output text, one per value (a
 * list's columns are the members of its objects, each pushed once): it
 * shares its bytes with the tokens and nodes, which are no longer needed
 * when the output is made.
 */
#ifndef JP_NODES_MAX
#define JP_NODES_MAX 512          /* AST nodes of an expression */
#endif
#ifndef JP_DEPTH_MAX
#define JP_DEPTH_MAX 48           /* parser / evaluator nesting */
#endif
#ifndef JP_CELLS_MAX
#define JP_CELLS_MAX 4096         /* array elements / object members */
#endif
#ifndef JP_STRS_MAX
#define JP_STRS_MAX (31u << 10)   /* the expression's and built strings */
#endif
#ifndef JP_LEX_MAX
#define JP_LEX_MAX 1024           /* lexer tokens of an expression */
#endif
#define JP_SCRATCH_MAX JP_CELLS_MAX
#define JP_STORE_MAX (160u << 10) /* sizeof (struct jp), at most */

enum { JP_NULL, JP_FALSE, JP_TRUE, JP_NUM, JP_STR, JP_ARR, JP_OBJ,
	JP_EXPREF };

/* Strings are offsets: into the document (jp_load's text, decoded in
 * place), or with JP_OWN set into jp->s. */
#define JP_OWN 0x80000000u

/* A value (12 bytes). STR: n bytes at offset p (jp_at). ARR/OBJ: n cells
 * from cell p (linked by next; 0 ends). EXPREF: node p. NUM: the 64 bits
 * of an int64_t (isint) or a double in p:n (jp_int, jp_dbl). */
struct jp_val {
	uint8_t t;
	uint8_t isint;
	uint8_t flat;             /* ARR: its cells are p, p+1, ... */
	uint8_t pad;
	uint32_t n;
	uint32_t p;
};

struct jp_cell {
	struct jp_val v;
	uint32_t kp, kn;          /* member name (objects) */
	uint32_t next;
};

/* The 8 bytes of a NUM's int64_t or double, into *to. */
static inline void
jp_bits(const struct jp_val *v, void *to)
{
	uint64_t b = (uint64_t)v->p << 32 | v->n;

	memcpy(to, &b, sizeof b);
}

static inline int64_t
jp_int(const struct jp_val *v)
{
	int64_t i;

	jp_bits(v, &i);
	return i;
}

static inline double
jp_dbl(const struct jp_val *v)
{
	double d;

	jp_bits(v, &d);
	return d;
}

/* A number: an integer (isint) or a double. */
void jp_set_num(struct jp_val *v, int isint, int64_t i, double d);

/* private to the jmespath*.c files: tokens and node types */
enum {
	T_EOF, T_UID, T_QID, T_LIT, T_RBRACKET, T_RPAREN, T_COMMA, T_RBRACE,
	T_NUMBER, T_CURRENT, T_EXPREF, T_COLON, T_PIPE, T_OR, T_AND, T_EQ,
	T_GT, T_LT, T_GTE, T_LTE, T_NE, T_FLATTEN, T_STAR, T_FILTER, T_DOT,
	T_NOT, T_LBRACE, T_LBRACKET, T_LPAREN
};

enum { N_FIELD = 1, N_SUBEXPR, N_INDEX, N_SLICE, N_INDEX_EXPR, N_PROJ,
	N_VPROJ, N_FPROJ, N_FLATTEN, N_IDENTITY, N_CURRENT, N_LITERAL,
	N_MSLIST, N_MSHASH, N_KV, N_OR, N_AND, N_NOT, N_CMP, N_PIPE, N_FUNC,
	N_EXPREF };

/* A node (32 bytes). u.v: a literal, or the name of a field, a key or a
 * function (a string: u.v.p, u.v.n); u.n: index / slice parts, which
 * saturate at 32 bits (no array is that long). */
struct jp_node {
	uint8_t type;
	uint8_t op;               /* comparator; slice parts present */
	uint16_t pad;
	int32_t a, b, c;          /* children; -1 when none */
	int32_t next;             /* next sibling in a list of children */
	union {
		int32_t n[3];
		struct jp_val v;
	} u;
};

/* A lexer token of the expression (jmespath_parse.c; 16 bytes): u.n a
 * number, u.v an identifier (a string) or a literal. */
struct jp_lex {
	uint8_t type;
	uint8_t pad;
	uint16_t start;           /* column (expressions are < 64 KiB) */
	union {
		int32_t n[3];
		struct jp_val v;
	} u;
};

/* The members most used first, where the shortest instructions reach
 * them: the counters, then the cells, then the large arrays. */
struct jp {
	int nnodes;
	int root;
	uint32_t ncells;
	uint32_t ns;
	uint32_t nscratch;
	int depth;
	int fatal;                /* a limit was hit during evaluation */
	const char *doc;          /* jp_load's text */
	/* values */
	struct jp_cell cells[JP_CELLS_MAX];
	/* the expression while it is compiled and evaluated, then the
	 * --output text stack */
	union {
		struct {
			struct jp_lex lex[JP_LEX_MAX];   /* while compiled */
			struct jp_node nodes[JP_NODES_MAX];
		} e;
		uint32_t scratch[JP_SCRATCH_MAX]; /* text output: keys */
	} x;
	char s[JP_STRS_MAX];
	char err[256];            /* message of the last failure */
};

/* The bytes of the string at offset off (a value's p, a member's kp). */
const char *jp_at(const struct jp *jp, uint32_t off);

/* Compile `expr` (resets everything). 0, or -1 with jp->err set: a syntax
 * error, as the aws CLI's "Bad value for --query" reports it. */
int jp_compile(struct jp *jp, const char *expr);

/* Load a JSON document (text of len bytes) into values. Its strings are
 * decoded in place and stay there: text is no longer JSON afterwards, and
 * must be left as it is while the values are used. 0 or -1 (jp->err:
 * invalid JSON or a limit). */
int jp_load(struct jp *jp, char *text, size_t len, struct jp_val *out);

/* Evaluate the compiled expression over `in`. 0 or -1 (jp->err): a
 * run-time error (bad function argument, ...) or a limit. */
int jp_eval(struct jp *jp, const struct jp_val *in, struct jp_val *out);

/* Renderings of a value, appended to b; 0, or -1 (jp->err) when b is
 * full or the value cannot be rendered. */
/* Python json.dumps(indent=4, ensure_ascii=False), without the newline. */
int jp_out_json(struct jp *jp, const struct jp_val *v, cpj_buf *b);
/* Python json.dumps(separators=(',', ':')) (ensure_ascii=True). */
int jp_out_compact(struct jp *jp, const struct jp_val *v, cpj_buf *b);
/* Python str(): strings as they are, None, True, 1.5, {'a': 'b'}. */
int jp_out_str(struct jp *jp, const struct jp_val *v, cpj_buf *b);
/* The aws CLI's --output text (awscli/text.py). */
int jp_out_text(struct jp *jp, const struct jp_val *v, cpj_buf *b);

/* Helpers shared by the jmespath*.c files. */
int jp_fail(struct jp *jp, const char *fmt, ...);
int jp_put(struct jp *jp, cpj_buf *b, const char *s, size_t n);
/* A `literal` of the expression: as jp_load, its strings copied to jp->s. */
int jp_import(struct jp *jp, const char *text, size_t len,
    struct jp_val *out);
/* Room for n more bytes in jp->s, or -1 (jp->fatal, jp->err). */
int jp_room(struct jp *jp, size_t n);
/* A new cell (zeroed) in *c, or -1 (jp->fatal, jp->err). */
int jp_cell(struct jp *jp, uint32_t *c);
/* An array or object being built: its value and its last cell (0: none
 * yet). jp_list starts v empty, of type t. */
struct jp_list {
	struct jp_val *v;
	uint32_t tail;
};
void jp_list(struct jp_list *l, struct jp_val *v, int t);
/* Append x, member name kp/kn, to l: its new cell, or 0 (jp_cell's
 * failure). */
uint32_t jp_push(struct jp *jp, struct jp_list *l, const struct jp_val *x,
    uint32_t kp, uint32_t kn);
/* Append x to l, or where l is an object holding a member named kp/kn,
 * set its value there (a dict keeps the first place): 0, or -1. */
int jp_set(struct jp *jp, struct jp_list *l, const struct jp_val *x,
    uint32_t kp, uint32_t kn);
/* The cell of obj's member named name (n bytes), or 0. The objects hold
 * each name once (json.loads and the evaluation keep the last value in
 * the first place). */
uint32_t jp_find(const struct jp *jp, const struct jp_val *obj,
    const char *name, size_t n);
/* Function nd over its na arguments a, into *out (null: zeroed by the
 * caller). */
int jp_call(struct jp *jp, const struct jp_node *nd, const struct jp_val *a,
    int na, struct jp_val *out);
int jp_py_eq(const struct jp *jp, const struct jp_val *a,
    const struct jp_val *b);
/* Python's ordering of two numbers or two strings: <0, 0, >0. */
int jp_order(const struct jp *jp, const struct jp_val *a,
    const struct jp_val *b);
/* Node `node` of the expression over `in` (an &expr's: v.p). */
int jp_ev(struct jp *jp, int node, const struct jp_val *in,
    struct jp_val *out);
/* Python's repr() of the n bytes of UTF-8 at s into d (NUL-terminated
 * when it fits): its length, cap or more when it does not fit. */
size_t jp_py_repr(char *d, size_t cap, const char *s, size_t n);

#endif
