/*
 * test_port_conformance.c -- checks a port against cpj_port.h.
 *
 * Runs on the target itself (see port/README.md): the peer is a listener
 * on 127.0.0.1 that the test opens, so only loopback is needed. Timing
 * checks have wide margins: they catch a timeout that is ignored or
 * wildly off, not scheduling jitter.
 *
 * Optional: CPJ_CONFORMANCE_REMOTE=host:port also connects to a real
 * server by name (checks the resolver and routing of the target).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"
#include "cpj.h"
#include "support/sup_net.h"

#define MB (1024u * 1024u)
#define SLACK_MS 3000u   /* allowed lateness of a timeout */

static unsigned char out_buf[MB];
static unsigned char in_buf[MB];

static void
pattern(unsigned char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 31u + seed + (i >> 12)) & 0xff);
}

/* A connected pair: *cs the port socket, return the peer's fd (or -1). */
static int
pair(int lfd, uint16_t port, struct cpj_port_sock *cs)
{
	cpj_port_sock_init(cs);
	if (cpj_port_sock_connect(cs, "127.0.0.1", port, 5000) != 0)
		return -1;
	return sup_accept(lfd, 5000);
}

/* Receive exactly `len` bytes through the port. */
static int
port_recv_full(struct cpj_port_sock *s, unsigned char *p, size_t len)
{
	uint32_t start;
	int r;

	start = sup_ms();
	while (len > 0) {
		if (sup_ms() - start > 20000)
			return -1;
		r = cpj_port_sock_recv(s, p, len, 5000);
		if (r < 0)
			return r;
		if ((size_t)r > len)
			return -2;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int
port_send_full(struct cpj_port_sock *s, const unsigned char *p, size_t len)
{
	uint32_t start;
	int r;

	start = sup_ms();
	while (len > 0) {
		if (sup_ms() - start > 20000)
			return -1;
		r = cpj_port_sock_send(s, p, len, 5000);
		if (r < 0)
			return r;
		if ((size_t)r > len)
			return -2;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int
test_closed_socket(void)
{
	struct cpj_port_sock s;
	unsigned char b[4];

	cpj_port_sock_init(&s);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 0);
	CHECK(cpj_port_sock_recv(&s, b, sizeof b, 10) < 0);
	CHECK(cpj_port_sock_send(&s, b, sizeof b, 10) < 0);
	cpj_port_sock_close(&s);
	cpj_port_sock_close(&s);
	return 0;
}

/* A zeroed struct (a static context the caller never initialised) is a
 * closed socket: closing it, or a zeroed HTTP client, must not close
 * descriptor 0 (a daemon without stdin gets its first socket there). */
static int
test_zeroed_socket(void)
{
	static cpj_http_client zc;
	struct cpj_port_sock s;
	unsigned char b[4];
	int fd0;

	memset(&s, 0, sizeof s);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 0);
	CHECK(cpj_port_sock_recv(&s, b, sizeof b, 10) < 0);
	fd0 = fcntl(0, F_GETFD);
	if (fd0 < 0)   /* no stdin here: put something on descriptor 0 */
		CHECK_EQ(open("/dev/null", O_RDONLY), 0);
	cpj_port_sock_close(&s);
	CHECK(fcntl(0, F_GETFD) >= 0);
	cpj_http_client_close(&zc);
	CHECK(fcntl(0, F_GETFD) >= 0);
	if (fd0 < 0)
		(void)close(0);
	return 0;
}

static int
test_connect_params(void)
{
	static char longname[CPJ_HOST_MAX + 2];
	struct cpj_port_sock s;

	memset(longname, 'a', sizeof longname - 1);
	cpj_port_sock_init(&s);
	CHECK_EQ(cpj_port_sock_connect(&s, "127.0.0.1", 0, 1000),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_port_sock_connect(&s, "127.0.0.1", 80, 0),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_port_sock_connect(&s, "", 80, 1000), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_port_sock_connect(&s, NULL, 80, 1000), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_port_sock_connect(&s, longname, 80, 1000),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 0);
	cpj_port_sock_close(&s);
	return 0;
}

static int
test_connect_ok(void)
{
	struct cpj_port_sock s;
	unsigned char b[8];
	uint16_t port;
	int lfd, pfd;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	CHECK_EQ(cpj_port_sock_send(&s, (const unsigned char *)"ping", 4,
	    2000), 4);
	CHECK_EQ(sup_read_full(pfd, b, 4, 5000), 0);
	CHECK(memcmp(b, "ping", 4) == 0);
	CHECK_EQ(sup_write_all(pfd, "pong", 4), 0);
	CHECK_EQ(port_recv_full(&s, b, 4), 0);
	CHECK(memcmp(b, "pong", 4) == 0);
	cpj_port_sock_close(&s);
	close(pfd);

	/* By name: "localhost" may list ::1 first, which refuses here. */
	cpj_port_sock_init(&s);
	CHECK_EQ(cpj_port_sock_connect(&s, "localhost", port, 5000), 0);
	pfd = sup_accept(lfd, 5000);
	CHECK(pfd >= 0);
	CHECK_EQ(cpj_port_sock_send(&s, (const unsigned char *)"x", 1,
	    2000), 1);
	CHECK_EQ(sup_read_full(pfd, b, 1, 5000), 0);
	cpj_port_sock_close(&s);
	close(pfd);
	close(lfd);
	return 0;
}

static int
test_connect_refused(void)
{
	struct cpj_port_sock s;
	uint16_t port;
	uint32_t t0;
	int fd;

	fd = sup_closed_port(&port);
	CHECK(fd >= 0);
	cpj_port_sock_init(&s);
	t0 = sup_ms();
	CHECK_EQ(cpj_port_sock_connect(&s, "127.0.0.1", port, 5000),
	    CPJ_ERR_NET_REFUSED);
	CHECK(sup_ms() - t0 < 5000);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 0);
	cpj_port_sock_close(&s);
	close(fd);
	return 0;
}

/*
 * A listener whose accept queue is full drops new SYNs, so a connect
 * hangs: the port must give up at its timeout. Returns 0 (pass), a line
 * number (fail) or -1 when this system cannot produce a hanging connect.
 */
static int
connect_timeout(void)
{
	struct cpj_port_sock s, fill[16];
	uint16_t port;
	uint32_t t0, el;
	int lfd, i, r, hung;

	lfd = sup_listen(&port, 0);
	CHECK(lfd >= 0);
	/* Fill the queue until a connect does not complete quickly. */
	hung = 0;
	for (i = 0; i < 16; i++) {
		cpj_port_sock_init(&fill[i]);
		r = cpj_port_sock_connect(&fill[i], "127.0.0.1", port, 300);
		if (r == CPJ_ERR_TIMEOUT) {
			hung = 1;
			break;
		}
		CHECK_EQ(r, 0);
	}
	if (hung) {
		cpj_port_sock_init(&s);
		t0 = sup_ms();
		r = cpj_port_sock_connect(&s, "127.0.0.1", port, 700);
		el = sup_ms() - t0;
		CHECK_EQ(r, CPJ_ERR_TIMEOUT);
		CHECK(el >= 600);
		CHECK(el < 700 + SLACK_MS);
		cpj_port_sock_close(&s);
	}
	for (; i >= 0; i--)
		cpj_port_sock_close(&fill[i < 16 ? i : 15]);
	close(lfd);
	return hung ? 0 : -1;
}

static int
test_resolve_fail(void)
{
	struct cpj_port_sock s;

	cpj_port_sock_init(&s);
	/* RFC 6761: .invalid never resolves. */
	CHECK_EQ(cpj_port_sock_connect(&s, "nonexistent.invalid", 443,
	    5000), CPJ_ERR_NET_RESOLVE);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 0);
	cpj_port_sock_close(&s);
	return 0;
}

