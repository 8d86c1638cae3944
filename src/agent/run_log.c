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
 *
 * What is masked: a piece shorter than RUN_MIN where it appears whole,
 * and any run of RUN_MIN bytes or more of a longer piece, wherever it
 * appears: the start, the middle or the end of a secret that something
 * cut (a line cut by the relay, a service message cut by the library's
 * buffer, a tail of stderr) is found as well as the whole secret.
 */
#define SECRET_PIECE_MIN 4
#define PIECES_MAX 256
#define RUN_MIN 16
/* the most text matched at once (run_secrets_mask works through longer
 * text a window at a time) */
#define TEXT_MAX 4096
#define SLOTS 8192              /* >= 2 * TEXT_MAX, a power of two */
#define HASH_B 0x100000001b3ull
#define HASH_MIX 0x9e3779b97f4a7c15ull
#if RUN_LOG_CARRY < RUN_MIN - 1
#error "a line continuing a cut one needs RUN_MIN - 1 bytes before it"
#endif

struct piece {
	const char *p;
	size_t n;
};

static struct piece pieces[PIECES_MAX];
static size_t npieces;
static int pieces_over;

/* The matcher's work: what to mask in the text, and an index of the
 * text's RUN_MIN-byte grams (hash, the next position of the same gram,
 * whether a secret held it already; an open-addressed table of the first
 * position of each distinct gram, plus one, 0 empty). */
static unsigned char mark[TEXT_MAX];
static uint32_t gram_tag[TEXT_MAX];
static uint16_t gram_next[TEXT_MAX];
static unsigned char gram_done[TEXT_MAX];
static uint16_t slots[SLOTS];

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

/* The hash of a gram (p[0..RUN_MIN)), and of the next one: `top` is
 * HASH_B to the power RUN_MIN - 1. */
static uint64_t
gram_hash(const unsigned char *p)
{
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < RUN_MIN; i++)
		h = h * HASH_B + p[i];
	return h;
}

static uint64_t
gram_roll(uint64_t h, unsigned char out, unsigned char in, uint64_t top)
{
	return (h - out * top) * HASH_B + in;
}

/* Index the `ng` grams of t; returns the table's size in bits. */
static unsigned
grams_index(const unsigned char *t, size_t ng, uint64_t top)
{
	unsigned bits = 6;
	size_t mask, i, s;
	uint64_t h = 0;

	while (((size_t)1 << bits) < 2 * ng)
		bits++;
	mask = ((size_t)1 << bits) - 1;
	memset(slots, 0, (mask + 1) * sizeof slots[0]);
	for (i = 0; i < ng; i++) {
		uint64_t m;

		h = i == 0 ? gram_hash(t) : gram_roll(h, t[i - 1],
		    t[i + RUN_MIN - 1], top);
		m = h * HASH_MIX;
		gram_tag[i] = (uint32_t)(m >> 32);
		gram_next[i] = 0;
		gram_done[i] = 0;
		for (s = (size_t)(m >> (64 - bits)); slots[s] != 0;
		    s = (s + 1) & mask) {
			size_t j = (size_t)slots[s] - 1;

			if (gram_tag[j] == gram_tag[i]
			    && memcmp(t + j, t + i, RUN_MIN) == 0) {
				/* the same gram again: chain it to the first */
				gram_next[i] = gram_next[j];
				gram_next[j] = (uint16_t)(i + 1);
				break;
			}
		}
		if (slots[s] == 0)
			slots[s] = (uint16_t)(i + 1);
	}
	return bits;
}

/* Mark every place in t where the gram p[0..RUN_MIN) (hash h) is. */
static void
grams_find(const unsigned char *t, const unsigned char *p, uint64_t h,
	unsigned bits)
{
	size_t mask = ((size_t)1 << bits) - 1, s;
	uint64_t m = h * HASH_MIX;
	uint32_t tag = (uint32_t)(m >> 32);

	for (s = (size_t)(m >> (64 - bits)); slots[s] != 0;
	    s = (s + 1) & mask) {
		size_t j = (size_t)slots[s] - 1, k;

		if (gram_tag[j] != tag || memcmp(t + j, p, RUN_MIN) != 0)
			continue;
		if (!gram_done[j]) {
			gram_done[j] = 1;
			for (k = j + 1; k != 0; k = gram_next[k - 1])
				memset(mark + k - 1, 1, RUN_MIN);
		}
		return;
	}
}

/* (a byte of the text: see match) */
#define IN_T(c) ((seen[(c) >> 3] >> ((c) & 7)) & 1)

