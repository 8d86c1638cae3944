/*
 * run_handler.c -- running the handler: a process group of its own, a
 * clean environment, stdout and stderr relayed to the log through pipes
 * (the tail of stderr kept for the failure message), a time limit, and
 * the agent's stop request.
 *
 * The handler gets SIGTERM on timeout or stop, and its whole process
 * group SIGKILL `grace` seconds later; whatever is left of the group is
 * killed when the handler itself exits. On Linux it also dies with the
 * agent (PR_SET_PDEATHSIG), and a restarted agent kills a group a killed
 * agent left behind (run_handler_kill_stale).
 */
#define _GNU_SOURCE 1 /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "run.h"

#define LINE_CUT   400          /* longest relayed line */
#define DRAIN_MS  2000          /* output read after the handler exits */

struct stream {
	int fd;
	const char *name;
	/* a line, and past LINE_CUT the first bytes of what follows */
	char line[LINE_CUT + RUN_LOG_CARRY];
	size_t len;
	/* when line[] continues a cut line: the bytes before it */
	char before[RUN_LOG_CARRY];
	size_t nbefore;
};

static struct stream out_s, err_s;
static int out_pipe[2], err_pipe[2], exec_pipe[2];
static char ring[RUN_TAIL_MAX * 4];
static size_t ring_pos, ring_len;

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

#if defined(__linux__) && defined(SYS_getdents64)
/* Close the descriptors /proc/self/fd lists from `low` up, except
 * `keep`: whatever their numbers (one above the limit, inherited or
 * opened before the limit was lowered, too). 0, or -1 when /proc cannot
 * be read. */
static int
close_listed(int low, int keep)
{
	static char b[4096];        /* (the child's copy) */
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n, off;

	if (dfd < 0)
		return -1;
	/* closing while reading is safe: the directory is read in fd
	 * order, from the number where the last read stopped */
	while ((n = syscall(SYS_getdents64, dfd, b, sizeof b)) > 0) {
		for (off = 0; off + 19 < n; ) {
			unsigned short reclen;
			const char *name = b + off + 19;
			long fd = 0;

			memcpy(&reclen, b + off + 16, sizeof reclen);
			if (reclen < 20 || off + reclen > n)
				break;
			for (; *name >= '0' && *name <= '9' && fd < 1L << 30;
			    name++)
				fd = fd * 10 + (*name - '0');
			if (*name == '\0' && name != b + off + 19 && fd >= low
			    && fd != keep && fd != dfd)
				(void)close((int)fd);
			off += reclen;
		}
	}
	(void)close(dfd);
	return n == 0 ? 0 : -1;
}
#endif

/* Close every descriptor from `low` up, except `keep`: close_range(),
 * else as /proc/self/fd lists them, else each number below the limit
 * (at most 2^20: fs.nr_open's default, the most descriptors a process
 * may have unless root raised it). */
static void
close_from(int low, int keep)
{
	struct rlimit rl;
	long fd, max = 1L << 20;

#ifdef SYS_close_range
	if ((keep <= low || syscall(SYS_close_range, (unsigned)low,
	    (unsigned)keep - 1, 0) == 0) && syscall(SYS_close_range,
	    (unsigned)(keep < low ? low : keep + 1), ~0u, 0) == 0)
		return;
#endif
#if defined(__linux__) && defined(SYS_getdents64)
	if (close_listed(low, keep) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    && (long)rl.rlim_cur < max)
		max = (long)rl.rlim_cur;
	for (fd = low; fd < max; fd++) {
		if (fd != keep)
			(void)close((int)fd);
	}
}

/* In the child: never returns. */
static void
child(const char *exec, char *const envp[], const char *cwd, pid_t parent)
{
	char *argv[2];
	struct sigaction sa;
	sigset_t none;
	int fd, e, sig;

	(void)setpgid(0, 0);
#ifdef __linux__
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);     /* the agent died before the line above */
#else
	(void)parent;
#endif
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out_pipe[1], 1) < 0
	    || dup2(err_pipe[1], 2) < 0)
		goto fail;
	/* nothing else of the agent's leaks into the handler: sockets,
	 * the state-file lock, the work directory */
	close_from(3, exec_pipe[1]);
	if (chdir(cwd) != 0)
		goto fail;
	argv[0] = (char *)(uintptr_t)exec;
	argv[1] = NULL;
	execve(exec, argv, envp);
