/*
 * cpj_worker.h -- a CodePipeline job worker in one context.
 *
 * The calls a custom-action worker makes, over the lower layers
 * (cpj_tls.h, cpj_http.h, cpj_codepipeline.h, which stay public for those
 * who need more): set up once, then poll, acknowledge, (get details),
 * report success or failure, and close.
 *
 *     static cpj_worker w;                       (RAM: see below)
 *     cpj_worker_config cfg = { 0 };
 *     cfg.region = "us-east-1";
 *     cfg.creds = &my_creds;                     (or cfg.creds_fn)
 *     cfg.action.category = "Deploy";
 *     cfg.action.provider = "MyDevice";
 *     cfg.action.version = "1";
 *     if ((rc = cpj_worker_init(&w, &cfg)) < 0) ...
 *     n = cpj_worker_poll(&w, &jobs);
 *     for each job: cpj_worker_acknowledge(), work,
 *         cpj_worker_success() or cpj_worker_failure()
 *     cpj_worker_close(&w);
 *
 * Memory. Everything the worker needs is inside cpj_worker (caller-
 * allocated, usually static): the TLS context, the HTTP client, the
 * CodePipeline client, the credentials a provider callback returns, the
 * job parser with its window and tokens, the job slots and their string
 * storage, and the request buffer. Their sizes are the build's
 * (CPJ_WORKER_JOBS, CPJ_WORKER_WINDOW, CPJ_WORKER_STORAGE,
 * CPJ_WORKER_WORK below). The only memory outside it is a CA bundle's
 * anchor store, given in the configuration (`ca_store`) when a bundle is
 * used; without one the compiled-in Amazon roots are used and need none.
 *
 * RAM (x86-64, host build, default sizes; sizeof printed by
 * tests/unit/test_worker.c): sizeof(cpj_worker) is 170,448 bytes: the
 * job window 49,152, the job storage 49,152, the TLS context 24,128, the
 * request buffer 16,384, the JSON tokens 10,240, the CodePipeline client
 * 5,632, two job slots 4,688, the provider's credentials 4,368, the HTTP
 * client 3,848, the anchor store 2,024. A CA bundle adds `ca_store`:
 * CPJ_WORKER_CA_STORE_SYSTEM (110,592 bytes) for a whole system bundle.
 *
 * Files. The worker is the one part of the library that reads a file: the
 * CA bundle named by `ca_file`, read at cpj_worker_init() through the
 * request buffer with the port's cpj_port_file_read() (ports that define
 * CPJ_PORT_FILE: POSIX and bsdsock; no allocation). Firmware without
 * files passes the bundle in memory (`ca_pem`).
 *
 * Errors are the library's CPJ_ERR_* codes (cpj_strerror()). After a
 * failed call, the AWS details are in the CodePipeline client's public
 * members: w.cp.code, w.cp.message, w.cp.request_id, w.cp.http_status.
 *
 * Logging: the library logs warnings and errors only, unless the program
 * asks for more with cpj_log_set_level() (cpj_err.h).
 *
 * Thread safety: none; one worker is used by one thread at a time.
 */
/** \file
 * \brief A CodePipeline job worker in one context: init, poll,
 *        acknowledge, get details, success, failure, close.
 */
#ifndef CPJ_WORKER_H
#define CPJ_WORKER_H

#include <stddef.h>

#include "cpj_config.h"
#include "cpj_err.h"
#include "cpj_buf.h"
#include "cpj_creds.h"
#include "cpj_jobs.h"
#include "cpj_tls.h"
#include "cpj_http.h"
#include "cpj_codepipeline.h"

/* Buffer sizes: CPJ_WORKER_JOBS, _WINDOW, _STORAGE, _WORK in cpj_config.h. */

/** Arena bytes the worker gives each anchor slot of a CA store. Debian's
 *  whole bundle averages 430 bytes per CA certificate. */
#define CPJ_WORKER_CA_BYTES_PER_ANCHOR 512
/** Bytes of a `ca_store` for a bundle of up to `n` CA certificates (the
 *  worker splits it into n slots and n * 512 arena bytes; add 16 for
 *  alignment when the buffer is not aligned for a pointer). */
#define CPJ_WORKER_CA_STORE(n) \
	((size_t)(n) * (sizeof(br_x509_trust_anchor) + \
	    CPJ_WORKER_CA_BYTES_PER_ANCHOR))
/** A `ca_store` that holds a whole system bundle (e.g. Debian's
 *  /etc/ssl/certs/ca-certificates.crt): CPJ_TLS_SYSTEM_ANCHORS_MAX (192)
 *  anchors, 110,592 bytes on x86-64. */
#define CPJ_WORKER_CA_STORE_SYSTEM \
	CPJ_WORKER_CA_STORE(CPJ_TLS_SYSTEM_ANCHORS_MAX)

