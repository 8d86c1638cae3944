/*
 * cp_jobs_parse.c -- the streaming CodePipeline job parser (cpj_jobs.h).
 *
 * Stage 1 runs a cpj_json_scanner over every byte of the body; it stops
 * only at values near the top (the body, its members, the jobs and the
 * jobs' own members), where this file tracks where it is, copies the
 * current job into the window and keeps the job's id aside. Stage 2
 * tokenizes the window with jsmn and maps the tokens through the member
 * tables below into the caller's cpj_job.
 */
#include "inner.h"

static const char empty[] = "";

/*
 * Wipe through a volatile pointer to memset: the compiler cannot drop the
 * call, and the window (a few KB per job) is cleared at memset speed.
 */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

static void
wipe(void *p, size_t n)
{
	if (n != 0)
		wipe_memset(p, 0, n);
}

/* ---- member tables ---------------------------------------------------- */

enum {
	F_STR,   /* string -> cpj_job_str at off */
	F_OBJ,   /* object -> members of sub, relative to base + off */
	F_MAP,   /* configuration map -> entries at off, count at off_count */
	F_LIST   /* array of artifacts -> elements at off, count at off_count */
};

struct table;

struct field {
	const char *name;           /* member name in the JSON */
	size_t nlen;                /* its length */
	const char *path;           /* for cpj_job.err_field */
	int kind;                   /* F_* */
	unsigned flag;              /* CPJ_JOB_F_* set when present */
	size_t off;
	size_t off_count;
	size_t off_present;         /* unsigned char set when present, or NOPRES */
	const struct table *sub;    /* F_OBJ, F_LIST: the members */
};

#define NOPRES ((size_t)-1)

struct table {
	const struct field *f;
	size_t n;
};

#define TABLE(a) { a, sizeof(a) / sizeof((a)[0]) }
/* A name literal and its length. */
#define N(s) s, sizeof(s) - 1

#define STR(name, path, type, member) \
	{ N(name), path, F_STR, 0, offsetof(type, member), 0, NOPRES, NULL }

#define ARTIFACT_TABLES(pfx, path) \
static const struct field pfx##_s3_f[] = { \
	STR("bucketName", path "[].location.s3Location.bucketName", \
	    cpj_job_artifact, location.s3_location.bucket_name), \
	STR("objectKey", path "[].location.s3Location.objectKey", \
	    cpj_job_artifact, location.s3_location.object_key), \
}; \
static const struct table pfx##_s3_t = TABLE(pfx##_s3_f); \
static const struct field pfx##_loc_f[] = { \
	STR("type", path "[].location.type", cpj_job_artifact, location.type), \
	{ N("s3Location"), path "[].location.s3Location", F_OBJ, 0, 0, 0, \
	    offsetof(cpj_job_artifact, location.s3_location_present), \
	    &pfx##_s3_t }, \
}; \
static const struct table pfx##_loc_t = TABLE(pfx##_loc_f); \
static const struct field pfx##_f[] = { \
	STR("name", path "[].name", cpj_job_artifact, name), \
	STR("revision", path "[].revision", cpj_job_artifact, revision), \
	{ N("location"), path "[].location", F_OBJ, 0, 0, 0, \
	    offsetof(cpj_job_artifact, location.present), &pfx##_loc_t }, \
}; \
static const struct table pfx##_t = TABLE(pfx##_f);

ARTIFACT_TABLES(in_art, "data.inputArtifacts")
ARTIFACT_TABLES(out_art, "data.outputArtifacts")

/* Offsets below are relative to the cpj_job_data. */
static const struct field action_type_f[] = {
	STR("category", "data.actionTypeId.category", cpj_job_data,
	    action_type_id.category),
	STR("owner", "data.actionTypeId.owner", cpj_job_data,
	    action_type_id.owner),
	STR("provider", "data.actionTypeId.provider", cpj_job_data,
	    action_type_id.provider),
	STR("version", "data.actionTypeId.version", cpj_job_data,
	    action_type_id.version),
};
static const struct table action_type_t = TABLE(action_type_f);

static const struct field action_config_f[] = {
	{ N("configuration"), "data.actionConfiguration.configuration", F_MAP, 0,
	    offsetof(cpj_job_data, configuration),
	    offsetof(cpj_job_data, configuration_count),
	    offsetof(cpj_job_data, configuration_present), NULL },
};
static const struct table action_config_t = TABLE(action_config_f);

static const struct field stage_f[] = {
	STR("name", "data.pipelineContext.stage.name", cpj_job_data,
	    pipeline_context.stage.name),
};
static const struct table stage_t = TABLE(stage_f);

static const struct field action_f[] = {
	STR("name", "data.pipelineContext.action.name", cpj_job_data,
	    pipeline_context.action.name),
	STR("actionExecutionId", "data.pipelineContext.action.actionExecutionId",
	    cpj_job_data, pipeline_context.action.action_execution_id),
};
static const struct table action_t = TABLE(action_f);

