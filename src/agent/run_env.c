/*
 * run_env.c -- the handler's environment: the job's fields as CPJOB_*
 * variables (docs/handler.md), built in a static buffer
 * from scratch: nothing of the agent's own environment reaches the
 * handler but PATH, HOME and LANG.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "arena.h"

#define RESULT_NAME "result"

static char *envbuf;  /* RUN_ENV_MAX bytes in a scope of the arena, from
                       * run_env_build() to run_env_wipe() */
static size_t env_mark;
static char *envp[RUN_ENV_VARS + 1];
static size_t env_used;
static int env_n;
static char dup_name[256];      /* the variable two keys give */

/* A character of a variable name made from a key: upper-cased, other
 * than [A-Z0-9] as '_' (env_add, and the secret files' names). */
static char
var_char(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return c;
	return '_';
}

/* Add NAME+SUFFIX=value; SUFFIX through var_char().
 * 0, -1 (no room), -2 (the name is there already). */
static int
env_add(const char *name, const char *suffix, const char *value)
{
	size_t start = env_used, nlen, vlen = strlen(value);
	int i;

	if (env_n >= RUN_ENV_VARS)
		return -1;
	nlen = strlen(name) + (suffix != NULL ? strlen(suffix) : 0);
	if (env_used + nlen + vlen + 2 > RUN_ENV_MAX)
		return -1;
	memcpy(envbuf + env_used, name, strlen(name));
	env_used += strlen(name);
	for (; suffix != NULL && *suffix != '\0'; suffix++)
		envbuf[env_used++] = var_char(*suffix);
	envbuf[env_used++] = '=';
	for (i = 0; i < env_n; i++) {
		if (strncmp(envp[i], envbuf + start, nlen + 1) == 0) {
			envbuf[env_used - 1] = '\0';
			fmt_snprintf(dup_name, sizeof dup_name, "%s", envbuf + start);
			env_used = start;
			return -2;
		}
	}
	memcpy(envbuf + env_used, value, vlen + 1);
	env_used += vlen + 1;
	envp[env_n++] = envbuf + start;
	envp[env_n] = NULL;
	return 0;
}

/* see run.h */
void
run_var_suffix(const char *key, char *out, size_t cap)
{
	size_t i;

	for (i = 0; key[i] != '\0' && i + 1 < cap; i++)
		out[i] = var_char(key[i]);
	out[i] = '\0';
}

/* Space-separated names of artifacts, into `out`. */
static void
names(const cpj_job_artifact *a, size_t n, char *out, size_t cap)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = fmt_snprintf(out + used, cap - used, "%s%s",
		    i > 0 ? " " : "", a[i].name.p);

		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

/* see run.h */
int
run_secret_key(const cpj_job_str *key)
{
	unsigned i;

	for (i = 0; i < run_config()->nsecret_keys; i++) {
		if (strlen(run_config()->secret_keys[i]) == key->len
		    && memcmp(run_config()->secret_keys[i], key->p, key->len) == 0)
			return 1;
	}
	return 0;
}

/* The job's strings given as CPJOB_<name> when present. */
static const char str_names[] = "ACCOUNT_ID\0PIPELINE_NAME\0PIPELINE_ARN\0"
	"PIPELINE_EXECUTION_ID\0STAGE_NAME\0ACTION_NAME\0ACTION_EXECUTION_ID\0"
	"ACTION_CATEGORY\0ACTION_PROVIDER\0ACTION_VERSION\0";
#define PC(m) offsetof(cpj_job, data.pipeline_context.m)
static const unsigned short str_off[] = {
	offsetof(cpj_job, account_id), PC(pipeline_name), PC(pipeline_arn),
	PC(pipeline_execution_id), PC(stage.name), PC(action.name),
	PC(action.action_execution_id),
	offsetof(cpj_job, data.action_type_id.category),
	offsetof(cpj_job, data.action_type_id.provider),
	offsetof(cpj_job, data.action_type_id.version),
};
#undef PC

