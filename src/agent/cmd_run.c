/*
 * cmd_run.c -- `cpjob run`: the job worker a device runs under systemd.
 *
 *   poll -> acknowledge -> work directory -> download the input artifacts
 *   -> handler -> upload the output artifacts -> report
 *
 * This file holds the options (flags, the config file, defaults), the
 * signals and the polling loop; run_job.c works one job, run_state.c
 * keeps the state file, run_handler.c runs the handler, run_s3.c moves
 * the artifacts, run_log.c logs.
 *
 * Precedence: command-line flags, then the config file (default
 * /etc/cpjob.conf when it exists), then the environment (AWS_REGION,
 * AWS_ENDPOINT_URL..., as the other commands), then the defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "creds_chain.h"
#include "harden.h"

#define CONF_MAX   (64 * 1024)
#define ARGS_MAX   64
#define DEFAULT_CONFIG "/etc/cpjob.conf"
#define BACKOFF_CAP_MS 300000u   /* longest wait after errors */

struct run_cfg run_cfg;
volatile sig_atomic_t run_stop;
static volatile sig_atomic_t signals_seen;

static char conf_buf[CONF_MAX + 1];
static struct cli_kv at_kv[8];
static char at_store[1024];

/* ---- time ----------------------------------------------------------- */

/* see run.h */
uint64_t
run_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* see run.h */
int
run_sleep_ms(uint64_t ms)
{
	uint64_t end = run_now_ms() + ms;

	while (!run_stop) {
		uint64_t now = run_now_ms();
		struct timespec ts;

		if (now >= end)
			return 0;
		ts.tv_sec = (time_t)((end - now) / 1000u);
		ts.tv_nsec = (long)((end - now) % 1000u) * 1000000L;
		(void)nanosleep(&ts, NULL);     /* a signal ends it early */
	}
	return 1;
}

static uint32_t
random32(void)
{
	uint32_t r = 0;

	if (cpj_port_entropy(&r, sizeof r) < 0)
		r = (uint32_t)run_now_ms() * 2654435761u;
	return r;
}

/* The idle interval with +-20 % jitter. */
static uint64_t
idle_ms(void)
{
	uint64_t base = run_cfg.poll_interval_ms;
	uint64_t span = base * 4 / 10;

	return base - base / 5 + (span > 0 ? random32() % (span + 1) : 0);
}

/* After `errors` failures in a row: the interval doubled per failure,
 * capped, half of it random (equal jitter). */
