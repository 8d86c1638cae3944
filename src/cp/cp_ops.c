/*
 * cp_ops.c -- the ten job-worker operations: request bodies, checked
 * against the model's constraints, and their results.
 */
#include "inner.h"

/* A check failed: name the field ("parent.field" when in an object) in
 * cp->message and return CPJ_ERR_PARAM. */
static CPJ_NOINLINE int
bad_in(cpj_cp_context *cp, const char *parent, const char *field,
	const char *why)
{
	cpj_buf b;

	cpj_buf_init(&b, cp->message, sizeof cp->message);
	if (parent != NULL) {
		cpj_buf_puts(&b, parent);
		cpj_buf_putc(&b, '.');
	}
	cpj_buf_puts(&b, field);
	cpj_buf_putlit(&b, ": ");
	cpj_buf_puts(&b, why);
	cp->code[0] = '\0';
	cp->http_status = 0;
	cp->err = CPJ_ERR_PARAM;
	return CPJ_ERR_PARAM;
}

#define bad(cp, field, why) bad_in(cp, NULL, field, why)

static CPJ_NOINLINE int
check_len_in(cpj_cp_context *cp, const char *parent, const char *field,
	const char *v, long min, long max)
{
	if (cpj_cp_check_len(v, min, max) < 0)
		return bad_in(cp, parent, field, min > 0 && v == NULL
		    ? "required" : "length out of range or not UTF-8");
	return CPJ_OK;
}

#define check_len(cp, field, v, min, max) \
	check_len_in(cp, NULL, field, v, min, max)

/* The objects of the request whose members are checked below. */
static const char AT[] = "actionTypeId", CR[] = "currentRevision",
    ED[] = "executionDetails", FD[] = "failureDetails";

static int
check_action_type(cpj_cp_context *cp, const cpj_cp_action_type *at)
{
	if (at == NULL)
		return bad(cp, AT, "required");
	if (cpj_cp_check_enum(at->category, CPJ_CP_ENUM_CATEGORY) < 0)
		return bad_in(cp, AT, "category", "not an ActionCategory");
	if (cpj_cp_check_enum(at->owner, CPJ_CP_ENUM_OWNER) < 0)
		return bad_in(cp, AT, "owner", "not an ActionOwner");
	if (cpj_cp_check_token_chars(at->provider, 1, 35) < 0)
		return bad_in(cp, AT, "provider", "1..35 of [0-9A-Za-z_-]");
	if (cpj_cp_check_token_chars(at->version, 1, 9) < 0)
		return bad_in(cp, AT, "version", "1..9 of [0-9A-Za-z_-]");
	return CPJ_OK;
}

