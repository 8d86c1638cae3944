/*
 * test_jobs_parse.c -- the streaming job parser (cpj_jobs.h).
 *
 * Bodies come from tests/data/api (read relative to $CPJ_TOP, default the
 * current directory) or are built here. With arguments
 *   --dump poll|details|tp FILE [CHUNK]
 * the program prints the parse of FILE as JSON instead of running the
 * tests (tests/scripts/test_json_python.py compares it with Python's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "mock/mock_port.h"
#include "inner.h"

#define NJOBS  8
#define STORE  (NJOBS * 16384)
#define BODY_MAX 65536

static char win[CPJ_JOB_WINDOW];
static cpj_json_tok toks[CPJ_JSON_TOKENS_MAX];
static cpj_job jobs[NJOBS];
static char store[STORE];
static cpj_jobs_parser P;
static char body[BODY_MAX];
static size_t body_len;
static char dump_a[262144], dump_b[262144];

/* ---- helpers ---------------------------------------------------------- */

static int
load(const char *name)
{
	char path[1024];
	const char *top = getenv("CPJ_TOP");
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/data/api/%s",
	    top != NULL ? top : ".", name);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	body_len = fread(body, 1, sizeof body - 1, f);
	fclose(f);
	body[body_len] = '\0';
	return body_len > 0 && body_len < sizeof body - 1 ? 0 : -1;
}

static void
set_body(const char *s)
{
	body_len = strlen(s);
	memcpy(body, s, body_len + 1);
}

/* Parse b[0..len) fed in pieces of `chunk` bytes (0: whole). */
static int
parse_ex(int mode, const char *b, size_t len, size_t chunk, size_t njobs,
    unsigned ntoks, size_t store_len, size_t wlen)
{
	size_t off, n;
	int r;

	memset(jobs, 0x5a, sizeof jobs);
	r = cpj_jobs_parser_init(&P, mode, win, wlen, toks, ntoks, jobs,
	    njobs, store, store_len);
	if (r != 0)
		return r;
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		r = cpj_jobs_parser_feed(&P, b + off, n);
		if (r < 0)
			break;
	}
	return cpj_jobs_parser_finish(&P);
}

static int
parse(int mode, size_t chunk)
{
	return parse_ex(mode, body, body_len, chunk, NJOBS,
	    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win);
}

static int
eq(const cpj_job_str *s, const char *want)
{
	if (s->p == NULL || s->p[s->len] != '\0')
		return 0;
	if (strlen(want) != s->len || memcmp(s->p, want, s->len) != 0) {
		fprintf(stderr, "  got \"%s\", want \"%s\"\n", s->p, want);
		return 0;
	}
	return 1;
}

static void
put(cpj_json_writer *w, const char *key, const cpj_job_str *s)
{
	cpj_json_put_key(w, key);
	cpj_json_put_strn(w, s->p, s->len);
}

static void
dump_artifacts(cpj_json_writer *w, const char *key,
    const cpj_job_artifact *a, size_t n)
{
	size_t i;

	cpj_json_put_key(w, key);
	cpj_json_array_begin(w);
	for (i = 0; i < n; i++) {
		cpj_json_object_begin(w);
		put(w, "name", &a[i].name);
		put(w, "revision", &a[i].revision);
		cpj_json_put_key(w, "location");
		cpj_json_object_begin(w);
		put(w, "type", &a[i].location.type);
		cpj_json_put_key(w, "s3Location");
		cpj_json_object_begin(w);
		put(w, "bucketName", &a[i].location.s3_location.bucket_name);
		put(w, "objectKey", &a[i].location.s3_location.object_key);
		cpj_json_object_end(w);
		cpj_json_object_end(w);
		cpj_json_object_end(w);
	}
	cpj_json_array_end(w);
}

/* Everything the parse produced, as JSON in the model's shape. */
static int
dump(int mode, int rc, char *out, size_t cap)
{
	cpj_buf b;
	cpj_json_writer w;
	int i;
	size_t k;

	cpj_buf_init(&b, out, cap);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	cpj_json_put_key(&w, "rc");
	cpj_json_put_i64(&w, rc);
	cpj_json_put_key(&w, "jobs");
	cpj_json_array_begin(&w);
	/* on an error, the jobs filled in before it */
	for (i = 0; i < (rc >= 0 ? rc : (int)P.count); i++) {
		const cpj_job *j = &jobs[i];
		const cpj_job_data *d = &j->data;

		cpj_json_object_begin(&w);
		cpj_json_put_key(&w, "err");
		cpj_json_put_i64(&w, j->err);
		cpj_json_put_key(&w, "flags");
		cpj_json_put_u64(&w, j->flags);
		if (j->err_field != NULL)
			cpj_json_put_key_str(&w, "errField", j->err_field);
		if (mode == CPJ_JOBS_THIRD_PARTY_POLL) {
			put(&w, "clientId", &j->client_id);
			put(&w, "jobId", &j->id);
			cpj_json_object_end(&w);
			continue;
		}
		put(&w, "id", &j->id);
		put(&w, "nonce", &j->nonce);
		put(&w, "accountId", &j->account_id);
		cpj_json_put_key(&w, "data");
		cpj_json_object_begin(&w);
		cpj_json_put_key(&w, "actionTypeId");
		cpj_json_object_begin(&w);
		put(&w, "category", &d->action_type_id.category);
		put(&w, "owner", &d->action_type_id.owner);
		put(&w, "provider", &d->action_type_id.provider);
		put(&w, "version", &d->action_type_id.version);
		cpj_json_object_end(&w);
		cpj_json_put_key(&w, "actionConfiguration");
		cpj_json_object_begin(&w);
		cpj_json_put_key(&w, "configuration");
		cpj_json_object_begin(&w);
		for (k = 0; k < d->configuration_count; k++)
			put(&w, d->configuration[k].key.p,
			    &d->configuration[k].value);
		cpj_json_object_end(&w);
		cpj_json_object_end(&w);
		cpj_json_put_key(&w, "pipelineContext");
		cpj_json_object_begin(&w);
		put(&w, "pipelineName", &d->pipeline_context.pipeline_name);
		cpj_json_put_key(&w, "stage");
		cpj_json_object_begin(&w);
		put(&w, "name", &d->pipeline_context.stage.name);
		cpj_json_object_end(&w);
		cpj_json_put_key(&w, "action");
		cpj_json_object_begin(&w);
		put(&w, "name", &d->pipeline_context.action.name);
		put(&w, "actionExecutionId",
		    &d->pipeline_context.action.action_execution_id);
		cpj_json_object_end(&w);
		put(&w, "pipelineArn", &d->pipeline_context.pipeline_arn);
		put(&w, "pipelineExecutionId",
		    &d->pipeline_context.pipeline_execution_id);
		cpj_json_object_end(&w);
		dump_artifacts(&w, "inputArtifacts", d->input_artifacts,
		    d->input_artifacts_count);
		dump_artifacts(&w, "outputArtifacts", d->output_artifacts,
		    d->output_artifacts_count);
		cpj_json_put_key(&w, "artifactCredentials");
		cpj_json_object_begin(&w);
		put(&w, "accessKeyId", &d->artifact_credentials.access_key_id);
		put(&w, "secretAccessKey",
		    &d->artifact_credentials.secret_access_key);
		put(&w, "sessionToken", &d->artifact_credentials.session_token);
		cpj_json_object_end(&w);
		put(&w, "continuationToken", &d->continuation_token);
		cpj_json_put_key(&w, "encryptionKey");
		cpj_json_object_begin(&w);
		put(&w, "id", &d->encryption_key.id);
		put(&w, "type", &d->encryption_key.type);
		cpj_json_object_end(&w);
		cpj_json_object_end(&w);
		cpj_json_object_end(&w);
	}
	cpj_json_array_end(&w);
	cpj_json_object_end(&w);
	return cpj_json_writer_finish(&w);
}

static int
all_zero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != 0)
			return 0;
	}
	return 1;
}

/* ---- tests ------------------------------------------------------------ */

