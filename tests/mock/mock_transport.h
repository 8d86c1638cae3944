/*
 * mock_transport.h -- a scripted cpj_transport for unit tests.
 *
 * recv replays the reply bytes the test gave, at most `chunk` bytes per
 * call, then returns `end_err` (CPJ_ERR_NET_CLOSED: end of stream). send
 * captures what the code under test sent (the first MOCK_TR_SENT_MAX
 * bytes; more are counted) and the size of each send call. Faults: recv or
 * send returns a chosen error once the stream reaches an offset, and recv
 * can return 0 ("nothing moved") a number of times.
 *
 * The struct is large (the capture buffer): give it static storage.
 */
#ifndef MOCK_TRANSPORT_H
#define MOCK_TRANSPORT_H

#include <stddef.h>

#include "cpj.h"

#define MOCK_TR_SENT_MAX 65536
#define MOCK_TR_SENDS_MAX 64

typedef struct mock_tr {
	const unsigned char *reply;   /* borrowed; must outlive the use */
	size_t reply_len, pos;
	size_t chunk;                 /* recv returns at most this (0: no limit) */
	size_t send_max;              /* send moves at most this (0: no limit) */
	int end_err;                  /* recv at the end of the reply */
	int recv_fault, send_fault;   /* 0: none */
	size_t recv_fault_at, send_fault_at;
	unsigned zeros;               /* the next recv calls that return 0 */
	unsigned recv_calls, send_calls;
	size_t sent_len, sent_total;
	size_t send_sizes[MOCK_TR_SENDS_MAX]; /* first MOCK_TR_SENDS_MAX calls */
	unsigned char sent[MOCK_TR_SENT_MAX];
} mock_tr;

/** Start a script: `reply` (may be NULL when len is 0) is kept by pointer. */
void mock_tr_init(mock_tr *m, const void *reply, size_t len);
/** The script as a transport (`out` keeps a pointer to `m`). */
void mock_tr_transport(mock_tr *m, cpj_transport *out);
/** At most `max` bytes per recv (0: as many as asked). */
void mock_tr_set_chunk(mock_tr *m, size_t max);
/** At most `max` bytes per send (0: all). */
void mock_tr_set_send_max(mock_tr *m, size_t max);
/** Once `offset` reply bytes were delivered, recv returns `err`. */
void mock_tr_fault_recv(mock_tr *m, size_t offset, int err);
/** Once `offset` bytes were sent, send returns `err`. */
void mock_tr_fault_send(mock_tr *m, size_t offset, int err);
/** The next `n` recv calls return 0. */
void mock_tr_zero_recvs(mock_tr *m, unsigned n);

#endif
