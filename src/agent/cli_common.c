/*
 * cli_common.c -- the global options of the commands, and the CodePipeline
 * client and credentials set up from them: region, endpoint, proxy, trust
 * anchors and timeouts through setup.h, credentials through the provider
 * chain (creds_chain.h).
 */
#include <stddef.h>
#include <string.h>

#include "agent.h"
#include "arena.h"
#include "cli.h"
#include "creds_chain.h"
#include "creds_prov.h"
#include "setup.h"

/* the AWS config file: the credential chain's limit (creds_prov.h), which
 * reads it again */
#define FILE_MAX CREDS_FILE_MAX

static cpj_tls_context tls;
static cpj_http_client http;
static cpj_cp_context cp;
static cpj_creds creds;
static unsigned char *work;     /* arena: the request buffer */
static char region[32];
static char endpoint[CPJ_HOST_MAX + 32];
static const char *endpoint_url;   /* the one in use */

static int
parse_seconds(const char *s, uint32_t *ms)
{
	uint64_t v;

	/* whole seconds, as the aws CLI's int() */
	if (setup_duration_ms(s, 0, 86400000u, &v) < 0)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

/* see cli.h */
int
cli_global_opt(struct cli_global *g, int argc, char **argv, int *i)
{
	/* the members of *g the first six set: four strings, two timeouts */
	static const unsigned char off[] = {
		offsetof(struct cli_global, region),
		offsetof(struct cli_global, endpoint_url),
		offsetof(struct cli_global, profile),
		offsetof(struct cli_global, ca_bundle),
		offsetof(struct cli_global, connect_ms),
		offsetof(struct cli_global, read_ms),
	};
	const char *o = argv[*i];
	char *m = (char *)g;
	int k = fmt_pick(o, "--region\0--endpoint-url\0--profile\0"
	    "--ca-bundle\0--cli-connect-timeout\0--cli-read-timeout\0"
	    "--debug\0--output\0--query\0");

	if (k < 0)
		return 0;
	if (k == 6) {
		g->debug = 1;
		return 1;
	}
	if (k > 6)
		return cli_query_opt(argc, argv, i);
	if (*i + 1 >= argc) {
		setup_msg(NULL, "%s needs a value", o);
		return -1;
	}
	(*i)++;
	m += off[k];
	if (k < 4) {
		*(const char **)(void *)m = argv[*i];
	} else if (parse_seconds(argv[*i], (uint32_t *)(void *)m) < 0) {
		setup_msg(o, "not a number of seconds: %s",
		    argv[*i]);
		return -1;
	}
	return 1;
}

/* see cli.h */
void
cli_global_help(FILE *f)
{
	fmt_fprintf(f,
	    "global options (as in the aws CLI):\n"
	    "  --region R               region (else AWS_REGION, AWS_DEFAULT_REGION, the profile)\n"
	    "  --endpoint-url URL       endpoint (else AWS_ENDPOINT_URL_CODEPIPELINE, AWS_ENDPOINT_URL)\n"
	    "  --profile P              profile of the shared files (else AWS_PROFILE, \"default\")\n"
	    "  --ca-bundle FILE         PEM trust anchors (else AWS_CA_BUNDLE; default: Amazon roots)\n"
	    "  --cli-connect-timeout S  connect timeout, seconds\n"
	    "  --cli-read-timeout S     read (idle) timeout, seconds\n"
	    "  --output json|text       output format (text: the aws CLI's tab-separated form)\n"
	    "  --query EXPR             JMESPath expression over the output (see docs/cli.md)\n"
	    "  --debug                  log connection, TLS and retry details to stderr (never secrets)\n"
	    "  --version                print the version and exit\n");
}

/* Does section [name] (or [profile name]) open a line of buf? */
static int
has_section(const char *buf, const char *name, int config)
{
	const char *l;
	size_t n = strlen(name);

	for (l = buf; l != NULL && *l != '\0'; l = strchr(l, '\n'),
	    l = l != NULL ? l + 1 : NULL) {
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l++ != '[')
			continue;
		while (*l == ' ')
			l++;
		if (config && strncmp(l, "profile", 7) == 0
		    && (l[7] == ' ' || l[7] == '\t'))
			for (l += 7; *l == ' ' || *l == '\t'; l++)
				;
		if (strncmp(l, name, n) == 0) {
			for (l += n; *l == ' '; l++)
				;
			if (*l == ']')
				return 1;
		}
	}
	return 0;
}

