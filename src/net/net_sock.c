/*
 * net_sock.c -- socket transport with deadlines and read-ahead (see
 * cpj_net.h).
 *
 * Every port call gets the idle timeout, or the time left before the
 * whole-request deadline when that is smaller: far from the deadline the
 * port sees the same timeout each time and sets nothing; near it, the
 * shrinking value bounds the call so that no read or write outlives the
 * deadline.
 */
#include "inner.h"

/* Longest deadline: the clock wraps at 2^32 ms and is compared signed. */
#define DEADLINE_MAX 0x7fffffffu

/* Most bytes one callback moves: the count is returned as an int. */
#define LEN_MAX ((size_t)(~0u >> 1))

/* see cpj_net.h */
void
cpj_net_init(cpj_net_context *net)
{
	memset(net, 0, sizeof *net);
	cpj_port_sock_init(&net->sock);
	net->idle_ms = CPJ_IDLE_TIMEOUT_MS;
}

/* see cpj_net.h */
void
cpj_net_set_idle(cpj_net_context *net, uint32_t idle_ms)
{
	net->idle_ms = idle_ms != 0 ? idle_ms : CPJ_IDLE_TIMEOUT_MS;
}

/* see cpj_net.h */
void
cpj_net_set_deadline(cpj_net_context *net, uint32_t timeout_ms)
{
	if (timeout_ms == 0) {
		net->has_deadline = 0;
		net->deadline = 0;
		return;
	}
	if (timeout_ms > DEADLINE_MAX)
		timeout_ms = DEADLINE_MAX;
	net->deadline = cpj_port_time_ms() + timeout_ms;
	net->has_deadline = 1;
}

/* see cpj_net.h */
uint32_t
cpj_net_remaining(const cpj_net_context *net)
{
	uint32_t d;

	if (!net->has_deadline)
		return UINT32_MAX;
	d = net->deadline - cpj_port_time_ms();
	/* Past the deadline the difference "goes negative". */
	if (d == 0 || d > DEADLINE_MAX)
		return 0;
	return d;
}

/* see cpj_net.h */
int
cpj_net_is_open(const cpj_net_context *net)
{
	return net->open;
}

/* see cpj_net.h */
int
cpj_net_last_error(const cpj_net_context *net)
{
	return net->last_error;
}

static void
ra_drop(cpj_net_context *net)
{
#if CPJ_NET_READAHEAD > 0
	/* the buffer may hold decrypted-to-be secrets' ciphertext or, for
	   plain-HTTP credential endpoints, secrets themselves: the bytes
	   received (ra_len) are all that was written */
	cpj_wipe(net->ra, net->ra_len);
	net->ra_off = 0;
	net->ra_len = 0;
#else
	(void)net;
#endif
}

static size_t
ra_avail(const cpj_net_context *net)
{
#if CPJ_NET_READAHEAD > 0
	return net->ra_len - net->ra_off;
#else
	(void)net;
	return 0;
#endif
}

/* see cpj_net.h */
void
cpj_net_close(cpj_net_context *net)
{
	cpj_port_sock_close(&net->sock);
	net->open = 0;
	ra_drop(net);
}

/* A transport error: the stream is broken; keep the code, drop the socket. */
static CPJ_NOINLINE int
fail(cpj_net_context *net, int err)
{
	cpj_net_close(net);
	net->last_error = err;
	return err;
}

/* see cpj_net.h */
int
cpj_net_connect(cpj_net_context *net, const char *host, uint16_t port,
	uint32_t timeout_ms)
{
	uint32_t t, rem;
	int r;

	cpj_net_close(net);
	net->last_error = 0;
	if (host == NULL || port == 0)
		return fail(net, CPJ_ERR_PARAM);
	t = timeout_ms != 0 ? timeout_ms : CPJ_CONNECT_TIMEOUT_MS;
	rem = cpj_net_remaining(net);
	if (rem == 0)
		return fail(net, CPJ_ERR_TIMEOUT);
	if (rem < t)
		t = rem;
	r = cpj_port_sock_connect(&net->sock, host, port, t);
	if (r != 0) {
		CPJ_LOG_D("net: connect %s:%u: %s", host, (unsigned)port,
		    cpj_strerror(r));
		return fail(net, r < 0 ? r : CPJ_ERR_INTERNAL);
	}
	net->open = 1;
	net->connects++;
	return 0;
}