static const struct field pipeline_f[] = {
	STR("pipelineName", "data.pipelineContext.pipelineName", cpj_job_data,
	    pipeline_context.pipeline_name),
	{ N("stage"), "data.pipelineContext.stage", F_OBJ, 0, 0, 0,
	    offsetof(cpj_job_data, pipeline_context.stage_present), &stage_t },
	{ N("action"), "data.pipelineContext.action", F_OBJ, 0, 0, 0,
	    offsetof(cpj_job_data, pipeline_context.action_present), &action_t },
	STR("pipelineArn", "data.pipelineContext.pipelineArn", cpj_job_data,
	    pipeline_context.pipeline_arn),
	STR("pipelineExecutionId", "data.pipelineContext.pipelineExecutionId",
	    cpj_job_data, pipeline_context.pipeline_execution_id),
};
static const struct table pipeline_t = TABLE(pipeline_f);

static const struct field creds_f[] = {
	STR("accessKeyId", "data.artifactCredentials.accessKeyId",
	    cpj_job_data, artifact_credentials.access_key_id),
	STR("secretAccessKey", "data.artifactCredentials.secretAccessKey",
	    cpj_job_data, artifact_credentials.secret_access_key),
	STR("sessionToken", "data.artifactCredentials.sessionToken",
	    cpj_job_data, artifact_credentials.session_token),
};
static const struct table creds_t = TABLE(creds_f);

static const struct field key_f[] = {
	STR("id", "data.encryptionKey.id", cpj_job_data, encryption_key.id),
	STR("type", "data.encryptionKey.type", cpj_job_data,
	    encryption_key.type),
};
static const struct table key_t = TABLE(key_f);

static const struct field data_f[] = {
	{ N("actionTypeId"), "data.actionTypeId", F_OBJ,
	    CPJ_JOB_F_ACTION_TYPE_ID, 0, 0, NOPRES, &action_type_t },
	{ N("actionConfiguration"), "data.actionConfiguration", F_OBJ,
	    CPJ_JOB_F_ACTION_CONFIGURATION, 0, 0, NOPRES, &action_config_t },
	{ N("pipelineContext"), "data.pipelineContext", F_OBJ,
	    CPJ_JOB_F_PIPELINE_CONTEXT, 0, 0, NOPRES, &pipeline_t },
	{ N("inputArtifacts"), "data.inputArtifacts", F_LIST,
	    CPJ_JOB_F_INPUT_ARTIFACTS, offsetof(cpj_job_data, input_artifacts),
	    offsetof(cpj_job_data, input_artifacts_count), NOPRES, &in_art_t },
	{ N("outputArtifacts"), "data.outputArtifacts", F_LIST,
	    CPJ_JOB_F_OUTPUT_ARTIFACTS, offsetof(cpj_job_data, output_artifacts),
	    offsetof(cpj_job_data, output_artifacts_count), NOPRES, &out_art_t },
	{ N("artifactCredentials"), "data.artifactCredentials", F_OBJ,
	    CPJ_JOB_F_ARTIFACT_CREDENTIALS, 0, 0, NOPRES, &creds_t },
	STR("continuationToken", "data.continuationToken", cpj_job_data,
	    continuation_token),
	{ N("encryptionKey"), "data.encryptionKey", F_OBJ,
	    CPJ_JOB_F_ENCRYPTION_KEY, 0, 0, NOPRES, &key_t },
};
static const struct table data_t = TABLE(data_f);

/* Job, JobDetails and ThirdPartyJobDetails; offsets in cpj_job. */
static const struct field job_f[] = {
	STR("id", "id", cpj_job, id),
	{ N("data"), "data", F_OBJ, CPJ_JOB_F_DATA, offsetof(cpj_job, data), 0,
	    NOPRES, &data_t },
	STR("nonce", "nonce", cpj_job, nonce),
	STR("accountId", "accountId", cpj_job, account_id),
};
static const struct table job_t = TABLE(job_f);

/* ThirdPartyJob (PollForThirdPartyJobs). */
#if CPJ_CONFIG_THIRD_PARTY
static const struct field tp_job_f[] = {
	STR("clientId", "clientId", cpj_job, client_id),
	STR("jobId", "jobId", cpj_job, id),
};
static const struct table tp_job_t = TABLE(tp_job_f);
#endif

/* ---- mapping tokens to a job ----------------------------------------- */

struct map {
	const char *js;
	const cpj_json_tok *t;
	int n;
	cpj_job *job;
	int err;
	const char *field;
	const char *detail;         /* for cpj_job.err_detail */
	int key;                    /* token of the configuration key whose
	                               value failed, or -1 */
};