/* A profile named by --profile or AWS_PROFILE must exist in the config
 * or the credentials file, as botocore says. */
static int
profile_exists(const char *name, char *cfg)
{
	char path[1024];
	long n;
	int found = 0, k;

	if (name == NULL && (name = setup_env("AWS_PROFILE")) == NULL)
		return 1;
	for (k = 0; k < 2 && !found; k++) {
		if (setup_home_path(path, sizeof path, k == 0 ? "AWS_CONFIG_FILE"
		    : "AWS_SHARED_CREDENTIALS_FILE", k == 0 ? ".aws/config"
		    : ".aws/credentials") < 0)
			continue;
		n = setup_read_file(NULL, "config file", path, cfg, FILE_MAX, 1);
		if (n >= 0 && (size_t)n < FILE_MAX) {
			cfg[n] = '\0';
			found = has_section(cfg, name, k == 0)
			    || (k == 0 && strcmp(name, "default") == 0
			    && has_section(cfg, name, 0));
		}
		cpj_wipe(cfg, FILE_MAX);
	}
	if (!found)
		fmt_eprintf("\nThe config profile (%s) could not be found\n",
		    name);
	return found;
}

/* What the aws CLI checks when it makes the client, before it checks
 * the parameters: the profile, the region (the config file read in a
 * scope of the arena), the endpoint's form. */
static int
early(const struct cli_global *g, struct setup_profile *prof)
{
	size_t mark = agent_arena_mark();
	char *cfg = agent_arena_scoped(FILE_MAX);
	const char *url;
	int rc = 0;

	if (setup_profile_init(prof, cfg, FILE_MAX, g->profile, NULL) < 0
	    || !profile_exists(g->profile, cfg))
		rc = -255;
	else if (setup_region(prof, g->region, region, sizeof region) < 0)
		rc = -253;
	agent_arena_release(mark);
	prof->cfg = NULL;
	prof->cap = prof->len = 0;
	if (rc < 0)
		return rc;
	url = setup_endpoint(g->endpoint_url, "AWS_ENDPOINT_URL_CODEPIPELINE");
	if (url != NULL && strncmp(url, "https://", 8) != 0
	    && strncmp(url, "http://", 7) != 0) {
		fmt_eprintf("\nBad value for --endpoint-url \"%s\": scheme is "
		    "missing.  Must be of the form http://<hostname>/ or "
		    "https://<hostname>/\n", url);
		return -252;
	}
	return 0;
}

/* see cli.h */
int
cli_setup_check(const struct cli_global *g)
{
	struct setup_profile prof;

	return early(g, &prof);
}

