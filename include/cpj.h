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
 *  - Stack: each call's documentation says "Stack: at most N bytes.": the
 *    deepest path from that call in gcc's -fcallgraph-info=su call graphs
 *    of the library and of BearSSL (built from source), the largest of
 *    the boards of `make size` (armhf, arm64, mipsel, x86_64-musl, host;
 *    -Os, or -O2 on host), rounded up to 16 bytes. A call through a
 *    pointer (transport callbacks, BearSSL's vtables) counts the deepest
 *    function it may reach; the C library's own frames are not counted;
 *    for cpj_port_* it is the POSIX port's. `make size` fails when a
 *    figure is below the measurement; `make stack-doc` rewrites them.
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
#include "cpj_aws.h"
#include "cpj_codepipeline.h"
#include "cpj_s3.h"
#include "cpj_worker.h"

#endif