static uint64_t
backoff_ms(unsigned errors)
{
	uint64_t d = run_cfg.poll_interval_ms;
	unsigned i;

	if (d < 1000)
		d = 1000;
	for (i = 0; i < errors && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d / 2 + random32() % (d / 2 + 1);
}

/* ---- signals -------------------------------------------------------- */

static void
on_stop(int sig)
{
	(void)sig;
	run_stop = 1;
	if (++signals_seen >= 3) {
		/* asked three times: go now (the state file keeps the job) */
		static const char m[] = "cpjob: stopping at once\n";

		(void)!write(2, m, sizeof m - 1);
		_exit(1);
	}
}

static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sa.sa_flags = 0;        /* no SA_RESTART: sleeps and polls wake up */
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

/* ---- options -------------------------------------------------------- */

enum { T_STR, T_SECS, T_MSECS, T_BATCH, T_FLAG, T_ADDR, T_LEVEL, T_KEYS,
	T_GLOBAL, T_GLOBAL_FLAG, T_CONFIG };

static const struct opt {
	const char *name;
	int type;
	size_t off;
	const char *arg;
	const char *help;
} opts[] = {
	{ "action-type-id", T_STR, offsetof(struct run_cfg, action_type_id),
	    "C,O,P,V", "category=C,owner=Custom,provider=P,version=V (required)" },
	{ "query-param", T_STR, offsetof(struct run_cfg, query_param),
	    "K=V", "only jobs whose configuration property K is V" },
	{ "exec", T_STR, offsetof(struct run_cfg, exec), "PATH",
	    "the handler (required); see README.md" },
	{ "secret-config", T_KEYS, 0, "KEYS",
	    "configuration properties K1,K2,... (at most 16) given to the "
	    "handler as files, not in its environment" },
	{ "work-dir", T_STR, offsetof(struct run_cfg, work_dir), "DIR",
	    "per-job directories (default /var/lib/cpjob/work)" },
	{ "state-file", T_STR, offsetof(struct run_cfg, state_file), "PATH",
	    "the job in flight (default /var/lib/cpjob/state)" },
	{ "timeout", T_SECS, offsetof(struct run_cfg, timeout_s), "S",
	    "handler time limit, seconds; 0: none (default 3600)" },
	{ "kill-grace", T_SECS, offsetof(struct run_cfg, kill_grace_s), "S",
	    "SIGTERM to SIGKILL of the handler's group (default 10)" },
	{ "max-batch-size", T_BATCH, offsetof(struct run_cfg, max_batch), "N",
	    "jobs asked for per poll, 1..100 (default 1)" },
	{ "poll-interval", T_MSECS, offsetof(struct run_cfg, poll_interval_ms),
	    "S", "idle polling interval, +-20% jitter (default 20; decimals "
	    "allowed, at least 0.01)" },
	{ "credentials-max-age", T_SECS,
	    offsetof(struct run_cfg, refresh_after_s), "S",
	    "fetch fresh artifact credentials when older (default 600)" },
	{ "transfer-timeout", T_SECS,
	    offsetof(struct run_cfg, transfer_timeout_s), "S",
	    "longest S3 transfer, seconds (default 3600)" },
	{ "once", T_FLAG, offsetof(struct run_cfg, once), NULL,
	    "handle at most one job, then exit" },
	{ "exit-when-idle", T_FLAG, offsetof(struct run_cfg, exit_when_idle),
	    NULL, "exit after a poll that found no job" },
	{ "s3-endpoint-url", T_STR, offsetof(struct run_cfg, s3_endpoint_url),
	    "URL", "S3 endpoint (else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)" },
	{ "s3-addressing", T_ADDR, offsetof(struct run_cfg, addressing),
	    "path|virtual", "S3 addressing style (default: auto)" },
	{ "syslog", T_FLAG, offsetof(struct run_cfg, use_syslog), NULL,
	    "log to syslog (/dev/log) instead of stderr" },
	{ "log-level", T_LEVEL, offsetof(struct run_cfg, log_level),
	    "L", "error, warn, info (default) or debug" },
	{ "config", T_CONFIG, 0, "FILE",
	    "config file (default " DEFAULT_CONFIG " when it exists)" },
	/* global options of the other commands */
	{ "region", T_GLOBAL, 0, NULL, NULL },
	{ "endpoint-url", T_GLOBAL, 0, NULL, NULL },
	{ "profile", T_GLOBAL, 0, NULL, NULL },
	{ "ca-bundle", T_GLOBAL, 0, NULL, NULL },
	{ "cli-connect-timeout", T_GLOBAL, 0, NULL, NULL },
	{ "cli-read-timeout", T_GLOBAL, 0, NULL, NULL },
	{ "debug", T_GLOBAL_FLAG, 0, NULL, NULL },
};

static const struct opt *
find_opt(const char *name, size_t len)
{
	size_t i, k;

	for (i = 0; i < CPJ_ARRAY_LEN(opts); i++) {
		const char *n = opts[i].name;

		if (strlen(n) != len)
			continue;
		for (k = 0; k < len; k++) {
			char c = name[k] == '_' ? '-' : name[k];

			if (c != n[k])
				break;
		}
		if (k == len)
			return &opts[i];
	}
	return NULL;
}

static int
parse_bool(const char *v)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0
	    || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0)
		return 1;
	if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0
	    || strcmp(v, "no") == 0 || strcmp(v, "off") == 0)
		return 0;
	return -1;
}

/* --secret-config: at most RUN_SECRET_KEYS comma-separated names of
 * 1..RUN_SECRET_KEY_MAX bytes (ActionConfigurationKey), each once, and
 * without a space or tab at either end (" Key" after a comma would
 * never match, and the value would go to the environment). Replaces an
 * earlier setting. 0 or -1 (message). */