static int
test_recv_timeout(void)
{
	struct cpj_port_sock s;
	unsigned char b[16];
	uint16_t port;
	uint32_t t0, el;
	int lfd, pfd;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	/* Nothing arrives: 0 after about the timeout, never early. */
	t0 = sup_ms();
	CHECK_EQ(cpj_port_sock_recv(&s, b, sizeof b, 150), 0);
	el = sup_ms() - t0;
	CHECK(el >= 140);
	CHECK(el < 150 + SLACK_MS);
	/* Same timeout again (a port may keep it set): same result. */
	CHECK_EQ(cpj_port_sock_recv(&s, b, sizeof b, 150), 0);
	/* A longer timeout takes effect... */
	t0 = sup_ms();
	CHECK_EQ(cpj_port_sock_recv(&s, b, sizeof b, 1000), 0);
	el = sup_ms() - t0;
	CHECK(el >= 950);
	/* ...and so does a shorter one again. */
	t0 = sup_ms();
	CHECK_EQ(cpj_port_sock_recv(&s, b, sizeof b, 100), 0);
	el = sup_ms() - t0;
	CHECK(el >= 90);
	CHECK(el < 950);
	/* Data that is there is returned at once, timeout or not. */
	CHECK_EQ(sup_write_all(pfd, "hello", 5), 0);
	CHECK_EQ(port_recv_full(&s, b, 5), 0);
	CHECK(memcmp(b, "hello", 5) == 0);
	/* The connection is still fine after the timeouts. */
	CHECK_EQ(cpj_port_sock_send(&s, (const unsigned char *)"ok", 2,
	    1000), 2);
	CHECK_EQ(sup_read_full(pfd, b, 2, 5000), 0);
	cpj_port_sock_close(&s);
	close(pfd);
	close(lfd);
	return 0;
}

