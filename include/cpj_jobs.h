/*
 * cpj_jobs.h -- CodePipeline jobs and the streaming job parser.
 *
 * The parser reads the body of a PollForJobs, GetJobDetails,
 * GetThirdPartyJobDetails or PollForThirdPartyJobs response piece by
 * piece, as the HTTP layer receives it, whatever the chunking, into
 * caller-allocated cpj_job structs. The CodePipeline client runs it over
 * the buffers of a cpj_cp_jobs_buf (cpj_codepipeline.h); its calls are the
 * library's own. It has two stages:
 *
 *  1. A cpj_json_scanner validates every byte of the body (strict JSON,
 *     UTF-8, nesting at most CPJ_JSON_DEPTH_MAX) and finds each job: the
 *     elements of the top-level "jobs" array, or the "jobDetails" object.
 *     It copies one job's bytes into the caller's window; the text of a
 *     long string value inside the job (32 bytes or more, such as a
 *     session token) waits at the end of the token array instead, which
 *     is free until then, with a short reference in the window.
 *  2. When the job's object closes, jsmn tokenizes the window into the
 *     caller's token array (the texts go back into the window first when
 *     the job needs the tokens they take) and a field mapper fills the
 *     next cpj_job:
 *     strings are unescaped to UTF-8 into the caller's storage, unknown
 *     members are skipped, and enum values are kept as text, known or not
 *     (newer service models add values, e.g. ActionCategory "Compute").
 *     The window and those texts are then wiped (they held the job's
 *     credentials).
 *
 * RAM: sizeof(cpj_jobs_parser) (472 bytes on 64-bit targets) + the
 * window + the tokens, the same for a response with 1 job or 100; plus
 * what the caller gives for the jobs themselves: sizeof(cpj_job) per job
 * slot and one string storage that the jobs of a response share. Each
 * job's strings follow the previous job's, so one large job can use what
 * small ones left; the parser keeps CPJ_JOBS_RESERVE bytes back for each
 * slot still to come, so that a job that finds the storage full is still
 * reported with its id and nonce. Storage of the response's jobs' JSON
 * text plus CPJ_JOBS_RESERVE per slot never runs out (a realistic job
 * takes less than its 3 KB of JSON). The defaults, CPJ_JOB_WINDOW (48 KiB)
 * and CPJ_JSON_TOKENS_MAX (512 tokens of 20 bytes), hold the model's
 * worst-case job with ASCII text (46,384 bytes, 231 tokens; api digest
 * section 7): 59,840 bytes in all. A realistic job is about 3 KB of JSON
 * and 150 tokens, so a board that trusts its jobs to be realistic can
 * give 8 KiB and 256 tokens. Stack: about 2 KB at most (the mapper
 * follows its static member tables, at most 6 levels deep; nothing
 * recurses on the input's nesting).
 *
 * A job that cannot be read whole (window, tokens, storage, the
 * configuration and artifact limits, a member of the wrong type, a string
 * with a lone surrogate) does not stop the parse: it takes its
 * slot with `err` < 0, what failed and why (err_field, err_detail, and
 * err_key for a configuration value), and its id and nonce when stage 1
 * could keep them (wherever they stand in the job's text), so that the
 * caller can acknowledge the job and fail it with a message rather than
 * see it again on every poll or leave it to time out. See cpj_job.err.
 * Parsing then continues with the next job: the scanner never stops
 * validating, so this is always possible.
 *
 * A string with \u0000 (valid JSON, which botocore and the aws CLI keep)
 * is decoded with a NUL byte in its place: the job is read whole, but is
 * flagged CPJ_JOB_F_HAS_NUL and has err CPJ_ERR_JSON_ESCAPE, so that a
 * caller that only tests `err` fails it as before (no C string, argument
 * or environment variable can hold such a value), and a caller that can
 * carry such strings (e.g. one printing JSON) can use the job. See
 * cpj_job.err.
 *
 * The response as a whole fails (feed() or finish() < 0) when it is not
 * valid JSON (anywhere, also outside the jobs), is truncated, has
 * anything but whitespace after the top-level object, is not an object,
 * has "jobs" that is not an array (or "jobDetails" not an object), has an
 * element that is not an object, or has more jobs than slots. Jobs filled
 * in before such an error carry CPJ_JOB_F_RESPONSE_FAILED and must not be
 * acted upon.
 *
 * null members are treated as absent (as botocore does). Duplicate
 * members: the last one wins (as in Python's json).
 */