/*
 * The matcher: mark in mark[0..len) (len <= TEXT_MAX) the bytes of text
 * that belong to a secret: each whole piece shorter than RUN_MIN, each run
 * of RUN_MIN bytes or more of a longer one, and with `start_cut`, the end
 * of a piece (SECRET_PIECE_MIN bytes or more) that text starts with.
 * Returns 1 if it marked something. The pieces must be indexed.
 *
 * Cost: O(len) to index the text's grams (a rolling hash), O(length of
 * the secrets) to look theirs up, O(len) per piece shorter than RUN_MIN.
 * Only the grams of a secret made of bytes the text holds are looked up
 * (in the common case none, and the text is not indexed), and most
 * others are skipped without reading all their bytes.
 */
static int
match(const char *text, size_t len, int start_cut)
{
	const unsigned char *t = (const unsigned char *)text;
	struct piece_it it = { 0, NULL, 0 };
	struct piece q;
	size_t ng = len >= RUN_MIN ? len - RUN_MIN + 1 : 0, i, k;
	unsigned char seen[32];
	unsigned bits = 0;
	uint64_t top = 1;
	int any = 0;

	memset(mark, 0, len);
	memset(seen, 0, sizeof seen);
	for (i = 0; i < len; i++)
		seen[t[i] >> 3] |= (unsigned char)(1u << (t[i] & 7));
	for (i = 1; i < RUN_MIN; i++)
		top *= HASH_B;
	while (piece_next(&it, &q)) {
		const unsigned char *p = (const unsigned char *)q.p;
		uint64_t h;

		if (start_cut) {
			/* the end of a piece cut by the text's start (longer
			 * ones are runs) */
			k = q.n - 1 < RUN_MIN - 1 ? q.n - 1 : RUN_MIN - 1;
			if (k > len)
				k = len;
			for (; k >= SECRET_PIECE_MIN; k--) {
				if (memcmp(t, p + q.n - k, k) == 0) {
					memset(mark, 1, k);
					any = 1;
					break;
				}
			}
		}
		if (q.n < RUN_MIN) {
			for (i = 0; i + q.n <= len; i++) {
				if (t[i] == p[0]
				    && memcmp(t + i, p, q.n) == 0) {
					memset(mark + i, 1, q.n);
					any = 1;
				}
			}
			continue;
		}
		if (ng == 0)
			continue;
		/* the grams of bytes all in t: a window whose last byte
		 * outside t is p[i + k - 1] cannot start before i + k */
		i = 0;
		while (i + RUN_MIN <= q.n) {
			for (k = RUN_MIN; k > 0 && IN_T(p[i + k - 1]); k--)
				;
			if (k > 0) {
				i += k;
				continue;
			}
			if (bits == 0)
				bits = grams_index(t, ng, top);
			h = gram_hash(p + i);
			for (;;) {
				grams_find(t, p + i, h, bits);
				if (i + RUN_MIN >= q.n || !IN_T(p[i + RUN_MIN]))
					break;
				h = gram_roll(h, p[i], p[i + RUN_MIN], top);
				i++;
			}
			i += RUN_MIN + 1;
		}
	}
	if (bits != 0)          /* (the hashes tell bytes of the text) */
		cpj_wipe(gram_tag, ng * sizeof gram_tag[0]);
	for (i = 0; i < len && !any; i++)
		any = mark[i];
	return any;
}

/* see run.h */
void
run_secrets_mask(char *t, size_t len)
{
	unsigned char carry[RUN_MIN - 1];
	size_t at = 0, ncarry = 0, w, n, i;

	index_pieces();
	for (;;) {
		w = len - at < TEXT_MAX ? len - at : TEXT_MAX;
		(void)match(t + at, w, at == 0);
		for (i = 0; i < ncarry; i++)
			mark[i] |= carry[i];
		/* a match may cross the window's end: the next window
		 * starts RUN_MIN - 1 bytes before it, which are masked
		 * only then */
		n = at + w == len ? w : w - (RUN_MIN - 1);
		for (i = 0; i < n; i++) {
			if (mark[i])
				t[at + i] = '*';
		}
		if (at + w == len)
			break;
		ncarry = w - n;
		memcpy(carry, mark + n, ncarry);
		at += n;
	}
}

/* Replace each run of bytes the matcher marks in msg[skip..skip+shown)
 * by "[redacted]" (into redbuf); the rest of msg[0..len) is context, not
 * shown. Returns the text to emit; *found tells whether the matcher
 * found something. */
