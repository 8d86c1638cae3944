/*
 * setup.h -- what every cpjob command sets up before it talks to AWS:
 * the environment, local files, endpoints, the HTTPS proxy, the trust
 * anchors, timeouts, and HTTP(S) clients initialised with all of them.
 *
 * Used by the one-shot commands (cli_common.c, cmd_s3.c), the credential
 * chain (creds_*.c) and the worker's S3 client (run_s3.c), so that each
 * setting is read in one place and means the same to every client:
 *
 *   setup_env()           one lookup of the environment (unset and empty
 *                         are the same)
 *   setup_endpoint()      --endpoint-url, else AWS_ENDPOINT_URL_<SERVICE>,
 *                         else AWS_ENDPOINT_URL
 *   setup_proxy()         HTTPS_PROXY (else https_proxy), NO_PROXY (else
 *                         no_proxy)
 *   setup_trust_load()    the CA bundle of AWS endpoints: --ca-bundle,
 *   setup_trust()         else AWS_CA_BUNDLE, else the compiled-in roots,
 *                         loaded once into one store
 *   setup_http_client()   TLS context, client, endpoint, proxy, timeouts
 *   setup_url_safe()      any URL the agent prints: user information
 *                         masked ("http://user:***@host")
 *
 * The profile of the shared config file is setup_profile.c's.
 *
 * Messages go to stderr as "cpjob: [who: ]text" and never hold a secret:
 * every URL is printed through setup_url_safe().
 *
 * Memory: static buffers only (the one CA store, about 150 KB with the
 * default CPJ_TLS_SYSTEM_ANCHOR_STORE); nothing is allocated. Not
 * thread-safe.
 */
#ifndef CPJ_SETUP_H
#define CPJ_SETUP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "cpj.h"
#include "cpj_tls.h"

#if defined(__GNUC__)
#define SETUP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SETUP_PRINTF(f, a)
#endif

/* Room for any URL the agent prints (setup_url_safe()). */
#define SETUP_URL_PRINT_MAX 1200

/* ---- environment, messages, files ------------------------------------- */

/** The variable's value, or NULL when it is unset or empty. */
const char *setup_env(const char *name);

/** Print "cpjob: who: text\n" to stderr ("cpjob: text" when who is NULL). */
void setup_msg(const char *who, const char *fmt, ...) SETUP_PRINTF(2, 3);
void setup_vmsg(const char *who, const char *fmt, va_list ap);

/** A whole decimal number min..max, all of `s`: 0 with it in *out, or -1. */
int setup_number(const char *s, long min, long max, long *out);

/**
 * The one duration parser: seconds, all of `s`, with up to three decimals
 * when `decimals` (else whole seconds only), at most `max_ms`: 0 with the
 * milliseconds in *ms, or -1.
 */
int setup_duration_ms(const char *s, int decimals, uint64_t max_ms,
	uint64_t *ms);

/**
 * A copy of `url` that is safe to print: user information is masked,
 * "http://user:***@host", or "***@host" when it has no ':' (the whole of
 * it may be a token). Any part of the URL (between '/', '?' and '#') with
 * an '@' counts, so that a malformed URL cannot show a password either;
 * control bytes become '?'. Cut short (ending in "...") when it does not
 * fit. Returns `out`; "" for NULL.
 */
const char *setup_url_safe(const char *url, char *out, size_t cap);

/** "~/x" -> $HOME/x, other paths as they are. 0, or -1 when too long or
 *  HOME is unset. */
int setup_expand_path(const char *in, char *out, size_t cap);

/** The path from variable `envname` (expanded), else $HOME/`rel`; -1 when
 *  there is none or it is too long. */
int setup_home_path(char *out, size_t cap, const char *envname,
	const char *rel);

/**
 * Read a whole file into buf (at most cap - 1 bytes, then a NUL).
 * Returns its length; CPJ_ERR_CREDS_NONE when it does not exist and
 * `optional` (no message); CPJ_ERR_IO (message "what path: cause") when it
 * cannot be read or is larger than the buffer, which is then wiped.
 */
long setup_read_file(const char *who, const char *what, const char *path,
	char *buf, size_t cap, int optional);

/* ---- endpoints and the proxy ------------------------------------------- */

/**
 * The endpoint URL of a service: `given` (--endpoint-url), else the
 * variable `service_var` (e.g. "AWS_ENDPOINT_URL_S3"; may be NULL), else
 * AWS_ENDPOINT_URL; NULL for AWS's own endpoint.
 */
const char *setup_endpoint(const char *given, const char *service_var);

/** The proxy of https connections, from the environment. */
struct setup_proxy {
	const char *url;        /* HTTPS_PROXY, else https_proxy; NULL: none */
	const char *no_proxy;   /* NO_PROXY, else no_proxy; may be NULL */
};

/** Fill `p` from the environment (the strings stay the environment's). */
void setup_proxy(struct setup_proxy *p);

/* ---- trust anchors ------------------------------------------------------ */

/** The storage of a trust anchor store for a system CA bundle (taken
 *  from the agent's arena when a bundle is given). */
struct setup_anchors {
	br_x509_trust_anchor slots[CPJ_TLS_SYSTEM_ANCHORS_MAX];
	unsigned char arena[CPJ_TLS_SYSTEM_ANCHOR_STORE];
};

