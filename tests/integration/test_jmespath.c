/*
 * test_jmespath.c -- the --query evaluator (src/agent/jmespath*.c,
 * out_text.c).
 *
 * Without arguments: fixed cases (expression over a document, expected
 * compact result or error), printing PASS/FAIL lines.
 *
 * With "--batch DOC": the evaluator for the differential test
 * (tests/scripts/test_jmespath_random.py). DOC is a JSON file; each line
 * of stdin is one expression given as a JSON string. For each, three
 * lines: "R <compact JSON>" or "R !parse" / "R !eval"; then "T " and
 * "J " each with a JSON string (the --output text and --output json
 * renderings) or "!" when they fail.
 */
#include <stdio.h>
#include <string.h>

#include "cpj_json.h"
#include "agent/jmespath.h"

static struct jp jp;
static char doc[1 << 20];
static char text[1 << 20];     /* jp_load decodes it in place */
static char outb[1 << 20];
static char esc[(1 << 20) * 6 + 16];

static int fails;

/* jp_load over a copy of d (n bytes): its strings are decoded in place */
static int
load(const char *d, size_t n, struct jp_val *in)
{
	memcpy(text, d, n);
	return jp_load(&jp, text, n, in);
}

static const char *
run(const char *d, const char *e, char *out, size_t cap)
{
	struct jp_val in, r;
	cpj_buf b;

	if (jp_compile(&jp, e) < 0)
		return "!parse";
	if (load(d, strlen(d), &in) < 0)
		return "!load";
	if (jp_eval(&jp, &in, &r) < 0)
		return "!eval";
	cpj_buf_init(&b, out, cap);
	if (jp_out_compact(&jp, &r, &b) < 0)
		return "!out";
	cpj_buf_putc(&b, '\0');
	return out;
}

static void
check(const char *d, const char *e, const char *want)
{
	static char out[4096];
	const char *got = run(d, e, out, sizeof out);

	if (strcmp(got, want) == 0) {
		printf("PASS %s\n", e);
	} else {
		printf("FAIL %s: got %s, want %s (%s)\n", e, got, want, jp.err);
		fails++;
	}
}

static void
check_text(const char *d, const char *e, const char *want)
{
	struct jp_val in, r;
	cpj_buf b;

	cpj_buf_init(&b, outb, sizeof outb);
	if (jp_compile(&jp, e) < 0 || load(d, strlen(d), &in) < 0
	    || jp_eval(&jp, &in, &r) < 0 || jp_out_text(&jp, &r, &b) < 0) {
		printf("FAIL text %s: %s\n", e, jp.err);
		fails++;
		return;
	}
	cpj_buf_putc(&b, '\0');
	if (strcmp(outb, want) == 0) {
		printf("PASS text %s\n", e);
	} else {
		printf("FAIL text %s: got [%s]\n", e, outb);
		fails++;
	}
}

/* a chain of 120 pipes: evaluated without recursing on its length */
static void
long_chain(const char *d)
{
	static char e[1024];
	size_t n;
	int k;

	n = (size_t)snprintf(e, sizeof e, "jobs[0].id");
	for (k = 0; k < 120; k++)
		n += (size_t)snprintf(e + n, sizeof e - n, "|@");
	check(d, e, "\"a\"");
}

/* An error of a step naming its limit: step 0 load, 1 eval, 2 text. */
static void
check_limit(const char *d, const char *e, int step, const char *want)
{
	struct jp_val in, r;
	cpj_buf b;
	int got = -1;

	cpj_buf_init(&b, outb, sizeof outb);
	if (jp_compile(&jp, e) < 0)
		got = -2;
	else if (load(d, strlen(d), &in) < 0)
		got = 0;
	else if (jp_eval(&jp, &in, &r) < 0)
		got = 1;
	else if (jp_out_text(&jp, &r, &b) < 0)
		got = 2;
	if (got == step && strstr(jp.err, want) != NULL) {
		printf("PASS limit %s: %s\n", e, jp.err);
	} else {
		printf("FAIL limit %s: step %d (%s), want %d (%s)\n", e, got,
		    got == -1 ? "" : jp.err, step, want);
		fails++;
	}
}

/* A document of n elements: [0,...] (numbers), ["0123456789",...]
 * (strings) or {"k0":0,...} (an object). */
