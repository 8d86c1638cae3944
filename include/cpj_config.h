/*
 * cpj_config.h -- compile-time options of libcpjob.
 *
 * Order (mbedTLS/lwIP pattern):
 *  1. If CPJ_CONFIG_PROFILE is defined, that profile is included first:
 *     -DCPJ_CONFIG_PROFILE='"cpj_config_minimal.h"' (`make PROFILE=minimal`)
 *     selects the minimal profile, whose choices then win over the board's.
 *  2. If CPJ_CONFIG_FILE is defined, it is included next; a board passes
 *     -DCPJ_CONFIG_FILE='"cpj_board_config.h"'.
 *  3. Every option of the library has its default here, under #ifndef
 *     (module headers include this file and define none), so -D, the
 *     profile or the board's file can set any of them.
 *  4. Sanity checks reject impossible combinations with #error.
 * The library and every file that includes its headers must be compiled
 * with the same options (struct layouts and declarations follow them).
 *
 * Options are numbers or 0/1 and are always tested with #if (builds use
 * -Wundef, so a misspelt option is an error, not a silent default).
 */
/** \file
 * \brief Compile-time options of libcpjob.
 */
#ifndef CPJ_CONFIG_H
#define CPJ_CONFIG_H

#include "cpj_version.h"

#ifdef CPJ_CONFIG_PROFILE
#include CPJ_CONFIG_PROFILE
#endif
#ifdef CPJ_CONFIG_FILE
#include CPJ_CONFIG_FILE
#endif

/** Log level compiled in: 0 none, 1 error, 2 warn, 3 info, 4 debug. */
#ifndef CPJ_CONFIG_LOG_LEVEL
#define CPJ_CONFIG_LOG_LEVEL 2
#endif

/** 1: cpj_strerror() and cpj_job.err_detail give texts; 0: they give ""
 *  (saves ~3.6 KB). */
#ifndef CPJ_CONFIG_STRERROR
#define CPJ_CONFIG_STRERROR 1
#endif

/** 1: API misuse is caught by CPJ_ASSERT (calls cpj_port_panic()). */
#ifndef CPJ_CONFIG_ASSERT
#define CPJ_CONFIG_ASSERT 0
#endif

/* ---- features (profiles) --------------------------------------------
 * The full profile (default) has everything. The minimal profile,
 * include/cpj_config_minimal.h (`make PROFILE=minimal`), leaves out what
 * a tool that only polls and reports does not call. A call of a feature
 * that is compiled out does not exist: its declaration is hidden, so a
 * program that uses it fails to compile, not at run time. */

/** 1: S3 artifact transfer (cpj_s3.h); 0 leaves src/s3 out. */
#ifndef CPJ_CONFIG_S3
#define CPJ_CONFIG_S3 1
#endif

/** 1: credential providers beyond explicit keys: shared config/credentials
 * files (cpj_creds_from_ini, cpj_ini_get), credential documents and the
 * IMDS, container and IoT fetchers (cpj_creds_fetch_*).
 * 0 keeps cpj_creds_set/cpj_creds_clear/cpj_creds_present only. */
#ifndef CPJ_CONFIG_CREDS_PROVIDERS
#define CPJ_CONFIG_CREDS_PROVIDERS 1
#endif

/** 1: TLS client certificates (mutual TLS, cpj_tls_client_cert_load,
 * cpj_tls_set_client_cert); the IoT credential provider needs it. */
#ifndef CPJ_CONFIG_TLS_CLIENT_CERT
#define CPJ_CONFIG_TLS_CLIENT_CERT 1
#endif

/** 1: third-party jobs (the *ThirdParty* operations and a client token
 * argument); 0: those calls are hidden and a non-NULL client token is
 * refused with CPJ_ERR_UNSUPPORTED. */
#ifndef CPJ_CONFIG_THIRD_PARTY
#define CPJ_CONFIG_THIRD_PARTY 1
#endif