/*
 * The timeout for the next port call: the idle timeout, or the time left
 * before the deadline when that is smaller. 0 when the deadline passed.
 */
static uint32_t
next_timeout(const cpj_net_context *net)
{
	uint32_t rem;

	rem = cpj_net_remaining(net);
	return rem < net->idle_ms ? rem : net->idle_ms;
}

/* A closed context answers with its last error, or CPJ_ERR_STATE. */
static int
not_open(const cpj_net_context *net)
{
	return net->last_error != 0 ? net->last_error : CPJ_ERR_STATE;
}

static int
net_recv(void *ctx, unsigned char *buf, size_t len)
{
	cpj_net_context *net;
	unsigned char *dst;
	size_t want, n;
	uint32_t t;
	int r;

	net = ctx;
	if (!net->open)
		return not_open(net);
	if (buf == NULL || len == 0)
		return CPJ_ERR_PARAM;
	if (len > LEN_MAX)
		len = LEN_MAX;

	/* Buffered bytes first: no port call, no wait. */
	n = ra_avail(net);
	if (n > 0) {
#if CPJ_NET_READAHEAD > 0
		if (n > len)
			n = len;
		memcpy(buf, net->ra + net->ra_off, n);
		net->ra_off += n;
		if (net->ra_off == net->ra_len)
			ra_drop(net);
#endif
		return (int)n;
	}

	t = next_timeout(net);
	if (t == 0)
		return fail(net, CPJ_ERR_TIMEOUT);
#if CPJ_NET_READAHEAD > 0
	if (len < sizeof net->ra) {
		dst = net->ra;
		want = sizeof net->ra;
	} else
#endif
	{
		dst = buf;
		want = len;
	}
	r = cpj_port_sock_recv(&net->sock, dst, want, t);
	if (r == 0)
		return fail(net, CPJ_ERR_TIMEOUT);
	if (r < 0)
		return fail(net, r);
	if ((size_t)r > want)
		return fail(net, CPJ_ERR_INTERNAL);
	net->bytes_in += (unsigned)r;
	net->rx_at = cpj_port_time_ms();
	if (dst == buf)
		return r;
#if CPJ_NET_READAHEAD > 0
	n = (size_t)r < len ? (size_t)r : len;
	memcpy(buf, net->ra, n);
	net->ra_off = n;
	net->ra_len = (size_t)r;
	if (net->ra_off == net->ra_len)
		ra_drop(net);
	return (int)n;
#else
	return CPJ_ERR_INTERNAL;
#endif
}

static int
net_send(void *ctx, const unsigned char *buf, size_t len)
{
	cpj_net_context *net;
	size_t done;
	uint32_t t;
	int r;

	net = ctx;
	if (!net->open)
		return not_open(net);
	if (buf == NULL || len == 0)
		return CPJ_ERR_PARAM;
	if (len > LEN_MAX)
		len = LEN_MAX;
	for (done = 0; done < len; done += (size_t)r) {
		t = next_timeout(net);
		if (t == 0)
			return fail(net, CPJ_ERR_TIMEOUT);
		r = cpj_port_sock_send(&net->sock, buf + done, len - done, t);
		if (r == 0)
			return fail(net, CPJ_ERR_TIMEOUT);
		if (r < 0)
			return fail(net, r);
		if ((size_t)r > len - done)
			return fail(net, CPJ_ERR_INTERNAL);
		net->bytes_out += (unsigned)r;
	}
	return (int)len;
}

/* see cpj_net.h */
void
cpj_net_transport(cpj_net_context *net, cpj_transport *out)
{
	out->recv = net_recv;
	out->send = net_send;
	out->ctx = net;
}

/* see cpj_net.h */
int
cpj_net_reusable(cpj_net_context *net, int trust_fresh)
{
	if (!net->open || ra_avail(net) != 0)
		return 0;
	if (trust_fresh && net->bytes_in != 0
	    && cpj_port_time_ms() - net->rx_at < CPJ_NET_FRESH_MS)
		return 1;
	return cpj_port_sock_idle_ok(&net->sock) == 1;
}
