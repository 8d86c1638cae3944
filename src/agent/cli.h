/*
 * cli.h -- what the one-shot commands share: global options in the aws
 * CLI's spelling, the HTTP and CodePipeline clients set up from them
 * (with setup.h: environment, endpoint, proxy, trust anchors), the
 * credentials, and aws-CLI-shaped JSON output.
 *
 * All of it is static storage or the agent's arena (arena.h), in
 * cli_common.c (options, clients) and cli_out.c (jobs read, output):
 * nothing is allocated.
 */
#ifndef CPJ_CLI_H
#define CPJ_CLI_H

#include <stdio.h>

#include "cpj.h"
#include "cpj_tls.h"

struct cli_kv {
	char *key;
	char *value;    /* a string's text, else Python's repr of the value */
	char type;      /* s string (JSON), h string (shorthand), i int,
	                   d float, b bool, z null, a list, o object (JSON),
	                   l list, m dict (shorthand) */
};

/* The model's FailureType values, as the aws CLI lists them (cmd_cp's
 * check, the result file's message). */
#define CLI_FAILURE_TYPES "JobFailed, ConfigurationError, " \
	"PermissionError, RevisionOutOfSync, RevisionUnavailable, " \
	"SystemUnavailable"

/* A member of a structure of the service model, for the checks. */
struct cli_shape {
	const char *name;
	char type;              /* s string, i integer, t timestamp */
	char req;               /* required */
	unsigned short min;     /* length (s) or value (i) */
	long max;               /* value (i), checked here */
	const char *enums;      /* "A, B, C" or NULL */
};

/* Global options (aws CLI names). NULL / 0 when not given. */
struct cli_global {
	const char *region;
	const char *endpoint_url;
	const char *profile;
	const char *ca_bundle;
	uint32_t connect_ms;
	uint32_t read_ms;
	int debug;
	int creds_by_caller;    /* cli_setup() leaves the credentials to the
	                           caller (cli_creds(), then
	                           cpj_cp_set_credentials) */
};

/*
 * If argv[*i] is a global option, consume it (and its value) and return 1;
 * return 0 if it is not one, -1 after printing an error.
 */
int cli_global_opt(struct cli_global *g, int argc, char **argv, int *i);
/* The same for --output json|text and --query EXPR (cli_out.c; the
 * expression compiled now, as the aws CLI does before it sends anything). */
int cli_query_opt(int argc, char **argv, int *i);

/* A command's option: `ops` and `req` are bit sets over the command's
 * forms (bit: the form being run). arg NULL: a flag (its value ""). */
struct cli_opt {
	const char *opt, *arg, *help;
	unsigned ops, req;
};

/* The command line of form `bit`: global options (cli_global_opt; g NULL:
 * none) and the n options o[], whose values go to val[] (NULL when not given).
 * 0, 1 for --help, -1 after the aws CLI's usage error (unknown option, a
 * value missing, every required option missing). */
int cli_opts_parse(int argc, char **argv, struct cli_global *g,
	const struct cli_opt *o, int n, unsigned bit, const char **val);
/* Their help, in aligned columns, from the same table. */
void cli_opts_help(FILE *f, const struct cli_opt *o, int n, unsigned bit);

/* Print the global options' help. */
void cli_global_help(FILE *f);

/*
 * Resolve region, endpoint, credentials and trust anchors from the options,
 * the environment and the shared files (setup.h), and set up the
 * CodePipeline client. Prints a message and returns minus the aws CLI's
 * exit status on failure: -253 no region or no credentials, -252 an
 * endpoint that is not an http(s) URL, -255 anything else (an unknown
 * profile included, as the aws CLI).
 */
int cli_setup(const struct cli_global *g);

/* The part of cli_setup() the aws CLI does before it checks the
 * parameters (profile, region, the endpoint's form): 0 or as cli_setup(). */
int cli_setup_check(const struct cli_global *g);

/* The clients set up by cli_setup() (always the same addresses: calls
 * of one function share one). */
#if defined(__GNUC__)
#define CLI_CONST __attribute__((const))
#else
#define CLI_CONST
#endif
cpj_cp_context *cli_cp(void) CLI_CONST;
cpj_http_client *cli_http(void) CLI_CONST;

/* What cli_setup() resolved: the region, and the worker's credentials
 * that the CodePipeline client is signing with. (The trust anchors, for
 * further TLS contexts such as S3's, are setup_trust()'s.) */
const char *cli_region(void);
/* The CodePipeline endpoint in use, safe to print (user information
 * masked), into out. */
const char *cli_endpoint(char *out, size_t cap);
cpj_creds *cli_creds(void) CLI_CONST;

