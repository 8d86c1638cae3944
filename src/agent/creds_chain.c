/*
 * creds_chain.c -- the worker's credential provider chain (see
 * creds_chain.h): environment, shared files, AWS IoT credentials
 * provider, container credentials, IMDSv2.
 *
 * The library parses and fetches; this file decides the policy: which
 * variables and config keys count, the URLs, the timeouts, the trust
 * anchors, and it reads the files. Every buffer is static and every
 * buffer that held a secret is wiped after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "agent.h"
#include "creds_chain.h"

#define FILE_MAX     (64 * 1024)   /* config, credentials, PEM, token files */
#define PATH_LEN     1024
#define VALUE_MAX    1024          /* a setting from env or config */
#define AUTH_MAX     8192          /* container authorization token */

/* Providers, in chain order. */
enum { P_NONE, P_ENV, P_SHARED, P_CONFIG, P_IOT, P_CONTAINER, P_IMDS };

static const char *const pname[] = {
	"", "env", "shared-credentials-file", "config-file",
	"iot-credentials-provider", "container-role", "iam-role"
};

/* IoT: connect, each read, the whole request (ms). */
#define IOT_CONNECT_MS   5000
#define IOT_IDLE_MS      10000
#define IOT_REQUEST_MS   20000
/* Container credentials (botocore: 2 s, 3 attempts). */
#define CONTAINER_MS       2000
#define CONTAINER_ATTEMPTS 3
#define CONTAINER_HOST     "http://169.254.170.2"
#define IMDS_V4            "http://169.254.169.254"
#define IMDS_V6            "http://[fd00:ec2::254]"

static int debug;

/* The provider that gave the credentials, for refreshes. */
static struct {
	int kind;
	char profile[128];
} last;

static char profile[128];             /* profile of the current run */
static char cfg[FILE_MAX];            /* the config file (may hold keys) */
static size_t cfg_len;
static char filebuf[FILE_MAX];        /* credentials file, certificate */
static char keybuf[FILE_MAX];         /* private key PEM (secret) */
static char auth[AUTH_MAX + 1];       /* container token (secret) */
static char imds_why[512];            /* why IMDS gave nothing */
static unsigned char cert_der[16384];
static cpj_tls_client_cert ccert;
static cpj_tls_anchors anchors;
static br_x509_trust_anchor anchor_slots[CPJ_TLS_SYSTEM_ANCHORS_MAX];
static unsigned char anchor_arena[CPJ_TLS_SYSTEM_ANCHOR_STORE];
static cpj_tls_context tls;
static cpj_http_client http;
static int http_ready;                /* http was initialised */
static unsigned char work[CPJ_CREDS_WORK_SIZE];
static cpj_creds fresh;

/* see creds_chain.h */
void
creds_chain_set_debug(int on)
{
	debug = on;
}

