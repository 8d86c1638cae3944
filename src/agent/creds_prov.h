/*
 * creds_prov.h -- what the pieces of the credential chain share (not for
 * the rest of the agent: see creds_chain.h).
 *
 *   creds_chain.c      the order, load and refresh, the env provider,
 *                      messages
 *   creds_files.c      the shared credentials file and the config file
 *   creds_iot.c        the AWS IoT credentials provider (mutual TLS)
 *   creds_container.c  container credentials, with the plain-http host
 *                      check
 *   creds_imds.c       IMDSv2
 *
 * All state of a run is in one struct creds_ctx that creds_chain.c owns
 * and passes to each provider; the providers keep none of their own.
 */
#ifndef CPJ_CREDS_PROV_H
#define CPJ_CREDS_PROV_H

#include <stddef.h>

#include "cpj.h"
#include "creds_chain.h"
#include "setup.h"

/*
 * Memory: one run of the chain fits in 128 KiB (creds_chain.c's `ctx`,
 * 128,736 bytes on x86-64, a scope of the agent's arena for the run). What a fetch needs at the same time comes
 * first: the TLS context (24,128), the HTTP client (3,856), the fetch's
 * work buffer (CPJ_CREDS_WORK_SIZE, 12,288), the container token
 * (CREDS_AUTH_MAX + 1), and for IoT the device certificate chain in DER
 * (16,384), its decoded key (3,992) and the CA store below (10,056); with
 * the profile's name and the IMDS message, 79,584 bytes. Of the 51,488
 * left, 48 KiB take one file at a time: the config file, the credentials
 * file, or the IoT certificate chain and key side by side
 * (cpj_tls_client_cert_load() decodes both at once). The config file is
 * read again when a provider needs its settings after another file took
 * the buffer; each file is wiped once parsed.
 */
#define CREDS_FILE_MAX  (48 * 1024)  /* the buffer: files < 48 KiB */
#define CREDS_KEY_MAX   (16 * 1024)  /* its tail: IoT key < 16 KiB */
#define CREDS_CERT_MAX  (CREDS_FILE_MAX - CREDS_KEY_MAX) /* < 32 KiB */
#define CREDS_PATH_LEN  1024
#define CREDS_AUTH_MAX  8192         /* container authorization token */
#define CREDS_WHO       "credentials" /* message prefix */

/*
 * The IoT CA store (CPJOB_IOT_CA_FILE): the endpoint's root, not a system
 * bundle. The Amazon roots take 318 (Root CA 1, RSA-2048), 574 (CA 2,
 * RSA-4096), 124 (CA 3, P-256), 156 (CA 4, P-384) and 414 (Starfield
 * Services G2) bytes; 8 anchors of up to 1 KiB each.
 */
#define CREDS_IOT_CA_MAX    8
#define CREDS_IOT_CA_STORE  8192

/* Providers, in chain order. */
enum creds_kind {
	CREDS_NONE, CREDS_ENV, CREDS_SHARED, CREDS_CONFIG, CREDS_IOT,
	CREDS_CONTAINER, CREDS_IMDS
};

/* Everything a run of the chain uses; secrets are wiped after use. */
struct creds_ctx {
	/* the small members first, where the shortest instructions reach
	 * them, then the buffers */
	int debug;                          /* print each provider's outcome */
	int cfg_in;                         /* `file` holds the config file */
	int http_ready;                     /* http was initialised */
	struct setup_profile prof;          /* profile; its config file in `file` */
	char imds_why[512];                 /* why IMDS gave nothing */
	cpj_tls_client_cert ccert;          /* with its key (secret) */
	cpj_http_client http;
	cpj_tls_context tls;
	struct {                            /* CPJOB_IOT_CA_FILE */
		cpj_tls_anchors a;
		br_x509_trust_anchor slots[CREDS_IOT_CA_MAX];
		unsigned char arena[CREDS_IOT_CA_STORE];
	} iot_ca;
	char auth[CREDS_AUTH_MAX + 1];      /* container token (secret) */
	unsigned char cert_der[16384];      /* the device certificate chain */
	char file[CREDS_FILE_MAX];          /* one file at a time (secret) */
	unsigned char work[CPJ_CREDS_WORK_SIZE];
};

/* ---- creds_chain.c ------------------------------------------------------ */

/** The provider's name for messages and logs ("env", "iam-role", ...). */
const char *creds_name(int kind);

/** Print "cpjob: credentials: ..." when c->debug is on. */
void creds_dbg(const struct creds_ctx *c, const char *fmt, ...)
	SETUP_PRINTF(2, 3);

/** One line: what failed and why; `br` is BearSSL's code for TLS errors. */
void creds_report(int kind, const char *where, int rc,
	const cpj_creds_fetch_info *info, int br);

/** The cause of a failed fetch ("HTTP 403 on ...: ...; member X"). */
void creds_describe(char *out, size_t cap, int rc,
	const cpj_creds_fetch_info *info);

/** 1 for the errors a new attempt may cure (connection, timeout). */
int creds_is_net_error(int rc);

/** Close the client, drop every key and session of the TLS context and
 *  the client certificate. */
void creds_tls_wipe(struct creds_ctx *c);

/** The profile's config file in c->file for setup_setting() and
 *  cpj_creds_from_ini() (read again if another file took the buffer).
 *  Returns 0, or CPJ_ERR_AGENT_CONFIG after a message. */
int creds_profile(struct creds_ctx *c);

/** The file buffer (CREDS_FILE_MAX bytes) for another file: the config
 *  file's text is wiped. Wipe what you read into it after use. */
char *creds_file(struct creds_ctx *c);

/* ---- providers -------------------------------------------------------------
 * Each returns 0 (credentials in `out`), CPJ_ERR_CREDS_NONE (not
 * configured: next provider) or another error (message printed).
 */
int creds_prov_shared(struct creds_ctx *c, cpj_creds *out);
int creds_prov_config(struct creds_ctx *c, cpj_creds *out);
int creds_prov_iot(struct creds_ctx *c, cpj_creds *out);
int creds_prov_container(struct creds_ctx *c, cpj_creds *out);
int creds_prov_imds(struct creds_ctx *c, cpj_creds *out);

/* ---- the container provider's plain-http hosts (creds_container.c) ----- */

#define CREDS_HOST_REFUSED    0   /* anything else: never contacted */
#define CREDS_HOST_LOOPBACK   1   /* an IPv4 or IPv6 loopback literal */
#define CREDS_HOST_ECS        2   /* an ECS/EKS agent's address */
#define CREDS_HOST_LOCALHOST  3   /* "localhost": allowed when every
                                     address it resolves to is loopback */

/**
 * Classify the host of a plain-http container URL by its text alone, with
 * no lookup: IPv4 literals in strict dotted-decimal (four parts 0..255,
 * no leading zeros), IPv6 literals (brackets allowed, no zone), parsed
 * with inet_pton(). 127.0.0.0/8 and ::1 are loopback; 169.254.170.2,
 * 169.254.170.23 and fd00:ec2::23 the ECS/EKS agents; "localhost" (any
 * case) is a name to resolve; everything else, IPv4-mapped IPv6
 * addresses and other names included, is refused.
 */
int creds_http_host_class(const char *host);

/**
 * Whether plain http may carry the authorization token to `host`:
 * creds_http_host_class(), and for "localhost" every address the
 * resolver gives must be loopback. 1 yes; 0 no, with the reason in `why`.
 */
int creds_http_host_ok(const char *host, char *why, size_t cap);

#endif