/* Every member of the first job of the maximal example, and a few of the second. */
static int
example_all_members(void)
{
	const cpj_job *j;
	const cpj_job_data *d;

	CHECK_EQ(load("poll_response_example.json"), 0);
	CHECK_EQ(parse(CPJ_JOBS_POLL, 0), 2);
	j = &jobs[0];
	d = &j->data;
	CHECK_EQ(j->err, 0);
	CHECK(j->err_field == NULL);
	CHECK(eq(&j->id, "cc0caa24-587f-4fa9-ab4f-2109e030876f"));
	CHECK(eq(&j->nonce, "7"));
	CHECK(eq(&j->account_id, "123456789012"));
	CHECK(eq(&j->client_id, ""));
	CHECK_EQ(j->flags, CPJ_JOB_F_DATA | CPJ_JOB_F_ACTION_TYPE_ID
	    | CPJ_JOB_F_ACTION_CONFIGURATION | CPJ_JOB_F_PIPELINE_CONTEXT
	    | CPJ_JOB_F_INPUT_ARTIFACTS | CPJ_JOB_F_OUTPUT_ARTIFACTS
	    | CPJ_JOB_F_ARTIFACT_CREDENTIALS | CPJ_JOB_F_ENCRYPTION_KEY);
	CHECK(eq(&d->action_type_id.category, "Deploy"));
	CHECK(eq(&d->action_type_id.owner, "Custom"));
	CHECK(eq(&d->action_type_id.provider, "EdgeFleetDeploy"));
	CHECK(eq(&d->action_type_id.version, "1"));
	CHECK_EQ(d->configuration_count, 6);
	CHECK(eq(&d->configuration[0].key, "Fleet"));
	CHECK(eq(&d->configuration[0].value, "line-a"));
	CHECK(eq(&d->configuration[1].key, "PackageName"));
	CHECK(eq(&d->configuration[1].value, "edge-agent"));
	CHECK(eq(&d->configuration[2].key, "TargetVersion"));
	CHECK(eq(&d->configuration[2].value, "4.2.1"));
	CHECK(eq(&d->configuration[3].key, "Parallelism"));
	CHECK(eq(&d->configuration[3].value, "4"));
	CHECK(eq(&d->configuration[4].key, "ApiToken"));
	CHECK(eq(&d->configuration[4].value, "tok_5f1c9e2a7b3d4c8e"));
	CHECK(eq(&d->configuration[5].key, "Notes"));
	CHECK(eq(&d->configuration[5].value,
	    "Rollout \"canary\" \xe2\x86\x92 then full; path C:\\edge\\agent"));
	CHECK(eq(&d->pipeline_context.pipeline_name, "edge-fleet-deploy"));
	CHECK(eq(&d->pipeline_context.stage.name, "Deploy"));
	CHECK(eq(&d->pipeline_context.action.name, "FleetDeployCanary"));
	CHECK(eq(&d->pipeline_context.action.action_execution_id,
	    "2ae48fe6-9fde-4eed-9312-9ae3e5db5369"));
	CHECK(eq(&d->pipeline_context.pipeline_arn,
	    "arn:aws:codepipeline:us-east-1:123456789012:edge-fleet-deploy"));
	CHECK(eq(&d->pipeline_context.pipeline_execution_id,
	    "020a9bb4-7896-4099-8218-b02c73af8f0e"));
	CHECK_EQ(d->input_artifacts_count, 2);
	CHECK(eq(&d->input_artifacts[0].name, "SourceArtifact"));
	CHECK(eq(&d->input_artifacts[0].revision,
	    "3b8f1c2e9d7a4b6c8e0f1a2b3c4d5e6f7a8b9c0d"));
	CHECK(eq(&d->input_artifacts[0].location.type, "S3"));
	CHECK(eq(&d->input_artifacts[0].location.s3_location.bucket_name,
	    "codepipeline-us-east-1-615234567890"));
	CHECK(eq(&d->input_artifacts[0].location.s3_location.object_key,
	    "edge-fleet-deploy/SourceArti/MgFygWc"));
	CHECK(eq(&d->input_artifacts[1].name, "BuildOutput"));
	CHECK(eq(&d->input_artifacts[1].revision,
	    "Kq3sN8vYw2Lr6TzXb1Pj5Dh9Fm0Gc4Ua"));
	CHECK(eq(&d->input_artifacts[1].location.s3_location.object_key,
	    "edge-fleet-deploy/BuildOutpu/8RVr2RK"));
	CHECK_EQ(d->output_artifacts_count, 2);
	CHECK(eq(&d->output_artifacts[0].name, "DeployReport"));
	CHECK(eq(&d->output_artifacts[0].revision,
	    "0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
	CHECK(eq(&d->output_artifacts[0].location.type, "S3"));
	CHECK(eq(&d->output_artifacts[0].location.s3_location.bucket_name,
	    "codepipeline-us-east-1-615234567890"));
	CHECK(eq(&d->output_artifacts[1].name, "DeviceManifest"));
	CHECK(eq(&d->output_artifacts[1].location.s3_location.object_key,
	    "edge-fleet-deploy/DeviceMani/xWMuP68"));
	CHECK(eq(&d->artifact_credentials.access_key_id,
	    "ASIAOMV9EUS7L6S15RKG"));
	CHECK(eq(&d->artifact_credentials.secret_access_key,
	    "4vRG4e812vWLXOEbcDShlFWiT9r11+2nXyIakUYD"));
	CHECK_EQ(d->artifact_credentials.session_token.len, 953);
	CHECK(memcmp(d->artifact_credentials.session_token.p,
	    "IQoJb3JpZ2luX2VjEUaGaHxiceErsDZIiPZ8IPDqdQWdull60xR", 51) == 0);
	CHECK(memcmp(d->artifact_credentials.session_token.p + 953 - 8,
	    "yLiT+g==", 8) == 0);
	CHECK(eq(&d->continuation_token, "deploy-7f3a9c;phase=2;devices=12"));
	CHECK(eq(&d->encryption_key.id, "arn:aws:kms:us-east-1:123456789012:"
	    "key/1234abcd-12ab-34cd-56ef-1234567890ab"));
	CHECK(eq(&d->encryption_key.type, "KMS"));

	j = &jobs[1];
	d = &j->data;
	CHECK_EQ(j->err, 0);
	CHECK(eq(&j->id, "6dc06cfe-3248-49a5-afd9-092b8667779a"));
	CHECK(eq(&j->nonce, "12"));
	CHECK_EQ(d->input_artifacts_count, 3);
	CHECK(eq(&d->input_artifacts[2].name, "SigningKeys"));
	CHECK(eq(&d->pipeline_context.stage.name, "Production"));
	CHECK(eq(&d->configuration[5].value,
	    "Scheduled window 02:00-04:00 UTC"));
	CHECK(eq(&d->continuation_token, "deploy-b41e07;phase=1;devices=480"));
	/* the window held credentials: wiped after each job */
	CHECK(all_zero(win, sizeof win));
	return 0;
}

static const struct sample {
	const char *file;
	int mode;
	int jobs;
} samples[] = {
	{ "poll_response_example.json", CPJ_JOBS_POLL, 2 },
	{ "poll_no_jobs.json", CPJ_JOBS_POLL, 0 },
	{ "poll_jobs_absent.json", CPJ_JOBS_POLL, 0 },
	{ "poll_jobs_null.json", CPJ_JOBS_POLL, 0 },
	{ "poll_unknown_members.json", CPJ_JOBS_POLL, 2 },
	{ "poll_unicode.json", CPJ_JOBS_POLL, 1 },
	{ "get_job_details.json", CPJ_JOBS_DETAILS, 1 },
	{ "get_third_party_job_details.json", CPJ_JOBS_DETAILS, 1 },
	{ "poll_third_party.json", CPJ_JOBS_THIRD_PARTY_POLL, 2 },
};

/* Each sample at chunk sizes 1, 7, 4096 and whole: identical results. */
static int
chunking_identical(void)
{
	static const size_t chunks[] = { 1, 7, 4096, 0 };
	size_t s, c;

	for (s = 0; s < CPJ_ARRAY_LEN(samples); s++) {
		int r;

		CHECK_EQ(load(samples[s].file), 0);
		r = parse(samples[s].mode, 0);
		if (r != samples[s].jobs)
			fprintf(stderr, "%s: %d\n", samples[s].file, r);
		CHECK_EQ(r, samples[s].jobs);
		CHECK_EQ(dump(samples[s].mode, r, dump_a, sizeof dump_a), 0);
		for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
			int i;

			CHECK_EQ(parse(samples[s].mode, chunks[c]), r);
			for (i = 0; i < r; i++)
				CHECK_EQ(jobs[i].err, 0);
			CHECK_EQ(dump(samples[s].mode, r, dump_b, sizeof dump_b),
			    0);
			CHECK(strcmp(dump_a, dump_b) == 0);
		}
	}
	return 0;
}

static int
no_jobs(void)
{
	static const char *const bodies[] = {
		"{\"jobs\":[]}", "{}", " {\"jobs\" : null } \n",
		"{\"other\":{\"jobs\":[{\"id\":\"x\"}]}}",
		"{\"jobs\":[],\"jobDetails\":{\"id\":\"x\"}}",
	};
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(bodies); i++) {
		set_body(bodies[i]);
		CHECK_EQ(parse(CPJ_JOBS_POLL, 1), 0);
		CHECK_EQ(parse(CPJ_JOBS_POLL, 0), 0);
	}
	set_body("{\"jobDetails\":null}");
	CHECK_EQ(parse(CPJ_JOBS_DETAILS, 0), 0);
	set_body("{}");
	CHECK_EQ(parse(CPJ_JOBS_DETAILS, 0), 0);
	return 0;
}