static int
set_secret_keys(const char *v, const char *where)
{
	const char *p = v, *why = NULL;
	unsigned n = 0, i;

	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
		char *k = run_cfg.secret_keys[n < RUN_SECRET_KEYS ? n : 0];

		if (len == 0) {
			why = "an empty name";
			break;
		}
		if (len > RUN_SECRET_KEY_MAX) {
			why = "a name longer than 50 bytes";
			break;
		}
		if (n == RUN_SECRET_KEYS) {
			why = "more than 16 names";
			break;
		}
		if (p[0] == ' ' || p[0] == '\t' || p[len - 1] == ' '
		    || p[len - 1] == '\t') {
			why = "spaces around a name";
			break;
		}
		memcpy(k, p, len);
		k[len] = '\0';
		for (i = 0; i < n; i++) {
			if (strcmp(run_cfg.secret_keys[i], k) == 0)
				break;
		}
		if (i < n) {
			why = "a name given twice";
			break;
		}
		n++;
		if (e == NULL)
			break;
		p = e + 1;
	}
	if (why != NULL) {
		fprintf(stderr, "cpjob: %s: secret-config: %s in '%s' (expected "
		    "at most %u comma-separated configuration property names "
		    "of 1..%u bytes)\n", where, why, v,
		    (unsigned)RUN_SECRET_KEYS, (unsigned)RUN_SECRET_KEY_MAX);
		run_cfg.nsecret_keys = 0;
		return -1;
	}
	run_cfg.nsecret_keys = n;
	return 0;
}

/* Set option `o` to `v` (NULL for a flag given on the command line).
 * `where` names the source for messages. Returns 0 or -1. */
static int
set_opt(const struct opt *o, const char *v, const char *where)
{
	char *base = (char *)&run_cfg;
	char *end;
	unsigned long n;
	int b;

	switch (o->type) {
	case T_STR:
		*(const char **)(void *)(base + o->off) = v;
		return 0;
	case T_MSECS: {
		/* seconds with up to three decimals, into milliseconds */
		uint64_t ms = 0, scale = 1000;
		const char *q = v;

		if (*q < '0' || *q > '9')
			goto bad_msecs;
		while (*q >= '0' && *q <= '9' && ms <= UINT64_C(315360000))
			ms = ms * 10 + (uint64_t)(*q++ - '0');
		ms *= 1000;
		if (*q == '.') {
			q++;
			while (*q >= '0' && *q <= '9' && scale > 1) {
				scale /= 10;
				ms += (uint64_t)(*q++ - '0') * scale;
			}
		}
		if (*q != '\0' || ms > UINT64_C(315360000000))
			goto bad_msecs;
		*(uint32_t *)(void *)(base + o->off) = ms > UINT32_MAX
		    ? UINT32_MAX : (uint32_t)ms;
		return 0;
bad_msecs:
		fprintf(stderr, "cpjob: %s: %s: invalid value '%s'\n",
		    where, o->name, v);
		return -1;
	}
	case T_SECS:
	case T_BATCH:
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || v[0] == '-'
		    || (o->type == T_SECS && n > 315360000UL)
		    || (o->type == T_BATCH && (n < 1 || n > CPJ_MAX_JOBS))) {
			fprintf(stderr, "cpjob: %s: %s: invalid value '%s'\n",
			    where, o->name, v);
			return -1;
		}
		if (o->type == T_SECS)
			*(uint32_t *)(void *)(base + o->off) = (uint32_t)n;
		else
			*(unsigned *)(void *)(base + o->off) = (unsigned)n;
		return 0;
	case T_FLAG:
		b = v == NULL ? 1 : parse_bool(v);
		if (b < 0) {
			fprintf(stderr, "cpjob: %s: %s: expected true or false, "
			    "got '%s'\n", where, o->name, v);
			return -1;
		}
		*(int *)(void *)(base + o->off) = b;
		return 0;
	case T_ADDR:
		if (strcmp(v, "path") == 0)
			run_cfg.addressing = RUN_ADDR_PATH;
		else if (strcmp(v, "virtual") == 0)
			run_cfg.addressing = RUN_ADDR_VIRTUAL;
		else if (strcmp(v, "auto") == 0)
			run_cfg.addressing = RUN_ADDR_AUTO;
		else {
			fprintf(stderr, "cpjob: %s: s3-addressing: expected path "
			    "or virtual, got '%s'\n", where, v);
			return -1;
		}
		return 0;
	case T_LEVEL:
		if (strcmp(v, "error") == 0)
			run_cfg.log_level = RUN_LOG_ERROR;
		else if (strcmp(v, "warn") == 0 || strcmp(v, "warning") == 0)
			run_cfg.log_level = RUN_LOG_WARN;
		else if (strcmp(v, "info") == 0)
			run_cfg.log_level = RUN_LOG_INFO;
		else if (strcmp(v, "debug") == 0)
			run_cfg.log_level = RUN_LOG_DEBUG;
		else {
			fprintf(stderr, "cpjob: %s: log-level: expected error, "
			    "warn, info or debug, got '%s'\n", where, v);
			return -1;
		}
		return 0;
	case T_KEYS:
		return set_secret_keys(v, where);
	case T_GLOBAL:
	case T_GLOBAL_FLAG: {
		char opt[48];
		char *av[2];
		int i = 0;

		snprintf(opt, sizeof opt, "--%s", o->name);
		av[0] = opt;
		av[1] = (char *)(uintptr_t)v;
		if (o->type == T_GLOBAL_FLAG) {
			b = v == NULL ? 1 : parse_bool(v);
			if (b < 0) {
				fprintf(stderr, "cpjob: %s: %s: expected true or "
				    "false\n", where, o->name);
				return -1;
			}
			if (b)
				run_cfg.log_level = RUN_LOG_DEBUG;
			run_cfg.g.debug = b;
			return 0;
		}
		if (cli_global_opt(&run_cfg.g, 2, av, &i) <= 0) {
			fprintf(stderr, "cpjob: %s: %s: invalid value\n", where,
			    o->name);
			return -1;
		}
		return 0;
	}
	default:
		return 0;       /* T_CONFIG: handled before */
	}
}

