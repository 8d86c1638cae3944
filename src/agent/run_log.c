/*
 * run_log.c -- the worker's log: levels, stderr or syslog, secrets
 * redacted.
 *
 * Each line is formatted into a static buffer and written with one
 * write(2): to stderr as "2025-01-02T03:04:05Z cpjob[pid]: info: ...",
 * or, under systemd (JOURNAL_STREAM set), with a "<N>" priority prefix
 * that journald reads and no timestamp of our own; with --syslog, as a
 * datagram to /dev/log (RFC 3164, facility daemon). syslog(3) is not
 * used: glibc's formats through a heap-allocated memory stream.
 *
 * The library's log lines (cpj_port_log) come here through the port's
 * sink, so they get the same treatment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

#define LINE_MAX_ 1024
/* the worker's secret key and token, the job's, its secret
 * configuration values (--secret-config), and room to spare */
#define SECRETS_MAX (4 + RUN_SECRET_KEYS + 4)
#define REDACTED "[redacted]"

static int level_max = RUN_LOG_INFO;
static int syslog_fd = -1;
static int journal;
static long my_pid;
static const char *secrets[SECRETS_MAX];
static char msgbuf[LINE_MAX_];
static char redbuf[LINE_MAX_];
static char outbuf[LINE_MAX_ + 96];

static const char *const level_names[] = {
	"log", "error", "warning", "info", "debug"
};

/* see run.h */
int
run_log_enabled(int level)
{
	return level <= level_max;
}

/*
 * Secrets are matched by their pieces: the runs of printable bytes
 * (0x20..0x7e) of SECRET_PIECE_MIN or more. A log line holds no control
 * byte (each became a space), and a value of several lines (a PEM key)
 * reaches the log a line at a time, so the whole value would never be
 * found; each of its lines is.
 */
#define SECRET_PIECE_MIN 4

static int
printable(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c <= 0x7e;
}

/* The longest piece of a registered secret that starts at p (0: none). */
static size_t
secret_at(const char *p)
{
	size_t best = 0;
	int i;

	for (i = 0; i < SECRETS_MAX; i++) {
		const char *s = secrets[i];

		while (s != NULL && *s != '\0') {
			size_t n = 0;

			while (printable(s[n]))
				n++;
			if (n >= SECRET_PIECE_MIN && n > best
			    && strncmp(p, s, n) == 0)
				best = n;
			s += n;
			while (*s != '\0' && !printable(*s))
				s++;
		}
	}
	return best;
}

/* Replace every piece of a registered secret in msg (into redbuf).
 * Returns the text to emit. */
static const char *
redact(const char *msg)
{
	const char *p;
	size_t out = 0;

	for (p = msg; *p != '\0' && secret_at(p) == 0; p++)
		;
	if (*p == '\0')
		return msg;
	p = msg;
	while (*p != '\0' && out + 1 < sizeof redbuf) {
		size_t best = secret_at(p);

		if (best > 0) {
			size_t r = sizeof REDACTED - 1;

			if (out + r + 1 > sizeof redbuf)
				break;
			memcpy(redbuf + out, REDACTED, r);
			out += r;
			p += best;
			continue;
		}
		redbuf[out++] = *p++;
	}
	redbuf[out] = '\0';
	/* anything cut here was at the end of an over-long line */
	return redbuf;
}

/* UTC "YYYY-MM-DDTHH:MM:SSZ" without the C library's time zone code
 * (which reads /etc/localtime into the heap on first use). */