fail:
	e = errno;
	while (write(exec_pipe[1], &e, sizeof e) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* see run.h */
int
run_handler_start(struct run_handler *h, const char *exec,
	char *const envp[], const char *cwd)
{
	pid_t parent = getpid(), pid;
	int e = 0;
	ssize_t n;

	memset(h, 0, sizeof *h);
	h->status = -1;
	out_pipe[0] = out_pipe[1] = err_pipe[0] = err_pipe[1] = -1;
	exec_pipe[0] = exec_pipe[1] = -1;
	if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0
	    || pipe2(exec_pipe, O_CLOEXEC) != 0) {
		h->spawn_errno = errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		h->spawn_errno = errno;
		goto fail;
	}
	if (pid == 0)
		child(exec, envp, cwd, parent);
	/* set the group from this side too: no race with kill(-pid) */
	(void)setpgid(pid, pid);
	h->pid = (long)pid;
	close_fd(&out_pipe[1]);
	close_fd(&err_pipe[1]);
	close_fd(&exec_pipe[1]);
	do {
		n = read(exec_pipe[0], &e, sizeof e);
	} while (n < 0 && errno == EINTR);
	close_fd(&exec_pipe[0]);
	if (n == (ssize_t)sizeof e) {
		int st;

		h->spawn_errno = e;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		h->pid = 0;
		goto fail;
	}
	out_s.fd = out_pipe[0];
	out_s.name = "stdout";
	out_s.len = 0;
	err_s.fd = err_pipe[0];
	err_s.name = "stderr";
	err_s.len = 0;
	ring_pos = ring_len = 0;
	return 0;
fail:
	close_fd(&out_pipe[0]);
	close_fd(&out_pipe[1]);
	close_fd(&err_pipe[0]);
	close_fd(&err_pipe[1]);
	close_fd(&exec_pipe[0]);
	close_fd(&exec_pipe[1]);
	return -1;
}

/* Log the first LINE_CUT bytes of a longer line; the rest starts the
 * next. The bytes on each side of the cut go with each half, unshown:
 * a secret across the cut is masked in both (run.h, run_log_relayed). */
static void
cut_line(struct stream *s)
{
	size_t rest = s->len - LINE_CUT;

	run_log_relayed(RUN_LOG_INFO, s->name, s->before, s->nbefore,
	    s->line, LINE_CUT, s->line + LINE_CUT, rest, 1);
	memcpy(s->before, s->line + LINE_CUT - RUN_LOG_CARRY, RUN_LOG_CARRY);
	s->nbefore = RUN_LOG_CARRY;
	memmove(s->line, s->line + LINE_CUT, rest);
	s->len = rest;
}

/* The line ended (newline, end of the output). */
static void
end_line(struct stream *s)
{
	if (s->len > LINE_CUT)
		cut_line(s);
	if (s->len > 0 || s->nbefore == 0)
		run_log_relayed(RUN_LOG_INFO, s->name, s->before, s->nbefore,
		    s->line, s->len, NULL, 0, 0);
	s->nbefore = 0;
	s->len = 0;
}

static void
relay(struct stream *s, const unsigned char *p, size_t n)
{
	size_t i;

	if (s == &err_s) {
		for (i = 0; i < n; i++) {
			ring[ring_pos] = (char)p[i];
			ring_pos = (ring_pos + 1) % sizeof ring;
			if (ring_len < sizeof ring)
				ring_len++;
		}
	}
	for (i = 0; i < n; i++) {
		char c = (char)p[i];

		if (c == '\n') {
			end_line(s);
			continue;
		}
		if (c == '\r')
			continue;
		if ((unsigned char)c < 0x20 && c != '\t')
			c = ' ';
		s->line[s->len++] = c;
		/* cut once the bytes after the cut are in */
		if (s->len == sizeof s->line)
			cut_line(s);
	}
}

/* Read what is there; closes the stream at EOF or error. */
static void
pump(struct stream *s)
{
	static unsigned char b[4096];
	ssize_t n;

	if (s->fd < 0)
		return;
	n = read(s->fd, b, sizeof b);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (s->len > 0)
			end_line(s);
		close_fd(&s->fd);
		return;
	}
	relay(s, b, (size_t)n);
}

/* The kept stderr bytes, oldest first, into h->tail. */
static void
take_tail(struct run_handler *h)
{
	size_t start = (ring_pos + sizeof ring - ring_len) % sizeof ring, i;

	for (i = 0; i < ring_len; i++)
		h->tail[i] = ring[(start + i) % sizeof ring];
	h->tail[ring_len] = '\0';
	h->tail_len = ring_len;
	/* what the handler printed may hold secrets: keep no copy of it
	 * beyond h->tail (which the caller masks) */
	cpj_wipe(ring, sizeof ring);
	cpj_wipe(out_s.line, sizeof out_s.line);
	cpj_wipe(err_s.line, sizeof err_s.line);
	cpj_wipe(out_s.before, sizeof out_s.before);
	cpj_wipe(err_s.before, sizeof err_s.before);
	out_s.nbefore = err_s.nbefore = 0;
}

