/*
 * port_posix.c -- the POSIX port (Linux with glibc or musl) of cpj_port.h.
 *
 * Sockets: getaddrinfo(), then a non-blocking connect() per address bounded
 * by poll(), then back to blocking mode with TCP_NODELAY; send/recv block
 * with SO_SNDTIMEO/SO_RCVTIMEO, set only when the requested timeout differs
 * from the one in force. SIGPIPE is avoided with MSG_NOSIGNAL; EINTR is
 * retried everywhere (with the time already spent deducted).
 *
 * Heap: none here. The libc resolver behind getaddrinfo() allocates (the
 * result list, and NSS modules on glibc); that memory is freed by
 * freeaddrinfo() before cpj_port_sock_connect() returns. It is the only
 * heap use of a program built on libcpjob with this port (the static
 * agent serves it from a fixed pool: src/agent/libc_pool.c).
 *
 * Resolution cannot be interrupted: getaddrinfo() follows the resolver's
 * own timeouts (resolv.conf "options timeout:N attempts:N"), so the
 * connect deadline covers it only after the fact.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cpj.h"
#include "../common/port_fmt.h"

/* ---- time ------------------------------------------------------------- */

static uint64_t
mono_ms64(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* see cpj_port.h */
int64_t
cpj_port_time_unix(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec;
}

/* see cpj_port.h */
uint32_t
cpj_port_time_ms(void)
{
	return (uint32_t)mono_ms64();
}

/* see cpj_port.h */
void
cpj_port_sleep_ms(uint32_t ms)
{
	struct timespec ts;

	/* One nanosleep(): a signal ends it early, as the contract allows,
	 * so that a stop request is seen at once. */
	ts.tv_sec = (time_t)(ms / 1000u);
	ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/* Milliseconds left of `total` since `start` (mono_ms64), 0 when spent. */
static uint32_t
left_ms(uint64_t start, uint32_t total)
{
	uint64_t el;

	el = mono_ms64() - start;
	return el >= total ? 0 : (uint32_t)(total - el);
}

/* ---- errors ----------------------------------------------------------- */

static int
map_errno(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return CPJ_ERR_NET_REFUSED;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
		return CPJ_ERR_NET_RESET;
	default:
		return CPJ_ERR_NET_IO;
	}
}

/* ---- sockets ---------------------------------------------------------- */

/* The descriptor of an open socket (fd1 holds it plus one, so that a
 * zeroed struct reads as closed and never closes descriptor 0). */
#define SOCK_FD(sock) ((sock)->fd1 - 1)

/* see cpj_port.h */
void
cpj_port_sock_init(struct cpj_port_sock *sock)
{
	sock->fd1 = 0;
	sock->rcv_timeout = 0;
	sock->snd_timeout = 0;
}

/* see cpj_port.h */
void
cpj_port_sock_close(struct cpj_port_sock *sock)
{
	if (sock == NULL)
		return;
	/* Linux releases the descriptor even when close() reports EINTR:
	 * never retry. */
	if (sock->fd1 > 0)
		(void)close(SOCK_FD(sock));
	cpj_port_sock_init(sock);
}

/*
 * Connect `fd` (non-blocking) to one address within `ms`.
 * Returns 0, CPJ_ERR_TIMEOUT, CPJ_ERR_NET_REFUSED or CPJ_ERR_NET_CONNECT.
 */
static int
connect_one(int fd, const struct sockaddr *sa, socklen_t salen, uint32_t ms)
{
	struct pollfd pfd;
	uint64_t start;
	uint32_t left;
	struct sockaddr_storage peer;
	socklen_t elen;
	char one;
	int r, err;

	start = mono_ms64();
	if (connect(fd, sa, salen) == 0)
		return 0;
	/* EINTR: the connection attempt goes on asynchronously. */
	if (errno != EINPROGRESS && errno != EINTR)
		return errno == ECONNREFUSED ? CPJ_ERR_NET_REFUSED
		    : CPJ_ERR_NET_CONNECT;
	for (;;) {
		left = left_ms(start, ms);
		if (left == 0)
			return CPJ_ERR_TIMEOUT;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return CPJ_ERR_NET_CONNECT;
		}
		if (r == 0)
			continue;       /* the next turn reports the timeout */
		break;
	}
	/*
	 * Connected? getpeername() says so. If not, the pending error is
	 * read through errno (a one-byte read() reports it) rather than
	 * getsockopt(SO_ERROR), whose value some emulators (qemu-user for
	 * MIPS) hand back untranslated; reading it either way consumes it.
	 */
	elen = sizeof peer;
	if (getpeername(fd, (struct sockaddr *)&peer, &elen) == 0)
		return 0;
	if (errno != ENOTCONN)
		return CPJ_ERR_NET_CONNECT;
	do {
		r = (int)read(fd, &one, 1);
	} while (r < 0 && errno == EINTR);
	err = r < 0 ? errno : 0;
	return err == ECONNREFUSED ? CPJ_ERR_NET_REFUSED : CPJ_ERR_NET_CONNECT;
}

