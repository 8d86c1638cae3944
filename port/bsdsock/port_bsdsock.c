/*
 * port_bsdsock.c -- cpj_port.h on a BSD-style socket subset.
 *
 * The port to start from when the target has lwIP's socket API
 * (LWIP_SOCKET) or a vendor SDK modelled on it. The socket code calls only
 * socket, connect, send, recv, close, select, fcntl(O_NONBLOCK),
 * setsockopt(TCP_NODELAY), getsockopt(SO_ERROR) and gethostbyname. It is
 * built and checked on Linux (`make test` runs the conformance test on
 * it), so what an RTOS does differently is marked PORTER: the tick, the
 * wall clock, sleep, the RNG and the console.
 *
 * The socket is non-blocking from connect on. send/recv first just try;
 * only when the stack says "would block" do they wait in select() for the
 * time left and try again. So buffered bytes cost one call, a timeout of
 * 0 is a plain try, and neither SO_RCVTIMEO/SO_SNDTIMEO nor MSG_DONTWAIT
 * or MSG_PEEK is needed (many vendor stacks lack them).
 *
 * Limits: IPv4 only (an IPv6 literal is CPJ_ERR_NET_RESOLVE), at most
 * MAX_ADDRS addresses per name. gethostbyname() is not reentrant: connect
 * from one task at a time, or use gethostbyname_r (lwIP has it). It
 * follows the stack's DNS timeouts, which the connect deadline cannot cut
 * short. Socket numbers must be below FD_SETSIZE (select). No
 * close-on-exec (an RTOS has no exec). Heap: none here (glibc's resolver
 * keeps a buffer of its own; lwIP's is static).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
/* lwIP: "lwip/sockets.h" and "lwip/netdb.h" replace the socket headers
 * (LWIP_COMPAT_SOCKETS keeps the names used here). */

#include "cpj.h"
#include "../common/port_fmt.h"

/* No MSG_NOSIGNAL: then SIGPIPE is kept away otherwise. An RTOS has no
 * signals; BSDs and macOS set SO_NOSIGPIPE on the socket after connect;
 * a POSIX program may ignore SIGPIPE. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define MAX_ADDRS 4     /* addresses of one name tried, at most */
#define LOG_LINE 256    /* longest log message; longer ones end in "..." */

/* ---- platform: what a porter replaces ---------------------------------- */

/* PORTER: the RTOS tick in ms, wrapping at 2^32. FreeRTOS:
 * xTaskGetTickCount() * portTICK_PERIOD_MS; lwIP's sys_now() is one. */
uint32_t
cpj_port_time_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint32_t)ts.tv_sec * 1000u + (uint32_t)(ts.tv_nsec / 1000000);
}

/* PORTER: UTC seconds from the RTC or SNTP. Any value before the first
 * sync will do: the library corrects for the skew the service reports. */
int64_t
cpj_port_time_unix(void)
{
	return (int64_t)time(NULL);
}

/* PORTER: FreeRTOS vTaskDelay(pdMS_TO_TICKS(ms) + 1) (rounds up). */
void
cpj_port_sleep_ms(uint32_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000u);
	ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
	(void)nanosleep(&ts, NULL);    /* a signal may end it early: allowed */
}

/* PORTER: the hardware RNG (or a DRBG seeded from it). Return CPJ_ERR_IO
 * when it is not ready or fails its health test, never predictable bytes:
 * TLS keys come from here. /dev/urandom stands in for it. */
int
cpj_port_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;
	int fd;

	if (buf == NULL && len != 0)
		return CPJ_ERR_PARAM;
	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0)
		return CPJ_ERR_IO;
	while (len > 0) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	(void)close(fd);
	return len == 0 ? 0 : CPJ_ERR_IO;
}

/* Milliseconds left of `total` since the tick `start`, 0 when spent. The
 * unsigned subtraction stays right across the tick's wrap. */
