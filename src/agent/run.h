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

/* Limits (see docs/handler.md). */
#define RUN_RESULT_MAX     65536  /* result file bytes */
#define RUN_VARS_MAX         100  /* output variables in one report */
#define RUN_VARS_BYTES    122880  /* their keys and values together (quota) */
#define RUN_TAIL_MAX        1024  /* stderr bytes in a failure message */
#define RUN_MESSAGE_MAX     5000  /* FailureDetails.message, UTF-16 units */
#define RUN_PATH_MAX        1024  /* any path the agent builds */
/* Jobs asked for per poll (--max-batch-size). The agent works one job at
 * a time, and a job of a batch waits unacknowledged (its dispatch time
 * running) while the one before it runs: a batch gains nothing, and each
 * job of one would hold a job's strings (up to CPJ_JOB_WINDOW) and a slot
 * of the arena for nothing. */
#define RUN_BATCH_MAX          1
/* The handler's environment: every string of the job once at most (its
 * JSON fits CPJ_JOB_WINDOW, 48 KiB), 31 paths under the job's directory
 * at most (5 fixed, 10 artifacts, 16 secret configuration files: about
 * 1.2 KiB each with RUN_PATH_MAX), the variables' names and the artifact
 * lists (under 6 KiB); PATH, HOME and LANG from the agent's environment
 * share the rest (at least 30 KiB). */
#define RUN_ENV_MAX     (128 * 1024)
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

/* ---- configuration (run_opts.c) ------------------------------------ */

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
	uint32_t give_up_s;          /* --once, --exit-when-idle: how long the
	                                service may stay unreachable */
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

/* The settings (run_options() and run_resolve() make them, before the
 * worker starts; every other file only reads them). Always the same
 * address: calls of one function share one. */
const struct run_cfg *run_config(void)
#if defined(__GNUC__)
	__attribute__((const))
#endif
	;

/* Defaults, then the config file, then the command line, into run_cfg.
 * 1: --help or --version printed; 0 ok; -1 usage error (printed). */
int run_options(int argc, char **argv);
/* Check what is required, make paths absolute, create the work and
 * state directories. 0, -1 a usage error, -2 a path that cannot serve
 * (the handler, the work directory, the state file's directory): each
 * printed, naming which. */
int run_resolve(void);

/* ---- clock and signals (run_clock.c) -------------------------------- */

/* SIGTERM and SIGINT ask the worker to stop: it finishes the current
 * report, then exits (the third one exits at once). SIGPIPE is ignored. */
void run_signals(void);
/* 1 once a stop was asked for. */
int run_stopping(void);

/* Monotonic milliseconds (64-bit). */
uint64_t run_now_ms(void);

/* Sleep up to `ms`, returning early (1) when a stop was requested; the
 * systemd watchdog is pinged on the way (run_notify_tick). */
int run_sleep_ms(uint64_t ms);

/* 32 random bits (the port's entropy; the clock if it has none). */
uint32_t run_random32(void);

/* The one backoff of the agent: after `errors` failures in a row, `base`
 * doubled per failure up to `cap`, half of it random ("equal jitter"),
 * so that a fleet that failed together does not retry together. */
uint64_t run_backoff_ms(uint64_t base, unsigned errors, uint64_t cap);

/* ---- systemd notification (run_notify.c) --------------------------- */

/* Read $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID (then unset
 * them); without a socket the calls below do nothing. */
void run_notify_init(void);
/* READY=1 (set up: settings, credentials, state file and pending reports
 * loaded). */
void run_notify_ready(void);
/* STATUS=<text> (at most 255 bytes; control characters, newlines
 * included, become spaces), sent when it changes. */