static int
unicode_escapes(void)
{
	const cpj_job_data *d;

	CHECK_EQ(load("poll_unicode.json"), 0);
	CHECK_EQ(parse(CPJ_JOBS_POLL, 3), 1);
	CHECK_EQ(jobs[0].err, 0);
	d = &jobs[0].data;
	/* escaped member names are matched after decoding */
	CHECK(eq(&jobs[0].id, "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"));
	CHECK(eq(&jobs[0].nonce, "77"));
	CHECK_EQ(d->configuration_count, 6);
	CHECK(eq(&d->configuration[0].key, "Caf\xc3\xa9"));
	CHECK(eq(&d->configuration[0].value, "na\xc3\xafve \xc3\xa9t\xc3\xa9"));
	/* surrogate pairs, upper- and lower-case hex */
	CHECK(eq(&d->configuration[1].value,
	    "\xf0\x9f\x98\x80 and \xf0\x9f\x8e\x89"));
	/* raw UTF-8 passes through */
	CHECK(eq(&d->configuration[2].value,
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"));
	CHECK(eq(&d->configuration[3].value,
	    "q\" b\\ s/ \b\f\n\r\t end"));
	CHECK(eq(&d->configuration[4].value, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"));
	CHECK(eq(&d->configuration[5].value, "\x01\x1f\x7f"));
	CHECK(eq(&d->pipeline_context.pipeline_name, "pipe"));
	CHECK(eq(&d->pipeline_context.stage.name, "St\xc3\xa4ge"));
	CHECK(eq(&d->pipeline_context.action.action_execution_id, "ab"));
	CHECK(eq(&d->input_artifacts[0].location.s3_location.object_key,
	    "dir/\xc3\xbc" "ber \xf0\x90\x90\xb7.zip"));
	return 0;
}

static int
unknown_members_skipped(void)
{
	const cpj_job_data *d;

	CHECK_EQ(load("poll_unknown_members.json"), 0);
	CHECK_EQ(parse(CPJ_JOBS_POLL, 0), 2);
	CHECK_EQ(jobs[0].err, 0);
	d = &jobs[0].data;
	/* the nested "id" of futureStruct and of nextToken are not the job id */
	CHECK(eq(&jobs[0].id, "4b0e1a3c-2d5f-4a6b-8c7d-9e0f1a2b3c4d"));
	CHECK(eq(&jobs[0].nonce, "42"));
	CHECK(eq(&jobs[0].account_id, "123456789012"));
	/* unknown enum values are kept as text */
	CHECK(eq(&d->action_type_id.category, "Quantum"));
	CHECK(eq(&d->action_type_id.version, "7"));
	CHECK(eq(&d->input_artifacts[0].location.type, "S4"));
	CHECK(eq(&d->encryption_key.type, "KMS2"));
	CHECK(eq(&d->encryption_key.id, "alias/x"));
	CHECK_EQ(d->configuration_count, 2);
	CHECK(eq(&d->configuration[0].key, "Fleet"));
	CHECK(eq(&d->configuration[1].key, "Empty"));
	CHECK(eq(&d->configuration[1].value, ""));
	CHECK(eq(&d->pipeline_context.stage.name, "Deploy"));
	CHECK(eq(&d->pipeline_context.action.action_execution_id, "ae-1"));
	CHECK_EQ(d->input_artifacts_count, 1);
	CHECK(eq(&d->input_artifacts[0].revision, ""));
	CHECK(eq(&d->input_artifacts[0].location.s3_location.object_key,
	    "k/1"));
	CHECK_EQ(d->output_artifacts_count, 0);
	/* null members are absent */
	CHECK((jobs[0].flags & CPJ_JOB_F_ARTIFACT_CREDENTIALS) == 0);
	CHECK(jobs[0].flags & CPJ_JOB_F_OUTPUT_ARTIFACTS);
	CHECK(eq(&d->continuation_token, ""));
	CHECK(eq(&d->artifact_credentials.session_token, ""));
	CHECK(eq(&jobs[1].id, "5c1f2b4d-3e60-4b7c-9d8e-0f1a2b3c4d5e"));
	CHECK_EQ(jobs[1].flags, CPJ_JOB_F_DATA);
	CHECK_EQ(jobs[1].data.configuration_count, 0);
	/* presence: absent and null are not present, "" is */
	CHECK(d->configuration_present);
	CHECK(d->pipeline_context.stage_present);
	CHECK(d->pipeline_context.action_present);
	CHECK(d->input_artifacts[0].location.present);
	CHECK(d->input_artifacts[0].location.s3_location_present);
	CHECK(cpj_job_str_present(&d->input_artifacts[0].name));
	CHECK(!cpj_job_str_present(&d->input_artifacts[0].revision));
	CHECK(!cpj_job_str_present(&d->configuration[1].value));
	CHECK(!cpj_job_str_present(&d->continuation_token));
	CHECK(!cpj_job_str_present(&jobs[1].account_id));
	CHECK(!jobs[1].data.configuration_present);
	CHECK(!jobs[1].data.pipeline_context.stage_present);
	set_body("{\"jobs\":[{\"id\":\"\",\"data\":{\"pipelineContext\":"
	    "{\"stage\":{},\"action\":null},\"inputArtifacts\":[{}],"
	    "\"actionConfiguration\":{\"configuration\":{}}}}]}");
	CHECK_EQ(parse(CPJ_JOBS_POLL, 1), 1);
	CHECK_EQ(jobs[0].err, 0);
	CHECK(cpj_job_str_present(&jobs[0].id));
	CHECK(eq(&jobs[0].id, ""));
	CHECK(!cpj_job_str_present(&jobs[0].nonce));
	CHECK(jobs[0].data.pipeline_context.stage_present);
	CHECK(!jobs[0].data.pipeline_context.action_present);
	CHECK(jobs[0].data.configuration_present);
	CHECK_EQ(jobs[0].data.input_artifacts_count, 1);
	CHECK(!jobs[0].data.input_artifacts[0].location.present);
	return 0;
}

static int
modes_details_and_third_party(void)
{
	CHECK_EQ(load("get_job_details.json"), 0);
	CHECK_EQ(parse(CPJ_JOBS_DETAILS, 5), 1);
	CHECK_EQ(jobs[0].err, 0);
	CHECK(eq(&jobs[0].id, "cc0caa24-587f-4fa9-ab4f-2109e030876f"));
	CHECK(eq(&jobs[0].account_id, "123456789012"));
	CHECK(eq(&jobs[0].nonce, ""));
	CHECK(eq(&jobs[0].data.artifact_credentials.access_key_id,
	    "ASIAOMV9EUS7L6S15RKG"));
	/* the same body read as a poll response has no jobs */
	CHECK_EQ(parse(CPJ_JOBS_POLL, 0), 0);

	CHECK_EQ(load("get_third_party_job_details.json"), 0);
	CHECK_EQ(parse(CPJ_JOBS_DETAILS, 0), 1);
	CHECK(eq(&jobs[0].id, "tp-job/0001 \xc3\xa9t\xc3\xa9"));
	CHECK(eq(&jobs[0].nonce, "3"));
	CHECK(eq(&jobs[0].account_id, ""));
	CHECK(eq(&jobs[0].data.pipeline_context.pipeline_arn, ""));
	CHECK(eq(&jobs[0].data.pipeline_context.stage.name, "Production"));

	CHECK_EQ(load("poll_third_party.json"), 0);
	CHECK_EQ(parse(CPJ_JOBS_THIRD_PARTY_POLL, 1), 2);
	CHECK(eq(&jobs[0].client_id, "6f4a2b1c-9d8e-4f70-a1b2-c3d4e5f60718"));
	CHECK(eq(&jobs[0].id, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"));
	CHECK(eq(&jobs[1].client_id, "7a5b3c2d-0e9f-4081-b2c3-d4e5f6071829"));
	CHECK(eq(&jobs[1].id, "1c2d3e4f-5061-4728-93a4-b5c6d7e8f90a"));
	CHECK_EQ(jobs[1].flags, 0);
	return 0;
}

/* Build {"jobs":[<big job>,<small job>]} with a string of n bytes. */
static size_t
big_body(char *b, size_t cap, size_t n, int id_first)
{
	static const char small[] =
	    ",{\"id\":\"22222222-2222-4222-8222-222222222222\",\"nonce\":\"2\"}]}";
	size_t len = 0;

	len += (size_t)snprintf(b, cap, "{\"jobs\":[{%s\"data\":{\"continuationToken\":\"",
	    id_first ? "\"id\":\"11111111-1111-4111-8111-111111111111\"," : "");
	if (len + n + 200 > cap)
		return 0;
	memset(b + len, 'x', n);
	len += n;
	len += (size_t)snprintf(b + len, cap - len, "\"}%s}%s",
	    id_first ? "" : ",\"id\":\"11111111-1111-4111-8111-111111111111\"",
	    small);
	return len;
}

static int
too_large_window(void)
{
	static char b[BODY_MAX];
	static const size_t chunks[] = { 1, 7, 4096, 0 };
	size_t len, c;
	int id_first;

	for (id_first = 0; id_first < 2; id_first++) {
		len = big_body(b, sizeof b, 3000, id_first);
		CHECK(len > 0);
		for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
			/* a 2 KiB window: the first job does not fit */
			CHECK_EQ(parse_ex(CPJ_JOBS_POLL, b, len, chunks[c], NJOBS,
			    CPJ_JSON_TOKENS_MAX, sizeof store, 2048), 2);
			CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
			CHECK(strcmp(jobs[0].err_field, "window") == 0);
			CHECK(eq(&jobs[0].id,
			    "11111111-1111-4111-8111-111111111111"));
			CHECK(eq(&jobs[0].data.continuation_token, ""));
			CHECK_EQ(jobs[0].flags & CPJ_JOB_F_RESPONSE_FAILED, 0);
			/* parsing went on with the next job */
			CHECK_EQ(jobs[1].err, 0);
			CHECK(eq(&jobs[1].id,
			    "22222222-2222-4222-8222-222222222222"));
			CHECK(eq(&jobs[1].nonce, "2"));
			CHECK(all_zero(win, 2048));
		}
		/* with the default window the same body is fine */
		CHECK_EQ(parse_ex(CPJ_JOBS_POLL, b, len, 0, NJOBS,
		    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win), 2);
		CHECK_EQ(jobs[0].err, 0);
		CHECK_EQ(jobs[0].data.continuation_token.len, 3000);
	}
	/* no id in the job: reported without one */
	set_body("{\"jobs\":[{\"nonce\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]}");
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, 0, NJOBS,
	    CPJ_JSON_TOKENS_MAX, sizeof store, 16), 1);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK_EQ(jobs[0].id.len, 0);
	CHECK(jobs[0].id.p != NULL);
	/* an escaped id is decoded; an id that is not a string is not kept */
	set_body("{\"jobs\":[{\"\\u0069d\":\"a\\u002db\",\"nonce\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},"
	    "{\"id\":5,\"nonce\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]}");
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, 1, NJOBS,
	    CPJ_JSON_TOKENS_MAX, sizeof store, 32), 2);
	CHECK(eq(&jobs[0].id, "a-b"));
	CHECK_EQ(jobs[1].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK_EQ(jobs[1].id.len, 0);
	return 0;
}

static int
too_large_tokens_and_storage(void)
{
	CHECK_EQ(load("poll_response_example.json"), 0);
	/* 40 tokens cannot hold a job of the example */
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, 7, NJOBS, 40, sizeof store,
	    sizeof win), 2);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(strcmp(jobs[0].err_field, "tokens") == 0);
	CHECK(eq(&jobs[0].id, "cc0caa24-587f-4fa9-ab4f-2109e030876f"));
	CHECK(eq(&jobs[1].id, "6dc06cfe-3248-49a5-afd9-092b8667779a"));
	/* 1000 bytes of storage for the first job (and the reserve of the
	 * other slots): the session token does not fit */
	memset(store, 0, sizeof store);
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, 0, NJOBS,
	    CPJ_JSON_TOKENS_MAX, 1000 + (NJOBS - 1) * CPJ_JOBS_RESERVE,
	    sizeof win), 2);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK_EQ(jobs[0].store_cap, 1000);
	CHECK(strcmp(jobs[0].err_field,
	    "data.artifactCredentials.sessionToken") == 0);
	CHECK(eq(&jobs[0].id, "cc0caa24-587f-4fa9-ab4f-2109e030876f"));
	CHECK(eq(&jobs[0].data.artifact_credentials.access_key_id, ""));
	/* the failed job's storage was wiped but for its id and nonce; the
	 * next job (failed too) took what it left */
	CHECK(eq(&jobs[0].nonce, "7"));
	CHECK(jobs[0].nonce.p == store + 37);
	CHECK_EQ(jobs[0].store_used, 39);
	CHECK_EQ(jobs[1].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(jobs[1].store == store + 39);
	CHECK(eq(&jobs[1].id, "6dc06cfe-3248-49a5-afd9-092b8667779a"));
	CHECK(all_zero(jobs[1].store + jobs[1].store_used,
	    sizeof store - 39 - jobs[1].store_used));
	CHECK_EQ(jobs[1].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	return 0;
}

/*
 * Long strings (the session tokens) wait at the end of the token array
 * while their job streams in; with just the tokens a job needs they go
 * back into the window, and the jobs read the same at every chunk size.
 * Then the window and the token array hold no byte of a token.
 */
static int
long_strings_and_few_tokens(void)
{
	static const size_t chunks[] = { 1, 7, 4096, 0 };
	unsigned need;
	size_t c;
	int r, k;

	CHECK_EQ(load("poll_response_example.json"), 0);
	/* the tokens of the larger job, by jsmn over the whole body */
	r = cpj_json_parse(body, body_len, toks, CPJ_JSON_TOKENS_MAX);
	CHECK(r > 0);
	k = cpj_json_member(body, toks, r, 0, "jobs");
	CHECK(k > 0 && toks[k].type == CPJ_JSON_ARRAY && toks[k].size == 2);
	need = (unsigned)(cpj_json_next(toks, r, k + 1) - (k + 1));
	k = cpj_json_next(toks, r, k + 1);
	if ((unsigned)(cpj_json_next(toks, r, k) - k) > need)
		need = (unsigned)(cpj_json_next(toks, r, k) - k);
	printf("# the example's jobs need %u tokens\n", need);
	CHECK_EQ(parse(CPJ_JOBS_POLL, 0), 2);
	CHECK_EQ(dump(CPJ_JOBS_POLL, 2, dump_a, sizeof dump_a), 0);
	CHECK(jobs[0].data.artifact_credentials.session_token.len > 800);
	/* so a moved session token and the tokens never fit side by side */
	for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
		memset(toks, 0x5a, sizeof toks);
		CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, chunks[c],
		    NJOBS, need, sizeof store, sizeof win), 2);
		CHECK_EQ(dump(CPJ_JOBS_POLL, 2, dump_b, sizeof dump_b), 0);
		CHECK(strcmp(dump_a, dump_b) == 0);
		CHECK(!h_contains(win, sizeof win, "IQoJb3JpZ2luX2Vj"));
		CHECK(!h_contains(toks, sizeof toks, "IQoJb3JpZ2luX2Vj"));
		CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, chunks[c],
		    NJOBS, need - 1, sizeof store, sizeof win), 2);
		k = jobs[0].err != 0 ? 0 : 1;
		CHECK_EQ(jobs[k].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
		CHECK(strcmp(jobs[k].err_field, "tokens") == 0);
	}
	memset(toks, 0x5a, sizeof toks);
	CHECK_EQ(parse(CPJ_JOBS_POLL, 7), 2);
	CHECK(!h_contains(toks, sizeof toks, "IQoJb3JpZ2luX2Vj"));
	CHECK(!h_contains(win, sizeof win, "IQoJb3JpZ2luX2Vj"));
	return 0;
}