/* see run.h */
void
run_handler_wait(struct run_handler *h, uint32_t timeout_s, uint32_t grace_s)
{
	uint64_t start = run_now_ms(), now, kill_at = 0, drain_until = 0;
	uint64_t deadline = timeout_s > 0 ? start + (uint64_t)timeout_s * 1000
	    : 0;
	pid_t pid = (pid_t)h->pid;
	int exited = 0, termed = 0, killed = 0;
	uint64_t nap = 2;

	while (!exited || out_s.fd >= 0 || err_s.fd >= 0) {
		struct pollfd pf[2];
		int np = 0, wait_ms = 1000, r;

		run_notify_tick();      /* however long the handler runs */
		now = run_now_ms();
		if (!exited && !termed && (run_stopping() || (deadline != 0
		    && now >= deadline))) {
			if (run_stopping()) {
				h->stopped = 1;
				LOG_W("stopping: terminating the handler "
				    "(process group %ld)", (long)pid);
			} else {
				h->timed_out = 1;
				LOG_W("handler timed out after %u s: "
				    "terminating it", (unsigned)timeout_s);
			}
			(void)kill(-pid, SIGTERM);
			termed = 1;
			kill_at = now + (uint64_t)grace_s * 1000;
		}
		if (termed && !killed && now >= kill_at) {
			LOG_W("handler still running %u s after SIGTERM: "
			    "SIGKILL", (unsigned)grace_s);
			(void)kill(-pid, SIGKILL);
			killed = 1;
		}
		if (exited && now >= drain_until) {
			/* something of the group still holds the pipes */
			if (out_s.len > 0)
				end_line(&out_s);
			if (err_s.len > 0)
				end_line(&err_s);
			close_fd(&out_s.fd);
			close_fd(&err_s.fd);
			break;
		}
		if (!exited) {
			siginfo_t si;

			memset(&si, 0, sizeof si);
			/* WNOWAIT: the zombie keeps the pid (and so the
			 * group id) from being reused until the group is
			 * killed */
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG
			    | WNOWAIT) == 0 && si.si_pid == pid) {
				int st = 0;

				(void)kill(-pid, SIGKILL);
				while (waitpid(pid, &st, 0) < 0
				    && errno == EINTR)
					;
				exited = 1;
				drain_until = run_now_ms() + DRAIN_MS;
				if (WIFEXITED(st)) {
					h->status = WEXITSTATUS(st);
				} else if (WIFSIGNALED(st)) {
					h->signal = WTERMSIG(st);
				}
				continue;
			}
		}
		if (out_s.fd >= 0) {
			pf[np].fd = out_s.fd;
			pf[np].events = POLLIN;
			pf[np++].revents = 0;
		}
		if (err_s.fd >= 0) {
			pf[np].fd = err_s.fd;
			pf[np].events = POLLIN;
			pf[np++].revents = 0;
		}
		if (deadline != 0 && !termed && deadline > now
		    && deadline - now < (uint64_t)wait_ms)
			wait_ms = (int)(deadline - now);
		if (termed && !killed && kill_at > now
		    && kill_at - now < (uint64_t)wait_ms)
			wait_ms = (int)(kill_at - now);
		if (np == 0) {
			/* both outputs closed: the handler is exiting, or
			 * runs on without them; look again soon, then less
			 * often */
			(void)run_sleep_ms(nap);
			if (nap < 200)
				nap *= 2;
			continue;
		}
		/* pipes close at exit, which wakes us; otherwise check the
		 * process every few hundred milliseconds */
		if (!exited && wait_ms > 250)
			wait_ms = 250;
		r = poll(pf, (nfds_t)np, (int)run_notify_slice_ms(
		    (uint64_t)wait_ms));
		if (r <= 0)
			continue;
		np = 0;
		if (out_s.fd >= 0 && pf[np++].revents != 0)
			pump(&out_s);
		if (err_s.fd >= 0 && pf[np].revents != 0)
			pump(&err_s);
	}
	h->ms = run_now_ms() - start;
	take_tail(h);
}

/* see run.h */
void
run_handler_kill_stale(const struct run_state *st)
{
	unsigned long long start;
	char boot[40];

	if (st->handler_pid <= 1)
		return;
	if (run_boot_id(boot, sizeof boot) != 0 || strcmp(boot,
	    st->boot_id) != 0)
		return;         /* rebooted since: nothing of it is left */
	if (run_proc_start(st->handler_pid, &start) == 0) {
		if (start != st->handler_start)
			return; /* the pid is someone else's now */
	} else if (kill(-(pid_t)st->handler_pid, 0) != 0) {
		return;         /* neither the handler nor its group is left */
	}
	/* else the handler died with the agent (PR_SET_PDEATHSIG) but
	 * processes it started are left in its group, which keeps the
	 * group id from being reused */
	LOG_W("killing handler process group %ld left by the previous run",
	    st->handler_pid);
	(void)kill(-(pid_t)st->handler_pid, SIGKILL);
}