/** 1: PEM CA bundles (cpj_tls_anchors_add_pem, cpj_tls_anchors_finish;
 * `ca_file`/`ca_pem` of cpj_worker_config). 0: the trust anchors are the
 * compiled-in ones (`make anchors` regenerates them), and a worker given
 * a bundle fails with CPJ_ERR_UNSUPPORTED. */
#ifndef CPJ_CONFIG_PEM
#define CPJ_CONFIG_PEM 1
#endif

/** 1: a bundle's certificates are read by the library's own DER reader
 * (src/tls/tls_der.c: a system bundle of ~140 CAs loads in a fraction of
 * a handshake's time), BearSSL's X.509 decoder taking only the shapes it
 * declines. 0: BearSSL's decoder reads every certificate (about 500 k
 * instructions each; ~1.6 KB less code on armhf). Needs CPJ_CONFIG_PEM. */
#ifndef CPJ_CONFIG_PEM_FAST
#define CPJ_CONFIG_PEM_FAST 1
#endif

/** 1: P-256 and X25519 on BearSSL's dedicated engines (br_ec_p256_m31,
 * br_ec_c25519_m31): a handshake with an ECDSA server certificate takes
 * ~14 M instructions instead of ~58 M (two P-256 verifications, one
 * X25519 exchange; x86-64), for ~8-10 KB more code linked from BearSSL.
 * 0: every curve on the generic i31 code RSA links anyway (the minimal
 * profile). Either way TLS 1.2 with P-256, P-384 and X25519. */
#ifndef CPJ_CONFIG_TLS_EC_FAST
#define CPJ_CONFIG_TLS_EC_FAST 1
#endif

/** 1: SHA-256 (SigV4, S3 payloads) on the CPU's SHA-256 instructions
 * where it has them, checked once at run time: SHA-NI on x86-64, the ARMv8
 * SHA-2 instructions on arm64 (about 1.2 KB of code there, 150 bytes on
 * x86-64); BearSSL's portable code on other CPUs. 0: BearSSL's code only
 * (the minimal profile). */
#ifndef CPJ_CONFIG_SHA_HW
#define CPJ_CONFIG_SHA_HW 1
#endif

/** 1: SigV4 query-string signing (cpj_sigv4_presign, presigned URLs). */
#ifndef CPJ_CONFIG_SIGV4_PRESIGN
#define CPJ_CONFIG_SIGV4_PRESIGN 1
#endif

/* ---- HTTP (cpj_http.h) ----------------------------------------------- */
/** Longest HTTP response header line (name, colon and value), bytes. */
#ifndef CPJ_HTTP_LINE_MAX
#define CPJ_HTTP_LINE_MAX 1024
#endif

/** Most header lines accepted in one response. */
#ifndef CPJ_HTTP_HEADERS_MAX
#define CPJ_HTTP_HEADERS_MAX 64
#endif

/** Default limit of head bytes per response (all lines with their CRLFs,
 *  interim 1xx responses included); a board may override it. */
#ifndef CPJ_HTTP_HEAD_MAX
#define CPJ_HTTP_HEAD_MAX 16384
#endif

/** User-Agent sent with every request. */
#ifndef CPJ_USER_AGENT
#define CPJ_USER_AGENT "cpjob/" CPJ_VERSION_STRING
#endif

/** Default whole-request deadline, milliseconds. */
#ifndef CPJ_TIMEOUT_MS
#define CPJ_TIMEOUT_MS 30000
#endif

/** Default connect timeout, milliseconds. */
#ifndef CPJ_CONNECT_TIMEOUT_MS
#define CPJ_CONNECT_TIMEOUT_MS 10000
#endif

/** Default idle (per-read) timeout, milliseconds. */
#ifndef CPJ_IDLE_TIMEOUT_MS
#define CPJ_IDLE_TIMEOUT_MS 15000
#endif

/* ---- sockets and host names (cpj_net.h, cpj_port.h) ----------------- */
/** Longest host name accepted (DNS limit). */
#ifndef CPJ_HOST_MAX
#define CPJ_HOST_MAX 253
#endif

