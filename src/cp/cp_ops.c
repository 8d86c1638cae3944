/*
 * cp_ops.c -- the ten job-worker operations: request bodies, checked
 * against the model's constraints, and their results.
 */
#include "inner.h"

/*
 * The words of the messages of failed checks, one after the other: a
 * message is three word numbers in one int (M below), which a call passes
 * in one instruction instead of loading three pointers.
 */
#if CPJ_CONFIG_THIRD_PARTY
#define TP_WORDS(X)
#else
#define TP_WORDS(X) X(W_NO_TP, "third-party jobs are not compiled in")
#endif
#define WORDS(X) \
	X(W_AT, "actionTypeId") X(W_CR, "currentRevision") \
	X(W_ED, "executionDetails") X(W_FD, "failureDetails") \
	X(W_REQUIRED, "required") \
	X(W_LENGTH, "length out of range or not UTF-8") \
	X(W_EMPTY, "empty") X(W_CATEGORY, "category") \
	X(W_NOT_CATEGORY, "not an ActionCategory") X(W_OWNER, "owner") \
	X(W_NOT_OWNER, "not an ActionOwner") X(W_PROVIDER, "provider") \
	X(W_PROVIDER_CHARS, "1..35 of [0-9A-Za-z_-]") X(W_VERSION, "version") \
	X(W_VERSION_CHARS, "1..9 of [0-9A-Za-z_-]") X(W_JOB_ID, "jobId") \
	X(W_NOT_JOB_ID, "not a job id (lower-case UUID)") \
	X(W_CLIENT_TOKEN, "clientToken") X(W_NONCE, "nonce") \
	X(W_MAX_BATCH, "maxBatchSize") X(W_AT_LEAST_1, "at least 1") \
	X(W_QUERY, "queryParam") X(W_TOGETHER, "key and value go together") \
	X(W_QUERY_KEY, "queryParam key") X(W_QUERY_VALUE, "queryParam value") \
	X(W_QUERY_CHARS, "1..50 of [a-zA-Z0-9_-]") \
	X(W_CONTINUATION, "continuationToken") X(W_REVISION, "revision") \
	X(W_CHANGE_ID, "changeIdentifier") \
	X(W_SUMMARY_OF_REV, "revisionSummary") \
	X(W_SUMMARY, "summary") X(W_EXEC_ID, "externalExecutionId") \
	X(W_EMPTY_STRING, "empty string") X(W_PERCENT, "percentComplete") \
	X(W_0_100, "0..100") X(W_OUTPUT_VARS, "outputVariables") \
	X(W_NOT_TP, "not allowed for third-party jobs") \
	X(W_NOT_CONT, "not allowed with a continuation token") \
	X(W_KV, "key or value missing or not UTF-8") X(W_TYPE, "type") \
	X(W_NOT_FAILURE, "not a FailureType") X(W_MESSAGE, "message") \
	TP_WORDS(X)
#define W_ENUM(id, text) id,
#define W_TEXT(id, text) text "\0"
#define W_MEMBER(id, text) char id[sizeof(text)];
enum { WORDS(W_ENUM) W_END };
static const char words[] = WORDS(W_TEXT);
typedef char words_fit[W_END <= 64 ? 1 : -1];
/* One member of each word's size: WORD() is where a word starts, for the
 * request bodies' member names. */
struct words_at {
	WORDS(W_MEMBER)
};
#define WORD(id) (words + offsetof(struct words_at, id))

/* The objects of the request whose members are checked below. */
#define AT WORD(W_AT)
#define CR WORD(W_CR)
#define ED WORD(W_ED)
#define FD WORD(W_FD)

/* A message: "field: why", or "parent.field: why" when in an object
 * (parent W_AT..W_FD); why 0 for check_len(), which adds it. */
#define M(field, why) ((field) << 3 | (why) << 9)
#define M_IN(parent, field, why) (((parent) + 1) | M(field, why))

static const char *
word(unsigned k)
{
	const char *w = words;

	for (; k > 0; k--)
		w += strlen(w) + 1;
	return w;
}

/* A check failed: message `msg` (M) in cp->message; returns
 * CPJ_ERR_PARAM. */
static CPJ_NOINLINE int
bad(cpj_cp_context *cp, unsigned msg)
{
	cpj_buf b;

	cpj_buf_init(&b, cp->message, sizeof cp->message);
	if ((msg & 7) != 0) {
		cpj_buf_puts(&b, word((msg & 7) - 1));
		cpj_buf_putc(&b, '.');
	}
	cpj_buf_puts(&b, word(msg >> 3 & 63));
	cpj_buf_putlit(&b, ": ");
	cpj_buf_puts(&b, word(msg >> 9));
	cp->code[0] = '\0';
	cp->http_status = 0;
	cp->err = CPJ_ERR_PARAM;
	return CPJ_ERR_PARAM;
}