static const char *
redact(const char *msg, size_t len, size_t skip, size_t shown, int *found)
{
	size_t k, end, out = 0;

	if (len > TEXT_MAX)
		len = TEXT_MAX;         /* (msgbuf is shorter) */
	if (skip > len)
		skip = len;
	end = shown < len - skip ? skip + shown : len;
	index_pieces();
	*found = match(msg, len, 0);
	for (k = skip; k < end && !mark[k]; k++)
		;
	if (k == end && end == len)
		return msg + skip;
	k = skip;
	while (k < end && out + 1 < sizeof redbuf) {
		if (mark[k]) {
			size_t r = sizeof REDACTED - 1;

			if (out + r + 1 > sizeof redbuf)
				break;
			memcpy(redbuf + out, REDACTED, r);
			out += r;
			while (k < end && mark[k])
				k++;
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
	fmt_iso8601((int64_t)time(NULL), out, cap);
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

/* Log msg[skip..skip+shown) between `label` and `suffix`; the rest of
 * msg is the text around it (see run_log_relayed). */
static void
emit(int level, const char *label, char *msg, size_t skip, size_t shown,
	const char *suffix)
{
	static const int sev[] = { 5, 3, 4, 6, 7 };
	const char *text;
	char stamp[32];
	int n, found, lv = level >= 1 && level <= 4 ? level : 0;

	flatten(msg);
	text = redact(msg, strlen(msg), skip, shown, &found);
	if (syslog_fd >= 0) {
		n = fmt_snprintf(outbuf, sizeof outbuf,
		    "<%d>cpjob[%ld]: %s: %s%s%s", 24 + sev[lv], my_pid,
		    level_names[lv], label, text, suffix);
		if (n > 0) {
			size_t len = (size_t)n < sizeof outbuf ? (size_t)n
			    : sizeof outbuf - 1;

			if (send(syslog_fd, outbuf, len, MSG_NOSIGNAL) >= 0)
				goto done;
		}
		/* syslog went away: fall back to stderr */
	}
	if (journal) {
		n = fmt_snprintf(outbuf, sizeof outbuf, "<%d>%s: %s%s%s\n",
		    sev[lv], level_names[lv], label, text, suffix);
	} else {
		utc_stamp(stamp, sizeof stamp);
		n = fmt_snprintf(outbuf, sizeof outbuf,
		    "%s cpjob[%ld]: %s: %s%s%s\n", stamp, my_pid,
		    level_names[lv], label, text, suffix);
	}
	if (n < 0)
		goto done;
	if ((size_t)n >= sizeof outbuf) {
		n = (int)sizeof outbuf - 1;
		outbuf[n - 1] = '\n';
	}
	(void)run_write_all(2, outbuf, (size_t)n);
done:
	/* no copy of a secret is left behind */
	if (found)
		cpj_wipe(msg, strlen(msg));
}

#ifdef CPJ_PORT_LOG_SINK
static void
lib_sink(int level, const char *msg)
{
	if (level > level_max)
		return;
	fmt_snprintf(msgbuf, sizeof msgbuf, "%s", msg);
	emit(level, "", msgbuf, 0, sizeof msgbuf, "");
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
		fmt_snprintf(sa.sun_path, sizeof sa.sun_path, "/dev/log");
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
	cpj_log_set_level(level);       /* the library's lines follow --log-level */
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
	n = fmt_vsnprintf(msgbuf, sizeof msgbuf, fmt, ap);
	va_end(ap);
	if (n < 0)
		fmt_snprintf(msgbuf, sizeof msgbuf, "(unformattable log message)");
	else if ((size_t)n >= sizeof msgbuf)
		memcpy(msgbuf + sizeof msgbuf - 4, "...", 4);
	emit(level, "", msgbuf, 0, sizeof msgbuf, "");
	errno = saved;
}

/* see run.h */
void
run_log_relayed(int level, const char *name, const char *before,
	size_t nbefore, const char *text, size_t len, const char *after,
	size_t nafter, int cut)
{
	char label[48];
	int saved = errno;

	if (level > level_max)
		return;
	if (nbefore > RUN_LOG_CARRY)
		nbefore = RUN_LOG_CARRY;
	if (nafter > RUN_LOG_CARRY)
		nafter = RUN_LOG_CARRY;
	if (len > sizeof msgbuf - 1 - 2 * RUN_LOG_CARRY) {
		/* (not from the relay) shown cut: what follows is text's */
		size_t room = sizeof msgbuf - 1 - 2 * RUN_LOG_CARRY;

		after = text + room;
		nafter = len - room < RUN_LOG_CARRY ? len - room
		    : RUN_LOG_CARRY;
		len = room;
	}
	if (nbefore > 0)
		memcpy(msgbuf, before, nbefore);
	if (len > 0)
		memcpy(msgbuf + nbefore, text, len);
	if (nafter > 0)
		memcpy(msgbuf + nbefore + len, after, nafter);
	msgbuf[nbefore + len + nafter] = '\0';
	fmt_snprintf(label, sizeof label, "handler %s: ", name);
	emit(level, label, msgbuf, nbefore, len, cut ? " [...]" : "");
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
