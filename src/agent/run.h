/*
 * run.h -- `cpjob run`, the long-running job worker: what its sources
 * (cmd_run.c and run_*.c) share.
 *
 * Like the rest of the agent it allocates nothing at run time: every
 * buffer below is static, with the sizes given here.
 */
#ifndef CPJ_RUN_H
#define CPJ_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "cli.h"

/* Limits (see README.md, "Handler contract"). */
#define RUN_RESULT_MAX     65536  /* result file bytes */
#define RUN_VARS_MAX         100  /* output variables in one report */
#define RUN_VARS_BYTES    122880  /* their keys and values together (quota) */
#define RUN_TAIL_MAX        1024  /* stderr bytes in a failure message */
#define RUN_MESSAGE_MAX     5000  /* FailureDetails.message, UTF-16 units */
#define RUN_PATH_MAX        1024  /* any path the agent builds */
#define RUN_ENV_MAX     (256 * 1024) /* the handler's environment */
#define RUN_ENV_VARS         128  /* variables in it */
#define RUN_SECRET_KEYS       16  /* --secret-config names */
#define RUN_SECRET_KEY_MAX    50  /* bytes of one (ActionConfigurationKey) */
#define RUN_SECRET_DIR  "secret"  /* their files, in the job's directory */
#ifndef RUN_ARTIFACT_MAX
#define RUN_ARTIFACT_MAX ((uint64_t)5 << 30) /* largest input artifact */
#endif

/* Log levels (as the port's). */
#define RUN_LOG_ERROR 1
#define RUN_LOG_WARN  2
#define RUN_LOG_INFO  3
#define RUN_LOG_DEBUG 4

/* ---- configuration (cmd_run.c) ------------------------------------- */

#define RUN_ADDR_AUTO    0
#define RUN_ADDR_PATH    1
#define RUN_ADDR_VIRTUAL 2

struct run_cfg {
	struct cli_global g;
	const char *action_type_id;
	const char *query_param;
	const char *exec;
	const char *work_dir;
	const char *state_file;
	const char *s3_endpoint_url;
	uint32_t timeout_s;          /* handler time limit; 0: none */
	uint32_t kill_grace_s;       /* SIGTERM .. SIGKILL */
	uint32_t poll_interval_ms;   /* idle polling interval */
	uint32_t refresh_after_s;    /* fresh artifact credentials after this */
	uint32_t transfer_timeout_s; /* one S3 transfer, whole */
	unsigned max_batch;
	int addressing;              /* RUN_ADDR_* */
	int once;
	int exit_when_idle;
	int use_syslog;
	int log_level;
	/* --secret-config: configuration properties passed as files */
	char secret_keys[RUN_SECRET_KEYS][RUN_SECRET_KEY_MAX + 1];
	unsigned nsecret_keys;
	/* resolved at start */
	cpj_cp_action_type at;
	const char *query_key;
	const char *query_value;
	char work_dir_abs[RUN_PATH_MAX];
	char state_abs[RUN_PATH_MAX];
	char exec_abs[RUN_PATH_MAX];
};

extern struct run_cfg run_cfg;

/* Set by SIGTERM / SIGINT: finish the current report, then exit. */
extern volatile sig_atomic_t run_stop;

/* Monotonic milliseconds (64-bit). */
uint64_t run_now_ms(void);

/* Sleep up to `ms`, returning early (1) when a stop was requested. */
int run_sleep_ms(uint64_t ms);

/* ---- logging (run_log.c) -------------------------------------------- */

/* Levels up to `level`; syslog (/dev/log) instead of stderr if asked. */
void run_log_init(int level, int use_syslog);
void run_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
#define LOG_E(...) run_log(RUN_LOG_ERROR, __VA_ARGS__)
#define LOG_W(...) run_log(RUN_LOG_WARN, __VA_ARGS__)
#define LOG_I(...) run_log(RUN_LOG_INFO, __VA_ARGS__)
#define LOG_D(...) run_log(RUN_LOG_DEBUG, __VA_ARGS__)
int run_log_enabled(int level);

