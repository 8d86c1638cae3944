/*
 * sup_net.c -- loopback helpers for integration tests (see sup_net.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/sup_net.h"

uint32_t
sup_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000u
	    + (uint64_t)ts.tv_nsec / 1000000u);
}

void
sup_sleep_ms(uint32_t ms)
{
	struct timespec ts, rem;

	ts.tv_sec = ms / 1000u;
	ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

static int
bound_socket(uint16_t *port)
{
	struct sockaddr_in sa;
	socklen_t len;
	int fd, one;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	len = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0
	    || getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

int
sup_listen(uint16_t *port, int backlog)
{
	int fd;

	fd = bound_socket(port);
	if (fd < 0)
		return -1;
	if (listen(fd, backlog) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
sup_closed_port(uint16_t *port)
{
	return bound_socket(port);
}

int
sup_accept(int lfd, uint32_t timeout_ms)
{
	struct pollfd pfd;
	uint32_t start, el;
	int r, fd;

	start = sup_ms();
	for (;;) {
		el = sup_ms() - start;
		if (el >= timeout_ms)
			return -1;
		pfd.fd = lfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(timeout_ms - el));
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0)
			return fd;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

int
sup_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sup_read_full(int fd, void *buf, size_t len, uint32_t timeout_ms)
{
	struct pollfd pfd;
	unsigned char *p = buf;
	uint32_t start, el;
	ssize_t n;
	int r;

	start = sup_ms();
	while (len > 0) {
		el = sup_ms() - start;
		if (el >= timeout_ms)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(timeout_ms - el));
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		n = recv(fd, p, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
sup_close_reset(int fd)
{
	struct linger lg;

	lg.l_onoff = 1;
	lg.l_linger = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
}

pid_t
sup_fork(int (*fn)(void *), void *arg, unsigned timeout_s)
{
	pid_t pid;

	pid = fork();
	if (pid != 0)
		return pid;
	signal(SIGALRM, SIG_DFL);
	alarm(timeout_s);
	_exit(fn(arg) & 0xff);
}

int
sup_wait(pid_t pid, uint32_t timeout_ms)
{
	uint32_t start;
	pid_t r;
	int st;

	if (pid <= 0)
		return -1;
	start = sup_ms();
	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (sup_ms() - start >= timeout_ms) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		sup_sleep_ms(5);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
