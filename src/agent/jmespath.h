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
 * the compiled expression, the document and every value the evaluation
 * builds (cells and a string arena). When a limit is reached the call
 * fails with a message naming it; nothing is allocated.
 * The parser and the evaluator recurse, at most JP_DEPTH_MAX levels.
 */
#ifndef CPJ_JMESPATH_H
#define CPJ_JMESPATH_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_buf.h"
#include "cpj_json.h"
#include "util/buf_int.h"    /* cpj_buf_init, the appender (internal) */
#include "json/json_int.h"
#include "fmt.h"             /* fmt_snprintf, fmt_pyfloat, fmt_strtod */

#ifndef JP_NODES_MAX
#define JP_NODES_MAX 512          /* AST nodes of an expression */
#endif
#ifndef JP_NAMES_MAX
#define JP_NAMES_MAX 4096         /* decoded names and raw strings of it */
#endif
#ifndef JP_DEPTH_MAX
#define JP_DEPTH_MAX 48           /* parser / evaluator nesting */
#endif
#ifndef JP_TOKS_MAX
#define JP_TOKS_MAX 8192          /* JSON tokens of the document */
#endif
#ifndef JP_CELLS_MAX
#define JP_CELLS_MAX 16384        /* array elements / object members */
#endif
#ifndef JP_STRS_MAX
#define JP_STRS_MAX (1u << 18)    /* decoded and built strings */
#endif

enum { JP_NULL, JP_FALSE, JP_TRUE, JP_NUM, JP_STR, JP_ARR, JP_OBJ,
	JP_EXPREF };

/* A value. STR: bytes s[p..p+n) of the string arena. ARR/OBJ: n cells
 * from cell p (linked by next; 0 ends). NUM: d, or i when isint. */
struct jp_val {
	uint8_t t;
	uint8_t isint;
	uint8_t flat;             /* ARR: its cells are p, p+1, ... */
	uint32_t n;
	uint32_t p;
	union {
		double d;
		int64_t i;
	} u;
};

struct jp_cell {
	struct jp_val v;
	uint32_t kp, kn;          /* member name (objects) */
	uint32_t next;
};

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

struct jp_node {
	uint8_t type;
	uint8_t op;               /* comparator; slice parts present */
	uint16_t nkids;
	int32_t a, b, c;          /* children; -1 when none */
	int32_t next;             /* next sibling in a list of children */
	int64_t n[3];             /* index / slice parts */
	uint32_t sp, sn;          /* name: names[sp..sp+sn) */
	struct jp_val lit;        /* literal */
};

#ifndef JP_LEX_MAX
#define JP_LEX_MAX 1024           /* lexer tokens of an expression */
#endif

/* A lexer token of the expression (jmespath_parse.c). */
struct jp_lex {
	int type;
	int start;
	int64_t num;
	uint32_t sp, sn;          /* identifier: jp->names */
	struct jp_val lit;
};

struct jp {
	/* expression */
	struct jp_lex lex[JP_LEX_MAX];   /* while it is compiled */
	struct jp_node nodes[JP_NODES_MAX];
	int nnodes;
	int root;
	char names[JP_NAMES_MAX];
	uint32_t nnames;
	/* values */
	struct jp_cell cells[JP_CELLS_MAX];
	uint32_t ncells;
	char s[JP_STRS_MAX];
	uint32_t ns;
	uint32_t scratch[2 * JP_CELLS_MAX];   /* text output: sorted keys */
	uint32_t nscratch;
	cpj_json_tok toks[JP_TOKS_MAX];
	uint32_t slots[JP_TOKS_MAX];  /* import: the cell of each token */
	int depth;
	int fatal;                /* a limit was hit during evaluation */
	char err[256];            /* message of the last failure */
};

/* Compile `expr` (resets everything). 0, or -1 with jp->err set: a syntax
 * error, as the aws CLI's "Bad value for --query" reports it. */
int jp_compile(struct jp *jp, const char *expr);

/* Load a JSON document (text of len bytes) into values. 0 or -1. */
int jp_load(struct jp *jp, const char *text, size_t len, struct jp_val *out);

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
const char *jp_str(const struct jp *jp, const struct jp_val *v);
int jp_member(const struct jp *jp, const struct jp_val *obj,
    const char *name, size_t n, struct jp_val *out);
int jp_import(struct jp *jp, const char *text, size_t len,
    struct jp_val *out);
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