/* Check the job id: a UUID for custom jobs, 1..512 for third-party ones. */
static CPJ_NOINLINE int
check_job(cpj_cp_context *cp, const char *job_id, const char *client_token)
{
	if (client_token == NULL) {
		if (cpj_cp_check_job_id(job_id) < 0)
			return bad(cp, "jobId", "not a job id (lower-case UUID)");
		return CPJ_OK;
	}
#if CPJ_CONFIG_THIRD_PARTY
	if (check_len(cp, "jobId", job_id, 1, 512) < 0)
		return CPJ_ERR_PARAM;
	return check_len(cp, "clientToken", client_token, 1, 256);
#else
	(void)bad(cp, "clientToken", "third-party jobs are not compiled in");
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
		cpj_json_put_key_str(w, "jobId", d->job_id);
	if (d->nonce != NULL)
		cpj_json_put_key_str(w, "nonce", d->nonce);
	if (d->client_token != NULL)
		cpj_json_put_key_str(w, "clientToken", d->client_token);
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
	if (ack && check_len(cp, "nonce", nonce, 1, 50) < 0)
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
	cpj_json_put_key_str(w, "category", at->category);
	cpj_json_put_key_str(w, "owner", at->owner);
	cpj_json_put_key_str(w, "provider", at->provider);
	cpj_json_put_key_str(w, "version", at->version);
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
	cpj_json_put_key(w, "maxBatchSize");
	cpj_json_put_u64(w, a->max_batch);
	if (a->qk != NULL) {
		cpj_json_put_key(w, "queryParam");
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
		return bad(cp, "maxBatchSize", "at least 1");
	if ((qk == NULL) != (qv == NULL))
		return bad(cp, "queryParam", "key and value go together");
	if (qk != NULL && check_len(cp, "queryParam key", qk, 1, 50) < 0)
		return CPJ_ERR_PARAM;
	if (qk != NULL && cpj_cp_check_token_chars(qv, 1, 50) < 0)
		return bad(cp, "queryParam value", "1..50 of [a-zA-Z0-9_-]");
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

	if (check_len(cp, "continuationToken", s->continuation_token, 0,
	    2048) < 0)
		return CPJ_ERR_PARAM;
	if ((s->revision != NULL || s->change_identifier != NULL
	    || s->revision_summary != NULL || s->created >= 0)
	    && (check_len_in(cp, CR, "revision", s->revision, 1, 1500) < 0
	    || check_len_in(cp, CR, "changeIdentifier", s->change_identifier,
	    1, 100) < 0 || check_len_in(cp, CR, "revisionSummary",
	    s->revision_summary, 0, 2048) < 0))
		return CPJ_ERR_PARAM;
	if (s->revision_summary != NULL && s->revision_summary[0] == '\0')
		return bad_in(cp, CR, "revisionSummary", "empty");
	if (check_len_in(cp, ED, "summary", s->summary, 0, 2048) < 0
	    || check_len_in(cp, ED, "externalExecutionId",
	    s->external_execution_id, 0, 1500) < 0)
		return CPJ_ERR_PARAM;
	if ((s->summary != NULL && s->summary[0] == '\0')
	    || (s->external_execution_id != NULL
	    && s->external_execution_id[0] == '\0'))
		return bad(cp, ED, "empty string");
	if (s->continuation_token != NULL && s->continuation_token[0] == '\0')
		return bad(cp, "continuationToken", "empty");
	if (s->percent_complete > 100)
		return bad_in(cp, ED, "percentComplete", "0..100");
	if (s->output_variables_count > 0) {
		if (third)
			return bad(cp, "outputVariables",
			    "not allowed for third-party jobs");
		if (s->continuation_token != NULL)
			return bad(cp, "outputVariables",
			    "not allowed with a continuation token");
		for (i = 0; i < s->output_variables_count; i++) {
			if (s->output_variables[i].key == NULL
			    || s->output_variables[i].value == NULL
			    || cpj_cp_check_len(s->output_variables[i].key, 1,
			    1000000) < 0 || cpj_cp_check_len(
			    s->output_variables[i].value, 0, 1000000) < 0)
				return bad(cp, "outputVariables",
				    "key or value missing or not UTF-8");
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
		cpj_json_put_key_str(w, "revision", s->revision);
		cpj_json_put_key_str(w, "changeIdentifier",
		    s->change_identifier);
		if (s->created >= 0) {
			cpj_json_put_key(w, "created");
			cpj_json_put_i64(w, s->created);
		}
		if (s->revision_summary != NULL)
			cpj_json_put_key_str(w, "revisionSummary",
			    s->revision_summary);
		cpj_json_object_end(w);
	}
	if (s->continuation_token != NULL)
		cpj_json_put_key_str(w, "continuationToken",
		    s->continuation_token);
	if (s->summary != NULL || s->external_execution_id != NULL
	    || s->percent_complete >= 0) {
		cpj_json_put_key(w, ED);
		cpj_json_object_begin(w);
		if (s->summary != NULL)
			cpj_json_put_key_str(w, "summary", s->summary);
		if (s->external_execution_id != NULL)
			cpj_json_put_key_str(w, "externalExecutionId",
			    s->external_execution_id);
		if (s->percent_complete >= 0) {
			cpj_json_put_key(w, "percentComplete");
			cpj_json_put_u64(w, (uint64_t)s->percent_complete);
		}
		cpj_json_object_end(w);
	}
	if (s->output_variables_count > 0) {
		cpj_json_put_key(w, "outputVariables");
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
	cpj_json_put_key_str(w, "type", f->type);
	cpj_json_put_key_str(w, "message", f->message);
	if (f->external_execution_id != NULL)
		cpj_json_put_key_str(w, "externalExecutionId",
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
		return bad(cp, FD, "required");
	if ((n = begin_job(cp, &d, job_id, 0, NULL, client_token)) < 0)
		return n;
	if (cpj_cp_check_enum(f->type, CPJ_CP_ENUM_FAILURE_TYPE) < 0)
		return bad_in(cp, FD, "type", "not a FailureType");
	if (check_len_in(cp, FD, "message", f->message, 1, 5000) < 0
	    || check_len_in(cp, FD, "externalExecutionId",
	    f->external_execution_id, 0, 1500) < 0)
		return CPJ_ERR_PARAM;
	if (f->external_execution_id != NULL
	    && f->external_execution_id[0] == '\0')
		return bad_in(cp, FD, "externalExecutionId", "empty");
	d.kind = REST_FAILURE;
	d.arg = f;
	return send_body(cp, &d, OP_NAME(client_token,
	    "PutJobFailureResult", "PutThirdPartyJobFailureResult"), NULL, 0);
}