static uint32_t
left_ms(uint32_t start, uint32_t total)
{
	uint32_t el = cpj_port_time_ms() - start;

	return el >= total ? 0 : total - el;
}

/* ---- sockets ------------------------------------------------------------ */

/* A failed call's errno as a CPJ_ERR_* code. */
static int
map_errno(int e)
{
	if (e == ECONNRESET || e == EPIPE || e == ECONNABORTED)
		return CPJ_ERR_NET_RESET;
	if (e == ENOTCONN)      /* lwIP: ERR_CLSD, the connection is gone */
		return CPJ_ERR_NET_CLOSED;
	return e == ECONNREFUSED ? CPJ_ERR_NET_REFUSED : CPJ_ERR_NET_IO;
}

/*
 * One select() on `fd` for readability (for_write 0) or writability, at most
 * `ms`. Returns 1 ready, 0 not ready in time, -1 failed (errno; EINTR:
 * interrupted, the caller tries again with the time left).
 */
static int
sel(int fd, int for_write, uint32_t ms)
{
	fd_set set;
	struct timeval tv;
	int r;

	/* lwIP numbers sockets from LWIP_SOCKET_OFFSET (ESP-IDF: above its
	 * VFS descriptors) and its FD_SET subtracts it: the bound there is
	 * LWIP_SOCKET_OFFSET + FD_SETSIZE. */
	if (fd < 0 || fd >= FD_SETSIZE) {
		errno = EBADF;
		return -1;
	}
	FD_ZERO(&set);
	FD_SET(fd, &set);
	tv.tv_sec = (time_t)(ms / 1000u);
	tv.tv_usec = (suseconds_t)((ms % 1000u) * 1000u);
	r = select(fd + 1, for_write ? NULL : &set, for_write ? &set : NULL,
	    NULL, &tv);
	return r > 0 ? 1 : r;
}

/* see cpj_port.h */
void
cpj_port_sock_init(struct cpj_port_sock *sock)
{
	sock->fd = -1;
	sock->open = 0;
}

/* see cpj_port.h */
void
cpj_port_sock_close(struct cpj_port_sock *sock)
{
	if (sock == NULL)
		return;
	/* lwIP: close() is lwip_close(). Never retried, even on EINTR. */
	if (sock->open == 1)
		(void)close(sock->fd);
	cpj_port_sock_init(sock);
}

/*
 * One attempt to connect to addr:port within `ms`; on success the socket
 * (non-blocking from here on) goes to *fdp. Returns 0, CPJ_ERR_TIMEOUT,
 * CPJ_ERR_NET_REFUSED or CPJ_ERR_NET_CONNECT (the socket then closed).
 */
static int
connect_one(const struct in_addr *addr, uint16_t port, uint32_t ms, int *fdp)
{
	struct sockaddr_in sa;
	socklen_t elen;
	uint32_t start, left;
	int fd, r, err;

	start = cpj_port_time_ms();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return CPJ_ERR_NET_CONNECT;
	/* A new socket has no other status flag to keep, hence no F_GETFL
	 * (lwIP's fcntl knows O_NONBLOCK and little else). Other stacks:
	 * ioctl(fd, FIONBIO, &on), or ioctlsocket() on Winsock-like SDKs. */
	if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		(void)close(fd);
		return CPJ_ERR_NET_CONNECT;
	}
	memset(&sa, 0, sizeof sa);     /* sin_zero; sin_len where it exists */
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr = *addr;
	err = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : errno;
	/*
	 * EINPROGRESS: the SYN is out. The socket turns writable when the
	 * attempt ends, whichever way, and SO_ERROR then says which (0:
	 * connected). EINTR: the attempt goes on all the same.
	 */
	while (err == EINPROGRESS || err == EINTR) {
		left = left_ms(start, ms);
		if (left == 0) {
			err = ETIMEDOUT;
			break;
		}
		r = sel(fd, 1, left);
		if (r < 0 && errno != EINTR) {
			err = errno;
		} else if (r > 0) {
			elen = sizeof err;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen)
			    != 0)
				err = errno;
		}
	}
	if (err == 0) {
		*fdp = fd;
		return 0;
	}
	(void)close(fd);
	return err == ETIMEDOUT ? CPJ_ERR_TIMEOUT
	    : err == ECONNREFUSED ? CPJ_ERR_NET_REFUSED : CPJ_ERR_NET_CONNECT;
}

