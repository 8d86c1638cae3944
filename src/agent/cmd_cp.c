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
 * Exit status as the aws CLI: 0 success, 252 bad parameters, 254 the
 * service answered with an error, 255 any other failure.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "cli.h"
#include "setup.h"

#define EXIT_PARAM   252
#define EXIT_SERVICE 254
#define EXIT_OTHER   255
#define KV_MAX       64
#define STORE_MAX    (160 * 1024)

enum op {
	OP_POLL, OP_ACK, OP_GET, OP_SUCCESS, OP_FAILURE
};

static const struct {
	const char *name;
	const char *alias;
	enum op op;
	int third;
	const char *aws_op;
} ops[] = {
	{ "poll", "poll-for-jobs", OP_POLL, 0, "PollForJobs" },
	{ "ack", "acknowledge-job", OP_ACK, 0, "AcknowledgeJob" },
	{ "get", "get-job-details", OP_GET, 0, "GetJobDetails" },
	{ "success", "put-job-success-result", OP_SUCCESS, 0, "PutJobSuccessResult" },
	{ "failure", "put-job-failure-result", OP_FAILURE, 0, "PutJobFailureResult" },
	{ "poll-third-party", "poll-for-third-party-jobs", OP_POLL, 1,
	    "PollForThirdPartyJobs" },
	{ "ack-third-party", "acknowledge-third-party-job", OP_ACK, 1,
	    "AcknowledgeThirdPartyJob" },
	{ "get-third-party", "get-third-party-job-details", OP_GET, 1,
	    "GetThirdPartyJobDetails" },
	{ "success-third-party", "put-third-party-job-success-result",
	    OP_SUCCESS, 1, "PutThirdPartyJobSuccessResult" },
	{ "failure-third-party", "put-third-party-job-failure-result",
	    OP_FAILURE, 1, "PutThirdPartyJobFailureResult" },
};

/* Parsed command line of one operation. */
static struct {
	const char *action_type_id, *query_param, *job_id, *nonce;
	const char *client_token, *continuation_token, *current_revision;
	const char *execution_details, *output_variables, *failure_details;
	unsigned max_batch;
} a;

static struct cli_kv kv[KV_MAX];
static char store[STORE_MAX];
static size_t store_used;

/* Parse a structure/map parameter into kv[from..]; returns the count. */
static int
kvs(const char *opt, const char *arg, int from)
{
	size_t used = 0;
	int n = cli_kv_arg(arg, kv + from, KV_MAX - from, store + store_used,
	    sizeof store - store_used, &used);

	if (n < 0) {
		fprintf(stderr, "cpjob: %s: cannot parse '%s' (expected "
		    "key=value,... or a JSON object)\n", opt, arg);
		return -1;
	}
	store_used += used;
	return n;
}

static const char *
member(int from, int n, const char *k)
{
	int i;

	for (i = from; i < from + n; i++) {
		if (strcmp(kv[i].key, k) == 0)
			return kv[i].value;
	}
	return NULL;
}

static int
unknown_members(const char *opt, int from, int n, const char *const *known)
{
	int i;

	for (i = from; i < from + n; i++) {
		const char *const *k;

		for (k = known; *k != NULL; k++) {
			if (strcmp(kv[i].key, *k) == 0)
				break;
		}
		if (*k == NULL) {
			fprintf(stderr, "\nParameter validation failed:\nUnknown "
			    "parameter in %s: \"%s\"\n", opt, kv[i].key);
			return -1;
		}
	}
	return 0;
}

static int
parse_int(const char *opt, const char *s, long min, long max, long *out)
{
	if (setup_number(s, min, max, out) < 0) {
		fprintf(stderr, "cpjob: %s: expected an integer %ld..%ld, got "
		    "'%s'\n", opt, min, max, s);
		return -1;
	}
	return 0;
}

static void
usage(FILE *f, const char *name, enum op op, int third)
{
	fprintf(f, "usage: cpjob %s [options]\n\n", name);
	switch (op) {
	case OP_POLL:
		fprintf(f, "  --action-type-id category=C,owner=O,provider=P,version=V  (required)\n"
		    "  --max-batch-size N       1..%d\n", CPJ_MAX_JOBS);
		if (!third)
			fprintf(f, "  --query-param KEY=VALUE\n");
		break;
	case OP_ACK:
		fprintf(f, "  --job-id ID --nonce NONCE (required)\n");
		break;
	case OP_GET:
		fprintf(f, "  --job-id ID (required)\n");
		break;
	case OP_SUCCESS:
		fprintf(f, "  --job-id ID (required)\n"
		    "  --current-revision revision=R,changeIdentifier=C[,created=T][,revisionSummary=S]\n"
		    "  --continuation-token TOKEN\n"
		    "  --execution-details summary=S,externalExecutionId=E,percentComplete=N\n");
		if (!third)
			fprintf(f, "  --output-variables K=V,...\n");
		break;
	case OP_FAILURE:
		fprintf(f, "  --job-id ID (required)\n"
		    "  --failure-details type=T,message=M[,externalExecutionId=E]  (required)\n");
		break;
	}
	if (third)
		fprintf(f, "  --client-token TOKEN     (required, except for polling)\n");
	fprintf(f, "\nStructure and map values take the aws CLI's shorthand, "
	    "a JSON object, or file://PATH.\n\n");
	cli_global_help(f);
}