/* cpj_job.err_detail texts (listed in cpj_jobs.h). */
#define XSTR(x) #x
#define NUM(x) XSTR(x)
static const char d_not_str[] = "is not a string";
static const char d_not_obj[] = "is not an object";
static const char d_not_arr[] = "is not an array";
static const char d_elem[] = "has an element that is not an object";
static const char d_config_max[] = "more than " NUM(CPJ_JOB_CONFIG_MAX)
    " keys (CPJ_JOB_CONFIG_MAX)";
static const char d_art_max[] = "more than " NUM(CPJ_JOB_ARTIFACTS_MAX)
    " artifacts (CPJ_JOB_ARTIFACTS_MAX)";
static const char d_window[] =
    "the job's JSON is larger than the parser's window";
static const char d_tokens[] =
    "the job's JSON has more values than the parser's token array";
static const char d_internal[] = "internal error";
/* [0] for a value, [1] for a configuration key */
static const char *const d_nul[2] = { "contains U+0000 (\\u0000)",
    "a key contains U+0000 (\\u0000)" };
static const char *const d_surrogate[2] = {
    "contains a lone UTF-16 surrogate (\\ud800-\\udfff)",
    "a key contains a lone UTF-16 surrogate (\\ud800-\\udfff)" };
static const char *const d_storage[2] = {
    "does not fit the job's string storage",
    "a key does not fit the job's string storage" };
static const char *const d_invalid[2] = { "is not valid JSON text",
    "a key is not valid JSON text" };

static void
map_fail(struct map *m, int err, const char *field, const char *detail)
{
	if (m->err == 0) {
		m->err = err;
		m->field = field;
		m->detail = detail;
	}
}

/*
 * Whether raw string text s[0..n) holds a \u0000 escape. The scanner
 * checked every escape's syntax, so a string that fails to decode with
 * CPJ_ERR_JSON_ESCAPE holds either that or a lone surrogate.
 */
static int
has_nul_escape(const char *s, size_t n)
{
	size_t i = 0;

	while (n - i >= 6) {
		const char *b = memchr(s + i, '\\', n - i - 5);

		if (b == NULL)
			return 0;
		i = (size_t)(b - s);
		if (b[1] == 'u' && memcmp(b + 2, "0000", 4) == 0)
			return 1;
		i += 2;         /* the rest of an escape holds no backslash */
	}
	return 0;
}

static cpj_job_str *
str_at(char *base, size_t off)
{
	return (cpj_job_str *)(void *)(base + off);
}

static size_t *
count_at(char *base, size_t off)
{
	return (size_t *)(void *)(base + off);
}

/* Every string of the table's members "" and every count 0. */
static void
clear(char *base, const struct table *tab)
{
	size_t k;

	for (k = 0; k < tab->n; k++) {
		const struct field *f = &tab->f[k];
		cpj_job_str *s;

		if (f->off_present != NOPRES)
			base[f->off_present] = 0;
		switch (f->kind) {
		case F_STR:
			s = str_at(base, f->off);
			s->p = empty;
			s->len = 0;
			break;
		case F_OBJ:
			clear(base + f->off, f->sub);
			break;
		default:
			*count_at(base, f->off_count) = 0;
			break;
		}
	}
}

static int
is_null(const struct map *m, int i)
{
	return m->t[i].type == CPJ_JSON_PRIMITIVE && m->js[m->t[i].start] == 'n';
}

#define ONES ((uint64_t)0x0101010101010101u)

/* Whether p[0..n) holds a backslash; eight bytes at a time. */
static int
has_backslash(const char *p, size_t n)
{
	size_t i;

	if (n >= 64)
		return memchr(p, '\\', n) != NULL;    /* vectorised in libc */
	for (i = 0; n - i >= 8; i += 8) {
		uint64_t v, x;

		memcpy(&v, p + i, 8);
		x = v ^ (ONES * '\\');
		if (((x - ONES) & ~x & (ONES * 0x80)) != 0)
			return 1;
	}
	for (; i < n; i++) {
		if (p[i] == '\\')
			return 1;
	}
	return 0;
}

/* Whether name token i is exactly `name` (raw text, no escapes). */
static int
raw_is(const struct map *m, int i, const struct field *f)
{
	const char *k = m->js + m->t[i].start;
	size_t n = f->nlen;

	/* length, first and last byte decide all but the match itself */
	return (size_t)(m->t[i].end - m->t[i].start) == n
	    && k[0] == f->name[0] && k[n - 1] == f->name[n - 1]
	    && memcmp(k, f->name, n) == 0;
}

/*
 * Decode string token i into the job's storage; null is absent. `key`:
 * 1 for a configuration key (for err_detail).
 */