/*
 * Secrets that must never appear in a log line: each registered string
 * (4 bytes or longer) is replaced by "[redacted]" wherever it occurs.
 * The log keeps the pointer: the string must stay valid (or be
 * unregistered with run_log_forget) until it is wiped.
 */
void run_log_secret(const char *s);
void run_log_forget(const char *s);
/* Overwrite with '*' every piece of a registered secret in t[0..len) (the
 * pieces the log redacts), and the tail of one that t's start cut. */
void run_secrets_mask(char *t, size_t len);

/* ---- files (run_fs.c; removal: run_rm.c) ---------------------------- */

/* mkdir -p with `mode` for the directories it creates. */
int run_mkdirs(const char *path, unsigned mode);
/* Remove `name` in `dirfd` and everything under it, following no
 * symbolic link and entering no mount point, with bounded memory and
 * time at any depth (a directory 64 levels down is moved up into `name`
 * first). 0, or -1 when something was left: each entry left is logged
 * (LOG_W, its path and why), errno is the first one's. */
int run_rmtree_at(int dirfd, const char *name);
/* Remove the work directory `id` in `workfd` (a job's: see run_job.c)
 * and everything under it, its secret/ files overwritten with zeros
 * first. 0, or -1 (errno) when something was left. */
int run_rm_jobdir(int workfd, const char *id);
/* Overwrite each regular file directly in the directory `name` in
 * `dirfd` with zeros, fsync and unlink it, then remove the directory
 * and whatever else it holds. 0 (also when it does not exist), or -1. */
int run_scrub_dir_at(int dirfd, const char *name);
/* Overwrite the open file `fd` with zeros from its start: `len` bytes,
 * or its size when larger (at most 64 KiB beyond `len`), and fsync it.
 * 0 or -1 (errno). */
int run_zero_fd(int fd, uint64_t len);
/* fsync a directory by path. */
int run_fsync_dir(const char *path);
/* Write `len` bytes whole, through short writes and EINTR. 0, or -1 with
 * errno (EIO when the file takes no byte). */
int run_write_all(int fd, const void *buf, size_t len);
/* Read a whole regular file (no symlink, no FIFO) opened relative to
 * `dirfd` into buf[0..cap-1], NUL-terminated. Returns the length, -1
 * (errno; ENOENT when absent), or -2 when it is larger than cap - 1. */
long run_read_file_at(int dirfd, const char *name, char *buf, size_t cap);
/* 1 if `s` is valid UTF-8 of `len` bytes without NUL, else 0. */
int run_utf8_valid(const char *s, size_t len);

/* ---- results and reports (run_result.c) ----------------------------- */

#define REPORT_SUCCESS 1
#define REPORT_FAILURE 2

/* What the agent tells CodePipeline about a job. Strings are borrowed
 * from the result-file buffer, the state-file buffer or the message
 * buffer; NULL or -1 members are absent. */
struct run_report {
	int kind;                       /* REPORT_* */
	const char *failure_type;       /* failure: a FailureType */
	const char *message;            /* failure: 1..5000 */
	const char *summary;            /* success */
	const char *external_execution_id;
	const char *continuation_token; /* success */
	int percent_complete;
	cpj_cp_kv vars[RUN_VARS_MAX];
	size_t nvars;
};

void run_report_init(struct run_report *r, int kind);

/*
 * Read and check the handler's result file (`name` in `dirfd`) into `r`
 * (strings point into a static buffer valid until the next call).
 * Returns 1 when read, 0 when there is none, -1 when it is invalid:
 * `err` then names the problem (for the failure message).
 */
int run_result_read(int dirfd, const char *name, struct run_report *r,
	char *err, size_t errcap);

/* Make `message` a valid FailureDetails.message in place: valid UTF-8
 * (bad bytes become '?'), control characters other than newline and tab
 * become spaces, at most RUN_MESSAGE_MAX units (cut at a character). */
void run_message_clean(char *message);

/* ---- the state file (run_state.c) ----------------------------------- */

