/*
 * cli_common.c -- the global options of the commands, and the CodePipeline
 * client and credentials set up from them: region, endpoint, proxy, trust
 * anchors and timeouts through setup.h, credentials through the provider
 * chain (creds_chain.h).
 */
#include <string.h>

#include "agent.h"
#include "cli.h"
#include "creds_chain.h"
#include "jmespath.h"
#include "setup.h"

#define FILE_MAX (64 * 1024)     /* the config file */

static cpj_tls_context tls;
static cpj_http_client http;
static cpj_cp_context cp;
static cpj_creds creds;
static unsigned char work[CPJ_AGENT_WORK_SIZE];
static char cfgbuf[FILE_MAX];    /* the config file, for the region */
static char region[32];
static char endpoint[CPJ_HOST_MAX + 32];
static const char *endpoint_url;   /* the one in use */

static cpj_jobs_parser jparser;
static char jwindow[CPJ_JOB_WINDOW];
static cpj_json_tok jtokens[CPJ_JSON_TOKENS_MAX];
static cpj_job jjobs[CPJ_MAX_JOBS];
static char jstorage[CPJ_AGENT_JOB_STORAGE];
static cpj_cp_jobs_buf jbuf;

/* --query and --output text: the command's JSON goes to outmem, then the
 * query runs over it (jmespath.h); the result is rendered into outmem2. */
#define OUT_MAX (1u << 18)
static struct jp jq;
static int q_given, out_text;
static char outmem[OUT_MAX], outmem2[OUT_MAX];
static cpj_buf outbuf;
static struct cli_out outs;

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

/* --output json|text, --query EXPR (compiled now, as the aws CLI
 * does before it sends anything) */
static int
query_opt(int argc, char **argv, int *i)
{
	const char *o = argv[*i], *v;

	if (*i + 1 >= argc) {
		fprintf(stderr, "cpjob: %s needs a value\n", o);
		return -1;
	}
	v = argv[++(*i)];
	if (strcmp(o, "--query") == 0) {
		if (jp_compile(&jq, v) < 0) {
			fprintf(stderr, "Bad value for --query %s: Invalid jmespath "
			    "expression: %s\n", v,
			    jq.err);
			return -1;
		}
		q_given = 1;
		return 1;
	}
	if (strcmp(v, "json") == 0 || strcmp(v, "text") == 0) {
		out_text = v[0] == 't';
		return 1;
	}
	if (strcmp(v, "table") == 0 || strcmp(v, "yaml") == 0
	    || strcmp(v, "yaml-stream") == 0)
		fprintf(stderr, "cpjob: --output %s is not supported: use json "
		    "or text\n", v);
	else
		fprintf(stderr, "cpjob: argument --output: Invalid choice, "
		    "valid choices are: json | text\n");
	return -1;
}

/* see cli.h */
struct cli_out *
cli_out(void)
{
	if (!q_given && !out_text) {
		outs.f = stdout;
		outs.b = NULL;
	} else if (outs.b == NULL) {
		cpj_buf_init(&outbuf, outmem, sizeof outmem);
		outs.b = &outbuf;
	}
	return &outs;
}

/* Strict UTF-8: no overlong forms, no surrogates, at most U+10FFFF. */
static int
utf8_ok(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		unsigned char lo = 0x80, hi = 0xbf;
		int k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3;
		else
			return 0;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (i + (size_t)k >= n)
			return 0;
		for (i++; k > 0; k--, i++) {
			c = (unsigned char)p[i];
			if (c < lo || c > hi)
				return 0;
			lo = 0x80;
			hi = 0xbf;
		}
	}
	return 1;
}