/** Read-ahead buffer of a socket transport, bytes (0 disables it). */
#ifndef CPJ_NET_READAHEAD
#define CPJ_NET_READAHEAD 1536
#endif

/* ---- TLS (cpj_tls.h) ------------------------------------------------- */
/** TLS record buffer, bytes (BearSSL half-duplex: BR_SSL_BUFSIZE_MONO). */
#ifndef CPJ_TLS_BUF_SIZE
#define CPJ_TLS_BUF_SIZE 16709
#endif

/** Trust anchors a run-time CA bundle may add to the store. */
#ifndef CPJ_TLS_ANCHORS_MAX
#define CPJ_TLS_ANCHORS_MAX 8
#endif

/** Bytes of DN + public key storage for run-time trust anchors (all of them). */
#ifndef CPJ_TLS_ANCHOR_STORE
#define CPJ_TLS_ANCHOR_STORE 4096
#endif

/**
 * Anchor store sizes that hold a whole system bundle on top of the
 * built-in anchors, for hosts where AWS_CA_BUNDLE names e.g.
 * /etc/ssl/certs/ca-certificates.crt. Measured on Debian 12
 * (ca-certificates 20230311): 144 CA certificates, 61,917 bytes of names
 * and keys; with the 5 built-in anchors 149 slots. These sizes leave
 * about a third more room for larger bundles (other distributions' and
 * later Mozilla sets, a few private CAs): 192 slots (12,288 bytes on
 * 64-bit targets) and a 96 KiB arena. A bundle over either is refused
 * whole, with the numbers it needs (cpj_tls_anchors_info).
 */
#ifndef CPJ_TLS_SYSTEM_ANCHORS_MAX
#define CPJ_TLS_SYSTEM_ANCHORS_MAX 192
#endif
/** Arena bytes of a store that holds a whole system bundle (see
 *  CPJ_TLS_SYSTEM_ANCHORS_MAX). */
#ifndef CPJ_TLS_SYSTEM_ANCHOR_STORE
#define CPJ_TLS_SYSTEM_ANCHOR_STORE 98304
#endif

/** Most certificates in a client certificate chain (the EE first). */
#ifndef CPJ_TLS_CLIENT_CHAIN_MAX
#define CPJ_TLS_CLIENT_CHAIN_MAX 4
#endif

/* ---- JSON (cpj_json.h) ----------------------------------------------- */
/** Tokens for one jsmn parse (one job of the job parser, or one document). */
#ifndef CPJ_JSON_TOKENS_MAX
#define CPJ_JSON_TOKENS_MAX 512
#endif

/** Deepest JSON nesting accepted by the streaming parser. */
#ifndef CPJ_JSON_DEPTH_MAX
#define CPJ_JSON_DEPTH_MAX 16
#endif

/* ---- jobs (cpj_jobs.h) ----------------------------------------------- */
/** Job parser window: bytes of one job's JSON (46,384 = model's ASCII worst case). */
#ifndef CPJ_JOB_WINDOW
#define CPJ_JOB_WINDOW 49152
#endif

/** Entries of a job's actionConfiguration.configuration map kept (model: 10 properties). */
#ifndef CPJ_JOB_CONFIG_MAX
#define CPJ_JOB_CONFIG_MAX 16
#endif

/** Input artifacts, and output artifacts, kept per job (model: at most 5 each). */
#ifndef CPJ_JOB_ARTIFACTS_MAX
#define CPJ_JOB_ARTIFACTS_MAX 8
#endif

/* ---- CodePipeline (cpj_codepipeline.h) ------------------------------- */
/** Most jobs asked for in one PollForJobs (the model allows 1..100). */
#ifndef CPJ_MAX_JOBS
#define CPJ_MAX_JOBS 100
#endif

