/*
 * cpj.h -- libcpjob umbrella header.
 *
 * libcpjob is an AWS CodePipeline job-worker client that never allocates
 * from the heap. Conventions that hold for every call:
 *  - Every context and buffer is allocated by the caller. A buffer passed
 *    in is only borrowed for the duration of the call unless the call's
 *    documentation says the context keeps a pointer to it.
 *  - Calls return int: 0 (CPJ_OK) success, > 0 a count where stated,
 *    < 0 a CPJ_ERR_* code (cpj_err.h); cpj_strerror() gives its text.
 *  - Nothing from the network is trusted: lengths are checked against the
 *    caller's buffers and an oversized item is an error, never truncated.
 *  - Secrets (secret keys, session tokens) are wiped from library memory
 *    after use and never logged.
 *
 * Stable API (kept within a major version, see cpj_version.h): the
 * functions, types and macros declared in include/, and the values of the
 * CPJ_ERR_* codes. Struct members marked private, and anything under
 * src/, are not: they may change in any release.
 */
/** \file
 * \brief The libcpjob umbrella header: includes every public header.
 */
#ifndef CPJ_H
#define CPJ_H

#include "cpj_version.h"
#include "cpj_config.h"
#include "cpj_err.h"
#include "cpj_buf.h"
#include "cpj_port.h"
#include "cpj_transport.h"
#include "cpj_net.h"
#include "cpj_json.h"
#include "cpj_jobs.h"
#include "cpj_tls.h"
#include "cpj_sigv4.h"
#include "cpj_http.h"
#include "cpj_creds.h"
#include "cpj_codepipeline.h"
#include "cpj_s3.h"

#endif