/*
 * The window's limit is the job's JSON, long strings or not: a job of
 * exactly the window's size is read, one byte more is too large.
 */
static int
long_strings_window_exact(void)
{
	static char b[BODY_MAX];
	static const size_t chunks[] = { 1, 7, 0 };
	size_t len, job, c, extra;

	for (extra = 0; extra < 2; extra++) {
		len = big_body(b, sizeof b, 3000 + extra, 1);
		CHECK(len > 0);
		/* the first job: from its '{' to its '}' */
		job = (size_t)(strstr(b, "}},{") + 2 - strchr(b, '['))
		    - 1;
		for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
			CHECK_EQ(parse_ex(CPJ_JOBS_POLL, b, len, chunks[c],
			    NJOBS, CPJ_JSON_TOKENS_MAX, sizeof store,
			    job - extra), 2);
			if (extra == 0) {
				CHECK_EQ(jobs[0].err, 0);
				CHECK_EQ(jobs[0].data.continuation_token.len,
				    3000);
			} else {
				CHECK_EQ(jobs[0].err,
				    CPJ_ERR_JSON_JOB_TOO_LARGE);
				CHECK(strcmp(jobs[0].err_field, "window") == 0);
			}
			CHECK_EQ(jobs[1].err, 0);
		}
	}
	return 0;
}