/* Read the config file: `key = value` lines, '#' and ';' comments. */
static int
load_config(const char *path, int required)
{
	char where[RUN_PATH_MAX + 32];
	char *p, *end;
	long len, line = 0;

	len = run_read_file_at(AT_FDCWD, path, conf_buf, sizeof conf_buf);
	if (len == -1 && errno == ENOENT && !required)
		return 0;
	if (len < 0) {
		fprintf(stderr, "cpjob: config file %s: %s\n", path, len == -2
		    ? "larger than 64 KiB" : errno == EINVAL
		    ? "not a regular file" : strerror(errno));
		return -1;
	}
	p = conf_buf;
	end = conf_buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl != NULL ? nl : end, *k = p, *ke, *eq, *v, *ve;
		const struct opt *o;

		line++;
		p = le + (nl != NULL);
		*le = '\0';
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '\0' || *k == '#' || *k == ';' || *k == '\r')
			continue;
		snprintf(where, sizeof where, "%s line %ld", path, line);
		eq = strchr(k, '=');
		if (eq == NULL) {
			fprintf(stderr, "cpjob: %s: expected key = value\n",
			    where);
			return -1;
		}
		ke = eq;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		ve = le;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'
		    || ve[-1] == '\r'))
			ve--;
		*ve = '\0';
		if (ve - v >= 2 && ((v[0] == '"' && ve[-1] == '"')
		    || (v[0] == '\'' && ve[-1] == '\''))) {
			v++;
			ve[-1] = '\0';
		}
		o = find_opt(k, (size_t)(ke - k));
		if (o == NULL || o->type == T_CONFIG) {
			*ke = '\0';
			fprintf(stderr, "cpjob: %s: unknown setting '%s'\n",
			    where, k);
			return -1;
		}
		if (set_opt(o, v, where) < 0)
			return -1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: cpjob run --action-type-id C,O,P,V --exec PATH "
	    "[options]\n\n"
	    "Poll CodePipeline for jobs of a custom action, run the handler "
	    "for each\n(artifacts downloaded from and uploaded to S3), and "
	    "report the result.\n\noptions (also `name = value` in the config "
	    "file):\n");
	for (i = 0; i < CPJ_ARRAY_LEN(opts); i++) {
		char left[48];

		if (opts[i].help == NULL)
			continue;
		snprintf(left, sizeof left, "--%s%s%s", opts[i].name,
		    opts[i].arg != NULL ? " " : "",
		    opts[i].arg != NULL ? opts[i].arg : "");
		fprintf(f, "  %-28s %s\n", left, opts[i].help);
	}
	fprintf(f, "  %-28s %s\n", "--version", "print the version");
	fprintf(f, "\n");
	cli_global_help(f);
	fprintf(f, "\nSIGTERM or SIGINT: finish the current report, then "
	    "exit 0.\n");
}

