/*
 * run_opts.c -- the settings of `cpjob run`: flags, the config file and
 * defaults, checked and resolved (absolute paths, directories made)
 * before the worker starts.
 *
 * Precedence: command-line flags, then the config file (default
 * /etc/cpjob.conf when it exists), then the environment (AWS_REGION,
 * AWS_ENDPOINT_URL..., as the other commands), then the defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "run.h"
#include "setup.h"

#define CONF_MAX   (16 * 1024)
#define DEFAULT_CONFIG "/etc/cpjob.conf"

static struct run_cfg run_cfg;

static char *conf_buf;  /* CONF_MAX + 1 bytes of the arena (options
                         * point into it for the run's lifetime) */
static struct cli_kv at_kv[8];
static char at_store[1024];

/* ---- options -------------------------------------------------------- */

enum { T_STR, T_SECS, T_MSECS, T_BATCH, T_FLAG, T_ADDR, T_LEVEL, T_KEYS,
	T_GLOBAL, T_GLOBAL_FLAG, T_CONFIG };

/* An option: s holds its name, its argument's name ("" for a flag) and
 * its help ("" for an option not listed), each NUL-terminated, one after
 * the other; off: the member of run_cfg it sets. */
#define S(name, arg, help) name "\0" arg "\0" help
#define OFF(m) offsetof(struct run_cfg, m)
static const struct opt {
	const char *s;
	unsigned short off;
	unsigned char type;
} opts[] = {
	{ S("action-type-id", "C,O,P,V",
	    "category=C,owner=Custom,provider=P,version=V (required)"),
	    OFF(action_type_id), T_STR },
	{ S("query-param", "K=V",
	    "only jobs whose configuration property K is V"),
	    OFF(query_param), T_STR },
	{ S("exec", "PATH",
	    "the handler (required); see share/cpjob/handler.md"),
	    OFF(exec), T_STR },
	{ S("secret-config", "KEYS",
	    "configuration properties K1,K2,... (at most 16) given to the "
	    "handler as files, not in its environment"), 0, T_KEYS },
	{ S("work-dir", "DIR",
	    "per-job directories (default /var/lib/cpjob/work)"),
	    OFF(work_dir), T_STR },
	{ S("state-file", "PATH",
	    "the job in flight (default /var/lib/cpjob/state)"),
	    OFF(state_file), T_STR },
	{ S("timeout", "S",
	    "handler time limit, seconds; 0: none (default 3600)"),
	    OFF(timeout_s), T_SECS },
	{ S("kill-grace", "S",
	    "SIGTERM to SIGKILL of the handler's group (default 10)"),
	    OFF(kill_grace_s), T_SECS },
	{ S("max-batch-size", "N",
	    "jobs asked for per poll: 1 (the agent works one job at a time; "
	    "a job of a larger batch would wait unacknowledged: more is "
	    "taken as 1)"), OFF(max_batch), T_BATCH },
	{ S("poll-interval", "S",
	    "idle polling interval, +-20% jitter (default 20; decimals "
	    "allowed, at least 0.01)"), OFF(poll_interval_ms), T_MSECS },
	{ S("credentials-max-age", "S",
	    "fetch fresh artifact credentials when older (default 600)"),
	    OFF(refresh_after_s), T_SECS },
	{ S("transfer-timeout", "S",
	    "longest S3 transfer, seconds (default 3600)"),
	    OFF(transfer_timeout_s), T_SECS },
	{ S("give-up-after", "S",
	    "with --once or --exit-when-idle: exit 1 when the service could "
	    "not be reached for this long, seconds (default 60)"),
	    OFF(give_up_s), T_SECS },
	{ S("once", "", "handle at most one job, then exit"),
	    OFF(once), T_FLAG },
	{ S("exit-when-idle", "", "exit after a poll that found no job"),
	    OFF(exit_when_idle), T_FLAG },
	{ S("s3-endpoint-url", "URL",
	    "S3 endpoint (else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)"),
	    OFF(s3_endpoint_url), T_STR },
	{ S("s3-addressing", "path|virtual",
	    "S3 addressing style (default: auto)"), 0, T_ADDR },
	{ S("syslog", "", "log to syslog (/dev/log) instead of stderr"),
	    OFF(use_syslog), T_FLAG },
	{ S("log-level", "L", "error, warn, info (default) or debug"),
	    0, T_LEVEL },
	{ S("config", "FILE",
	    "config file (default " DEFAULT_CONFIG " when it exists)"),
	    0, T_CONFIG },
	/* global options of the other commands */
	{ S("region", "", ""), 0, T_GLOBAL },
	{ S("endpoint-url", "", ""), 0, T_GLOBAL },
	{ S("profile", "", ""), 0, T_GLOBAL },
	{ S("ca-bundle", "", ""), 0, T_GLOBAL },
	{ S("cli-connect-timeout", "", ""), 0, T_GLOBAL },
	{ S("cli-read-timeout", "", ""), 0, T_GLOBAL },
	{ S("debug", "", ""), 0, T_GLOBAL_FLAG },
};
#undef S