/* see cli.h */
int
cli_setup(const struct cli_global *g)
{
	struct setup_client o;
	struct setup_profile prof;
	const char *url, *v;
	int rc;
	unsigned attempts = CPJ_CP_MAX_ATTEMPTS;

#ifdef CPJ_PORT_LOG_SINK
	if (g->debug)
		cpj_port_log_set_level(4);
#endif
	if (g->debug)
		cpj_log_set_level(4);   /* the library's lines (default 2) */
	creds_chain_set_debug(g->debug);
	if ((rc = early(g, &prof)) < 0)
		return rc;
	url = setup_endpoint(g->endpoint_url, "AWS_ENDPOINT_URL_CODEPIPELINE");
	if (url == NULL) {
		char host[CPJ_HOST_MAX + 1], sr[32];

		rc = cpj_cp_endpoint_host(region, 0, host, sizeof host, sr,
		    sizeof sr);
		if (rc < 0) {
			setup_msg(NULL, "invalid region '%s'", region);
			return -255;
		}
		fmt_snprintf(region, sizeof region, "%s", sr);
		fmt_snprintf(endpoint, sizeof endpoint, "https://%s", host);
		url = endpoint;
	}
	endpoint_url = url;
	if (setup_trust_load(g->ca_bundle) < 0)
		return -255;
	memset(&o, 0, sizeof o);
	o.anchors = setup_trust(NULL);
	o.connect_ms = g->connect_ms;
	o.idle_ms = g->read_ms;
	o.flags = SETUP_PROXY;
	if (setup_http_client(&http, &tls, url, &o) < 0)
		return -255;
	if (work == NULL)
		work = agent_arena_take(CPJ_AGENT_WORK_SIZE);
	if ((rc = cpj_cp_init(&cp, &http, region, work,
	    CPJ_AGENT_WORK_SIZE)) < 0) {
		setup_msg(NULL, "invalid region '%s'", region);
		return -255;
	}
	if ((v = setup_env("AWS_RETRY_MODE")) != NULL && strcmp(v, "legacy") == 0)
		attempts = 5;
	if ((v = setup_env("AWS_MAX_ATTEMPTS")) != NULL) {
		long n;

		if (setup_number(v, 1, 20, &n) < 0) {
			setup_msg(NULL, "AWS_MAX_ATTEMPTS must be 1..20");
			return -255;
		}
		attempts = (unsigned)n;
	}
	cp.max_attempts = attempts;
	if (g->creds_by_caller)
		return 0;
	/* the provider chain of creds_chain.c; as in botocore, only an
	   explicit --profile skips the environment's keys */
	if ((rc = creds_chain_load(&creds, prof.name, g->profile != NULL, NULL,
	    0)) < 0)        /* the chain printed the reason */
		return rc == CPJ_ERR_CREDS_NONE ? -253 : -255;
	if ((rc = cpj_cp_set_credentials(&cp, &creds)) < 0) {
		setup_msg(NULL, "credentials: %s", cpj_strerror(rc));
		return -255;
	}
	return 0;
}

/* see cli.h */
int
cli_opts_parse(int argc, char **argv, struct cli_global *g,
	const struct cli_opt *o, int n, unsigned bit, const char **val)
{
	char miss[256];
	size_t ml = 0;
	int i, k;

	for (k = 0; k < n; k++)
		val[k] = NULL;
	for (i = 1; i < argc; i++) {
		int r = g != NULL ? cli_global_opt(g, argc, argv, &i) : 0;

		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
		for (k = 0; k < n; k++)
			if ((o[k].ops & bit) && strcmp(argv[i], o[k].opt) == 0)
				break;
		if (k == n) {
			fmt_eprintf("usage: cpjob %s [options]\n\nUnknown "
			    "options: %s\n", argv[0], argv[i]);
			return -1;
		}
		if (o[k].arg == NULL) {         /* a flag */
			val[k] = "";
			continue;
		}
		if (i + 1 >= argc) {
			setup_msg(NULL, "error: argument %s: expected one "
			    "argument", argv[i]);
			return -1;
		}
		val[k] = argv[++i];
	}
	miss[0] = '\0';
	for (k = 0; k < n; k++)
		if ((o[k].req & bit) && val[k] == NULL && ml < sizeof miss)
			ml += (size_t)fmt_snprintf(miss + ml, sizeof miss - ml, "%s%s",
			    ml > 0 ? ", " : "", o[k].opt);
	if (ml > 0) {
		setup_msg(NULL, "error: the following arguments are "
		    "required: %s", miss);
		return -1;
	}
	return 0;
}