static CPJ_NOINLINE int
check_len(cpj_cp_context *cp, unsigned msg, const char *v, long min,
	long max)
{
	if (cpj_cp_check_len(v, min, max) < 0)
		return bad(cp, msg | (min > 0 && v == NULL ? W_REQUIRED
		    : W_LENGTH) << 9);
	return CPJ_OK;
}

static int
check_action_type(cpj_cp_context *cp, const cpj_cp_action_type *at)
{
	if (at == NULL)
		return bad(cp, M(W_AT, W_REQUIRED));
	if (cpj_cp_check_enum(at->category, CPJ_CP_ENUM_CATEGORY) < 0)
		return bad(cp, M_IN(W_AT, W_CATEGORY, W_NOT_CATEGORY));
	if (cpj_cp_check_enum(at->owner, CPJ_CP_ENUM_OWNER) < 0)
		return bad(cp, M_IN(W_AT, W_OWNER, W_NOT_OWNER));
	if (cpj_cp_check_token_chars(at->provider, 1, 35) < 0)
		return bad(cp, M_IN(W_AT, W_PROVIDER, W_PROVIDER_CHARS));
	if (cpj_cp_check_token_chars(at->version, 1, 9) < 0)
		return bad(cp, M_IN(W_AT, W_VERSION, W_VERSION_CHARS));
	return CPJ_OK;
}

/* Check the job id: a UUID for custom jobs, 1..512 for third-party ones. */
static CPJ_NOINLINE int
check_job(cpj_cp_context *cp, const char *job_id, const char *client_token)
{
	if (client_token == NULL) {
		if (cpj_cp_check_job_id(job_id) < 0)
			return bad(cp, M(W_JOB_ID, W_NOT_JOB_ID));
		return CPJ_OK;
	}
#if CPJ_CONFIG_THIRD_PARTY
	if (check_len(cp, M(W_JOB_ID, 0), job_id, 1, 512) < 0)
		return CPJ_ERR_PARAM;
	return check_len(cp, M(W_CLIENT_TOKEN, 0), client_token, 1,
	    256);
#else
	(void)bad(cp, M(W_CLIENT_TOKEN, W_NO_TP));
	return cp->err = CPJ_ERR_UNSUPPORTED;
#endif
}

/* The operation's name: the custom one, or the third-party one when there
 * is a client token (the minimal profile has no third-party names:
 * check_job() refused the token). */
#if CPJ_CONFIG_THIRD_PARTY
#define OP_NAME(token, custom, third) ((token) == NULL ? (custom) : (third))
#else
#define OP_NAME(token, custom, third) (custom)
#endif

/*
 * A request body: the job's members, then the rest of the operation's
 * (`kind`, over `arg`). It is written by cpj_cp_call() from these
 * arguments, as often as the request needs (cp_client.c), so it holds
 * nothing but what the caller gave. The kinds are direct calls, so that
 * the stack bound of every operation stays a bound without pointers.
 */
enum { REST_NONE, REST_POLL, REST_SUCCESS, REST_FAILURE };

struct cpj_cp_body {
	const char *job_id, *nonce, *client_token;
	int kind;
	const void *arg;
};

static void poll_rest(cpj_json_writer *w, const void *arg);
static void success_rest(cpj_json_writer *w, const void *arg);
static void failure_rest(cpj_json_writer *w, const void *arg);

/* see inner.h */
void
cpj_cp_write_body(cpj_json_writer *w, const cpj_cp_body *d)
{
	cpj_json_object_begin(w);
	if (d->job_id != NULL)
		cpj_json_put_key_str(w, WORD(W_JOB_ID), d->job_id);
	if (d->nonce != NULL)
		cpj_json_put_key_str(w, WORD(W_NONCE), d->nonce);
	if (d->client_token != NULL)
		cpj_json_put_key_str(w, WORD(W_CLIENT_TOKEN), d->client_token);
	if (d->kind == REST_POLL)
		poll_rest(w, d->arg);
	else if (d->kind == REST_SUCCESS)
		success_rest(w, d->arg);
	else if (d->kind == REST_FAILURE)
		failure_rest(w, d->arg);
	cpj_json_object_end(w);
}

/* Send the body as operation `op`; a job answer (`out`) is parsed to its
 * end: returns the number of jobs. */
