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
 * Each port call gets the idle timeout, or the time left before the
 * deadline when that is smaller (so the port changes its socket timeout
 * only near the deadline). A port call that returns 0 (its timeout passed
 * with nothing moved) is CPJ_ERR_TIMEOUT.
 *
 * The read-ahead buffer (CPJ_NET_READAHEAD bytes) lets one recv() bring a
 * TLS record header and its body together: a read shorter than the buffer
 * is served from it (one port call fills it with whatever has arrived, up
 * to its size); a read of CPJ_NET_READAHEAD bytes or more, with the buffer
 * empty, goes straight into the caller's buffer.
 *
 * Errors are sticky: after any transport error the socket is closed, the
 * context is not open, every callback returns the same code, and
 * context keeps it until the next cpj_net_connect().
 *
 * Not thread-safe: one context is used by one thread at a time.
 * RAM: sizeof(cpj_net_context) = CPJ_NET_READAHEAD + about 72 bytes
 * (the port socket included). Stack: see each call (connect resolves
 * names: the C library's resolver is not counted, see the port's notes).
 */
/** \file
 * \brief Socket transport with deadlines and read-ahead.
 */
#ifndef CPJ_NET_H
#define CPJ_NET_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"
#include "cpj_port.h"
#include "cpj_transport.h"

/** A socket with timeouts and read-ahead; caller-allocated, members
 *  private (use the calls below). */
typedef struct cpj_net_context {
	/** \cond PRIVATE */
	struct cpj_port_sock sock;
	uint32_t idle_ms;        /* per read/write idle timeout */
	uint32_t deadline;       /* monotonic ms at which the request ends */
	int has_deadline;        /* 0: only the idle timeout applies */
	int open;                /* connected and not failed */
	int last_error;          /* last CPJ_ERR_* of the transport, 0 if none */
	uint32_t connects;       /* successful connects since init (statistics) */
	uint64_t bytes_in, bytes_out;
	uint32_t rx_at;          /* monotonic ms of the last bytes received */
#if CPJ_NET_READAHEAD > 0
	size_t ra_off, ra_len;
	unsigned char ra[CPJ_NET_READAHEAD];
#endif
	/** \endcond */
} cpj_net_context;

/** \brief Set up a closed context. No system call.
 *
 * Stack: at most 32 bytes.
 */
void cpj_net_init(cpj_net_context *net);

/**
 * \brief Connect to host:port (closing any previous connection first).
 *
 * Blocks for at most the connect timeout (name resolution follows the
 * port's rules, see cpj_port.h). Clears the last error; a failure sets it.
 *
 * Stack: at most 4,256 bytes.
 *
 * \param net         an initialised context.
 * \param host        NUL-terminated host name or numeric address, at most
 *                    CPJ_HOST_MAX bytes; borrowed for the call only.
 * \param port        TCP port, 1..65535.
 * \param timeout_ms  connect timeout; 0 means CPJ_CONNECT_TIMEOUT_MS.
 *        A whole-request deadline set before, if sooner, also bounds it.
 * \return 0; CPJ_ERR_NET_RESOLVE, CPJ_ERR_NET_REFUSED, CPJ_ERR_NET_CONNECT,
 *         CPJ_ERR_TIMEOUT (connect timeout, or the deadline had passed),
 *         CPJ_ERR_PARAM (NULL or over-long host, port 0).
 */
int cpj_net_connect(cpj_net_context *net, const char *host, uint16_t port,
	uint32_t timeout_ms);

/**
 * \brief Start a whole-request deadline `timeout_ms` from now (0 removes it).
 *
 * Reads the monotonic clock; values over 2^31-1 ms (about 24 days) are
 * cut to that. The deadline stays until changed: it also bounds the next
 * cpj_net_connect().
 *
 * Stack: at most 128 bytes.
 */
void cpj_net_set_deadline(cpj_net_context *net, uint32_t timeout_ms);

/** \brief Close the socket; drops buffered bytes. Safe when closed.
 *         The last error is kept.
 *
 * Stack: at most 64 bytes.
 */
void cpj_net_close(cpj_net_context *net);

/**
 * \brief The context as a cpj_transport (see cpj_transport.h).
 *
 * `out` keeps a pointer to `net`, which must outlive its use. The
 * callbacks never return 0. recv returns 1..len bytes (buffered bytes
 * without waiting), blocking at most one idle timeout and never past the
 * deadline. send returns `len` once every byte has been handed to the
 * port (short port writes are retried; each port call gets its own idle
 * timeout, all of them the deadline); a request over INT_MAX bytes is cut
 * to INT_MAX and that count returned.
 * Errors: CPJ_ERR_TIMEOUT, CPJ_ERR_NET_CLOSED (EOF), CPJ_ERR_NET_RESET,
 * CPJ_ERR_NET_IO from the stream; after one the context is no longer open
 * and it keeps the code. On a context that is not open
 * the callbacks return the last error, or CPJ_ERR_STATE if there was none;
 * a NULL buffer or len 0 is CPJ_ERR_PARAM (the stream is left as it is).
 *
 * Stack: at most 16 bytes.
 */
void cpj_net_transport(cpj_net_context *net, cpj_transport *out);

#endif
