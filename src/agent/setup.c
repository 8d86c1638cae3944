/*
 * setup.c -- what every cpjob command sets up (see setup.h): the
 * environment, files, endpoints, the proxy, the one CA store and HTTP(S)
 * clients initialised with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bearssl.h>

#include "agent.h"
#include "arena.h"
#include "setup.h"

/* The trust anchors of AWS endpoints (setup_trust_load()): the
 * compiled-in roots, or a CA bundle in a store taken from the arena. */
static cpj_tls_anchors trust_a;
static struct setup_anchors *trust;
static int trust_ready;

/* see setup.h */
const char *
setup_env(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* see setup.h */
void
setup_vmsg(const char *who, const char *fmt, va_list ap)
{
	/* (fwrite: what fmt_vfprintf writes with, not fputc too) */
	fwrite("cpjob: ", 1, 7, stderr);
	if (who != NULL)
		fmt_eprintf("%s: ", who);
	fmt_vfprintf(stderr, fmt, ap);
	fwrite("\n", 1, 1, stderr);
}

/* see setup.h */
void
setup_msg(const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	setup_vmsg(who, fmt, ap);
	va_end(ap);
}

/* see setup.h */
int
setup_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* see setup.h */
int
setup_duration_ms(const char *s, int decimals, uint64_t max_ms, uint64_t *ms)
{
	uint64_t v = 0, scale = 1000;
	const char *q = s;

	if (*q < '0' || *q > '9')
		return -1;
	while (*q >= '0' && *q <= '9' && v <= UINT64_C(1) << 40)
		v = v * 10 + (uint64_t)(*q++ - '0');
	v *= 1000;
	if (*q == '.' && decimals) {
		q++;
		if (*q < '0' || *q > '9')
			return -1;
		while (*q >= '0' && *q <= '9' && scale > 1) {
			scale /= 10;
			v += (uint64_t)(*q++ - '0') * scale;
		}
	}
	if (*q != '\0' || v > max_ms)
		return -1;
	*ms = v;
	return 0;
}

/* Append s[0..n) to out (at *o, room cap - 1), control bytes as '?'.
 * 0, or -1 when it did not fit. */
static int
put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (*o + 1 >= cap)
			return -1;
		out[(*o)++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	return 0;
}

/* see setup.h */
const char *
setup_url_safe(const char *url, char *out, size_t cap)
{
	const char *seg, *end, *at, *colon, *p;
	size_t o = 0;
	int r = 0;

	if (cap == 0)
		return out;
	out[0] = '\0';
	if (url == NULL)
		return out;
	/* Part by part (between '/', '?' and '#'), so that user information
	   is found wherever a malformed URL puts it: what comes before the
	   last '@' of a part is masked, but for a user name before ':'. */
	for (seg = url; r == 0 && *seg != '\0'; seg = end) {
		end = seg + fmt_span(seg, "/?#", 0);
		at = NULL;
		for (p = seg; p < end; p++) {
			if (*p == '@')
				at = p;
		}
		if (at != NULL) {
			colon = memchr(seg, ':', (size_t)(at - seg));
			if (colon != NULL)
				r = put(out, cap, &o, seg, (size_t)(colon - seg) + 1);
			if (r == 0)
				r = put(out, cap, &o, "***", 3);
			seg = at;
		}
		if (r == 0)
			r = put(out, cap, &o, seg, (size_t)(end - seg));
		if (r == 0 && *end != '\0')
			r = put(out, cap, &o, end++, 1);
	}
	if (r < 0) {
		o = cap - 1;
		if (cap >= 4)
			memcpy(out + cap - 4, "...", 3);
	}
	out[o] = '\0';
	return out;
}

/* see setup.h */
int
setup_expand_path(const char *in, char *out, size_t cap)
{
	const char *home;
	int n;

	if (in[0] == '~' && in[1] == '/') {
		home = setup_env("HOME");
		if (home == NULL)
			return -1;
		n = fmt_snprintf(out, cap, "%s%s", home, in + 1);
	} else {
		n = fmt_snprintf(out, cap, "%s", in);
	}
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* see setup.h */
int
setup_home_path(char *out, size_t cap, const char *envname, const char *rel)
{
	const char *v = setup_env(envname), *home = setup_env("HOME");
	int n;

	if (v != NULL)
		return setup_expand_path(v, out, cap);
	if (home == NULL)
		return -1;
	n = fmt_snprintf(out, cap, "%s/%s", home, rel);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* open(2) for reading: the descriptor; -2 when it does not exist and
 * `optional`; else -1 after "what path: cause". */
static int
open_file(const char *who, const char *what, const char *path, int optional)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (optional && (errno == ENOENT || errno == ENOTDIR))
		return -2;
	setup_msg(who, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* read(2) past EINTR; -1 after a message. */
static ssize_t
read_some(int fd, void *buf, size_t n, const char *who, const char *what,
	const char *path)
{
	ssize_t r;

	do {
		r = read(fd, buf, n);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		setup_msg(who, "%s %s: %s", what, path, strerror(errno));
	return r;
}

/* see setup.h */
long
setup_read_file(const char *who, const char *what, const char *path,
	char *buf, size_t cap, int optional)
{
	size_t n = 0;
	ssize_t r;
	char extra;
	int fd = open_file(who, what, path, optional);

	if (fd < 0)
		return fd == -2 ? CPJ_ERR_CREDS_NONE : CPJ_ERR_IO;
	while ((r = read_some(fd, buf + n, cap - 1 - n, who, what, path)) > 0) {
		n += (size_t)r;
		if (n < cap - 1)
			continue;
		r = read_some(fd, &extra, 1, who, what, path);
		if (r > 0) {
			setup_msg(who, "%s %s: larger than %u bytes", what, path,
			    (unsigned)(cap - 1));
			r = -1;
		}
		break;
	}
	close(fd);
	if (r < 0) {
		cpj_wipe(buf, n);
		return CPJ_ERR_IO;
	}
	buf[n] = '\0';
	return (long)n;
}

/* see setup.h */
const char *
setup_endpoint(const char *given, const char *service_var)
{
	if (given == NULL && service_var != NULL)
		given = setup_env(service_var);
	if (given == NULL)
		given = setup_env("AWS_ENDPOINT_URL");
	return given;
}

/* see setup.h */
void
setup_proxy(struct setup_proxy *p)
{
	p->url = setup_env("HTTPS_PROXY");
	if (p->url == NULL)
		p->url = setup_env("https_proxy");
	p->no_proxy = setup_env("NO_PROXY");
	if (p->no_proxy == NULL)
		p->no_proxy = setup_env("no_proxy");
}

/* The cause of a failed bundle, in one message. */
static void
anchors_failed(const cpj_tls_anchors *a, const char *limit, const char *who,
	const char *what, const char *path, int rc)
{
	cpj_tls_anchors_info info;

	cpj_tls_anchors_get_info(a, &info);
	if (info.bad_object != 0)
		setup_msg(who, "%s %s: PEM object %zu is malformed", what, path,
		    info.bad_object);
	else if (info.need_anchors > info.slots || info.need_bytes > info.arena)
		setup_msg(who, "%s %s needs %zu anchors and %zu bytes; the "
		    "store holds %zu anchors and %zu bytes (%s)", what, path,
		    info.need_anchors, info.need_bytes, info.slots, info.arena,
		    limit);
	else
		setup_msg(who, "%s %s: %s", what, path, cpj_strerror(rc));
}

/* see setup.h */
int
setup_anchors_load(cpj_tls_anchors *a, const struct setup_anchor_room *room,
	const char *who, const char *what, const char *path)
{
	unsigned char buf[4096];
	ssize_t r;
	int rc, fd;

	if (path == NULL)
		return cpj_tls_anchors_init(a, NULL, 0, NULL, 0, 1);
	rc = cpj_tls_anchors_init(a, room->slots, room->nslots, room->arena,
	    room->arena_len, 0);
	if (rc < 0)
		return rc;
	if ((fd = open_file(who, what, path, 0)) < 0)
		return CPJ_ERR_IO;
	/* a full store still counts what the bundle needs */
	while ((r = read_some(fd, buf, sizeof buf, who, what, path)) > 0
	    && cpj_tls_anchors_add_pem(a, buf, (size_t)r) == 0)
		;
	close(fd);
	if (r < 0)
		return CPJ_ERR_IO;
	rc = cpj_tls_anchors_finish(a);
	if (rc < 0) {
		anchors_failed(a, room->limit, who, what, path, rc);
		return rc;
	}
	return 0;
}

static int
trust_load(const char *who, const char *bundle)
{
	struct setup_anchor_room room = {
		NULL, 0, NULL, 0,
		"CPJ_TLS_SYSTEM_ANCHORS_MAX, CPJ_TLS_SYSTEM_ANCHOR_STORE"
	};
	int rc;

	if (trust_ready)
		return 0;
	if (bundle == NULL)
		bundle = setup_env("AWS_CA_BUNDLE");
	if (bundle != NULL) {
		if (trust == NULL)
			trust = agent_arena_take(sizeof *trust);
		room.slots = trust->slots;
		room.nslots = CPJ_ARRAY_LEN(trust->slots);
		room.arena = trust->arena;
		room.arena_len = sizeof trust->arena;
	}
	rc = setup_anchors_load(&trust_a, &room, who, "CA bundle", bundle);
	if (rc < 0)
		return rc;
	trust_ready = 1;
	return 0;
}

/* see setup.h */
int
setup_trust_load(const char *bundle)
{
	return trust_load(NULL, bundle);
}

/* see setup.h */
const cpj_tls_anchors *
setup_trust(const char *who)
{
	return trust_load(who, NULL) < 0 ? NULL : &trust_a;
}

/* see setup.h */
int
setup_http_client(cpj_http_client *http, cpj_tls_context *tls,
	const char *url, const struct setup_client *o)
{
	char safe[SETUP_URL_PRINT_MAX];
	struct setup_proxy p;
	int rc;

	cpj_http_client_init(http, tls);
	if (tls != NULL && (rc = cpj_tls_init(tls, o->anchors)) < 0) {
		setup_msg(o->who, "TLS: %s", cpj_strerror(rc));
		return rc;
	}
	if (url != NULL && (rc = cpj_http_client_set_url(http, url)) < 0) {
		setup_msg(o->who, "endpoint URL '%s': %s%s",
		    setup_url_safe(url, safe, sizeof safe), cpj_strerror(rc),
		    rc == CPJ_ERR_UNSUPPORTED && tls == NULL ? " (http only)"
		    : "");
		return CPJ_ERR_AGENT_CONFIG;
	}
	setup_proxy(&p);
	if (url != NULL && (o->flags & SETUP_PROXY) && p.url != NULL
	    && (rc = cpj_http_client_set_proxy(http, p.url, p.no_proxy)) < 0) {
		setup_msg(o->who, "HTTPS_PROXY '%s': %s%s",
		    setup_url_safe(p.url, safe, sizeof safe), cpj_strerror(rc),
		    rc == CPJ_ERR_UNSUPPORTED ? " (cpjob takes an http:// proxy "
		    "without user name or password)" : "");
		return CPJ_ERR_AGENT_CONFIG;
	}
	cpj_http_client_set_timeouts(http, o->connect_ms, o->idle_ms,
	    o->request_ms);
	return 0;
}

/* see setup.h */
int
setup_s3(cpj_s3_context *s3, const char *url, unsigned flags)
{
	char safe[SETUP_URL_PRINT_MAX];
	struct setup_proxy p;
	int rc = cpj_s3_set_endpoint(s3, url, flags);

	if (rc < 0) {
		setup_msg(NULL, "S3 endpoint URL '%s': %s",
		    setup_url_safe(url, safe, sizeof safe), cpj_strerror(rc));
		return -1;
	}
	/* checked when each request applies it; the CodePipeline client's
	   set-up has refused a proxy URL that cannot be used */
	setup_proxy(&p);
	if (p.url != NULL)
		(void)cpj_s3_set_proxy(s3, p.url, p.no_proxy);
	return 0;
}

/* see setup.h */
const char *
setup_tls_why(int br)
{
	if (br == BR_ERR_RECV_FATAL_ALERT + 40 /* handshake_failure */
	    || br == BR_ERR_RECV_FATAL_ALERT + 71 /* insufficient_security */)
		return "the server refused the handshake: it shares no cipher "
		    "suite, curve or signature algorithm with cpjob's TLS "
		    "profile (TLS 1.2; ECDHE with RSA or ECDSA; AES-128/256-GCM "
		    "or ChaCha20-Poly1305; P-256, P-384 or X25519; SHA-256/384)";
	if (br == BR_ERR_RECV_FATAL_ALERT + 70 /* protocol_version */
	    || br == BR_ERR_UNSUPPORTED_VERSION || br == BR_ERR_BAD_VERSION)
		return "the server does not speak TLS 1.2, the only version "
		    "cpjob offers";
	if (br == BR_ERR_BAD_CIPHER_SUITE)
		return "the server chose a cipher suite cpjob did not offer";
	if (br == BR_ERR_INVALID_ALGORITHM || br == BR_ERR_BAD_SIGNATURE)
		return "the server's key exchange is signed with an algorithm "
		    "outside cpjob's TLS profile, or the signature is wrong";
	if (br == BR_ERR_X509_NOT_TRUSTED)
		return "the server's certificate chain ends in no CA cpjob "
		    "trusts (--ca-bundle, AWS_CA_BUNDLE, the compiled-in "
		    "Amazon roots)";
	if (br == BR_ERR_X509_BAD_SERVER_NAME)
		return "the server's certificate does not name the host of "
		    "the URL";
	if (br == BR_ERR_X509_EXPIRED)
		return "the server's certificate is expired or not yet valid "
		    "(is the device's clock right?)";
	if (br == BR_ERR_X509_WEAK_PUBLIC_KEY
	    || br == BR_ERR_X509_UNSUPPORTED)
		return "the server's certificate has a key or algorithm "
		    "outside cpjob's TLS profile";
	if (br > BR_ERR_RECV_FATAL_ALERT && br < BR_ERR_SEND_FATAL_ALERT)
		return "the server ended the handshake with a fatal alert";
	if (br > BR_ERR_SEND_FATAL_ALERT)
		return "cpjob ended the handshake with a fatal alert";
	return "";
}