/* The jobs a one-shot poll asks for at most (--max-batch-size; the model
 * gives no maximum): the jobs' slots, their strings
 * (CPJ_AGENT_JOB_STORAGE), a line naming each, and the output document
 * of --query and --output text fit the agent's arena with 50
 * (docs/agent.md, "Static memory"). */
#define CLI_POLL_JOBS_MAX 50

/* The job output buffers for `max_jobs` jobs (1..CLI_POLL_JOBS_MAX). The
 * job slots, the window, the tokens and the jobs' strings (their JSON and
 * the parser's reserve each, at most CPJ_AGENT_JOB_STORAGE) come from the
 * arena at the first call, for the jobs asked for (a process polls once);
 * a later call gets at most as many. */
const cpj_cp_jobs_buf *cli_jobs_buf(unsigned max_jobs);

/* The n jobs of the poll were handed out by the service (it does not
 * hand them out again): keep a line naming each (id, nonce), to print with
 * cli_jobs_not_printed() when the command then fails without printing
 * them; the lines outlive the jobs' strings (cli_out_end() wipes them). */
void cli_jobs_handed_out(int n);
void cli_jobs_not_printed(void);
/* Wipe the jobs read, their window and tokens, the output of --query and
 * --output text (cli_cleanup()). */
void cli_jobs_wipe(void);

/* Print an error of a CodePipeline call the way the aws CLI does
 * ("An error occurred (Code) when calling the Op operation: message"). */
void cli_report_cp_error(const char *op, int err);

/* Wipe credentials and keys; call before exit. */
void cli_cleanup(void);

/* The shorthand (shorthand.c, the aws CLI's grammar) into pairs stored
 * in `store`: the count, or -1 after the aws CLI's message for `opt`
 * (NULL: no message). cli_kv_arg: cli_param_kv() without messages. */
int cli_shorthand_kv(const char *opt, const char *s, struct cli_kv *kv,
	int max, char *store, size_t store_len, size_t *used);
int cli_kv_arg(const char *arg, struct cli_kv *kv, int max, char *store,
	size_t store_len, size_t *used);

/* Where the output of a command goes: the stream f, or (b not NULL) a
 * buffer that cli_out_end() runs --query / --output text over. */
struct cli_out {
	FILE *f;
	cpj_buf *b;
};

/* The output of the command: stdout, or the buffer when --query or
 * --output text was given (cli_global_opt). */
struct cli_out *cli_out(void);

/* After a command succeeded: with --query or --output text, evaluate the
 * query over what was written to cli_out() (nothing: the empty response
 * {}), and print the result as the aws CLI does. Returns the exit status:
 * 0, or 255 after a message when the query fails or a limit is hit. */
int cli_out_end(void);

/*
 * Parameter values as the aws CLI reads them (cli_param.c). Each prints
 * the aws CLI's message for `opt` and returns NULL / -1 on error.
 * cli_paramfile: the text of a file:// argument, or arg itself; the
 * text is in a scope of the arena (arena.h) that the caller began and
 * ends once it has copied what it keeps.
 * cli_param_kv: a structure or map parameter (file://, JSON, shorthand).
 * cli_json_kv: a JSON object (opt NULL: no message).
 */
const char *cli_paramfile(const char *opt, const char *arg);
/* The start of their messages: "\nError parsing parameter 'OPT': ". */
void cli_param_err(const char *opt);
int cli_param_kv(const char *opt, const char *arg, struct cli_kv *kv, int max,
	char *store, size_t store_len, size_t *used);
int cli_json_kv(const char *opt, const char *s, struct cli_kv *kv, int max,
	char *store, size_t store_len, size_t *used);

/*
 * botocore's checks before sending, with its messages: each problem is
 * kept (cli_perr); cli_perr_flush() prints them under "Parameter
 * validation failed:" and returns how many there were.
 */
void cli_perr(const char *fmt, ...);
int cli_perr_flush(void);
void cli_check_struct(const char *name, const struct cli_shape *m,
	const struct cli_kv *kv, int n);
void cli_check_map(const char *name, const struct cli_kv *kv, int n);
void cli_check_len(const char *name, const char *v, unsigned min);
/* An integer as Python's int() reads it: its value (below min or above
 * max after a message when it is not in min..max). */
long cli_check_int(const char *name, const char *v, long min, long max);
/* A timestamp parameter: epoch seconds, or ISO 8601 (a date alone or a
 * time without a zone is UTC). 0, or -1 when it is none of them. */
int cli_timestamp(const char *s, int64_t *out);

/* JSON output in the aws CLI's form (indent 4, keys in model order). */
void out_jobs(struct cli_out *o, const cpj_job *jobs, int n, int mode);
void out_job_details(struct cli_out *o, const cpj_job *job, int third_party);
void out_status(struct cli_out *o, const char *status);

#endif