static int
make_abs(const char *in, char *out, size_t cap, const char *what)
{
	char cwd[RUN_PATH_MAX];
	int n;

	if (in[0] == '/') {
		n = snprintf(out, cap, "%s", in);
	} else {
		if (getcwd(cwd, sizeof cwd) == NULL) {
			fprintf(stderr, "cpjob: %s: %s\n", what,
			    strerror(errno));
			return -1;
		}
		n = snprintf(out, cap, "%s/%s", cwd, in);
	}
	if (n < 0 || (size_t)n >= cap) {
		fprintf(stderr, "cpjob: %s: path too long\n", what);
		return -1;
	}
	/* no trailing slash: names are appended */
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

/* stdin, stdout and stderr open, so that no file lands on them */
static void
std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n >= 0 && n != fd) {
				(void)dup2(n, fd);
				close(n);
			}
		}
	}
}

static int
resolve(void)
{
	struct cli_kv *kv = at_kv;
	size_t used = 0;
	int n, i;
	char dir[RUN_PATH_MAX], *slash;

	if (run_cfg.action_type_id == NULL || run_cfg.exec == NULL) {
		fprintf(stderr, "cpjob run: --action-type-id and --exec are "
		    "required\n");
		return -1;
	}
	n = cli_kv_arg(run_cfg.action_type_id, kv, 4, at_store,
	    sizeof at_store, &used);
	if (n < 0) {
		fprintf(stderr, "cpjob run: --action-type-id: expected "
		    "category=C,owner=O,provider=P,version=V\n");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, "category") == 0)
			run_cfg.at.category = kv[i].value;
		else if (strcmp(kv[i].key, "owner") == 0)
			run_cfg.at.owner = kv[i].value;
		else if (strcmp(kv[i].key, "provider") == 0)
			run_cfg.at.provider = kv[i].value;
		else if (strcmp(kv[i].key, "version") == 0)
			run_cfg.at.version = kv[i].value;
		else {
			fprintf(stderr, "cpjob run: --action-type-id: unknown "
			    "member '%s'\n", kv[i].key);
			return -1;
		}
	}
	if (run_cfg.at.category == NULL || run_cfg.at.owner == NULL
	    || run_cfg.at.provider == NULL || run_cfg.at.version == NULL) {
		fprintf(stderr, "cpjob run: --action-type-id needs category, "
		    "owner, provider and version\n");
		return -1;
	}
	if (run_cfg.query_param != NULL) {
		n = cli_kv_arg(run_cfg.query_param, kv + 4, 2, at_store + used,
		    sizeof at_store - used, &used);
		if (n != 1) {
			fprintf(stderr, "cpjob run: --query-param takes exactly "
			    "one KEY=VALUE\n");
			return -1;
		}
		run_cfg.query_key = kv[4].key;
		run_cfg.query_value = kv[4].value;
	}
	if (make_abs(run_cfg.exec, run_cfg.exec_abs, sizeof run_cfg.exec_abs,
	    "--exec") < 0 || make_abs(run_cfg.work_dir, run_cfg.work_dir_abs,
	    sizeof run_cfg.work_dir_abs - 48, "--work-dir") < 0
	    || make_abs(run_cfg.state_file, run_cfg.state_abs,
	    sizeof run_cfg.state_abs - 16, "--state-file") < 0)
		return -1;
	if (access(run_cfg.exec_abs, X_OK) != 0) {
		fprintf(stderr, "cpjob run: handler %s: %s\n", run_cfg.exec_abs,
		    strerror(errno));
		return -1;
	}
	if (run_mkdirs(run_cfg.work_dir_abs, 0700) != 0) {
		fprintf(stderr, "cpjob run: work directory %s: %s\n",
		    run_cfg.work_dir_abs, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", run_cfg.state_abs);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (run_mkdirs(dir, 0700) != 0) {
			fprintf(stderr, "cpjob run: state directory %s: %s\n",
			    dir, strerror(errno));
			return -1;
		}
	}
	if (run_cfg.poll_interval_ms < 10)
		run_cfg.poll_interval_ms = 10;
	return 0;
}