/** \file
 * \brief CodePipeline jobs and the streaming job parser.
 */
#ifndef CPJ_JOBS_H
#define CPJ_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"
#include "cpj_json.h"

/**
 * \brief A decoded string: UTF-8, also NUL-terminated at p[len].
 *
 * It holds no NUL before p[len] unless its job has CPJ_JOB_F_HAS_NUL.
 *
 * `p` is never NULL: an absent (or null) member is "" (len 0), which
 * cpj_job_str_present() tells apart from a present "". `p` points into
 * the caller's storage (or at a static ""), valid while that storage is.
 */
typedef struct cpj_job_str {
	const char *p;          /**< the text, NUL-terminated at p[len]; never NULL */
	size_t len;             /**< its length in bytes, without the NUL */
} cpj_job_str;

/**
 * \brief Whether the member was in the response (a present "" counts;
 * absent and null do not).
 *
 * Stack: at most 16 bytes.
 *
 * \param s  a string of a job the parser filled in (NULL gives 0).
 * \return 1 or 0.
 */
int cpj_job_str_present(const cpj_job_str *s);

/** \brief ActionTypeId. */
typedef struct cpj_job_action_type_id {
	cpj_job_str category;   /**< "Source", "Build", ... or a newer value */
	cpj_job_str owner;      /**< "AWS", "ThirdParty", "Custom" */
	cpj_job_str provider;   /**< the action's provider name */
	cpj_job_str version;    /**< the action type's version */
} cpj_job_action_type_id;

/** \brief One entry of actionConfiguration.configuration (may hold secrets). */
typedef struct cpj_job_config_entry {
	cpj_job_str key;        /**< the key; unique in a job (a repeated key
	                             replaces the earlier value) */
	cpj_job_str value;      /**< "" when the service sent null */
} cpj_job_config_entry;

/** \brief PipelineContext. */
typedef struct cpj_job_pipeline_context {
	cpj_job_str pipeline_name;          /**< pipelineName */
	/** StageContext */
	struct {
		cpj_job_str name;               /**< stage.name */
	} stage;
	/** ActionContext */
	struct {
		cpj_job_str name;               /**< action.name */
		cpj_job_str action_execution_id; /**< action.actionExecutionId */
	} action;
	cpj_job_str pipeline_arn;           /**< pipelineArn */
	cpj_job_str pipeline_execution_id;  /**< pipelineExecutionId */
	unsigned char stage_present;    /**< "stage" was an object */
	unsigned char action_present;   /**< "action" was an object */
} cpj_job_pipeline_context;

/** \brief S3ArtifactLocation. */
typedef struct cpj_job_s3_location {
	cpj_job_str bucket_name;    /**< bucketName */
	cpj_job_str object_key;     /**< objectKey */
} cpj_job_s3_location;

/** \brief ArtifactLocation. */
typedef struct cpj_job_artifact_location {
	cpj_job_str type;       /**< "S3" */
	cpj_job_s3_location s3_location;    /**< s3Location */
	unsigned char present;              /**< "location" was an object */
	unsigned char s3_location_present;  /**< "s3Location" was an object */
} cpj_job_artifact_location;

/** \brief Artifact (input or output). */
typedef struct cpj_job_artifact {
	cpj_job_str name;                   /**< name */
	cpj_job_str revision;               /**< revision */
	cpj_job_artifact_location location; /**< location */
} cpj_job_artifact;

/** \brief AWSSessionCredentials (secret: wipe with cpj_job_wipe()). */
typedef struct cpj_job_credentials {
	cpj_job_str access_key_id;      /**< accessKeyId */
	cpj_job_str secret_access_key;  /**< secretAccessKey (secret) */
	cpj_job_str session_token;      /**< sessionToken (secret) */
} cpj_job_credentials;

