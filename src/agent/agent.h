/*
 * agent.h -- declarations shared by the cpjob agent's sources.
 *
 * The agent may use libc freely, but allocates nothing at run time: its
 * buffers are static. Each subcommand lives in its own cmd_<name>.c and is
 * listed in the table in main.c.
 */
#ifndef CPJ_AGENT_H
#define CPJ_AGENT_H

#include "cpj.h"
/* Library internals the agent borrows (not API; it is built with the
 * library): the JSON writer and cpj_buf appenders for its JSON output,
 * CodePipeline's endpoint names and input checks for what it reads from
 * disk and prints. */
#include "util/buf_int.h"
#include "json/json_int.h"
#include "cp/cp_int.h"
/* printf without the C library's (fmt_snprintf, fmt_fprintf, ...) */
#include "fmt.h"

/* Exit statuses shared by every subcommand. */
#define CPJ_EXIT_OK      0
#define CPJ_EXIT_FAIL    1   /* the operation failed (network, AWS error, ...) */
#define CPJ_EXIT_USAGE   2   /* bad command line */

/* Static buffers of the agent (override with -D for small boards). */
/*
 * The CodePipeline client's work buffer: the HTTP head of a request with
 * the largest session token (about 700 bytes and the token) and a body
 * that fits beside it (a poll, an acknowledgement, an ordinary result);
 * a larger body (up to 120 KiB of output variables) is streamed through
 * it (cpj_cp_init()).
 */
#ifndef CPJ_AGENT_WORK_SIZE
#define CPJ_AGENT_WORK_SIZE (CPJ_CREDS_TOKEN_MAX + 3072)
#endif
/*
 * The most the strings of the jobs of one poll take, which the jobs take
 * one after another (cpj_jobs.h): a poll of N jobs takes N times a job's
 * JSON window and the parser's reserve (it never runs out) up to this:
 * 256 KiB holds 50 jobs of 5 KB of strings (a realistic job has about 3
 * KB of JSON) or at least 5 of the model's worst-case ASCII job (46,384
 * bytes of JSON, api digest section 7). A job past that is reported with
 * its id and nonce: `poll` names it and the batch (`run`, which polls
 * one job at a time, never gets there).
 */
#ifndef CPJ_AGENT_JOB_STORAGE
#define CPJ_AGENT_JOB_STORAGE (256 * 1024)
#endif

#define CPJ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Subcommands: argv[0] is the subcommand name. */
/* The job worker (cmd_run.c and run_*.c). */
int cpj_cmd_run(int argc, char **argv);
/* The CodePipeline one-shot commands (cmd_cp.c). */
int cpj_cmd_cp(int argc, char **argv);
int cpj_cmd_cp_known(const char *name);
/* Their names (i from 0; NULL past the last), and their lines of
 * `cpjob --help` with the names w wide. */
const char *cpj_cmd_cp_name(int i);
void cpj_cmd_cp_usage(FILE *f, int w);
/* Show the credentials the provider chain picks (cmd_credentials.c). */
int cpj_cmd_credentials(int argc, char **argv);
/* S3 GetObject / PutObject for tests and debugging (cmd_s3.c). */
int cpj_cmd_s3(int argc, char **argv);

#endif