/** The storage of a store for setup_anchors_load(), and what sets its
 *  size (named in the message when a file does not fit). */
struct setup_anchor_room {
	br_x509_trust_anchor *slots;
	size_t nslots;
	unsigned char *arena;
	size_t arena_len;
	const char *limit;
};

/**
 * Why a TLS connection failed, in words, from BearSSL's error code
 * (cpj_tls_last_br_error): what the server refused or chose outside
 * cpjob's TLS profile (TLS 1.2, ECDHE with RSA or ECDSA, AES-GCM or
 * ChaCha20-Poly1305, P-256/P-384/X25519), or what was wrong with its
 * certificate. "" when there is nothing more to say than the error code.
 */
const char *setup_tls_why(int br);

/**
 * Set up `a` with the CA certificates of the PEM file `path` only, in the
 * slots and arena of `room`, or the compiled-in anchors when `path` is
 * NULL (no storage needed). `what` names the file in messages ("CA
 * bundle"). Returns 0, or CPJ_ERR_IO / CPJ_ERR_TLS_ANCHORS after a message
 * (unreadable, malformed, too large for the store: the message gives what
 * the file needs, what the store holds and room->limit).
 */
int setup_anchors_load(cpj_tls_anchors *a, const struct setup_anchor_room *room,
	const char *who, const char *what, const char *path);

/**
 * Load the anchors of AWS endpoints (CodePipeline, S3, the container
 * credentials endpoint over https) into the one store: `bundle`
 * (--ca-bundle) if not NULL, else AWS_CA_BUNDLE, else the compiled-in
 * roots. Once loaded the store stays (TLS contexts keep pointers to it):
 * later calls return 0 without reading anything. Returns 0 or an error
 * after a message.
 */
int setup_trust_load(const char *bundle);

/** The store of setup_trust_load(), loaded from the environment if no
 *  command loaded it yet; NULL (message printed) if that failed. */
const cpj_tls_anchors *setup_trust(const char *who);

/* ---- clients ------------------------------------------------------------ */

#define SETUP_PROXY 1u          /* route through setup_proxy()'s proxy */

/** How setup_http_client() sets up a client. */
struct setup_client {
	const char *who;            /* message prefix, or NULL */
	const cpj_tls_anchors *anchors; /* for the TLS context */
	uint32_t connect_ms, idle_ms, request_ms; /* 0: the library's */
	unsigned flags;             /* SETUP_PROXY */
};

/**
 * Set up `http` for `url`: the TLS context `tls` (when not NULL: https is
 * possible) on o->anchors, the client, its endpoint (none when `url` is
 * NULL: the caller sets it, e.g. the S3 client), the proxy when
 * SETUP_PROXY is set and `url` given, the timeouts.
 *
 * Returns 0; CPJ_ERR_AGENT_CONFIG for an endpoint or proxy URL that
 * cannot be used, or the TLS context's error, each after a message that
 * prints the URLs through setup_url_safe(). The client is initialised
 * first, so it may be closed (cpj_http_client_close()) after any result.
 */
int setup_http_client(cpj_http_client *http, cpj_tls_context *tls,
	const char *url, const struct setup_client *o);

/**
 * The S3 endpoint and proxy of `s3`: `url` (setup_endpoint(), NULL for
 * AWS's) with `flags` (CPJ_S3_*), and setup_proxy()'s proxy. Returns 0,
 * or -1 after a message.
 */
int setup_s3(cpj_s3_context *s3, const char *url, unsigned flags);

/* ---- the profile (setup_profile.c) ------------------------------------- */

#define SETUP_PROFILE_MAX 128

/** A profile of the shared files and the config file's text. */
struct setup_profile {
	char name[SETUP_PROFILE_MAX];
	char *cfg;              /* the caller's buffer for the config file */
	size_t cap;
	size_t len;             /* 0: no config file */
};

/**
 * Set up `p` with the buffer for the config file and the profile name:
 * `name` (--profile), else AWS_PROFILE, else "default". Returns 0, or
 * CPJ_ERR_AGENT_CONFIG after a message when the name cannot be one.
 */
int setup_profile_init(struct setup_profile *p, char *buf, size_t cap,
	const char *name, const char *who);

/** Read AWS_CONFIG_FILE, else ~/.aws/config, into the buffer (none:
 *  empty). Returns 0, or CPJ_ERR_AGENT_CONFIG after a message. */
int setup_profile_load(struct setup_profile *p, const char *who);

/** Wipe the config file's text (it may hold keys). */
void setup_profile_wipe(struct setup_profile *p);

/**
 * A setting: the variable `envname` (may be NULL), else `key` of the
 * profile's section of the config file. Returns its length (> 0), 0 when
 * unset, or CPJ_ERR_AGENT_CONFIG (message printed) when it does not fit.
 */
int setup_setting(const struct setup_profile *p, const char *envname,
	const char *key, char *out, size_t cap, const char *who);

/**
 * The region: `given` (--region), else AWS_REGION, else
 * AWS_DEFAULT_REGION, else `region` of the profile (the config file is
 * read only then). Returns 0, or -1 after the aws CLI's message.
 */
int setup_region(struct setup_profile *p, const char *given, char *out,
	size_t cap);

#endif