/** \brief EncryptionKey. */
typedef struct cpj_job_encryption_key {
	cpj_job_str id;         /**< the key's id, ARN or alias ARN */
	cpj_job_str type;       /**< "KMS" */
} cpj_job_encryption_key;

/** \brief JobData / ThirdPartyJobData. */
typedef struct cpj_job_data {
	cpj_job_action_type_id action_type_id;  /**< actionTypeId */
	/** actionConfiguration.configuration, in document order (more than
	 *  CPJ_JOB_CONFIG_MAX keys: CPJ_ERR_JSON_JOB_TOO_LARGE) */
	cpj_job_config_entry configuration[CPJ_JOB_CONFIG_MAX];
	size_t configuration_count;           /**< entries of `configuration` */
	unsigned char configuration_present;  /**< "configuration" was an object */
	cpj_job_pipeline_context pipeline_context; /**< pipelineContext */
	/** inputArtifacts, in document order (more than CPJ_JOB_ARTIFACTS_MAX:
	 *  CPJ_ERR_JSON_JOB_TOO_LARGE) */
	cpj_job_artifact input_artifacts[CPJ_JOB_ARTIFACTS_MAX];
	size_t input_artifacts_count;         /**< entries of `input_artifacts` */
	/** outputArtifacts, in document order (more than
	 *  CPJ_JOB_ARTIFACTS_MAX: CPJ_ERR_JSON_JOB_TOO_LARGE) */
	cpj_job_artifact output_artifacts[CPJ_JOB_ARTIFACTS_MAX];
	size_t output_artifacts_count;        /**< entries of `output_artifacts` */
	cpj_job_credentials artifact_credentials; /**< artifactCredentials (secret) */
	cpj_job_str continuation_token;       /**< continuationToken */
	cpj_job_encryption_key encryption_key; /**< encryptionKey */
} cpj_job_data;

/** \brief cpj_job.flags: the response failed after this job was filled in. */
#define CPJ_JOB_F_RESPONSE_FAILED      0x0001u
/* cpj_job.flags: member present (structures; strings have len). A null
 * member counts as absent. */
/** \brief cpj_job.flags: "data" present. */
#define CPJ_JOB_F_DATA                 0x0002u
#define CPJ_JOB_F_ACTION_TYPE_ID       0x0004u /**< "data.actionTypeId" present */
#define CPJ_JOB_F_ACTION_CONFIGURATION 0x0008u /**< "data.actionConfiguration" present */
#define CPJ_JOB_F_PIPELINE_CONTEXT     0x0010u /**< "data.pipelineContext" present */
#define CPJ_JOB_F_INPUT_ARTIFACTS      0x0020u /**< "data.inputArtifacts" present */
#define CPJ_JOB_F_OUTPUT_ARTIFACTS     0x0040u /**< "data.outputArtifacts" present */
#define CPJ_JOB_F_ARTIFACT_CREDENTIALS 0x0080u /**< "data.artifactCredentials" present */
#define CPJ_JOB_F_ENCRYPTION_KEY       0x0100u /**< "data.encryptionKey" present */
/** \brief cpj_job.flags: the job was read whole, but a string (a key or
 *  value of the configuration, the id and nonce included) holds U+0000
 *  as a NUL byte before p[len]; err is CPJ_ERR_JSON_ESCAPE (see there). */
#define CPJ_JOB_F_HAS_NUL              0x0200u

/**
 * \brief One job: Job (PollForJobs), JobDetails (GetJobDetails),
 * ThirdPartyJobDetails (GetThirdPartyJobDetails) or ThirdPartyJob
 * (PollForThirdPartyJobs).
 *
 * 2,344 bytes on a 64-bit target with the default limits (about 1.2 KB
 * on 32-bit). The strings live in the part of the parser's storage this
 * job took (after the previous job's strings); it holds secrets
 * (credentials, secret configuration values): call cpj_job_wipe() when
 * done, which wipes exactly that part.
 */
