/*
 * cpj_codepipeline.h -- the CodePipeline job-worker API.
 *
 * JSON 1.1 protocol over HTTPS, SigV4 (service "codepipeline").
 */
/** \file
 * \brief The CodePipeline job-worker API.
 */
#ifndef CPJ_CODEPIPELINE_H
#define CPJ_CODEPIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_aws.h"
#include "cpj_config.h"
#include "cpj_creds.h"
#include "cpj_http.h"
#include "cpj_jobs.h"
#include "cpj_sigv4.h"

/* ---- the client --------------------------------------------------------- */

/** Longest AWS error code kept (the part of __type after '#'). */
#define CPJ_CP_CODE_MAX     64
/** Longest AWS error message kept; a longer one is cut at a UTF-8
 *  boundary and `message_cut` is set (the message is for humans). */
#define CPJ_CP_MESSAGE_MAX  512
/** Bytes of an error body read; a larger body gives its code and the part
 *  of its message that came in these bytes (`message_cut` set). */
#define CPJ_CP_ERRBODY_MAX  2048

/** An action type: category, owner, provider, version (all required). */
typedef struct cpj_cp_action_type {
	const char *category;   /**< Source, Build, Deploy, Test, Invoke, Approval (, Compute) */
	const char *owner;      /**< Custom for PollForJobs, ThirdParty for the third-party calls */
	const char *provider;   /**< 1..35 of [0-9A-Za-z_-] */
	const char *version;    /**< 1..9 of [0-9A-Za-z_-] */
} cpj_cp_action_type;

/** A key/value pair (queryParam, outputVariables). */
typedef struct cpj_cp_kv {
	const char *key;        /**< the key */
	const char *value;      /**< its value */
} cpj_cp_kv;

/** PutJobSuccessResult / PutThirdPartyJobSuccessResult members; NULL or
 *  -1 members are left out of the request. */
typedef struct cpj_cp_success {
	const char *continuation_token;     /**< 1..2048 */
	/* currentRevision: revision and change_identifier go together */
	const char *revision;               /**< 1..1500 */
	const char *change_identifier;      /**< 1..100 */
	int64_t created;                    /**< Unix seconds; < 0: absent */
	const char *revision_summary;       /**< 1..2048 */
	/* executionDetails */
	const char *summary;                /**< 1..2048 */
	const char *external_execution_id;  /**< 1..1500 */
	int percent_complete;               /**< 0..100; < 0: absent */
	/* outputVariables (PutJobSuccessResult only, not with a continuation token) */
	const cpj_cp_kv *output_variables;  /**< outputVariables, or NULL */
	size_t output_variables_count;      /**< their number */
} cpj_cp_success;

/** \brief Set every member of `s` to "absent".
 *
 * Stack: at most 32 bytes.
 */
void cpj_cp_success_init(cpj_cp_success *s);

/** FailureDetails. */
typedef struct cpj_cp_failure {
	const char *type;                   /**< a FailureType value */
	const char *message;                /**< 1..5000 */
	const char *external_execution_id;  /**< NULL or 1..1500 */
} cpj_cp_failure;

/** Where a call that returns jobs puts them: the caller's parser and the
 *  buffers it is set up with for each attempt (see cpj_jobs.h). */
typedef struct cpj_cp_jobs_buf {
	cpj_jobs_parser *parser;        /**< the parser */
	char *window;                   /**< one job's JSON */
	size_t window_len;              /**< its size */
	cpj_json_tok *tokens;           /**< tokens for one job */
	unsigned ntokens;               /**< their number */
	cpj_job *jobs;                  /**< job slots */
	size_t max_jobs;                /**< their number */
	char *storage;                  /**< string storage the slots share,
	                                     each job's after the last's */
	size_t storage_len;             /**< its size: at least max_jobs *
	                                     CPJ_JOBS_RESERVE (cpj_jobs.h) */
} cpj_cp_jobs_buf;