static const char *
big(int n, int kind)
{
	size_t o = 0;
	int k;

	doc[o++] = kind == 2 ? '{' : '[';
	for (k = 0; k < n; k++)
		o += (size_t)snprintf(doc + o, sizeof doc - o, kind == 0 ? "%s0"
		    : kind == 1 ? "%s\"0123456789\"" : "%s\"k%d\":0",
		    k ? "," : "", k);
	snprintf(doc + o, sizeof doc - o, "%c", kind == 2 ? '}' : ']');
	return doc;
}

/* "<a's> || tail" on 1, the name of a's and its NUL leaving `left` bytes
 * of the string area: the tail's string fits (want: the output) or is
 * refused at compile time (want NULL). */
static void
check_strs_full(size_t left, const char *tail, const char *want)
{
	static char e[JP_STRS_MAX + 16], out[64];
	size_t n = JP_STRS_MAX - left - 1;
	const char *got;

	memset(e, 'a', n);
	snprintf(e + n, sizeof e - n, " || %s", tail);
	if (want == NULL)
		got = jp_compile(&jp, e) < 0 && strstr(jp.err, "strings too large")
		    ? NULL : "compiled";
	else
		got = run("1", e, out, sizeof out);
	if (want == NULL ? got == NULL : strcmp(got, want) == 0) {
		printf("PASS limit strings: %u bytes left, %s\n", (unsigned)left,
		    tail);
	} else {
		printf("FAIL limit strings: %u bytes left, %s: got %s (%s)\n",
		    (unsigned)left, tail, got ? got : "(null)", jp.err);
		fails++;
	}
}

/* The limits of struct jp (jmespath.h): the message names each. */
static void
limits(void)
{
	char want[96];

	snprintf(want, sizeof want, "too large for --query and --output "
	    "text (over %u values)", (unsigned)JP_CELLS_MAX);
	check_limit(big(JP_CELLS_MAX, 0), "@", 0, want);
	snprintf(want, sizeof want, "%u", (unsigned)JP_CELLS_MAX - 2);
	check(big(JP_CELLS_MAX - 2, 0), "length(@)", want);
	snprintf(want, sizeof want, "query result too large (over %u values",
	    (unsigned)JP_CELLS_MAX);
	check_limit(big(JP_CELLS_MAX / 2, 0), "[*].[@]", 1, want);
	snprintf(want, sizeof want, "%u", (unsigned)JP_CELLS_MAX / 3);
	check(big(JP_CELLS_MAX / 3, 0), "length([*].[@])", want);
	snprintf(want, sizeof want, "strings too large (over %u bytes",
	    (unsigned)JP_STRS_MAX);
	check_limit(big(3000, 1), "join(',', @)", 1, want);
	check_strs_full(0, "''", NULL);
	check_strs_full(1, "''", "\"\"");
	check_strs_full(1, "'x'", NULL);
	check_strs_full(2, "'x'", "\"x\"");
	check(big(2800, 1), "length(join(',', @))", "30799");
	snprintf(want, sizeof want, "too many keys for --output text (over %u)",
	    (unsigned)JP_SCRATCH_MAX);
	check_limit(big(JP_SCRATCH_MAX / 2 + 1, 2), "[@]", 2, want);
	check_limit(big(10, 0), "`[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]`", -2,
	    "nested too deeply");
}