static int
limits_name_the_field(void)
{
	char b[4096];
	cpj_buf bb;
	int i;

	/* one configuration entry more than CPJ_JOB_CONFIG_MAX */
	cpj_buf_init(&bb, b, sizeof b);
	cpj_buf_puts(&bb, "{\"jobs\":[{\"id\":\"j1\",\"data\":{\"actionConfiguration\":{\"configuration\":{");
	for (i = 0; i <= CPJ_JOB_CONFIG_MAX; i++) {
		cpj_buf_puts(&bb, i ? ",\"k" : "\"k");
		cpj_buf_put_u64(&bb, (uint64_t)i);
		cpj_buf_puts(&bb, "\":\"v\"");
	}
	cpj_buf_puts(&bb, "}}}}]}");
	CHECK_EQ(cpj_buf_ok(&bb), 0);
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, b, bb.len, 0, NJOBS,
	    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win), 1);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(strcmp(jobs[0].err_field,
	    "data.actionConfiguration.configuration") == 0);
	CHECK(eq(&jobs[0].id, "j1"));
	/* exactly the limit, with a repeated key: fine, the last value wins */
	cpj_buf_init(&bb, b, sizeof b);
	cpj_buf_puts(&bb, "{\"jobs\":[{\"id\":\"j1\",\"data\":{\"actionConfiguration\":{\"configuration\":{");
	for (i = 0; i < CPJ_JOB_CONFIG_MAX; i++) {
		cpj_buf_puts(&bb, i ? ",\"k" : "\"k");
		cpj_buf_put_u64(&bb, (uint64_t)i);
		cpj_buf_puts(&bb, "\":\"v\"");
	}
	cpj_buf_puts(&bb, ",\"k0\":\"last\"}}}}]}");
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, b, bb.len, 0, NJOBS,
	    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win), 1);
	CHECK_EQ(jobs[0].err, 0);
	CHECK_EQ(jobs[0].data.configuration_count, CPJ_JOB_CONFIG_MAX);
	CHECK(eq(&jobs[0].data.configuration[0].value, "last"));
	/* one output artifact more than CPJ_JOB_ARTIFACTS_MAX */
	cpj_buf_init(&bb, b, sizeof b);
	cpj_buf_puts(&bb, "{\"jobs\":[{\"id\":\"j2\",\"data\":{\"outputArtifacts\":[");
	for (i = 0; i <= CPJ_JOB_ARTIFACTS_MAX; i++)
		cpj_buf_puts(&bb, i ? ",{\"name\":\"a\"}" : "{\"name\":\"a\"}");
	cpj_buf_puts(&bb, "]}}]}");
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, b, bb.len, 0, NJOBS,
	    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win), 1);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(strcmp(jobs[0].err_field, "data.outputArtifacts") == 0);
	CHECK(eq(&jobs[0].id, "j2"));
	return 0;
}

/* Valid JSON with members of the wrong type: that job fails, with its id. */
static int
per_job_type_and_escape_errors(void)
{
	static const struct {
		const char *job;
		int err;
		const char *field;
	} cases[] = {
		{ "{\"id\":\"J\",\"nonce\":5}", CPJ_ERR_JSON_TYPE, "nonce" },
		{ "{\"id\":\"J\",\"data\":\"x\"}", CPJ_ERR_JSON_TYPE, "data" },
		{ "{\"id\":\"J\",\"data\":{\"inputArtifacts\":{}}}",
		    CPJ_ERR_JSON_TYPE, "data.inputArtifacts" },
		{ "{\"id\":\"J\",\"data\":{\"inputArtifacts\":[null]}}",
		    CPJ_ERR_JSON_TYPE, "data.inputArtifacts" },
		{ "{\"id\":\"J\",\"data\":{\"inputArtifacts\":[{\"location\":{\"s3Location\":{\"objectKey\":[]}}}]}}",
		    CPJ_ERR_JSON_TYPE,
		    "data.inputArtifacts[].location.s3Location.objectKey" },
		{ "{\"id\":\"J\",\"data\":{\"actionConfiguration\":{\"configuration\":{\"k\":1}}}}",
		    CPJ_ERR_JSON_TYPE, "data.actionConfiguration.configuration" },
		{ "{\"id\":\"J\",\"data\":{\"actionConfiguration\":{\"configuration\":{\"k\":\"a\\ud800\"}}}}",
		    CPJ_ERR_JSON_ESCAPE, "data.actionConfiguration.configuration" },
		{ "{\"data\":{\"pipelineContext\":{\"stage\":{\"name\":\"\\udc00x\"}}},\"id\":\"J\"}",
		    CPJ_ERR_JSON_ESCAPE, "data.pipelineContext.stage.name" },
		/* (\u0000 is kept: test_jobs_fail.c) */
		{ "{\"id\":\"J\",\"data\":{\"encryptionKey\":{\"id\":\"a\\udbffb\"}}}",
		    CPJ_ERR_JSON_ESCAPE, "data.encryptionKey.id" },
		{ "{\"id\":\"J\",\"data\":{\"artifactCredentials\":true}}",
		    CPJ_ERR_JSON_TYPE, "data.artifactCredentials" },
	};
	char b[1024];
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		int n = snprintf(b, sizeof b,
		    "{\"jobs\":[%s,{\"id\":\"K\"}]}", cases[i].job);

		CHECK_EQ(parse_ex(CPJ_JOBS_POLL, b, (size_t)n, 1, NJOBS,
		    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win), 2);
		if (jobs[0].err != cases[i].err)
			fprintf(stderr, "case %zu\n", i);
		CHECK_EQ(jobs[0].err, cases[i].err);
		CHECK(strcmp(jobs[0].err_field, cases[i].field) == 0);
		CHECK(eq(&jobs[0].id, "J"));
		CHECK((jobs[0].flags & CPJ_JOB_F_DATA) == 0);
		CHECK_EQ(jobs[1].err, 0);
		CHECK(eq(&jobs[1].id, "K"));
	}
	return 0;
}

/* Every strict prefix of a body fails; the whole body succeeds. */
static int
truncated_never_succeeds(void)
{
	static const char *const files[] = {
		"poll_response_example.json", "poll_unknown_members.json",
		"poll_unicode.json", "get_job_details.json",
	};
	size_t f, cut, last;

	for (f = 0; f < CPJ_ARRAY_LEN(files); f++) {
		int mode = f == 3 ? CPJ_JOBS_DETAILS : CPJ_JOBS_POLL;

		CHECK_EQ(load(files[f]), 0);
		last = body_len;
		while (last > 0 && body[last - 1] != '}')
			last--;
		for (cut = 0; cut < body_len; cut++) {
			int r = parse_ex(mode, body, cut, cut % 3 == 0 ? 1 : 0,
			    NJOBS, CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win);

			if (cut < last) {
				int i;

				if (r >= 0)
					fprintf(stderr, "%s cut %zu: %d\n",
					    files[f], cut, r);
				CHECK(r < 0);
				CHECK(r == CPJ_ERR_JSON_TRUNCATED
				    || r == CPJ_ERR_JSON_INVALID);
				for (i = 0; i < (int)P.count; i++)
					CHECK(jobs[i].flags
					    & CPJ_JOB_F_RESPONSE_FAILED);
			} else {
				CHECK(r >= 0);
			}
		}
	}
	set_body("");
	CHECK_EQ(parse(CPJ_JOBS_POLL, 0), CPJ_ERR_JSON_TRUNCATED);
	set_body(" \r\n\t");
	CHECK_EQ(parse(CPJ_JOBS_POLL, 1), CPJ_ERR_JSON_TRUNCATED);
	return 0;
}

