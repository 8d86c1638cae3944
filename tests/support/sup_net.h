/*
 * sup_net.h -- loopback helpers for integration tests (POSIX sockets,
 * fork). Linked into every integration test; all names start with sup_.
 *
 * Every helper is bounded in time: nothing here can hang a test.
 */
#ifndef SUP_NET_H
#define SUP_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** Monotonic milliseconds (independent of the port under test). */
uint32_t sup_ms(void);

/** Sleep `ms` milliseconds (EINTR-safe). */
void sup_sleep_ms(uint32_t ms);

/**
 * A listening TCP socket on 127.0.0.1, ephemeral port (written to *port).
 * \return the descriptor (close-on-exec), or -1.
 */
int sup_listen(uint16_t *port, int backlog);

/**
 * A TCP socket bound to 127.0.0.1 but not listening: connecting to *port
 * is refused while the descriptor stays open (nobody else can take it).
 * \return the descriptor, or -1.
 */
int sup_closed_port(uint16_t *port);

/** accept() on `lfd`, waiting at most `timeout_ms`. \return fd or -1. */
int sup_accept(int lfd, uint32_t timeout_ms);

/** Write all `len` bytes (blocking socket, EINTR-safe). \return 0 or -1. */
int sup_write_all(int fd, const void *buf, size_t len);

/**
 * Read exactly `len` bytes within `timeout_ms` in all.
 * \return 0, or -1 on error, EOF or timeout.
 */
int sup_read_full(int fd, void *buf, size_t len, uint32_t timeout_ms);

/** Close `fd` with an RST instead of a FIN (SO_LINGER 0). */
void sup_close_reset(int fd);

/**
 * Run fn(arg) in a child process that exits with its return value; the
 * child is killed by SIGALRM after `timeout_s` seconds.
 * \return the child's pid, or -1.
 */
pid_t sup_fork(int (*fn)(void *), void *arg, unsigned timeout_s);

/**
 * Wait for `pid` at most `timeout_ms`, then SIGKILL and reap it.
 * \return its exit status (0..255), or -1 if it was killed or crashed.
 */
int sup_wait(pid_t pid, uint32_t timeout_ms);

#endif
