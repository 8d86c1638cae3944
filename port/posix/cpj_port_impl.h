/*
 * cpj_port_impl.h -- POSIX port types (Linux, musl or glibc).
 */
#ifndef CPJ_PORT_IMPL_H
#define CPJ_PORT_IMPL_H

#include <stdint.h>

/** A socket: the descriptor and the receive/send timeouts now set on it,
 *  so that unchanged timeouts cost no setsockopt(). */
struct cpj_port_sock {
	int fd;               /**< -1 when closed */
	uint32_t rcv_timeout; /**< SO_RCVTIMEO in force, ms (0: none set) */
	uint32_t snd_timeout; /**< SO_SNDTIMEO in force, ms (0: none set) */
};

#endif