void run_notify_status(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
/* WATCHDOG=1 when half of the unit's WatchdogSec= passed since the last
 * one. Called by the main thread only, from wherever it waits, so that a
 * stuck worker stops pinging. */
void run_notify_tick(void);
/* `ms`, or less: how long a wait may last before run_notify_tick() is
 * due (`ms` without a watchdog). */
uint64_t run_notify_slice_ms(uint64_t ms);
/* STOPPING=1. */
void run_notify_stopping(void);

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
 * Secrets that must never appear in a log line. Each registered string
 * (4 bytes or longer) is matched by its lines (the runs between control
 * bytes, 4 bytes or longer: "pieces"): a piece shorter than 16 bytes is
 * replaced by "[redacted]" where it appears whole, and any run of 16 bytes
 * or more of a longer piece wherever it appears (so the start or the end
 * of a secret that something cut is found too). The log keeps the
 * pointer: the string must stay valid (or be unregistered with
 * run_log_forget) until it is wiped.
 */
void run_log_secret(const char *s);
void run_log_forget(const char *s);
/* Overwrite with '*' what the log redacts in t[0..len), and the end (4
 * bytes or more) of a piece that t's start cut. */
void run_secrets_mask(char *t, size_t len);

/*
 * A line of the handler's output (run_handler.c), text[0..len), logged as
 * "handler <name>: <text>", with " [...]" when `cut` (a longer line goes
 * on in the next). A secret may span a cut: the RUN_LOG_CARRY bytes on
 * each side of it go with each half (`before`: those of the line this
 * one continues; `after`: the first of the next), matched but not shown,
 * so that both halves of a secret across the cut are masked. (Runs of 16
 * bytes and secrets shorter than 16 need no more than 15 bytes around.)
 */
#define RUN_LOG_CARRY 15
void run_log_relayed(int level, const char *name, const char *before,
	size_t nbefore, const char *text, size_t len, const char *after,
	size_t nafter, int cut);

/* ---- files (run_fs.c; removal: run_rm.c) ---------------------------- */

/* mkdir -p with `mode` for the directories it creates. */
int run_mkdirs(const char *path, unsigned mode);
/* Remove `name` in `dirfd` and everything under it, following no
 * symbolic link and entering no mount point, with bounded memory and
 * time at any depth (a directory 64 levels down is moved up into `name`
 * first). 0, or -1 when something was left: each entry left is logged
 * (LOG_W, its path and why), errno is the first one's. */
int run_rmtree_at(int dirfd, const char *name);
/* Call fn(arg, name) for each entry of the directory `fd` ("." and ".."
 * included), in the order getdents64 lists them, until fn returns non-zero
 * (a name is valid for the call only; fn may remove entries). 0, or -1
 * (errno) when the directory could not be read. */
int run_dir_each(int fd, int (*fn)(void *arg, const char *name), void *arg);
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
/* Open a regular file (no symlink, no FIFO) relative to `dirfd` for
 * reading: the descriptor, or -1 (errno; ENOENT when absent). */
int run_open_file_at(int dirfd, const char *name);
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

/* The member of `r` that a result or state file's key `k` sets, of
 * failure_type, message, summary, external_execution_id and
 * continuation_token, with its maximum length in *max (failure_type: 0,
 * an enum); NULL for another key. */
const char **run_report_str(struct run_report *r, const char *k,
	unsigned *max);

/* Take the result file's buffer from the arena, at start: every lasting
 * buffer of `run` is taken before the first job, so that its first job
 * reaches the run's sum (arena.h). */
void run_result_init(void);

/*
 * Read and check the handler's result file (`name` in `dirfd`) into `r`
 * (strings point into the arena buffer, valid until the next call).
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

/* Phases of the job in flight, in order (docs/agent.md, "State file and recovery", says
 * what a restart does in each). */
#define PHASE_ACKING      0
#define PHASE_ACKED       1
#define PHASE_DOWNLOADING 2
#define PHASE_HANDLER     3
#define PHASE_UPLOADING   4
#define PHASE_REPORTING   5

#define RUN_OUTPUTS_MAX  32     /* bits of run_state.uploaded */

const char *run_phase_name(int phase);

struct run_state {
	char job_id[40];
	char nonce[64];
	int phase;                   /* PHASE_* */
	int64_t since;               /* Unix time of the last change */
	long handler_pid;            /* 0: none */
	unsigned long long handler_start; /* its start time (/proc) */
	char boot_id[40];            /* boot it ran in */
	uint32_t uploaded;           /* output artifacts confirmed (bit i) */
	/* phases uploading and reporting: the outcome, recorded before the
	 * first upload (kind 0: none recorded) */
	struct run_report report;
};

/* Write a state file atomically (temp file, fsync, rename, fsync dir):
 * `path` is run_cfg.state_abs, or a pending report's (run_report.c).
 * 0 or -1 (logged). */
int run_state_write(const char *path, const struct run_state *st);
/* Read one: 1 loaded, 0 no such file, -1 unreadable or invalid. Its
 * strings point into a static buffer valid until the next call. */
int run_state_read(const char *path, struct run_state *st);
/* Remove one (and fsync its directory). */
int run_state_clear(const char *path);
/* Lock the state file against a second agent: 0, or -1 (printed, naming
 * the state file's lock). */
int run_state_lock(const char *state_path);
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

/* ---- the job in flight -------------------------------------------- */

/*
 * The job being worked: one at a time, passed explicitly between its
 * phases (run_job.c), its environment (run_env.c), its secret files
 * (run_secrets.c), its artifacts (run_artifacts.c) and its report
 * (run_report.c). cmd_run.c owns the one instance.
 */
struct run_job {
	struct run_state st;         /* what the state file says */
	const cpj_job *job;          /* its data, while it is worked */
	char region[32];             /* where its artifacts are */
	char dir[RUN_PATH_MAX + 64]; /* its work directory */
	int dirfd, infd, outfd;      /* it, in/ and out/ (-1: closed) */
	uint64_t data_ms;            /* when its artifact credentials came */
	int creds_stale;             /* S3 said they expired: fetch again */
	char msg[RUN_TAIL_MAX * 2 + 512]; /* its failure message */
	char err[1024];              /* the last error, for messages */
};

/* Make `r` a failure of `type` whose message (cleaned, see
 * run_message_clean) is formatted into j->msg (run_result.c). */
void run_fail(struct run_job *j, struct run_report *r, const char *type,
	const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* ---- worker credentials (run_wcreds.c) ------------------------------ */

/*
 * Every signed CodePipeline request of the worker (poll, acknowledge,
 * GetJobDetails, reports, pending reports) goes through run_cp_call():
 * before it, the worker's credentials are refreshed when expired or
 * within CPJ_CREDS_REFRESH_S of expiry (at most one fetch every
 * RUN_CREDS_FETCH_GAP_MS, whatever lifetime the provider gives); when
 * the service answers that they are expired or unknown (ExpiredToken,
 * ExpiredTokenException, InvalidClientTokenId,
 * UnrecognizedClientException, RequestExpired), they are fetched again
 * and the request is made once more. Returns what `op` returned.
 */
#define RUN_CREDS_FETCH_GAP_MS 5000u
typedef int (*run_cp_op)(cpj_cp_context *cp, void *arg);
int run_cp_call(run_cp_op op, void *arg);
/* The message of the last failed call: "Code: message" or the error's
 * text, into out. */
void run_cp_error(int rc, char *out, size_t cap);

/* ---- the handler's environment (run_env.c) -------------------------- */

/* Build the handler's environment for j->job, in a scope of the arena
 * (arena.h) that run_env_wipe() ends: 0, or -1 (the scope ended) with a
 * ConfigurationError naming the field in `r`. The agent builds it where
 * no credential refresh comes before the wipe, so the two scopes never
 * add up. */
int run_env_build(struct run_job *j, struct run_report *r);
/* The environment built (NULL-terminated). */
char *const *run_env_vars(void);
/* Wipe it (it may hold configuration values). */
void run_env_wipe(void);
/* The variable suffix of a configuration key, as the environment spells
 * it: upper case, other than [A-Z0-9] as '_'. */
void run_var_suffix(const char *key, char *out, size_t cap);

/* 1 if --secret-config names `key` (exactly): its value reaches the
 * handler as a file (run_secrets.c), not in the environment. */
int run_secret_key(const cpj_job_str *key);

/* ---- secret configuration files (run_secrets.c) --------------------- */
/* Note the job's secret configuration values and redact them from the
 * log until run_secrets_forget(). */
void run_secrets_note(const cpj_job *job);
void run_secrets_forget(void);
/* Write the secret files (just before the handler starts): 0, or -1
 * with the failure in `r` and nothing left behind. */
int run_secrets_write(struct run_job *j, struct run_report *r);
/* Zero, fsync and unlink them, remove secret/ (idempotent). */
void run_secrets_wipe(struct run_job *j);

/* ---- artifacts (run_artifacts.c) ------------------------------------ */

/* GetJobDetails shares the poll's parse window and tokens. */
void run_artifacts_init(const cpj_cp_jobs_buf *poll_buf);
/* Check the job's artifacts (names, S3 locations, credentials) and take
 * its artifact credentials: 0, or -1 with the failure in `r`. */
int run_artifacts_check(struct run_job *j, struct run_report *r);
/* Download every input artifact into in/; upload every output artifact
 * from out/ not yet confirmed in j->st.uploaded (each confirmed one is
 * recorded in the state file). 0, -1 with the failure in `r`, or 1
 * when a stop interrupted it (the job resumes at the next start). */
int run_download(struct run_job *j, struct run_report *r);
int run_upload(struct run_job *j, struct run_report *r);
/* GetJobDetails for the job j->st names, into `into` (its first slot):
 * the job, or NULL with j->err set; *gone is set when CodePipeline no
 * longer knows the job (JobNotFound) and *retry when trying later may
 * help. */
const cpj_job *run_job_details(struct run_job *j,
	const cpj_cp_jobs_buf *into, int *gone, int *retry);

/* ---- the handler's outcome (run_outcome.c) ------------------------- */

/* Build the handler's environment (run_env_build()), write the secret
 * files, run the handler in j->dir (the environment wiped once it
 * started), supervise it, wipe the
 * secret files, and decide the report in `r`: the result file's success
 * or failure, a failure that says how the handler ended, or a failure
 * naming an output it did not write. */
void run_outcome(struct run_job *j, struct run_report *r);

/* ---- reports (run_report.c) ----------------------------------------- */

#define RUN_PENDING_MAX 16      /* reports waiting for delivery */

/* Record `r` as the job's outcome (phase reporting), send it; a report
 * CodePipeline refuses as invalid becomes a failure saying why. Returns
 * 0 when delivered (or the job is no longer in progress: a report sent
 * before, or a job timed out), 1 when it could not be delivered: it then
 * waits in the pending directory (<state file>.pending/<job id>),
 * retried by run_pending_send() while the worker goes on; 2 when it
 * could not be moved there (RUN_PENDING_MAX wait already): it stays in
 * the state file, for run_recover(). */
int run_report_finish(struct run_job *j, struct run_report *r);
/* Load the pending reports left by an earlier run. */
void run_pending_load(void);
/* Send the pending reports that are due (each with its own backoff).
 * Returns how many remain. */
int run_pending_send(void);
/* How many are waiting. */
int run_pending_count(void);
/* Milliseconds until the next one is due (UINT64_MAX: none waits). */
uint64_t run_pending_wait_ms(void);

/* ---- jobs: phases and recovery (run_job.c) -------------------------- */

/* Acknowledge and work one job polled at `polled_ms`. 0 done (reported,
 * pending, or not ours to report), 1 it is still in flight in the state
 * file (run_recover() goes on with it). */
int run_job(struct run_job *j, cpj_job *job, uint64_t polled_ms);
/* Go on with the job the state file names, after a restart (`startup`)
 * or after an error: resume it or report it as docs/agent.md's state-file
 * table says. `jb` lends its first slot for GetJobDetails. 0 nothing
 * left in flight, 1 still in flight (try again later). */
int run_recover(struct run_job *j, const cpj_cp_jobs_buf *jb, int startup);
/* Remove work directories (job-id names) but those of jobs in flight or
 * pending. */
void run_sweep(const char *work_dir, const char *keep);

#endif
