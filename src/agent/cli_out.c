/*
 * cli_out.c -- what the one-shot commands read and print: the jobs of a
 * poll or GetJobDetails (their window, tokens, slots and strings, and the
 * line naming each job handed out), and the output of --query and
 * --output text (jmespath.h), all from the agent's arena (arena.h), taken
 * only by the commands and options that use them.
 */
#include <string.h>

#include "agent.h"
#include "arena.h"
#include "cli.h"
#include "setup.h"
#include "jmespath.h"

/* arena, for the commands that read jobs: one job's JSON, its tokens,
 * the jobs asked for and their strings (jobs) */
static cpj_jobs_parser jparser;
static char *jwindow;
static cpj_json_tok *jtokens;
static cpj_job *jjobs;
static size_t njjobs;
static char *jobs;
static size_t jobs_len;         /* the strings' bytes, or the query's */
static size_t strings_len;      /* what the jobs' strings may take */
#define JOB_STRINGS (CPJ_JOB_WINDOW + CPJ_JOBS_RESERVE)  /* a job's at most */
static cpj_cp_jobs_buf jbuf;
/* "cpjob: job ID, nonce N: handed out but not printed" lines (arena) */
#define HANDED_LINE 400         /* the text, an id and a nonce cut to fit */
static char *handed;
static cpj_buf handed_buf;

/* --query and --output text: the command's JSON goes to outmem (from the
 * arena, only for these options), then the query runs over it
 * (jmespath.h) and its result is rendered after the JMESPath store
 * (Q_SIZE), each of out_cap bytes: OUT_MAX for the commands that print jobs,
 * OUT_SMALL for the others (a status at most). */
#define OUT_MAX (1u << 17)
#define OUT_SMALL (1u << 14)
static int q_given, out_text;
static const char *q_expr;      /* the --query given (argv) */
static char *outmem;
static size_t out_cap;
static char *qmem;              /* the JMESPath store and the result */
static size_t qmem_len;
static cpj_buf outbuf;
static struct cli_out outs;

/*
 * The JMESPath store of --query and --output text, and after it the
 * query's result (docs/agent.md, "Static memory"). The expression is
 * compiled in a scope of the arena when the option is read (to refuse a
 * bad one before any request), and again, from the same text, when the
 * output is made: then in the bytes of the jobs' strings when the command
 * read jobs (rendered into outmem, they are wiped), else taken from the
 * arena.
 */
#define Q_SIZE(cap) (sizeof(struct jp) + (cap))

/* see cli.h */
int
cli_query_opt(int argc, char **argv, int *i)
{
	const char *o = argv[*i], *v;

	if (*i + 1 >= argc) {
		setup_msg(NULL, "%s needs a value", o);
		return -1;
	}
	v = argv[++(*i)];
	if (strcmp(o, "--query") == 0) {
		size_t mark = agent_arena_mark();
		struct jp *jq = agent_arena_scoped(sizeof *jq);

		if (jp_compile(jq, v) < 0) {
			fmt_eprintf("Bad value for --query %s: Invalid jmespath "
			    "expression: %s\n", v,
			    jq->err);
			agent_arena_release(mark);
			return -1;
		}
		agent_arena_release(mark);
		q_given = 1;
		q_expr = v;
		return 1;
	}
	if (strcmp(v, "json") == 0 || strcmp(v, "text") == 0) {
		out_text = v[0] == 't';
		return 1;
	}
	if (strcmp(v, "table") == 0 || strcmp(v, "yaml") == 0
	    || strcmp(v, "yaml-stream") == 0)
		setup_msg(NULL, "--output %s is not supported: use json "
		    "or text", v);
	else
		setup_msg(NULL, "argument --output: Invalid choice, "
		    "valid choices are: json | text");
	return -1;
}

/* see cli.h */
struct cli_out *
cli_out(void)
{
	if (!q_given && !out_text) {
		outs.f = stdout;
		outs.b = NULL;
	} else if (outs.b == NULL) {
		out_cap = jobs != NULL ? OUT_MAX : OUT_SMALL;
		outmem = agent_arena_take(out_cap);
		cpj_buf_init(&outbuf, outmem, out_cap);
		outs.b = &outbuf;
	}
	return &outs;
}

/* Wipe the jobs of the poll (their strings are in `jobs`). A slot
 * the parser never filled (no storage) holds nothing: left alone, its
 * untouched pages are not faulted in at exit. */
static void
wipe_jobs(void)
{
	size_t i;

	for (i = 0; i < njjobs; i++)
		if (jjobs[i].store != NULL)
			cpj_job_wipe(&jjobs[i]);
}

