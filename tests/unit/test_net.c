/*
 * test_net.c -- the socket transport (src/net/net_sock.c) over the mock port.
 */
#include <string.h>

#include "harness.h"
#include "mock/mock_port.h"
#include "net/net_int.h"

static cpj_net_context net;
static cpj_transport tr;
static unsigned char big[8192];
static unsigned char got[8192];

static const char small_reply[] =
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: "
	"application/x-amz-json-1.1\r\n\r\n{}";

/* Fresh mock and context; script `n` bytes of `reply` and connect. */
static int
setup(const void *reply, size_t n)
{
	mock_port_reset();
	cpj_net_init(&net);
	cpj_net_transport(&net, &tr);
	if (mock_port_add_conn(reply, n) != 0)
		return -1;
	return cpj_net_connect(&net, "codepipeline.us-east-1.amazonaws.com",
	    443, 0);
}

static void
fill_big(void)
{
	size_t i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 8));
}

/* Read until an error or `max` bytes; returns the error, *n the count. */
static int
read_all(unsigned char *dst, size_t max, size_t piece, size_t *n)
{
	size_t k;
	int r;

	*n = 0;
	for (k = 0; k < 100000; k++) {
		r = tr.recv(tr.ctx, dst + *n,
		    max - *n < piece ? max - *n : piece);
		if (r <= 0)
			return r;
		if ((size_t)r > piece)
			return 1;
		*n += (size_t)r;
		if (*n == max)
			return 0;
	}
	return 2;
}

static int
test_connect_ok(void)
{
	CHECK_EQ(setup(small_reply, sizeof small_reply - 1), 0);
	CHECK_EQ(cpj_net_is_open(&net), 1);
	CHECK_EQ(cpj_net_last_error(&net), 0);
	CHECK_EQ(net.connects, 1);
	CHECK_EQ(mock_port_connects(), 1);
	CHECK(strcmp(mock_port_host(0),
	    "codepipeline.us-east-1.amazonaws.com") == 0);
	CHECK_EQ(mock_port_port(0), 443);
	/* timeout 0: the configured default. */
	CHECK_EQ(mock_port_last_connect_timeout(), CPJ_CONNECT_TIMEOUT_MS);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
test_connect_failures(void)
{
	mock_port_reset();
	cpj_net_init(&net);
	/* Nothing scripted: refused. */
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 0), CPJ_ERR_NET_REFUSED);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_NET_REFUSED);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	CHECK_EQ(mock_port_add_conn("x", 1), 0);
	mock_port_fail_connect(CPJ_ERR_NET_RESOLVE);
	mock_port_fail_connect(CPJ_ERR_TIMEOUT);
	mock_port_fail_connect(CPJ_ERR_NET_CONNECT);
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 0), CPJ_ERR_NET_RESOLVE);
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 700), CPJ_ERR_TIMEOUT);
	CHECK_EQ(cpj_port_time_ms(), 1000 + 700);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_TIMEOUT);
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 0), CPJ_ERR_NET_CONNECT);
	CHECK_EQ(net.connects, 0);
	CHECK_EQ(mock_port_connects(), 0);
	/* The scripted connection is still there. */
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 0), 0);
	CHECK_EQ(cpj_net_last_error(&net), 0);
	CHECK_EQ(net.connects, 1);
	/* Bad arguments. */
	CHECK_EQ(cpj_net_connect(&net, NULL, 80, 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	CHECK_EQ(cpj_net_connect(&net, "h", 0, 0), CPJ_ERR_PARAM);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
test_connect_closes_previous(void)
{
	CHECK_EQ(setup("a", 1), 0);
	CHECK_EQ(mock_port_add_conn("b", 1), 1);
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 0), 0);
	CHECK_EQ(mock_port_closes(), 1);
	CHECK_EQ(net.connects, 2);
	CHECK_EQ(tr.recv(tr.ctx, got, 1), 1);
	CHECK_EQ(got[0], 'b');
	cpj_net_close(&net);
	cpj_net_close(&net);
	CHECK_EQ(mock_port_closes(), 2);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* Deadline bounds the connect timeout; a passed deadline fails at once. */
static int
test_connect_deadline(void)
{
	mock_port_reset();
	cpj_net_init(&net);
	mock_port_add_conn("x", 1);
	cpj_net_set_deadline(&net, 500);
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 0), 0);
	CHECK_EQ(mock_port_last_connect_timeout(), 500);
	mock_port_advance_ms(500);
	CHECK_EQ(cpj_net_connect(&net, "h", 80, 0), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_connects(), 1);
	return 0;
}

