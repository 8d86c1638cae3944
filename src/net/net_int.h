/*
 * net_int.h -- socket state the HTTP client and tests read (src/net/).
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_NET_INT_H
#define CPJ_NET_INT_H

#include "cpj_net.h"

/** \brief Idle timeout for each read or write; 0 means CPJ_IDLE_TIMEOUT_MS.
 *
 * Stack: at most 16 bytes.
 */
void cpj_net_set_idle(cpj_net_context *net, uint32_t idle_ms);

/**
 * \brief Milliseconds left before the deadline (UINT32_MAX without one,
 *        0 once passed).
 *
 * Stack: at most 128 bytes.
 */
uint32_t cpj_net_remaining(const cpj_net_context *net);

/** Milliseconds after the last bytes received during which a connection
 *  is taken as alive without asking the socket (cpj_net_reusable). */
#define CPJ_NET_FRESH_MS 2000

/**
 * \brief Whether an idle open connection can carry another request: open,
 *        no unread bytes buffered, and the peer neither closed nor sent
 *        anything (cpj_port_sock_idle_ok). Does not block.
 *
 * With `trust_fresh` set, a connection that received bytes within the
 * last CPJ_NET_FRESH_MS is taken as alive without that system call: the
 * caller must then be able to send its request again on a new connection
 * when this one turns out closed (the HTTP client does, once).
 *
 * Stack: at most 80 bytes.
 *
 * \return 1 reusable, 0 not (the caller closes and reconnects).
 */
int cpj_net_reusable(cpj_net_context *net, int trust_fresh);

/** \brief 1 while connected and no transport error has happened.
 *
 * Stack: at most 16 bytes.
 */
int cpj_net_is_open(const cpj_net_context *net);

/** \brief The last transport error (0 if none since connect), kept after
 *         cpj_net_close().
 *
 * Stack: at most 16 bytes.
 */
int cpj_net_last_error(const cpj_net_context *net);

#endif
