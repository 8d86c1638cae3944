/*
 * cp_jobs_job.c -- the caller's job slots of the streaming job parser
 * (cpj_jobs.h): clearing and wiping them, and the failure details of a
 * job that could not be read.
 */
#include "cp_jobs_int.h"

/* see cp_jobs_int.h */
const char cpj_jobs_empty[] = "";

/*
 * Wipe through a volatile pointer to memset: the compiler cannot drop the
 * call, and the window (a few KB per job) is cleared at memset speed.
 */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

/* see cp_jobs_int.h */
void
cpj_jobs_wipe(void *p, size_t n)
{
	if (n != 0)
		wipe_memset(p, 0, n);
}

/* ---- job slots -------------------------------------------------------- */

/* see cp_jobs_int.h */
void
cpj_jobs_job_clear(cpj_job *job)
{
	/*
	 * Every member but the configuration entries and the artifacts,
	 * which are set as they are added (the counts say how many are).
	 */
	job->err = 0;
	job->err_field = NULL;
	job->err_detail = NULL;
	job->err_key = NULL;
	job->flags = 0;
	cpj_jobs_clear_members(job);
	job->store_used = 0;
}

/* see cpj_jobs.h */
int
cpj_job_str_present(const cpj_job_str *s)
{
	return s != NULL && s->p != NULL && s->p != cpj_jobs_empty;
}

/* see cpj_jobs.h */
void
cpj_job_wipe(cpj_job *job)
{
	if (job == NULL)
		return;
	if (job->store != NULL)
		cpj_jobs_wipe(job->store, job->store_used);
	cpj_jobs_job_clear(job);
}

/* Copy s[0..n) and a NUL into the job's storage as *dst, if it fits. */
static CPJ_NOINLINE void
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
		/* decoded before: cannot happen */
		cpj_jobs_wipe(out, raw + 1);
		return;
	}
	if (n > CPJ_JOB_ERR_KEY_MAX) {
		n = CPJ_JOB_ERR_KEY_MAX;
		while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
			n--;
		cpj_jobs_wipe(out + n, raw + 1 - n);
	}
	out[n] = '\0';
	job->err_key = out;
	job->store_used += n + 1;
}

/* see cp_jobs_int.h */
void
cpj_jobs_job_fail(cpj_jobs_parser *p, cpj_job *job, int err, const char *field,
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

/* see cp_jobs_int.h */
void
cpj_jobs_job_nul(cpj_jobs_parser *p, cpj_job *job, const char *field,
    const char *detail, int key)
{
	job->err = CPJ_ERR_JSON_ESCAPE;
	job->err_field = field;
	job->err_detail = detail;
	job->flags |= CPJ_JOB_F_HAS_NUL;
	if (key >= 0)
		keep_key(p, job, key);
}