static const struct bad {
	const char *body;
	int err;
} bad_bodies[] = {
	/* inside a job */
	{ "{\"jobs\":[{\"id\":\"a\",}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\" \"a\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\" \"b\":1}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":'a'}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{id:\"a\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\\x\"}]}", CPJ_ERR_JSON_ESCAPE },
	{ "{\"jobs\":[{\"id\":\"\\u12G4\"}]}", CPJ_ERR_JSON_ESCAPE },
	{ "{\"jobs\":[{\"id\":\"\\u12\"}]}", CPJ_ERR_JSON_ESCAPE },
	{ "{\"jobs\":[{\"n\":01}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":1.}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":.5}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":-}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":1e}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":1e+}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":+1}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":0x1}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":tru}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":nul}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":True}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":NaN}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"n\":truex}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\tb\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\nb\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"\xc0\x80\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"\xed\xa0\x80\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"\xf5\x80\x80\x80\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"\xf4\x90\x80\x80\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"\xe2\x82\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"\x80\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"\xff\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\"]}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"a\":[1,]}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"a\":[,1]}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"a\":[1 2]}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"a\":{\"b\"}}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"a\":{\"b\":}}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"a\":{1:2}}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"a\":1}},{}]}", CPJ_ERR_JSON_INVALID },
	/* in the jobs array, outside the jobs */
	{ "{\"jobs\":[{\"id\":\"a\"},]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\"} {\"id\":\"b\"}]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\"}}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[]]", CPJ_ERR_JSON_INVALID },
	{ "{\"x\":[1,,2],\"jobs\":[]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[],\"x\":{\"a\"}}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[],}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[]\"x\":1}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\"::[]}", CPJ_ERR_JSON_INVALID },
	{ "{\"jo\\qbs\":[]}", CPJ_ERR_JSON_ESCAPE },
	{ "\xef\xbb\xbf{\"jobs\":[]}", CPJ_ERR_JSON_INVALID },
	/* trailing garbage */
	{ "{\"jobs\":[]}x", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[]}{}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[]} ,", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[]}}", CPJ_ERR_JSON_INVALID },
	{ "{\"jobs\":[{\"id\":\"a\"}]}\n\"more\"", CPJ_ERR_JSON_INVALID },
	/* the wrong shape */
	{ "[]", CPJ_ERR_JSON_TYPE },
	{ "[{\"id\":\"a\"}]", CPJ_ERR_JSON_TYPE },
	{ "\"jobs\"", CPJ_ERR_JSON_TYPE },
	{ "42", CPJ_ERR_JSON_TYPE },
	{ "null", CPJ_ERR_JSON_TYPE },
	{ "{\"jobs\":{}}", CPJ_ERR_JSON_TYPE },
	{ "{\"jobs\":\"x\"}", CPJ_ERR_JSON_TYPE },
	{ "{\"jobs\":7}", CPJ_ERR_JSON_TYPE },
	{ "{\"jobs\":[{\"id\":\"a\"},\"b\"]}", CPJ_ERR_JSON_TYPE },
	{ "{\"jobs\":[{\"id\":\"a\"},null]}", CPJ_ERR_JSON_TYPE },
	{ "{\"jobs\":[[]]}", CPJ_ERR_JSON_TYPE },
	{ "{\"jobs\":[],\"jobs\":[]}", CPJ_ERR_API_RESPONSE },
	{ "{\"jobs\":null,\"j\\u006fbs\":[]}", CPJ_ERR_API_RESPONSE },
};

static int
invalid_bodies_fail(void)
{
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(bad_bodies); i++) {
		static const size_t chunks[] = { 1, 7, 0 };
		size_t c;
		size_t len = strlen(bad_bodies[i].body);

		/* "\xef..." etc. contain no NUL: strlen is the length */
		for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
			int r = parse_ex(CPJ_JOBS_POLL, bad_bodies[i].body, len,
			    chunks[c], NJOBS, CPJ_JSON_TOKENS_MAX, sizeof store,
			    sizeof win);
			int k;

			if (r != bad_bodies[i].err)
				fprintf(stderr, "case %zu (%s): %d\n", i,
				    bad_bodies[i].body, r);
			CHECK_EQ(r, bad_bodies[i].err);
			/* sticky */
			CHECK_EQ(cpj_jobs_parser_feed(&P, "{", 1), r);
			CHECK_EQ(cpj_jobs_parser_finish(&P), r);
			for (k = 0; k < (int)P.count; k++)
				CHECK(jobs[k].flags & CPJ_JOB_F_RESPONSE_FAILED);
		}
	}
	/* a NUL byte anywhere */
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, "{\"jobs\":[]}\0", 12, 0, NJOBS,
	    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win), CPJ_ERR_JSON_INVALID);
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, "{\"jobs\":[{\"id\":\"a\0\"}]}", 22, 0,
	    NJOBS, CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win),
	    CPJ_ERR_JSON_INVALID);
	return 0;
}

/* xorshift64: deterministic mutations */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Mutated bodies (bytes changed, inserted, deleted, cut) never crash and
 * give the same result, jobs included, whatever the chunking.
 */
static int
mutants_chunk_invariant(void)
{
	static const char *const files[] = {
		"poll_response_example.json", "poll_unknown_members.json",
		"poll_unicode.json", "poll_third_party.json",
	};
	static const char pool[] = "{}[]\",:\\u0 \nx-1e.tfn\x80\xc3\xed\x01";
	static char orig[BODY_MAX];
	size_t orig_len;
	int f, k, ok = 0, failed = 0;

	for (f = 0; f < (int)CPJ_ARRAY_LEN(files); f++) {
		int mode = f == 3 ? CPJ_JOBS_THIRD_PARTY_POLL : CPJ_JOBS_POLL;

		CHECK_EQ(load(files[f]), 0);
		memcpy(orig, body, body_len);
		orig_len = body_len;
		for (k = 0; k < 300; k++) {
			int edits = 1 + (int)(rng() % 3), e, r0;
			size_t chunk = 1 + (size_t)(rng() % 50);

			memcpy(body, orig, orig_len);
			body_len = orig_len;
			for (e = 0; e < edits; e++) {
				size_t at = (size_t)(rng() % body_len);
				char c = pool[rng() % (sizeof pool - 1)];

				switch (rng() % 4) {
				case 0:
					body[at] = c;
					break;
				case 1:
					memmove(body + at + 1, body + at,
					    body_len - at);
					body[at] = c;
					body_len++;
					break;
				case 2:
					memmove(body + at, body + at + 1,
					    body_len - at - 1);
					body_len--;
					break;
				default:
					body_len = at + 1;
					break;
				}
			}
			r0 = parse(mode, 0);
			CHECK_EQ(dump(mode, r0, dump_a, sizeof dump_a), 0);
			CHECK_EQ(parse(mode, 1), r0);
			CHECK_EQ(dump(mode, r0, dump_b, sizeof dump_b), 0);
			CHECK(strcmp(dump_a, dump_b) == 0);
			CHECK_EQ(parse(mode, chunk), r0);
			CHECK_EQ(dump(mode, r0, dump_b, sizeof dump_b), 0);
			CHECK(strcmp(dump_a, dump_b) == 0);
			if (r0 >= 0)
				ok++;
			else
				failed++;
		}
	}
	printf("# mutants: %d parsed, %d rejected\n", ok, failed);
	/* the mutations must exercise both outcomes */
	CHECK(ok > 0 && failed > 0);
	return 0;
}