/* see cpj_port.h */
int
cpj_port_sock_connect(struct cpj_port_sock *sock, const char *host,
	uint16_t port, uint32_t timeout_ms)
{
	struct in_addr addrs[MAX_ADDRS];
	struct hostent *he;
	uint32_t start, left;
	size_t hlen;
	int n, i, r, best, fd, one;

	if (sock == NULL)
		return CPJ_ERR_PARAM;
	cpj_port_sock_init(sock);
	if (host == NULL || port == 0 || timeout_ms == 0)
		return CPJ_ERR_PARAM;
	for (hlen = 0; hlen <= CPJ_HOST_MAX && host[hlen] != '\0'; hlen++)
		;
	if (hlen == 0 || hlen > CPJ_HOST_MAX)
		return CPJ_ERR_PARAM;

	/* A name or a dotted quad. The hostent is the resolver's static:
	 * copy the addresses out before anything else can call it. */
	start = cpj_port_time_ms();
	he = gethostbyname(host);
	if (he == NULL || he->h_addrtype != AF_INET ||
	    he->h_length != (int)sizeof addrs[0])
		return CPJ_ERR_NET_RESOLVE;
	for (n = 0; n < MAX_ADDRS && he->h_addr_list[n] != NULL; n++)
		memcpy(&addrs[n], he->h_addr_list[n], sizeof addrs[n]);
	if (n == 0)
		return CPJ_ERR_NET_RESOLVE;
	/* Every address but the last gets at most half of the time left,
	 * so one that drops packets cannot use up the whole budget. */
	best = CPJ_ERR_NET_CONNECT;
	fd = -1;
	for (i = 0; i < n; i++) {
		left = left_ms(start, timeout_ms);
		if (left == 0)
			return CPJ_ERR_TIMEOUT;
		r = connect_one(&addrs[i], port,
		    i + 1 < n && left > 1 ? left / 2 : left, &fd);
		if (r == 0) {
			/* Requests go out in one piece: no Nagle delay
			 * (best effort). */
			one = 1;
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof one);
			sock->fd = fd;
			sock->open = 1;
			return 0;
		}
		/* Keep the most telling failure: refused, then timeout. */
		if (r == CPJ_ERR_NET_REFUSED || best == CPJ_ERR_NET_CONNECT)
			best = r;
	}
	return best;
}

/*
 * One send (out 1) or recv within `timeout_ms`: try; while the stack says
 * it would block, wait in select() for the time left and try again.
 * Returns the bytes moved, 0 when the time passed, or a negative code.
 */
static int
xfer(struct cpj_port_sock *sock, unsigned char *rbuf,
	const unsigned char *sbuf, size_t len, uint32_t timeout_ms, int out)
{
	uint32_t start, left;
	ssize_t n;
	int r;

	if (sock == NULL || sock->open != 1)
		return CPJ_ERR_NET_IO;
	if (len == 0)
		return 0;
	if (len > INT32_MAX)
		len = INT32_MAX;
	start = cpj_port_time_ms();
	for (;;) {
		/* MSG_NOSIGNAL: a peer that has gone is EPIPE, not SIGPIPE. */
		n = out ? send(sock->fd, sbuf, len, MSG_NOSIGNAL)
		    : recv(sock->fd, rbuf, len, 0);
		if (n > 0)
			return (int)n;
		if (n == 0)     /* recv: orderly EOF, which is never 0 */
			return out ? 0 : CPJ_ERR_NET_CLOSED;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return map_errno(errno);
		left = left_ms(start, timeout_ms);
		if (left == 0)
			return 0;
		r = sel(sock->fd, out, left);
		if (r < 0 && errno != EINTR)
			return CPJ_ERR_NET_IO;
		/* Ready, interrupted or timed out: the next turn decides, with
		 * the time already spent deducted. */
	}
}