/* A small response arrives with one port recv however it is read. */
static int
test_readahead_small(void)
{
	size_t n, i;
	int r;

	CHECK_EQ(setup(small_reply, sizeof small_reply - 1), 0);
	/* 5 bytes (a TLS record header), then the rest in odd pieces. */
	CHECK_EQ(tr.recv(tr.ctx, got, 5), 5);
	CHECK_EQ(mock_port_recv_calls(0), 1);
	for (n = 5, i = 0; n < sizeof small_reply - 1 && i < 100; i++) {
		r = tr.recv(tr.ctx, got + n, 7);
		CHECK(r > 0 && r <= 7);
		n += (size_t)r;
	}
	CHECK_EQ(n, sizeof small_reply - 1);
	CHECK(memcmp(got, small_reply, n) == 0);
	CHECK_EQ(mock_port_recv_calls(0), 1);
	CHECK_EQ(net.bytes_in, sizeof small_reply - 1);
	/* Far from any deadline, the port got the idle timeout. */
	CHECK_EQ(mock_port_last_timeout(0), CPJ_IDLE_TIMEOUT_MS);
	/* Everything read, nothing buffered: reusable. */
	CHECK_EQ(cpj_net_reusable(&net, 0), 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* A read of the read-ahead size or more goes straight to the caller. */
static int
test_readahead_direct(void)
{
	int r;

	fill_big();
	CHECK_EQ(setup(big, 4000), 0);
	r = tr.recv(tr.ctx, got, 2000);
	CHECK_EQ(r, 2000);      /* more than the read-ahead holds */
	CHECK(2000 > CPJ_NET_READAHEAD);
	CHECK_EQ(mock_port_recv_calls(0), 1);
	CHECK_EQ(cpj_net_reusable(&net, 0), 1);   /* nothing buffered */
	/* A small read now fills the read-ahead... */
	CHECK_EQ(tr.recv(tr.ctx, got + 2000, 10), 10);
	CHECK_EQ(mock_port_recv_calls(0), 2);
	CHECK_EQ(mock_port_recv_offset(0), 2000 + CPJ_NET_READAHEAD);
	CHECK_EQ(cpj_net_reusable(&net, 0), 0);   /* unread bytes buffered */
	/* ...and a large read is served from it first, without waiting. */
	r = tr.recv(tr.ctx, got + 2010, 3000);
	CHECK_EQ(r, CPJ_NET_READAHEAD - 10);
	CHECK_EQ(mock_port_recv_calls(0), 2);
	r = tr.recv(tr.ctx, got + 2000 + CPJ_NET_READAHEAD, 3000);
	CHECK_EQ(r, 4000 - 2000 - CPJ_NET_READAHEAD);
	CHECK(memcmp(got, big, 4000) == 0);
	CHECK_EQ(net.bytes_in, 4000);
	CHECK_EQ(tr.recv(tr.ctx, got, 3000), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* Chunked arrival (1 byte, odd sizes) loses nothing. */
static int
test_chunks(void)
{
	static const size_t chunks[] = { 1, 7, 1535, 1536, 1537, 0 };
	static const size_t pieces[] = { 1, 5, 100, 1536, 5000 };
	size_t c, p, n;

	fill_big();
	for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		for (p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
			CHECK_EQ(setup(big, 6000), 0);
			mock_port_set_chunk(chunks[c]);
			memset(got, 0, sizeof got);
			CHECK_EQ(read_all(got, 6000, pieces[p], &n), 0);
			CHECK_EQ(n, 6000);
			CHECK(memcmp(got, big, 6000) == 0);
			CHECK_EQ(tr.recv(tr.ctx, got, 1), CPJ_ERR_NET_CLOSED);
		}
	}
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
test_short_writes(void)
{
	const unsigned char *sent;
	size_t len;

	fill_big();
	CHECK_EQ(setup("", 0), 0);
	mock_port_set_send_max(3);
	CHECK_EQ(tr.send(tr.ctx, big, 1000), 1000);
	sent = mock_port_sent(0, &len);
	CHECK_EQ(len, 1000);
	CHECK(memcmp(sent, big, 1000) == 0);
	CHECK_EQ(mock_port_send_calls(0), 334);
	CHECK_EQ(net.bytes_out, 1000);
	mock_port_set_send_max(0);
	CHECK_EQ(tr.send(tr.ctx, big + 1000, 5000), 5000);
	sent = mock_port_sent(0, &len);
	CHECK_EQ(len, 6000);
	CHECK(memcmp(sent, big, 6000) == 0);
	CHECK_EQ(mock_port_send_calls(0), 335);
	CHECK_EQ(net.bytes_out, 6000);
	CHECK_EQ(cpj_net_is_open(&net), 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* Send stalls after 100 bytes: the idle timeout ends it. */
static int
test_send_stall(void)
{
	uint32_t t0;

	fill_big();
	CHECK_EQ(setup("", 0), 0);
	cpj_net_set_idle(&net, 2500);
	mock_port_send_fault_at(0, 100, 0);
	mock_port_set_send_max(30);
	t0 = cpj_port_time_ms();
	CHECK_EQ(tr.send(tr.ctx, big, 1000), CPJ_ERR_TIMEOUT);
	CHECK_EQ(cpj_port_time_ms() - t0, 2500);
	CHECK_EQ(mock_port_sent_total(0), 100);
	CHECK_EQ(net.bytes_out, 100);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_TIMEOUT);
	return 0;
}

static int
test_send_reset(void)
{
	fill_big();
	CHECK_EQ(setup("", 0), 0);
	mock_port_send_fault_at(0, 10, CPJ_ERR_NET_RESET);
	CHECK_EQ(tr.send(tr.ctx, big, 1000), CPJ_ERR_NET_RESET);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_NET_RESET);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	/* Sticky, and no more port calls. */
	CHECK_EQ(tr.send(tr.ctx, big, 10), CPJ_ERR_NET_RESET);
	CHECK_EQ(tr.recv(tr.ctx, got, 10), CPJ_ERR_NET_RESET);
	CHECK_EQ(mock_port_send_calls(0), 2);
	CHECK_EQ(mock_port_recv_calls(0), 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* The peer goes quiet: the idle timeout ends the read. */
static int
test_idle_timeout(void)
{
	size_t n;
	uint32_t t0;

	fill_big();
	CHECK_EQ(setup(big, 100), 0);
	cpj_net_set_idle(&net, 2000);
	mock_port_stall_at(0, 10);
	t0 = cpj_port_time_ms();
	CHECK_EQ(read_all(got, 100, 50, &n), CPJ_ERR_TIMEOUT);
	CHECK_EQ(n, 10);
	CHECK_EQ(cpj_port_time_ms() - t0, 2000);
	CHECK_EQ(mock_port_last_timeout(0), 2000);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_recv_calls(0), 2);
	CHECK_EQ(tr.recv(tr.ctx, got, 1), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_recv_calls(0), 2);
	CHECK_EQ(cpj_net_reusable(&net, 0), 0);
	/* Setting 0 restores the default. */
	CHECK_EQ(setup(big, 100), 0);
	cpj_net_set_idle(&net, 7);
	cpj_net_set_idle(&net, 0);
	CHECK_EQ(tr.recv(tr.ctx, got, 1), 1);
	CHECK_EQ(mock_port_last_timeout(0), CPJ_IDLE_TIMEOUT_MS);
	return 0;
}

/* One byte every 500 ms cannot stretch a 3 s request. */
static int
test_deadline_trickle(void)
{
	size_t n;
	uint32_t t0;

	fill_big();
	CHECK_EQ(setup(big, 1000), 0);
	mock_port_trickle(0, 500);
	t0 = cpj_port_time_ms();
	cpj_net_set_deadline(&net, 3000);
	CHECK_EQ(cpj_net_remaining(&net), 3000);
	CHECK_EQ(read_all(got, 1000, 100, &n), CPJ_ERR_TIMEOUT);
	CHECK(cpj_port_time_ms() - t0 <= 3000);
	CHECK(cpj_port_time_ms() - t0 >= 2500);
	CHECK(n <= 6);
	CHECK(memcmp(got, big, n) == 0);
	CHECK_EQ(cpj_net_remaining(&net), 0);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_TIMEOUT);

	/* A deadline between two bytes: the last port call gets what is
	 * left (200 ms), not the idle timeout, and ends on the deadline. */
	CHECK_EQ(setup(big, 1000), 0);
	mock_port_trickle(0, 500);
	t0 = cpj_port_time_ms();
	cpj_net_set_deadline(&net, 3200);
	CHECK_EQ(read_all(got, 1000, 100, &n), CPJ_ERR_TIMEOUT);
	CHECK_EQ(n, 6);
	CHECK_EQ(cpj_port_time_ms() - t0, 3200);
	CHECK_EQ(mock_port_last_timeout(0), 200);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* A stall with an idle timeout longer than the time left. */
static int
test_deadline_stall(void)
{
	uint32_t t0;

	CHECK_EQ(setup(small_reply, sizeof small_reply - 1), 0);
	mock_port_stall_at(0, 0);
	cpj_net_set_idle(&net, 5000);
	cpj_net_set_deadline(&net, 1000);
	t0 = cpj_port_time_ms();
	CHECK_EQ(tr.recv(tr.ctx, got, 10), CPJ_ERR_TIMEOUT);
	CHECK_EQ(cpj_port_time_ms() - t0, 1000);
	CHECK_EQ(mock_port_last_timeout(0), 1000);

	/* Already past the deadline: no port call at all. */
	CHECK_EQ(setup(small_reply, sizeof small_reply - 1), 0);
	cpj_net_set_deadline(&net, 100);
	mock_port_advance_ms(100);
	CHECK_EQ(tr.recv(tr.ctx, got, 10), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_recv_calls(0), 0);
	CHECK_EQ(setup(small_reply, sizeof small_reply - 1), 0);
	cpj_net_set_deadline(&net, 100);
	mock_port_advance_ms(150);
	CHECK_EQ(tr.send(tr.ctx, big, 10), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_send_calls(0), 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* A deadline bounds a send that makes slow progress. */
static int
test_deadline_send(void)
{
	CHECK_EQ(setup("", 0), 0);
	cpj_net_set_deadline(&net, 300);
	mock_port_send_fault_at(0, 50, 0);
	CHECK_EQ(tr.send(tr.ctx, big, 100), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_last_timeout(0), 300);
	CHECK_EQ(cpj_net_remaining(&net), 0);
	return 0;
}

static int
test_remaining(void)
{
	mock_port_reset();
	cpj_net_init(&net);
	CHECK_EQ(cpj_net_remaining(&net), UINT32_MAX);
	cpj_net_set_deadline(&net, 1234);
	CHECK_EQ(cpj_net_remaining(&net), 1234);
	mock_port_advance_ms(1000);
	CHECK_EQ(cpj_net_remaining(&net), 234);
	mock_port_advance_ms(234);
	CHECK_EQ(cpj_net_remaining(&net), 0);
	mock_port_advance_ms(100000);
	CHECK_EQ(cpj_net_remaining(&net), 0);
	cpj_net_set_deadline(&net, 0);
	CHECK_EQ(cpj_net_remaining(&net), UINT32_MAX);
	/* Across the wrap of the 32-bit clock. */
	mock_port_advance_ms(UINT32_MAX - cpj_port_time_ms() - 10);
	cpj_net_set_deadline(&net, 50);
	CHECK_EQ(cpj_net_remaining(&net), 50);
	mock_port_advance_ms(30);
	CHECK_EQ(cpj_net_remaining(&net), 20);
	mock_port_advance_ms(30);
	CHECK_EQ(cpj_net_remaining(&net), 0);
	/* Huge deadlines are cut, not wrapped. */
	cpj_net_set_deadline(&net, UINT32_MAX);
	CHECK_EQ(cpj_net_remaining(&net), 0x7fffffff);
	return 0;
}

static int
test_reset_mid_stream(void)
{
	size_t n;

	fill_big();
	CHECK_EQ(setup(big, 3000), 0);
	mock_port_fault_at(0, 2100, CPJ_ERR_NET_RESET);
	CHECK_EQ(read_all(got, 3000, 700, &n), CPJ_ERR_NET_RESET);
	CHECK_EQ(n, 2100);
	CHECK(memcmp(got, big, n) == 0);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_NET_RESET);
	CHECK_EQ(net.bytes_in, 2100);
	CHECK_EQ(mock_port_closes(), 1);
	/* Other error codes pass through unchanged. */
	CHECK_EQ(setup(big, 3000), 0);
	mock_port_fault_at(0, 0, CPJ_ERR_NET_IO);
	CHECK_EQ(tr.recv(tr.ctx, got, 10), CPJ_ERR_NET_IO);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_NET_IO);
	return 0;
}

static int
test_eof(void)
{
	size_t n;

	CHECK_EQ(setup(small_reply, sizeof small_reply - 1), 0);
	CHECK_EQ(read_all(got, sizeof got, 100, &n), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(n, sizeof small_reply - 1);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(tr.recv(tr.ctx, got, 1), CPJ_ERR_NET_CLOSED);
	/* An empty reply: EOF at once. */
	CHECK_EQ(setup("", 0), 0);
	CHECK_EQ(tr.recv(tr.ctx, got, 1), CPJ_ERR_NET_CLOSED);
	/* The last error survives close, and goes at the next connect. */
	cpj_net_close(&net);
	CHECK_EQ(cpj_net_last_error(&net), CPJ_ERR_NET_CLOSED);
	mock_port_add_conn("z", 1);
	CHECK_EQ(cpj_net_connect(&net, "h", 1, 0), 0);
	CHECK_EQ(cpj_net_last_error(&net), 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
test_reusable(void)
{
	static const char two[] = "AAAA" "BB";

	/* Whole response read exactly: reusable. */
	CHECK_EQ(setup(two, 4), 0);
	CHECK_EQ(tr.recv(tr.ctx, got, 4), 4);
	CHECK_EQ(cpj_net_reusable(&net, 0), 1);
	/* Stray bytes after the response sit in the read-ahead: not. */
	CHECK_EQ(setup(two, 6), 0);
	CHECK_EQ(tr.recv(tr.ctx, got, 4), 4);
	CHECK_EQ(cpj_net_reusable(&net, 0), 0);
	CHECK_EQ(cpj_net_is_open(&net), 1);
	/* The server closed the idle connection: not. */
	CHECK_EQ(setup(two, 4), 0);
	mock_port_close_when_idle(0);
	CHECK_EQ(cpj_net_reusable(&net, 0), 1);
	CHECK_EQ(tr.recv(tr.ctx, got, 4), 4);
	CHECK_EQ(cpj_net_reusable(&net, 0), 0);
	/* ... unless trusted as fresh: bytes came within CPJ_NET_FRESH_MS,
	   the socket is not asked; after that it is */
	CHECK_EQ(cpj_net_reusable(&net, 1), 1);
	mock_port_advance_ms(CPJ_NET_FRESH_MS - 1);
	CHECK_EQ(cpj_net_reusable(&net, 1), 1);
	mock_port_advance_ms(1);
	CHECK_EQ(cpj_net_reusable(&net, 1), 0);
	/* After an error, and after close: not. */
	CHECK_EQ(setup(two, 4), 0);
	mock_port_fault_at(0, 0, CPJ_ERR_NET_RESET);
	CHECK_EQ(tr.recv(tr.ctx, got, 4), CPJ_ERR_NET_RESET);
	CHECK_EQ(cpj_net_reusable(&net, 0), 0);
	CHECK_EQ(setup(two, 4), 0);
	cpj_net_close(&net);
	CHECK_EQ(cpj_net_reusable(&net, 0), 0);
	/* Never connected. */
	mock_port_reset();
	cpj_net_init(&net);
	CHECK_EQ(cpj_net_reusable(&net, 0), 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* Keep-alive: two requests over one connection, then a reconnect. */
static int
test_counters(void)
{
	static const char r1[] = "one";
	size_t n;

	CHECK_EQ(setup(r1, 3), 0);
	CHECK_EQ(mock_port_add_conn("two", 3), 1);
	CHECK_EQ(tr.send(tr.ctx, (const unsigned char *)"GET", 3), 3);
	CHECK_EQ(read_all(got, 3, 10, &n), 0);
	CHECK_EQ(cpj_net_reusable(&net, 0), 1);
	CHECK_EQ(tr.send(tr.ctx, (const unsigned char *)"PUT!", 4), 4);
	CHECK_EQ(tr.recv(tr.ctx, got, 10), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(cpj_net_connect(&net, "h", 443, 0), 0);
	CHECK_EQ(read_all(got, 3, 10, &n), 0);
	CHECK(memcmp(got, "two", 3) == 0);
	CHECK_EQ(net.connects, 2);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(net.bytes_in, 6);
	CHECK_EQ(net.bytes_out, 7);
	return 0;
}

static int
test_misuse(void)
{
	mock_port_reset();
	cpj_net_init(&net);
	cpj_net_transport(&net, &tr);
	CHECK(tr.ctx == &net);
	/* Not connected: CPJ_ERR_STATE, no port call. */
	CHECK_EQ(tr.recv(tr.ctx, got, 1), CPJ_ERR_STATE);
	CHECK_EQ(tr.send(tr.ctx, got, 1), CPJ_ERR_STATE);
	CHECK_EQ(cpj_net_is_open(&net), 0);
	/* len 0 / NULL: CPJ_ERR_PARAM, the stream stays usable. */
	CHECK_EQ(setup("ab", 2), 0);
	CHECK_EQ(tr.recv(tr.ctx, got, 0), CPJ_ERR_PARAM);
	CHECK_EQ(tr.send(tr.ctx, NULL, 5), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_net_is_open(&net), 1);
	CHECK_EQ(tr.recv(tr.ctx, got, 2), 2);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* The mock's own promises that other tests rely on. */
static int
test_mock_basics(void)
{
	unsigned char a[40], b[40];
	size_t i, same;

	mock_port_reset();
	CHECK_EQ(cpj_port_time_unix(), 1440938160);
	CHECK_EQ(cpj_port_time_ms(), 1000);
	mock_port_advance_ms(2500);
	CHECK_EQ(cpj_port_time_ms(), 3500);
	CHECK_EQ(cpj_port_time_unix(), 1440938162);
	mock_port_set_time_unix(5);
	CHECK_EQ(cpj_port_time_unix(), 5);
	cpj_port_sleep_ms(1500);
	CHECK_EQ(cpj_port_time_ms(), 5000);
	CHECK_EQ(cpj_port_time_unix(), 6);
	cpj_port_sleep_ms(20);
	CHECK_EQ(mock_port_sleeps(), 2);
	CHECK_EQ(mock_port_slept_ms(), 1520);
	CHECK_EQ(cpj_port_entropy(a, sizeof a), 0);
	CHECK_EQ(cpj_port_entropy(b, sizeof b), 0);
	for (same = 0, i = 0; i < sizeof a; i++)
		same += a[i] == b[i];
	CHECK(same < 8);
	mock_port_reset();
	CHECK_EQ(cpj_port_entropy(b, sizeof b), 0);
	CHECK(memcmp(a, b, sizeof a) == 0);
	mock_port_fail_entropy(1);
	CHECK_EQ(cpj_port_entropy(b, sizeof b), CPJ_ERR_IO);
	CHECK_EQ(mock_port_log_contains("net-test-marker 42"), 0);
	cpj_port_log(2, "net-test-marker %d", 42);
	CHECK_EQ(mock_port_log_contains("net-test-marker 42"), 1);
	mock_port_reset();
	CHECK_EQ(mock_port_log_contains("net-test-marker"), 0);
	CHECK(mock_port_sent(0, &i) == NULL);
	CHECK_EQ(i, 0);
	return 0;
}

int
main(void)
{
	RUN(test_connect_ok);
	RUN(test_connect_failures);
	RUN(test_connect_closes_previous);
	RUN(test_connect_deadline);
	RUN(test_readahead_small);
	RUN(test_readahead_direct);
	RUN(test_chunks);
	RUN(test_short_writes);
	RUN(test_send_stall);
	RUN(test_send_reset);
	RUN(test_idle_timeout);
	RUN(test_deadline_trickle);
	RUN(test_deadline_stall);
	RUN(test_deadline_send);
	RUN(test_remaining);
	RUN(test_reset_mid_stream);
	RUN(test_eof);
	RUN(test_reusable);
	RUN(test_counters);
	RUN(test_misuse);
	RUN(test_mock_basics);
	return H_EXIT();
}