/* see cli.h */
int
cli_out_end(void)
{
	struct jp_val in, r;
	cpj_buf b;
	size_t n;

	if (!q_given && !out_text)
		return 0;
	cli_out();
	if (outbuf.over) {
		fprintf(stderr, "cpjob: output over %u bytes: too large for "
		    "--query and --output text\n", OUT_MAX);
		return 255;
	}
	n = outbuf.len;
	while (n > 0 && (outmem[n - 1] == '\n' || outmem[n - 1] == ' '))
		n--;
	if (n == 0)
		n = (size_t)snprintf(outmem, sizeof outmem, "{}");
	if (!q_given && jp_compile(&jq, "@") < 0)
		return 255;
	cpj_buf_init(&b, outmem2, sizeof outmem2);
	if (jp_load(&jq, outmem, n, &in) < 0 || jp_eval(&jq, &in, &r) < 0
	    || (out_text ? jp_out_text(&jq, &r, &b)
	    : (r.t == JP_OBJ && r.n == 0) ? 0 : jp_out_json(&jq, &r, &b)) < 0) {
		fprintf(stderr, "cpjob: --query: %s\n", jq.err);
		return 255;
	}
	if (!out_text && !(r.t == JP_OBJ && r.n == 0))
		cpj_buf_putc(&b, '\n');
	if (b.over) {
		fprintf(stderr, "cpjob: --query: output over %u bytes\n",
		    OUT_MAX);
		return 255;
	}
	if (!utf8_ok(outmem2, b.len)) {
		/* a lone surrogate or a byte of the expression that is not
		 * UTF-8: Python cannot print it either */
		fprintf(stderr, "cpjob: --query: the result is not valid "
		    "UTF-8\n");
		return 255;
	}
	fwrite(outmem2, 1, b.len, stdout);
	return fflush(stdout) == 0 ? 0 : 255;
}

/* see cli.h */
int
cli_global_opt(struct cli_global *g, int argc, char **argv, int *i)
{
	const char *o = argv[*i];
	const char **dst = NULL;
	uint32_t *msdst = NULL;

	if (strcmp(o, "--debug") == 0) {
		g->debug = 1;
		return 1;
	}
	if (strcmp(o, "--region") == 0)
		dst = &g->region;
	else if (strcmp(o, "--endpoint-url") == 0)
		dst = &g->endpoint_url;
	else if (strcmp(o, "--profile") == 0)
		dst = &g->profile;
	else if (strcmp(o, "--ca-bundle") == 0)
		dst = &g->ca_bundle;
	else if (strcmp(o, "--cli-connect-timeout") == 0)
		msdst = &g->connect_ms;
	else if (strcmp(o, "--cli-read-timeout") == 0)
		msdst = &g->read_ms;
	else if (strcmp(o, "--output") == 0 || strcmp(o, "--query") == 0)
		return query_opt(argc, argv, i);
	else
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "cpjob: %s needs a value\n", o);
		return -1;
	}
	(*i)++;
	if (dst != NULL) {
		*dst = argv[*i];
	} else if (parse_seconds(argv[*i], msdst) < 0) {
		fprintf(stderr, "cpjob: %s: not a number of seconds: %s\n", o,
		    argv[*i]);
		return -1;
	}
	return 1;
}