static const struct opt *
find_opt(const char *name, size_t len)
{
	size_t i, k;

	for (i = 0; i < CPJ_ARRAY_LEN(opts); i++) {
		const char *n = opts[i].s;

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
	int i = fmt_pick(v, "1\0true\0yes\0on\0" "0\0false\0no\0off\0");

	return i < 0 ? -1 : i < 4;
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
		setup_msg(where, "secret-config: %s in '%s' (expected "
		    "at most %u comma-separated configuration property names "
		    "of 1..%u bytes)", why, v,
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
	long n;
	int b;

	switch (o->type) {
	case T_STR:
		*(const char **)(void *)(base + o->off) = v;
		return 0;
	case T_MSECS:
	case T_SECS: {
		/* seconds (--poll-interval with up to three decimals) */
		uint64_t ms;

		if (setup_duration_ms(v, o->type == T_MSECS,
		    UINT64_C(315360000000), &ms) < 0) {
			setup_msg(where, "%s: invalid value '%s'", o->s, v);
			return -1;
		}
		if (o->type == T_SECS)
			ms /= 1000;
		*(uint32_t *)(void *)(base + o->off) = ms > UINT32_MAX
		    ? UINT32_MAX : (uint32_t)ms;
		return 0;
	}
	case T_BATCH:
		if (setup_number(v, 1, CPJ_MAX_JOBS, &n) < 0) {
			setup_msg(where, "%s: invalid value '%s'", o->s, v);
			return -1;
		}
		if (n > RUN_BATCH_MAX) {
			/* a config written for an older cpjob still starts */
			setup_msg(where, "%s: %s is taken as %d: "
			    "the agent works one job at a time (a job of a "
			    "larger batch would wait unacknowledged)",
			    o->s, v, RUN_BATCH_MAX);
			n = RUN_BATCH_MAX;
		}
		*(unsigned *)(void *)(base + o->off) = (unsigned)n;
		return 0;
	case T_FLAG:
		b = v == NULL ? 1 : parse_bool(v);
		if (b < 0) {
			setup_msg(where, "%s: expected true or false, "
			    "got '%s'", o->s, v);
			return -1;
		}
		*(int *)(void *)(base + o->off) = b;
		return 0;
	case T_ADDR:
		/* RUN_ADDR_AUTO, _PATH, _VIRTUAL */
		b = fmt_pick(v, "auto\0path\0virtual\0");
		if (b < 0) {
			setup_msg(where, "s3-addressing: expected path "
			    "or virtual, got '%s'", v);
			return -1;
		}
		run_cfg.addressing = b;
		return 0;
	case T_LEVEL:
		/* RUN_LOG_ERROR, _WARN (twice), _INFO, _DEBUG */
		b = fmt_pick(v, "error\0warn\0warning\0info\0debug\0");
		if (b >= 0)
			run_cfg.log_level = b + (b < 2);
		else {
			setup_msg(where, "log-level: expected error, "
			    "warn, info or debug, got '%s'", v);
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

		fmt_snprintf(opt, sizeof opt, "--%s", o->s);
		av[0] = opt;
		av[1] = (char *)(uintptr_t)v;
		if (o->type == T_GLOBAL_FLAG) {
			b = v == NULL ? 1 : parse_bool(v);
			if (b < 0) {
				setup_msg(where, "%s: expected true or "
				    "false", o->s);
				return -1;
			}
			if (b)
				run_cfg.log_level = RUN_LOG_DEBUG;
			run_cfg.g.debug = b;
			return 0;
		}
		if (cli_global_opt(&run_cfg.g, 2, av, &i) <= 0) {
			setup_msg(where, "%s: invalid value",
			    o->s);
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

	if (conf_buf == NULL)
		conf_buf = agent_arena_take(CONF_MAX + 1);
	len = run_read_file_at(AT_FDCWD, path, conf_buf, CONF_MAX + 1);
	if (len == -1 && errno == ENOENT && !required)
		return 0;
	if (len < 0) {
		setup_msg(NULL, "config file %s: %s", path, len == -2
		    ? "larger than 16 KiB" : errno == EINVAL
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
		fmt_snprintf(where, sizeof where, "%s line %ld", path, line);
		eq = strchr(k, '=');
		if (eq == NULL) {
			setup_msg(where, "expected key = value");
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
		if (v[0] == '"' || v[0] == '\'') {
			if (ve - v < 2 || ve[-1] != v[0]) {
				setup_msg(where, "unterminated quote "
				    "(a value that starts with %c ends with "
				    "one)", v[0]);
				return -1;
			}
			v++;
			ve[-1] = '\0';
		}
		o = find_opt(k, (size_t)(ke - k));
		if (o == NULL || o->type == T_CONFIG) {
			*ke = '\0';
			setup_msg(where, "unknown setting '%s'", k);
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

	fmt_fprintf(f, "usage: cpjob run --action-type-id C,O,P,V --exec PATH "
	    "[options]\n\n"
	    "Poll CodePipeline for jobs of a custom action, run the handler "
	    "for each\n(artifacts downloaded from and uploaded to S3), and "
	    "report the result.\n\noptions (also `name = value` in the config "
	    "file):\n");
	for (i = 0; i < CPJ_ARRAY_LEN(opts); i++) {
		char left[48];

		const char *arg = fmt_nth(opts[i].s, 1), *help = fmt_nth(arg, 1);

		if (*help == '\0')
			continue;
		fmt_snprintf(left, sizeof left, "--%s%s%s", opts[i].s,
		    *arg != '\0' ? " " : "", arg);
		fmt_fprintf(f, "  %-28s %s\n", left, help);
	}
	fmt_fprintf(f, "  %-28s %s\n", "--version", "print the version");
	fmt_fprintf(f, "\n");
	cli_global_help(f);
	fmt_fprintf(f, "\nSIGTERM or SIGINT: finish the current report, then "
	    "exit 0.\n");
}

/* "cpjob run: " and the message, on stderr (as setup_msg() writes);
 * returns rc. */
static int
run_err(int rc, const char *fmt, ...)
{
	va_list ap;

	fwrite("cpjob run: ", 1, 11, stderr);
	va_start(ap, fmt);
	fmt_vfprintf(stderr, fmt, ap);
	va_end(ap);
	fwrite("\n", 1, 1, stderr);
	return rc;
}

static int
make_abs(const char *in, char *out, size_t cap, const char *what)
{
	char cwd[RUN_PATH_MAX];
	int n;

	if (in[0] == '/') {
		n = fmt_snprintf(out, cap, "%s", in);
	} else {
		if (getcwd(cwd, sizeof cwd) == NULL) {
			setup_msg(what, "%s",
			    strerror(errno));
			return -1;
		}
		n = fmt_snprintf(out, cap, "%s/%s", cwd, in);
	}
	if (n < 0 || (size_t)n >= cap) {
		setup_msg(what, "path too long");
		return -1;
	}
	/* no trailing slash: names are appended */
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

/* see run.h */
const struct run_cfg *
run_config(void)
{
	return &run_cfg;
}

/* see run.h */
int
run_resolve(void)
{
	struct cli_kv *kv = at_kv;
	size_t used = 0;
	int n, i;
	char dir[RUN_PATH_MAX], *slash;
	const char *why = NULL;
	struct stat sb;

	if (run_cfg.action_type_id == NULL || run_cfg.exec == NULL)
		return run_err(-1, "--action-type-id and --exec are required");
	n = cli_kv_arg(run_cfg.action_type_id, kv, 4, at_store,
	    sizeof at_store, &used);
	if (n < 0)
		return run_err(-1, "--action-type-id: expected "
		    "category=C,owner=O,provider=P,version=V");
	for (i = 0; i < n; i++) {
		static const char **const member[] = { &run_cfg.at.category,
			&run_cfg.at.owner, &run_cfg.at.provider,
			&run_cfg.at.version };
		int m = fmt_pick(kv[i].key, "category\0owner\0provider\0version\0");

		if (m < 0)
			return run_err(-1, "--action-type-id: unknown "
			    "member '%s'", kv[i].key);
		*member[m] = kv[i].value;
	}
	if (run_cfg.at.category == NULL || run_cfg.at.owner == NULL
	    || run_cfg.at.provider == NULL || run_cfg.at.version == NULL)
		return run_err(-1, "--action-type-id needs category, "
		    "owner, provider and version");
	if (run_cfg.query_param != NULL) {
		n = cli_kv_arg(run_cfg.query_param, kv + 4, 2, at_store + used,
		    sizeof at_store - used, &used);
		if (n != 1)
			return run_err(-1, "--query-param takes exactly one "
			    "KEY=VALUE");
		run_cfg.query_key = kv[4].key;
		run_cfg.query_value = kv[4].value;
	}
	if (make_abs(run_cfg.exec, run_cfg.exec_abs, sizeof run_cfg.exec_abs,
	    "--exec") < 0 || make_abs(run_cfg.work_dir, run_cfg.work_dir_abs,
	    sizeof run_cfg.work_dir_abs - 48, "--work-dir") < 0
	    || make_abs(run_cfg.state_file, run_cfg.state_abs,
	    sizeof run_cfg.state_abs - 16, "--state-file") < 0)
		return -1;
	if (stat(run_cfg.exec_abs, &sb) != 0)
		why = strerror(errno);
	else if (S_ISDIR(sb.st_mode))
		why = "a directory, not a program";
	else if (!S_ISREG(sb.st_mode))
		why = "not a regular file";
	else if (access(run_cfg.exec_abs, X_OK) != 0)
		why = strerror(errno);
	if (why != NULL)
		return run_err(-2, "handler (--exec) %s: %s",
		    run_cfg.exec_abs, why);
	if (run_mkdirs(run_cfg.work_dir_abs, 0700) != 0)
		return run_err(-2, "work directory (--work-dir) %s: %s",
		    run_cfg.work_dir_abs, strerror(errno));
	fmt_snprintf(dir, sizeof dir, "%s", run_cfg.state_abs);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (run_mkdirs(dir, 0700) != 0)
			return run_err(-2, "state file (--state-file) "
			    "directory %s: %s", dir, strerror(errno));
	}
	if (run_cfg.poll_interval_ms < 10)
		run_cfg.poll_interval_ms = 10;
	run_cfg.g.creds_by_caller = 1;  /* the worker loads them itself */
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
	run_cfg.give_up_s = 60;
	run_cfg.log_level = RUN_LOG_INFO;
}

/* see run.h */
int
run_options(int argc, char **argv)
{
	const char *config = NULL;
	int i;

	defaults();

	/* --config and --help first: the file comes before the flags */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			fmt_printf("cpjob %s\n", CPJ_VERSION_STRING);
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
		    || (o = find_opt(a + 2, strlen(a + 2))) == NULL)
			return run_err(-1, "unknown option '%s'", a);
		if (o->type == T_FLAG || o->type == T_GLOBAL_FLAG) {
			if (set_opt(o, NULL, "command line") < 0)
				return -1;
			continue;
		}
		if (i + 1 >= argc)
			return run_err(-1, "%s needs a value", a);
		i++;
		if (o->type == T_CONFIG)
			continue;
		if (set_opt(o, argv[i], "command line") < 0)
			return -1;
	}
	return 0;
}