static void
put_str(struct map *m, int i, cpj_job_str *dst, const char *path, int key)
{
	cpj_job *job = m->job;
	const cpj_json_tok *t = &m->t[i];
	const char *src = m->js + t->start;
	char *out = job->store + job->store_used;
	size_t room = job->store_cap - job->store_used, len;
	int r;

	if (is_null(m, i)) {
		dst->p = empty;
		dst->len = 0;
		return;
	}
	if (t->type != CPJ_JSON_STRING) {
		map_fail(m, CPJ_ERR_JSON_TYPE, path, d_not_str);
		return;
	}
	len = (size_t)(t->end - t->start);
	if (len < 64 && len < room) {
		/* short strings: copy eight bytes at a time up to a backslash */
		size_t k = 0, rest;

		while (len - k >= 8) {
			uint64_t v, x;

			memcpy(&v, src + k, 8);
			x = v ^ (ONES * '\\');
			if (((x - ONES) & ~x & (ONES * 0x80)) != 0)
				break;
			memcpy(out + k, &v, 8);
			k += 8;
		}
		while (k < len && src[k] != '\\') {
			out[k] = src[k];
			k++;
		}
		if (k == len) {
			out[len] = '\0';
			goto done;
		}
		r = cpj_json_unescape(src + k, len - k, out + k, room - k, &rest);
		len = k + rest;
	} else if (memchr(src, '\\', len) == NULL) {
		/* long and nothing to decode (the scanner validated it) */
		if (len >= room) {
			map_fail(m, CPJ_ERR_JSON_JOB_TOO_LARGE, path,
			    d_storage[key]);
			return;
		}
		memcpy(out, src, len);
		out[len] = '\0';
		goto done;
	} else {
		r = cpj_json_unescape(src, len, out, room, &len);
	}
	if (r < 0) {
		/* wipe what the failed decode may have written */
		len = (size_t)(t->end - t->start) + 1;
		wipe(out, len < room ? len : room);
		if (r == CPJ_ERR_JSON_FIELD_TOO_LONG)
			map_fail(m, CPJ_ERR_JSON_JOB_TOO_LARGE, path,
			    d_storage[key]);
		else if (r == CPJ_ERR_JSON_ESCAPE)
			map_fail(m, r, path, has_nul_escape(src,
			    (size_t)(t->end - t->start)) ? d_nul[key]
			    : d_surrogate[key]);
		else
			map_fail(m, r, path, d_invalid[key]);
		return;
	}
done:
	dst->p = out;
	dst->len = len;
	job->store_used += len + 1;
}

/* The member of `tab` named by key token i, or NULL. */
static const struct field *
lookup(const struct map *m, int i, const struct table *tab)
{
	char buf[CPJ_JOBS_NAME_MAX];
	const char *k = m->js + m->t[i].start;
	size_t klen = (size_t)(m->t[i].end - m->t[i].start), n;

	/* the names we know have no escapes: compare the raw text first */
	for (n = 0; n < tab->n; n++) {
		if (raw_is(m, i, &tab->f[n]))
			return &tab->f[n];
	}
	if (!has_backslash(k, klen))
		return NULL;
	if (cpj_json_unescape(k, klen, buf, sizeof buf, &klen) < 0)
		return NULL;
	k = buf;
	for (n = 0; n < tab->n; n++) {
		if (tab->f[n].nlen == klen
		    && memcmp(tab->f[n].name, k, klen) == 0)
			return &tab->f[n];
	}
	return NULL;
}

/* Index after token i's subtree. */
static int
next(struct map *m, int i)
{
	int r = cpj_json_next(m->t, m->n, i);

	if (r < 0 || r > m->n) {
		map_fail(m, CPJ_ERR_INTERNAL, "tokens", d_internal);
		return m->n;
	}
	return r;
}

static int map_object(struct map *m, int obj, const struct table *tab,
    char *base);

/* The configuration map at token v; returns the index after it. */
static int
map_config(struct map *m, const struct field *f, int v, char *base)
{
	cpj_job_config_entry *e = (cpj_job_config_entry *)(void *)(base
	    + f->off);
	size_t *count = count_at(base, f->off_count);
	int i, k;

	i = v + 1;
	for (k = 0; k < m->t[v].size; k++) {
		cpj_job_str key, val;
		size_t j;

		if (m->err != 0 || i + 1 >= m->n)
			return m->n;
		put_str(m, i, &key, f->path, 1);
		if (m->err == 0) {
			/* when the value fails, err_key names it */
			put_str(m, i + 1, &val, f->path, 0);
			if (m->err != 0)
				m->key = i;
		}
		if (m->err != 0)
			return m->n;
		/* a repeated key replaces the earlier value */
		for (j = 0; j < *count; j++) {
			if (e[j].key.len == key.len
			    && memcmp(e[j].key.p, key.p, key.len) == 0)
				break;
		}
		if (j == *count) {
			if (*count == CPJ_JOB_CONFIG_MAX) {
				map_fail(m, CPJ_ERR_JSON_JOB_TOO_LARGE, f->path,
				    d_config_max);
				return m->n;
			}
			e[j].key = key;
			(*count)++;
		}
		e[j].value = val;
		i += 2;
	}
	return i;
}

