/*
 * test_jobs_fail.c -- what the job parser (cpj_jobs.h) keeps of a job it
 * cannot read whole: the id and nonce (to acknowledge and fail it), and
 * err_field, err_detail and err_key (to say why).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mock/mock_port.h"
#include "inner.h"

#define NJOBS  4
#define SLICE  8192
#define BODY_MAX 16384

static char win[CPJ_JOB_WINDOW];
static cpj_json_tok toks[CPJ_JSON_TOKENS_MAX];
static cpj_job jobs[NJOBS];
/* the slots' storage, then a canary that nothing may write */
static char store[NJOBS * SLICE + 64];
static size_t store_len;        /* the part given to the parser */
static cpj_jobs_parser P;
static char body[BODY_MAX];

static const char cfg_path[] = "data.actionConfiguration.configuration";
static const char id1[] = "11111111-1111-4111-8111-111111111111";
static const char id2[] = "22222222-2222-4222-8222-222222222222";

/* Parse b[0..len) in pieces of `chunk` bytes (0: whole), with storage
 * of which the first job may use `first` bytes (the parser keeps
 * CPJ_JOBS_RESERVE for each other slot). */
static int
parse_ex(int mode, const char *b, size_t len, size_t chunk, size_t first,
    size_t wlen)
{
	size_t off, n;
	int r;

	memset(jobs, 0x5a, sizeof jobs);
	store_len = first + (NJOBS - 1) * CPJ_JOBS_RESERVE;
	memset(store, 0, sizeof store);
	memset(store + store_len, 0x77, sizeof store - store_len);
	r = cpj_jobs_parser_init(&P, mode, win, wlen, toks,
	    CPJ_JSON_TOKENS_MAX, jobs, NJOBS, store, store_len);
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
parse(int mode, const char *b, size_t chunk)
{
	return parse_ex(mode, b, strlen(b), chunk, SLICE, sizeof win);
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

static int
streq(const char *got, const char *want)
{
	if (got == NULL || want == NULL)
		return got == want;
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "  got \"%s\", want \"%s\"\n", got, want);
		return 0;
	}
	return 1;
}

/* The storage past what the jobs took (zero before the parse), each job
 * taking its strings where the last job's end: nothing of a job left
 * past its own, nothing written past the storage. */
static int
rest_wiped(void)
{
	const char *k = store;
	size_t i;

	for (i = 0; i < NJOBS && i < P.count; i++) {
		if (jobs[i].store != k || jobs[i].store_used > jobs[i].store_cap)
			return 0;
		k += jobs[i].store_used;
	}
	if (k != P.storage)
		return 0;
	for (; k < store + store_len; k++) {
		if (*k != 0)
			return 0;
	}
	return store[store_len] == 0x77;
}

/* What a job that was not read may hold (cpj_jobs.h: cpj_job.err). */
static int
failed_shape(const cpj_job *j)
{
	return j->err < 0 && j->err_field != NULL && j->err_detail != NULL
	    && (j->flags & ~CPJ_JOB_F_RESPONSE_FAILED) == 0
	    && j->data.configuration_count == 0
	    && j->data.input_artifacts_count == 0
	    && j->data.artifact_credentials.secret_access_key.len == 0
	    && j->account_id.len == 0 && rest_wiped()
	    && (j->err_key == NULL || (j->err_key >= j->store
	    && j->err_key < j->store + j->store_used));
}

/* What a job read whole but with U+0000 in a string holds: every member,
 * the flag, the first such string named (cpj_jobs.h: cpj_job.err). */
static int
nul_shape(const cpj_job *j)
{
	return j->err == CPJ_ERR_JSON_ESCAPE && j->err_field != NULL
	    && j->err_detail != NULL && (j->flags & CPJ_JOB_F_HAS_NUL) != 0
	    && (j->flags & CPJ_JOB_F_DATA) != 0
	    && (j->err_key == NULL || (j->err_key >= j->store
	    && j->err_key < j->store + j->store_used)) && rest_wiped();
}

/* A job that is read whole: the second of every body below. */
static const char job2[] =
    "{\"id\":\"22222222-2222-4222-8222-222222222222\",\"data\":"
    "{\"actionConfiguration\":{\"configuration\":{\"Target\":\"t2\"}}},"
    "\"nonce\":\"12\"}";