static void
dbg(const char *fmt, ...)
{
	va_list ap;

	if (!debug)
		return;
	fprintf(stderr, "cpjob: credentials: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
fail_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cpjob: credentials: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* "~/x" -> $HOME/x; other paths as they are. 0, or -1 when too long or
 * HOME is unset. */
static int
expand_path(const char *in, char *out, size_t cap)
{
	const char *home;
	int n;

	if (in[0] == '~' && in[1] == '/') {
		home = env("HOME");
		if (home == NULL)
			return -1;
		n = snprintf(out, cap, "%s%s", home, in + 1);
	} else {
		n = snprintf(out, cap, "%s", in);
	}
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* Path from `envname`, else $HOME/`rel`; -1 when there is none. */
static int
home_path(char *out, size_t cap, const char *envname, const char *rel)
{
	const char *v = env(envname), *home = env("HOME");
	int n;

	if (v != NULL)
		return expand_path(v, out, cap);
	if (home == NULL)
		return -1;
	n = snprintf(out, cap, "%s/%s", home, rel);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/*
 * Read a whole file into buf (at most cap - 1 bytes, then a NUL).
 * Returns its length; CPJ_ERR_CREDS_NONE when it does not exist and
 * `optional`; CPJ_ERR_IO (message printed) when it cannot be read or is
 * larger than the buffer.
 */
static long
read_file(const char *what, const char *path, char *buf, size_t cap,
	int optional)
{
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (optional && (errno == ENOENT || errno == ENOTDIR)) {
			dbg("%s %s: not found", what, path);
			return CPJ_ERR_CREDS_NONE;
		}
		fail_msg("%s %s: %s", what, path, strerror(errno));
		return CPJ_ERR_IO;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail_msg("%s %s: %s", what, path, strerror(errno));
			close(fd);
			cpj_wipe(buf, n);
			return CPJ_ERR_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap - 1) {
			char extra;

			if (read(fd, &extra, 1) == 0)
				break;
			fail_msg("%s %s: larger than %u bytes", what, path,
			    (unsigned)(cap - 1));
			close(fd);
			cpj_wipe(buf, n);
			return CPJ_ERR_IO;
		}
	}
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

/* ---- the config file and settings -------------------------------------- */

/* Read the config file of this run into cfg (empty when absent). */
static int
config_load(void)
{
	char path[PATH_LEN];
	long n;

	cfg_len = 0;
	cfg[0] = '\0';
	if (home_path(path, sizeof path, "AWS_CONFIG_FILE", ".aws/config") < 0)
		return 0;
	n = read_file("config file", path, cfg, sizeof cfg, 1);
	if (n == CPJ_ERR_CREDS_NONE)
		return 0;
	if (n < 0)
		return CPJ_ERR_AGENT_CONFIG;
	cfg_len = (size_t)n;
	return 0;
}

static void
config_wipe(void)
{
	cpj_wipe(cfg, sizeof cfg);
	cfg_len = 0;
}

/* Key of the current profile in the config file: its length, 0 when
 * absent, CPJ_ERR_NOSPACE when too long. */
static int
profile_value(const char *key, char *out, size_t cap)
{
	char section[160];
	int rc;

	if (cfg_len == 0)
		return 0;
	if (strcmp(profile, "default") == 0) {
		rc = cpj_ini_get(cfg, cfg_len, "default", key, out, cap);
		if (rc == CPJ_ERR_CREDS_NONE)
			rc = cpj_ini_get(cfg, cfg_len, "profile default", key,
			    out, cap);
	} else {
		snprintf(section, sizeof section, "profile %s", profile);
		rc = cpj_ini_get(cfg, cfg_len, section, key, out, cap);
	}
	return rc == CPJ_ERR_CREDS_NONE ? 0 : rc;
}

/*
 * A setting: the environment variable, else the profile's key in the
 * config file. Returns its length (> 0), 0 when unset, or
 * CPJ_ERR_AGENT_CONFIG (message printed) when it is too long.
 */
static int
setting(const char *envname, const char *key, char *out, size_t cap)
{
	const char *v = envname != NULL ? env(envname) : NULL;
	int n;

	out[0] = '\0';
	if (v != NULL) {
		n = snprintf(out, cap, "%s", v);
		if (n < 0 || (size_t)n >= cap) {
			fail_msg("%s: longer than %u bytes", envname,
			    (unsigned)cap - 1);
			return CPJ_ERR_AGENT_CONFIG;
		}
		return n;
	}
	n = profile_value(key, out, cap);
	if (n <= 0)
		out[0] = '\0';
	if (n < 0) {
		fail_msg("%s of profile %s: longer than %u bytes", key, profile,
		    (unsigned)cap - 1);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return n;
}

/* A whole number of seconds 1..max from a setting; -1 if not one. */
static long
seconds(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
		return -1;
	return v;
}

/* ---- TLS for the IoT and https container endpoints ---------------------- */

/* Anchors from a PEM file, or the compiled-in ones when path is NULL. */
static int
load_anchors(const char *what, const char *path)
{
	cpj_tls_anchors_info info;
	unsigned char buf[4096];
	int rc = 0, fd;

	if (path == NULL)
		return cpj_tls_anchors_init(&anchors, NULL, 0, NULL, 0, 1);
	rc = cpj_tls_anchors_init(&anchors, anchor_slots,
	    CPJ_ARRAY_LEN(anchor_slots), anchor_arena, sizeof anchor_arena, 0);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail_msg("%s %s: %s", what, path, strerror(errno));
		return CPJ_ERR_IO;
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail_msg("%s %s: %s", what, path, strerror(errno));
			close(fd);
			return CPJ_ERR_IO;
		}
		if (r == 0)
			break;
		if (cpj_tls_anchors_add_pem(&anchors, buf, (size_t)r) < 0)
			break;
	}
	close(fd);
	rc = cpj_tls_anchors_finish(&anchors);
	if (rc < 0) {
		cpj_tls_anchors_get_info(&anchors, &info);
		if (info.bad_object != 0)
			fail_msg("%s %s: PEM object %zu is malformed", what,
			    path, info.bad_object);
		else if (info.need_anchors > info.slots
		    || info.need_bytes > info.arena)
			fail_msg("%s %s needs %zu anchors and %zu bytes; the "
			    "store holds %zu and %zu", what, path,
			    info.need_anchors, info.need_bytes, info.slots,
			    info.arena);
		else
			fail_msg("%s %s: %s", what, path, cpj_strerror(rc));
		return rc;
	}
	return 0;
}

/* Apply HTTPS_PROXY / NO_PROXY to an https client. */
static int
apply_proxy(const char *prov)
{
	const char *p = env("HTTPS_PROXY"), *np = env("NO_PROXY");
	int rc;

	if (p == NULL)
		p = env("https_proxy");
	if (np == NULL)
		np = env("no_proxy");
	if (p == NULL)
		return 0;
	rc = cpj_http_client_set_proxy(&http, p, np);
	if (rc < 0)
		fail_msg("%s: HTTPS_PROXY '%s': %s", prov, p, cpj_strerror(rc));
	return rc;
}

/* Drop every key and session of the TLS context and the client cert. */
static void
tls_wipe(void)
{
	if (http_ready)
		cpj_http_client_close(&http);
	cpj_tls_client_cert_wipe(&ccert);
	cpj_wipe(&ccert, sizeof ccert);
	cpj_wipe(cert_der, sizeof cert_der);
	cpj_wipe(&tls, sizeof tls);
}

/* The cause of a failed fetch, e.g. "HTTP 403 on iot: credentials
 * provider refused ..." or "credential document malformed; member
 * Expiration". */
static void
describe(char *out, size_t cap, int rc, const cpj_creds_fetch_info *info)
{
	size_t n;

	out[0] = '\0';
	if (info != NULL && info->status != 0
	    && (rc == CPJ_ERR_CREDS_REFUSED || rc == CPJ_ERR_CREDS_PROVIDER
	    || rc == CPJ_ERR_CREDS_NONE))
		snprintf(out, cap, "HTTP %d on %s: ", info->status,
		    info->step);
	n = strlen(out);
	snprintf(out + n, cap - n, "%s", cpj_strerror(rc));
	n = strlen(out);
	if (info != NULL && info->field != NULL)
		snprintf(out + n, cap - n, "; member %s", info->field);
}

/* One line: what failed and why. `br` is BearSSL's code for TLS errors. */
static void
report(const char *prov, const char *where, int rc,
	const cpj_creds_fetch_info *info, int br)
{
	char why[200];

	describe(why, sizeof why, rc, info);
	if (br != 0 && rc <= CPJ_ERR_TLS_HANDSHAKE && rc >= CPJ_ERR_TLS_IO)
		snprintf(why + strlen(why), sizeof why - strlen(why),
		    " (BearSSL error %d)", br);
	fail_msg("%s (%s): %s", prov, where, why);
}

/* ---- providers --------------------------------------------------------------
 * Each returns 0 (credentials in `out`), CPJ_ERR_CREDS_NONE (not
 * configured: next provider) or another error (message printed).
 */

static int
prov_env(cpj_creds *out)
{
	const char *ak = env("AWS_ACCESS_KEY_ID");
	const char *sk = env("AWS_SECRET_ACCESS_KEY");
	const char *ex = env("AWS_CREDENTIAL_EXPIRATION");
	int64_t t = 0;
	int rc;

	if (ak == NULL) {
		dbg("env: AWS_ACCESS_KEY_ID not set");
		return CPJ_ERR_CREDS_NONE;
	}
	if (sk == NULL) {
		fail_msg("env: AWS_ACCESS_KEY_ID is set but "
		    "AWS_SECRET_ACCESS_KEY is not");
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (ex != NULL && cpj_creds_parse_time(ex, strlen(ex), &t) < 0) {
		fail_msg("env: AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 "
		    "time: %s", ex);
		return CPJ_ERR_AGENT_CONFIG;
	}
	rc = cpj_creds_set(out, ak, sk, env("AWS_SESSION_TOKEN"), t);
	if (rc < 0) {
		fail_msg("env: %s", cpj_strerror(rc));
		return rc;
	}
	return 0;
}

static int
prov_shared(cpj_creds *out)
{
	char path[PATH_LEN];
	long n;
	int rc;

	if (home_path(path, sizeof path, "AWS_SHARED_CREDENTIALS_FILE",
	    ".aws/credentials") < 0) {
		dbg("shared-credentials-file: no path (HOME unset)");
		return CPJ_ERR_CREDS_NONE;
	}
	n = read_file("credentials file", path, filebuf, sizeof filebuf, 1);
	if (n < 0)
		return (int)n;
	rc = cpj_creds_from_ini(out, filebuf, (size_t)n, profile, 0);
	cpj_wipe(filebuf, (size_t)n);
	if (rc == CPJ_ERR_CREDS_NONE)
		dbg("shared-credentials-file %s: no keys for profile %s", path,
		    profile);
	else if (rc < 0)
		fail_msg("credentials file %s: profile %s: %s", path, profile,
		    cpj_strerror(rc));
	return rc;
}

static int
prov_config(cpj_creds *out)
{
	int rc;

	if (cfg_len == 0) {
		dbg("config-file: none");
		return CPJ_ERR_CREDS_NONE;
	}
	rc = cpj_creds_from_ini(out, cfg, cfg_len, profile, 1);
	if (rc == CPJ_ERR_CREDS_NONE)
		dbg("config-file: no keys for profile %s", profile);
	else if (rc < 0)
		fail_msg("config file: profile %s: %s", profile,
		    cpj_strerror(rc));
	return rc;
}

/* A required IoT setting. */
static int
iot_setting(const char *envname, const char *key, char *out, size_t cap)
{
	int n = setting(envname, key, out, cap);

	if (n == 0) {
		fail_msg("iot-credentials-provider: %s (or %s in profile %s) "
		    "is not set", envname, key, profile);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return n < 0 ? n : 0;
}

/* Device certificate and key into the TLS context. */
static int
iot_client_cert(const char *cert, const char *key)
{
	char path[PATH_LEN];
	long nc, nk;
	int rc;

	if (expand_path(cert, path, sizeof path) < 0) {
		fail_msg("iot-credentials-provider: certificate path %s: too "
		    "long, or HOME unset", cert);
		return CPJ_ERR_AGENT_CONFIG;
	}
	nc = read_file("iot certificate", path, filebuf, sizeof filebuf, 0);
	if (nc < 0)
		return (int)nc;
	if (expand_path(key, path, sizeof path) < 0) {
		fail_msg("iot-credentials-provider: key path %s: too long, or "
		    "HOME unset", key);
		return CPJ_ERR_AGENT_CONFIG;
	}
	nk = read_file("iot private key", path, keybuf, sizeof keybuf, 0);
	if (nk < 0)
		return (int)nk;
	rc = cpj_tls_client_cert_load(&ccert, cert_der, sizeof cert_der,
	    filebuf, (size_t)nc, keybuf, (size_t)nk);
	cpj_wipe(keybuf, (size_t)nk);
	cpj_wipe(filebuf, (size_t)nc);
	if (rc < 0) {
		fail_msg("iot-credentials-provider: certificate %s / key %s: %s",
		    cert, key, cpj_strerror(rc));
		return rc;
	}
	return cpj_tls_set_client_cert(&tls, ccert.chain, ccert.chain_len,
	    br_skey_decoder_get_rsa(&ccert.key),
	    br_skey_decoder_get_ec(&ccert.key));
}

static int
prov_iot(cpj_creds *out)
{
	char endpoint[CPJ_HOST_MAX + 16], url[CPJ_HOST_MAX + 32];
	char alias[256], thing[256], cert[PATH_LEN], key[PATH_LEN];
	char ca[PATH_LEN], capath[PATH_LEN], where[CPJ_HOST_MAX + 600];
	cpj_creds_fetch_info info;
	int n, rc, br;

	n = setting("CPJOB_IOT_ENDPOINT", "iot_credentials_endpoint", endpoint,
	    sizeof endpoint);
	if (n <= 0) {
		if (n == 0)
			dbg("iot-credentials-provider: no endpoint set");
		return n == 0 ? CPJ_ERR_CREDS_NONE : n;
	}
	if ((rc = iot_setting("CPJOB_IOT_ROLE_ALIAS", "iot_role_alias", alias,
	    sizeof alias)) < 0
	    || (rc = iot_setting("CPJOB_IOT_THING_NAME", "iot_thing_name",
	    thing, sizeof thing)) < 0
	    || (rc = iot_setting("CPJOB_IOT_CERT_FILE", "iot_cert_file", cert,
	    sizeof cert)) < 0
	    || (rc = iot_setting("CPJOB_IOT_KEY_FILE", "iot_key_file", key,
	    sizeof key)) < 0)
		return rc;
	n = setting("CPJOB_IOT_CA_FILE", "iot_ca_file", ca, sizeof ca);
	if (n < 0)
		return n;
	if (strstr(endpoint, "://") == NULL)
		n = snprintf(url, sizeof url, "https://%s", endpoint);
	else if (strncasecmp(endpoint, "https://", 8) == 0)
		n = snprintf(url, sizeof url, "%s", endpoint);
	else {
		fail_msg("iot-credentials-provider: endpoint %s: only https "
		    "(mutual TLS) is possible", endpoint);
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (n < 0 || (size_t)n >= sizeof url) {
		fail_msg("iot-credentials-provider: endpoint too long");
		return CPJ_ERR_AGENT_CONFIG;
	}
	snprintf(where, sizeof where, "%s, role alias %s, thing %s", url,
	    alias, thing);
	if (ca[0] != '\0' && expand_path(ca, capath, sizeof capath) < 0) {
		fail_msg("iot-credentials-provider: CA path %s: too long, or "
		    "HOME unset", ca);
		return CPJ_ERR_AGENT_CONFIG;
	}
	rc = load_anchors("iot CA file", ca[0] != '\0' ? capath : NULL);
	if (rc < 0)
		return rc;
	if ((rc = cpj_tls_init(&tls, &anchors)) < 0) {
		report(pname[P_IOT], where, rc, NULL, 0);
		return rc;
	}
	rc = iot_client_cert(cert, key);
	if (rc < 0) {
		tls_wipe();
		return rc;
	}
	cpj_http_client_init(&http, &tls);
	http_ready = 1;
	rc = cpj_http_client_set_url(&http, url);
	if (rc < 0) {
		fail_msg("iot-credentials-provider: endpoint %s: %s", endpoint,
		    cpj_strerror(rc));
		tls_wipe();
		return CPJ_ERR_AGENT_CONFIG;
	}
	if ((rc = apply_proxy(pname[P_IOT])) < 0) {
		tls_wipe();
		return CPJ_ERR_AGENT_CONFIG;
	}
	cpj_http_client_set_timeouts(&http, IOT_CONNECT_MS, IOT_IDLE_MS,
	    IOT_REQUEST_MS);
	dbg("iot-credentials-provider: GET %s/role-aliases/%s/credentials "
	    "(thing %s)", url, alias, thing);
	rc = cpj_creds_fetch_iot(out, &http, alias, thing, work, sizeof work,
	    &info);
	br = cpj_tls_last_br_error(&tls);
	tls_wipe();
	if (rc == CPJ_ERR_PARAM) {
		fail_msg("iot-credentials-provider: role alias '%s' or thing "
		    "name '%s' has characters IoT does not allow", alias,
		    thing);
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (rc < 0) {
		report(pname[P_IOT], where, rc, &info, br);
		if (info.status == 0 && (rc == CPJ_ERR_TLS_ALERT
		    || rc == CPJ_ERR_NET_RESET || rc == CPJ_ERR_NET_CLOSED))
			fail_msg("iot-credentials-provider: the endpoint may "
			    "have refused the device certificate %s", cert);
		/* "not found" from here is a failure, not a next provider */
		return rc == CPJ_ERR_CREDS_NONE ? CPJ_ERR_CREDS_REFUSED : rc;
	}
	return 0;
}

static int
loopback_or_ecs(const char *host)
{
	static const char *const ok[] = {
		"localhost", "::1", "169.254.170.2", "169.254.170.23",
		"fd00:ec2::23"
	};
	unsigned a, b, c, d;
	char tail;
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(ok); i++) {
		if (strcasecmp(host, ok[i]) == 0)
			return 1;
	}
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4
	    && a == 127 && b < 256 && c < 256 && d < 256;
}

/* The container token: from its file (trailing CR/LF dropped) or the
 * environment; "" when none. */
static int
container_token(void)
{
	const char *f = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *v = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char path[PATH_LEN];
	long n;

	auth[0] = '\0';
	if (f != NULL) {
		if (expand_path(f, path, sizeof path) < 0) {
			fail_msg("container-role: "
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE too long");
			return CPJ_ERR_AGENT_CONFIG;
		}
		n = read_file("container token file", path, auth, sizeof auth,
		    0);
		if (n < 0)
			return (int)n;
		while (n > 0 && (auth[n - 1] == '\n' || auth[n - 1] == '\r'))
			auth[--n] = '\0';
		if (memchr(auth, '\0', (size_t)n) != NULL) {
			fail_msg("container-role: token file holds a NUL byte");
			cpj_wipe(auth, sizeof auth);
			return CPJ_ERR_AGENT_CONFIG;
		}
		return 0;
	}
	if (v != NULL) {
		if (strlen(v) > AUTH_MAX) {
			fail_msg("container-role: "
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN too long");
			return CPJ_ERR_AGENT_CONFIG;
		}
		memcpy(auth, v, strlen(v) + 1);
	}
	return 0;
}

static int
is_net_error(int rc)
{
	return (rc <= CPJ_ERR_NET_RESOLVE && rc >= CPJ_ERR_NET_URL)
	    || rc == CPJ_ERR_TIMEOUT || rc == CPJ_ERR_HTTP_TRUNCATED;
}

static int
prov_container(cpj_creds *out)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	char origin[CPJ_HOST_MAX + 32], path[1100], where[1400];
	cpj_creds_fetch_info info;
	cpj_http_url u;
	const char *p;
	int rc = 0, attempt, br;

	if (rel == NULL && full == NULL) {
		dbg("container-role: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
		    "and _FULL_URI not set");
		return CPJ_ERR_CREDS_NONE;
	}
	if (rel != NULL) {
		snprintf(origin, sizeof origin, "%s", CONTAINER_HOST);
		if (rel[0] != '/' || snprintf(path, sizeof path, "%s", rel)
		    >= (int)sizeof path) {
			fail_msg("container-role: "
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a "
			    "path starting with '/' (at most %u bytes)",
			    (unsigned)sizeof path - 1);
			return CPJ_ERR_AGENT_CONFIG;
		}
	} else {
		p = strstr(full, "://");
		p = p != NULL ? p + 3 + strcspn(p + 3, "/?#") : NULL;
		if (p == NULL || (size_t)(p - full) >= sizeof origin
		    || *p == '#') {
			fail_msg("container-role: "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL: %s",
			    full);
			return CPJ_ERR_AGENT_CONFIG;
		}
		memcpy(origin, full, (size_t)(p - full));
		origin[p - full] = '\0';
		if (snprintf(path, sizeof path, "%s%s", *p == '/' ? "" : "/", p)
		    >= (int)sizeof path) {
			fail_msg("container-role: "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI too long");
			return CPJ_ERR_AGENT_CONFIG;
		}
		rc = cpj_http_url_parse(&u, origin, -1);
		if (rc < 0) {
			fail_msg("container-role: "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: %s", full,
			    cpj_strerror(rc));
			return CPJ_ERR_AGENT_CONFIG;
		}
		if (!u.tls && !loopback_or_ecs(u.host)) {
			fail_msg("container-role: "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http is "
			    "only allowed to loopback addresses and the ECS/EKS "
			    "agents, not %s", u.host);
			return CPJ_ERR_AGENT_CONFIG;
		}
	}
	if ((rc = container_token()) < 0)
		return rc;
	snprintf(where, sizeof where, "%s%s", origin, path);
	if (strncasecmp(origin, "https://", 8) == 0) {
		rc = load_anchors("CA bundle", env("AWS_CA_BUNDLE"));
		if (rc == 0)
			rc = cpj_tls_init(&tls, &anchors);
		if (rc < 0) {
			cpj_wipe(auth, sizeof auth);
			return rc;
		}
		cpj_http_client_init(&http, &tls);
	} else {
		cpj_http_client_init(&http, NULL);
	}
	http_ready = 1;
	rc = cpj_http_client_set_url(&http, origin);
	if (rc == 0 && http.url.tls)
		rc = apply_proxy(pname[P_CONTAINER]);
	if (rc < 0) {
		fail_msg("container-role: %s: %s", origin, cpj_strerror(rc));
		cpj_wipe(auth, sizeof auth);
		tls_wipe();
		return CPJ_ERR_AGENT_CONFIG;
	}
	cpj_http_client_set_timeouts(&http, CONTAINER_MS, CONTAINER_MS,
	    2 * CONTAINER_MS);
	for (attempt = 1; attempt <= CONTAINER_ATTEMPTS; attempt++) {
		dbg("container-role: GET %s%s (attempt %d)", where,
		    auth[0] != '\0' ? " with Authorization" : "", attempt);
		rc = cpj_creds_fetch_container(out, &http, path, auth, work,
		    sizeof work, &info);
		if (!is_net_error(rc))
			break;
	}
	cpj_wipe(auth, sizeof auth);
	br = http.tls != NULL ? cpj_tls_last_br_error(&tls) : 0;
	tls_wipe();
	if (rc < 0) {
		report(pname[P_CONTAINER], where, rc, &info, br);
		return rc == CPJ_ERR_CREDS_NONE ? CPJ_ERR_CREDS_REFUSED : rc;
	}
	return 0;
}

static int
prov_imds(cpj_creds *out)
{
	const char *v = env("AWS_EC2_METADATA_DISABLED");
	char endpoint[CPJ_HOST_MAX + 32], mode[16], num[16];
	cpj_creds_fetch_info info;
	long timeout = 1, attempts = 1, k;
	int n, rc = 0;

	imds_why[0] = '\0';
	if (v != NULL && strcasecmp(v, "true") == 0) {
		dbg("iam-role: AWS_EC2_METADATA_DISABLED is true");
		return CPJ_ERR_CREDS_NONE;
	}
	n = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT",
	    "ec2_metadata_service_endpoint", endpoint, sizeof endpoint);
	if (n < 0)
		return n;
	if (n == 0) {
		n = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
		    "ec2_metadata_service_endpoint_mode", mode, sizeof mode);
		if (n < 0)
			return n;
		if (n == 0 || strcasecmp(mode, "IPv4") == 0)
			snprintf(endpoint, sizeof endpoint, "%s", IMDS_V4);
		else if (strcasecmp(mode, "IPv6") == 0)
			snprintf(endpoint, sizeof endpoint, "%s", IMDS_V6);
		else {
			fail_msg("iam-role: endpoint mode '%s': IPv4 or IPv6",
			    mode);
			return CPJ_ERR_AGENT_CONFIG;
		}
	}
	n = setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout",
	    num, sizeof num);
	if (n < 0 || (n > 0 && (timeout = seconds(num, 60)) < 0)) {
		fail_msg("iam-role: metadata service timeout must be 1..60 "
		    "seconds");
		return CPJ_ERR_AGENT_CONFIG;
	}
	n = setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS",
	    "metadata_service_num_attempts", num, sizeof num);
	if (n < 0 || (n > 0 && (attempts = seconds(num, 10)) < 0)) {
		fail_msg("iam-role: metadata service attempts must be 1..10");
		return CPJ_ERR_AGENT_CONFIG;
	}
	cpj_http_client_init(&http, NULL);
	http_ready = 1;
	rc = cpj_http_client_set_url(&http, endpoint);
	if (rc < 0) {
		fail_msg("iam-role: metadata endpoint %s: %s%s", endpoint,
		    cpj_strerror(rc), rc == CPJ_ERR_UNSUPPORTED
		    ? " (http only)" : "");
		return CPJ_ERR_AGENT_CONFIG;
	}
	cpj_http_client_set_timeouts(&http, (uint32_t)timeout * 1000,
	    (uint32_t)timeout * 1000, (uint32_t)timeout * 2000);
	for (k = 0; k < attempts; k++) {
		dbg("iam-role: IMDSv2 at %s (attempt %ld)", endpoint, k + 1);
		rc = cpj_creds_fetch_imds(out, &http, work, sizeof work, &info);
		if (rc == 0 || !is_net_error(rc))
			break;
	}
	cpj_http_client_close(&http);
	if (rc < 0) {
		/* as botocore: IMDS trouble means "no credentials here" */
		char why[200];

		describe(why, sizeof why, rc, &info);
		snprintf(imds_why, sizeof imds_why, "%s: %s", endpoint, why);
		dbg("iam-role: %s", imds_why);
		return CPJ_ERR_CREDS_NONE;
	}
	if (info.role[0] != '\0')
		dbg("iam-role: role %s", info.role);
	return 0;
}

static int
run_provider(int kind, cpj_creds *out)
{
	switch (kind) {
	case P_ENV:
		return prov_env(out);
	case P_SHARED:
		return prov_shared(out);
	case P_CONFIG:
		return prov_config(out);
	case P_IOT:
		return prov_iot(out);
	case P_CONTAINER:
		return prov_container(out);
	case P_IMDS:
		return prov_imds(out);
	default:
		return CPJ_ERR_STATE;
	}
}

static int
set_profile(const char *p)
{
	if (p == NULL)
		p = env("AWS_PROFILE");
	if (p == NULL)
		p = "default";
	if (strlen(p) >= sizeof profile || strchr(p, ']') != NULL
	    || strchr(p, '\n') != NULL) {
		fail_msg("profile name '%s' is not valid", p);
		return CPJ_ERR_AGENT_CONFIG;
	}
	memcpy(profile, p, strlen(p) + 1);
	return 0;
}

/* see creds_chain.h */
int
creds_chain_load(cpj_creds *out, const char *prof, int profile_named,
	char *source, size_t source_cap)
{
	int kind, rc = CPJ_ERR_CREDS_NONE;

	cpj_creds_clear(out);
	if (source != NULL && source_cap > 0)
		source[0] = '\0';
	last.kind = P_NONE;
	if ((rc = set_profile(prof)) < 0)
		return rc;
	if ((rc = config_load()) < 0)
		return rc;
	imds_why[0] = '\0';
	rc = CPJ_ERR_CREDS_NONE;
	for (kind = P_ENV; kind <= P_IMDS; kind++) {
		if (kind == P_ENV && profile_named) {
			dbg("env: skipped (profile %s named)", profile);
			continue;
		}
		rc = run_provider(kind, out);
		if (rc != CPJ_ERR_CREDS_NONE)
			break;
	}
	config_wipe();
	if (rc < 0) {
		cpj_creds_clear(out);
		if (rc == CPJ_ERR_CREDS_NONE)
			fprintf(stderr, "Unable to locate credentials. You can "
			    "configure credentials by running \"aws "
			    "configure\".%s%s%s\n", imds_why[0] != '\0'
			    ? " (instance metadata " : "", imds_why,
			    imds_why[0] != '\0' ? ")" : "");
		return rc;
	}
	last.kind = kind;
	memcpy(last.profile, profile, sizeof last.profile);
	dbg("using %s", pname[kind]);
	if (source != NULL && source_cap > 0)
		snprintf(source, source_cap, "%s", pname[kind]);
	return 0;
}

/* see creds_chain.h */
int
creds_chain_refresh_if_needed(cpj_creds *c, int64_t now)
{
	int rc;

	if (last.kind == P_NONE)
		return CPJ_ERR_STATE;
	if (!cpj_creds_should_refresh(c, now))
		return 0;
	memcpy(profile, last.profile, sizeof profile);
	dbg("refreshing from %s", pname[last.kind]);
	rc = config_load();
	if (rc == 0)
		rc = run_provider(last.kind, &fresh);
	config_wipe();
	if (rc == 0) {
		memcpy(c, &fresh, sizeof *c);
		cpj_creds_clear(&fresh);
		return 1;
	}
	cpj_creds_clear(&fresh);
	if (rc == CPJ_ERR_CREDS_NONE && last.kind == P_IMDS)
		fail_msg("iam-role: refresh failed: %s", imds_why);
	else if (rc == CPJ_ERR_CREDS_NONE)
		fail_msg("%s: refresh found no credentials", pname[last.kind]);
	if (cpj_creds_present(c) && (c->expires == 0 || now < c->expires))
		return rc;
	cpj_creds_clear(c);
	return CPJ_ERR_CREDS_EXPIRED;
}

/* see creds_chain.h */
void
creds_chain_cleanup(void)
{
	config_wipe();
	cpj_wipe(filebuf, sizeof filebuf);
	cpj_wipe(keybuf, sizeof keybuf);
	cpj_wipe(auth, sizeof auth);
	cpj_wipe(work, sizeof work);
	cpj_creds_clear(&fresh);
	tls_wipe();
}