static void
artifact_clear(cpj_job_artifact *a)
{
	a->name.p = a->revision.p = a->location.type.p = empty;
	a->location.s3_location.bucket_name.p = empty;
	a->location.s3_location.object_key.p = empty;
	a->name.len = a->revision.len = a->location.type.len = 0;
	a->location.s3_location.bucket_name.len = 0;
	a->location.s3_location.object_key.len = 0;
	a->location.present = 0;
	a->location.s3_location_present = 0;
}

/* The artifact list at token v; returns the index after it. */
static int
map_list(struct map *m, const struct field *f, int v, char *base)
{
	cpj_job_artifact *a = (cpj_job_artifact *)(void *)(base + f->off);
	size_t *count = count_at(base, f->off_count);
	int i, k;

	if (m->t[v].type != CPJ_JSON_ARRAY) {
		map_fail(m, CPJ_ERR_JSON_TYPE, f->path, d_not_arr);
		return m->n;
	}
	i = v + 1;
	for (k = 0; k < m->t[v].size; k++) {
		if (m->err != 0 || i >= m->n)
			return m->n;
		if (m->t[i].type != CPJ_JSON_OBJECT) {
			map_fail(m, CPJ_ERR_JSON_TYPE, f->path, d_elem);
			return m->n;
		}
		if (*count == CPJ_JOB_ARTIFACTS_MAX) {
			map_fail(m, CPJ_ERR_JSON_JOB_TOO_LARGE, f->path,
			    d_art_max);
			return m->n;
		}
		artifact_clear(&a[*count]);
		i = map_object(m, i, f->sub, (char *)&a[*count]);
		(*count)++;
	}
	return i;
}

/* Member value v described by f; returns the index after it. */
static int
map_value(struct map *m, const struct field *f, int v, char *base)
{
	unsigned char *present = (f->off_present != NOPRES)
	    ? (unsigned char *)base + f->off_present : NULL;

	if (f->kind == F_STR) {
		put_str(m, v, str_at(base, f->off), f->path, 0);
		return v + 1;
	}
	/* a repeated member replaces the earlier one; null is absent */
	if (f->kind == F_OBJ) {
		if ((m->job->flags & f->flag) != 0
		    || (present != NULL && *present))
			clear(base + f->off, f->sub);
	} else {
		*count_at(base, f->off_count) = 0;
	}
	m->job->flags &= ~f->flag;
	if (present != NULL)
		*present = 0;
	if (is_null(m, v))
		return v + 1;
	m->job->flags |= f->flag;
	if (present != NULL)
		*present = 1;
	switch (f->kind) {
	case F_OBJ:
		if (m->t[v].type != CPJ_JSON_OBJECT)
			break;
		return map_object(m, v, f->sub, base + f->off);
	case F_MAP:
		if (m->t[v].type != CPJ_JSON_OBJECT)
			break;
		return map_config(m, f, v, base);
	default:
		return map_list(m, f, v, base);
	}
	map_fail(m, CPJ_ERR_JSON_TYPE, f->path, d_not_obj);
	return m->n;
}

/* The members of object obj; returns the index after the object. */
static int
map_object(struct map *m, int obj, const struct table *tab, char *base)
{
	int i = obj + 1, k;

	for (k = 0; k < m->t[obj].size; k++) {
		const struct field *f;

		if (m->err != 0)
			return m->n;
		if (i + 1 >= m->n) {
			map_fail(m, CPJ_ERR_INTERNAL, "tokens", d_internal);
			return m->n;
		}
		f = lookup(m, i, tab);
		i = (f != NULL) ? map_value(m, f, i + 1, base) : next(m, i + 1);
	}
	return i;
}

/* ---- job slots -------------------------------------------------------- */

static void
job_clear(cpj_job *job)
{
	char *store = job->store;
	size_t cap = job->store_cap;
	cpj_job_str *const views[] = {
		&job->id, &job->nonce, &job->account_id, &job->client_id,
		&job->data.action_type_id.category,
		&job->data.action_type_id.owner,
		&job->data.action_type_id.provider,
		&job->data.action_type_id.version,
		&job->data.pipeline_context.pipeline_name,
		&job->data.pipeline_context.stage.name,
		&job->data.pipeline_context.action.name,
		&job->data.pipeline_context.action.action_execution_id,
		&job->data.pipeline_context.pipeline_arn,
		&job->data.pipeline_context.pipeline_execution_id,
		&job->data.artifact_credentials.access_key_id,
		&job->data.artifact_credentials.secret_access_key,
		&job->data.artifact_credentials.session_token,
		&job->data.continuation_token,
		&job->data.encryption_key.id,
		&job->data.encryption_key.type,
	};
	size_t k;

	/*
	 * Every member but the configuration entries and the artifacts,
	 * which are set as they are added (the counts say how many are).
	 */
	job->err = 0;
	job->err_field = NULL;
	job->err_detail = NULL;
	job->err_key = NULL;
	job->flags = 0;
	for (k = 0; k < CPJ_ARRAY_LEN(views); k++) {
		views[k]->p = empty;
		views[k]->len = 0;
	}
	job->data.configuration_count = 0;
	job->data.configuration_present = 0;
	job->data.pipeline_context.stage_present = 0;
	job->data.pipeline_context.action_present = 0;
	job->data.input_artifacts_count = 0;
	job->data.output_artifacts_count = 0;
	job->store = store;
	job->store_cap = cap;
	job->store_used = 0;
}