static int
job2_whole(const cpj_job *j)
{
	return j->err == 0 && j->err_field == NULL && j->err_detail == NULL
	    && j->err_key == NULL && eq(&j->id, id2) && eq(&j->nonce, "12")
	    && j->data.configuration_count == 1
	    && eq(&j->data.configuration[0].key, "Target")
	    && eq(&j->data.configuration[0].value, "t2");
}

/* ---- configuration values that cannot be read ------------------------ */

static int
config_value_names_its_key(void)
{
	static const struct {
		const char *config;     /* the configuration object's members */
		int err;
		const char *detail;
		const char *key;        /* NULL: none */
	} cases[] = {
		{ "\"Fleet\":\"a\",\"Target\":\"x\\u0000y\",\"Z\":\"z\"",
		    CPJ_ERR_JSON_ESCAPE, "contains U+0000 (\\u0000)", "Target" },
		{ "\"Target\":\"\\u0000\"",
		    CPJ_ERR_JSON_ESCAPE, "contains U+0000 (\\u0000)", "Target" },
		/* a lone surrogate and a NUL: the string cannot be kept */
		{ "\"Target\":\"\\ud800 \\u0000\"", CPJ_ERR_JSON_ESCAPE,
		    "contains a lone UTF-16 surrogate (\\ud800-\\udfff)",
		    "Target" },
		{ "\"Target\":\"\\u0000\\udc00\"", CPJ_ERR_JSON_ESCAPE,
		    "contains a lone UTF-16 surrogate (\\ud800-\\udfff)",
		    "Target" },
		/* a high half before a NUL is not part of a pair */
		{ "\"Target\":\"\\ud800\\u0000\\udc00\"", CPJ_ERR_JSON_ESCAPE,
		    "contains a lone UTF-16 surrogate (\\ud800-\\udfff)",
		    "Target" },
		/* an escaped backslash then "u0000": no NUL */
		{ "\"Target\":\"\\\\u0000\\udc00\"", CPJ_ERR_JSON_ESCAPE,
		    "contains a lone UTF-16 surrogate (\\ud800-\\udfff)",
		    "Target" },
		{ "\"Target\":\"a\\ud800b\"", CPJ_ERR_JSON_ESCAPE,
		    "contains a lone UTF-16 surrogate (\\ud800-\\udfff)",
		    "Target" },
		/* the key is decoded */
		{ "\"T\\u0061rg\\u00e9t\":\"\\u0000\"",
		    CPJ_ERR_JSON_ESCAPE, "contains U+0000 (\\u0000)",
		    "Targ\xc3\xa9t" },
		{ "\"Target\":5", CPJ_ERR_JSON_TYPE, "is not a string",
		    "Target" },
		{ "\"Target\":{\"a\":\"b\"}", CPJ_ERR_JSON_TYPE,
		    "is not a string", "Target" },
		/* the key itself cannot be decoded: said so, no key */
		{ "\"Tar\\u0000get\":\"v\"", CPJ_ERR_JSON_ESCAPE,
		    "a key contains U+0000 (\\u0000)", NULL },
		{ "\"Target\":\"v\",\"\\udfff\":\"v\"", CPJ_ERR_JSON_ESCAPE,
		    "a key contains a lone UTF-16 surrogate (\\ud800-\\udfff)",
		    NULL },
		/* keys longer than CPJ_JOB_ERR_KEY_MAX are cut */
		{ "\"KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK\":\"\\u0000\"",
		    CPJ_ERR_JSON_ESCAPE, "contains U+0000 (\\u0000)",
		    "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK" },
		/* ... at a character boundary (49 bytes, then 2 of U+00E9) */
		{ "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u00e9\\u00e9\":1",
		    CPJ_ERR_JSON_TYPE, "is not a string",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
		/* exactly 50 bytes: whole */
		{ "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u00e9\":1",
		    CPJ_ERR_JSON_TYPE, "is not a string",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9" },
	};
	static const size_t chunks[] = { 0, 1, 7 };
	size_t i, c;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\","
		    "\"data\":{\"actionConfiguration\":{\"configuration\":"
		    "{%s}}},\"nonce\":\"7\"},%s]}", id1, cases[i].config, job2);
		for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
			CHECK_EQ(parse(CPJ_JOBS_POLL, body, chunks[c]), 2);
			if (jobs[0].err != cases[i].err)
				fprintf(stderr, "case %zu\n", i);
			CHECK_EQ(jobs[0].err, cases[i].err);
			CHECK(strstr(cases[i].detail, "U+0000") != NULL
			    ? nul_shape(&jobs[0]) : failed_shape(&jobs[0]));
			CHECK(streq(jobs[0].err_field, cfg_path));
			CHECK(streq(jobs[0].err_detail, cases[i].detail));
			CHECK(streq(jobs[0].err_key, cases[i].key));
			CHECK(eq(&jobs[0].id, id1));
			CHECK(eq(&jobs[0].nonce, "7"));
			CHECK(job2_whole(&jobs[1]));
		}
	}
	/* wiping the job clears them */
	cpj_job_wipe(&jobs[0]);
	CHECK(jobs[0].err == 0 && jobs[0].err_field == NULL
	    && jobs[0].err_detail == NULL && jobs[0].err_key == NULL);
	CHECK(eq(&jobs[0].nonce, ""));
	return 0;
}

