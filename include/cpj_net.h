/*
 * cpj_net.h -- socket transport with deadlines and read-ahead.
 *
 * Wraps one port socket as a cpj_transport and owns the time limits:
 *  - an idle timeout per read or write (the port keeps it set on the
 *    socket, so unchanged timeouts cost no system call);
 *  - a whole-request deadline on the monotonic clock, checked before every
 *    read and write; a port call never blocks past it, so a peer that
 *    trickles one byte at a time cannot stretch a request.
 * A passed deadline or idle timeout is CPJ_ERR_TIMEOUT (never 0), so a
 * BearSSL engine above always stops.
 *
 * The read-ahead buffer (CPJ_NET_READAHEAD bytes) lets one recv() bring a
 * TLS record header and its body together.
 *
 * RAM: sizeof(cpj_net_context) = CPJ_NET_READAHEAD + about 48 bytes.
 * Stack: under 256 bytes for every call.
 */
#ifndef CPJ_NET_H
#define CPJ_NET_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"
#include "cpj_port.h"
#include "cpj_transport.h"

typedef struct cpj_net_context {
	struct cpj_port_sock sock;
	uint32_t idle_ms;        /* per read/write idle timeout */
	uint32_t deadline;       /* monotonic ms at which the request ends */
	int has_deadline;        /* 0: only the idle timeout applies */
	int open;                /* connected and not failed */
	int last_error;          /* last CPJ_ERR_* of the transport, 0 if none */
	uint32_t connects;       /* successful connects since init (statistics) */
	uint64_t bytes_in, bytes_out;
#if CPJ_NET_READAHEAD > 0
	size_t ra_off, ra_len;
	unsigned char ra[CPJ_NET_READAHEAD];
#endif
} cpj_net_context;

/** \brief Set up a closed context. No system call. */
void cpj_net_init(cpj_net_context *net);

/**
 * \brief Connect to host:port (closing any previous connection first).
 * \param timeout_ms  connect timeout; 0 means CPJ_CONNECT_TIMEOUT_MS.
 *        A whole-request deadline set before, if sooner, also bounds it.
 * \return 0 or a CPJ_ERR_NET_* / CPJ_ERR_TIMEOUT code (see cpj_port.h).
 */
int cpj_net_connect(cpj_net_context *net, const char *host, uint16_t port,
	uint32_t timeout_ms);

/** \brief Idle timeout for each read or write; 0 means CPJ_IDLE_TIMEOUT_MS. */
void cpj_net_set_idle(cpj_net_context *net, uint32_t idle_ms);

/**
 * \brief Start a whole-request deadline `timeout_ms` from now (0 removes it).
 */
void cpj_net_set_deadline(cpj_net_context *net, uint32_t timeout_ms);

/**
 * \brief Milliseconds left before the deadline (UINT32_MAX without one,
 *        0 once passed).
 */
uint32_t cpj_net_remaining(const cpj_net_context *net);

/**
 * \brief Whether an idle open connection can carry another request: open,
 *        no unread bytes buffered, and the peer neither closed nor sent
 *        anything (cpj_port_sock_idle_ok). Does not block.
 * \return 1 reusable, 0 not (the caller closes and reconnects).
 */
int cpj_net_reusable(cpj_net_context *net);

/** \brief 1 while connected and no transport error has happened. */
int cpj_net_is_open(const cpj_net_context *net);

/** \brief Close the socket; drops buffered bytes. Safe when closed. */
void cpj_net_close(cpj_net_context *net);

/**
 * \brief The context as a cpj_transport (see cpj_transport.h).
 *
 * The callbacks return > 0 bytes, or CPJ_ERR_TIMEOUT, CPJ_ERR_NET_CLOSED,
 * CPJ_ERR_NET_RESET, CPJ_ERR_NET_IO; after an error the context is no
 * longer open and cpj_net_last_error() keeps the code.
 */
void cpj_net_transport(cpj_net_context *net, cpj_transport *out);

/** \brief The last transport error (0 if none since connect). */
int cpj_net_last_error(const cpj_net_context *net);

#endif