/**
 * \brief A credentials provider: fill `out` with fresh credentials.
 *
 * Called by cpj_worker_init(), then before a call when the credentials
 * expire within 5 minutes (`out->expires`, 0: never), and once more when
 * the service answers ExpiredTokenException (the call is then sent
 * again). `out` is the worker's own copy: fill it with cpj_creds_set();
 * the worker wipes it at cpj_worker_close().
 *
 * \param arg  the configuration's `creds_arg`.
 * \param out  the credentials to fill.
 * \return 0, or a CPJ_ERR_* code, which the worker's call returns.
 */
typedef int (*cpj_worker_creds_fn)(void *arg, cpj_creds *out);

/**
 * \brief What a worker is set up with.
 *
 * Start from all zeros (`= { 0 }`): every member left 0 or NULL takes its
 * default. Read only by cpj_worker_init() (strings are copied or parsed
 * there), but `creds` (borrowed for the worker's life) and `ca_store`
 * (kept).
 */
typedef struct cpj_worker_config {
	/** Region, e.g. "us-east-1" (required; 1..30 of [a-z0-9-]). */
	const char *region;
	/** "https://host[:port]" of CodePipeline, or NULL for the regional
	 *  endpoint https://codepipeline.\<region\>.\<dns suffix\>. */
	const char *endpoint_url;
	/** Credentials, borrowed for the worker's life (they must stay
	 *  valid and unchanged); or NULL with `creds_fn`. */
	const cpj_creds *creds;
	/** A provider called for credentials (see cpj_worker_creds_fn);
	 *  NULL with `creds`. Exactly one of the two is set. */
	cpj_worker_creds_fn creds_fn;
	/** Passed to `creds_fn`. */
	void *creds_arg;
	/** The action type polled: category (e.g. "Deploy") and provider
	 *  are required; owner NULL means "Custom", version NULL "1". */
	cpj_cp_action_type action;
	/** Jobs asked for per poll: 1..CPJ_WORKER_JOBS; 0 means
	 *  CPJ_WORKER_JOBS. */
	unsigned max_jobs;
	/** Path of a PEM CA bundle to trust instead of the compiled-in
	 *  Amazon roots (e.g. the value of AWS_CA_BUNDLE), read whole at
	 *  cpj_worker_init(); NULL: none. Needs `ca_store`. */
	const char *ca_file;
	/** A PEM CA bundle in memory (borrowed for cpj_worker_init() only),
	 *  used when `ca_file` is NULL; NULL: none. Needs `ca_store`. */
	const void *ca_pem;
	/** Bytes of `ca_pem`. */
	size_t ca_pem_len;
	/** Memory for the bundle's anchors, kept by the worker until
	 *  cpj_worker_close(): CPJ_WORKER_CA_STORE(n) bytes for n CA
	 *  certificates, CPJ_WORKER_CA_STORE_SYSTEM for a system bundle.
	 *  NULL when no bundle is used. */
	void *ca_store;
	/** Bytes of `ca_store`. */
	size_t ca_store_len;
} cpj_worker_config;

/**
 * \brief A worker (caller-allocated; see the file comment for its RAM).
 *
 * Private but for `cp` (the last call's AWS error details and counters,
 * see cpj_cp_context) and `status`.
 */
typedef struct cpj_worker {
	/** \cond PRIVATE */
	/* the small members first: short offsets in the code using them */
	int state;
	unsigned max_jobs;
	size_t njobs;
	cpj_worker_creds_fn creds_fn;
	void *creds_arg;
	cpj_cp_action_type action;
	cpj_cp_jobs_buf jb;
	char category[16];
	char owner[16];
	char provider[40];
	char version[16];
	char id[CPJ_JOBS_ID_MAX];
	cpj_creds creds;
	/** \endcond */
	/** The CodePipeline client: read cp.code, cp.message,
	 *  cp.request_id, cp.http_status after a failed call. */
	cpj_cp_context cp;
	/** The job status of the last cpj_worker_acknowledge() ("InProgress",
	 *  ...), "" before. */
	char status[32];
	/** \cond PRIVATE */
	cpj_tls_context tls;
	cpj_http_client http;
	cpj_tls_anchors anchors;
	cpj_jobs_parser parser;
	cpj_json_tok tokens[CPJ_JSON_TOKENS_MAX];
	cpj_job jobs[CPJ_WORKER_JOBS];
	char window[CPJ_WORKER_WINDOW];
	char storage[CPJ_WORKER_STORAGE];
	unsigned char work[CPJ_WORKER_WORK];
	/** \endcond */
} cpj_worker;