static void
defaults(void)
{
	memset(&run_cfg, 0, sizeof run_cfg);
	run_cfg.work_dir = "/var/lib/cpjob/work";
	run_cfg.state_file = "/var/lib/cpjob/state";
	run_cfg.timeout_s = 3600;
	run_cfg.kill_grace_s = 10;
	run_cfg.max_batch = 1;
	run_cfg.poll_interval_ms = 20000;
	run_cfg.refresh_after_s = 600;
	run_cfg.transfer_timeout_s = 3600;
	run_cfg.log_level = RUN_LOG_INFO;
}

/* Parse the command line over the config file. 1: --help/--version
 * printed; 0 ok; -1 usage error. */
static int
options(int argc, char **argv)
{
	const char *config = NULL;
	int i;

	/* --config and --help first: the file comes before the flags */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("cpjob %s\n", CPJ_VERSION_STRING);
			return 1;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
	}
	if (config != NULL) {
		if (load_config(config, 1) < 0)
			return -1;
	} else if (load_config(DEFAULT_CONFIG, 0) < 0) {
		return -1;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o;

		if (strncmp(a, "--", 2) != 0
		    || (o = find_opt(a + 2, strlen(a + 2))) == NULL) {
			fprintf(stderr, "cpjob run: unknown option '%s'\n", a);
			return -1;
		}
		if (o->type == T_FLAG || o->type == T_GLOBAL_FLAG) {
			if (set_opt(o, NULL, "command line") < 0)
				return -1;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "cpjob run: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (o->type == T_CONFIG)
			continue;
		if (set_opt(o, argv[i], "command line") < 0)
			return -1;
	}
	return 0;
}

static void
refresh_worker_credentials(void)
{
	int rc = creds_chain_refresh_if_needed(cli_creds(),
	    (int64_t)time(NULL));

	if (rc == 1) {
		(void)cpj_cp_set_credentials(cli_cp(), cli_creds());
		LOG_I("worker credentials refreshed");
	} else if (rc < 0 && rc != CPJ_ERR_STATE) {
		LOG_W("worker credentials: refresh failed: %s",
		    cpj_strerror(rc));
	}
}

/* This process's peak resident set (VmHWM), KiB; -1 if unknown.
 * (getrusage's ru_maxrss also counts the image before execve.) */
static long
peak_rss_kib(void)
{
	static char b[8192];
	long n = run_read_file_at(AT_FDCWD, "/proc/self/status", b, sizeof b);
	const char *p = n > 0 ? strstr(b, "\nVmHWM:") : NULL;

	return p != NULL ? strtol(p + 7, NULL, 10) : -1;
}