/* Other members than configuration values have no key. */
static int
other_members_no_key(void)
{
	static const struct {
		const char *job;
		int err;
		const char *field, *detail;
	} cases[] = {
		{ "\"data\":{\"pipelineContext\":{\"stage\":{\"name\":\"a\\u0000\"}}}",
		    CPJ_ERR_JSON_ESCAPE, "data.pipelineContext.stage.name",
		    "contains U+0000 (\\u0000)" },
		{ "\"data\":{\"inputArtifacts\":{}}", CPJ_ERR_JSON_TYPE,
		    "data.inputArtifacts", "is not an array" },
		{ "\"data\":{\"inputArtifacts\":[1]}", CPJ_ERR_JSON_TYPE,
		    "data.inputArtifacts", "has an element that is not an object" },
		{ "\"data\":{\"actionConfiguration\":[]}", CPJ_ERR_JSON_TYPE,
		    "data.actionConfiguration", "is not an object" },
		{ "\"data\":{\"actionConfiguration\":{\"configuration\":\"x\"}}",
		    CPJ_ERR_JSON_TYPE, "data.actionConfiguration.configuration",
		    "is not an object" },
		{ "\"accountId\":[]", CPJ_ERR_JSON_TYPE, "accountId",
		    "is not a string" },
	};
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		snprintf(body, sizeof body, "{\"jobs\":[{\"nonce\":\"3\","
		    "\"id\":\"%s\",%s},%s]}", id1, cases[i].job, job2);
		CHECK_EQ(parse(CPJ_JOBS_POLL, body, 3), 2);
		CHECK_EQ(jobs[0].err, cases[i].err);
		CHECK(strstr(cases[i].detail, "U+0000") != NULL
		    ? nul_shape(&jobs[0]) : failed_shape(&jobs[0]));
		CHECK(streq(jobs[0].err_field, cases[i].field));
		CHECK(streq(jobs[0].err_detail, cases[i].detail));
		CHECK(jobs[0].err_key == NULL);
		CHECK(eq(&jobs[0].id, id1));
		CHECK(eq(&jobs[0].nonce, "3"));
		CHECK(job2_whole(&jobs[1]));
	}
	return 0;
}

/* ---- limits, with the nonce before and after what fails -------------- */

/* A job with n input artifacts; the nonce first or last. */
static void
artifacts_body(int n, int nonce_first)
{
	size_t len;
	int k;

	len = (size_t)snprintf(body, sizeof body, "{\"jobs\":[{%s\"id\":\"%s\","
	    "\"data\":{\"inputArtifacts\":[", nonce_first ? "\"nonce\":\"42\","
	    : "", id1);
	for (k = 0; k < n; k++)
		len += (size_t)snprintf(body + len, sizeof body - len,
		    "%s{\"name\":\"a%d\",\"location\":{\"type\":\"S3\"}}",
		    k ? "," : "", k);
	snprintf(body + len, sizeof body - len, "]}%s},%s]}",
	    nonce_first ? "" : ",\"nonce\":\"42\"", job2);
}

