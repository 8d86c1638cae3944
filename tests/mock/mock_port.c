/*
 * mock_port.c -- scripted port for unit tests (see mock_port.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mock_port.h"

#define FAIL_QUEUE 8
#define WALL_START 1440938160
#define MONO_START 1000u

struct conn {
	const unsigned char *reply;
	size_t len, pos;
	int has_fault, fault_err;
	size_t fault_off;
	int has_stall;
	size_t stall_off;
	uint32_t trickle_ms, trickle_left;
	size_t trickle_off;     /* the trickle starts at this offset */
	int close_when_idle;
	int has_sfault, sfault_err;
	size_t sfault_off;
	unsigned char sent[MOCK_PORT_SENT_MAX];
	size_t sent_len, sent_total;
	unsigned recv_calls, send_calls;
	uint32_t last_timeout;
	char host[CPJ_HOST_MAX + 1];
	uint16_t port;
};

static struct {
	struct conn c[MOCK_PORT_CONNS_MAX];
	int nconns, next;
	size_t chunk, send_max;
	int fail[FAIL_QUEUE];
	int nfail;
	unsigned connects, closes, misuse, sleeps;
	uint64_t slept_ms;
	uint32_t last_connect_timeout;
	uint32_t mono;
	int64_t wall;
	uint32_t wall_ms;
	uint64_t entropy_ctr;
	int entropy_fail;
	char log[MOCK_PORT_LOG_MAX + 1];
	size_t log_len;
} m;

static int initialised;

static void
misuse(const char *what)
{
	m.misuse++;
	fprintf(stderr, "mock_port: contract broken: %s\n", what);
}

static void
ensure_init(void)
{
	if (!initialised)
		mock_port_reset();
}

void
mock_port_reset(void)
{
	memset(&m, 0, sizeof m);
	m.mono = MONO_START;
	m.wall = WALL_START;
	initialised = 1;
}

static struct conn *
conn_at(int i)
{
	ensure_init();
	if (i < 0 || i >= m.nconns)
		return NULL;
	return &m.c[i];
}

int
mock_port_add_conn(const void *reply, size_t len)
{
	struct conn *c;

	ensure_init();
	if (m.nconns >= MOCK_PORT_CONNS_MAX)
		return -1;
	c = &m.c[m.nconns];
	c->reply = reply;
	c->len = reply != NULL ? len : 0;
	return m.nconns++;
}

void
mock_port_set_chunk(size_t max)
{
	ensure_init();
	m.chunk = max;
}

void
mock_port_set_send_max(size_t max)
{
	ensure_init();
	m.send_max = max;
}

void
mock_port_fail_connect(int err)
{
	ensure_init();
	if (m.nfail < FAIL_QUEUE)
		m.fail[m.nfail++] = err;
}

void
mock_port_fault_at(int conn, size_t offset, int err)
{
	struct conn *c = conn_at(conn);

	if (c == NULL)
		return;
	c->has_fault = 1;
	c->fault_off = offset;
	c->fault_err = err;
}

void
mock_port_stall_at(int conn, size_t offset)
{
	struct conn *c = conn_at(conn);

	if (c == NULL)
		return;
	c->has_stall = 1;
	c->stall_off = offset;
}

void
mock_port_trickle(int conn, uint32_t ms_per_byte)
{
	mock_port_trickle_from(conn, 0, ms_per_byte);
}

void
mock_port_trickle_from(int conn, size_t offset, uint32_t ms_per_byte)
{
	struct conn *c = conn_at(conn);

	if (c == NULL)
		return;
	c->trickle_ms = ms_per_byte;
	c->trickle_left = ms_per_byte;
	c->trickle_off = offset;
}

void
mock_port_close_when_idle(int conn)
{
	struct conn *c = conn_at(conn);

	if (c != NULL)
		c->close_when_idle = 1;
}