static CPJ_NOINLINE int
send_body(cpj_cp_context *cp, const cpj_cp_body *d, const char *op,
	const cpj_cp_jobs_buf *out, int mode)
{
	int rc = cpj_cp_call(cp, op, d, out, mode);

	if (rc < 0 || out == NULL)
		return rc;
	rc = cpj_jobs_parser_finish(out->parser);
	cp->err = rc < 0 ? rc : 0;
	return rc;
}

/* Check the job id, the nonce (an acknowledgement: `ack`) and the client
 * token, and start the body with them. */
static int
begin_job(cpj_cp_context *cp, cpj_cp_body *d, const char *job_id, int ack,
	const char *nonce, const char *client_token)
{
	int rc = check_job(cp, job_id, client_token);

	if (rc < 0)
		return rc;
	if (ack && check_len(cp, M(W_NONCE, 0), nonce, 1, 50) < 0)
		return CPJ_ERR_PARAM;
	memset(d, 0, sizeof *d);
	d->job_id = job_id;
	d->nonce = ack ? nonce : NULL;
	d->client_token = client_token;
	return CPJ_OK;
}

static void
put_action_type(cpj_json_writer *w, const cpj_cp_action_type *at)
{
	cpj_json_put_key(w, AT);
	cpj_json_object_begin(w);
	cpj_json_put_key_str(w, WORD(W_CATEGORY), at->category);
	cpj_json_put_key_str(w, WORD(W_OWNER), at->owner);
	cpj_json_put_key_str(w, WORD(W_PROVIDER), at->provider);
	cpj_json_put_key_str(w, WORD(W_VERSION), at->version);
	cpj_json_object_end(w);
}

struct poll_args {
	const cpj_cp_action_type *at;
	unsigned max_batch;
	const char *qk, *qv;
};

static void
poll_rest(cpj_json_writer *w, const void *arg)
{
	const struct poll_args *a = arg;

	put_action_type(w, a->at);
	cpj_json_put_key(w, WORD(W_MAX_BATCH));
	cpj_json_put_u64(w, a->max_batch);
	if (a->qk != NULL) {
		cpj_json_put_key(w, WORD(W_QUERY));
		cpj_json_object_begin(w);
		cpj_json_put_key_str(w, a->qk, a->qv);
		cpj_json_object_end(w);
	}
}

static int
poll(cpj_cp_context *cp, const char *op, int mode,
	const cpj_cp_action_type *at, unsigned max_batch, const char *qk,
	const char *qv, const cpj_cp_jobs_buf *out)
{
	struct poll_args a;
	cpj_cp_body d;

	if (out == NULL || out->parser == NULL)
		return CPJ_ERR_PARAM;
	if (check_action_type(cp, at) < 0)
		return CPJ_ERR_PARAM;
	if (max_batch < 1)
		return bad(cp, M(W_MAX_BATCH, W_AT_LEAST_1));
	if ((qk == NULL) != (qv == NULL))
		return bad(cp, M(W_QUERY, W_TOGETHER));
	if (qk != NULL && check_len(cp, M(W_QUERY_KEY, 0), qk, 1, 50) < 0)
		return CPJ_ERR_PARAM;
	if (qk != NULL && cpj_cp_check_token_chars(qv, 1, 50) < 0)
		return bad(cp, M(W_QUERY_VALUE, W_QUERY_CHARS));
	a.at = at;
	a.max_batch = max_batch;
	a.qk = qk;
	a.qv = qv;
	memset(&d, 0, sizeof d);
	d.kind = REST_POLL;
	d.arg = &a;
	return send_body(cp, &d, op, out, mode);
}

/* see cpj_codepipeline.h */
int
cpj_cp_poll_for_jobs(cpj_cp_context *cp, const cpj_cp_action_type *at,
	unsigned max_batch, const char *query_key, const char *query_value,
	const cpj_cp_jobs_buf *out)
{
	return poll(cp, "PollForJobs", CPJ_JOBS_POLL, at, max_batch,
	    query_key, query_value, out);
}

#if CPJ_CONFIG_THIRD_PARTY
/* see cpj_codepipeline.h */
int
cpj_cp_poll_for_third_party_jobs(cpj_cp_context *cp,
	const cpj_cp_action_type *at, unsigned max_batch,
	const cpj_cp_jobs_buf *out)
{
	return poll(cp, "PollForThirdPartyJobs", CPJ_JOBS_THIRD_PARTY_POLL,
	    at, max_batch, NULL, NULL, out);
}
#endif

