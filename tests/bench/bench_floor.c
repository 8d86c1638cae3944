/*
 * bench_floor.c -- the floor under a job-worker cycle: pre-built request
 * bytes over one BearSSL connection, no signing, no parsing.
 *
 *   bench_floor --host H --port P --ca-bundle PEM --requests FILE
 *               [--cycles N] [--warmup W]
 *
 * FILE holds 3 x (W + N) HTTP/1.1 requests, each a 4-byte big-endian
 * length and the request's bytes, signed ahead of time by
 * tests/bench/run_bench.py (PollForJobs, AcknowledgeJob and
 * PutJobSuccessResult of jobs it queued with known ids and nonces). The
 * program connects once, makes the TLS 1.2 handshake with the library's
 * profile (cpj_tls_init: src/tls/tls_profile.c's suites, curves and
 * engines, then BearSSL's own I/O, no library code), then for each cycle
 * writes the three requests as they are and reads each response up to the
 * end of its head and Content-Length bytes more: the least a client of
 * these three calls can do over the same connection. Its CPU per cycle is
 * what bench_cycle's is compared with.
 *
 * Prints one JSON object on stdout: cycles, cpu_ns_per_cycle (process CPU
 * time around the N cycles), wall_ns_per_cycle, requests, the suite
 * negotiated, and the count of responses whose status was not 200 (must
 * be 0). Exits 1 on any failure. Setup (file, anchors, connect, handshake)
 * is outside the timed part; under callgrind the driver runs N and 2N
 * cycles and takes the difference, as for bench_cycle.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpj.h"

#define ANCHOR_SLOTS  8
#define ANCHOR_ARENA  8192
#define RESP_MAX      (64 * 1024)

static cpj_tls_anchors anchors;
static br_x509_trust_anchor anchor_slots[ANCHOR_SLOTS];
static unsigned char anchor_arena[ANCHOR_ARENA];
/* Only for the library's profile (cpj_tls_init: its suites, curves and
 * engines); the connection below is driven with BearSSL's own I/O. */
static cpj_tls_context tls;
static br_sslio_context io;
static unsigned char resp[RESP_MAX];

static unsigned char *reqs;
static size_t reqs_len, reqs_off;

static int64_t
ns_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_floor: %s\n", what);
	exit(1);
}

static int
sock_read(void *ctx, unsigned char *buf, size_t len)
{
	for (;;) {
		ssize_t r = read(*(int *)ctx, buf, len);

		if (r < 0 && errno == EINTR)
			continue;
		return r <= 0 ? -1 : (int)r;
	}
}

static int
sock_write(void *ctx, const unsigned char *buf, size_t len)
{
	for (;;) {
		ssize_t r = write(*(int *)ctx, buf, len);

		if (r < 0 && errno == EINTR)
			continue;
		return r <= 0 ? -1 : (int)r;
	}
}

static void
load_file(const char *path, unsigned char **out, size_t *len)
{
	struct stat st;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0)
		die("cannot read a file given");
	*out = malloc((size_t)st.st_size);
	if (*out == NULL)
		die("out of memory");
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, *out + done, (size_t)st.st_size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("short read");
		done += (size_t)r;
	}
	close(fd);
	*len = done;
}

static void
load_anchors(const char *path)
{
	unsigned char *pem;
	size_t len;

	load_file(path, &pem, &len);
	if (cpj_tls_anchors_init(&anchors, anchor_slots, ANCHOR_SLOTS,
	    anchor_arena, sizeof anchor_arena, 0) < 0
	    || cpj_tls_anchors_add_pem(&anchors, pem, len) < 0
	    || cpj_tls_anchors_finish(&anchors) < 0)
		die("CA bundle");
	free(pem);
}

/* Content-Length of a response head resp[0..head), case-insensitive. */
static size_t
content_length(size_t head)
{
	static const char name[] = "\r\ncontent-length:";
	size_t i, k, n = sizeof name - 1, v = 0;

	for (i = 0; i + n <= head; i++) {
		for (k = 0; k < n; k++) {
			int c = resp[i + k];

			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != name[k])
				break;
		}
		if (k < n)
			continue;
		for (i += n; resp[i] == ' '; i++)
			continue;
		for (; resp[i] >= '0' && resp[i] <= '9'; i++)
			v = v * 10 + (size_t)(resp[i] - '0');
		return v;
	}
	die("response without Content-Length");
	return 0;
}