/* The polling loop. Returns the exit status. */
static int
loop(const cpj_cp_jobs_buf *jb)
{
	cpj_cp_context *cp = cli_cp();
	unsigned errors = 0, pending_errors = 0;
	int pending, handled = 0, status = CPJ_EXIT_OK;

	pending = run_recover(1);
	run_sweep(pending ? run_job_in_flight() : NULL);
	while (!run_stop) {
		unsigned batch = run_cfg.once ? 1 : run_cfg.max_batch;
		uint64_t polled;
		int n, i;

		if (pending) {
			if (run_sleep_ms(backoff_ms(pending_errors++)))
				break;
			pending = run_recover(0);
			continue;
		}
		if (run_cfg.once && handled > 0)
			break;
		pending_errors = 0;
		refresh_worker_credentials();
		polled = run_now_ms();
		n = cpj_cp_poll_for_jobs(cp, &run_cfg.at, batch,
		    run_cfg.query_key, run_cfg.query_value, jb);
		if (n < 0) {
			uint64_t d = backoff_ms(errors);

			errors++;
			if (n == CPJ_ERR_API_THROTTLED)
				LOG_W("PollForJobs: throttled (%s); next poll in "
				    "%llu s", cp->code, (unsigned long long)
				    (d / 1000));
			else
				LOG_E("PollForJobs: %s%s%s; next poll in %llu s",
				    cp->code[0] != '\0' ? cp->code
				    : cpj_strerror(n), cp->message[0] != '\0'
				    ? ": " : "", cp->message,
				    (unsigned long long)(d / 1000));
			if ((run_cfg.exit_when_idle || run_cfg.once)
			    && !cpj_aws_error_retryable(n, cp->http_status)
			    && ((n <= CPJ_ERR_API_THROTTLED
			    && n > CPJ_ERR_S3_NOT_FOUND) || n == CPJ_ERR_PARAM)) {
				/* a script waits for no one to fix this */
				LOG_E("giving up (--%s)", run_cfg.exit_when_idle
				    ? "exit-when-idle" : "once");
				status = CPJ_EXIT_FAIL;
				break;
			}
			if (run_sleep_ms(d))
				break;
			continue;
		}
		errors = 0;
		if (n == 0) {
			LOG_D("no job");
			if (run_cfg.exit_when_idle) {
				LOG_I("no job waiting: exiting (--exit-when-idle)");
				break;
			}
			if (run_sleep_ms(idle_ms()))
				break;
			continue;
		}
		LOG_D("%d job(s) polled", n);
		for (i = 0; i < n; i++) {
			if (!run_stop && !pending) {
				pending = run_job(&jb->jobs[i], polled);
				handled++;
			}
			cpj_job_wipe(&jb->jobs[i]);
		}
	}
	LOG_I("%s; %d job(s) handled, peak RSS %ld KiB", run_stop
	    ? "stopped by signal" : "exiting", handled, peak_rss_kib());
	return status;
}

/* see agent.h */
int
cpj_cmd_run(int argc, char **argv)
{
	const cpj_cp_jobs_buf *jb;
	char source[48];
	int rc;

	if (run_harden() < 0)
		return CPJ_EXIT_FAIL;
	std_fds();
	defaults();
	rc = options(argc, argv);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "Try 'cpjob run --help'.\n");
		return rc > 0 ? CPJ_EXIT_OK : CPJ_EXIT_USAGE;
	}
	if (resolve() < 0)
		return CPJ_EXIT_USAGE;
	if (run_state_lock() < 0)
		return CPJ_EXIT_FAIL;
	run_log_init(run_cfg.log_level, run_cfg.use_syslog);
	run_cfg.g.creds_by_caller = 1;
	if (cli_setup(&run_cfg.g) < 0)
		return CPJ_EXIT_FAIL;
	/* cli_setup() follows --debug; the worker follows --log-level */
	run_log_init(run_cfg.log_level, run_cfg.use_syslog);
	creds_chain_set_debug(run_cfg.g.debug);
	rc = creds_chain_load(cli_creds(), run_cfg.g.profile,
	    run_cfg.g.profile != NULL, source, sizeof source);
	if (rc < 0) {
		cli_cleanup();
		return CPJ_EXIT_FAIL;
	}
	run_log_secret(cli_creds()->secret);
	run_log_secret(cli_creds()->token);
	if ((rc = cpj_cp_set_credentials(cli_cp(), cli_creds())) < 0) {
		fprintf(stderr, "cpjob: credentials: %s\n", cpj_strerror(rc));
		cli_cleanup();
		return CPJ_EXIT_FAIL;
	}
	if (run_s3_setup() < 0) {
		cli_cleanup();
		return CPJ_EXIT_FAIL;
	}
	signals();
	jb = cli_jobs_buf(run_cfg.max_batch);
	run_job_init(jb);
	LOG_I("cpjob %s: polling for %s/%s/%s/%s in %s (credentials: %s), "
	    "handler %s, work directory %s", CPJ_VERSION_STRING,
	    run_cfg.at.category, run_cfg.at.owner, run_cfg.at.provider,
	    run_cfg.at.version, cli_region(), source, run_cfg.exec_abs,
	    run_cfg.work_dir_abs);
	rc = loop(jb);
	run_s3_clear();
	cli_cleanup();
	creds_chain_cleanup();
	return rc;
}