void
mock_port_send_fault_at(int conn, size_t offset, int err)
{
	struct conn *c = conn_at(conn);

	if (c == NULL)
		return;
	c->has_sfault = 1;
	c->sfault_off = offset;
	c->sfault_err = err;
}

const unsigned char *
mock_port_sent(int conn, size_t *len)
{
	struct conn *c = conn_at(conn);

	if (c == NULL) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (len != NULL)
		*len = c->sent_len;
	return c->sent;
}

size_t
mock_port_sent_total(int conn)
{
	struct conn *c = conn_at(conn);

	return c != NULL ? c->sent_total : 0;
}

unsigned
mock_port_connects(void)
{
	ensure_init();
	return m.connects;
}

unsigned
mock_port_closes(void)
{
	ensure_init();
	return m.closes;
}

unsigned
mock_port_recv_calls(int conn)
{
	struct conn *c = conn_at(conn);

	return c != NULL ? c->recv_calls : 0;
}

unsigned
mock_port_send_calls(int conn)
{
	struct conn *c = conn_at(conn);

	return c != NULL ? c->send_calls : 0;
}

size_t
mock_port_recv_offset(int conn)
{
	struct conn *c = conn_at(conn);

	return c != NULL ? c->pos : 0;
}

uint32_t
mock_port_last_timeout(int conn)
{
	struct conn *c = conn_at(conn);

	return c != NULL ? c->last_timeout : 0;
}

uint32_t
mock_port_last_connect_timeout(void)
{
	ensure_init();
	return m.last_connect_timeout;
}

const char *
mock_port_host(int conn)
{
	struct conn *c = conn_at(conn);

	return c != NULL ? c->host : "";
}

uint16_t
mock_port_port(int conn)
{
	struct conn *c = conn_at(conn);

	return c != NULL ? c->port : 0;
}

unsigned
mock_port_misuse(void)
{
	ensure_init();
	return m.misuse;
}

unsigned
mock_port_sleeps(void)
{
	ensure_init();
	return m.sleeps;
}

uint64_t
mock_port_slept_ms(void)
{
	ensure_init();
	return m.slept_ms;
}

void
mock_port_advance_ms(uint32_t ms)
{
	ensure_init();
	m.mono += ms;
	m.wall += ms / 1000u;
	m.wall_ms += ms % 1000u;
	if (m.wall_ms >= 1000u) {
		m.wall++;
		m.wall_ms -= 1000u;
	}
}

void
mock_port_set_time_unix(int64_t t)
{
	ensure_init();
	m.wall = t;
	m.wall_ms = 0;
}

void
mock_port_fail_entropy(int on)
{
	ensure_init();
	m.entropy_fail = on;
}

int
mock_port_log_contains(const char *s)
{
	ensure_init();
	if (s == NULL)
		return 0;
	m.log[m.log_len] = '\0';
	return strstr(m.log, s) != NULL;
}

/* ---- the port ----------------------------------------------------------- */

/* The connection behind an open socket, or NULL. */
static struct conn *
sock_conn(struct cpj_port_sock *sock)
{
	if (sock == NULL || sock->fd1 <= 0 || sock->fd1 > m.nconns)
		return NULL;
	return &m.c[sock->fd1 - 1];
}

void
cpj_port_sock_init(struct cpj_port_sock *sock)
{
	sock->fd1 = 0;     /* connection index + 1, as the POSIX port */
	sock->rcv_timeout = 0;
	sock->snd_timeout = 0;
}

void
cpj_port_sock_close(struct cpj_port_sock *sock)
{
	ensure_init();
	if (sock == NULL)
		return;
	if (sock->fd1 > 0)
		m.closes++;
	cpj_port_sock_init(sock);
}

