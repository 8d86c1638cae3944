/*
 * cp_jobs_map.c -- stage 2 of the streaming job parser (cpj_jobs.h): the
 * tokens of one job, read from the window by jsmn, mapped through the
 * member tables below into the caller's cpj_job.
 */
#include "cp_jobs_int.h"

/* ---- member tables ---------------------------------------------------- */

enum {
	F_STR,   /* string -> cpj_job_str at off */
	F_OBJ,   /* object -> members of sub, relative to base + off */
	F_MAP,   /* configuration map -> entries at off, count at off_count */
	F_LIST   /* array of artifacts -> elements at off, count at off_count */
};

/*
 * The path of every member (for cpj_job.err_field; it ends with the
 * member's name), in one string: a member holds its path's offset in 16
 * bits, not a pointer. PATHS lists them; struct paths has one member of
 * each path's size, so that offsetof() gives where it starts.
 */
#define ART_PATHS(X, P, path) \
	X(P##_BUCKET, path "[].location.s3Location.bucketName") \
	X(P##_OBJKEY, path "[].location.s3Location.objectKey") \
	X(P##_LTYPE, path "[].location.type") \
	X(P##_S3LOC, path "[].location.s3Location") \
	X(P##_NAME, path "[].name") \
	X(P##_REVISION, path "[].revision") \
	X(P##_LOCATION, path "[].location")
#if CPJ_CONFIG_THIRD_PARTY
#define TP_PATHS(X) X(P_CLIENT_ID, "clientId") X(P_JOB_ID, "jobId")
#else
#define TP_PATHS(X)
#endif
#define PATHS(X) \
	ART_PATHS(X, IN, "data.inputArtifacts") \
	ART_PATHS(X, OUT, "data.outputArtifacts") \
	X(P_CATEGORY, "data.actionTypeId.category") \
	X(P_OWNER, "data.actionTypeId.owner") \
	X(P_PROVIDER, "data.actionTypeId.provider") \
	X(P_VERSION, "data.actionTypeId.version") \
	X(P_CONFIGURATION, "data.actionConfiguration.configuration") \
	X(P_STAGE_NAME, "data.pipelineContext.stage.name") \
	X(P_ACTION_NAME, "data.pipelineContext.action.name") \
	X(P_ACTION_EXEC, "data.pipelineContext.action.actionExecutionId") \
	X(P_PIPELINE_NAME, "data.pipelineContext.pipelineName") \
	X(P_STAGE, "data.pipelineContext.stage") \
	X(P_ACTION, "data.pipelineContext.action") \
	X(P_PIPELINE_ARN, "data.pipelineContext.pipelineArn") \
	X(P_PIPELINE_EXEC, "data.pipelineContext.pipelineExecutionId") \
	X(P_AKID, "data.artifactCredentials.accessKeyId") \
	X(P_SECRET, "data.artifactCredentials.secretAccessKey") \
	X(P_TOKEN, "data.artifactCredentials.sessionToken") \
	X(P_KEY_ID, "data.encryptionKey.id") \
	X(P_KEY_TYPE, "data.encryptionKey.type") \
	X(P_ACTION_TYPE, "data.actionTypeId") \
	X(P_ACTION_CONFIG, "data.actionConfiguration") \
	X(P_CONTEXT, "data.pipelineContext") \
	X(P_INPUT, "data.inputArtifacts") \
	X(P_OUTPUT, "data.outputArtifacts") \
	X(P_CREDS, "data.artifactCredentials") \
	X(P_CONTINUATION, "data.continuationToken") \
	X(P_ENCRYPTION_KEY, "data.encryptionKey") \
	X(P_ID, "id") \
	X(P_DATA, "data") \
	X(P_NONCE, "nonce") \
	X(P_ACCOUNT_ID, "accountId") \
	TP_PATHS(X)

#define PATH_MEMBER(id, s) char id[sizeof(s)];
#define PATH_TEXT(id, s) s "\0"
struct paths {
	PATHS(PATH_MEMBER)
};
static const char paths[] = PATHS(PATH_TEXT);
typedef char paths_fit[sizeof(struct paths) + 1 == sizeof paths
    && sizeof paths <= 0xffffu ? 1 : -1];

/* 12 bytes a member on any board: offsets in 16 bits, the sub-table by
 * its index, the flag (one bit of 0x0002..0x0100) by its bit number
 * beside the kind. */
struct field {
	unsigned short path;        /* in paths; for cpj_job.err_field */
	unsigned char name_off;     /* the member name in the JSON at this */
	unsigned char nlen;         /* offset in the path, of this length */
	unsigned char kind;         /* F_*, and the flag's bit number << 2 */
	unsigned char sub;          /* F_OBJ, F_LIST: the members' T_* */
	unsigned short off;
	unsigned short off_count;
	unsigned short off_present; /* unsigned char set when present, or NOPRES */
};

#define NOPRES 0xffffu
typedef char offsets_fit[sizeof(cpj_job) < NOPRES ? 1 : -1];

/* Path `id` and where the member name ends it. */
#define NP(name, id) offsetof(struct paths, id), \
	sizeof(((struct paths *)0)->id) - sizeof(name), sizeof(name) - 1
#define PATH(f) (paths + (f)->path)
/* The member name of f. */
#define NAME(f) (PATH(f) + (f)->name_off)
#define SUB(f) (&tables[(f)->sub])
#define KIND(f) ((f)->kind & 3u)
/* The bit number of a CPJ_JOB_F_* flag (0 for none: FLAG() is 0). */
#define BITNO(x) ((x) == 0x2 ? 1 : (x) == 0x4 ? 2 : (x) == 0x8 ? 3 \
    : (x) == 0x10 ? 4 : (x) == 0x20 ? 5 : (x) == 0x40 ? 6 : (x) == 0x80 ? 7 \
    : (x) == 0x100 ? 8 : 0)
#define FLAG(f) ((1u << ((f)->kind >> 2)) & ~1u)
typedef char flags_fit[CPJ_JOB_F_DATA == 1u << 1
    && CPJ_JOB_F_ENCRYPTION_KEY == 1u << 8 ? 1 : -1];

#define STR(name, id, type, member) \
	{ NP(name, id), F_STR, 0, offsetof(type, member), 0, NOPRES }
#define OBJ(name, id, table, flag, off, present) \
	{ NP(name, id), F_OBJ | BITNO(flag) << 2, table, off, 0, present }

/* The members of each table, listed by TABLES below. */
#define ART_S3_F(pfx) \
	STR("bucketName", pfx##_BUCKET, cpj_job_artifact, \
	    location.s3_location.bucket_name), \
	STR("objectKey", pfx##_OBJKEY, cpj_job_artifact, \
	    location.s3_location.object_key)
#define ART_LOC_F(pfx) \
	STR("type", pfx##_LTYPE, cpj_job_artifact, location.type), \
	OBJ("s3Location", pfx##_S3LOC, T_##pfx##_S3, 0, 0, \
	    offsetof(cpj_job_artifact, location.s3_location_present))
#define ART_F(pfx) \
	STR("name", pfx##_NAME, cpj_job_artifact, name), \
	STR("revision", pfx##_REVISION, cpj_job_artifact, revision), \
	OBJ("location", pfx##_LOCATION, T_##pfx##_LOC, 0, 0, \
	    offsetof(cpj_job_artifact, location.present))

/* Offsets of these are relative to the cpj_job_data. */
#define ACTION_TYPE_F \
	STR("category", P_CATEGORY, cpj_job_data, action_type_id.category), \
	STR("owner", P_OWNER, cpj_job_data, action_type_id.owner), \
	STR("provider", P_PROVIDER, cpj_job_data, action_type_id.provider), \
	STR("version", P_VERSION, cpj_job_data, action_type_id.version)
#define ACTION_CONFIG_F \
	{ NP("configuration", P_CONFIGURATION), F_MAP, 0, \
	    offsetof(cpj_job_data, configuration), \
	    offsetof(cpj_job_data, configuration_count), \
	    offsetof(cpj_job_data, configuration_present) }
#define STAGE_F \
	STR("name", P_STAGE_NAME, cpj_job_data, pipeline_context.stage.name)
#define ACTION_F \
	STR("name", P_ACTION_NAME, cpj_job_data, \
	    pipeline_context.action.name), \
	STR("actionExecutionId", P_ACTION_EXEC, cpj_job_data, \
	    pipeline_context.action.action_execution_id)
#define PIPELINE_F \
	STR("pipelineName", P_PIPELINE_NAME, cpj_job_data, \
	    pipeline_context.pipeline_name), \
	OBJ("stage", P_STAGE, T_STAGE, 0, 0, \
	    offsetof(cpj_job_data, pipeline_context.stage_present)), \
	OBJ("action", P_ACTION, T_ACTION, 0, 0, \
	    offsetof(cpj_job_data, pipeline_context.action_present)), \
	STR("pipelineArn", P_PIPELINE_ARN, cpj_job_data, \
	    pipeline_context.pipeline_arn), \
	STR("pipelineExecutionId", P_PIPELINE_EXEC, cpj_job_data, \
	    pipeline_context.pipeline_execution_id)
#define CREDS_F \
	STR("accessKeyId", P_AKID, cpj_job_data, \
	    artifact_credentials.access_key_id), \
	STR("secretAccessKey", P_SECRET, cpj_job_data, \
	    artifact_credentials.secret_access_key), \
	STR("sessionToken", P_TOKEN, cpj_job_data, \
	    artifact_credentials.session_token)
#define KEY_F \
	STR("id", P_KEY_ID, cpj_job_data, encryption_key.id), \
	STR("type", P_KEY_TYPE, cpj_job_data, encryption_key.type)
#define DATA_F \
	OBJ("actionTypeId", P_ACTION_TYPE, T_ACTION_TYPE, \
	    CPJ_JOB_F_ACTION_TYPE_ID, 0, NOPRES), \
	OBJ("actionConfiguration", P_ACTION_CONFIG, T_ACTION_CONFIG, \
	    CPJ_JOB_F_ACTION_CONFIGURATION, 0, NOPRES), \
	OBJ("pipelineContext", P_CONTEXT, T_PIPELINE, \
	    CPJ_JOB_F_PIPELINE_CONTEXT, 0, NOPRES), \
	{ NP("inputArtifacts", P_INPUT), \
	    F_LIST | BITNO(CPJ_JOB_F_INPUT_ARTIFACTS) << 2, T_IN, \
	    offsetof(cpj_job_data, input_artifacts), \
	    offsetof(cpj_job_data, input_artifacts_count), NOPRES }, \
	{ NP("outputArtifacts", P_OUTPUT), \
	    F_LIST | BITNO(CPJ_JOB_F_OUTPUT_ARTIFACTS) << 2, T_OUT, \
	    offsetof(cpj_job_data, output_artifacts), \
	    offsetof(cpj_job_data, output_artifacts_count), NOPRES }, \
	OBJ("artifactCredentials", P_CREDS, T_CREDS, \
	    CPJ_JOB_F_ARTIFACT_CREDENTIALS, 0, NOPRES), \
	STR("continuationToken", P_CONTINUATION, cpj_job_data, \
	    continuation_token), \
	OBJ("encryptionKey", P_ENCRYPTION_KEY, T_KEY, \
	    CPJ_JOB_F_ENCRYPTION_KEY, 0, NOPRES)

/* Job, JobDetails and ThirdPartyJobDetails; offsets in cpj_job. */
#define JOB_F \
	STR("id", P_ID, cpj_job, id), \
	OBJ("data", P_DATA, T_DATA, CPJ_JOB_F_DATA, offsetof(cpj_job, data), \
	    NOPRES), \
	STR("nonce", P_NONCE, cpj_job, nonce), \
	STR("accountId", P_ACCOUNT_ID, cpj_job, account_id)

/* ThirdPartyJob (PollForThirdPartyJobs). */
#if CPJ_CONFIG_THIRD_PARTY
#define TP_TABLE(X) X(TP_JOB, \
	STR("clientId", P_CLIENT_ID, cpj_job, client_id), \
	STR("jobId", P_JOB_ID, cpj_job, id))
#else
#define TP_TABLE(X)
#endif

/*
 * The tables: T_<name> is the index of each (a member names its
 * sub-table by it). Their members are one array, struct fields, and a
 * table is where its members start in it and how many there are: two
 * bytes, not a pointer and a size.
 */
#define TABLES(X) \
	X(IN_S3, ART_S3_F(IN)) X(IN_LOC, ART_LOC_F(IN)) X(IN, ART_F(IN)) \
	X(OUT_S3, ART_S3_F(OUT)) X(OUT_LOC, ART_LOC_F(OUT)) X(OUT, ART_F(OUT)) \
	X(ACTION_TYPE, ACTION_TYPE_F) X(ACTION_CONFIG, ACTION_CONFIG_F) \
	X(STAGE, STAGE_F) X(ACTION, ACTION_F) X(PIPELINE, PIPELINE_F) \
	X(CREDS, CREDS_F) X(KEY, KEY_F) X(DATA, DATA_F) X(JOB, JOB_F) \
	TP_TABLE(X)

#define COUNT(...) \
	(sizeof((const struct field[]){ __VA_ARGS__ }) / sizeof(struct field))
#define T_INDEX(t, ...) T_##t,
#define T_MEMBER(t, ...) struct field t##_f[COUNT(__VA_ARGS__)];
#define T_INIT(t, ...) { __VA_ARGS__ },
#define T_ENTRY(t, ...) { offsetof(struct fields, t##_f) \
	/ sizeof(struct field), COUNT(__VA_ARGS__) },

enum { TABLES(T_INDEX) T_END };

static const struct fields {
	TABLES(T_MEMBER)
} fields = { TABLES(T_INIT) };

static const struct table {
	unsigned char first, n;
} tables[] = { TABLES(T_ENTRY) };

typedef char tables_fit[sizeof(struct fields) / sizeof(struct field) <= 0xffu
    ? 1 : -1];

/* The members of table tab. */
#define MEMBERS(tab) ((const struct field *)(const void *)&fields \
	+ (tab)->first)

/* ---- mapping tokens to a job ----------------------------------------- */

/* cpj_job.err_detail texts (listed in cpj_jobs.h) of the mapping. */
#define XSTR(x) #x
#define NUM(x) XSTR(x)
#define D CPJ_JOBS_DETAIL
#define D_NOT_STR D("is not a string")
#define D_NOT_OBJ D("is not an object")
#define D_NOT_ARR D("is not an array")
#define D_ELEM D("has an element that is not an object")
#define D_CONFIG_MAX D("more than " NUM(CPJ_JOB_CONFIG_MAX) \
    " keys (CPJ_JOB_CONFIG_MAX)")
#define D_ART_MAX D("more than " NUM(CPJ_JOB_ARTIFACTS_MAX) \
    " artifacts (CPJ_JOB_ARTIFACTS_MAX)")
#define D_INTERNAL D("internal error")
#if CPJ_CONFIG_STRERROR
/* For a configuration key; the value's text follows "a key " */
#define KEY_SKIP 6
static const char d_nul[] = "a key contains U+0000 (\\u0000)";
static const char d_surrogate[] =
    "a key contains a lone UTF-16 surrogate (\\ud800-\\udfff)";
static const char d_storage[] = "a key does not fit the job's string storage";
static const char d_invalid[] = "a key is not valid JSON text";
/* the text for a key (key 0) or a value (key 1) */
#define KEY_DETAIL(name, key) ((name) + ((key) ? 0 : KEY_SKIP))
#else
#define KEY_DETAIL(name, key) ((void)(key), cpj_jobs_empty)
#endif

static CPJ_NOINLINE void
map_fail(struct cpj_jobs_map *m, int err, const char *field, const char *detail)
{
	if (m->err == 0) {
		m->err = err;
		m->field = field;
		m->detail = detail;
	}
}

/*
 * Offset in raw string text s[0..n) of its first \u0000 escape, or n.
 * The scanner checked every escape's syntax.
 */
static size_t
nul_escape(const char *s, size_t n)
{
	size_t i = 0;

	while (n - i >= 6) {
		const char *b = memchr(s + i, '\\', n - i - 5);

		if (b == NULL)
			return n;
		i = (size_t)(b - s);
		if (b[1] == 'u' && memcmp(b + 2, "0000", 4) == 0)
			return i;
		i += 2;         /* the rest of an escape holds no backslash */
	}
	return n;
}

/*
 * Decode raw string text s[0..n), which holds \u0000, into out[0..cap)
 * with each U+0000 kept as a NUL byte (and one after the text): each
 * piece between them decodes as any string, its terminating NUL standing
 * for the escape. A lone surrogate stays an error (next to a \u0000
 * too: it is not part of a pair).
 */
static int
unescape_nul(const char *s, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t i = 0, o = 0, k, len;
	int r;

	for (;;) {
		k = i + nul_escape(s + i, n - i);
		r = cpj_json_unescape(s + i, k - i, out + o, cap - o, &len);
		if (r < 0)
			return r;
		o += len;
		if (k == n)
			break;
		o++;                    /* the piece's NUL is the U+0000 */
		if (o == cap)
			return CPJ_ERR_JSON_FIELD_TOO_LONG;
		i = k + 6;
	}
	*outlen = o;
	return CPJ_OK;
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
		const struct field *f = &MEMBERS(tab)[k];
		cpj_job_str *s;

		if (f->off_present != NOPRES)
			base[f->off_present] = 0;
		switch (KIND(f)) {
		case F_STR:
			s = str_at(base, f->off);
			s->p = cpj_jobs_empty;
			s->len = 0;
			break;
		case F_OBJ:
			clear(base + f->off, SUB(f));
			break;
		default:
			*count_at(base, f->off_count) = 0;
			break;
		}
	}
}

static int
is_null(const struct cpj_jobs_map *m, int i)
{
	return m->t[i].type == CPJ_JSON_PRIMITIVE && m->js[m->t[i].start] == 'n';
}

/* Whether name token i is exactly `name` (raw text, no escapes). */
static int
raw_is(const struct cpj_jobs_map *m, int i, const struct field *f)
{
	const char *k = m->js + m->t[i].start;
	size_t n = f->nlen;

	/* length, first and last byte decide all but the match itself */
	return (size_t)(m->t[i].end - m->t[i].start) == n
	    && k[0] == NAME(f)[0] && k[n - 1] == NAME(f)[n - 1]
	    && memcmp(k, NAME(f), n) == 0;
}

/* see cp_jobs_int.h */
const char *
cpj_jobs_ref_text(const char *txt, const char *ref, size_t *len)
{
	const unsigned char *h;
	size_t to = 0, k;

	for (k = 1; k < CPJ_JOBS_REF_LEN; k++)
		to = to << 4 | ((unsigned char)ref[k] & 15u);
	h = (const unsigned char *)txt + to;
	*len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
	return txt + to + 4;
}

/*
 * Decode string token i into the job's storage; null is absent. `key`:
 * 1 for a configuration key (for err_detail).
 */
static void
put_str(struct cpj_jobs_map *m, int i, cpj_job_str *dst, const char *path,
    int key)
{
	cpj_job *job = m->job;
	const cpj_json_tok *t = &m->t[i];
	const char *src = m->js + t->start;
	char *out = job->store + job->store_used;
	size_t room = job->store_cap - job->store_used, len, raw;
	int r;

	if (is_null(m, i)) {
		dst->p = cpj_jobs_empty;
		dst->len = 0;
		return;
	}
	if (t->type != CPJ_JSON_STRING) {
		map_fail(m, CPJ_ERR_JSON_TYPE, path, D_NOT_STR);
		return;
	}
	raw = (size_t)(t->end - t->start);
	if (raw == CPJ_JOBS_REF_LEN && src[0] == CPJ_JOBS_REF_MARK)
		src = cpj_jobs_ref_text(m->txt, src, &raw);
	len = raw;
	if (memchr(src, '\\', len) == NULL) {
		/* nothing to decode (the scanner validated the text) */
		r = CPJ_ERR_JSON_FIELD_TOO_LONG;
		if (len >= room)
			goto fail;
		memcpy(out, src, len);
		out[len] = '\0';
		goto done;
	}
	r = cpj_json_unescape(src, len, out, room, &len);
	if (r == CPJ_ERR_JSON_ESCAPE && nul_escape(src, raw) < raw) {
		/* U+0000: kept; the job says so (CPJ_JOB_F_HAS_NUL) */
		r = unescape_nul(src, raw, out, room, &len);
		if (r == 0 && m->nul_field == NULL) {
			m->nul_field = path;
			m->nul_detail = KEY_DETAIL(d_nul, key);
		}
	}
	if (r < 0) {
fail:
		/* wipe what the failed decode may have written */
		len = raw + 1;
		cpj_jobs_wipe(out, len < room ? len : room);
		if (r == CPJ_ERR_JSON_FIELD_TOO_LONG)
			map_fail(m, CPJ_ERR_JSON_JOB_TOO_LARGE, path,
			    KEY_DETAIL(d_storage, key));
		else if (r == CPJ_ERR_JSON_ESCAPE)
			map_fail(m, r, path, KEY_DETAIL(d_surrogate, key));
		else
			map_fail(m, r, path, KEY_DETAIL(d_invalid, key));
		return;
	}
done:
	dst->p = out;
	dst->len = len;
	job->store_used += len + 1;
}

/* The member of `tab` named by key token i, or NULL. */
static const struct field *
lookup(const struct cpj_jobs_map *m, int i, const struct table *tab)
{
	char buf[CPJ_JOBS_NAME_MAX];
	const char *k = m->js + m->t[i].start;
	size_t klen = (size_t)(m->t[i].end - m->t[i].start), n;

	/* the names we know have no escapes: compare the raw text first */
	for (n = 0; n < tab->n; n++) {
		if (raw_is(m, i, &MEMBERS(tab)[n]))
			return &MEMBERS(tab)[n];
	}
	if (memchr(k, '\\', klen) == NULL)
		return NULL;
	if (cpj_json_unescape(k, klen, buf, sizeof buf, &klen) < 0)
		return NULL;
	k = buf;
	for (n = 0; n < tab->n; n++) {
		if (MEMBERS(tab)[n].nlen == klen
		    && memcmp(NAME(&MEMBERS(tab)[n]), k, klen) == 0)
			return &MEMBERS(tab)[n];
	}
	return NULL;
}

/* Index after token i's subtree. */
static int
next(struct cpj_jobs_map *m, int i)
{
	int r = cpj_json_next(m->t, m->n, i);

	if (r < 0 || r > m->n) {
		map_fail(m, CPJ_ERR_INTERNAL, "tokens", D_INTERNAL);
		return m->n;
	}
	return r;
}

static int map_object(struct cpj_jobs_map *m, int obj, const struct table *tab,
    char *base);

/* The configuration map at token v; returns the index after it. */
static int
map_config(struct cpj_jobs_map *m, const struct field *f, int v, char *base)
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
		put_str(m, i, &key, PATH(f), 1);
		if (m->err == 0) {
			/* when the value fails (or is the first to hold
			 * U+0000), err_key names it */
			const char *nul = m->nul_field;

			put_str(m, i + 1, &val, PATH(f), 0);
			if (m->err != 0)
				m->key = i;
			else if (nul == NULL && m->nul_field != NULL)
				m->nul_key = i;
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
				map_fail(m, CPJ_ERR_JSON_JOB_TOO_LARGE, PATH(f),
				    D_CONFIG_MAX);
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

/* The artifact list at token v; returns the index after it. */
static int
map_list(struct cpj_jobs_map *m, const struct field *f, int v, char *base)
{
	cpj_job_artifact *a = (cpj_job_artifact *)(void *)(base + f->off);
	size_t *count = count_at(base, f->off_count);
	int i, k;

	if (m->t[v].type != CPJ_JSON_ARRAY) {
		map_fail(m, CPJ_ERR_JSON_TYPE, PATH(f), D_NOT_ARR);
		return m->n;
	}
	i = v + 1;
	for (k = 0; k < m->t[v].size; k++) {
		if (m->err != 0 || i >= m->n)
			return m->n;
		if (m->t[i].type != CPJ_JSON_OBJECT) {
			map_fail(m, CPJ_ERR_JSON_TYPE, PATH(f), D_ELEM);
			return m->n;
		}
		if (*count == CPJ_JOB_ARTIFACTS_MAX) {
			map_fail(m, CPJ_ERR_JSON_JOB_TOO_LARGE, PATH(f),
			    D_ART_MAX);
			return m->n;
		}
		clear((char *)&a[*count], SUB(f));
		i = map_object(m, i, SUB(f), (char *)&a[*count]);
		(*count)++;
	}
	return i;
}

/* Member value v described by f; returns the index after it. */
static int
map_value(struct cpj_jobs_map *m, const struct field *f, int v, char *base)
{
	unsigned char *present = (f->off_present != NOPRES)
	    ? (unsigned char *)base + f->off_present : NULL;

	if (KIND(f) == F_STR) {
		put_str(m, v, str_at(base, f->off), PATH(f), 0);
		return v + 1;
	}
	/* a repeated member replaces the earlier one; null is absent */
	if (KIND(f) == F_OBJ) {
		if ((m->job->flags & FLAG(f)) != 0
		    || (present != NULL && *present))
			clear(base + f->off, SUB(f));
	} else {
		*count_at(base, f->off_count) = 0;
	}
	m->job->flags &= ~FLAG(f);
	if (present != NULL)
		*present = 0;
	if (is_null(m, v))
		return v + 1;
	m->job->flags |= FLAG(f);
	if (present != NULL)
		*present = 1;
	switch (KIND(f)) {
	case F_OBJ:
		if (m->t[v].type != CPJ_JSON_OBJECT)
			break;
		return map_object(m, v, SUB(f), base + f->off);
	case F_MAP:
		if (m->t[v].type != CPJ_JSON_OBJECT)
			break;
		return map_config(m, f, v, base);
	default:
		return map_list(m, f, v, base);
	}
	map_fail(m, CPJ_ERR_JSON_TYPE, PATH(f), D_NOT_OBJ);
	return m->n;
}

/* The members of object obj; returns the index after the object. */
static int
map_object(struct cpj_jobs_map *m, int obj, const struct table *tab, char *base)
{
	int i = obj + 1, k;

	for (k = 0; k < m->t[obj].size; k++) {
		const struct field *f;

		if (m->err != 0)
			return m->n;
		if (i + 1 >= m->n) {
			map_fail(m, CPJ_ERR_INTERNAL, "tokens", D_INTERNAL);
			return m->n;
		}
		f = lookup(m, i, tab);
		i = (f != NULL) ? map_value(m, f, i + 1, base) : next(m, i + 1);
	}
	return i;
}

/* see cp_jobs_int.h */
void
cpj_jobs_clear_members(cpj_job *job)
{
	clear((char *)job, &tables[T_JOB]);
	job->client_id.p = cpj_jobs_empty;
	job->client_id.len = 0;
}

/* see cp_jobs_int.h */
int
cpj_jobs_map(struct cpj_jobs_map *m, int mode)
{
#if CPJ_CONFIG_THIRD_PARTY
	return map_object(m, 0, &tables[mode == CPJ_JOBS_THIRD_PARTY_POLL
	    ? T_TP_JOB : T_JOB], (char *)m->job);
#else
	(void)mode;
	return map_object(m, 0, &tables[T_JOB], (char *)m->job);
#endif
}