/* see cli.h */
void
cli_opts_help(FILE *f, const struct cli_opt *o, int n, unsigned bit)
{
	int k, w = 0, wa = 0;

	for (k = 0; k < n; k++) {
		if ((o[k].ops & bit) && (int)strlen(o[k].opt) > w)
			w = (int)strlen(o[k].opt);
		if ((o[k].ops & bit) && o[k].arg != NULL && o[k].help != NULL
		    && (int)strlen(o[k].arg) + 11 * !!(o[k].req & bit) > wa)
			wa = (int)strlen(o[k].arg) + 11 * !!(o[k].req & bit);
	}
	for (k = 0; k < n; k++) {
		if (!(o[k].ops & bit))
			continue;
		fmt_fprintf(f, "  %-*s  %s%-*s%s%s\n", w, o[k].opt, (o[k].req & bit)
		    ? "(required) " : "", o[k].help != NULL ? wa - 11
		    * !!(o[k].req & bit) : 0, o[k].arg != NULL ? o[k].arg : "",
		    o[k].help != NULL ? "  " : "", o[k].help != NULL
		    ? o[k].help : "");
	}
}

/* see cli.h */
cpj_cp_context *
cli_cp(void)
{
	return &cp;
}

/* see cli.h */
cpj_http_client *
cli_http(void)
{
	return &http;
}

/* see cli.h */
const char *
cli_region(void)
{
	return region;
}

/* see cli.h */
const char *
cli_endpoint(char *out, size_t cap)
{
	return setup_url_safe(endpoint_url != NULL ? endpoint_url : "", out,
	    cap);
}

/* see cli.h */
cpj_creds *
cli_creds(void)
{
	return &creds;
}

/* see cli.h */
void
cli_report_cp_error(const char *op, int err)
{
	char url[CPJ_HOST_MAX + 64];
	size_t ul;

	if (err <= CPJ_ERR_API_THROTTLED && err > CPJ_ERR_S3_NOT_FOUND
	    && cp.http_status != 0) {
		fmt_eprintf("\nAn error occurred (%s) when calling the %s "
		    "operation: %s%s\n", cp.code[0] != '\0' ? cp.code
		    : cpj_strerror(err), op, cp.message,
		    cp.message_cut ? "..." : "");
		if (cp.request_id[0] != '\0')
			fmt_eprintf("request id: %s\n", cp.request_id);
		return;
	}
	if (err == CPJ_ERR_PARAM && cp.message[0] != '\0') {
		/* (cli_perr_flush()'s format) */
		fmt_eprintf("\nParameter validation failed:\n%s%s",
		    cp.message, "\n");
		return;
	}
	/* the URL of the request, as the aws CLI names it */
	cli_endpoint(url, sizeof url - 1);
	ul = strlen(url);
	if (ul == 0 || url[ul - 1] != '/') {
		url[ul] = '/';
		url[ul + 1] = '\0';
	}
	if (err <= CPJ_ERR_NET_RESOLVE && err >= CPJ_ERR_NET_REFUSED)
		fmt_eprintf("\nCould not connect to the endpoint URL: "
		    "\"%s\"\n", url);
	else if (err <= CPJ_ERR_TLS_HANDSHAKE && err > CPJ_ERR_HTTP_STATUS_LINE)
		fmt_eprintf("\nSSL validation failed for %s\n", url);
	else
		fmt_eprintf("\n%s: %s\n", url, cpj_strerror(err));
	setup_msg(op, "%s", cpj_strerror(err));
	if (err <= CPJ_ERR_TLS_HANDSHAKE && err > CPJ_ERR_HTTP_STATUS_LINE) {
		int br = cpj_tls_last_br_error(&tls);
		const char *why = setup_tls_why(br);

		setup_msg(NULL, "TLS detail: BearSSL error %d%s%s",
		    br, why[0] != '\0' ? ": " : "", why);
	}
}

/* see cli.h */
void
cli_cleanup(void)
{
	cpj_cp_clear(&cp);
	cpj_creds_clear(&creds);
	creds_chain_cleanup();
	cpj_http_client_close(&http);
	cli_jobs_wipe();
}