/**
 * \brief Set up a worker: trust anchors, TLS, HTTP, the CodePipeline
 *        client and its credentials. No connection is made.
 *
 * Stack: at most 4,384 bytes.
 *
 * \param w    the worker (caller-allocated; any contents, but a worker
 *             in use is closed with cpj_worker_close() first, or its
 *             connection stays open).
 * \param cfg  the configuration (see cpj_worker_config; read during the
 *             call, but `creds` and `ca_store` which are kept).
 * \return 0; CPJ_ERR_PARAM (NULL argument, no region, no or both
 *         credentials, an action type member missing or too long,
 *         max_jobs over CPJ_WORKER_JOBS, a bundle without `ca_store`);
 *         CPJ_ERR_IO (`ca_file` cannot be opened or read);
 *         CPJ_ERR_UNSUPPORTED (`ca_file` with a port that reads no
 *         file: no CPJ_PORT_FILE; `ca_file` or `ca_pem` in a build
 *         without CPJ_CONFIG_PEM, e.g. the minimal profile);
 *         CPJ_ERR_TLS_ANCHORS (the bundle is malformed, holds no CA
 *         certificate or does not fit `ca_store`); CPJ_ERR_NET_URL
 *         (bad `endpoint_url`); CPJ_ERR_SIGV4_CREDS (bad credentials);
 *         the provider's error. On error the worker holds no secret and
 *         needs no cpj_worker_close() (calling it is harmless).
 */
int cpj_worker_init(cpj_worker *w, const cpj_worker_config *cfg);

/**
 * \brief PollForJobs: ask for up to max_jobs jobs of the action type.
 *
 * The jobs of the previous poll or cpj_worker_get_details() are wiped
 * first. Each returned job has `err` 0 when it was read whole; a job with
 * err < 0 has only its id and nonce (see cpj_job): acknowledge it and
 * report it failed.
 *
 * Stack: at most 6,880 bytes.
 *
 * \param w     a worker set up with cpj_worker_init().
 * \param jobs  receives the array of jobs, inside the worker: valid (and
 *              holding secrets, the artifact credentials) until the next
 *              poll, cpj_worker_get_details() or cpj_worker_close().
 * \return the number of jobs (0 when none); or an error as for
 *         cpj_cp_poll_for_jobs() (network, TLS, HTTP, CPJ_ERR_API_*
 *         with details in w->cp), CPJ_ERR_STATE when not set up.
 */
int cpj_worker_poll(cpj_worker *w, const cpj_job **jobs);

/**
 * \brief AcknowledgeJob: claim a polled job before working on it.
 *
 * Stack: at most 6,880 bytes.
 *
 * \param w    the worker.
 * \param job  a job of the last poll (its id and nonce are sent).
 * \return 0 when the job is now InProgress (this worker has it); 1 when
 *         the service answered another status (w->status: the job was
 *         taken or ended elsewhere: skip it); or an error
 *         (CPJ_ERR_API_INVALID_NONCE, CPJ_ERR_API_JOB_NOT_FOUND, ...).
 */
int cpj_worker_acknowledge(cpj_worker *w, const cpj_job *job);

/**
 * \brief GetJobDetails: read a job by its id.
 *
 * The jobs of the last poll are wiped (the details take the first slot);
 * `job_id` may point into them (it is copied first).
 *
 * Stack: at most 6,896 bytes.
 *
 * \param w       the worker.
 * \param job_id  the job's id.
 * \param job     receives the job (valid as for cpj_worker_poll()).
 * \return 1; 0 when the answer held no job; or an error.
 */
int cpj_worker_get_details(cpj_worker *w, const char *job_id,
	const cpj_job **job);

/**
 * \brief PutJobSuccessResult.
 *
 * Stack: at most 6,960 bytes.
 *
 * \param w       the worker.
 * \param job_id  the job's id.
 * \param s       what to report (cpj_cp_success_init() then set members),
 *                or NULL for nothing but success; borrowed for the call.
 * \return 0 or an error (CPJ_ERR_API_INVALID_JOB_STATE, ...).
 */
int cpj_worker_success(cpj_worker *w, const char *job_id,
	const cpj_cp_success *s);

/**
 * \brief PutJobFailureResult.
 *
 * Stack: at most 6,896 bytes.
 *
 * \param w        the worker.
 * \param job_id   the job's id.
 * \param type     a FailureType ("JobFailed", "ConfigurationError",
 *                 "PermissionError", "RevisionOutOfSync",
 *                 "RevisionUnavailable", "SystemUnavailable"); NULL
 *                 means "JobFailed".
 * \param message  why, for people (1..5000 characters; required).
 * \return 0 or an error.
 */
int cpj_worker_failure(cpj_worker *w, const char *job_id, const char *type,
	const char *message);

/**
 * \brief Close the connection and wipe every secret the worker holds
 *        (credentials, signing key, jobs, buffers). Safe after a failed
 *        cpj_worker_init() and twice; `w` may be set up again after it.
 *
 * Stack: at most 3,568 bytes.
 */
void cpj_worker_close(cpj_worker *w);

#endif