/* The variables of run_env_build(), into envbuf. */
static int
build(struct run_job *j, struct run_report *r)
{
	const cpj_job *job = j->job;
	const cpj_job_data *d = &job->data;
	char path[RUN_PATH_MAX * 2], list[1024];
	const char *v;
	size_t i;
	int rc = 0;

	v = getenv("PATH");
	rc |= env_add("PATH", NULL, v != NULL && v[0] != '\0' ? v
	    : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if ((v = getenv("HOME")) != NULL)
		rc |= env_add("HOME", NULL, v);
	if ((v = getenv("LANG")) != NULL)
		rc |= env_add("LANG", NULL, v);
	fmt_snprintf(path, sizeof path, "%s/tmp", j->dir);
	rc |= env_add("TMPDIR", NULL, path);
	rc |= env_add("CPJOB_JOB_ID", NULL, job->id.p);
	for (i = 0, v = str_names; *v != '\0'; i++, v = fmt_nth(v, 1)) {
		const cpj_job_str *s = (const cpj_job_str *)(const void *)
		    ((const char *)job + str_off[i]);

		if (cpj_job_str_present(s))
			rc |= env_add("CPJOB_", v, s->p);
	}
	if (d->continuation_token.len > 0)
		rc |= env_add("CPJOB_CONTINUATION_TOKEN", NULL,
		    d->continuation_token.p);
	if (rc != 0)
		goto over;
	for (i = 0; i < d->configuration_count; i++) {
		const cpj_job_config_entry *c = &d->configuration[i];

		if (run_secret_key(&c->key)) {
			/* the file's path, not the value (see secrets_note) */
			char suffix[RUN_SECRET_KEY_MAX + 8];

			run_var_suffix(c->key.p, suffix, RUN_SECRET_KEY_MAX + 1);
			fmt_snprintf(path, sizeof path, "%s/%s/%s", j->dir,
			    RUN_SECRET_DIR, suffix);
			memcpy(suffix + strlen(suffix), "_FILE", 6);
			rc = env_add("CPJOB_CONFIG_", suffix, path);
		} else {
			rc = env_add("CPJOB_CONFIG_", c->key.p, c->value.p);
		}
		if (rc == -2) {
			run_fail(j, r, "ConfigurationError", "configuration "
			    "key '%s' gives the variable %s, which another "
			    "key gives too", d->configuration[i].key.p, dup_name);
			return -1;
		}
		if (rc < 0)
			goto over;
	}
	fmt_snprintf(path, sizeof path, "%s/in", j->dir);
	rc = env_add("CPJOB_INPUT_DIR", NULL, path);
	names(d->input_artifacts, d->input_artifacts_count, list, sizeof list);
	rc |= env_add("CPJOB_INPUT_NAMES", NULL, list);
	for (i = 0; rc == 0 && i < d->input_artifacts_count; i++) {
		const cpj_job_artifact *a = &d->input_artifacts[i];

		fmt_snprintf(path, sizeof path, "%s/in/%s", j->dir, a->name.p);
		rc = env_add("CPJOB_INPUT_", a->name.p, path);
		if (rc == 0 && a->revision.len > 0)
			rc = env_add("CPJOB_REVISION_", a->name.p,
			    a->revision.p);
	}
	if (rc == 0) {
		fmt_snprintf(path, sizeof path, "%s/out", j->dir);
		rc = env_add("CPJOB_OUTPUT_DIR", NULL, path);
		names(d->output_artifacts, d->output_artifacts_count, list,
		    sizeof list);
		if (rc == 0)
			rc = env_add("CPJOB_OUTPUT_NAMES", NULL, list);
	}
	for (i = 0; rc == 0 && i < d->output_artifacts_count; i++) {
		const cpj_job_artifact *a = &d->output_artifacts[i];

		fmt_snprintf(path, sizeof path, "%s/out/%s", j->dir, a->name.p);
		rc = env_add("CPJOB_OUTPUT_", a->name.p, path);
	}
	if (rc == -2) {
		run_fail(j, r, "ConfigurationError", "artifact names give the "
		    "variable %s twice", dup_name);
		return -1;
	}
	fmt_snprintf(path, sizeof path, "%s/%s", j->dir, RESULT_NAME);
	if (rc == 0)
		rc = env_add("CPJOB_RESULT_FILE", NULL, path);
	if (rc == 0)
		rc = env_add("CPJOB_WORK_DIR", NULL, j->dir);
	fmt_snprintf(path, sizeof path, "%u", (unsigned)run_config()->timeout_s);
	if (rc == 0)
		rc = env_add("CPJOB_TIMEOUT", NULL, path);
	if (rc == 0)
		return 0;
over:
	run_fail(j, r, "ConfigurationError", "the job's fields do not fit the "
	    "handler's environment (%u bytes, %u variables)",
	    (unsigned)RUN_ENV_MAX, (unsigned)RUN_ENV_VARS);
	return -1;
}

/* see run.h */
int
run_env_build(struct run_job *j, struct run_report *r)
{
	run_env_wipe();
	env_mark = agent_arena_mark();
	envbuf = agent_arena_scoped(RUN_ENV_MAX);
	if (build(j, r) < 0) {
		run_env_wipe();         /* the scope ends with the failure */
		return -1;
	}
	return 0;
}

/* see run.h */
char *const *
run_env_vars(void)
{
	return envp;
}

/* see run.h */
void
run_env_wipe(void)
{
	if (envbuf != NULL)
		agent_arena_release(env_mark);  /* wipes it */
	envbuf = NULL;
	env_used = 0;
	env_n = 0;
	envp[0] = NULL;
}