static volatile sig_atomic_t alarms;

/* Interval-timer handler: stops the timer after 200 signals (2 s), so a
 * port that restarts its full timeout on every EINTR cannot hang us. */
static void
on_alarm(int sig)
{
	struct itimerval it;

	(void)sig;
	if (++alarms >= 200) {
		memset(&it, 0, sizeof it);
		setitimer(ITIMER_REAL, &it, NULL);
	}
}

static void
timer_ms(long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof it);
	it.it_interval.tv_usec = ms * 1000;
	it.it_value.tv_usec = ms * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Signals every 10 ms (SA_RESTART or not, socket calls with a timeout see
 * EINTR): timeouts still hold, connections still work. */
static int
test_eintr(void)
{
	struct sigaction sa, old;
	struct cpj_port_sock s;
	unsigned char b[8];
	uint16_t port;
	uint32_t t0, el;
	int lfd, pfd, r;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGALRM, &sa, &old), 0);
	alarms = 0;
	timer_ms(10);
	cpj_port_sock_init(&s);
	r = cpj_port_sock_connect(&s, "127.0.0.1", port, 5000);
	pfd = sup_accept(lfd, 5000);
	t0 = sup_ms();
	if (r == 0)
		r = cpj_port_sock_recv(&s, b, sizeof b, 400);
	el = sup_ms() - t0;
	timer_ms(0);
	sigaction(SIGALRM, &old, NULL);
	CHECK_EQ(r, 0);
	CHECK(pfd >= 0);
	CHECK(alarms > 5);          /* the signals did arrive */
	CHECK(el >= 380);
	CHECK(el < 400 + SLACK_MS);
	CHECK_EQ(sup_write_all(pfd, "k", 1), 0);
	CHECK_EQ(cpj_port_sock_recv(&s, b, 1, 2000), 1);
	cpj_port_sock_close(&s);
	close(pfd);
	close(lfd);
	return 0;
}

