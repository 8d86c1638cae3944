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
 * Secrets are matched by their pieces: the runs of SECRET_PIECE_MIN bytes
 * or more between the bytes a log line cannot hold (control bytes but
 * tab, and DEL, which flatten() turns into spaces). A value of several
 * lines (a PEM key) reaches the log a line at a time, so the whole value
 * would never be found; each of its lines is. The pieces are indexed
 * again for every use (a secret may change in place, e.g. refreshed
 * credentials); when they overflow the index, every secret is walked.
 */
#define SECRET_PIECE_MIN 4
#define PIECES_MAX 256

struct piece {
	const char *p;
	size_t n;
};

static struct piece pieces[PIECES_MAX];
static size_t npieces;
static int pieces_over;

struct piece_it {
	int si;                 /* walking: the secret */
	const char *at;         /* walking: where in it */
	size_t i;               /* indexed: the next piece */
};

static int
is_cut(char c)
{
	return ((unsigned char)c < 0x20 && c != '\t') || c == 0x7f;
}

/* The next piece, walking the registered secrets; 0 at the end. */
static int
walk_next(struct piece_it *it, struct piece *out)
{
	while (it->si < SECRETS_MAX) {
		const char *s = it->at != NULL ? it->at : secrets[it->si];

		while (s != NULL && *s != '\0') {
			size_t n = 0;

			while (*s != '\0' && is_cut(*s))
				s++;
			while (s[n] != '\0' && !is_cut(s[n]))
				n++;
			if (n >= SECRET_PIECE_MIN) {
				out->p = s;
				out->n = n;
				it->at = s + n;
				return 1;
			}
			s += n;
		}
		it->si++;
		it->at = NULL;
	}
	return 0;
}

static void
index_pieces(void)
{
	struct piece_it it = { 0, NULL, 0 };
	struct piece q;

	npieces = 0;
	pieces_over = 0;
	while (walk_next(&it, &q)) {
		if (npieces == PIECES_MAX) {
			pieces_over = 1;
			return;
		}
		pieces[npieces++] = q;
	}
}

static int
piece_next(struct piece_it *it, struct piece *out)
{
	if (pieces_over)
		return walk_next(it, out);
	if (it->i >= npieces)
		return 0;
	*out = pieces[it->i++];
	return 1;
}

/* The longest piece that starts at p (of at most `avail` bytes), or 0. */
static size_t
piece_at(const char *p, size_t avail)
{
	struct piece_it it = { 0, NULL, 0 };
	struct piece q;
	size_t best = 0;

	while (piece_next(&it, &q)) {
		if (q.n > best && q.n <= avail && q.p[0] == p[0]
		    && memcmp(p, q.p, q.n) == 0)
			best = q.n;
	}
	return best;
}

/* see run.h */
void
run_secrets_mask(char *t, size_t len)
{
	struct piece_it it = { 0, NULL, 0 };
	struct piece q;
	size_t k = 0, n;

	index_pieces();
	/* a copy cut by the buffer's start: the tail of a piece */
	while (piece_next(&it, &q)) {
		size_t off;

		for (off = 1; off + SECRET_PIECE_MIN <= q.n; off++) {
			n = q.n - off;
			if (n > k && n <= len && memcmp(t, q.p + off, n) == 0)
				k = n;
		}
	}
	memset(t, '*', k);
	while (k < len) {
		n = piece_at(t + k, len - k);
		if (n > 0) {
			memset(t + k, '*', n);
			k += n;
		} else {
			k++;
		}
	}
}

/* Replace every piece of a registered secret in msg (into redbuf).
 * Returns the text to emit. */
static const char *
redact(const char *msg)
{
	size_t len = strlen(msg), k, out = 0;

	index_pieces();
	for (k = 0; k < len && piece_at(msg + k, len - k) == 0; k++)
		;
	if (k == len)
		return msg;
	k = 0;
	while (k < len && out + 1 < sizeof redbuf) {
		size_t best = piece_at(msg + k, len - k);

		if (best > 0) {
			size_t r = sizeof REDACTED - 1;

			if (out + r + 1 > sizeof redbuf)
				break;
			memcpy(redbuf + out, REDACTED, r);
			out += r;
			k += best;
			continue;
		}
		redbuf[out++] = msg[k++];
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