/* Phases of the job in flight, in order. */
#define PHASE_ACKING      0
#define PHASE_ACKED       1
#define PHASE_DOWNLOADING 2
#define PHASE_HANDLER     3
#define PHASE_UPLOADING   4
#define PHASE_REPORTING   5

const char *run_phase_name(int phase);

struct run_state {
	char job_id[40];
	char nonce[64];
	int phase;                   /* PHASE_* */
	int64_t since;               /* Unix time of the last change */
	long handler_pid;            /* 0: none */
	unsigned long long handler_start; /* its start time (/proc) */
	char boot_id[40];            /* boot it ran in */
	struct run_report report;    /* PHASE_REPORTING */
};

/* Write the state atomically (temp file, fsync, rename, fsync dir). */
int run_state_write(const struct run_state *st);
/* Read it: 1 loaded, 0 no state file, -1 unreadable or invalid. */
int run_state_read(struct run_state *st);
/* Remove it (and fsync the directory). */
int run_state_clear(void);
/* Lock the state file against a second agent: 0, or -1 (message). */
int run_state_lock(void);
/* The boot id and a process's start time, to recognise a handler left
 * running by a killed agent. Return 0 or -1. */
int run_boot_id(char *out, size_t cap);
int run_proc_start(long pid, unsigned long long *start);

/* ---- the handler (run_handler.c) ------------------------------------ */

struct run_handler {
	long pid;
	int status;                  /* exit status, -1 if signalled */
	int signal;                  /* terminating signal, 0 if exited */
	int timed_out;
	int stopped;                 /* ended by the agent's stop */
	int spawn_errno;             /* exec failed with this errno */
	uint64_t ms;                 /* run time */
	char tail[RUN_TAIL_MAX * 4 + 1]; /* stderr, last bytes */
	size_t tail_len;
};

/* Start `exec` in `cwd` with `envp`; fills h->pid. */
int run_handler_start(struct run_handler *h, const char *exec,
	char *const envp[], const char *cwd);
/* Relay its output to the log, enforce the time limit and the stop
 * request, and wait for it (and its process group). */
void run_handler_wait(struct run_handler *h, uint32_t timeout_s,
	uint32_t grace_s);
/* Kill what is left of a handler process group from an earlier run. */
void run_handler_kill_stale(const struct run_state *st);

/* ---- S3 artifacts (run_s3.c) ---------------------------------------- */

/* Prepare the S3 client (once). Returns 0 or -1 (message). */
int run_s3_setup(void);
/* Use the job's artifact credentials (copied; wiped by run_s3_clear). */
int run_s3_credentials(const cpj_job *job);
void run_s3_clear(void);
/* Download s3://bucket/key into `name` in `dirfd` / upload it, with
 * progress in the log. `kms_key_id` NULL: SSE aws:kms with the bucket's
 * default key. Return 0 or a CPJ_ERR_* code; `err` gets the message. */
int run_s3_get(const char *region, const cpj_job_s3_location *loc,
	int dirfd, const char *name, const char *label, char *err,
	size_t errcap);
int run_s3_put(const char *region, const cpj_job_s3_location *loc,
	int dirfd, const char *name, const char *kms_key_id,
	const char *label, char *err, size_t errcap);
/* 1 if the error means the artifact credentials expired. */
int run_s3_expired(int err);

/* ---- jobs (run_job.c) ----------------------------------------------- */

/* Share the poll's parse window and tokens for GetJobDetails. */
void run_job_init(const cpj_cp_jobs_buf *poll_buf);
/* Acknowledge and work one job polled at `polled_ms`. 0 done (reported,
 * or not ours to report), 1 a report is still pending in the state
 * file (run_recover() sends it). */
int run_job(cpj_job *job, uint64_t polled_ms);
/* Report the job a state file names (at start-up, or a pending report).
 * 0 nothing left pending, 1 still pending (retry later). */
int run_recover(int startup);
/* The id of the job whose report is pending, or NULL. */
const char *run_job_in_flight(void);
/* Remove work directories (job-id names) other than `keep`'s. */
void run_sweep(const char *keep);

#endif
