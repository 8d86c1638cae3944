/*
 * fuzz_jobs_parse.c -- the streaming job parser (cpj_jobs_parser), in all
 * three modes, fed in pieces.
 *
 * Input: byte 0 mode (% 3: poll, details, third-party poll), byte 1
 * split seed, byte 2 sizes:
 *   bits 0-1  window: 256, 1 KiB, 4 KiB, CPJ_JOB_WINDOW
 *   bits 2-3  tokens: 16, 64, 256, CPJ_JSON_TOKENS_MAX
 *   bits 4-5  job slots: 1, 2, 4, 8
 *   bit 6     string storage of 256 bytes a slot (else the window's size)
 * then the body. Every buffer ends where its heap block ends, so that a
 * write past it is caught (the blocks are allocated once, at their
 * largest, and kept: large allocations per run were most of the time).
 * The body is parsed twice, in one feed and in pieces (1 byte each for seed 0),
 * and both parses must give the same jobs. Each filled job is checked
 * (strings NUL-terminated, without NUL before their end unless the job
 * has CPJ_JOB_F_HAS_NUL, within the job's storage, which starts where
 * the last job's ends and leaves CPJ_JOBS_RESERVE for each later slot,
 * flags) and wiped; then nothing is left in the storage the jobs took.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_jobs_parse: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

#define MAX_SLOTS 8

/* One arena of the largest size per buffer and run; a buffer of n bytes
 * is its last n bytes. */
struct arena {
	char *win, *store, *piece;
	cpj_json_tok *toks;
	cpj_job *jobs;
};

#define PIECE_MAX 128
#define STORE_MAX (MAX_SLOTS * (size_t)CPJ_JOB_WINDOW)

struct run {
	struct arena a;
	cpj_jobs_parser p;
	char *win;
	cpj_json_tok *toks;
	cpj_job *jobs;
	char *store;
	size_t nslots, win_len, store_len;
	unsigned ntoks;
	int feed_rc, rc;
	size_t filled;                  /* slots the parser filled */
	uint64_t hash[MAX_SLOTS];
};

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

/* Check one string and mix it into the hash. */
static uint64_t
str(uint64_t h, const cpj_job *j, const cpj_job_str *s)
{
	if (s->p == NULL)
		FAIL("string pointer NULL");
	if (s->p[s->len] != '\0')
		FAIL("string not terminated at its length");
	if (strlen(s->p) != s->len && !(j->flags & CPJ_JOB_F_HAS_NUL))
		FAIL("string with a NUL in a job without CPJ_JOB_F_HAS_NUL");
	if (s->len > 0 && (s->p < j->store
	    || s->p + s->len >= j->store + j->store_cap))
		FAIL("string outside the slot's storage");
	h = fnv(h, &s->len, sizeof s->len);
	h = fnv(h, s->p, s->len);
	return fnv(h, "", 1);
}

static uint64_t
artifact(uint64_t h, const cpj_job *j, const cpj_job_artifact *a)
{
	h = str(h, j, &a->name);
	h = str(h, j, &a->revision);
	h = str(h, j, &a->location.type);
	h = str(h, j, &a->location.s3_location.bucket_name);
	h = str(h, j, &a->location.s3_location.object_key);
	h = fnv(h, &a->location.present, 1);
	return fnv(h, &a->location.s3_location_present, 1);
}