/* Write the next pre-built request, read its response; 1 if not 200. */
static int
exchange(void)
{
	size_t len, got = 0, head = 0, want = 0;

	if (reqs_len - reqs_off < 4)
		die("requests file: too few requests");
	len = (size_t)reqs[reqs_off] << 24 | (size_t)reqs[reqs_off + 1] << 16
	    | (size_t)reqs[reqs_off + 2] << 8 | reqs[reqs_off + 3];
	reqs_off += 4;
	if (len > reqs_len - reqs_off)
		die("requests file: truncated");
	if (br_sslio_write_all(&io, reqs + reqs_off, len) < 0
	    || br_sslio_flush(&io) < 0)
		die("write failed");
	reqs_off += len;
	for (;;) {
		int r = br_sslio_read(&io, resp + got, sizeof resp - got);

		if (r <= 0)
			die("read failed");
		got += (size_t)r;
		if (head == 0) {
			const unsigned char *e = NULL;
			size_t i;

			for (i = 3; i < got; i++)
				if (resp[i] == '\n' && resp[i - 1] == '\r'
				    && resp[i - 2] == '\n' && resp[i - 3] == '\r') {
					e = resp + i + 1;
					break;
				}
			if (e == NULL) {
				if (got == sizeof resp)
					die("response head too large");
				continue;
			}
			head = (size_t)(e - resp);
			want = head + content_length(head);
			if (want > sizeof resp)
				die("response too large");
		}
		if (got >= want)
			break;
	}
	return memcmp(resp, "HTTP/1.1 200 ", 13) != 0;
}

static long
arg_num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 0 || v > 10000000)
		die("not a count");
	return v;
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *ca = NULL, *file = NULL;
	long cycles = 200, warmup = 1, port = 0, i, bad = 0;
	br_ssl_session_parameters sp;
	struct sockaddr_in sa;
	int64_t c0, c1, w0, w1;
	int fd, one = 1;

	for (i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (strcmp(o, "--host") == 0)
			host = v;
		else if (strcmp(o, "--port") == 0)
			port = arg_num(v);
		else if (strcmp(o, "--ca-bundle") == 0)
			ca = v;
		else if (strcmp(o, "--requests") == 0)
			file = v;
		else if (strcmp(o, "--cycles") == 0)
			cycles = arg_num(v);
		else if (strcmp(o, "--warmup") == 0)
			warmup = arg_num(v);
		else
			die("unknown option");
	}
	if (i != argc || ca == NULL || file == NULL || port <= 0 || port > 65535) {
		fprintf(stderr, "usage: bench_floor --host H --port P --ca-bundle PEM "
		    "--requests FILE [--cycles N] [--warmup W]\n");
		return 2;
	}
	load_anchors(ca);
	load_file(file, &reqs, &reqs_len);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("--host: an IPv4 address");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("connect failed");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	if (cpj_tls_init(&tls, &anchors) != 0)
		die("TLS profile");
	/* the endpoint is an IP address: no name to check (the library
	   checks the iPAddress; the floor leaves that out) */
	if (!br_ssl_client_reset(&tls.cc, NULL, 0))
		die("TLS reset");
	br_sslio_init(&io, &tls.cc.eng, sock_read, &fd, sock_write, &fd);

	for (i = 0; i < warmup * 3; i++)
		bad += exchange();
	br_ssl_engine_get_session_parameters(&tls.cc.eng, &sp);
	c0 = ns_now(CLOCK_PROCESS_CPUTIME_ID);
	w0 = ns_now(CLOCK_MONOTONIC);
	for (i = 0; i < cycles * 3; i++)
		bad += exchange();
	w1 = ns_now(CLOCK_MONOTONIC);
	c1 = ns_now(CLOCK_PROCESS_CPUTIME_ID);

	printf("{\"cycles\": %ld, \"warmup\": %ld, \"cpu_ns_per_cycle\": %.0f, "
	    "\"wall_ns_per_cycle\": %.0f, \"requests\": %ld, \"not_200\": %ld, "
	    "\"suite\": \"0x%04x\", \"connects\": 1}\n",
	    cycles, warmup,
	    cycles > 0 ? (double)(c1 - c0) / (double)cycles : 0.0,
	    cycles > 0 ? (double)(w1 - w0) / (double)cycles : 0.0,
	    3 * (cycles + warmup), bad, (unsigned)sp.cipher_suite);
	close(fd);
	return bad != 0;
}
