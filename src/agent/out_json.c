/*
 * out_json.c -- operation output as the aws CLI prints it with
 * --output json: Python's json.dumps(indent=4, ensure_ascii=False), keys
 * in the service model's member order, absent members left out.
 */
#include <string.h>

#include "agent.h"
#include "cli.h"

struct pj {
	struct cli_out *o;
	int depth;
	int more;       /* the current container already has an element */
	int named;      /* a key was just written */
};

/* Output goes to a stream, or to a buffer for --query and --output text. */
static void
pc(struct cli_out *o, char c)
{
	if (o->b != NULL)
		cpj_buf_putc(o->b, c);
	else
		fwrite(&c, 1, 1, o->f); /* (fputc would link musl's too) */
}

static void
ps(struct cli_out *o, const char *s)
{
	if (o->b != NULL)
		cpj_buf_puts(o->b, s);
	else
		fwrite(s, 1, strlen(s), o->f);
}

static void
indent(struct pj *p)
{
	int i;

	pc(p->o, '\n');
	for (i = 0; i < p->depth; i++)
		ps(p->o, "    ");
}

/* Start an element: separator and indentation (not after a key). */
static void
elem(struct pj *p)
{
	if (p->named) {
		p->named = 0;
		return;
	}
	if (p->depth > 0) {
		if (p->more)
			pc(p->o, ',');
		indent(p);
	}
	p->more = 1;
}

static void
str(struct pj *p, const char *s, size_t n)
{
	size_t i;

	pc(p->o, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		const char *e = c != 0 ? strchr(JSON_ESC, c) : NULL;
		char t[8];

		if (e != NULL) {
			t[0] = '\\';
			t[1] = JSON_ESC_AS[e - JSON_ESC];
			t[2] = '\0';
		} else if (c < 0x20) {
			fmt_snprintf(t, sizeof t, "\\u%04x", c);
		} else {
			pc(p->o, (char)c);
			continue;
		}
		ps(p->o, t);
	}
	pc(p->o, '"');
}

static void
keyn(struct pj *p, const char *k, size_t n)
{
	elem(p);
	str(p, k, n);
	ps(p->o, ": ");
	p->named = 1;
}

static void
key(struct pj *p, const char *k)
{
	keyn(p, k, strlen(k));
}

static void
open_c(struct pj *p, char c)
{
	elem(p);
	pc(p->o, c);
	p->depth++;
	p->more = 0;
}

static void
close_c(struct pj *p, char c)
{
	p->depth--;
	if (p->more)
		indent(p);
	pc(p->o, c);
	p->more = 1;
}

/* "k": { */
static void
open_obj(struct pj *p, const char *k)
{
	key(p, k);
	open_c(p, '{');
}

static void
close_obj(struct pj *p)
{
	close_c(p, '}');
}

static void
empty(struct pj *p, const char *what)
{
	elem(p);
	ps(p->o, what);
}

/* A string member, left out when absent. */
static void
kstr(struct pj *p, const char *k, const cpj_job_str *v)
{
	if (!cpj_job_str_present(v))
		return;
	key(p, k);
	elem(p);
	str(p, v->p, v->len);
}

static void
artifacts(struct pj *p, const char *k, const cpj_job_artifact *a, size_t n)
{
	size_t i;

	key(p, k);
	if (n == 0) {
		empty(p, "[]");
		return;
	}
	open_c(p, '[');
	for (i = 0; i < n; i++) {
		open_c(p, '{');
		kstr(p, "name", &a[i].name);
		kstr(p, "revision", &a[i].revision);
		if (a[i].location.present) {
			open_obj(p, "location");
			kstr(p, "type", &a[i].location.type);
			if (a[i].location.s3_location_present) {
				open_obj(p, "s3Location");
				kstr(p, "bucketName",
				    &a[i].location.s3_location.bucket_name);
				kstr(p, "objectKey",
				    &a[i].location.s3_location.object_key);
				close_obj(p);
			}
			close_obj(p);
		}
		close_obj(p);
	}
	close_c(p, ']');
}