/* Decimal text of a port number into s[6]. */
static void
port_text(char *s, uint16_t port)
{
	char t[6];
	size_t n, i;

	n = 0;
	do {
		t[n++] = (char)('0' + port % 10);
		port /= 10;
	} while (port != 0);
	for (i = 0; i < n; i++)
		s[i] = t[n - 1 - i];
	s[n] = '\0';
}

/* see cpj_port.h */
int
cpj_port_sock_connect(struct cpj_port_sock *sock, const char *host,
	uint16_t port, uint32_t timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	char serv[6];
	uint64_t start;
	uint32_t left, slice;
	size_t hlen;
	int fd, r, best, flags, one;

	if (sock == NULL)
		return CPJ_ERR_PARAM;
	cpj_port_sock_init(sock);
	if (host == NULL || port == 0 || timeout_ms == 0)
		return CPJ_ERR_PARAM;
	for (hlen = 0; hlen <= CPJ_HOST_MAX && host[hlen] != '\0'; hlen++)
		;
	if (hlen == 0 || hlen > CPJ_HOST_MAX)
		return CPJ_ERR_PARAM;

	start = mono_ms64();
	port_text(serv, port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV;
	res = NULL;
	if (getaddrinfo(host, serv, &hints, &res) != 0 || res == NULL) {
		if (res != NULL)
			freeaddrinfo(res);
		return CPJ_ERR_NET_RESOLVE;
	}

	/*
	 * Try each address. All but the last get at most half of the time
	 * left, so one black-holed address (often an IPv6 route that goes
	 * nowhere) cannot use up the whole budget.
	 */
	best = CPJ_ERR_NET_CONNECT;
	fd = -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		left = left_ms(start, timeout_ms);
		if (left == 0) {
			best = CPJ_ERR_TIMEOUT;
			break;
		}
		slice = ai->ai_next != NULL && left > 1 ? left / 2 : left;
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		r = connect_one(fd, ai->ai_addr, ai->ai_addrlen, slice);
		if (r == 0)
			break;
		(void)close(fd);
		fd = -1;
		/* Keep the most telling failure: refused, then timeout. */
		if (r == CPJ_ERR_NET_REFUSED || best == CPJ_ERR_NET_CONNECT)
			best = r;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return best;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		(void)close(fd);
		return CPJ_ERR_NET_CONNECT;
	}
	one = 1;
	/* Best effort: a failure costs latency, not correctness. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	sock->fd1 = fd + 1;
	return 0;
}

/*
 * Make `ms` (> 0) the timeout of `opt` (SO_RCVTIMEO or SO_SNDTIMEO) unless
 * it already is. Returns 0 or CPJ_ERR_NET_IO.
 */
static int
set_timeout(int fd, int opt, uint32_t *cur, uint32_t ms)
{
	struct timeval tv;

	if (*cur == ms)
		return 0;
	tv.tv_sec = (time_t)(ms / 1000u);
	tv.tv_usec = (suseconds_t)((ms % 1000u) * 1000u);
	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) != 0) {
		*cur = 0;
		return CPJ_ERR_NET_IO;
	}
	*cur = ms;
	return 0;
}

/*
 * One send or recv with a timeout. `out` selects send. Returns bytes moved,
 * 0 on timeout, or a negative code.
 */