/* see cli.h */
int
cli_out_end(void)
{
	struct jp_val in, r;
	struct jp *jq;
	char *q, *qout;
	cpj_buf b;
	size_t n;

	if (!q_given && !out_text)
		return 0;
	cli_out();
	if (outbuf.over) {
		setup_msg(NULL, "output over %u bytes: too large for "
		    "--query and --output text", (unsigned)out_cap);
		return 255;
	}
	n = outbuf.len;
	while (n > 0 && (outmem[n - 1] == '\n' || outmem[n - 1] == ' '))
		n--;
	if (n == 0)
		n = (size_t)fmt_snprintf(outmem, out_cap, "{}");
	wipe_jobs();            /* rendered into outmem: `jobs` is free */
	if (jobs != NULL && jobs_len >= Q_SIZE(out_cap)) {
		cpj_wipe(jobs, jobs_len);
		q = jobs;
	} else {
		q = agent_arena_take(Q_SIZE(out_cap));
	}
	qmem = q;
	qmem_len = Q_SIZE(out_cap);
	jq = (struct jp *)(void *)q;    /* aligned for any object */
	qout = q + sizeof *jq;
	if (jp_compile(jq, q_given ? q_expr : "@") < 0)
		return 255;     /* it compiled when the option was read */
	cpj_buf_init(&b, qout, out_cap);
	if (jp_load(jq, outmem, n, &in) < 0 || jp_eval(jq, &in, &r) < 0
	    || (out_text ? jp_out_text(jq, &r, &b)
	    : (r.t == JP_OBJ && r.n == 0) ? 0 : jp_out_json(jq, &r, &b)) < 0) {
		setup_msg(NULL, "--query: %s", jq->err);
		return 255;
	}
	if (!out_text && !(r.t == JP_OBJ && r.n == 0))
		cpj_buf_putc(&b, '\n');
	if (b.over) {
		setup_msg(NULL, "--query: output over %u bytes",
		    (unsigned)out_cap);
		return 255;
	}
	if (!fmt_utf8_valid(qout, b.len)) {
		/* a lone surrogate or a byte of the expression that is not
		 * UTF-8: Python cannot print it either */
		setup_msg(NULL, "--query: the result is not valid "
		    "UTF-8");
		return 255;
	}
	fwrite(qout, 1, b.len, stdout);
	return fflush(stdout) == 0 ? 0 : 255;
}

/* see cli.h */
const cpj_cp_jobs_buf *
cli_jobs_buf(unsigned max_jobs)
{
	if (max_jobs < 1)
		max_jobs = 1;
	if (max_jobs > CLI_POLL_JOBS_MAX)
		max_jobs = CLI_POLL_JOBS_MAX;
	if (jjobs == NULL) {    /* one poll per process */
		jwindow = agent_arena_take(CPJ_JOB_WINDOW);
		jtokens = agent_arena_take(CPJ_JSON_TOKENS_MAX * sizeof *jtokens);
		jjobs = agent_arena_take(max_jobs * sizeof *jjobs);
		njjobs = max_jobs;
		/* the jobs' JSON and a reserve each: never runs out (cpj_jobs.h) */
		strings_len = max_jobs <= CPJ_AGENT_JOB_STORAGE / JOB_STRINGS
		    ? max_jobs * JOB_STRINGS : CPJ_AGENT_JOB_STORAGE;
		jobs_len = strings_len;
		if ((q_given || out_text) && jobs_len < Q_SIZE(OUT_MAX))
			jobs_len = Q_SIZE(OUT_MAX);
		jobs = agent_arena_take(jobs_len);
	}
	jbuf.parser = &jparser;
	jbuf.window = jwindow;
	jbuf.window_len = CPJ_JOB_WINDOW;
	jbuf.tokens = jtokens;
	jbuf.ntokens = CPJ_JSON_TOKENS_MAX;
	if (max_jobs > njjobs)
		max_jobs = (unsigned)njjobs;
	jbuf.jobs = jjobs;
	jbuf.max_jobs = max_jobs;
	jbuf.storage = jobs;
	jbuf.storage_len = strings_len;
	return &jbuf;
}

/* see cli.h */
void
cli_jobs_handed_out(int n)
{
	int i;

	if (n <= 0 || handed != NULL)
		return;
	handed = agent_arena_take((size_t)n * HANDED_LINE);
	cpj_buf_init(&handed_buf, handed, (size_t)n * HANDED_LINE);
	for (i = 0; i < n && (size_t)i < njjobs; i++) {
		const cpj_job *j = &jjobs[i];
		char line[HANDED_LINE];

		fmt_snprintf(line, sizeof line, "cpjob: job %.*s%s%.*s: handed out "
		    "but not printed\n", (int)(j->id.len < 128 ? j->id.len : 128),
		    j->id.p, j->nonce.len > 0 ? ", nonce " : "",
		    (int)(j->nonce.len < 200 ? j->nonce.len : 200), j->nonce.p);
		cpj_buf_puts(&handed_buf, line);
	}
}

/* see cli.h */
void
cli_jobs_not_printed(void)
{
	if (handed != NULL && handed_buf.len > 0) {
		fwrite(handed, 1, handed_buf.len, stderr);
		fflush(stderr);
	}
}

/* see cli.h */
void
cli_jobs_wipe(void)
{
	wipe_jobs();
	if (outmem != NULL)     /* the output may show artifact credentials */
		cpj_wipe(outmem, out_cap);
	if (qmem != NULL)
		cpj_wipe(qmem, qmem_len);
	if (jwindow != NULL) {
		cpj_wipe(jwindow, CPJ_JOB_WINDOW);
		/* long strings wait there */
		cpj_wipe(jtokens, CPJ_JSON_TOKENS_MAX * sizeof *jtokens);
	}
}