/**
 * The CodePipeline client context (caller-allocated).
 *
 * It borrows an HTTP client (already pointed at the endpoint with
 * cpj_http_client_set_url) and the worker's credentials; it owns the
 * SigV4 context (signing key cache) and the details of the last error.
 *
 * RAM: sizeof(cpj_cp_context) is about 4 KB (the SigV4 context is most of
 * it), plus the caller's work buffer and HTTP client (which holds the TLS
 * context pointer, not the TLS context).
 */
typedef struct cpj_cp_context {
	cpj_http_client *http;          /**< borrowed */
	char region[32];                /**< signing region */
	unsigned char *work;            /**< caller's work buffer */
	size_t work_len;                /**< its size */
	int64_t skew;                   /**< seconds added to the device clock */
	unsigned max_attempts;          /**< attempts per call (>= 1) */
	uint32_t backoff_cap_ms;        /**< backoff cap, ms */
	/* details of the last call */
	int err;                        /**< last result (0 or CPJ_ERR_*) */
	int http_status;                /**< 0 when no response was read */
	int message_cut;                /**< the message was longer than kept */
	char code[CPJ_CP_CODE_MAX + 1]; /**< AWS error code, "" if none */
	/** AWS error message, "" if none */
	char message[CPJ_CP_MESSAGE_MAX + 1];
	/** x-amzn-RequestId of the last response, "" if none */
	char request_id[CPJ_HTTP_REQUEST_ID_MAX + 1];
	/* statistics (read-only) */
	uint32_t attempts;              /**< requests sent, retries included */
	uint32_t retries;               /**< attempts after a retryable failure */
	uint32_t resigns;               /**< re-signs after a clock-skew error */
	/* private: per-call state */
	/** \cond PRIVATE */
	cpj_http_response resp;
	const cpj_cp_jobs_buf *jb;
	size_t small_len;
	int small_over;
	char small[CPJ_CP_ERRBODY_MAX];
	char auth[256 + CPJ_SIGV4_AKID_MAX];
	cpj_sigv4_context sig;          /* the signer */
	/** \endcond */
} cpj_cp_context;

/**
 * \brief Set up a client.
 *
 * Stack: at most 112 bytes.
 *
 * \param cp        the context (caller-allocated).
 * \param http      HTTP client pointed at the CodePipeline endpoint
 *                  (https://codepipeline.\<region\>.\<suffix\>, see
 *                  the suffix of the region's partition, or an
 *                  override); borrowed for the
 *                  context's lifetime.
 * \param region    signing region (copied; 1..30 of [a-z0-9-]).
 * \param work, work_len  request and HTTP buffer; borrowed for the context's
 *                  lifetime; at least 2,048 bytes. It holds the HTTP head
 *                  (about 700 bytes and the session token) and, when it
 *                  fits beside it, the body. A larger body (a result with
 *                  large output variables, up to ~122 KB of them) is
 *                  streamed in pieces of the buffer's size, once for its
 *                  SHA-256 and once to send, each piece written again
 *                  from the call's arguments (which must not change
 *                  during the call). CPJ_CREDS_TOKEN_MAX + 3,072 bytes
 *                  holds the head with the longest token and a body of
 *                  2 KB (5 KB with a token of 1 KB) beside it.
 * \return 0 or CPJ_ERR_PARAM.
 */
int cpj_cp_init(cpj_cp_context *cp, cpj_http_client *http, const char *region,
	unsigned char *work, size_t work_len);

/**
 * \brief Use these credentials for the following calls.
 *
 * `creds` is borrowed: it MUST stay valid and unchanged until the next
 * cpj_cp_set_credentials() or cpj_cp_clear(); call this again after
 * refreshing it (the cached signing key is wiped).
 *
 * Stack: at most 144 bytes.
 *
 * \return 0 or CPJ_ERR_SIGV4_CREDS.
 */
int cpj_cp_set_credentials(cpj_cp_context *cp, const cpj_creds *creds);

/** \brief Wipe the signing key cache and forget the credentials.
 *
 * Stack: at most 64 bytes.
 */