typedef struct cpj_job {
	/**
	 * 0: the job was read completely. CPJ_ERR_JSON_ESCAPE with
	 * CPJ_JOB_F_HAS_NUL in `flags`: it was read completely too, every
	 * member set as with 0, but a string holds U+0000 (a NUL byte before
	 * p[len]; len counts it); the err_* members name the first such
	 * string. Test the flag before using such a job's strings; callers
	 * that hand strings on as C strings fail it as any other.
	 * Otherwise < 0: it could not be read; then only
	 * `id`, `nonce` and the err_* members are set (every other string is
	 * "", every count 0, `flags` at most CPJ_JOB_F_RESPONSE_FAILED):
	 *
	 *  - `id`: the job's last "id" member ("jobId" in
	 *    CPJ_JOBS_THIRD_PARTY_POLL) that is a string, when it has at most
	 *    CPJ_JOBS_ID_MAX - 1 bytes of JSON text; else len 0.
	 *  - `nonce`: when the job's last "nonce" member is a string of at
	 *    most CPJ_JOBS_NONCE_MAX - 1 bytes of JSON text that decodes to at
	 *    most CPJ_JOBS_NONCE_LEN_MAX bytes (the API's 1..50); else len 0
	 *    (absent, null, not a string, longer, \\u0000). Only a Job
	 *    (PollForJobs) and a ThirdPartyJobDetails (GetThirdPartyJobDetails)
	 *    have one. A JobDetails (GetJobDetails) has none: its caller has
	 *    the nonce from the poll. A ThirdPartyJob (PollForThirdPartyJobs)
	 *    has none either (in CPJ_JOBS_THIRD_PARTY_POLL a "nonce" member is
	 *    ignored): a third-party worker gets it from
	 *    GetThirdPartyJobDetails.
	 *  - They are kept in the job's storage, in this order: id, nonce,
	 *    err_key. The id and nonce always fit (the parser keeps
	 *    CPJ_JOBS_RESERVE bytes for every slot); err_key is left out
	 *    (NULL) when the storage left has no room for it.
	 *
	 * With an id and a nonce the worker can acknowledge the job and fail
	 * it (PutJobFailureResult) with a message built from err_field,
	 * err_key and err_detail; the values:
	 *
	 *  - CPJ_ERR_JSON_JOB_TOO_LARGE: the job is valid but larger than this
	 *    parser was given: err_field "window" or "tokens" (the job's JSON
	 *    text or its number of values), a string member's path (the
	 *    storage left for this job is full), "data.inputArtifacts" or
	 *    "data.outputArtifacts" (more than CPJ_JOB_ARTIFACTS_MAX),
	 *    "data.actionConfiguration.configuration" (more than
	 *    CPJ_JOB_CONFIG_MAX keys, or a key or value does not fit the
	 *    storage: err_detail tells which). A larger buffer or limit at
	 *    build time would read it.
	 *  - CPJ_ERR_JSON_TYPE: a member has a JSON type the API model does
	 *    not allow (e.g. a number as a configuration value); err_detail
	 *    says what it is not.
	 *  - CPJ_ERR_JSON_ESCAPE: a string holds a lone UTF-16 surrogate
	 *    escape (not Unicode text: no UTF-8 for it, and the aws CLI fails
	 *    to print it too; see cpj_json.h), or, with CPJ_JOB_F_HAS_NUL,
	 *    \\u0000 (U+0000, which no C string, environment variable or
	 *    argument can hold: the job is whole, see above). err_detail says
	 *    which. Neither is a limit of this library: a configuration value
	 *    can carry them.
	 *  - CPJ_ERR_INTERNAL: a bug (err_field "tokens").
	 */
	int err;
	/** With err < 0: static text naming the member (its path from the job
	 *  object, arrays as "[]", e.g. "data.inputArtifacts" or
	 *  "data.actionConfiguration.configuration") or the limit ("window",
	 *  "tokens"); else NULL. */
	const char *err_field;
	/**
	 * With err < 0: static text saying why, about the member err_field
	 * names (the value of err_key when that is set): a lowercase phrase
	 * without a final period, never NULL. The texts, by err:
	 *  - CPJ_ERR_JSON_JOB_TOO_LARGE: "the job's JSON is larger than the
	 *    parser's window", "the job's JSON has more values than the
	 *    parser's token array", "does not fit the job's string storage",
	 *    "a key does not fit the job's string storage", "more than N keys
	 *    (CPJ_JOB_CONFIG_MAX)", "more than N artifacts
	 *    (CPJ_JOB_ARTIFACTS_MAX)", N being the limit's value;
	 *  - CPJ_ERR_JSON_TYPE: "is not a string", "is not an object", "is
	 *    not an array", "has an element that is not an object";
	 *  - CPJ_ERR_JSON_ESCAPE: "contains U+0000 (\\u0000)", "contains a
	 *    lone UTF-16 surrogate (\\ud800-\\udfff)"; when a configuration
	 *    key failed rather than a value (err_key is then NULL), the same
	 *    with "a key " in front: "a key contains U+0000 (\\u0000)", ...;
	 *  - CPJ_ERR_INTERNAL: "internal error".
	 * Meant for people: test err and err_field, not these texts. NULL when
	 * err is 0. A library built without error texts (CPJ_CONFIG_STRERROR
	 * 0, as in cpj_config_minimal.h) gives "" instead of every text: err,
	 * err_field and err_key still say what failed.
	 */
	const char *err_detail;
	/**
	 * With err < 0 and err_field "data.actionConfiguration.configuration":
	 * the key of the entry whose value failed (wrong type, lone
	 * surrogate, storage) or is the first to hold \\u0000, decoded,
	 * NUL-terminated, in this job's storage after the id and nonce (after
	 * all its strings with CPJ_JOB_F_HAS_NUL); cut at a character boundary
	 * to at most CPJ_JOB_ERR_KEY_MAX bytes (an ActionConfigurationKey has
	 * 1..50 characters). It may hold any character but NUL, control
	 * characters included: escape it before logging. It is never secret
	 * (a failed configuration value may be: it is never kept; a value
	 * with \\u0000 is kept in `data`, as in a job read whole). NULL
	 * otherwise: no value failed (the key itself did, err_detail then
	 * begins "a key"; or more than CPJ_JOB_CONFIG_MAX keys), the failure
	 * is elsewhere, or the job's storage had no room for it (decoding it
	 * takes its length in JSON text + 1 bytes, before the cut).
	 */
	const char *err_key;
	unsigned flags;                 /**< CPJ_JOB_F_* */
	cpj_job_str id;                 /**< id, or jobId of a ThirdPartyJob */
	cpj_job_str nonce;              /**< Job and ThirdPartyJobDetails (see err) */
	cpj_job_str account_id;         /**< Job and JobDetails */
	cpj_job_str client_id;          /**< ThirdPartyJob (PollForThirdPartyJobs) */
	cpj_job_data data;              /**< data: all but ThirdPartyJob */
	char *store;                    /**< private: this job's part of the storage */
	size_t store_cap;               /**< private */
	size_t store_used;              /**< private */
} cpj_job;

