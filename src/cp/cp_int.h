/*
 * cp_int.h -- the CodePipeline module's endpoint names and input checks
 * (src/cp/cp_endpoint.c, cp_validate.c) and the streaming job parser
 * (src/cp/cp_jobs_*.c) the client feeds. The types are public
 * (cpj_codepipeline.h, cpj_jobs.h).
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_CP_INT_H
#define CPJ_CP_INT_H

#include "cpj_codepipeline.h"

/* ---- endpoints and input checks (model constraints) ---- */

/* Enums cpj_cp_check_enum() knows. */
#define CPJ_CP_ENUM_CATEGORY      1  /**< ActionCategory */
#define CPJ_CP_ENUM_OWNER         2  /**< ActionOwner */
#define CPJ_CP_ENUM_FAILURE_TYPE  3  /**< FailureType */

/**
 * \brief Host name of the CodePipeline endpoint for `region`:
 *        codepipeline[-fips].\<region\>.\<suffix\>.
 *
 * A deprecated pseudo-region "fips-\<region\>" selects FIPS and signs
 * with \<region\>.
 *
 * Stack: at most 176 bytes.
 *
 * \param region             the region, e.g. "us-east-1".
 * \param fips               1 for the FIPS endpoint, else 0.
 * \param host, cap            receives the host name, NUL-terminated.
 * \param sign_region, sign_cap receives the region to sign with (may be NULL).
 * \return the host name's length; CPJ_ERR_PARAM for a malformed region
 *         (1..30 of [a-z0-9-]); CPJ_ERR_NOSPACE when a buffer is too small.
 */
int cpj_cp_endpoint_host(const char *region, int fips, char *host, size_t cap,
	char *sign_region, size_t sign_cap);

/** \return 0 if `s` is a lower-case UUID (JobId pattern), else CPJ_ERR_PARAM.
 *
 * Stack: at most 16 bytes.
 */
int cpj_cp_check_job_id(const char *s);

/** \return 0 if `s` (valid UTF-8) is min..max UTF-16 units long (NULL
 *          passes when min is 0), else CPJ_ERR_PARAM.
 *
 * Stack: at most 32 bytes.
 */
int cpj_cp_check_len(const char *s, long min, long max);

/** \return 0 if `s` is min..max chars of [0-9A-Za-z_-], else CPJ_ERR_PARAM.
 *
 * Stack: at most 16 bytes.
 */
int cpj_cp_check_token_chars(const char *s, long min, long max);

/** \return 0 if `s` is a value of the enum `which` (CPJ_CP_ENUM_*).
 *
 * Stack: at most 48 bytes.
 */
int cpj_cp_check_enum(const char *s, int which);

/**
 * \brief Prepare a parser for one response body.
 *
 * The jobs take their strings from `storage` one after another: each
 * starts where the previous job's strings end and may use all that is
 * left but CPJ_JOBS_RESERVE bytes for each slot after it (cpj_jobs.h).
 * Storage of the jobs' JSON text plus CPJ_JOBS_RESERVE per slot never
 * runs out (decoded text is never longer than its JSON, and each
 * string's quotes make room for its NUL).
 *
 * Stack: at most 112 bytes.
 *
 * \param p           caller's parser.
 * \param mode        CPJ_JOBS_POLL, CPJ_JOBS_DETAILS or
 *                    CPJ_JOBS_THIRD_PARTY_POLL.
 * \param window      buffer for one job's JSON (CPJ_JOB_WINDOW bytes
 *                    recommended); kept; wiped after each job.
 * \param window_len  its size, 2..INT_MAX.
 * \param tokens      token array for one job (CPJ_JSON_TOKENS_MAX
 *                    recommended); kept.
 * \param ntokens     its entries, >= 1.
 * \param jobs        caller's job slots, filled in order; kept.
 * \param max_jobs    slots, 1..INT_MAX (ask the service for at most this
 *                    many jobs: maxBatchSize).
 * \param storage     string storage the slots share; kept.
 * \param storage_len its size; at least max_jobs * CPJ_JOBS_RESERVE
 *                    bytes (less: CPJ_ERR_PARAM).
 * \return 0, or CPJ_ERR_PARAM for a bad argument (the parser then fails
 *         every later call with CPJ_ERR_PARAM); CPJ_ERR_UNSUPPORTED for
 *         CPJ_JOBS_THIRD_PARTY_POLL in builds without
 *         CPJ_CONFIG_THIRD_PARTY (sticky likewise).
 */
int cpj_jobs_parser_init(cpj_jobs_parser *p, int mode,
    char *window, size_t window_len, cpj_json_tok *tokens, unsigned ntokens,
    cpj_job *jobs, size_t max_jobs, char *storage, size_t storage_len);

/**
 * \brief Wipe what an attempt left: the jobs it filled and the window's
 *        bytes of a job it was reading. For a parser that was
 *        initialised, before it is initialised again for the next
 *        attempt (a shorter answer would not overwrite all of it).
 *
 * Stack: at most 64 bytes.
 */
void cpj_jobs_parser_discard(cpj_jobs_parser *p);

/**
 * \brief Feed the next piece of the body (any size, down to 1 byte).
 *
 * Jobs are filled in as their objects close. Non-blocking; time is linear
 * in `len`, and a job's bytes beyond the window are validated but not
 * stored, so an endless string costs time, never memory.
 *
 * Stack: at most 4,528 bytes.
 *
 * \param p     parser.
 * \param data  bytes; borrowed for the call (may be NULL when len is 0).
 * \param len   their number.
 * \return 0, or a sticky error: CPJ_ERR_JSON_INVALID, _ESCAPE, _DEPTH,
 *         CPJ_ERR_JSON_TYPE (body not an object, "jobs" not an array,
 *         "jobDetails" or a job not an object), CPJ_ERR_API_RESPONSE
 *         ("jobs" or "jobDetails" twice), CPJ_ERR_NOSPACE (more jobs than
 *         slots), CPJ_ERR_PARAM (bad init, or `data` NULL with `len` > 0),
 *         CPJ_ERR_INTERNAL (a bug).
 */
int cpj_jobs_parser_feed(cpj_jobs_parser *p, const void *data, size_t len);

/**
 * \brief The body has ended.
 *
 * Stack: at most 3,424 bytes.
 *
 * \param p  parser.
 * \return the number of slots filled (>= 0; check each job's `err`), or
 *         the sticky error of feed(), or CPJ_ERR_JSON_TRUNCATED when the
 *         document was incomplete (an empty body included). On error,
 *         every filled slot carries CPJ_JOB_F_RESPONSE_FAILED.
 */
int cpj_jobs_parser_finish(cpj_jobs_parser *p);

#endif