/* see cpj_jobs.h */
int
cpj_job_str_present(const cpj_job_str *s)
{
	return s != NULL && s->p != NULL && s->p != empty;
}

/* see cpj_jobs.h */
void
cpj_job_wipe(cpj_job *job)
{
	if (job == NULL)
		return;
	if (job->store != NULL)
		wipe(job->store, job->store_used);
	job_clear(job);
}

/* Copy s[0..n) and a NUL into the job's storage as *dst, if it fits. */
static void
keep(cpj_job *job, const char *s, size_t n, cpj_job_str *dst)
{
	char *out = job->store + job->store_used;

	if (n >= job->store_cap - job->store_used)
		return;
	memcpy(out, s, n);
	out[n] = '\0';
	dst->p = out;
	dst->len = n;
	job->store_used += n + 1;
}

/*
 * Decode configuration key token `key` of the window into the job's
 * storage as err_key, cut to CPJ_JOB_ERR_KEY_MAX bytes at a character
 * boundary.
 */
static void
keep_key(cpj_jobs_parser *p, cpj_job *job, int key)
{
	const cpj_json_tok *t = &p->toks[key];
	size_t raw = (size_t)(t->end - t->start), n;
	char *out = job->store + job->store_used;

	if (raw >= job->store_cap - job->store_used)
		return;
	if (cpj_json_unescape(p->win + t->start, raw, out, raw + 1, &n) < 0) {
		wipe(out, raw + 1);     /* decoded before: cannot happen */
		return;
	}
	if (n > CPJ_JOB_ERR_KEY_MAX) {
		n = CPJ_JOB_ERR_KEY_MAX;
		while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
			n--;
		wipe(out + n, raw + 1 - n);
	}
	out[n] = '\0';
	job->err_key = out;
	job->store_used += n + 1;
}

/*
 * The job could not be read: wipe what was, keep the id and nonce stage 1
 * captured and the configuration key token `key` (or -1) names.
 */
static void
job_fail(cpj_jobs_parser *p, cpj_job *job, int err, const char *field,
    const char *detail, int key)
{
	cpj_job_wipe(job);
	job->err = err;
	job->err_field = field;
	job->err_detail = detail;
	if (p->id_ok)
		keep(job, p->id, p->id_len, &job->id);
	if (p->nonce_ok)
		keep(job, p->nonce, p->nonce_len, &job->nonce);
	if (key >= 0)
		keep_key(p, job, key);
	CPJ_LOG_W("jobs: job %s not read: %s (%s: %s)",
	    job->id.len != 0 ? job->id.p : "(id unknown)", cpj_strerror(err),
	    field, detail);
}

/* ---- stage 1: following the body ------------------------------------- */

static int
fail(cpj_jobs_parser *p, int err)
{
	size_t k;

	if (p->err == 0)
		p->err = err;
	for (k = 0; k < p->count; k++)
		p->jobs[k].flags |= CPJ_JOB_F_RESPONSE_FAILED;
	if (p->in_job && p->win != NULL) {
		wipe(p->win, p->win_len);
		p->win_len = 0;
		p->in_job = 0;
	}
	return p->err;
}

static void
win_put(cpj_jobs_parser *p, const char *d, size_t n)
{
	if (p->too_large)
		return;
	if (n > p->win_cap - p->win_len) {
		p->too_large = 1;
		return;
	}
	memcpy(p->win + p->win_len, d, n);
	p->win_len += n;
}

static void
cap_put(char *buf, size_t cap, size_t *len, unsigned char *over,
    const char *d, size_t n)
{
	if (*over)
		return;
	if (n > cap - *len) {
		*over = 1;
		return;
	}
	memcpy(buf + *len, d, n);
	*len += n;
}

/*
 * Decode the captured member name (raw, closing quote included) in place;
 * name_len becomes its decoded length. 0 when it cannot be decoded or
 * did not fit (then it is none of ours).
 */
static int
name_decode(cpj_jobs_parser *p)
{
	size_t len;

	if (p->name_over || p->name_len == 0)
		return 0;
	len = p->name_len - 1;
	if (memchr(p->name, '\\', len) != NULL
	    && cpj_json_unescape(p->name, len, p->name, sizeof p->name,
	    &len) < 0)
		return 0;
	p->name_len = len;
	return 1;
}

/* Whether the decoded member name is `want`. */
static int
name_is(const cpj_jobs_parser *p, const char *want)
{
	size_t len = strlen(want);

	return p->name_len == len && memcmp(p->name, want, len) == 0;
}