static void
job_data(struct pj *p, const cpj_job_data *d, unsigned flags)
{
	size_t i;

	open_obj(p, "data");
	if (flags & CPJ_JOB_F_ACTION_TYPE_ID) {
		open_obj(p, "actionTypeId");
		kstr(p, "category", &d->action_type_id.category);
		kstr(p, "owner", &d->action_type_id.owner);
		kstr(p, "provider", &d->action_type_id.provider);
		kstr(p, "version", &d->action_type_id.version);
		close_obj(p);
	}
	if (flags & CPJ_JOB_F_ACTION_CONFIGURATION) {
		open_obj(p, "actionConfiguration");
		if (d->configuration_present) {
			key(p, "configuration");
			if (d->configuration_count == 0) {
				empty(p, "{}");
			} else {
				open_c(p, '{');
				for (i = 0; i < d->configuration_count; i++) {
					keyn(p, d->configuration[i].key.p,
					    d->configuration[i].key.len);
					elem(p);
					str(p, d->configuration[i].value.p,
					    d->configuration[i].value.len);
				}
				close_obj(p);
			}
		}
		close_obj(p);
	}
	if (flags & CPJ_JOB_F_PIPELINE_CONTEXT) {
		const cpj_job_pipeline_context *c = &d->pipeline_context;

		open_obj(p, "pipelineContext");
		kstr(p, "pipelineName", &c->pipeline_name);
		if (c->stage_present) {
			open_obj(p, "stage");
			kstr(p, "name", &c->stage.name);
			close_obj(p);
		}
		if (c->action_present) {
			open_obj(p, "action");
			kstr(p, "name", &c->action.name);
			kstr(p, "actionExecutionId",
			    &c->action.action_execution_id);
			close_obj(p);
		}
		kstr(p, "pipelineArn", &c->pipeline_arn);
		kstr(p, "pipelineExecutionId", &c->pipeline_execution_id);
		close_obj(p);
	}
	if (flags & CPJ_JOB_F_INPUT_ARTIFACTS)
		artifacts(p, "inputArtifacts", d->input_artifacts,
		    d->input_artifacts_count);
	if (flags & CPJ_JOB_F_OUTPUT_ARTIFACTS)
		artifacts(p, "outputArtifacts", d->output_artifacts,
		    d->output_artifacts_count);
	if (flags & CPJ_JOB_F_ARTIFACT_CREDENTIALS) {
		open_obj(p, "artifactCredentials");
		kstr(p, "accessKeyId", &d->artifact_credentials.access_key_id);
		kstr(p, "secretAccessKey",
		    &d->artifact_credentials.secret_access_key);
		kstr(p, "sessionToken", &d->artifact_credentials.session_token);
		close_obj(p);
	}
	kstr(p, "continuationToken", &d->continuation_token);
	if (flags & CPJ_JOB_F_ENCRYPTION_KEY) {
		open_obj(p, "encryptionKey");
		kstr(p, "id", &d->encryption_key.id);
		kstr(p, "type", &d->encryption_key.type);
		close_obj(p);
	}
	close_obj(p);
}

/* One Job / JobDetails / ThirdPartyJobDetails object. */
static void
job(struct pj *p, const cpj_job *j, int mode, int details)
{
	open_c(p, '{');
	if (mode == CPJ_JOBS_THIRD_PARTY_POLL) {
		kstr(p, "clientId", &j->client_id);
		kstr(p, "jobId", &j->id);
		close_obj(p);
		return;
	}
	kstr(p, "id", &j->id);
	if (j->flags & CPJ_JOB_F_DATA)
		job_data(p, &j->data, j->flags);
	if (details != 1)
		kstr(p, "nonce", &j->nonce);
	if (details != 2)
		kstr(p, "accountId", &j->account_id);
	close_obj(p);
}

/* see cli.h */
void
out_jobs(struct cli_out *o, const cpj_job *jobs, int n, int mode)
{
	struct pj p = { o, 0, 0, 0 };
	int i;

	open_c(&p, '{');
	key(&p, "jobs");
	if (n == 0) {
		empty(&p, "[]");
	} else {
		open_c(&p, '[');
		for (i = 0; i < n; i++)
			job(&p, &jobs[i], mode, 0);
		close_c(&p, ']');
	}
	close_c(&p, '}');
	pc(o, '\n');
}

/* see cli.h */
void
out_job_details(struct cli_out *o, const cpj_job *j, int third_party)
{
	struct pj p = { o, 0, 0, 0 };

	open_c(&p, '{');
	key(&p, "jobDetails");
	/* JobDetails has no nonce; ThirdPartyJobDetails has no accountId */
	job(&p, j, CPJ_JOBS_DETAILS, third_party ? 2 : 1);
	close_c(&p, '}');
	pc(o, '\n');
}

/* see cli.h */
void
out_status(struct cli_out *o, const char *status)
{
	struct pj p = { o, 0, 0, 0 };

	open_c(&p, '{');
	if (status[0] != '\0') {
		key(&p, "status");
		elem(&p);
		str(&p, status, strlen(status));
	}
	close_c(&p, '}');
	pc(o, '\n');
}