/** Default attempts per call (standard retry mode). */
#ifndef CPJ_CP_MAX_ATTEMPTS
#define CPJ_CP_MAX_ATTEMPTS 3
#endif
/** Backoff cap of standard retry mode, milliseconds. */
#ifndef CPJ_CP_BACKOFF_CAP_MS
#define CPJ_CP_BACKOFF_CAP_MS 20000
#endif

/* ---- SigV4 (cpj_sigv4.h) --------------------------------------------- */
/** Most headers a request may pass to the signer (at most 250). */
#ifndef CPJ_SIGV4_HEADERS_MAX
#define CPJ_SIGV4_HEADERS_MAX 32
#endif

/** Most parameters in a request's query string. */
#ifndef CPJ_SIGV4_QUERY_MAX
#define CPJ_SIGV4_QUERY_MAX 32
#endif

/** Deepest a non-S3 path may get while it is normalised (segments kept
 *  at any point, before later ".." remove them). */
#ifndef CPJ_SIGV4_SEGMENTS_MAX
#define CPJ_SIGV4_SEGMENTS_MAX 64
#endif

/** Longest region or service name. */
#ifndef CPJ_SIGV4_NAME_MAX
#define CPJ_SIGV4_NAME_MAX 64
#endif

/** Longest header name given to the signer. */
#ifndef CPJ_SIGV4_HNAME_MAX
#define CPJ_SIGV4_HNAME_MAX 256
#endif

/** Longest access key id (STS allows 16..128). */
#ifndef CPJ_SIGV4_AKID_MAX
#define CPJ_SIGV4_AKID_MAX 128
#endif

/** Longest secret access key. */
#ifndef CPJ_SIGV4_SECRET_MAX
#define CPJ_SIGV4_SECRET_MAX 128
#endif

/** Longest session token. */
#ifndef CPJ_SIGV4_TOKEN_MAX
#define CPJ_SIGV4_TOKEN_MAX 8192
#endif

/* ---- credentials (cpj_creds.h) --------------------------------------- */
/** Longest access key id (STS allows 16..128). */
#ifndef CPJ_CREDS_AKID_MAX
#define CPJ_CREDS_AKID_MAX 128
#endif
/** Longest secret access key (40 in practice). */
#ifndef CPJ_CREDS_SECRET_MAX
#define CPJ_CREDS_SECRET_MAX 128
#endif
/** Longest session token (STS sets no maximum; about 1 KB in practice). */
#ifndef CPJ_CREDS_TOKEN_MAX
#define CPJ_CREDS_TOKEN_MAX 4096
#endif
/** Refresh window: cpj_creds_should_refresh() is true this many seconds
 *  (or fewer) before the credentials expire. */
#ifndef CPJ_CREDS_REFRESH_S
#define CPJ_CREDS_REFRESH_S 300
#endif
/** Longest IMDSv2 session token accepted (AWS's are 56 bytes). */
#ifndef CPJ_CREDS_IMDS_TOKEN_MAX
#define CPJ_CREDS_IMDS_TOKEN_MAX 256
#endif
/** Longest IAM role name accepted from IMDS (IAM allows 64). */
#ifndef CPJ_CREDS_ROLE_MAX
#define CPJ_CREDS_ROLE_MAX 128
#endif
/** JSON tokens a credential document may use (a real one needs 17). */
#ifndef CPJ_CREDS_DOC_TOKENS
#define CPJ_CREDS_DOC_TOKENS 48
#endif

/* ---- S3 (cpj_s3.h, with CPJ_CONFIG_S3) ------------------------------- */
/** Longest object key, bytes of UTF-8 (S3's limit). */
#ifndef CPJ_S3_KEY_MAX
#define CPJ_S3_KEY_MAX 1024
#endif
/** Longest error message kept; a longer one is cut at a UTF-8 boundary
 *  and message_cut is set (the message is for humans). */
#ifndef CPJ_S3_MESSAGE_MAX
#define CPJ_S3_MESSAGE_MAX 256
#endif
/** Default attempts per call (standard retry mode). */
#ifndef CPJ_S3_MAX_ATTEMPTS
#define CPJ_S3_MAX_ATTEMPTS 3
#endif

