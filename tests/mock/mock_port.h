/*
 * mock_port.h -- a scripted port for unit tests.
 *
 * tests/mock/mock_port.c defines every cpj_port_* function of cpj_port.h.
 * Unit tests link it instead of a real port: connections replay reply
 * bytes the test scripted, capture what the client sent, and inject
 * faults; the clocks only move when the test or a scripted wait moves
 * them; entropy is deterministic. Nothing touches the network.
 *
 * Single-threaded test code: all state is global and unlocked; call
 * mock_port_reset() at the start of each test.
 *
 * Connections: mock_port_add_conn() scripts connection 0, 1, ... in
 * order; each successful cpj_port_sock_connect() takes the next one. The
 * socket's fd holds the connection index. At the end of a connection's
 * reply, recv returns CPJ_ERR_NET_CLOSED (EOF). Bytes sent are captured
 * (up to MOCK_PORT_SENT_MAX per connection; more are counted and dropped).
 *
 * Clocks: after reset the wall clock is 1440938160 (2015-08-30T12:36:00Z,
 * the SigV4 test-suite date) and the monotonic clock 1000 ms. Every
 * advance of the monotonic clock (mock_port_advance_ms, sleeps, stalls,
 * trickles, timed-out connects) moves the wall clock by as much (it keeps
 * milliseconds internally); a test that needs an exact timestamp sets it
 * with mock_port_set_time_unix() right before. cpj_port_sleep_ms()
 * returns at once after advancing the clocks.
 *
 * Contract checks: calls that break cpj_port.h (send/recv on a closed
 * socket, len 0, timeout 0, NULL buffers, connect on an open socket) are
 * counted by mock_port_misuse() and logged to stderr.
 */
#ifndef MOCK_PORT_H
#define MOCK_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "cpj.h"

/** Scripted connections per test. */
#define MOCK_PORT_CONNS_MAX 16
/** Captured sent bytes per connection. */
#define MOCK_PORT_SENT_MAX 65536
/** Log text kept (the most recent bytes). */
#define MOCK_PORT_LOG_MAX 65536

/** Forget everything (connections, faults, captures, log); reset clocks. */
void mock_port_reset(void);

/**
 * Script the next connection: its reply byte stream. The mock keeps the
 * pointer (the storage must outlive the test). Returns the connection
 * index (0, 1, ...), or -1 when MOCK_PORT_CONNS_MAX are scripted. A
 * connect with no scripted connection left fails with CPJ_ERR_NET_REFUSED.
 */
int mock_port_add_conn(const void *reply, size_t len);

/** Each recv returns at most `max` bytes (0: as much as asked). */
void mock_port_set_chunk(size_t max);

/** Short writes: each send moves at most `max` bytes (0: all). */
void mock_port_set_send_max(size_t max);

/**
 * The next connect fails with `err` (calls queue up, 8 at most). A failed
 * connect takes no scripted connection. CPJ_ERR_TIMEOUT also advances the
 * clock by the connect timeout.
 */
void mock_port_fail_connect(int err);

/** After `offset` reply bytes of connection `conn`, recv returns `err`
 *  (e.g. CPJ_ERR_NET_RESET, CPJ_ERR_NET_IO) from then on. */
void mock_port_fault_at(int conn, size_t offset, int err);

/** After `offset` reply bytes, recv "waits": it advances the clock by its
 *  timeout_ms and returns 0, every time. */
void mock_port_stall_at(int conn, size_t offset);

/**
 * Each recv returns one byte, after a wait of `ms_per_byte` that advances
 * the clock. A recv whose timeout is shorter than the wait left advances
 * the clock by its timeout and returns 0 (the rest of the wait carries
 * over to the next recv).
 */
void mock_port_trickle(int conn, uint32_t ms_per_byte);
/** The same from byte `offset` of the reply on (what comes before arrives
 *  at once). */
void mock_port_trickle_from(int conn, size_t offset, uint32_t ms_per_byte);

/** cpj_port_sock_idle_ok() returns 0 for this connection once its whole
 *  reply has been read (the server closed the idle connection). */
void mock_port_close_when_idle(int conn);

/**
 * After `offset` bytes sent on connection `conn`, send fails with `err`
 * from then on; `err` 0 makes send stall instead (advance the clock by its
 * timeout and return 0).
 */
void mock_port_send_fault_at(int conn, size_t offset, int err);

/** Bytes the client sent on `conn` (the first MOCK_PORT_SENT_MAX); NULL
 *  and *len 0 for an unknown connection. Valid until the next reset. */
const unsigned char *mock_port_sent(int conn, size_t *len);

/** Bytes sent on `conn` in all, captured or not. */
size_t mock_port_sent_total(int conn);

/** Connect calls that succeeded. */
unsigned mock_port_connects(void);

/** cpj_port_sock_close() calls on an open socket. */
unsigned mock_port_closes(void);

/** recv calls made on that connection. */
unsigned mock_port_recv_calls(int conn);

/** send calls made on that connection. */
unsigned mock_port_send_calls(int conn);

/** Reply bytes of `conn` the client has received so far. */
size_t mock_port_recv_offset(int conn);

/** timeout_ms of the last recv or send on `conn` (0 if none yet). */
uint32_t mock_port_last_timeout(int conn);

/** timeout_ms of the last connect call (0 if none yet). */
uint32_t mock_port_last_connect_timeout(void);

/** Host and port of the connect that took connection `conn` ("" and 0
 *  when none did). */
const char *mock_port_host(int conn);
uint16_t mock_port_port(int conn);

/** Calls that broke the port contract since reset (see above). */
unsigned mock_port_misuse(void);

/** cpj_port_sleep_ms() calls since reset, and the milliseconds asked for
 *  in all. A sleep returns at once and advances the clocks by `ms`. */
unsigned mock_port_sleeps(void);
uint64_t mock_port_slept_ms(void);

/** Advance the monotonic clock (and the wall clock) by `ms`. */
void mock_port_advance_ms(uint32_t ms);

/** Set the wall clock, seconds since 1970 (the monotonic clock stays). */
void mock_port_set_time_unix(int64_t t);

/** Make cpj_port_entropy() fail with CPJ_ERR_IO (1) or work (0). */
void mock_port_fail_entropy(int on);

/** 1 if any line logged through cpj_port_log since reset (among the last
 *  MOCK_PORT_LOG_MAX bytes) contains `s`. Lines are also echoed to stderr. */
int mock_port_log_contains(const char *s);

#endif