static int
xfer(struct cpj_port_sock *sock, unsigned char *rbuf,
	const unsigned char *sbuf, size_t len, uint32_t timeout_ms, int out)
{
	uint64_t start;
	uint32_t ms;
	ssize_t n;
	int flags, r;

	if (sock == NULL || sock->fd1 <= 0)
		return CPJ_ERR_NET_IO;
	if (len == 0)
		return 0;
	if (len > INT32_MAX)
		len = INT32_MAX;
	start = mono_ms64();
	ms = timeout_ms;
	for (;;) {
		/* SO_*TIMEO 0 means "wait forever": 0 is a non-blocking try. */
		flags = out ? MSG_NOSIGNAL : 0;
		if (ms == 0) {
			flags |= MSG_DONTWAIT;
		} else {
			r = out ? set_timeout(SOCK_FD(sock), SO_SNDTIMEO,
			    &sock->snd_timeout, ms)
			    : set_timeout(SOCK_FD(sock), SO_RCVTIMEO,
			    &sock->rcv_timeout, ms);
			if (r < 0)
				return r;
		}
		n = out ? send(SOCK_FD(sock), sbuf, len, flags)
		    : recv(SOCK_FD(sock), rbuf, len, flags);
		if (n > 0)
			return (int)n;
		if (n == 0)
			return out ? 0 : CPJ_ERR_NET_CLOSED;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != EINTR)
			return map_errno(errno);
		/* Interrupted: go on with what is left of the timeout. */
		if (ms == 0)
			continue;
		ms = left_ms(start, timeout_ms);
		if (ms == 0)
			return 0;
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

/* see cpj_port.h */
int
cpj_port_sock_idle_ok(struct cpj_port_sock *sock)
{
	unsigned char c;
	ssize_t n;

	if (sock == NULL || sock->fd1 <= 0)
		return 0;
	do {
		n = recv(SOCK_FD(sock), &c, 1, MSG_PEEK | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	/* EOF (0), pending data (1) or an error other than "nothing yet". */
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* ---- entropy ---------------------------------------------------------- */

static int
urandom_read(unsigned char *p, size_t len)
{
	ssize_t n;
	int fd;

	do {
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return CPJ_ERR_IO;
	while (len > 0) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			(void)close(fd);
			return CPJ_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	(void)close(fd);
	return 0;
}

/* see cpj_port.h */
int
cpj_port_entropy(void *buf, size_t len)
{
	unsigned char *p;
	size_t chunk;
	long n;

	if (buf == NULL && len != 0)
		return CPJ_ERR_PARAM;
	p = buf;
#if defined(SYS_getrandom)
	/*
	 * getrandom() through syscall(): works with every libc that has the
	 * number, including those without a getrandom() wrapper. It blocks
	 * only until the kernel pool is first seeded.
	 */
	while (len > 0) {
		chunk = len > 33554431u ? 33554431u : len;
		n = syscall(SYS_getrandom, p, chunk, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS)
				return urandom_read(p, len);
			return CPJ_ERR_IO;
		}
		if (n == 0)
			return CPJ_ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
#else
	(void)chunk;
	(void)n;
	return urandom_read(p, len);
#endif
}

/* ---- log -------------------------------------------------------------- */

#define LOG_LINE 512

static cpj_port_log_sink log_sink;
static int log_level = 4;

/* see cpj_port_impl.h */
void
cpj_port_log_set_sink(cpj_port_log_sink sink)
{
	log_sink = sink;
}

/* see cpj_port_impl.h */
void
cpj_port_log_set_level(int level)
{
	log_level = level;
}

#if CPJ_CONFIG_LOG_LEVEL > 0
static size_t
put(char *d, size_t off, size_t cap, const char *s)
{
	while (*s != '\0' && off < cap)
		d[off++] = *s++;
	return off;
}

/* see cpj_port.h */
void
cpj_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		"log", "error", "warning", "info", "debug"
	};
	char line[LOG_LINE + 24];
	char *msg;
	va_list ap;
	size_t off, len;
	ssize_t n;
	int r, saved;

	if (level > log_level || fmt == NULL)
		return;
	saved = errno;
	off = put(line, 0, 24, "cpjob: ");
	off = put(line, off, 24,
	    names[level >= 1 && level <= 4 ? level : 0]);
	off = put(line, off, 24, ": ");
	msg = line + off;
	va_start(ap, fmt);
	r = cpj_port_fmt(msg, LOG_LINE, fmt, ap);
	va_end(ap);
	if (r < 0) {
		len = put(msg, 0, LOG_LINE - 1, "(unformattable log message)");
		msg[len] = '\0';
	} else if ((size_t)r >= LOG_LINE) {
		/* Cut, and say so. */
		memcpy(msg + LOG_LINE - 4, "...", 4);
		len = LOG_LINE - 1;
	} else {
		len = (size_t)r;
	}
	if (log_sink != NULL) {
		log_sink(level, msg);
		errno = saved;
		return;
	}
	msg[len] = '\n';
	len += off + 1;
	off = 0;
	while (off < len) {
		n = write(2, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	errno = saved;
}
#else
/* see cpj_port.h: the library was built without log text (a profile with
 * CPJ_CONFIG_LOG_LEVEL 0) and logs nothing; neither does the port, which
 * then links no formatter. */
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