/* see cpj_port.h */
int
cpj_port_sock_send(struct cpj_port_sock *sock, const unsigned char *buf,
	size_t len, uint32_t timeout_ms)
{
	if (buf == NULL && len != 0)
		return CPJ_ERR_PARAM;
	return xfer(sock, NULL, buf, len, timeout_ms, 1);
}

/* see cpj_port.h */
int
cpj_port_sock_recv(struct cpj_port_sock *sock, unsigned char *buf,
	size_t len, uint32_t timeout_ms)
{
	if (buf == NULL && len != 0)
		return CPJ_ERR_PARAM;
	return xfer(sock, buf, NULL, len, timeout_ms, 0);
}

/* see cpj_port.h. Readable at once means data, EOF or an error is
 * pending: each makes the connection unfit for another request. A
 * select() with a zero timeout neither blocks nor consumes anything. */
int
cpj_port_sock_idle_ok(struct cpj_port_sock *sock)
{
	int r;

	if (sock == NULL || sock->open != 1)
		return 0;
	do {
		r = sel(sock->fd, 0, 0);
	} while (r < 0 && errno == EINTR);
	return r == 0;
}

/* ---- log -------------------------------------------------------------- */

/* see cpj_port.h. "cpjob: <level>: <message>\n", formatted on the stack;
 * no filter at run time (CPJ_CONFIG_LOG_LEVEL decides what is compiled). */
#if CPJ_CONFIG_LOG_LEVEL > 0
void
cpj_port_log(int level, const char *fmt, ...)
{
	static const char *const pre[] = { "cpjob: log: ", "cpjob: error: ",
		"cpjob: warning: ", "cpjob: info: ", "cpjob: debug: " };
	char line[LOG_LINE + 24];     /* prefix (16 at most) + message + '\n' */
	va_list ap;
	size_t off;
	ssize_t n;
	int r, saved;

	if (fmt == NULL)
		return;
	saved = errno;                /* logging leaves errno as it was */
	level = level >= 1 && level <= 4 ? level : 0;
	off = strlen(pre[level]);
	memcpy(line, pre[level], off);
	va_start(ap, fmt);
	r = cpj_port_fmt(line + off, LOG_LINE, fmt, ap);
	va_end(ap);
	if (r < 0) {
		memcpy(line + off, "(unformattable)", 15);
		r = 15;
	} else if (r >= LOG_LINE) {   /* cut, and say so */
		r = LOG_LINE - 1;
		memcpy(line + off + r - 3, "...", 3);
	}
	off += (size_t)r;
	line[off++] = '\n';
	/* PORTER: the whole line to the console in one call (UART driver,
	 * SEGGER RTT, a ring buffer a task drains), so that the lines of
	 * several tasks stay apart. Here: stderr, failure ignored. */
	n = write(2, line, off);
	(void)n;
	errno = saved;
}
#else
/* no log text in the library (CPJ_CONFIG_LOG_LEVEL 0): nothing to log */
void
cpj_port_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}
#endif

/* ---- files (CPJ_PORT_FILE) ---------------------------------------------- */

/* see cpj_port_impl.h */
int
cpj_port_file_read(const char *path, void *buf, size_t cap,
	int (*sink)(void *arg, const void *data, size_t len), void *arg)
{
	ssize_t n;
	int fd, rc = 0;

	if (path == NULL || buf == NULL || cap == 0 || sink == NULL)
		return CPJ_ERR_PARAM;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return CPJ_ERR_IO;
	for (;;) {
		n = read(fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				rc = CPJ_ERR_IO;
			break;
		}
		if ((rc = sink(arg, buf, (size_t)n)) < 0)
			break;
		rc = 0;
	}
	close(fd);
	return rc;
}