static int
parse_args(int argc, char **argv, struct cli_global *g, enum op op, int third)
{
	int i;

	memset(&a, 0, sizeof a);
	a.max_batch = 1;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **dst = NULL;
		int r = cli_global_opt(g, argc, argv, &i);

		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0)
			return 1;
		if (op == OP_POLL && strcmp(o, "--action-type-id") == 0)
			dst = &a.action_type_id;
		else if (op == OP_POLL && !third && strcmp(o, "--query-param") == 0)
			dst = &a.query_param;
		else if (op != OP_POLL && strcmp(o, "--job-id") == 0)
			dst = &a.job_id;
		else if (op == OP_ACK && strcmp(o, "--nonce") == 0)
			dst = &a.nonce;
		else if (third && op != OP_POLL && strcmp(o, "--client-token") == 0)
			dst = &a.client_token;
		else if (op == OP_SUCCESS && strcmp(o, "--continuation-token") == 0)
			dst = &a.continuation_token;
		else if (op == OP_SUCCESS && strcmp(o, "--current-revision") == 0)
			dst = &a.current_revision;
		else if (op == OP_SUCCESS && strcmp(o, "--execution-details") == 0)
			dst = &a.execution_details;
		else if (op == OP_SUCCESS && !third
		    && strcmp(o, "--output-variables") == 0)
			dst = &a.output_variables;
		else if (op == OP_FAILURE && strcmp(o, "--failure-details") == 0)
			dst = &a.failure_details;
		else if (op == OP_POLL && strcmp(o, "--max-batch-size") == 0) {
			long v;

			if (i + 1 >= argc || parse_int(o, argv[i + 1], 1,
			    CPJ_MAX_JOBS, &v) < 0)
				return -1;
			a.max_batch = (unsigned)v;
			i++;
			continue;
		} else {
			fprintf(stderr, "cpjob: unknown option '%s'\n", o);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "cpjob: %s needs a value\n", o);
			return -1;
		}
		*dst = argv[++i];
	}
	return 0;
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
			fprintf(stderr, "cpjob: job %.*s: %s (%s)\n",
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
run(const char *name, enum op op, int third, const char *aws_op, int argc,
	char **argv)
{
	struct cli_global g;
	cpj_cp_context *cp;
	int rc, n;

	memset(&g, 0, sizeof g);
	store_used = 0;
	rc = parse_args(argc, argv, &g, op, third);
	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr, name, op, third);
		return rc > 0 ? CPJ_EXIT_OK : EXIT_PARAM;
	}
	switch (op) {
	case OP_POLL:
		if (cli_required(a.action_type_id, "--action-type-id") < 0)
			return EXIT_PARAM;
		break;
	case OP_ACK:
		if (cli_required(a.job_id, "--job-id") < 0
		    || cli_required(a.nonce, "--nonce") < 0)
			return EXIT_PARAM;
		break;
	case OP_FAILURE:
		if (cli_required(a.failure_details, "--failure-details") < 0)
			return EXIT_PARAM;
		/* fall through */
	case OP_GET:
	case OP_SUCCESS:
		if (cli_required(a.job_id, "--job-id") < 0)
			return EXIT_PARAM;
		break;
	}
	if (third && op != OP_POLL
	    && cli_required(a.client_token, "--client-token") < 0)
		return EXIT_PARAM;

	if (op == OP_POLL) {
		static const char *const at_keys[] = { "category", "owner",
		    "provider", "version", NULL };
		cpj_cp_action_type at;
		const cpj_cp_jobs_buf *jb = cli_jobs_buf(a.max_batch);
		const char *qk = NULL, *qv = NULL;
		int m = kvs("--action-type-id", a.action_type_id, 0), q;

		if (m < 0 || unknown_members("actionTypeId", 0, m, at_keys) < 0)
			return EXIT_PARAM;
		at.category = member(0, m, "category");
		at.owner = member(0, m, "owner");
		at.provider = member(0, m, "provider");
		at.version = member(0, m, "version");
		if (a.query_param != NULL) {
			q = kvs("--query-param", a.query_param, m);
			if (q < 0)
				return EXIT_PARAM;
			if (q != 1) {
				fprintf(stderr, "cpjob: --query-param takes "
				    "exactly one KEY=VALUE\n");
				return EXIT_PARAM;
			}
			qk = kv[m].key;
			qv = kv[m].value;
		}
		if (cli_setup(&g) < 0)
			return EXIT_OTHER;
		cp = cli_cp();
		n = third ? cpj_cp_poll_for_third_party_jobs(cp, &at,
		    a.max_batch, jb) : cpj_cp_poll_for_jobs(cp, &at,
		    a.max_batch, qk, qv, jb);
		if (n < 0)
			return finish(aws_op, n);
		rc = check_jobs(jb, n);
		if (!rc && jb->parser->seen_top)
			out_jobs(cli_out(), jb->jobs, n, third
			    ? CPJ_JOBS_THIRD_PARTY_POLL : CPJ_JOBS_POLL);
		if (!rc && cli_out_end() != 0) {
			cli_cleanup();
			return EXIT_OTHER;
		}
		cli_cleanup();
		return rc ? EXIT_OTHER : CPJ_EXIT_OK;
	}
	if (cli_setup(&g) < 0)
		return EXIT_OTHER;
	cp = cli_cp();
	if (op == OP_ACK) {
		char status[32];

		rc = cpj_cp_acknowledge_job(cp, a.job_id, a.nonce,
		    a.client_token, status, sizeof status);
		if (rc == 0)
			out_status(cli_out(), status);
		return finish(aws_op, rc);
	}
	if (op == OP_GET) {
		const cpj_cp_jobs_buf *jb = cli_jobs_buf(1);

		n = cpj_cp_get_job_details(cp, a.job_id, a.client_token, jb);
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
		static const char *const keys[] = { "type", "message",
		    "externalExecutionId", NULL };
		cpj_cp_failure f;
		int m = kvs("--failure-details", a.failure_details, 0);

		if (m < 0 || unknown_members("failureDetails", 0, m, keys) < 0)
			return EXIT_PARAM;
		f.type = member(0, m, "type");
		f.message = member(0, m, "message");
		f.external_execution_id = member(0, m, "externalExecutionId");
		return finish(aws_op, cpj_cp_put_job_failure(cp, a.job_id,
		    a.client_token, &f));
	}
	/* OP_SUCCESS */
	{
		static const char *const rev_keys[] = { "revision",
		    "changeIdentifier", "created", "revisionSummary", NULL };
		static const char *const ed_keys[] = { "summary",
		    "externalExecutionId", "percentComplete", NULL };
		static cpj_cp_kv vars[KV_MAX];
		cpj_cp_success s;
		int m = 0, k;

		cpj_cp_success_init(&s);
		s.continuation_token = a.continuation_token;
		if (a.current_revision != NULL) {
			const char *c;
			long v;

			k = kvs("--current-revision", a.current_revision, m);
			if (k < 0 || unknown_members("currentRevision", m, k,
			    rev_keys) < 0)
				return EXIT_PARAM;
			s.revision = member(m, k, "revision");
			s.change_identifier = member(m, k, "changeIdentifier");
			s.revision_summary = member(m, k, "revisionSummary");
			if ((c = member(m, k, "created")) != NULL) {
				if (parse_int("created", c, 0, 0x7fffffffL, &v) < 0)
					return EXIT_PARAM;
				s.created = v;
			}
			m += k;
		}
		if (a.execution_details != NULL) {
			const char *pc;
			long v;

			k = kvs("--execution-details", a.execution_details, m);
			if (k < 0 || unknown_members("executionDetails", m, k,
			    ed_keys) < 0)
				return EXIT_PARAM;
			s.summary = member(m, k, "summary");
			s.external_execution_id = member(m, k,
			    "externalExecutionId");
			if ((pc = member(m, k, "percentComplete")) != NULL) {
				if (parse_int("percentComplete", pc, 0, 100, &v) < 0)
					return EXIT_PARAM;
				s.percent_complete = (int)v;
			}
			m += k;
		}
		if (a.output_variables != NULL) {
			int i;

			k = kvs("--output-variables", a.output_variables, m);
			if (k < 0)
				return EXIT_PARAM;
			for (i = 0; i < k; i++) {
				vars[i].key = kv[m + i].key;
				vars[i].value = kv[m + i].value;
			}
			s.output_variables = vars;
			s.output_variables_count = (size_t)k;
			m += k;
		}
		return finish(aws_op, cpj_cp_put_job_success(cp, a.job_id,
		    a.client_token, &s));
	}
}

/* see agent.h */
int
cpj_cmd_cp(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(argv[0], ops[i].name) == 0
		    || strcmp(argv[0], ops[i].alias) == 0)
			return run(ops[i].name, ops[i].op, ops[i].third,
			    ops[i].aws_op, argc, argv);
	}
	return CPJ_EXIT_USAGE;
}

/* see agent.h */
int
cpj_cmd_cp_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(name, ops[i].name) == 0
		    || strcmp(name, ops[i].alias) == 0)
			return 1;
	}
	return 0;
}