/** \brief What the body is: the top-level member that holds the jobs. */
#define CPJ_JOBS_POLL              1  /**< PollForJobs: "jobs": [Job, ...] */
#define CPJ_JOBS_DETAILS           2  /**< GetJobDetails / GetThirdPartyJobDetails: "jobDetails": {...} */
#define CPJ_JOBS_THIRD_PARTY_POLL  3  /**< PollForThirdPartyJobs: "jobs": [{clientId, jobId}, ...] */

/** \brief Raw bytes of a member name the parser looks at (longer: unknown). */
#define CPJ_JOBS_NAME_MAX   64
/** \brief Raw bytes of a job id kept for a job that does not fit. */
#define CPJ_JOBS_ID_MAX     128
/** \brief Raw bytes of a nonce kept for a job that does not fit (its JSON
 *  text and closing quote). */
#define CPJ_JOBS_NONCE_MAX  64
/** \brief Longest decoded nonce kept for a job that does not fit (the
 *  API's Nonce has 1..50 characters). */
#define CPJ_JOBS_NONCE_LEN_MAX  50
/** \brief Longest cpj_job.err_key, in bytes (an ActionConfigurationKey has
 *  1..50 characters). */
#define CPJ_JOB_ERR_KEY_MAX 50
/**
 * \brief String storage the parser keeps back for each job slot still to
 * come: room for what a job that is not read whole keeps (cpj_job.err),
 * its id (at most CPJ_JOBS_ID_MAX - 1 bytes) and nonce (at most
 * CPJ_JOBS_NONCE_LEN_MAX), each with its NUL: 179 bytes. The storage of a
 * parser must hold at least this much per slot.
 */