static int
limits_keep_the_nonce(void)
{
	char detail[80];
	int nonce_first;

	snprintf(detail, sizeof detail, "more than %d artifacts "
	    "(CPJ_JOB_ARTIFACTS_MAX)", CPJ_JOB_ARTIFACTS_MAX);
	for (nonce_first = 0; nonce_first < 2; nonce_first++) {
		/* one artifact too many */
		artifacts_body(CPJ_JOB_ARTIFACTS_MAX + 1, nonce_first);
		CHECK_EQ(parse(CPJ_JOBS_POLL, body, 5), 2);
		CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
		CHECK(failed_shape(&jobs[0]));
		CHECK(streq(jobs[0].err_field, "data.inputArtifacts"));
		CHECK(streq(jobs[0].err_detail, detail));
		CHECK(jobs[0].err_key == NULL);
		CHECK(eq(&jobs[0].id, id1));
		CHECK(eq(&jobs[0].nonce, "42"));
		CHECK(job2_whole(&jobs[1]));
		/* the limit itself is fine */
		artifacts_body(CPJ_JOB_ARTIFACTS_MAX, nonce_first);
		CHECK_EQ(parse(CPJ_JOBS_POLL, body, 0), 2);
		CHECK_EQ(jobs[0].err, 0);
		CHECK(eq(&jobs[0].nonce, "42"));
		/* a window the job does not fit: nothing of it was mapped */
		artifacts_body(3, nonce_first);
		CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, strlen(body), 1, SLICE,
		    200), 2);
		CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
		CHECK(failed_shape(&jobs[0]));
		CHECK(streq(jobs[0].err_field, "window"));
		CHECK(streq(jobs[0].err_detail,
		    "the job's JSON is larger than the parser's window"));
		CHECK(eq(&jobs[0].id, id1));
		CHECK(eq(&jobs[0].nonce, "42"));
		CHECK(job2_whole(&jobs[1]));
	}
	/* too many tokens */
	artifacts_body(3, 0);
	memset(jobs, 0, sizeof jobs);
	CHECK_EQ(cpj_jobs_parser_init(&P, CPJ_JOBS_POLL, win, sizeof win, toks,
	    20, jobs, NJOBS, store, sizeof store), 0);
	CHECK_EQ(cpj_jobs_parser_feed(&P, body, strlen(body)), 0);
	CHECK_EQ(cpj_jobs_parser_finish(&P), 2);
	CHECK(streq(jobs[0].err_field, "tokens"));
	CHECK(streq(jobs[0].err_detail,
	    "the job's JSON has more values than the parser's token array"));
	CHECK(eq(&jobs[0].nonce, "42"));
	CHECK(job2_whole(&jobs[1]));
	return 0;
}

static int
config_limit_and_storage(void)
{
	char detail[80];
	size_t len;
	int k;

	/* one configuration key too many: no key named */
	len = (size_t)snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\","
	    "\"data\":{\"actionConfiguration\":{\"configuration\":{", id1);
	for (k = 0; k <= CPJ_JOB_CONFIG_MAX; k++)
		len += (size_t)snprintf(body + len, sizeof body - len,
		    "%s\"k%d\":\"v\"", k ? "," : "", k);
	snprintf(body + len, sizeof body - len, "}}},\"nonce\":\"9\"},%s]}",
	    job2);
	CHECK_EQ(parse(CPJ_JOBS_POLL, body, 0), 2);
	snprintf(detail, sizeof detail, "more than %d keys "
	    "(CPJ_JOB_CONFIG_MAX)", CPJ_JOB_CONFIG_MAX);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(failed_shape(&jobs[0]));
	CHECK(streq(jobs[0].err_field, cfg_path));
	CHECK(streq(jobs[0].err_detail, detail));
	CHECK(jobs[0].err_key == NULL);
	CHECK(eq(&jobs[0].nonce, "9"));
	CHECK(job2_whole(&jobs[1]));

	/* a value that does not fit the storage (512 bytes for the job) */
	len = (size_t)snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\","
	    "\"nonce\":\"9\",\"data\":{\"actionConfiguration\":"
	    "{\"configuration\":{\"Big\":\"", id1);
	memset(body + len, 'v', 600);
	len += 600;
	snprintf(body + len, sizeof body - len, "\"}}}},%s]}", job2);
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, strlen(body), 0, 512,
	    sizeof win), 2);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
	CHECK(failed_shape(&jobs[0]));
	CHECK(streq(jobs[0].err_field, cfg_path));
	CHECK(streq(jobs[0].err_detail,
	    "does not fit the job's string storage"));
	CHECK(streq(jobs[0].err_key, "Big"));
	CHECK(eq(&jobs[0].nonce, "9"));
	CHECK(job2_whole(&jobs[1]));

	/* a key that does not fit */
	len = (size_t)snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\","
	    "\"nonce\":\"9\",\"data\":{\"actionConfiguration\":"
	    "{\"configuration\":{\"", id1);
	memset(body + len, 'K', 600);
	len += 600;
	snprintf(body + len, sizeof body - len, "\":\"v\"}}}},%s]}", job2);
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, strlen(body), 0, 512,
	    sizeof win), 2);
	CHECK(failed_shape(&jobs[0]));
	CHECK(streq(jobs[0].err_detail,
	    "a key does not fit the job's string storage"));
	CHECK(jobs[0].err_key == NULL);
	CHECK(eq(&jobs[0].nonce, "9"));
	return 0;
}