void cpj_cp_clear(cpj_cp_context *cp);

/**
 * \brief PollForJobs: ask for up to `max_batch` jobs of action type `at`.
 *
 * The response body is parsed as it arrives into `out` (its parser is
 * initialised by this call, once per attempt, with mode CPJ_JOBS_POLL).
 *
 * Stack: at most 6,640 bytes.
 *
 * \param cp         the client.
 * \param at         the action type (owner Custom).
 * \param max_batch  1..100, at most out->max_jobs.
 * \param out        where the jobs go.
 * \param query_key, query_value  the one queryParam entry, or NULL.
 * \return the number of jobs (0 when none), or an error: CPJ_ERR_PARAM
 *         (a field breaks the model's constraints: see cpj_cp_context's
 *         message, which names it), the network, TLS and HTTP errors,
 *         CPJ_ERR_API_* (details in cp->code / message / request_id), or a
 *         CPJ_ERR_JSON_* error of the whole response (each job also has
 *         its own `err`: a job that did not fit is reported with its id).
 */
int cpj_cp_poll_for_jobs(cpj_cp_context *cp, const cpj_cp_action_type *at,
	unsigned max_batch, const char *query_key, const char *query_value,
	const cpj_cp_jobs_buf *out);

#if CPJ_CONFIG_THIRD_PARTY
/**
 * \brief PollForThirdPartyJobs: jobs come back with `id` (jobId) and
 *        `client_id` only.
 *
 * Stack: at most 6,640 bytes.
 */
int cpj_cp_poll_for_third_party_jobs(cpj_cp_context *cp,
	const cpj_cp_action_type *at, unsigned max_batch,
	const cpj_cp_jobs_buf *out);
#endif

/**
 * \brief AcknowledgeJob (client_token NULL) or AcknowledgeThirdPartyJob.
 *
 * Stack: at most 6,768 bytes.
 *
 * \param cp            the client.
 * \param job_id        the job's id.
 * \param nonce         the job's nonce, from the poll.
 * \param client_token  the third-party job's client token, or NULL; the
 *                      same holds for the three calls below. Without
 *                      third-party jobs compiled in (CPJ_CONFIG_THIRD_PARTY
 *                      0, the minimal profile) a token is refused with
 *                      CPJ_ERR_UNSUPPORTED before any I/O.
 * \param status, status_cap  receives the job status ("InProgress", ...).
 * \return 0 or an error as for cpj_cp_poll_for_jobs
 *         (CPJ_ERR_API_INVALID_NONCE, CPJ_ERR_API_JOB_NOT_FOUND, ...).
 */
int cpj_cp_acknowledge_job(cpj_cp_context *cp, const char *job_id,
	const char *nonce, const char *client_token, char *status,
	size_t status_cap);

/**
 * \brief GetJobDetails (client_token NULL) or GetThirdPartyJobDetails.
 *
 * Stack: at most 6,576 bytes.
 *
 * \return 1 (the job is out->jobs[0]), 0 when the response held no
 *         jobDetails, or an error.
 */
int cpj_cp_get_job_details(cpj_cp_context *cp, const char *job_id,
	const char *client_token, const cpj_cp_jobs_buf *out);

/**
 * \brief PutJobSuccessResult (client_token NULL) or
 *        PutThirdPartyJobSuccessResult.
 *
 * Stack: at most 6,672 bytes.
 *
 * \return 0 or an error (CPJ_ERR_API_INVALID_JOB_STATE,
 *         CPJ_ERR_API_OUTPUT_VARIABLES_SIZE, ...).
 */
int cpj_cp_put_job_success(cpj_cp_context *cp, const char *job_id,
	const char *client_token, const cpj_cp_success *s);

/**
 * \brief PutJobFailureResult (client_token NULL) or
 *        PutThirdPartyJobFailureResult.
 *
 * Stack: at most 6,592 bytes.
 */
int cpj_cp_put_job_failure(cpj_cp_context *cp, const char *job_id,
	const char *client_token, const cpj_cp_failure *f);

#endif