#define CPJ_JOBS_RESERVE (CPJ_JOBS_ID_MAX + CPJ_JOBS_NONCE_LEN_MAX + 1)

/**
 * \brief The streaming job parser; members are private.
 *
 * Keeps pointers to the caller's window, tokens, jobs and storage: they
 * must outlive it.
 */
typedef struct cpj_jobs_parser {
	cpj_json_scanner scan;          /**< private: stage 1, over the whole body */
	int mode;                       /**< private: CPJ_JOBS_* */
	int err;                        /**< sticky */
	char *win;                      /**< private: caller's window */
	size_t win_cap;                 /**< private: its size */
	size_t win_len;                 /**< private: bytes of the current job in it */
	size_t job_bytes;               /**< private: bytes of the current job's JSON */
	size_t txt_len;                 /**< private: bytes of its long strings kept at the tokens' end */
	cpj_json_tok *toks;             /**< private: caller's tokens */
	unsigned ntoks;                 /**< private: their number */
	cpj_job *jobs;                  /**< private: caller's job slots */
	size_t max_jobs;                /**< private: their number */
	size_t count;                   /**< private: slots filled */
	char *storage;                  /**< private: where the next job's strings go */
	size_t store_left;              /**< private: storage bytes from there on */
	uint32_t job_level;             /**< private: scanner level of a job object */
	unsigned char in_list;          /**< private: inside the "jobs" array */
	unsigned char in_job;           /**< private: copying a job into the window */
	unsigned char too_large;        /**< private: the job overflowed the window */
	unsigned char top_match;        /**< private: last top-level name was ours */
	unsigned char seen_top;         /**< private: our top-level member was seen */
	unsigned char name_cap;         /**< private: capturing a member name */
	unsigned char name_over;        /**< private: the name overflowed */
	unsigned char id_next;          /**< private: last job member name was the id's */
	unsigned char id_cap;           /**< private: capturing the id's text */
	unsigned char id_over;          /**< private: the id overflowed */
	unsigned char id_ok;            /**< private: id[] holds the decoded id */
	unsigned char nonce_next;       /**< private: last job member name was "nonce" */
	unsigned char nonce_cap;        /**< private: capturing the nonce's text */
	unsigned char nonce_over;       /**< private: the nonce overflowed */
	unsigned char nonce_ok;         /**< private: nonce[] holds the decoded nonce */
	size_t name_len;                /**< private: bytes in name[] */
	size_t id_len;                  /**< private: bytes in id[] */
	size_t nonce_len;               /**< private: bytes in nonce[] */
	char name[CPJ_JOBS_NAME_MAX];   /**< private: raw text of the member name */
	char id[CPJ_JOBS_ID_MAX];       /**< private: the job's id (raw, then decoded) */
	char nonce[CPJ_JOBS_NONCE_MAX]; /**< private: the job's nonce (raw, then decoded) */
} cpj_jobs_parser;

/**
 * \brief Wipe a job's strings (credentials, configuration) and the struct.
 *
 * Afterwards every string is "", err is 0 and err_field, err_detail
 * and err_key are NULL.
 *
 * Stack: at most 3,392 bytes.
 *
 * \param job  a slot the parser filled in, or a zero-filled one; NULL
 *             does nothing.
 */
void cpj_job_wipe(cpj_job *job);

#endif