/* ---- the worker facade (cpj_worker.h) -------------------------------- */
/** Job slots of a worker: the most jobs one poll returns. */
#ifndef CPJ_WORKER_JOBS
#define CPJ_WORKER_JOBS 2
#endif
/** Bytes of a worker's job window (one job's JSON text). */
#ifndef CPJ_WORKER_WINDOW
#define CPJ_WORKER_WINDOW CPJ_JOB_WINDOW
#endif
/** Bytes of a worker's job string storage, shared by its slots. */
#ifndef CPJ_WORKER_STORAGE
#define CPJ_WORKER_STORAGE CPJ_JOB_WINDOW
#endif
/** Bytes of a worker's request buffer: the HTTP head with the longest
 *  session token and the bodies of polls, acknowledgements and ordinary
 *  results; larger results are streamed through it (cpj_cp_init()). */
#ifndef CPJ_WORKER_WORK
#define CPJ_WORKER_WORK (CPJ_CREDS_TOKEN_MAX + 3072)
#endif

/* Sanity checks. */
#if CPJ_CONFIG_LOG_LEVEL < 0 || CPJ_CONFIG_LOG_LEVEL > 4
#error "CPJ_CONFIG_LOG_LEVEL must be 0..4"
#endif
#if CPJ_TLS_BUF_SIZE < 16709
#error "CPJ_TLS_BUF_SIZE below BR_SSL_BUFSIZE_MONO cannot receive a full TLS record"
#endif
#if CPJ_HTTP_LINE_MAX < 128
#error "CPJ_HTTP_LINE_MAX must be at least 128"
#endif
#if CPJ_JSON_TOKENS_MAX < 16
#error "CPJ_JSON_TOKENS_MAX must be at least 16"
#endif
#if CPJ_JSON_DEPTH_MAX < 8 || CPJ_JSON_DEPTH_MAX > 64
#error "CPJ_JSON_DEPTH_MAX must be 8..64"
#endif
#if CPJ_MAX_JOBS < 1 || CPJ_MAX_JOBS > 100
#error "CPJ_MAX_JOBS must be 1..100"
#endif
#if CPJ_JOB_WINDOW < 256 || CPJ_JOB_WINDOW > 2147483647
#error "CPJ_JOB_WINDOW must be 256..INT_MAX (jsmn offsets are int)"
#endif
#if CPJ_JOB_CONFIG_MAX < 1 || CPJ_JOB_CONFIG_MAX > 1000
#error "CPJ_JOB_CONFIG_MAX must be 1..1000"
#endif
#if CPJ_JOB_ARTIFACTS_MAX < 1 || CPJ_JOB_ARTIFACTS_MAX > 100
#error "CPJ_JOB_ARTIFACTS_MAX must be 1..100"
#endif
#if CPJ_CONFIG_CREDS_PROVIDERS && !CPJ_CONFIG_TLS_CLIENT_CERT
#error "CPJ_CONFIG_CREDS_PROVIDERS needs CPJ_CONFIG_TLS_CLIENT_CERT (IoT provider)"
#endif
#if CPJ_NET_READAHEAD < 0
#error "CPJ_NET_READAHEAD must be >= 0"
#endif
#if CPJ_SIGV4_HEADERS_MAX < 1 || CPJ_SIGV4_HEADERS_MAX > 250
#error "CPJ_SIGV4_HEADERS_MAX must be 1..250"
#endif
#if CPJ_SIGV4_QUERY_MAX < 1 || CPJ_SIGV4_SEGMENTS_MAX < 1
#error "CPJ_SIGV4_QUERY_MAX and CPJ_SIGV4_SEGMENTS_MAX must be >= 1"
#endif
#if CPJ_SIGV4_NAME_MAX < 16 || CPJ_SIGV4_AKID_MAX < 16 \
    || CPJ_SIGV4_SECRET_MAX < 28
#error "CPJ_SIGV4 name, key id and secret limits are too small"
#endif

#endif
