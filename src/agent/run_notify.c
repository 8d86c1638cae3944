/*
 * run_notify.c -- telling systemd how the worker is (the sd_notify(3)
 * protocol, without libsystemd).
 *
 * Under a unit of Type=notify, systemd passes $NOTIFY_SOCKET: a datagram
 * socket, a path ("/run/systemd/notify") or an abstract name ("@...").
 * The worker sends "READY=1" once it is set up, "STATUS=..." lines that
 * `systemctl status` shows, "STOPPING=1" when it stops and, when the unit
 * has WatchdogSec= ($WATCHDOG_USEC, for this process unless
 * $WATCHDOG_PID names another), "WATCHDOG=1" every half of that period.
 *
 * Pings come from run_notify_tick() alone, which the main thread calls
 * from the places where it waits (each sleep slice of run_sleep_ms(), the
 * handler's supervision loop, the transfer callbacks, the polling loop):
 * no thread and no timer, so a worker stuck anywhere stops pinging and
 * systemd restarts it. Waits are cut into slices no longer than
 * run_notify_slice_ms() says. Without $NOTIFY_SOCKET every call here
 * does nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "run.h"

#define STATUS_MAX 256

static int sock = -1;
static struct sockaddr_un addr;
static socklen_t addr_len;
static uint64_t every_ms;        /* watchdog ping period; 0: none */
static uint64_t last_ping;       /* run_now_ms() of the last one */
static char status[STATUS_MAX];  /* the last STATUS= sent */

/* Send one datagram; never blocks, never fails the worker. */
static void
send_msg(const char *msg)
{
	if (sock < 0)
		return;
	if (sendto(sock, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
	    (const struct sockaddr *)&addr, addr_len) < 0)
		LOG_D("notify: %s", strerror(errno));
}

/* The watchdog period from $WATCHDOG_USEC and $WATCHDOG_PID: 0 when the
 * unit has none, or it is another process's. */
static uint64_t
watchdog_ms(void)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (us == NULL || *us < '0' || *us > '9')
		return 0;
	errno = 0;
	v = strtoull(us, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return 0;
	if (pid != NULL && *pid != '\0') {
		long p = strtol(pid, &end, 10);

		if (*end != '\0' || p != (long)getpid())
			return 0;
	}
	return v / 1000u > 0 ? v / 1000u : 1;
}

/* see run.h */
void
run_notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t n = path != NULL ? strlen(path) : 0;

	if (n >= 2 && n < sizeof addr.sun_path && (path[0] == '/'
	    || path[0] == '@')) {
		memset(&addr, 0, sizeof addr);
		addr.sun_family = AF_UNIX;
		memcpy(addr.sun_path, path, n);
		if (path[0] == '@')
			addr.sun_path[0] = '\0';    /* abstract: no NUL after */
		addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path)
		    + n + (path[0] == '/'));
		sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sock >= 0)
			every_ms = watchdog_ms() / 2;
	} else if (n > 0) {
		LOG_W("NOTIFY_SOCKET %s: not a socket path or abstract name; "
		    "systemd is not told", path);
	}
	/* neither the handler nor a credential process notifies for us */
	(void)unsetenv("NOTIFY_SOCKET");
	(void)unsetenv("WATCHDOG_USEC");
	(void)unsetenv("WATCHDOG_PID");
	if (every_ms > 0)
		LOG_D("notify: watchdog ping every %llu ms",
		    (unsigned long long)every_ms);
}

/* see run.h */
void
run_notify_status(const char *fmt, ...)
{
	char msg[STATUS_MAX + 8];
	va_list ap;
	size_t i;

	if (sock < 0)
		return;
	memcpy(msg, "STATUS=", 7);
	va_start(ap, fmt);
	(void)fmt_vsnprintf(msg + 7, STATUS_MAX, fmt, ap);
	va_end(ap);
	/* one line, no terminal control (an error text may come from the
	 * network) */
	for (i = 7; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = ' ';
	if (strcmp(msg + 7, status) == 0)
		return;
	memcpy(status, msg + 7, i - 6);
	send_msg(msg);
}

/* see run.h */
void
run_notify_ready(void)
{
	send_msg("READY=1");
	last_ping = run_now_ms();
	if (every_ms > 0)
		send_msg("WATCHDOG=1");
}

/* see run.h */
void
run_notify_tick(void)
{
	uint64_t now;

	if (every_ms == 0)
		return;
	now = run_now_ms();
	if (now - last_ping >= every_ms) {
		last_ping = now;
		send_msg("WATCHDOG=1");
	}
}

/* see run.h */
uint64_t
run_notify_slice_ms(uint64_t ms)
{
	uint64_t now, due;

	if (every_ms == 0)
		return ms;
	now = run_now_ms();
	due = now - last_ping >= every_ms ? 1 : every_ms - (now - last_ping);
	return due < ms ? due : ms;
}

/* see run.h */
void
run_notify_stopping(void)
{
	send_msg("STOPPING=1");
}