static void
utc_stamp(char *out, size_t cap)
{
	int64_t t = (int64_t)time(NULL);
	int64_t days = t / 86400, secs = t % 86400, z, era, doe, yoe, y, doy,
	    mp, d, m;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* civil_from_days (H. Hinnant) */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m,
	    (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
}

/* One event, one line: text from the network or a handler cannot start
 * a forged line or send terminal controls. */
static void
flatten(char *m)
{
	for (; *m != '\0'; m++) {
		if (((unsigned char)*m < 0x20 && *m != '\t') || *m == 0x7f)
			*m = ' ';
	}
}

static void
emit(int level, char *msg)
{
	static const int sev[] = { 5, 3, 4, 6, 7 };
	const char *text;
	char stamp[32];
	int n, lv = level >= 1 && level <= 4 ? level : 0;

	flatten(msg);
	text = redact(msg);
	if (syslog_fd >= 0) {
		n = snprintf(outbuf, sizeof outbuf, "<%d>cpjob[%ld]: %s: %s",
		    24 + sev[lv], my_pid, level_names[lv], text);
		if (n > 0) {
			size_t len = (size_t)n < sizeof outbuf ? (size_t)n
			    : sizeof outbuf - 1;

			if (send(syslog_fd, outbuf, len, MSG_NOSIGNAL) >= 0)
				return;
		}
		/* syslog went away: fall back to stderr */
	}
	if (journal) {
		n = snprintf(outbuf, sizeof outbuf, "<%d>%s: %s\n", sev[lv],
		    level_names[lv], text);
	} else {
		utc_stamp(stamp, sizeof stamp);
		n = snprintf(outbuf, sizeof outbuf, "%s cpjob[%ld]: %s: %s\n",
		    stamp, my_pid, level_names[lv], text);
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof outbuf) {
		n = (int)sizeof outbuf - 1;
		outbuf[n - 1] = '\n';
	}
	(void)run_write_all(2, outbuf, (size_t)n);
}

#ifdef CPJ_PORT_LOG_SINK
static void
lib_sink(int level, const char *msg)
{
	if (level > level_max)
		return;
	snprintf(msgbuf, sizeof msgbuf, "%s", msg);
	emit(level, msgbuf);
}
#endif

/* see run.h */
void
run_log_init(int level, int use_syslog)
{
	level_max = level;
	my_pid = (long)getpid();
	journal = getenv("JOURNAL_STREAM") != NULL;
	if (use_syslog && syslog_fd < 0) {
		struct sockaddr_un sa;
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		memset(&sa, 0, sizeof sa);
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof sa.sun_path, "/dev/log");
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa,
		    sizeof sa) == 0) {
			syslog_fd = fd;
		} else {
			if (fd >= 0)
				close(fd);
			run_log(RUN_LOG_WARN, "syslog: /dev/log unavailable, "
			    "logging to stderr");
		}
	}
#ifdef CPJ_PORT_LOG_SINK
	cpj_port_log_set_sink(lib_sink);
	cpj_port_log_set_level(level);
#endif
}

/* see run.h */
void
run_log(int level, const char *fmt, ...)
{
	va_list ap;
	int n, saved = errno;

	if (level > level_max)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msgbuf, sizeof msgbuf, fmt, ap);
	va_end(ap);
	if (n < 0)
		snprintf(msgbuf, sizeof msgbuf, "(unformattable log message)");
	else if ((size_t)n >= sizeof msgbuf)
		memcpy(msgbuf + sizeof msgbuf - 4, "...", 4);
	emit(level, msgbuf);
	errno = saved;
}

/* see run.h */
void
run_log_secret(const char *s)
{
	int i;

	if (s == NULL || strlen(s) < 4)
		return;
	for (i = 0; i < SECRETS_MAX; i++) {
		if (secrets[i] == s)
			return;
	}
	for (i = 0; i < SECRETS_MAX; i++) {
		if (secrets[i] == NULL) {
			secrets[i] = s;
			return;
		}
	}
	/* full: the oldest one goes (never happens with the agent's use) */
	memmove(secrets, secrets + 1, sizeof secrets - sizeof secrets[0]);
	secrets[SECRETS_MAX - 1] = s;
}

/* see run.h */
void
run_log_forget(const char *s)
{
	int i;

	for (i = 0; i < SECRETS_MAX; i++) {
		if (secrets[i] == s)
			secrets[i] = NULL;
	}
}