/* Jobs read before the response turned out bad are flagged. */
static int
delivered_jobs_flagged(void)
{
	CHECK_EQ(load("poll_response_example.json"), 0);
	memcpy(body + body_len, " oops", 6);
	body_len += 5;
	CHECK_EQ(parse(CPJ_JOBS_POLL, 4096), CPJ_ERR_JSON_INVALID);
	CHECK_EQ(P.count, 2);
	CHECK_EQ(jobs[0].err, 0);
	CHECK(jobs[0].flags & CPJ_JOB_F_RESPONSE_FAILED);
	CHECK(jobs[1].flags & CPJ_JOB_F_RESPONSE_FAILED);
	/* more jobs than slots */
	CHECK_EQ(load("poll_response_example.json"), 0);
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, 0, 1,
	    CPJ_JSON_TOKENS_MAX, sizeof store, sizeof win), CPJ_ERR_NOSPACE);
	CHECK_EQ(P.count, 1);
	CHECK(jobs[0].flags & CPJ_JOB_F_RESPONSE_FAILED);
	CHECK(all_zero(win, sizeof win));
	return 0;
}

/* Feed `n` bytes of `c` in 64 KiB pieces. */
static int
feed_fill(char c, size_t n)
{
	static char buf[65536];
	int r = 0;

	memset(buf, c, sizeof buf);
	while (n > 0 && r == 0) {
		size_t k = n < sizeof buf ? n : sizeof buf;

		r = cpj_jobs_parser_feed(&P, buf, k);
		n -= k;
	}
	return r;
}

static int
feed_str(const char *s)
{
	return cpj_jobs_parser_feed(&P, s, strlen(s));
}

static int
init_default(int mode)
{
	return cpj_jobs_parser_init(&P, mode, win, sizeof win, toks,
	    CPJ_JSON_TOKENS_MAX, jobs, NJOBS, store, sizeof store);
}

static int
deep_nesting(void)
{
	/* 100,000 levels: inside a job, outside the jobs, in the details */
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\"jobs\":[{\"id\":\"a\",\"data\":"), 0);
	CHECK_EQ(feed_fill('[', 100000), CPJ_ERR_JSON_DEPTH);
	CHECK_EQ(feed_fill(']', 100000), CPJ_ERR_JSON_DEPTH);
	CHECK_EQ(cpj_jobs_parser_finish(&P), CPJ_ERR_JSON_DEPTH);
	CHECK(all_zero(win, sizeof win));

	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\"jobs\":[],\"x\":"), 0);
	CHECK_EQ(feed_fill('[', 100000), CPJ_ERR_JSON_DEPTH);
	CHECK_EQ(cpj_jobs_parser_finish(&P), CPJ_ERR_JSON_DEPTH);

	CHECK_EQ(init_default(CPJ_JOBS_DETAILS), 0);
	CHECK_EQ(feed_str("{\"jobDetails\":{\"a\":"), 0);
	CHECK_EQ(feed_fill('[', 100000), CPJ_ERR_JSON_DEPTH);

	/* exactly CPJ_JSON_DEPTH_MAX levels are fine */
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\"jobs\":[{\"id\":\"a\",\"x\":"), 0);
	CHECK_EQ(feed_fill('[', CPJ_JSON_DEPTH_MAX - 3), 0);
	CHECK_EQ(feed_fill(']', CPJ_JSON_DEPTH_MAX - 3), 0);
	CHECK_EQ(feed_str("}]}"), 0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), 1);
	CHECK_EQ(jobs[0].err, 0);
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\"jobs\":[{\"id\":\"a\",\"x\":"), 0);
	CHECK_EQ(feed_fill('[', CPJ_JSON_DEPTH_MAX - 2), CPJ_ERR_JSON_DEPTH);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
huge_string(void)
{
	double t0 = now_s(), dt;

	/* 8 MiB string in a job, id before it: the job is reported, not stored */
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\"jobs\":[{\"id\":\"33333333-3333-4333-8333-333333333333\","
	    "\"data\":{\"continuationToken\":\""), 0);
	CHECK_EQ(feed_fill('z', 8u << 20), 0);
	CHECK_EQ(P.win_len <= sizeof win, 1);
	CHECK_EQ(feed_str("\"}},{\"id\":\"44444444-4444-4444-8444-444444444444\"}]}"),
	    0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), 2);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(eq(&jobs[0].id, "33333333-3333-4333-8333-333333333333"));
	CHECK_EQ(jobs[1].err, 0);
	CHECK(eq(&jobs[1].id, "44444444-4444-4444-8444-444444444444"));
	CHECK(all_zero(win, sizeof win));

	/* id after it */
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\"jobs\":[{\"nonce\":\""), 0);
	CHECK_EQ(feed_fill('z', 8u << 20), 0);
	CHECK_EQ(feed_str("\",\"id\":\"55555555-5555-4555-8555-555555555555\"}]}"),
	    0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), 1);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(eq(&jobs[0].id, "55555555-5555-4555-8555-555555555555"));

	/* never closed: truncated, not a success */
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\"jobs\":[{\"id\":\"6\",\"nonce\":\""), 0);
	CHECK_EQ(feed_fill('z', 8u << 20), 0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), CPJ_ERR_JSON_TRUNCATED);
	CHECK(all_zero(win, sizeof win));

	/* 8 MiB as a top-level member name, outside the jobs */
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(feed_str("{\""), 0);
	CHECK_EQ(feed_fill('k', 8u << 20), 0);
	CHECK_EQ(feed_str("\":1,\"jobs\":[]}"), 0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), 0);
	dt = now_s() - t0;
	printf("# 4 x 8 MiB strings: %.3f s\n", dt);
	CHECK(dt < 20.0);
	return 0;
}

/* ---- pooled string storage ------------------------------------------- */

#define BIG_KEYS  10            /* configuration values of the large job */
#define BIG_VALUE 3000          /* bytes each: 30,000 in all */
#define POOL      40960         /* 5,120 bytes a slot, were it cut equally */

/* A poll of NJOBS jobs in body: the one at `big` has BIG_KEYS values of
 * BIG_VALUE bytes ('A', 'B', ...), the others one short value. */
static void
pool_body(int big)
{
	int k, i;

	body_len = (size_t)snprintf(body, sizeof body, "{\"jobs\":[");
	for (k = 0; k < NJOBS; k++) {
		body_len += (size_t)snprintf(body + body_len,
		    sizeof body - body_len, "%s{\"id\":\"%08d-0000-4000-8000-"
		    "000000000000\",\"nonce\":\"%d\",\"data\":"
		    "{\"actionConfiguration\":{\"configuration\":{",
		    k ? "," : "", k, k);
		for (i = 0; i < (k == big ? BIG_KEYS : 1); i++) {
			body_len += (size_t)snprintf(body + body_len,
			    sizeof body - body_len, "%s\"K%d\":\"",
			    i ? "," : "", i);
			if (k == big) {
				memset(body + body_len, 'A' + i, BIG_VALUE);
				body_len += BIG_VALUE;
			} else {
				body_len += (size_t)snprintf(body + body_len,
				    sizeof body - body_len, "small %d", k);
			}
			body[body_len++] = '"';
		}
		body_len += (size_t)snprintf(body + body_len,
		    sizeof body - body_len, "}}}}");
	}
	body_len += (size_t)snprintf(body + body_len, sizeof body - body_len,
	    "]}");
}

/* Whether the jobs of pool_body(big) were read whole, each job's strings
 * where the last job's end. */
static int
pool_jobs_whole(int big)
{
	const char *next = store;
	char want[48];
	int k, i;

	for (k = 0; k < NJOBS; k++) {
		const cpj_job *j = &jobs[k];

		snprintf(want, sizeof want, "%08d-0000-4000-8000-000000000000",
		    k);
		if (j->err != 0 || !eq(&j->id, want) || j->store != next
		    || j->data.configuration_count
		    != (size_t)(k == big ? BIG_KEYS : 1))
			return 0;
		for (i = 0; i < (k == big ? BIG_KEYS : 1); i++) {
			const cpj_job_str *v = &j->data.configuration[i].value;
			size_t n;

			if (k != big) {
				snprintf(want, sizeof want, "small %d", k);
				if (!eq(v, want))
					return 0;
				continue;
			}
			if (v->len != BIG_VALUE)
				return 0;
			for (n = 0; n < v->len; n++) {
				if (v->p[n] != 'A' + i)
					return 0;
			}
		}
		next += j->store_used;
	}
	return next <= store + POOL;
}

/* One large job and small ones share storage that equal slices per slot
 * could not hold it in: all are read whole, wherever the large one is. */
