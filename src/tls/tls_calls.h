/*
 * tls_calls.h -- TLS calls other modules and tests use (src/tls/): the
 * certificate clock, the built-in anchors, session and close details;
 * tls_int.h is for the TLS sources only.
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_TLS_CALLS_H
#define CPJ_TLS_CALLS_H

#include "cpj_tls.h"

/**
 * \brief The build date, seconds since 1970 (UTC).
 *
 * Set at build time with -DCPJ_BUILD_TIME (the Makefile passes
 * SOURCE_DATE_EPOCH, else the last commit's date, else the build's date).
 *
 * Stack: at most 16 bytes.
 */
int64_t cpj_tls_build_time(void);

/**
 * \brief The time at which certificates are checked: cpj_port_time_unix(),
 *        or cpj_tls_build_time() when the clock reads earlier.
 *
 * Stack: at most 80 bytes.
 */
int64_t cpj_tls_time(void);

/**
 * \brief The compiled-in trust anchors.
 *
 * Stack: at most 16 bytes.
 *
 * \param out  if not NULL, receives the constant table (static storage).
 * \return the number of anchors, CPJ_TLS_BUILTIN_ANCHORS.
 */
size_t cpj_tls_builtin_anchors(const br_x509_trust_anchor **out);

/**
 * \brief 1 if the store can be used by a TLS context: set up (and
 *        finished, if a bundle was pushed), not failed, not empty.
 *
 * Stack: at most 16 bytes.
 */
int cpj_tls_anchors_ready(const cpj_tls_anchors *a);

/**
 * \brief Forget the session (its master secret is wiped): the next
 *        cpj_tls_open() does a full handshake. Closes like
 *        cpj_tls_close() first if open. Anchors and client certificate
 *        stay set.
 *
 * Stack: at most 3,648 bytes.
 */
void cpj_tls_forget(cpj_tls_context *tls);

/** \brief 1 if the last successful cpj_tls_open() resumed a session.
 *
 * Stack: at most 16 bytes.
 */
int cpj_tls_resumed(const cpj_tls_context *tls);

/**
 * \brief 1 if the connection ended with the peer's close_notify (recv
 *        returned CPJ_ERR_NET_CLOSED for a verified closure), 0 if it
 *        is open, failed otherwise, or closed by us.
 *
 * Stack: at most 16 bytes.
 */
int cpj_tls_clean_close(const cpj_tls_context *tls);

/**
 * \brief The negotiated cipher suite (BR_TLS_*), 0 when not open.
 *
 * Stack: at most 16 bytes.
 */
unsigned cpj_tls_suite(const cpj_tls_context *tls);

#endif