static int
test_eof(void)
{
	struct cpj_port_sock s;
	unsigned char b[16];
	uint16_t port;
	int lfd, pfd, r, i;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	CHECK_EQ(sup_write_all(pfd, "bye", 3), 0);
	close(pfd);
	CHECK_EQ(port_recv_full(&s, b, 3), 0);
	CHECK(memcmp(b, "bye", 3) == 0);
	/* EOF is CPJ_ERR_NET_CLOSED, every time, and never 0. */
	for (i = 0; i < 3; i++) {
		r = cpj_port_sock_recv(&s, b, sizeof b, 2000);
		CHECK_EQ(r, CPJ_ERR_NET_CLOSED);
	}
	cpj_port_sock_close(&s);

	/* EOF with nothing received first. */
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	close(pfd);
	CHECK_EQ(cpj_port_sock_recv(&s, b, sizeof b, 2000),
	    CPJ_ERR_NET_CLOSED);
	cpj_port_sock_close(&s);
	close(lfd);
	return 0;
}

static int
test_reset(void)
{
	struct cpj_port_sock s;
	unsigned char b[16];
	uint16_t port;
	int lfd, pfd, r;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	sup_close_reset(pfd);
	r = cpj_port_sock_recv(&s, b, sizeof b, 2000);
	CHECK_EQ(r, CPJ_ERR_NET_RESET);
	cpj_port_sock_close(&s);
	close(lfd);
	return 0;
}

/* Writing to a peer that has gone: an error, and no SIGPIPE. */
static int
test_send_after_close(void)
{
	struct cpj_port_sock s;
	uint16_t port;
	int lfd, pfd, r, i;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	close(pfd);
	sup_sleep_ms(20);
	r = 1;
	for (i = 0; i < 200 && r > 0; i++) {
		r = cpj_port_sock_send(&s, out_buf, 1000, 2000);
		if (r > 0)
			sup_sleep_ms(10);
	}
	CHECK(r == CPJ_ERR_NET_RESET || r == CPJ_ERR_NET_CLOSED);
	cpj_port_sock_close(&s);
	close(lfd);
	return 0;
}

/* The peer never reads: send ends with 0 once its buffers are full. */
static int
test_send_timeout(void)
{
	struct cpj_port_sock s;
	uint16_t port;
	uint32_t t0, el;
	size_t total;
	int lfd, pfd, r, i;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	total = 0;
	r = 1;
	el = 0;
	for (i = 0; i < 4096 && r > 0; i++) {
		t0 = sup_ms();
		r = cpj_port_sock_send(&s, out_buf, 65536, 200);
		el = sup_ms() - t0;
		if (r > 0)
			total += (size_t)r;
	}
	CHECK_EQ(r, 0);
	CHECK(total > 0);
	CHECK(el >= 150);
	CHECK(el < 200 + SLACK_MS);
	cpj_port_sock_close(&s);
	close(pfd);
	close(lfd);
	return 0;
}

struct bulk {
	int fd;
};

/* Child side of the bulk test: read 1 MB, check it, send 1 MB back. */
static int
bulk_peer(void *arg)
{
	struct bulk *b = arg;
	static unsigned char want[MB];

	pattern(want, MB, 1);
	if (sup_read_full(b->fd, in_buf, MB, 20000) != 0)
		return 3;
	if (memcmp(in_buf, want, MB) != 0)
		return 4;
	pattern(want, MB, 2);
	if (sup_write_all(b->fd, want, MB) != 0)
		return 5;
	close(b->fd);
	return 0;
}

static int
test_bulk(void)
{
	struct cpj_port_sock s;
	struct bulk b;
	uint16_t port;
	pid_t pid;
	int lfd, r;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	b.fd = pair(lfd, port, &s);
	CHECK(b.fd >= 0);
	pid = sup_fork(bulk_peer, &b, 30);
	CHECK(pid > 0);
	close(b.fd);
	pattern(out_buf, MB, 1);
	r = port_send_full(&s, out_buf, MB);
	CHECK_EQ(r, 0);
	memset(in_buf, 0, MB);
	r = port_recv_full(&s, in_buf, MB);
	CHECK_EQ(r, 0);
	pattern(out_buf, MB, 2);
	CHECK(memcmp(in_buf, out_buf, MB) == 0);
	CHECK_EQ(cpj_port_sock_recv(&s, in_buf, 16, 5000),
	    CPJ_ERR_NET_CLOSED);
	CHECK_EQ(sup_wait(pid, 30000), 0);
	cpj_port_sock_close(&s);
	close(lfd);
	return 0;
}