static int
pool_large_job(void)
{
	static const int bigs[] = { 0, 3, NJOBS - 1 };
	static const size_t chunks[] = { 0, 7 };
	size_t b, c;

	for (b = 0; b < CPJ_ARRAY_LEN(bigs); b++) {
		pool_body(bigs[b]);
		for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
			memset(store, 0, sizeof store);
			CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len,
			    chunks[c], NJOBS, CPJ_JSON_TOKENS_MAX, POOL,
			    sizeof win), NJOBS);
			CHECK(pool_jobs_whole(bigs[b]));
			CHECK(jobs[bigs[b]].store_used > POOL / NJOBS * 5);
			/* nothing past the last job's strings */
			CHECK(all_zero(P.storage, store + STORE - P.storage));
		}
	}
	return 0;
}

/* Init refuses storage that cannot keep CPJ_JOBS_RESERVE for every slot. */
static int
pool_reserve_refused(void)
{
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, sizeof win,
	    toks, CPJ_JSON_TOKENS_MAX, jobs, NJOBS, store,
	    NJOBS * CPJ_JOBS_RESERVE - 1), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_feed(&P, "{}", 2), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, sizeof win,
	    toks, CPJ_JSON_TOKENS_MAX, jobs, 1, store,
	    CPJ_JOBS_RESERVE - 1), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, sizeof win,
	    toks, CPJ_JSON_TOKENS_MAX, jobs, NJOBS, store,
	    NJOBS * CPJ_JOBS_RESERVE), 0);
	/* a job in the least storage keeps its id and nonce */
	set_body("{\"jobs\":[{\"id\":\"a\",\"nonce\":\"b\",\"accountId\":"
	    "\"012345678901234567890123456789012345678901234567890123456789"
	    "012345678901234567890123456789012345678901234567890123456789"
	    "012345678901234567890123456789012345678901234567890123456789"
	    "\"}]}");
	CHECK_EQ(cpj_jobs_parser_feed(&P, body, body_len), 0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), 1);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(eq(&jobs[0].id, "a"));
	CHECK(eq(&jobs[0].nonce, "b"));
	return 0;
}

/* Wiping a job clears exactly its strings: no byte of them is left, and
 * its neighbours' are untouched. */
static int
pool_wipe_exact(void)
{
	static char before[STORE];
	const int big = 3;
	const char *a, *e;
	size_t i;
	int k;

	pool_body(big);
	memset(store, 0, sizeof store);
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, body_len, 0, NJOBS,
	    CPJ_JSON_TOKENS_MAX, POOL, sizeof win), NJOBS);
	CHECK(pool_jobs_whole(big));
	memcpy(before, store, sizeof store);
	a = jobs[big].store;
	e = a + jobs[big].store_used;
	cpj_job_wipe(&jobs[big]);
	CHECK(all_zero(a, (size_t)(e - a)));
	CHECK(memcmp(store, before, (size_t)(a - store)) == 0);
	CHECK(memcmp(e, before + (e - store), sizeof store - (size_t)(e - store))
	    == 0);
	for (i = 0; i + 8 <= sizeof store; i++) {
		if (memcmp(store + i, "AAAAAAAA", 8) == 0
		    || memcmp(store + i, "JJJJJJJJ", 8) == 0)
			break;
	}
	CHECK_EQ(i + 8 > sizeof store, 1);
	CHECK(eq(&jobs[big - 1].data.configuration[0].value, "small 2"));
	CHECK(eq(&jobs[big + 1].id, "00000004-0000-4000-8000-000000000000"));
	for (k = 0; k < NJOBS; k++)
		cpj_job_wipe(&jobs[k]);
	CHECK(all_zero(store, sizeof store));
	return 0;
}

static int
wipe_and_params(void)
{
	size_t i;

	memset(store, 0, sizeof store);
	CHECK_EQ(load("poll_response_example.json"), 0);
	CHECK_EQ(parse(CPJ_JOBS_POLL, 0), 2);
	CHECK(jobs[0].store_used > 0);
	CHECK(!all_zero(jobs[0].store, jobs[0].store_used));
	cpj_job_wipe(&jobs[0]);
	CHECK(all_zero(store, (size_t)(jobs[1].store - store)));
	CHECK(!all_zero(jobs[1].store, jobs[1].store_used));
	CHECK(eq(&jobs[0].data.artifact_credentials.session_token, ""));
	CHECK(eq(&jobs[0].id, ""));
	CHECK_EQ(jobs[0].data.configuration_count, 0);
	CHECK_EQ(jobs[0].flags, 0);
	cpj_job_wipe(&jobs[1]);
	CHECK(all_zero(store, sizeof store));
	cpj_job_wipe(NULL);

	CHECK_EQ(cpj_jobs_parser_init(&P, 9, win, sizeof win, toks, 10, jobs,
	    1, store, CPJ_JOBS_RESERVE), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_feed(&P, "{}", 2), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_finish(&P), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, 1, toks, 10,
	    jobs, 1, store, CPJ_JOBS_RESERVE), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, sizeof win,
	    NULL, 10, jobs, 1, store, CPJ_JOBS_RESERVE), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, sizeof win,
	    toks, 10, jobs, 0, store, CPJ_JOBS_RESERVE), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, sizeof win,
	    toks, 10, jobs, 4, store, 3), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_jobs_parser_init(NULL, CPJ_JOBS_POLL, win, sizeof win,
	    toks, 10, jobs, 4, store, 3), CPJ_ERR_PARAM);
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(cpj_jobs_parser_feed(&P, NULL, 1), CPJ_ERR_PARAM);
	CHECK_EQ(init_default(CPJ_JOBS_POLL), 0);
	CHECK_EQ(cpj_jobs_parser_feed(&P, NULL, 0), 0);
	for (i = 0; i < 2; i++)
		CHECK_EQ(cpj_jobs_parser_feed(&P, &"{}"[i], 1), 0);
	CHECK_EQ(cpj_jobs_parser_feed(&P, "", 0), 0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), 0);
	return 0;
}

/* The parser's own memory does not depend on the number of jobs. */
static int
ram_is_constant(void)
{
	printf("# sizeof(cpj_jobs_parser) %zu, sizeof(cpj_job) %zu, "
	    "window %d, tokens %d x %zu\n", sizeof(cpj_jobs_parser),
	    sizeof(cpj_job), CPJ_JOB_WINDOW, CPJ_JSON_TOKENS_MAX,
	    sizeof(cpj_json_tok));
	CHECK(sizeof(cpj_jobs_parser) < 512);
	CHECK_EQ(sizeof(cpj_json_tok), 20);
	return 0;
}

static int
dump_main(int argc, char **argv)
{
	static const char *const names[] = { "poll", "details", "tp" };
	int mode = 0, r, i;
	size_t chunk = 0;
	FILE *f;

	for (i = 0; i < 3; i++) {
		if (strcmp(argv[2], names[i]) == 0)
			mode = i + 1;
	}
	if (mode == 0)
		return 2;
	f = fopen(argv[3], "rb");
	if (f == NULL)
		return 2;
	body_len = fread(body, 1, sizeof body, f);
	fclose(f);
	if (argc > 4)
		chunk = (size_t)strtoul(argv[4], NULL, 10);
	r = parse(mode, chunk);
	if (dump(mode, r, dump_a, sizeof dump_a) != 0)
		return 3;
	printf("%s\n", dump_a);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "--dump") == 0)
		return dump_main(argc, argv);
	mock_port_reset();
	RUN(example_all_members);
	RUN(chunking_identical);
	RUN(no_jobs);
	RUN(unicode_escapes);
	RUN(unknown_members_skipped);
	RUN(modes_details_and_third_party);
	RUN(too_large_window);
	RUN(too_large_tokens_and_storage);
	RUN(long_strings_and_few_tokens);
	RUN(long_strings_window_exact);
	RUN(limits_name_the_field);
	RUN(per_job_type_and_escape_errors);
	RUN(truncated_never_succeeds);
	RUN(invalid_bodies_fail);
	RUN(delivered_jobs_flagged);
	RUN(mutants_chunk_invariant);
	RUN(deep_nesting);
	RUN(huge_string);
	RUN(pool_large_job);
	RUN(pool_reserve_refused);
	RUN(pool_wipe_exact);
	RUN(wipe_and_params);
	RUN(ram_is_constant);
	return H_EXIT();
}