/* The reserve of each slot holds the longest id and nonce the parser
 * keeps; err_key comes after them, when it fits. */
static int
reserve_holds_id_and_nonce(void)
{
	static const struct {
		size_t first;           /* storage the job may use */
		int long_id;            /* 127 bytes and a 50-byte nonce */
		int rc, key;
	} cases[] = {
		{ CPJ_JOBS_RESERVE - 1, 1, CPJ_ERR_PARAM, 0 },
		{ CPJ_JOBS_RESERVE, 1, 1, 0 },
		/* "Target" takes 7 bytes */
		{ CPJ_JOBS_RESERVE + 6, 1, 1, 0 },
		{ CPJ_JOBS_RESERVE + 7, 1, 1, 1 },
		{ CPJ_JOBS_RESERVE, 0, 1, 1 },
	};
	char id[CPJ_JOBS_ID_MAX], nonce[CPJ_JOBS_NONCE_LEN_MAX + 1];
	size_t i;

	memset(id, 'i', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	memset(nonce, 'n', sizeof nonce - 1);
	nonce[sizeof nonce - 1] = '\0';
	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		const char *want_id = cases[i].long_id ? id : id1;
		const char *want_nonce = cases[i].long_id ? nonce : "7";

		/* data first: its value fails before the id is mapped */
		snprintf(body, sizeof body, "{\"jobs\":[{\"data\":"
		    "{\"actionConfiguration\":{\"configuration\":"
		    "{\"Target\":5}}},\"id\":\"%s\",\"nonce\":\"%s\"}]}",
		    want_id, want_nonce);
		CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, strlen(body), 0,
		    cases[i].first, sizeof win), cases[i].rc);
		if (cases[i].rc < 0)
			continue;
		CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_TYPE);
		CHECK_EQ(jobs[0].store_cap, cases[i].first);
		CHECK(failed_shape(&jobs[0]));
		CHECK(eq(&jobs[0].id, want_id));
		CHECK(eq(&jobs[0].nonce, want_nonce));
		CHECK(streq(jobs[0].err_key, cases[i].key ? "Target" : NULL));
	}
	return 0;
}

/* Jobs after the storage ran out are reported with their id and nonce;
 * a first job larger than an equal share of the storage is read. */
