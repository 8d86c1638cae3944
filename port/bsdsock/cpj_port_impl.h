/*
 * cpj_port_impl.h -- types of the BSD-socket-subset port (port/bsdsock).
 *
 * The example of a port for a platform whose network stack offers only a
 * BSD-style socket subset: lwIP's socket API (LWIP_SOCKET), or a vendor
 * SDK modelled on it. See port_bsdsock.c and port/README.md. It has no
 * port-only extras (no CPJ_PORT_LOG_SINK): code written against any port
 * tests that macro before calling the POSIX port's log calls.
 */
#ifndef CPJ_PORT_IMPL_H
#define CPJ_PORT_IMPL_H

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

#endif
