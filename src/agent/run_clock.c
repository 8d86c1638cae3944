/*
 * run_clock.c -- the worker's clock, sleeps, backoff and stop signals.
 *
 * Every wait of `cpjob run` goes through run_sleep_ms(), so that SIGTERM
 * ends it at once and the systemd watchdog is pinged while it lasts
 * (slices of run_notify_slice_ms()); every retry delay through
 * run_backoff_ms().
 */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

static volatile sig_atomic_t stop_asked;
static volatile sig_atomic_t signals_seen;

/* see run.h */
uint64_t
run_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* see run.h */
int
run_sleep_ms(uint64_t ms)
{
	uint64_t end = run_now_ms() + ms;

	while (!stop_asked) {
		uint64_t now = run_now_ms(), d;
		struct timespec ts;

		run_notify_tick();
		if (now >= end)
			return 0;
		d = run_notify_slice_ms(end - now);
		ts.tv_sec = (time_t)(d / 1000u);
		ts.tv_nsec = (long)(d % 1000u) * 1000000L;
		(void)nanosleep(&ts, NULL);     /* a signal ends it early */
	}
	return 1;
}

/* see run.h */
uint32_t
run_random32(void)
{
	uint32_t r = 0;

	if (cpj_port_entropy(&r, sizeof r) < 0)
		r = (uint32_t)run_now_ms() * 2654435761u;
	return r;
}

/* see run.h */
uint64_t
run_backoff_ms(uint64_t base, unsigned errors, uint64_t cap)
{
	uint64_t d = base;
	unsigned i;

	if (d < 2)
		d = 2;
	for (i = 0; i < errors && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d / 2 + run_random32() % (d / 2 + 1);
}

static void
on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
	if (++signals_seen >= 3) {
		/* asked three times: go now (the state file keeps the job) */
		static const char m[] = "cpjob: stopping at once\n";

		(void)!write(2, m, sizeof m - 1);
		_exit(1);
	}
}

/* see run.h */
int
run_stopping(void)
{
	return stop_asked != 0;
}

/* see run.h */
void
run_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sa.sa_flags = 0;        /* no SA_RESTART: sleeps and polls wake up */
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}