static int
storage_runs_out(void)
{
	char nonce[CPJ_JOBS_NONCE_LEN_MAX + 1];
	size_t len;
	int k;

	memset(nonce, 'n', sizeof nonce - 1);
	nonce[sizeof nonce - 1] = '\0';
	/* 847 bytes of strings, then three jobs of over 2,000 each */
	len = (size_t)snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\","
	    "\"nonce\":\"9\",\"data\":{\"actionConfiguration\":"
	    "{\"configuration\":{\"Target\":\"", id1);
	memset(body + len, 'v', 800);
	len += 800;
	len += (size_t)snprintf(body + len, sizeof body - len, "\"}}}}");
	for (k = 1; k < NJOBS; k++) {
		len += (size_t)snprintf(body + len, sizeof body - len,
		    ",{\"id\":\"%d%s\",\"nonce\":\"%s\",\"data\":"
		    "{\"actionConfiguration\":{\"configuration\":"
		    "{\"Big\":\"", k, id2 + 1, nonce);
		memset(body + len, 'w', 2000);
		len += 2000;
		len += (size_t)snprintf(body + len, sizeof body - len,
		    "\"}}}}");
	}
	snprintf(body + len, sizeof body - len, "]}");
	/* 1,000 bytes for the first job: 1,537 in all, 384 a slot if equal */
	CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, strlen(body), 7, 1000,
	    sizeof win), NJOBS);
	CHECK_EQ(jobs[0].err, 0);
	CHECK(eq(&jobs[0].id, id1));
	CHECK_EQ(jobs[0].data.configuration[0].value.len, 800);
	CHECK_EQ(jobs[0].store_used, 847);
	for (k = 1; k < NJOBS; k++) {
		char id[sizeof id2];

		snprintf(id, sizeof id, "%d%s", k, id2 + 1);
		CHECK_EQ(jobs[k].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
		CHECK(failed_shape(&jobs[k]));
		CHECK(streq(jobs[k].err_field, cfg_path));
		CHECK(streq(jobs[k].err_detail,
		    "does not fit the job's string storage"));
		CHECK(streq(jobs[k].err_key, "Big"));
		CHECK(eq(&jobs[k].id, id));
		CHECK(eq(&jobs[k].nonce, nonce));
	}
	return 0;
}

/* ---- which nonce is kept ---------------------------------------------- */

static int
nonce_kept_or_not(void)
{
	static const struct {
		const char *members;
		const char *nonce;
	} cases[] = {
		{ "\"nonce\":\"1234567890\"", "1234567890" },
		{ "\"nonce\":\"\\u0033\\u0034\"", "34" },
		{ "\"n\\u006fnce\":\"5\"", "5" },
		/* 50 bytes: kept */
		{ "\"nonce\":\"12345678901234567890123456789012345678901234567890\"",
		    "12345678901234567890123456789012345678901234567890" },
		/* 51 bytes (fits the buffer, over the API's 50) */
		{ "\"nonce\":\"123456789012345678901234567890123456789012345678901\"",
		    "" },
		/* 100 bytes: over the buffer */
		{ "\"nonce\":\"1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\"",
		    "" },
		/* escaped: 6 bytes of text for each byte, over the buffer */
		{ "\"nonce\":\"\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\"",
		    "" },
		{ "\"nonce\":7", "" },
		{ "\"nonce\":null", "" },
		{ "\"nonce\":[\"7\"]", "" },
		{ "\"nonce\":{\"nonce\":\"7\"}", "" },
		{ "\"nonce\":\"\\ud800\"", "" },
		{ "\"nonce\":\"\\u0000\"", "" },
		/* the last one wins, also when it is not a string */
		{ "\"nonce\":\"1\",\"nonce\":\"2\"", "2" },
		{ "\"nonce\":\"1\",\"nonce\":2", "" },
		{ "\"nonce\":\"1\",\"nonce\":null", "" },
		{ "\"nonce\":3,\"nonce\":\"4\"", "4" },
		/* not the job's own member */
		{ "\"data\":{\"nonce\":\"8\"}", "" },
		{ "\"xnonce\":\"8\",\"nonc\":\"8\"", "" },
	};
	size_t i, c;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		/* the window fails the job whatever the nonce */
		snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\",%s,"
		    "\"data\":{\"continuationToken\":\"%0300d\"}},%s]}", id1,
		    cases[i].members, 0, job2);
		for (c = 1; c < 9; c += 7) {
			CHECK_EQ(parse_ex(CPJ_JOBS_POLL, body, strlen(body), c,
			    SLICE, 300), 2);
			CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_JOB_TOO_LARGE);
			if (!eq(&jobs[0].nonce, cases[i].nonce))
				fprintf(stderr, "case %zu\n", i);
			CHECK(eq(&jobs[0].nonce, cases[i].nonce));
			CHECK(eq(&jobs[0].id, id1));
			CHECK(failed_shape(&jobs[0]));
			CHECK(job2_whole(&jobs[1]));
		}
	}
	return 0;
}