static int
fixed(void)
{
	const char *d = "{\"jobs\": [{\"id\": \"a\", \"n\": {\"x\": 1}},"
	    " {\"id\": \"b\", \"n\": {\"x\": 2}}], \"s\": \"h\\u00e9\"}";

	check(d, "jobs[0].id", "\"a\"");
	check(d, "jobs[*].id", "[\"a\",\"b\"]");
	check(d, "jobs[-1].n.x", "2");
	check(d, "jobs[::-1].id", "[\"b\",\"a\"]");
	check(d, "jobs[?n.x > `1`].id | [0]", "\"b\"");
	check(d, "jobs[?id == 'a'] | length(@)", "1");
	check(d, "{k: keys(@), l: length(s)}", "{\"k\":[\"jobs\",\"s\"],\"l\":2}");
	check(d, "to_string(jobs[0])", "\"{\\\"id\\\":\\\"a\\\",\\\"n\\\":{\\\"x\\\":1}}\"");
	check(d, "join(',', jobs[].id)", "\"a,b\"");
	check(d, "contains(jobs[].id, 'b')", "true");
	check(d, "jobs[].n.*[]", "[1,2]");
	check(d, "jobs[0][1:2].x", "null");   /* python-jmespath: no projection */
	check(d, "`1` == `true`", "false");
	check(d, "[`1`] == [`true`]", "true");
	check(d, "jobs[", "!parse");
	check(d, "length(`1`)", "!eval");
	check(d, "abs(`-1`)", "1");
	check(d, "nosuch(`1`)", "!eval");     /* Unknown function: nosuch() */
	check(d, "sort_by(jobs, &n.x)[-1].id", "\"b\"");
	check(d, "max_by(jobs, &id).n", "{\"x\":2}");
	check(d, "map(&n.x, jobs)", "[1,2]");
	check(d, "merge(`{\"a\":1,\"b\":2}`, `{\"a\":3}`)", "{\"a\":3,\"b\":2}");
	check(d, "avg(jobs[].n.x)", "1.5");
	check(d, "reverse(s)", "\"\\u00e9h\"");
	check(d, "to_number('1_0')", "10");
	check(d, "ceil(`1e300`)", "!eval");   /* a Python int beyond 64 bits */
	check(d, "`{\"a\":1,\"a\":2}`", "{\"a\":2}");
	check(d, "jobs[::0]", "!eval");
	check(d, "'a' < `1`", "!eval");
	check(d, "length(a b)", "!eval");
	/* Python's int has no limit; cpjob refuses rather than guesses */
	check(d, "`99999999999999999999`", "!parse");
	check(d, "`-9223372036854775808`", "-9223372036854775808");
	check(d, "`[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]`", "!parse");
	long_chain(d);
	check_text(d, "jobs", "a\nN\t1\nb\nN\t2\n");
	check_text(d, "{jobs: jobs}", "JOBS\ta\nN\t1\nJOBS\tb\nN\t2\n");
	check_text(d, "jobs[].id", "a\tb\n");
	check_text(d, "[`1.5`, `null`, `true`]", "1.5\tNone\tTrue\n");
	/* Python's str() of the floats JSON writes Infinity, NaN */
	check_text(d, "[`1e722`, `-1e722`, to_number('nan')]", "inf\t-inf\tnan\n");
	check_text(d, "[{a: `-1e722`}]", "-inf\n");
	check(d, "[`1e722`, to_number('-inf')]", "[Infinity,-Infinity]");
	limits();
	return fails ? 1 : 0;
}

/* one line of stdin: a JSON string holding the expression */
static int
read_expr(char *line, char *e, size_t cap)
{
	static cpj_json_tok t[4];
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (cpj_json_parse(line, n, t, 4) != 1 || t[0].type != CPJ_JSON_STRING)
		return -1;
	return cpj_json_unescape(line + t[0].start, (size_t)(t[0].end
	    - t[0].start), e, cap, NULL);
}

static void
put_rendering(const char *tag, int (*f)(struct jp *, const struct jp_val *,
    cpj_buf *), const struct jp_val *r)
{
	cpj_buf b, e;
	cpj_json_writer w;

	cpj_buf_init(&b, outb, sizeof outb - 1);
	if (f(&jp, r, &b) < 0) {
		printf("%s !\n", tag);
		return;
	}
	outb[b.len] = '\0';
	cpj_buf_init(&e, esc, sizeof esc);
	cpj_json_writer_init(&w, &e);
	cpj_json_put_strn(&w, outb, b.len);
	if (cpj_json_writer_finish(&w) < 0) {
		printf("%s !\n", tag);
		return;
	}
	printf("%s %.*s\n", tag, (int)e.len, esc);
}

static int
batch(const char *path)
{
	static char line[65536], e[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 2;
	n = fread(doc, 1, sizeof doc - 1, f);
	fclose(f);
	doc[n] = '\0';
	while (fgets(line, sizeof line, stdin) != NULL) {
		struct jp_val in, r;
		cpj_buf b;

		if (read_expr(line, e, sizeof e) < 0) {
			printf("R !input\nT !\nJ !\n");
			continue;
		}
		if (jp_compile(&jp, e) < 0) {
			printf("R !parse %s\nT !\nJ !\n", jp.err);
			continue;
		}
		if (load(doc, n, &in) < 0 || jp_eval(&jp, &in, &r) < 0) {
			printf("R !eval %s\nT !\nJ !\n", jp.err);
			continue;
		}
		cpj_buf_init(&b, outb, sizeof outb - 1);
		if (jp_out_compact(&jp, &r, &b) < 0) {
			printf("R !eval %s\nT !\nJ !\n", jp.err);
			continue;
		}
		printf("R %.*s\n", (int)b.len, outb);
		put_rendering("T", jp_out_text, &r);
		put_rendering("J", jp_out_json, &r);
		fflush(stdout);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--batch") == 0)
		return batch(argv[2]);
	return fixed();
}