static int
test_idle_ok(void)
{
	struct cpj_port_sock s;
	unsigned char b[4];
	uint16_t port;
	int lfd, pfd, i, ok;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	pfd = pair(lfd, port, &s);
	CHECK(pfd >= 0);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 1);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 1);
	/* The peer sent something unexpected: not idle. */
	CHECK_EQ(sup_write_all(pfd, "!", 1), 0);
	for (i = 0, ok = 1; i < 200 && ok == 1; i++) {
		ok = cpj_port_sock_idle_ok(&s);
		if (ok == 1)
			sup_sleep_ms(10);
	}
	CHECK_EQ(ok, 0);
	/* idle_ok only peeks: the byte is still there. */
	CHECK_EQ(cpj_port_sock_recv(&s, b, 1, 1000), 1);
	CHECK_EQ(b[0], '!');
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 1);
	/* The peer closed: not idle (within 2 s of the FIN). */
	close(pfd);
	for (i = 0, ok = 1; i < 200 && ok == 1; i++) {
		ok = cpj_port_sock_idle_ok(&s);
		if (ok == 1)
			sup_sleep_ms(10);
	}
	CHECK_EQ(ok, 0);
	cpj_port_sock_close(&s);
	close(lfd);
	return 0;
}

static int
test_clocks(void)
{
	uint32_t a, b, prev, now, t0;
	int64_t w;
	int i;

	w = cpj_port_time_unix();
	CHECK(w > 1577836800);           /* after 2020-01-01 */
	CHECK(w < 4102444800);           /* before 2100-01-01 */
	prev = cpj_port_time_ms();
	for (i = 0; i < 100000; i++) {
		now = cpj_port_time_ms();
		CHECK(now - prev < 0x80000000u);  /* never goes back */
		prev = now;
	}
	a = cpj_port_time_ms();
	t0 = sup_ms();
	sup_sleep_ms(120);
	b = cpj_port_time_ms();
	CHECK(b - a >= 110);
	CHECK(b - a <= sup_ms() - t0 + 50);
	/* cpj_port_sleep_ms sleeps about as long as asked (a signal may
	 * end it early; none is expected here). */
	a = cpj_port_time_ms();
	cpj_port_sleep_ms(150);
	b = cpj_port_time_ms();
	CHECK(b - a >= 140);
	CHECK(b - a < 150 + SLACK_MS);
	cpj_port_sleep_ms(0);
	/* The wall clock moves with real time too (1 s resolution). */
	CHECK(cpj_port_time_unix() - w >= 0);
	CHECK(cpj_port_time_unix() - w < 10);
	return 0;
}

static int
test_entropy(void)
{
	static unsigned char big[100000];
	unsigned char a[64], b[64];
	int seen[256];
	size_t i, distinct;

	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	CHECK_EQ(cpj_port_entropy(a, sizeof a), 0);
	CHECK_EQ(cpj_port_entropy(b, sizeof b), 0);
	CHECK(memcmp(a, b, sizeof a) != 0);
	for (i = 1; i < sizeof a && a[i] == a[0]; i++)
		;
	CHECK(i < sizeof a);              /* not constant */
	CHECK_EQ(cpj_port_entropy(a, 0), 0);
	/* A large request is filled completely (short reads looped). */
	memset(big, 0, sizeof big);
	CHECK_EQ(cpj_port_entropy(big, sizeof big), 0);
	memset(seen, 0, sizeof seen);
	for (i = 0; i < sizeof big; i++)
		seen[big[i]]++;
	for (i = 0, distinct = 0; i < 256; i++)
		distinct += seen[i] > 0;
	CHECK_EQ(distinct, 256);
	/* The tail too: 1000 zero bytes at the end would be a short fill. */
	for (i = sizeof big - 1000; i < sizeof big && big[i] == 0; i++)
		;
	CHECK(i < sizeof big);
	return 0;
}

#if defined(CPJ_PORT_LOG_SINK)
static char sink_msg[1024];
static int sink_level, sink_calls;