/* see cpj_codepipeline.h */
int
cpj_cp_acknowledge_job(cpj_cp_context *cp, const char *job_id,
	const char *nonce, const char *client_token, char *status,
	size_t status_cap)
{
	cpj_json_tok tok[8];
	cpj_cp_body d;
	int n, rc, i;

	if (status == NULL || status_cap == 0)
		return CPJ_ERR_PARAM;
	status[0] = '\0';
	if ((rc = begin_job(cp, &d, job_id, 1, nonce, client_token)) < 0)
		return rc;
	rc = send_body(cp, &d, OP_NAME(client_token, "AcknowledgeJob",
	    "AcknowledgeThirdPartyJob"), NULL, 0);
	if (rc < 0)
		return rc;
	if (cp->small_over)
		return cp->err = CPJ_ERR_API_RESPONSE;
	n = cpj_json_parse(cp->small, cp->small_len, tok, CPJ_ARRAY_LEN(tok));
	if (n < 0 || tok[0].type != CPJ_JSON_OBJECT)
		return cp->err = n < 0 ? n : CPJ_ERR_API_RESPONSE;
	i = cpj_json_member(cp->small, tok, n, 0, "status");
	if (i > 0) {
		size_t len;

		rc = cpj_json_get_str(cp->small, tok, n, i, status, status_cap,
		    &len);
		if (rc < 0)
			return cp->err = rc;
	}
	return CPJ_OK;
}

/* see cpj_codepipeline.h */
int
cpj_cp_get_job_details(cpj_cp_context *cp, const char *job_id,
	const char *client_token, const cpj_cp_jobs_buf *out)
{
	cpj_cp_body d;
	int rc;

	if (out == NULL || out->parser == NULL)
		return CPJ_ERR_PARAM;
	if ((rc = begin_job(cp, &d, job_id, 0, NULL, client_token)) < 0)
		return rc;
	return send_body(cp, &d, OP_NAME(client_token, "GetJobDetails",
	    "GetThirdPartyJobDetails"), out, CPJ_JOBS_DETAILS);
}

static int
check_success(cpj_cp_context *cp, const cpj_cp_success *s, int third)
{
	size_t i;

	if (check_len(cp, M(W_CONTINUATION, 0), s->continuation_token,
	    0, 2048) < 0)
		return CPJ_ERR_PARAM;
	if ((s->revision != NULL || s->change_identifier != NULL
	    || s->revision_summary != NULL || s->created >= 0)
	    && (check_len(cp, M_IN(W_CR, W_REVISION, 0), s->revision, 1,
	    1500) < 0
	    || check_len(cp, M_IN(W_CR, W_CHANGE_ID, 0),
	    s->change_identifier, 1, 100) < 0 || check_len(cp,
	    M_IN(W_CR, W_SUMMARY_OF_REV, 0), s->revision_summary, 0, 2048) < 0))
		return CPJ_ERR_PARAM;
	if (s->revision_summary != NULL && s->revision_summary[0] == '\0')
		return bad(cp, M_IN(W_CR, W_SUMMARY_OF_REV, W_EMPTY));
	if (check_len(cp, M_IN(W_ED, W_SUMMARY, 0), s->summary, 0, 2048) < 0
	    || check_len(cp, M_IN(W_ED, W_EXEC_ID, 0),
	    s->external_execution_id, 0, 1500) < 0)
		return CPJ_ERR_PARAM;
	if ((s->summary != NULL && s->summary[0] == '\0')
	    || (s->external_execution_id != NULL
	    && s->external_execution_id[0] == '\0'))
		return bad(cp, M(W_ED, W_EMPTY_STRING));
	if (s->continuation_token != NULL && s->continuation_token[0] == '\0')
		return bad(cp, M(W_CONTINUATION, W_EMPTY));
	if (s->percent_complete > 100)
		return bad(cp, M_IN(W_ED, W_PERCENT, W_0_100));
	if (s->output_variables_count > 0) {
		if (third)
			return bad(cp, M(W_OUTPUT_VARS, W_NOT_TP));
		if (s->continuation_token != NULL)
			return bad(cp, M(W_OUTPUT_VARS, W_NOT_CONT));
		for (i = 0; i < s->output_variables_count; i++) {
			if (s->output_variables[i].key == NULL
			    || s->output_variables[i].value == NULL
			    || cpj_cp_check_len(s->output_variables[i].key, 1,
			    1000000) < 0 || cpj_cp_check_len(
			    s->output_variables[i].value, 0, 1000000) < 0)
				return bad(cp, M(W_OUTPUT_VARS, W_KV));
		}
	}
	return CPJ_OK;
}

