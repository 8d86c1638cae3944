/*
 * cpj_port_impl.h -- types of the BSD-socket-subset port (port/bsdsock).
 *
 * The example of a port for a platform whose network stack offers only a
 * BSD-style socket subset: lwIP's socket API (LWIP_SOCKET), or a vendor
 * SDK modelled on it. See port_bsdsock.c and port/README.md. It has no
 * log extras (no CPJ_PORT_LOG_SINK): code written against any port
 * tests that macro before calling the POSIX port's log calls. It reads
 * files (CPJ_PORT_FILE, for a CA bundle given to the worker by path) with
 * open()/read(); a port for a target without files leaves that out, and
 * its workers pass their bundle in memory.
 */
#ifndef CPJ_PORT_IMPL_H
#define CPJ_PORT_IMPL_H

#include <stddef.h>

/**
 * A socket: the stack's socket number and whether it is ours.
 *
 * `open` and not `fd == -1` marks the closed state: a struct the caller
 * never initialised is all zeros, and 0 is a valid socket number (lwIP
 * numbers its sockets from LWIP_SOCKET_OFFSET, 0 by default), so a zeroed
 * struct must read as closed without taking socket 0 for ours.
 */
struct cpj_port_sock {
	int fd;   /**< socket number; meaningful only while `open` is 1 */
	int open; /**< 1 from a successful connect until close, else 0 */
};

/** Defined by ports that can read files (cpj_port_file_read), which the
 *  worker facade uses for a CA bundle given by path (cpj_worker.h). */
#define CPJ_PORT_FILE 1

/**
 * \brief Read the file at `path` piece by piece into the caller's buffer.
 *
 * Opens the file, reads it into buf[0..cap) as often as needed, passes
 * each piece to `sink` (the bytes are borrowed for that call only) and
 * closes the file. No allocation.
 *
 * \return 0 at the end of the file; CPJ_ERR_IO when it cannot be opened
 *         or read; CPJ_ERR_PARAM (NULL argument, cap 0); or the first
 *         negative value `sink` returned (reading stops there).
 */
int cpj_port_file_read(const char *path, void *buf, size_t cap,
	int (*sink)(void *arg, const void *data, size_t len), void *arg);

#endif
