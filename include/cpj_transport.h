/*
 * cpj_transport.h -- one byte-stream shape for plain sockets, TLS and mocks.
 *
 * The shape matches BearSSL's br_sslio low_read/low_write callbacks, so a
 * socket transport plugs straight under TLS, and HTTP sees socket, TLS and
 * the test mock alike.
 *
 * Semantics of both callbacks:
 *  - `len` > 0;
 *  - return > 0: that many bytes were moved (possibly fewer than `len`);
 *  - return < 0: a CPJ_ERR_* code; the stream is broken and must be closed;
 *    end of stream is CPJ_ERR_NET_CLOSED, a passed deadline CPJ_ERR_TIMEOUT;
 *  - return 0 is tolerated and means "nothing moved, call again"; a
 *    transport that owns a deadline never returns 0 past it.
 */
/** \file
 * \brief One byte-stream shape for plain sockets, TLS and mocks.
 */
#ifndef CPJ_TRANSPORT_H
#define CPJ_TRANSPORT_H

#include <stddef.h>

/** A byte stream: two callbacks and their context (see the file comment). */
typedef struct cpj_transport {
	/** Read up to `len` bytes into `buf`. */
	int (*recv)(void *ctx, unsigned char *buf, size_t len);
	/** Write up to `len` bytes from `buf`. */
	int (*send)(void *ctx, const unsigned char *buf, size_t len);
	void *ctx;      /**< passed to both callbacks */
} cpj_transport;

#endif