static uint64_t
job_hash(const cpj_job *j)
{
	const cpj_job_data *d = &j->data;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	h = fnv(h, &j->err, sizeof j->err);
	h = fnv(h, &j->flags, sizeof j->flags);
	if (j->err_field != NULL)
		h = fnv(h, j->err_field, strlen(j->err_field));
	if ((j->err < 0) != (j->err_field != NULL)
	    || (j->err < 0) != (j->err_detail != NULL))
		FAIL("err and err_field or err_detail disagree");
	if (j->err_detail != NULL)
		h = fnv(h, j->err_detail, strlen(j->err_detail));
	if (j->err_key != NULL) {
		size_t n = strlen(j->err_key);

		if (j->err >= 0 || n > CPJ_JOB_ERR_KEY_MAX
		    || j->err_key < j->store
		    || j->err_key + n >= j->store + j->store_used)
			FAIL("err_key outside the slot's storage or too long");
		h = fnv(h, j->err_key, n + 1);
	}
	if ((j->flags & CPJ_JOB_F_HAS_NUL) && (j->err != CPJ_ERR_JSON_ESCAPE
	    || strstr(j->err_detail, "U+0000") == NULL))
		FAIL("CPJ_JOB_F_HAS_NUL without its error");
	if (j->err < 0 && !(j->flags & CPJ_JOB_F_HAS_NUL)
	    && (j->nonce.len > CPJ_JOBS_NONCE_LEN_MAX
	    || j->data.configuration_count != 0))
		FAIL("a job not read holds more than its id and nonce");
	h = str(h, j, &j->id);
	h = str(h, j, &j->nonce);
	h = str(h, j, &j->account_id);
	h = str(h, j, &j->client_id);
	h = str(h, j, &d->action_type_id.category);
	h = str(h, j, &d->action_type_id.owner);
	h = str(h, j, &d->action_type_id.provider);
	h = str(h, j, &d->action_type_id.version);
	if (d->configuration_count > CPJ_JOB_CONFIG_MAX
	    || d->input_artifacts_count > CPJ_JOB_ARTIFACTS_MAX
	    || d->output_artifacts_count > CPJ_JOB_ARTIFACTS_MAX)
		FAIL("count over its limit");
	for (i = 0; i < d->configuration_count; i++) {
		h = str(h, j, &d->configuration[i].key);
		h = str(h, j, &d->configuration[i].value);
	}
	h = fnv(h, &d->configuration_present, 1);
	h = str(h, j, &d->pipeline_context.pipeline_name);
	h = str(h, j, &d->pipeline_context.stage.name);
	h = str(h, j, &d->pipeline_context.action.name);
	h = str(h, j, &d->pipeline_context.action.action_execution_id);
	h = str(h, j, &d->pipeline_context.pipeline_arn);
	h = str(h, j, &d->pipeline_context.pipeline_execution_id);
	h = fnv(h, &d->pipeline_context.stage_present, 1);
	h = fnv(h, &d->pipeline_context.action_present, 1);
	for (i = 0; i < d->input_artifacts_count; i++)
		h = artifact(h, j, &d->input_artifacts[i]);
	for (i = 0; i < d->output_artifacts_count; i++)
		h = artifact(h, j, &d->output_artifacts[i]);
	h = str(h, j, &d->artifact_credentials.access_key_id);
	h = str(h, j, &d->artifact_credentials.secret_access_key);
	h = str(h, j, &d->artifact_credentials.session_token);
	h = str(h, j, &d->continuation_token);
	h = str(h, j, &d->encryption_key.id);
	h = str(h, j, &d->encryption_key.type);
	return h;
}

static int
setup(struct run *r, int mode, unsigned sizes)
{
	static const size_t wins[4] = { 256, 1024, 4096, CPJ_JOB_WINDOW };
	static const unsigned ntoks[4] = { 16, 64, 256, CPJ_JSON_TOKENS_MAX };
	static const size_t slots[4] = { 1, 2, 4, MAX_SLOTS };
	struct arena a = r->a;
	int rc;

	if (a.win == NULL) {
		a.win = malloc(CPJ_JOB_WINDOW);
		a.store = calloc(1, STORE_MAX);
		a.piece = malloc(PIECE_MAX);
		a.toks = malloc(CPJ_JSON_TOKENS_MAX * sizeof *a.toks);
		a.jobs = malloc(MAX_SLOTS * sizeof *a.jobs);
		if (a.win == NULL || a.store == NULL || a.piece == NULL
		    || a.toks == NULL || a.jobs == NULL)
			abort();
	}
	memset(r, 0, sizeof *r);
	r->a = a;
	r->win_len = wins[sizes & 3];
	r->ntoks = ntoks[(sizes >> 2) & 3];
	r->nslots = slots[(sizes >> 4) & 3];
	r->store_len = r->nslots * ((sizes & 0x40) ? 256 : r->win_len);
	r->win = a.win + CPJ_JOB_WINDOW - r->win_len;
	r->toks = a.toks + CPJ_JSON_TOKENS_MAX - r->ntoks;
	r->jobs = a.jobs + MAX_SLOTS - r->nslots;
	r->store = a.store + STORE_MAX - r->store_len;
	rc = cpj_jobs_parser_init(&r->p, mode, r->win, r->win_len, r->toks,
	    r->ntoks, r->jobs, r->nslots, r->store, r->store_len);
	if (rc != 0)
		FAIL("init refused valid arguments");
	/* a filled slot's id.p is never NULL: that tells the filled ones */
	memset(r->jobs, 0, r->nslots * sizeof *r->jobs);
	return 0;
}