static void
sink(int level, const char *msg)
{
	size_t n = strlen(msg);

	if (n >= sizeof sink_msg)
		n = sizeof sink_msg - 1;
	memcpy(sink_msg, msg, n);
	sink_msg[n] = '\0';
	sink_level = level;
	sink_calls++;
}

/* POSIX port: stderr format, sink, level filter, long lines marked. */
static int
test_log(void)
{
	static char longs[2000];
	char got[256];
	int fds[2], saved;
	ssize_t n;

	CHECK_EQ(pipe(fds), 0);
	saved = dup(2);
	CHECK(saved >= 0);
	CHECK(dup2(fds[1], 2) == 2);
	cpj_port_log(2, "conformance %d %s", 42, "x");
	cpj_port_log(4, "debug line");
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], got, sizeof got - 1);
	close(fds[0]);
	CHECK(n > 0);
	got[n] = '\0';
	CHECK(strcmp(got, "cpjob: warning: conformance 42 x\n"
	    "cpjob: debug: debug line\n") == 0);

	cpj_port_log_set_sink(sink);
	cpj_port_log(1, "to sink %u", 7u);
	CHECK_EQ(sink_calls, 1);
	CHECK_EQ(sink_level, 1);
	CHECK(strcmp(sink_msg, "to sink 7") == 0);
	cpj_port_log_set_level(2);
	cpj_port_log(3, "filtered");
	CHECK_EQ(sink_calls, 1);
	cpj_port_log_set_level(4);
	memset(longs, 'L', sizeof longs - 1);
	cpj_port_log(3, "%s", longs);
	CHECK_EQ(sink_calls, 2);
	CHECK_EQ(strlen(sink_msg), 511);
	CHECK(strcmp(sink_msg + 508, "...") == 0);
	cpj_port_log_set_sink(NULL);
	return 0;
}
#endif

/* Optional: a real server by name (CPJ_CONFORMANCE_REMOTE=host:port). */
static int
test_remote(void)
{
	struct cpj_port_sock s;
	char host[CPJ_HOST_MAX + 1];
	const char *env, *colon;
	unsigned long port;
	size_t n;

	env = getenv("CPJ_CONFORMANCE_REMOTE");
	colon = env != NULL ? strrchr(env, ':') : NULL;
	CHECK(colon != NULL);
	n = (size_t)(colon - env);
	CHECK(n > 0 && n < sizeof host);
	memcpy(host, env, n);
	host[n] = '\0';
	port = strtoul(colon + 1, NULL, 10);
	CHECK(port > 0 && port < 65536);
	cpj_port_sock_init(&s);
	CHECK_EQ(cpj_port_sock_connect(&s, host, (uint16_t)port, 10000), 0);
	CHECK_EQ(cpj_port_sock_idle_ok(&s), 1);
	cpj_port_sock_close(&s);
	return 0;
}

int
main(void)
{
	int r;

	/* The default action of SIGPIPE stays: a port that lets one
	 * through kills this test. */
	signal(SIGPIPE, SIG_DFL);
	RUN(test_closed_socket);
	RUN(test_zeroed_socket);
	RUN(test_connect_params);
	RUN(test_connect_ok);
	RUN(test_connect_refused);
	r = connect_timeout();
	if (r < 0)
		printf("SKIP connect_timeout (this system accepts every "
		    "connection at once)\n");
	else
		h_report("test_connect_timeout", r);
	RUN(test_resolve_fail);
	RUN(test_recv_timeout);
	RUN(test_eintr);
	RUN(test_eof);
	RUN(test_reset);
	RUN(test_send_after_close);
	RUN(test_send_timeout);
	RUN(test_bulk);
	RUN(test_idle_ok);
	RUN(test_clocks);
	RUN(test_entropy);
#if defined(CPJ_PORT_LOG_SINK)
	RUN(test_log);
#endif
	if (getenv("CPJ_CONFORMANCE_REMOTE") != NULL)
		RUN(test_remote);
	return H_EXIT();
}