/* see cli.h */
void
cli_global_help(FILE *f)
{
	fprintf(f,
	    "global options (as in the aws CLI):\n"
	    "  --region R               region (else AWS_REGION, AWS_DEFAULT_REGION, the profile)\n"
	    "  --endpoint-url URL       endpoint (else AWS_ENDPOINT_URL_CODEPIPELINE, AWS_ENDPOINT_URL)\n"
	    "  --profile P              profile of the shared files (else AWS_PROFILE, \"default\")\n"
	    "  --ca-bundle FILE         PEM trust anchors (else AWS_CA_BUNDLE; default: Amazon roots)\n"
	    "  --cli-connect-timeout S  connect timeout, seconds\n"
	    "  --cli-read-timeout S     read (idle) timeout, seconds\n"
	    "  --output json|text       output format (text: the aws CLI's tab-separated form)\n"
	    "  --query EXPR             JMESPath expression over the output (see docs/cli.md)\n"
	    "  --debug                  log connection, TLS and retry details to stderr (never secrets)\n");
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
	if (setup_profile_init(&prof, cfgbuf, sizeof cfgbuf, g->profile,
	    NULL) < 0)
		return -1;
	if (setup_region(&prof, g->region, region, sizeof region) < 0)
		return -1;
	url = setup_endpoint(g->endpoint_url, "AWS_ENDPOINT_URL_CODEPIPELINE");
	if (url == NULL) {
		char host[CPJ_HOST_MAX + 1], sr[32];

		rc = cpj_cp_endpoint_host(region, 0, host, sizeof host, sr,
		    sizeof sr);
		if (rc < 0) {
			fprintf(stderr, "cpjob: invalid region '%s'\n", region);
			return -1;
		}
		snprintf(region, sizeof region, "%s", sr);
		snprintf(endpoint, sizeof endpoint, "https://%s", host);
		url = endpoint;
	}
	endpoint_url = url;
	if (setup_trust_load(g->ca_bundle) < 0)
		return -1;
	memset(&o, 0, sizeof o);
	o.anchors = setup_trust(NULL);
	o.connect_ms = g->connect_ms;
	o.idle_ms = g->read_ms;
	o.flags = SETUP_PROXY;
	if (setup_http_client(&http, &tls, url, &o) < 0)
		return -1;
	if ((rc = cpj_cp_init(&cp, &http, region, work, sizeof work)) < 0) {
		fprintf(stderr, "cpjob: invalid region '%s'\n", region);
		return -1;
	}
	if ((v = setup_env("AWS_RETRY_MODE")) != NULL && strcmp(v, "legacy") == 0)
		attempts = 5;
	if ((v = setup_env("AWS_MAX_ATTEMPTS")) != NULL) {
		long n;

		if (setup_number(v, 1, 20, &n) < 0) {
			fprintf(stderr, "cpjob: AWS_MAX_ATTEMPTS must be 1..20\n");
			return -1;
		}
		attempts = (unsigned)n;
	}
	cp.max_attempts = attempts;
	if (g->creds_by_caller)
		return 0;
	/* the provider chain of creds_chain.c; as in botocore, only an
	   explicit --profile skips the environment's keys */
	if (creds_chain_load(&creds, prof.name, g->profile != NULL, NULL, 0)
	    < 0)
		return -1;      /* the chain printed the reason */
	if ((rc = cpj_cp_set_credentials(&cp, &creds)) < 0) {
		fprintf(stderr, "cpjob: credentials: %s\n", cpj_strerror(rc));
		return -1;
	}
	return 0;
}

/* see cli.h */
int
cli_required(const char *v, const char *opt)
{
	if (v == NULL) {
		fprintf(stderr, "cpjob: the following arguments are required: "
		    "%s\n", opt);
		return -1;
	}
	return 0;
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
const cpj_cp_jobs_buf *
cli_jobs_buf(unsigned max_jobs)
{
	if (max_jobs < 1)
		max_jobs = 1;
	if (max_jobs > CPJ_MAX_JOBS)
		max_jobs = CPJ_MAX_JOBS;
	jbuf.parser = &jparser;
	jbuf.window = jwindow;
	jbuf.window_len = sizeof jwindow;
	jbuf.tokens = jtokens;
	jbuf.ntokens = CPJ_ARRAY_LEN(jtokens);
	jbuf.jobs = jjobs;
	jbuf.max_jobs = max_jobs;
	jbuf.storage = jstorage;
	jbuf.storage_len = sizeof jstorage;
	return &jbuf;
}

/* see cli.h */
void
cli_report_cp_error(const char *op, int err)
{
	if (err <= CPJ_ERR_API_THROTTLED && err > CPJ_ERR_S3_NOT_FOUND
	    && cp.http_status != 0) {
		fprintf(stderr, "\nAn error occurred (%s) when calling the %s "
		    "operation: %s\n", cp.code[0] != '\0' ? cp.code
		    : cpj_strerror(err), op, cp.message);
		if (cp.request_id[0] != '\0')
			fprintf(stderr, "request id: %s\n", cp.request_id);
		return;
	}
	if (err == CPJ_ERR_PARAM && cp.message[0] != '\0') {
		fprintf(stderr, "\nParameter validation failed:\n%s\n",
		    cp.message);
		return;
	}
	fprintf(stderr, "cpjob: %s: %s\n", op, cpj_strerror(err));
	if (err <= CPJ_ERR_TLS_HANDSHAKE && err > CPJ_ERR_HTTP_STATUS_LINE)
		fprintf(stderr, "cpjob: TLS detail: BearSSL error %d\n",
		    cpj_tls_last_br_error(&tls));
}

/* see cli.h */
void
cli_cleanup(void)
{
	size_t i;

	cpj_cp_clear(&cp);
	cpj_creds_clear(&creds);
	creds_chain_cleanup();
	cpj_http_client_close(&http);
	for (i = 0; i < CPJ_ARRAY_LEN(jjobs); i++)
		cpj_job_wipe(&jjobs[i]);
	cpj_wipe(jwindow, sizeof jwindow);
}
