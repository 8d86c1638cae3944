/*
 * cp_jobs_int.h -- declarations shared by the sources of the streaming job
 * parser (src/cp/cp_jobs_*.c), nothing of it API.
 */
#ifndef CPJ_CP_JOBS_INT_H
#define CPJ_CP_JOBS_INT_H

#include "inner.h"

/* ---- cp_jobs_job.c: job slots and failure details ---------------------- */

/* The text of every absent string of a job (cpj_job_str_present()). */
extern const char cpj_jobs_empty[];
/* A cpj_job.err_detail text: the text, or "" when the profile has no
 * error texts (CPJ_CONFIG_STRERROR 0, cpj_jobs.h). */
#if CPJ_CONFIG_STRERROR
#define CPJ_JOBS_DETAIL(s) s
#else
#define CPJ_JOBS_DETAIL(s) cpj_jobs_empty
#endif
/* Zero p[0..n) at memset speed, in a way the compiler cannot drop. */
void cpj_jobs_wipe(void *p, size_t n);
/* Every member of a job slot but its configuration entries and artifacts
 * (the counts say how many are) to absent; the storage is kept. */
void cpj_jobs_job_clear(cpj_job *job);
/* The job could not be read: wipe what was, keep the id and nonce stage 1
 * captured and the configuration key token `key` (or -1) names. */
void cpj_jobs_job_fail(cpj_jobs_parser *p, cpj_job *job, int err,
    const char *field, const char *detail, int key);
/* The job was read whole but a string holds U+0000: flag it and name the
 * first such string (err_key from configuration key token `key`, or -1). */
void cpj_jobs_job_nul(cpj_jobs_parser *p, cpj_job *job, const char *field,
    const char *detail, int key);

/* ---- the window: cp_jobs_parse.c writes it, cp_jobs_map.c reads it ---- */

/*
 * A string value deeper than a job's members with at least
 * CPJ_JOBS_LONG_MIN bytes of text (a session token, an ARN) is not left
 * in the window for jsmn to walk byte by byte: while the job streams in,
 * its length (4 bytes, the highest first) and its text move to the end of
 * the token array (free until the job is tokenized), and the window holds,
 * between the quotes, CPJ_JOBS_REF_LEN bytes in its place:
 * CPJ_JOBS_REF_MARK (a control byte, which no validated string holds),
 * then the offset of that length in the token array, 24 bits as 6 bytes
 * of 0x40 + 4 bits, the highest first. When jsmn needs the tokens the
 * texts hold, they go back into the window first.
 */
#define CPJ_JOBS_LONG_MIN 32
#define CPJ_JOBS_REF_MARK '\001'
#define CPJ_JOBS_REF_LEN  7
/* The text that the reference at ref[0 .. CPJ_JOBS_REF_LEN) (written by
 * the parser) stands for, in the texts at `txt`; its length in *len
 * (cp_jobs_map.c). */
const char *cpj_jobs_ref_text(const char *txt, const char *ref, size_t *len);

/* ---- cp_jobs_map.c: stage 2 -------------------------------------------- */

/* One job's tokens being mapped, and the first failure. */
struct cpj_jobs_map {
	const char *js;
	const char *txt;            /* the texts the window refers to */
	const cpj_json_tok *t;
	int n;
	cpj_job *job;
	int err;
	const char *field;
	const char *detail;         /* for cpj_job.err_detail */
	int key;                    /* token of the configuration key whose
	                               value failed, or -1 */
	const char *nul_field;      /* the first string kept with U+0000 */
	const char *nul_detail;
	int nul_key;                /* its configuration key token, or -1 */
};

/* Every string member of a job (those of Job and ThirdPartyJob) to
 * absent, every count 0 and every present flag clear. */
void cpj_jobs_clear_members(cpj_job *job);
/* Map the object at token 0 into m->job through the member table of
 * `mode` (CPJ_JOBS_*); the first failure is in m->err, m->field,
 * m->detail and m->key, the first string kept with U+0000 in m->nul_*.
 * Returns the index after the object. */
int cpj_jobs_map(struct cpj_jobs_map *m, int mode);

#endif