/* ---- U+0000 kept -------------------------------------------------------- */

/* s is exactly want[0..n), NULs included, and NUL-terminated. */
static int
eqn(const cpj_job_str *s, const char *want, size_t n)
{
	return s->p != NULL && s->len == n && memcmp(s->p, want, n) == 0
	    && s->p[n] == '\0';
}

static int
nul_kept(void)
{
	static const size_t chunks[] = { 0, 1, 5 };
	const cpj_job *j = &jobs[0];
	size_t c;

	/* in every kind of string, the id and nonce included; an escaped
	 * backslash before "u0000" is no NUL */
	snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"J\\u0000\","
	    "\"data\":{\"actionTypeId\":{\"provider\":\"\\\\u0000\"},"
	    "\"actionConfiguration\":{\"configuration\":{\"A\":\"a\","
	    "\"K\\u0000\\u00e9\":\"\\u0000\\u0000x\\ud83d\\ude00\\u0000\"}},"
	    "\"pipelineContext\":{\"stage\":{\"name\":\"s\\u0000\"}},"
	    "\"inputArtifacts\":[{\"name\":\"\\u0000\"}]},"
	    "\"nonce\":\"1\\u00002\"},%s]}", job2);
	for (c = 0; c < CPJ_ARRAY_LEN(chunks); c++) {
		CHECK_EQ(parse(CPJ_JOBS_POLL, body, chunks[c]), 2);
		CHECK(nul_shape(j));
		CHECK(streq(j->err_field, "id"));
		CHECK(streq(j->err_detail, "contains U+0000 (\\u0000)"));
		CHECK(j->err_key == NULL);
		CHECK(eqn(&j->id, "J\0", 2));
		CHECK(eqn(&j->nonce, "1\0" "2", 3));
		CHECK(eq(&j->data.action_type_id.provider, "\\u0000"));
		CHECK_EQ(j->data.configuration_count, 2);
		CHECK(eq(&j->data.configuration[0].value, "a"));
		CHECK(eqn(&j->data.configuration[1].key, "K\0\xc3\xa9", 4));
		CHECK(eqn(&j->data.configuration[1].value,
		    "\0\0x\xf0\x9f\x98\x80\0", 8));
		CHECK(eqn(&j->data.pipeline_context.stage.name, "s\0", 2));
		CHECK_EQ(j->data.input_artifacts_count, 1);
		CHECK(eqn(&j->data.input_artifacts[0].name, "\0", 1));
		CHECK(job2_whole(&jobs[1]));
	}
	/* the first string with U+0000 is named; a value names its key */
	snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\",\"data\":"
	    "{\"actionConfiguration\":{\"configuration\":{\"A\":\"a\","
	    "\"Target\":\"x\\u0000\",\"B\\u0000\":\"b\"}}},\"accountId\":"
	    "\"\\u0000\",\"nonce\":\"7\"},%s]}", id1, job2);
	CHECK_EQ(parse(CPJ_JOBS_POLL, body, 3), 2);
	CHECK(nul_shape(j));
	CHECK(streq(j->err_field, cfg_path));
	CHECK(streq(j->err_detail, "contains U+0000 (\\u0000)"));
	CHECK(streq(j->err_key, "Target"));
	CHECK(eq(&j->id, id1));
	CHECK(eq(&j->nonce, "7"));
	CHECK(eqn(&j->account_id, "\0", 1));
	CHECK(eqn(&j->data.configuration[2].key, "B\0", 2));
	CHECK(job2_whole(&jobs[1]));
	/* any other failure of the job wins: it was not read whole */
	snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\",\"data\":"
	    "{\"pipelineContext\":{\"pipelineName\":\"\\u0000\"},"
	    "\"inputArtifacts\":7},\"nonce\":\"7\"},%s]}", id1, job2);
	CHECK_EQ(parse(CPJ_JOBS_POLL, body, 0), 2);
	CHECK_EQ(j->err, CPJ_ERR_JSON_TYPE);
	CHECK(failed_shape(j));
	CHECK(streq(j->err_field, "data.inputArtifacts"));
	CHECK(eq(&j->id, id1));
	CHECK(job2_whole(&jobs[1]));
	/* wiping clears the flag and the strings */
	snprintf(body, sizeof body, "{\"jobs\":[{\"id\":\"%s\","
	    "\"accountId\":\"\\u0000\"},%s]}", id1, job2);
	CHECK_EQ(parse(CPJ_JOBS_POLL, body, 0), 2);
	CHECK(jobs[0].err == CPJ_ERR_JSON_ESCAPE
	    && (jobs[0].flags & CPJ_JOB_F_HAS_NUL) != 0);
	cpj_job_wipe(&jobs[0]);
	CHECK(jobs[0].err == 0 && jobs[0].flags == 0
	    && jobs[0].account_id.len == 0);
	return 0;
}

