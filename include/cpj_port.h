/*
 * cpj_port.h -- the porting contract.
 *
 * A port provides every function declared here, at link time (one port per
 * binary, no vtable). It also provides "cpj_port_impl.h", found through the
 * include path (-Iport/<name>), which defines struct cpj_port_sock so that
 * callers can embed a socket in their own contexts without allocation.
 *
 * Rules for every function below:
 *  - They are called from one thread at a time per socket.
 *  - They never allocate on behalf of libcpjob (a libc resolver may; the
 *    port documents it).
 *  - Negative returns are CPJ_ERR_* codes from cpj_err.h.
 *
 * port/README.md walks through a new port; tests/integration/test_port_conformance.c
 * checks one.
 */
/** \file
 * \brief The porting contract.
 */
#ifndef CPJ_PORT_H
#define CPJ_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_port_impl.h"

/**
 * \brief Open a TCP connection.
 *
 * Resolves `host` (a DNS name or a numeric IPv4/IPv6 address), tries each
 * address until one connects, and leaves `sock` open in a state where
 * send/recv block (with their own timeouts). The whole call, resolution
 * included where the resolver allows it, MUST return within `timeout_ms`.
 * TCP_NODELAY SHOULD be set: requests are written as one piece.
 *
 * Stack: at most 352 bytes.
 *
 * \param sock        caller-owned socket object; on failure it is left closed.
 * \param host        NUL-terminated host name, at most CPJ_HOST_MAX bytes.
 * \param port        TCP port, 1..65535.
 * \param timeout_ms  connect deadline (> 0).
 * \return 0, or CPJ_ERR_NET_RESOLVE, CPJ_ERR_NET_REFUSED,
 *         CPJ_ERR_NET_CONNECT, CPJ_ERR_TIMEOUT, CPJ_ERR_PARAM.
 */
int cpj_port_sock_connect(struct cpj_port_sock *sock, const char *host,
	uint16_t port, uint32_t timeout_ms);

/**
 * \brief Send bytes.
 *
 * Blocks until at least one byte is sent or `timeout_ms` passes.
 *
 * Stack: at most 176 bytes.
 *
 * \return the number of bytes sent (1..len), 0 if the timeout passed with
 *         nothing sent, or CPJ_ERR_NET_RESET, CPJ_ERR_NET_CLOSED,
 *         CPJ_ERR_NET_IO (permanent: the socket must be closed).
 */
int cpj_port_sock_send(struct cpj_port_sock *sock, const unsigned char *buf,
	size_t len, uint32_t timeout_ms);

/**
 * \brief Receive bytes.
 *
 * Blocks until at least one byte arrives or `timeout_ms` passes. A port
 * SHOULD make repeated calls with the same timeout cheap (e.g. set
 * SO_RCVTIMEO once, not poll() before every read).
 *
 * Stack: at most 176 bytes.
 *
 * \return the number of bytes received (1..len); 0 if the timeout passed
 *         with nothing received; CPJ_ERR_NET_CLOSED on orderly EOF (never
 *         0); CPJ_ERR_NET_RESET or CPJ_ERR_NET_IO on errors (permanent).
 */
int cpj_port_sock_recv(struct cpj_port_sock *sock, unsigned char *buf,
	size_t len, uint32_t timeout_ms);

/**
 * \brief Check an idle connection before reusing it.
 *
 * Does not block. An idle keep-alive connection on which the peer has
 * closed, reset, or sent anything at all is not reusable.
 *
 * Stack: at most 48 bytes.
 *
 * \return 1 if the socket is open and nothing is pending, 0 otherwise.
 */
int cpj_port_sock_idle_ok(struct cpj_port_sock *sock);

/**
 * \brief Close the socket. Safe to call on a closed socket.
 *
 * Stack: at most 32 bytes.
 */
void cpj_port_sock_close(struct cpj_port_sock *sock);

/**
 * \brief Set up a socket object in the closed state (no system call).
 *
 * Stack: at most 16 bytes.
 */
void cpj_port_sock_init(struct cpj_port_sock *sock);

/**
 * \brief Wall-clock time: seconds since 1970-01-01T00:00:00Z (UTC).
 *
 * Used for SigV4 timestamps and X.509 validity. May be wrong on devices
 * without a battery-backed clock; the library corrects for that.
 *
 * Stack: at most 48 bytes.
 */
int64_t cpj_port_time_unix(void);

/**
 * \brief Monotonic milliseconds; wraps modulo 2^32 (compare with
 *        unsigned subtraction). Never jumps with wall-clock changes.
 *
 * Stack: at most 96 bytes.
 */
uint32_t cpj_port_time_ms(void);

/**
 * \brief Sleep for `ms` milliseconds (retry backoff, idle polling).
 *
 * May return early on a signal; callers re-check their own deadlines.
 *
 * Stack: at most 48 bytes.
 */
void cpj_port_sleep_ms(uint32_t ms);

/**
 * \brief Fill `buf` with `len` bytes from a cryptographically secure source.
 *
 * Stack: at most 64 bytes.
 *
 * \return 0, or CPJ_ERR_IO when no entropy is available (fatal for TLS).
 */
int cpj_port_entropy(void *buf, size_t len);

/**
 * \brief Write one log line (no trailing newline in `fmt`).
 *
 * Referenced only when CPJ_CONFIG_LOG_LEVEL > 0.
 *
 * Stack: at most 4,208 bytes.
 *
 * \param level  1 error, 2 warning, 3 info, 4 debug.
 * \param fmt    printf format, followed by its arguments.
 */
void cpj_port_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

#endif