/*
 * Decode a captured string value (raw, closing quote included) in place;
 * 1 when it decodes to at most `max` bytes.
 */
static int
value_decode(char *buf, size_t cap, unsigned char over, size_t *len,
    size_t max)
{
	size_t n;

	if (over || *len == 0 || cpj_json_unescape(buf, *len - 1, buf, cap,
	    &n) < 0 || n > max)
		return 0;
	*len = n;
	return 1;
}

static int
job_begin(cpj_jobs_parser *p)
{
	if (p->count >= p->max_jobs)
		return CPJ_ERR_NOSPACE;
	p->in_job = 1;
	p->too_large = 0;
	p->win_len = 0;
	p->id_ok = 0;
	p->id_next = 0;
	p->id_cap = 0;
	p->nonce_ok = 0;
	p->nonce_next = 0;
	p->nonce_cap = 0;
	win_put(p, "{", 1);
	return CPJ_OK;
}

static int
job_end(cpj_jobs_parser *p)
{
	cpj_job *job = &p->jobs[p->count];
	struct map m;
	int r;

	p->in_job = 0;
	job->store = p->storage + p->count * p->slice;
	job->store_cap = p->slice;
	job->store_used = 0;
	job_clear(job);
	p->count++;
	if (p->too_large) {
		job_fail(p, job, CPJ_ERR_JSON_JOB_TOO_LARGE, "window", d_window,
		    -1);
		r = CPJ_OK;
		goto out;
	}
	r = cpj_json_tokenize(p->win, p->win_len, p->toks, p->ntoks);
	if (r == CPJ_ERR_JSON_TOKENS) {
		job_fail(p, job, CPJ_ERR_JSON_JOB_TOO_LARGE, "tokens", d_tokens,
		    -1);
		r = CPJ_OK;
		goto out;
	}
	if (r < 1 || p->toks[0].type != CPJ_JSON_OBJECT) {
		/* the scanner validated this text: cannot happen */
		r = CPJ_ERR_INTERNAL;
		goto out;
	}
	m.js = p->win;
	m.t = p->toks;
	m.n = r;
	m.job = job;
	m.err = 0;
	m.field = NULL;
	m.detail = NULL;
	m.key = -1;
#if CPJ_CONFIG_THIRD_PARTY
	map_object(&m, 0, p->mode == CPJ_JOBS_THIRD_PARTY_POLL ? &tp_job_t
	    : &job_t, (char *)job);
#else
	map_object(&m, 0, &job_t, (char *)job);
#endif
	if (m.err != 0)
		job_fail(p, job, m.err, m.field, m.detail, m.key);
	r = CPJ_OK;
out:
	wipe(p->win, p->win_len);
	p->win_len = 0;
	return r;
}

static int
on_begin(cpj_jobs_parser *p)
{
	const cpj_json_scanner *s = &p->scan;
	uint32_t lv = s->ev_level;

	if (lv == 0)
		return (s->ev_type == CPJ_JSON_OBJECT) ? CPJ_OK
		    : CPJ_ERR_JSON_TYPE;
	if (s->ev_key) {
		if (lv == 1 || (p->in_job && lv == p->job_level + 1)) {
			p->name_cap = 1;
			p->name_len = 0;
			p->name_over = 0;
		}
		return CPJ_OK;
	}
	if (lv == 1) {
		if (!p->top_match)
			return CPJ_OK;
		if (p->seen_top)
			return CPJ_ERR_API_RESPONSE;
		p->seen_top = 1;
		if (s->ev_char == 'n')
			return CPJ_OK;          /* null: no jobs */
		if (p->mode == CPJ_JOBS_DETAILS)
			return (s->ev_type == CPJ_JSON_OBJECT) ? job_begin(p)
			    : CPJ_ERR_JSON_TYPE;
		if (s->ev_type != CPJ_JSON_ARRAY)
			return CPJ_ERR_JSON_TYPE;
		p->in_list = 1;
		return CPJ_OK;
	}
	if (p->in_list && !p->in_job && lv == 2)
		return (s->ev_type == CPJ_JSON_OBJECT) ? job_begin(p)
		    : CPJ_ERR_JSON_TYPE;
	if (p->in_job && lv == p->job_level + 1) {
		if (p->id_next && s->ev_type == CPJ_JSON_STRING) {
			p->id_cap = 1;
			p->id_len = 0;
			p->id_over = 0;
		}
		if (p->nonce_next) {
			/* the last "nonce" wins, also when it is not a string */
			p->nonce_ok = 0;
			if (s->ev_type == CPJ_JSON_STRING) {
				p->nonce_cap = 1;
				p->nonce_len = 0;
				p->nonce_over = 0;
			}
		}
		p->id_next = 0;
		p->nonce_next = 0;
	}
	return CPJ_OK;
}