/* ---- the other modes -------------------------------------------------- */

static int
details_and_third_party(void)
{
	/* GetJobDetails: a JobDetails has no nonce */
	snprintf(body, sizeof body, "{\"jobDetails\":{\"id\":\"%s\","
	    "\"data\":{\"actionConfiguration\":{\"configuration\":"
	    "{\"Target\":\"\\u0000\"}}},\"accountId\":\"123456789012\"}}", id1);
	CHECK_EQ(parse(CPJ_JOBS_DETAILS, body, 1), 1);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_ESCAPE);
	CHECK(nul_shape(&jobs[0]));
	CHECK(eq(&jobs[0].account_id, "123456789012"));
	CHECK(eq(&jobs[0].id, id1));
	CHECK(eq(&jobs[0].nonce, ""));
	CHECK(!cpj_job_str_present(&jobs[0].nonce));
	CHECK(streq(jobs[0].err_key, "Target"));
	/* read whole, as before */
	snprintf(body, sizeof body, "{\"jobDetails\":{\"id\":\"%s\","
	    "\"accountId\":\"123456789012\"}}", id1);
	CHECK_EQ(parse(CPJ_JOBS_DETAILS, body, 1), 1);
	CHECK_EQ(jobs[0].err, 0);
	CHECK(jobs[0].err_detail == NULL);
	CHECK(eq(&jobs[0].account_id, "123456789012"));
	/* GetThirdPartyJobDetails: a ThirdPartyJobDetails has one */
	snprintf(body, sizeof body, "{\"jobDetails\":{\"id\":\"%s\","
	    "\"nonce\":\"31\",\"data\":{\"outputArtifacts\":7}}}", id1);
	CHECK_EQ(parse(CPJ_JOBS_DETAILS, body, 2), 1);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_TYPE);
	CHECK(streq(jobs[0].err_field, "data.outputArtifacts"));
	CHECK(streq(jobs[0].err_detail, "is not an array"));
	CHECK(eq(&jobs[0].nonce, "31"));
#if CPJ_CONFIG_THIRD_PARTY
	/* PollForThirdPartyJobs: jobId; a ThirdPartyJob has no nonce */
	snprintf(body, sizeof body, "{\"jobs\":[{\"clientId\":5,"
	    "\"jobId\":\"%s\",\"nonce\":\"5\"},{\"clientId\":\"c\","
	    "\"jobId\":\"%s\"}]}", id1, id2);
	CHECK_EQ(parse(CPJ_JOBS_THIRD_PARTY_POLL, body, 1), 2);
	CHECK_EQ(jobs[0].err, CPJ_ERR_JSON_TYPE);
	CHECK(failed_shape(&jobs[0]));
	CHECK(streq(jobs[0].err_field, "clientId"));
	CHECK(eq(&jobs[0].id, id1));
	CHECK(eq(&jobs[0].nonce, ""));
	CHECK_EQ(jobs[1].err, 0);
	CHECK(eq(&jobs[1].id, id2));
	CHECK(eq(&jobs[1].client_id, "c"));
#endif
	return 0;
}

int
main(void)
{
	mock_port_reset();
	RUN(config_value_names_its_key);
	RUN(other_members_no_key);
	RUN(limits_keep_the_nonce);
	RUN(config_limit_and_storage);
	RUN(reserve_holds_id_and_nonce);
	RUN(storage_runs_out);
	RUN(nonce_kept_or_not);
	RUN(details_and_third_party);
	RUN(nul_kept);
	return H_EXIT();
}