static void
done(struct run *r)
{
	size_t i, n = 0;

	if (r->rc >= 0 && r->feed_rc < 0)
		FAIL("finish succeeded after a feed error");
	if (r->feed_rc < 0 && r->rc != r->feed_rc)
		FAIL("feed error not sticky in finish");
	while (n < r->nslots && r->jobs[n].id.p != NULL)
		n++;
	for (i = n; i < r->nslots; i++) {
		if (r->jobs[i].id.p != NULL)
			FAIL("slots not filled in order");
	}
	if (r->rc >= 0 && (size_t)r->rc != n)
		FAIL("finish's count differs from the slots filled");
	r->filled = n;
	for (i = 0; i < n; i++) {
		cpj_job *j = &r->jobs[i];

		if (j->store != (i == 0 ? r->store : r->jobs[i - 1].store
		    + r->jobs[i - 1].store_used) || j->store_used > j->store_cap
		    || j->store + j->store_cap + (r->nslots - i - 1)
		    * CPJ_JOBS_RESERVE > r->store + r->store_len)
			FAIL("job storage not after the last job's, or over "
			    "what the later slots' reserve leaves");
	}
	for (i = 0; i < n; i++) {
		cpj_job *j = &r->jobs[i];

		if (r->rc < 0 && !(j->flags & CPJ_JOB_F_RESPONSE_FAILED))
			FAIL("job of a failed response not flagged");
		if (r->rc >= 0 && (j->flags & CPJ_JOB_F_RESPONSE_FAILED))
			FAIL("job of a good response flagged failed");
		r->hash[i] = job_hash(j);
		cpj_job_wipe(j);
		if (j->err != 0 || j->err_detail != NULL || j->err_key != NULL
		    || j->id.p == NULL || j->id.len != 0 || j->nonce.len != 0
		    || j->data.artifact_credentials.secret_access_key.len != 0
		    || j->data.artifact_credentials.secret_access_key.p[0] != '\0')
			FAIL("wipe left something");
	}
	for (i = 0; r->store + i < r->p.storage; i++) {
		if (r->store[i] != 0)
			FAIL("a byte of the jobs' strings left after the wipe");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, split;
	const unsigned char *body;
	size_t len, off = 0, i;
	unsigned seed, sizes;
	uint32_t st;
	int mode;

	if (size < 3)
		return 0;
	mode = (int)(data[0] % 3) + 1;
	seed = data[1];
	sizes = data[2];
	body = data + 3;
	len = size - 3;

	if (setup(&whole, mode, sizes) == 0 && setup(&split, mode, sizes) == 0) {
		char *copy = malloc(len ? len : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, body, len);
		whole.feed_rc = cpj_jobs_parser_feed(&whole.p, copy, len);
		free(copy);
		whole.rc = cpj_jobs_parser_finish(&whole.p);
		done(&whole);

		st = 0x2545f491u ^ (seed * 0x01000193u) ^ (uint32_t)len;
		while (off < len) {
			size_t n = 1;
			char *piece;
			int rc;

			if (seed != 0) {
				st ^= st << 13;
				st ^= st >> 17;
				st ^= st << 5;
				n = 1 + st % ((seed % (PIECE_MAX - 1)) + 1);
			}
			if (n > len - off)
				n = len - off;
			if ((st & 0x3f) == 3)
				(void)cpj_jobs_parser_feed(&split.p, body, 0);
			piece = split.a.piece + PIECE_MAX - n;
			memcpy(piece, body + off, n);
			rc = cpj_jobs_parser_feed(&split.p, piece, n);
			off += n;
			if (rc < 0 && split.feed_rc == 0)
				split.feed_rc = rc;
			if (rc < 0)
				break;
		}
		split.rc = cpj_jobs_parser_finish(&split.p);
		done(&split);
		if (whole.rc != split.rc)
			FAIL("split changed the result");
		if (whole.filled != split.filled)
			FAIL("split changed the jobs filled");
		for (i = 0; i < split.filled; i++) {
			if (whole.hash[i] != split.hash[i])
				FAIL("split changed a job");
		}
	}
	return 0;
}