static void
success_rest(cpj_json_writer *w, const void *arg)
{
	const cpj_cp_success *s = arg;
	size_t i;

	if (s->revision != NULL) {
		cpj_json_put_key(w, CR);
		cpj_json_object_begin(w);
		cpj_json_put_key_str(w, WORD(W_REVISION), s->revision);
		cpj_json_put_key_str(w, WORD(W_CHANGE_ID),
		    s->change_identifier);
		if (s->created >= 0) {
			cpj_json_put_key(w, "created");
			cpj_json_put_i64(w, s->created);
		}
		if (s->revision_summary != NULL)
			cpj_json_put_key_str(w, WORD(W_SUMMARY_OF_REV),
			    s->revision_summary);
		cpj_json_object_end(w);
	}
	if (s->continuation_token != NULL)
		cpj_json_put_key_str(w, WORD(W_CONTINUATION),
		    s->continuation_token);
	if (s->summary != NULL || s->external_execution_id != NULL
	    || s->percent_complete >= 0) {
		cpj_json_put_key(w, ED);
		cpj_json_object_begin(w);
		if (s->summary != NULL)
			cpj_json_put_key_str(w, WORD(W_SUMMARY), s->summary);
		if (s->external_execution_id != NULL)
			cpj_json_put_key_str(w, WORD(W_EXEC_ID),
			    s->external_execution_id);
		if (s->percent_complete >= 0) {
			cpj_json_put_key(w, WORD(W_PERCENT));
			cpj_json_put_u64(w, (uint64_t)s->percent_complete);
		}
		cpj_json_object_end(w);
	}
	if (s->output_variables_count > 0) {
		cpj_json_put_key(w, WORD(W_OUTPUT_VARS));
		cpj_json_object_begin(w);
		for (i = 0; i < s->output_variables_count; i++)
			cpj_json_put_key_str(w, s->output_variables[i].key,
			    s->output_variables[i].value);
		cpj_json_object_end(w);
	}
}

/* see cpj_codepipeline.h */
int
cpj_cp_put_job_success(cpj_cp_context *cp, const char *job_id,
	const char *client_token, const cpj_cp_success *s)
{
	cpj_cp_success none;
	cpj_cp_body d;
	int n;

	if (s == NULL) {
		cpj_cp_success_init(&none);
		s = &none;
	}
	if ((n = begin_job(cp, &d, job_id, 0, NULL, client_token)) < 0)
		return n;
	if (check_success(cp, s, client_token != NULL) < 0)
		return CPJ_ERR_PARAM;
	d.kind = REST_SUCCESS;
	d.arg = s;
	return send_body(cp, &d, OP_NAME(client_token,
	    "PutJobSuccessResult", "PutThirdPartyJobSuccessResult"), NULL, 0);
}

static void
failure_rest(cpj_json_writer *w, const void *arg)
{
	const cpj_cp_failure *f = arg;

	cpj_json_put_key(w, FD);
	cpj_json_object_begin(w);
	cpj_json_put_key_str(w, WORD(W_TYPE), f->type);
	cpj_json_put_key_str(w, WORD(W_MESSAGE), f->message);
	if (f->external_execution_id != NULL)
		cpj_json_put_key_str(w, WORD(W_EXEC_ID),
		    f->external_execution_id);
	cpj_json_object_end(w);
}

/* see cpj_codepipeline.h */
int
cpj_cp_put_job_failure(cpj_cp_context *cp, const char *job_id,
	const char *client_token, const cpj_cp_failure *f)
{
	cpj_cp_body d;
	int n;

	if (f == NULL)
		return bad(cp, M(W_FD, W_REQUIRED));
	if ((n = begin_job(cp, &d, job_id, 0, NULL, client_token)) < 0)
		return n;
	if (cpj_cp_check_enum(f->type, CPJ_CP_ENUM_FAILURE_TYPE) < 0)
		return bad(cp, M_IN(W_FD, W_TYPE, W_NOT_FAILURE));
	if (check_len(cp, M_IN(W_FD, W_MESSAGE, 0), f->message, 1, 5000) < 0
	    || check_len(cp, M_IN(W_FD, W_EXEC_ID, 0),
	    f->external_execution_id, 0, 1500) < 0)
		return CPJ_ERR_PARAM;
	if (f->external_execution_id != NULL
	    && f->external_execution_id[0] == '\0')
		return bad(cp, M_IN(W_FD, W_EXEC_ID, W_EMPTY));
	d.kind = REST_FAILURE;
	d.arg = f;
	return send_body(cp, &d, OP_NAME(client_token,
	    "PutJobFailureResult", "PutThirdPartyJobFailureResult"), NULL, 0);
}
