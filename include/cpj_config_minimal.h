/*
 * cpj_config_minimal.h -- the minimal profile of libcpjob: a firmware tool
 * that polls CodePipeline for custom-action jobs, acknowledges them and
 * reports the result, with explicit keys. Select it with
 *     -DCPJ_CONFIG_PROFILE='"cpj_config_minimal.h"'
 * (read before CPJ_CONFIG_FILE, so it wins over a board's file) on every
 * compile of the library and of the code that includes its
 * headers (`make PROFILE=minimal` does this; the agent needs the full
 * profile and is not built).
 *
 * Left out: S3 artifact transfer, the credential providers other than
 * explicit keys, mutual TLS, the fast reader of CA bundles (a bundle
 * loads through BearSSL's X.509 decoder alone), third-party jobs, SigV4
 * presigning, log text
 * and error texts (error codes stay; cpj_strerror() and the job parser's
 * cpj_job.err_detail give "").
 * Any option may still be overridden before this file is read, e.g.
 * -DCPJ_CONFIG_STRERROR=1 keeps the error texts (about 3 KB).
 */
/** \file
 * \brief The minimal profile: poll, acknowledge, report (see cpj_config.h).
 */
#ifndef CPJ_CONFIG_MINIMAL_H
#define CPJ_CONFIG_MINIMAL_H

#ifndef CPJ_CONFIG_S3
/** No S3 artifact transfer. */
#define CPJ_CONFIG_S3 0
#endif
#ifndef CPJ_CONFIG_CREDS_PROVIDERS
/** Explicit keys only. */
#define CPJ_CONFIG_CREDS_PROVIDERS 0
#endif
#ifndef CPJ_CONFIG_TLS_CLIENT_CERT
/** No mutual TLS. */
#define CPJ_CONFIG_TLS_CLIENT_CERT 0
#endif
#ifndef CPJ_CONFIG_THIRD_PARTY
/** Custom-action jobs only. */
#define CPJ_CONFIG_THIRD_PARTY 0
#endif
#ifndef CPJ_CONFIG_PEM_FAST
/** CA bundles through BearSSL's X.509 decoder alone. */
#define CPJ_CONFIG_PEM_FAST 0
#endif
#ifndef CPJ_CONFIG_TLS_EC_FAST
/** Every curve on BearSSL's generic i31 code. */
#define CPJ_CONFIG_TLS_EC_FAST 0
#endif
#ifndef CPJ_CONFIG_SHA_HW
/** SHA-256 on BearSSL's portable code alone. */
#define CPJ_CONFIG_SHA_HW 0
#endif
#ifndef CPJ_CONFIG_SIGV4_PRESIGN
/** No presigned URLs. */
#define CPJ_CONFIG_SIGV4_PRESIGN 0
#endif
#ifndef CPJ_CONFIG_LOG_LEVEL
/** No log text. */
#define CPJ_CONFIG_LOG_LEVEL 0
#endif
#ifndef CPJ_CONFIG_STRERROR
/** cpj_strerror() and cpj_job.err_detail give "". */
#define CPJ_CONFIG_STRERROR 0
#endif

#endif
