/*
 * cmd_cp.c -- the one-shot CodePipeline commands, with the aws CLI's
 * parameters and output (aws codepipeline <op> --output json):
 *
 *   poll     (poll-for-jobs)            ack      (acknowledge-job)
 *   get      (get-job-details)          success  (put-job-success-result)
 *   failure  (put-job-failure-result)   and the third-party forms
 *   poll-third-party, ack-third-party, get-third-party,
 *   success-third-party, failure-third-party (and their aws names).
 *
 * Parameters are read and checked as the aws CLI does (cli_param.c,
 * cli_check.c, and the model's table below) before anything is sent.
 * Exit status as the aws CLI: 0 success, 252 usage errors and bad
 * parameters, 253 no region or credentials, 254 the service answered
 * with an error, 255 any other failure.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "arena.h"
#include "cli.h"
#include "setup.h"

#define EXIT_PARAM   252
#define EXIT_SERVICE 254
#define EXIT_OTHER   255
#define KV_MAX       64
/* The decoded parameters: PutJobSuccessResult's output variables (up to
 * 120 KiB) and its other members; the other calls' (ids, a nonce, a
 * client token, an action type, one query parameter) have model maxima
 * under 2 KiB together, so a larger value is one the checks refuse
 * anyway ("file too large" then comes first). */
#define STORE_MAX    (160 * 1024)
#define STORE_SMALL  (16 * 1024)

enum op {
	OP_POLL, OP_ACK, OP_GET, OP_SUCCESS, OP_FAILURE
};

/* The commands and their aws CLI names, two by two: pair i is the
 * operation i % 5 (enum op), of the third-party API from 5 on (bit i of
 * the parameters' `ops` and `req`). */
static const char names[] =
	"poll\0poll-for-jobs\0ack\0acknowledge-job\0get\0get-job-details\0"
	"success\0put-job-success-result\0failure\0put-job-failure-result\0"
	"poll-third-party\0poll-for-third-party-jobs\0"
	"ack-third-party\0acknowledge-third-party-job\0"
	"get-third-party\0get-third-party-job-details\0"
	"success-third-party\0put-third-party-job-success-result\0"
	"failure-third-party\0put-third-party-job-failure-result\0";

/* The parameters, in the service model's member order (the order the
 * aws CLI reads and checks them); `ops` and `req` are bit sets over
 * the commands (bit i: pair i of names[]). The help, the parser and the checks use it. */
enum par {
	P_AT, P_MBS, P_QP, P_JOB, P_NONCE, P_TOKEN, P_CR, P_CONT, P_ED, P_OV,
	P_FD, P_N
};

#define B(i) (1u << (i))
static const struct cli_opt par[P_N] = {
	{ "--action-type-id", "category=C,owner=O,provider=P,version=V", NULL,
	    B(0) | B(5), B(0) | B(5) },
	{ "--max-batch-size", "N", "jobs asked for, 1..50 (the model has no "
	    "maximum: 50 is what a poll's fixed memory holds, docs/agent.md)",
	    B(0) | B(5), 0 },
	{ "--query-param", "KEY=VALUE", NULL, B(0), 0 },
	{ "--job-id", "ID", NULL, 0x3de, 0x3de },
	{ "--nonce", "NONCE", NULL, B(1) | B(6), B(1) | B(6) },
	{ "--client-token", "TOKEN", NULL, 0x3c0, 0x3c0 },
	{ "--current-revision",
	    "revision=R,changeIdentifier=C[,created=T][,revisionSummary=S]",
	    NULL, B(3) | B(8), 0 },
	{ "--continuation-token", "TOKEN", NULL, B(3) | B(8), 0 },
	{ "--execution-details",
	    "summary=S,externalExecutionId=E,percentComplete=N", NULL,
	    B(3) | B(8), 0 },
	{ "--output-variables", "KEY=VALUE,...", NULL, B(3), 0 },
	{ "--failure-details", "type=T,message=M[,externalExecutionId=E]", NULL,
	    B(4) | B(9), B(4) | B(9) },
};
/* Their names in the model. */
static const char *const pname[P_N] = {
	"actionTypeId", "maxBatchSize", "queryParam", "jobId", "nonce",
	"clientToken", "currentRevision", "continuationToken",
	"executionDetails", "outputVariables", "failureDetails",
};