int
cpj_port_sock_connect(struct cpj_port_sock *sock, const char *host,
	uint16_t port, uint32_t timeout_ms)
{
	struct conn *c;
	size_t hlen;
	int err, i;

	ensure_init();
	if (sock == NULL)
		return CPJ_ERR_PARAM;
	if (sock->fd1 > 0 && sock->fd1 <= m.nconns)
		misuse("connect on an open socket");
	cpj_port_sock_init(sock);
	m.last_connect_timeout = timeout_ms;
	if (host == NULL || port == 0 || timeout_ms == 0)
		return CPJ_ERR_PARAM;
	hlen = strlen(host);
	if (hlen == 0 || hlen > CPJ_HOST_MAX)
		return CPJ_ERR_PARAM;
	if (m.nfail > 0) {
		err = m.fail[0];
		for (i = 1; i < m.nfail; i++)
			m.fail[i - 1] = m.fail[i];
		m.nfail--;
		if (err == CPJ_ERR_TIMEOUT)
			mock_port_advance_ms(timeout_ms);
		return err;
	}
	if (m.next >= m.nconns)
		return CPJ_ERR_NET_REFUSED;
	c = &m.c[m.next];
	memcpy(c->host, host, hlen + 1);
	c->port = port;
	sock->fd1 = ++m.next;
	m.connects++;
	return 0;
}

int
cpj_port_sock_send(struct cpj_port_sock *sock, const unsigned char *buf,
	size_t len, uint32_t timeout_ms)
{
	struct conn *c;
	size_t n, room;

	ensure_init();
	c = sock_conn(sock);
	if (c == NULL) {
		misuse("send on a closed socket");
		return CPJ_ERR_NET_IO;
	}
	c->send_calls++;
	c->last_timeout = timeout_ms;
	if (buf == NULL || len == 0 || timeout_ms == 0) {
		misuse("send with NULL buffer, len 0 or timeout 0");
		if (buf == NULL || len == 0)
			return CPJ_ERR_PARAM;
	}
	n = len;
	if (m.send_max != 0 && n > m.send_max)
		n = m.send_max;
	if (c->has_sfault) {
		if (c->sent_total >= c->sfault_off) {
			if (c->sfault_err != 0)
				return c->sfault_err;
			mock_port_advance_ms(timeout_ms);
			return 0;
		}
		if (n > c->sfault_off - c->sent_total)
			n = c->sfault_off - c->sent_total;
	}
	room = MOCK_PORT_SENT_MAX - c->sent_len;
	memcpy(c->sent + c->sent_len, buf, n < room ? n : room);
	c->sent_len += n < room ? n : room;
	c->sent_total += n;
	return (int)n;
}

int
cpj_port_sock_recv(struct cpj_port_sock *sock, unsigned char *buf,
	size_t len, uint32_t timeout_ms)
{
	struct conn *c;
	size_t n;

	ensure_init();
	c = sock_conn(sock);
	if (c == NULL) {
		misuse("recv on a closed socket");
		return CPJ_ERR_NET_IO;
	}
	c->recv_calls++;
	c->last_timeout = timeout_ms;
	if (buf == NULL || len == 0 || timeout_ms == 0) {
		misuse("recv with NULL buffer, len 0 or timeout 0");
		if (buf == NULL || len == 0)
			return CPJ_ERR_PARAM;
	}
	if (c->has_fault && c->pos >= c->fault_off)
		return c->fault_err;
	if (c->has_stall && c->pos >= c->stall_off) {
		mock_port_advance_ms(timeout_ms);
		return 0;
	}
	if (c->pos >= c->len)
		return CPJ_ERR_NET_CLOSED;
	n = c->len - c->pos;
	if (n > len)
		n = len;
	if (m.chunk != 0 && n > m.chunk)
		n = m.chunk;
	if (c->has_fault && n > c->fault_off - c->pos)
		n = c->fault_off - c->pos;
	if (c->has_stall && n > c->stall_off - c->pos)
		n = c->stall_off - c->pos;
	if (c->trickle_ms != 0 && c->pos < c->trickle_off
	    && n > c->trickle_off - c->pos)
		n = c->trickle_off - c->pos;    /* at once up to the trickle */
	if (c->trickle_ms != 0 && c->pos >= c->trickle_off) {
		if (c->trickle_left > timeout_ms) {
			c->trickle_left -= timeout_ms;
			mock_port_advance_ms(timeout_ms);
			return 0;
		}
		mock_port_advance_ms(c->trickle_left);
		c->trickle_left = c->trickle_ms;
		n = 1;
	}
	memcpy(buf, c->reply + c->pos, n);
	c->pos += n;
	return (int)n;
}