static int
on_end(cpj_jobs_parser *p)
{
	const cpj_json_scanner *s = &p->scan;
	uint32_t lv = s->ev_level;
	int tp = p->mode == CPJ_JOBS_THIRD_PARTY_POLL;

	if (s->ev_key) {
		if (p->name_cap) {
			int ok;

			p->name_cap = 0;
			ok = name_decode(p);
			if (lv == 1) {
				p->top_match = ok && name_is(p,
				    p->mode == CPJ_JOBS_DETAILS ? "jobDetails"
				    : "jobs");
			} else {
				p->id_next = ok && name_is(p, tp ? "jobId"
				    : "id");
				/* a ThirdPartyJob has no nonce */
				p->nonce_next = ok && !tp
				    && name_is(p, "nonce");
			}
		}
		return CPJ_OK;
	}
	if (p->id_cap && lv == p->job_level + 1) {
		/* decode the id in place; the last "id" member wins */
		p->id_cap = 0;
		p->id_ok = (unsigned char)value_decode(p->id, sizeof p->id,
		    p->id_over, &p->id_len, sizeof p->id);
		return CPJ_OK;
	}
	if (p->nonce_cap && lv == p->job_level + 1) {
		p->nonce_cap = 0;
		p->nonce_ok = (unsigned char)value_decode(p->nonce,
		    sizeof p->nonce, p->nonce_over, &p->nonce_len,
		    CPJ_JOBS_NONCE_LEN_MAX);
		return CPJ_OK;
	}
	if (p->in_job && lv == p->job_level)
		return job_end(p);
	if (p->in_list && lv == 1)
		p->in_list = 0;
	return CPJ_OK;
}

/* see cpj_jobs.h */
int
cpj_jobs_parser_init(cpj_jobs_parser *p, int mode,
    char *window, size_t window_len, cpj_json_tok *tokens, unsigned ntokens,
    cpj_job *jobs, size_t max_jobs, char *storage, size_t storage_len)
{
	if (p == NULL)
		return CPJ_ERR_PARAM;
	memset(p, 0, sizeof *p);
#if !CPJ_CONFIG_THIRD_PARTY
	if (mode == CPJ_JOBS_THIRD_PARTY_POLL)
		return p->err = CPJ_ERR_UNSUPPORTED;
#endif
	if ((mode != CPJ_JOBS_POLL && mode != CPJ_JOBS_DETAILS
	    && mode != CPJ_JOBS_THIRD_PARTY_POLL)
	    || window == NULL || window_len < 2 || window_len > 2147483647u
	    || tokens == NULL || ntokens == 0 || ntokens > 2147483647u
	    || jobs == NULL || max_jobs == 0 || max_jobs > 2147483647u
	    || storage == NULL || storage_len < max_jobs) {
		p->err = CPJ_ERR_PARAM;
		return CPJ_ERR_PARAM;
	}
	p->mode = mode;
	p->win = window;
	p->win_cap = window_len;
	p->toks = tokens;
	p->ntoks = ntokens;
	p->jobs = jobs;
	p->max_jobs = max_jobs;
	p->storage = storage;
	p->slice = storage_len / max_jobs;
	p->job_level = (mode == CPJ_JOBS_DETAILS) ? 1 : 2;
	cpj_json_scan_init(&p->scan, p->job_level + 1);
	return CPJ_OK;
}

/* see cpj_jobs.h */
int
cpj_jobs_parser_feed(cpj_jobs_parser *p, const void *data, size_t len)
{
	const char *d = data;
	int r;

	if (p->err != 0)
		return p->err;
	if (d == NULL && len != 0)
		return fail(p, CPJ_ERR_PARAM);
	while (len > 0) {
		size_t n = cpj_json_scan(&p->scan, d, len);

		if (p->in_job)
			win_put(p, d, n);
		if (p->name_cap)
			cap_put(p->name, sizeof p->name, &p->name_len,
			    &p->name_over, d, n);
		if (p->id_cap)
			cap_put(p->id, sizeof p->id, &p->id_len, &p->id_over,
			    d, n);
		if (p->nonce_cap)
			cap_put(p->nonce, sizeof p->nonce, &p->nonce_len,
			    &p->nonce_over, d, n);
		d += n;
		len -= n;
		switch (p->scan.ev) {
		case CPJ_JSON_EV_NONE:
			break;
		case CPJ_JSON_EV_BEGIN:
			r = on_begin(p);
			if (r < 0)
				return fail(p, r);
			break;
		case CPJ_JSON_EV_END:
			r = on_end(p);
			if (r < 0)
				return fail(p, r);
			break;
		default:
			return fail(p, p->scan.err != 0 ? p->scan.err
			    : CPJ_ERR_INTERNAL);
		}
	}
	return CPJ_OK;
}

/* see cpj_jobs.h */
int
cpj_jobs_parser_finish(cpj_jobs_parser *p)
{
	int r;

	if (p->err != 0)
		return p->err;
	r = cpj_json_scan_finish(&p->scan);
	if (r < 0)
		return fail(p, r);
	return (int)p->count;
}