/* The structures of the model (botocore's service-2.json). */
static const struct cli_shape sh_at[] = {
	{ "category", 's', 1, 0, 0,
	    "Source, Build, Deploy, Test, Invoke, Approval" },
	{ "owner", 's', 1, 0, 0, "AWS, ThirdParty, Custom" },
	{ "provider", 's', 1, 1, 0, NULL },
	{ "version", 's', 1, 1, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};
static const struct cli_shape sh_cr[] = {
	{ "revision", 's', 1, 1, 0, NULL },
	{ "changeIdentifier", 's', 1, 1, 0, NULL },
	{ "created", 't', 0, 0, 0, NULL },
	{ "revisionSummary", 's', 0, 1, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};
static const struct cli_shape sh_ed[] = {
	{ "summary", 's', 0, 1, 0, NULL },
	{ "externalExecutionId", 's', 0, 1, 0, NULL },
	{ "percentComplete", 'i', 0, 0, 100, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};
static const struct cli_shape sh_fd[] = {
	{ "type", 's', 1, 0, 0, CLI_FAILURE_TYPES },
	{ "message", 's', 1, 1, 0, NULL },
	{ "externalExecutionId", 's', 0, 1, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/* Parsed command line of one operation: the values, and for structures
 * and maps their members kv[from[p] .. from[p] + cnt[p]). */
static const char *val[P_N];
static int from[P_N], cnt[P_N];
static unsigned max_batch;

static struct cli_kv kv[KV_MAX];
static char *store;             /* store_cap bytes of the arena */
static size_t store_cap;
static size_t store_used;

/* Member k of parameter p (the last one, as Python's json keeps it). */
static const char *
member(enum par p, const char *k)
{
	const char *v = NULL;
	int i;

	for (i = from[p]; i < from[p] + cnt[p]; i++) {
		if (strcmp(kv[i].key, k) == 0)
			v = kv[i].value;
	}
	return v;
}

static void
usage(FILE *f, const char *name, unsigned bit)
{
	fmt_fprintf(f, "usage: cpjob %s [options]\n\n", name);
	cli_opts_help(f, par, P_N, bit);
	fmt_fprintf(f, "\nStructure and map values take the aws CLI's shorthand, "
	    "a JSON object, or file://PATH;\nany value can be read from a "
	    "file with file://PATH.\n\n");
	cli_global_help(f);
}

/* Read the values (file://, JSON, shorthand), then (after the client
 * checks of the aws CLI) check them as botocore does, in the model's
 * order. 0, or minus the exit status after the messages. */
static int
load_args(enum op op, unsigned bit, const struct cli_global *g)
{
	int p, m = 0;

	store_used = 0;
	if (store == NULL) {
		store_cap = op == OP_SUCCESS || op == OP_FAILURE ? STORE_MAX
		    : STORE_SMALL;
		store = agent_arena_take(store_cap);
	}
	for (p = 0; p < P_N; p++) {
		size_t used = 0, mark;
		const char *v;

		if (val[p] == NULL)
			continue;
		if (p == P_AT || p == P_QP || p == P_CR || p == P_ED
		    || p == P_OV || p == P_FD) {
			cnt[p] = cli_param_kv(par[p].opt, val[p], kv + m,
			    KV_MAX - m, store + store_used,
			    store_cap - store_used, &used);
			if (cnt[p] < 0)
				return -EXIT_PARAM;
			from[p] = m;
			m += cnt[p];
			store_used += used;
			continue;
		}
		mark = agent_arena_mark();
		if ((v = cli_paramfile(par[p].opt, val[p])) == NULL) {
			agent_arena_release(mark);
			return -EXIT_PARAM;
		}
		if (v != val[p]) {      /* the file's text: keep a copy */
			used = strlen(v) + 1;
			if (used > store_cap - store_used) {
				setup_msg(par[p].opt, "file too large");
				agent_arena_release(mark);
				return -EXIT_PARAM;
			}
			val[p] = memcpy(store + store_used, v, used);
			store_used += used;
		}
		agent_arena_release(mark);
	}
	if ((p = cli_setup_check(g)) < 0)
		return p;
	for (p = 0; p < P_N; p++) {
		if (val[p] == NULL)
			continue;
		if (p == P_AT)
			cli_check_struct(pname[p], sh_at, kv + from[p], cnt[p]);
		else if (p == P_CR)
			cli_check_struct(pname[p], sh_cr, kv + from[p], cnt[p]);
		else if (p == P_ED)
			cli_check_struct(pname[p], sh_ed, kv + from[p], cnt[p]);
		else if (p == P_FD)
			cli_check_struct(pname[p], sh_fd, kv + from[p], cnt[p]);
		else if (p == P_QP || p == P_OV)
			cli_check_map(pname[p], kv + from[p], cnt[p]);
		else if (p == P_MBS) {
			max_batch = (unsigned)cli_check_int(pname[p], val[p],
			    1, CLI_POLL_JOBS_MAX);
		} else if (p != P_JOB || (bit & 0x3e0))
			cli_check_len(pname[p], val[p], 1);
	}
	if (val[P_QP] != NULL && cnt[P_QP] > 1)
		cli_perr("Invalid length for parameter queryParam, value: %d, "
		    "valid max length: 1", cnt[P_QP]);
	return cli_perr_flush() > 0 ? -EXIT_PARAM : 0;
}

static int
finish(const char *aws_op, int rc)
{
	if (rc >= 0) {
		rc = cli_out_end();      /* --query, --output text */
		cli_cleanup();
		return rc;
	}
	cli_report_cp_error(aws_op, rc);
	cli_cleanup();
	if (rc == CPJ_ERR_PARAM)
		return EXIT_PARAM;
	if (rc <= CPJ_ERR_API_THROTTLED && rc > CPJ_ERR_S3_NOT_FOUND
	    && cli_cp()->http_status != 0)
		return EXIT_SERVICE;
	return EXIT_OTHER;
}

/* A job the parser could not fill in is an error of the command: name
 * the job, and fail with nothing printed (never a partial list). One with
 * U+0000 in a string was read whole: printed escaped, as the aws CLI. */
static int
check_jobs(const cpj_cp_jobs_buf *jb, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		if (jb->jobs[i].err < 0
		    && (jb->jobs[i].flags & CPJ_JOB_F_HAS_NUL) == 0) {
			setup_msg(NULL, "job %.*s: %s (%s)",
			    (int)jb->jobs[i].id.len, jb->jobs[i].id.p,
			    cpj_strerror(jb->jobs[i].err),
			    jb->jobs[i].err_field != NULL
			    ? jb->jobs[i].err_field : "?");
			bad = 1;
		}
	}
	return bad;
}

static int
run(const char *name, unsigned bit, enum op op, int third, const char *aws_op,
	int argc, char **argv)
{
	struct cli_global g;
	cpj_cp_context *cp;
	int rc, n;

	memset(&g, 0, sizeof g);
	memset(cnt, 0, sizeof cnt);
	max_batch = 1;
	rc = cli_opts_parse(argc, argv, &g, par, P_N, bit, val);
	if (rc != 0) {
		if (rc > 0)
			usage(stdout, name, bit);
		return rc > 0 ? CPJ_EXIT_OK : EXIT_PARAM;
	}
	if ((rc = load_args(op, bit, &g)) < 0)
		return -rc;
	if (!g.debug)
		cpj_log_set_level(1);   /* no retry warnings, as the aws CLI */

	if (op == OP_POLL) {
		cpj_cp_action_type at;
		const cpj_cp_jobs_buf *jb = cli_jobs_buf(max_batch);
		const char *qk = NULL, *qv = NULL;

		at.category = member(P_AT, "category");
		at.owner = member(P_AT, "owner");
		at.provider = member(P_AT, "provider");
		at.version = member(P_AT, "version");
		if (cnt[P_QP] == 1) {
			qk = kv[from[P_QP]].key;
			qv = kv[from[P_QP]].value;
		}
		if ((rc = cli_setup(&g)) < 0)
			return -rc;
		cp = cli_cp();
		n = third ? cpj_cp_poll_for_third_party_jobs(cp, &at,
		    max_batch, jb) : cpj_cp_poll_for_jobs(cp, &at,
		    max_batch, qk, qv, jb);
		if (n < 0)
			return finish(aws_op, n);
		cli_jobs_handed_out(n);
		rc = check_jobs(jb, n);
		if (!rc && jb->parser->seen_top)
			out_jobs(cli_out(), jb->jobs, n, third
			    ? CPJ_JOBS_THIRD_PARTY_POLL : CPJ_JOBS_POLL);
		if (!rc && cli_out_end() != 0)
			rc = 1;
		if (rc)         /* never lose a job without a word */
			cli_jobs_not_printed();
		cli_cleanup();
		return rc ? EXIT_OTHER : CPJ_EXIT_OK;
	}
	if ((rc = cli_setup(&g)) < 0)
		return -rc;
	cp = cli_cp();
	if (op == OP_ACK) {
		char status[32];

		rc = cpj_cp_acknowledge_job(cp, val[P_JOB], val[P_NONCE],
		    val[P_TOKEN], status, sizeof status);
		if (rc == 0)
			out_status(cli_out(), status);
		return finish(aws_op, rc);
	}
	if (op == OP_GET) {
		const cpj_cp_jobs_buf *jb = cli_jobs_buf(1);

		n = cpj_cp_get_job_details(cp, val[P_JOB], val[P_TOKEN], jb);
		if (n < 0)
			return finish(aws_op, n);
		if (n == 1 && check_jobs(jb, 1)) {
			cli_cleanup();
			return EXIT_OTHER;
		}
		if (n == 1)
			out_job_details(cli_out(), &jb->jobs[0], third);
		return finish(aws_op, 0);
	}
	if (op == OP_FAILURE) {
		cpj_cp_failure f;

		f.type = member(P_FD, "type");
		f.message = member(P_FD, "message");
		f.external_execution_id = member(P_FD, "externalExecutionId");
		return finish(aws_op, cpj_cp_put_job_failure(cp, val[P_JOB],
		    val[P_TOKEN], &f));
	}
	/* OP_SUCCESS */
	{
		static cpj_cp_kv vars[KV_MAX];
		cpj_cp_success s;
		const char *c;
		int i;

		cpj_cp_success_init(&s);
		s.continuation_token = val[P_CONT];
		s.revision = member(P_CR, "revision");
		s.change_identifier = member(P_CR, "changeIdentifier");
		s.revision_summary = member(P_CR, "revisionSummary");
		if ((c = member(P_CR, "created")) != NULL
		    && cli_timestamp(c, &s.created) < 0)
			s.created = 0;  /* checked in load_args() */
		s.summary = member(P_ED, "summary");
		s.external_execution_id = member(P_ED, "externalExecutionId");
		if ((c = member(P_ED, "percentComplete")) != NULL)
			s.percent_complete = (int)cli_check_int("", c, 0, 100);
		if (val[P_OV] != NULL) {
			for (i = 0; i < cnt[P_OV]; i++) {
				vars[i].key = kv[from[P_OV] + i].key;
				vars[i].value = kv[from[P_OV] + i].value;
			}
			s.output_variables = vars;
			s.output_variables_count = (size_t)cnt[P_OV];
		}
		return finish(aws_op, cpj_cp_put_job_success(cp, val[P_JOB],
		    val[P_TOKEN], &s));
	}
}

/* The API's name of pair i's operation: its aws CLI name in camel case
 * (poll-for-jobs: PollForJobs). */
static const char *
api_name(int i, char *out)
{
	const char *c = fmt_nth(names, 2 * i + 1);
	char *o = out;
	int up = 1;

	for (; *c != '\0'; c++) {
		if (*c != '-')
			*o++ = up ? (char)(*c - 'a' + 'A') : *c;
		up = *c == '-';
	}
	*o = '\0';
	return out;
}

/* see agent.h */
int
cpj_cmd_cp(int argc, char **argv)
{
	char api[40];
	int i = fmt_pick(argv[0], names);

	if (i < 0)
		return CPJ_EXIT_USAGE;
	i /= 2;
	return run(fmt_nth(names, 2 * i), 1u << i, (enum op)(i % 5), i >= 5,
	    api_name(i, api), argc, argv);
}

/* see agent.h */
int
cpj_cmd_cp_known(const char *name)
{
	return fmt_pick(name, names) >= 0;
}

/* see agent.h */
const char *
cpj_cmd_cp_name(int i)
{
	return i < 10 ? fmt_nth(names, 2 * i) : NULL;
}

/* see agent.h */
void
cpj_cmd_cp_usage(FILE *f, int w)
{
	char api[40];
	int i;

	/* the aws names of the five first (the third-party ones are long) */
	for (i = 0; i < 10; i++)
		fmt_fprintf(f, "  %-*s  %s%s%s%s\n", w, cpj_cmd_cp_name(i),
		    api_name(i, api), i < 5 ? " (aws: " : "", i < 5
		    ? fmt_nth(names, 2 * i + 1) : "", i < 5 ? ")" : "");
}