int
cpj_port_sock_idle_ok(struct cpj_port_sock *sock)
{
	struct conn *c;

	ensure_init();
	c = sock_conn(sock);
	if (c == NULL)
		return 0;
	if (c->close_when_idle && c->pos >= c->len)
		return 0;
	if (c->has_fault && c->pos >= c->fault_off)
		return 0;
	return 1;
}

int64_t
cpj_port_time_unix(void)
{
	ensure_init();
	return m.wall;
}

uint32_t
cpj_port_time_ms(void)
{
	ensure_init();
	return m.mono;
}

void
cpj_port_sleep_ms(uint32_t ms)
{
	ensure_init();
	m.sleeps++;
	m.slept_ms += ms;
	mock_port_advance_ms(ms);
}

int
cpj_port_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t z = 0;
	size_t i;

	ensure_init();
	if (m.entropy_fail)
		return CPJ_ERR_IO;
	if (buf == NULL && len != 0) {
		misuse("entropy into NULL");
		return CPJ_ERR_PARAM;
	}
	/* splitmix64 over a counter: repeatable, and not constant. */
	for (i = 0; i < len; i++) {
		if (i % 8 == 0) {
			z = (m.entropy_ctr++ + 1) * 0x9e3779b97f4a7c15ull;
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			z ^= z >> 31;
		}
		p[i] = (unsigned char)(z >> (8 * (i % 8)));
	}
	return 0;
}

static void
log_append(const char *s, size_t n)
{
	size_t drop;

	if (n > MOCK_PORT_LOG_MAX) {
		s += n - MOCK_PORT_LOG_MAX;
		n = MOCK_PORT_LOG_MAX;
	}
	if (m.log_len + n > MOCK_PORT_LOG_MAX) {
		drop = m.log_len + n - MOCK_PORT_LOG_MAX;
		memmove(m.log, m.log + drop, m.log_len - drop);
		m.log_len -= drop;
	}
	memcpy(m.log + m.log_len, s, n);
	m.log_len += n;
	m.log[m.log_len] = '\0';
}

void
cpj_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		"log", "error", "warning", "info", "debug"
	};
	char line[2048];
	va_list ap;
	int r;
	size_t n;

	ensure_init();
	if (fmt == NULL) {
		misuse("log with NULL format");
		return;
	}
	va_start(ap, fmt);
	r = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	n = strlen(line);
	line[n++] = '\n';
	line[n] = '\0';
	log_append(line, n);
	fprintf(stderr, "cpjob: %s: %s", names[level >= 1 && level <= 4
	    ? level : 0], line);
}

/* The POSIX port's file reading (CPJ_PORT_FILE), on real files: the
 * worker facade reads a CA bundle given by path with it. */
int
cpj_port_file_read(const char *path, void *buf, size_t cap,
	int (*sink)(void *arg, const void *data, size_t len), void *arg)
{
	FILE *f;
	size_t n;
	int rc = 0;

	if (path == NULL || buf == NULL || cap == 0 || sink == NULL)
		return CPJ_ERR_PARAM;
	if ((f = fopen(path, "rb")) == NULL)
		return CPJ_ERR_IO;
	while ((n = fread(buf, 1, cap, f)) > 0)
		if ((rc = sink(arg, buf, n)) < 0)
			break;
	if (rc == 0 && ferror(f))
		rc = CPJ_ERR_IO;
	fclose(f);
	return rc < 0 ? rc : 0;
}
