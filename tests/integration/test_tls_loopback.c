/*
 * test_tls_loopback.c -- TLS over real sockets against `openssl s_server`
 * on 127.0.0.1, with a PKI made at test time by tests/support/mkcerts.sh
 * (tests/unit/test_tls.c tests the module with the mock port instead).
 *
 * Round trips go through cpj_net (the POSIX port) and the TLS transport;
 * s_server -www answers "GET /" with a page that names the protocol, the
 * cipher suite, whether the session was reused and the client
 * certificate, which the tests read back.
 *
 * With an argument N (valgrind mode, see the end), it only connects once
 * and runs N keep-alive round trips, for heap-allocation counting.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpj.h"
#include "harness.h"
#include "net/net_int.h"
#include "tls/tls_calls.h"
#include "support/sup_net.h"
#include "support/sup_tls.h"

static char pki[SUP_TLS_PATH_MAX];

/* Store: built-in anchors plus the test CAs (ca.pem). */
static br_x509_trust_anchor slots[16];
static unsigned char arena[8192];
static cpj_tls_anchors anchors;
/* Store: built-in anchors only (no storage). */
static cpj_tls_anchors builtin_only;

static cpj_tls_context tls;
static cpj_net_context net;
static cpj_transport lower;
static char resp[32768];
static char file[65536];

static const char REQ[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

/* Push a PEM file into a store in pieces of `piece` bytes, then finish. */
static int
load_bundle(cpj_tls_anchors *a, const char *name, size_t piece)
{
	char path[SUP_TLS_PATH_MAX];
	long len;
	size_t off, n;
	int rc;

	len = sup_tls_read_file(sup_tls_path(path, sizeof path, pki, name),
	    file, sizeof file);
	if (len < 0)
		return CPJ_ERR_IO;
	for (off = 0; off < (size_t)len; off += n) {
		n = (size_t)len - off < piece ? (size_t)len - off : piece;
		rc = cpj_tls_anchors_add_pem(a, file + off, n);
		if (rc < 0)
			return rc;
	}
	return cpj_tls_anchors_finish(a);
}

/* TCP connect to the server, then the TLS handshake as `host`. */
static int
tls_connect(cpj_tls_context *t, uint16_t port, const char *host)
{
	int rc;

	cpj_net_init(&net);
	cpj_net_set_idle(&net, 5000);
	cpj_net_set_deadline(&net, 10000);
	rc = cpj_net_connect(&net, "127.0.0.1", port, 2000);
	if (rc < 0)
		return rc;
	cpj_net_transport(&net, &lower);
	return cpj_tls_open(t, &lower, host);
}

/*
 * Send REQ through the TLS transport and read until the stream ends;
 * *end receives the code that ended it. \return bytes read, or -1.
 */
static long
exchange(cpj_tls_context *t, int *end)
{
	cpj_transport tr;
	size_t total;
	int n;

	cpj_tls_transport(t, &tr);
	n = tr.send(tr.ctx, (const unsigned char *)REQ, strlen(REQ));
	if (n != (int)strlen(REQ)) {
		*end = n;
		return -1;
	}
	total = 0;
	for (;;) {
		n = tr.recv(tr.ctx, (unsigned char *)resp + total,
		    sizeof resp - 1 - total);
		if (n < 0) {
			*end = n;
			break;
		}
		total += (size_t)n;
		if (total >= sizeof resp - 1) {
			*end = 0;
			break;
		}
	}
	resp[total] = 0;
	return (long)total;
}

static void
disconnect(cpj_tls_context *t)
{
	cpj_tls_close(t);
	cpj_net_close(&net);
}

/*
 * One full round trip against a server started with `extra`; checks the
 * page names `cipher` (OpenSSL's name) and that the suite is `suite`.
 */
static int
round_trip(const char *name, const char *const *extra, const char *cipher,
    unsigned suite)
{
	uint16_t port;
	pid_t pid;
	long n;
	int rc, end;

	pid = sup_tls_server(pki, name, extra, &port);
	if (pid < 0)
		return __LINE__;
	rc = tls_connect(&tls, port, "localhost");
	if (rc != 0) {
		fprintf(stderr, "open: %d (%s), BearSSL %d\n", rc,
		    cpj_strerror(rc), cpj_tls_last_br_error(&tls));
		sup_tls_server_stop(pid);
		return __LINE__;
	}
	if (cpj_tls_suite(&tls) != suite) {
		fprintf(stderr, "suite 0x%04X\n", cpj_tls_suite(&tls));
		sup_tls_server_stop(pid);
		return __LINE__;
	}
	n = exchange(&tls, &end);
	disconnect(&tls);
	sup_tls_server_stop(pid);
	CHECK(n > 0);
	CHECK(strncmp(resp, "HTTP/1.0 200 ok\r\n", 17) == 0);
	CHECK(strstr(resp, "TLSv1.2, Cipher is ") != NULL);
	CHECK(strstr(resp, cipher) != NULL);
	/* s_server ends the page with close_notify. */
	CHECK_EQ(end, CPJ_ERR_NET_CLOSED);
	CHECK(cpj_tls_clean_close(&tls));
	return 0;
}

static int
t_server_sends_chain(void)
{
	static const char *const x[] = { "-www", "-tls1_2",
	    "-cert_chain", "@ca-ec.pem", "-cipher",
	    "ECDHE-ECDSA-AES128-GCM-SHA256", NULL };

	return round_trip("server-ec", x, "ECDHE-ECDSA-AES128-GCM-SHA256",
	    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
}

/* The handshake against a server with `extra` fails with `want`. */
static int
refused(const char *name, const char *const *extra,
    const cpj_tls_anchors *a, const char *host, int want, int want_br)
{
	uint16_t port;
	pid_t pid;
	int rc, br;

	pid = sup_tls_server(pki, name, extra, &port);
	if (pid < 0)
		return __LINE__;
	CHECK_EQ(cpj_tls_init(&tls, a), 0);
	rc = tls_connect(&tls, port, host);
	br = cpj_tls_last_br_error(&tls);
	disconnect(&tls);
	sup_tls_server_stop(pid);
	CHECK_EQ(cpj_tls_init(&tls, &anchors), 0);
	if (rc != want)
		fprintf(stderr, "got %d (%s), BearSSL %d\n", rc,
		    cpj_strerror(rc), br);
	CHECK_EQ(rc, want);
	if (want_br != 0)
		CHECK_EQ(br, want_br);
	return 0;
}

static const char *const www[] = { "-www", NULL };

static int
t_untrusted_ca(void)
{
	return refused("untrusted", www, &anchors, "localhost",
	    CPJ_ERR_TLS_UNTRUSTED, BR_ERR_X509_NOT_TRUSTED);
}

static int
t_builtin_anchors_do_not_trust_test_ca(void)
{
	return refused("server-ec", www, &builtin_only, "localhost",
	    CPJ_ERR_TLS_UNTRUSTED, BR_ERR_X509_NOT_TRUSTED);
}

static int
t_expired(void)
{
	return refused("expired", www, &anchors, "localhost",
	    CPJ_ERR_TLS_EXPIRED, BR_ERR_X509_EXPIRED);
}

static int
t_not_yet_valid(void)
{
	return refused("notyet", www, &anchors, "localhost",
	    CPJ_ERR_TLS_EXPIRED, BR_ERR_X509_EXPIRED);
}

static int
t_wrong_host_cert(void)
{
	return refused("wronghost", www, &anchors, "localhost",
	    CPJ_ERR_TLS_HOSTNAME, BR_ERR_X509_BAD_SERVER_NAME);
}

static int
t_wrong_host_name(void)
{
	/* A good certificate, but we asked for another name. */
	return refused("server-ec", www, &anchors, "other.localhost",
	    CPJ_ERR_TLS_HOSTNAME, BR_ERR_X509_BAD_SERVER_NAME);
}

static int
t_client_cert_required_none_given(void)
{
	static const char *const x[] = { "-www", "-tls1_2", "-Verify", "1",
	    "-CAfile", "@ca.pem", NULL };

	return refused("server-ec", x, &anchors, "localhost",
	    CPJ_ERR_TLS_ALERT, 0);
}

/* Mutual TLS with the client certificate `cname` from the PKI. */
static int
mutual(const char *server, const char *cname, const char *keyfile)
{
	static const char *const x[] = { "-www", "-tls1_2", "-Verify", "1",
	    "-CAfile", "@ca.pem", NULL };
	static cpj_tls_client_cert cc;
	static unsigned char der[4096];
	static char chain[8192], key[8192];
	char path[SUP_TLS_PATH_MAX], fname[64];
	const br_rsa_private_key *rsa;
	const br_ec_private_key *ec;
	long clen, klen, n;
	uint16_t port;
	pid_t pid;
	int rc, end;

	snprintf(fname, sizeof fname, "%s.pem", cname);
	clen = sup_tls_read_file(sup_tls_path(path, sizeof path, pki, fname),
	    chain, sizeof chain);
	klen = sup_tls_read_file(sup_tls_path(path, sizeof path, pki, keyfile),
	    key, sizeof key);
	CHECK(clen > 0 && klen > 0);
	CHECK_EQ(cpj_tls_client_cert_load(&cc, der, sizeof der, chain,
	    (size_t)clen, key, (size_t)klen), 0);
	rsa = br_skey_decoder_get_rsa(&cc.key);
	ec = br_skey_decoder_get_ec(&cc.key);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, cc.chain, cc.chain_len, rsa,
	    ec), 0);
	pid = sup_tls_server(pki, server, x, &port);
	CHECK(pid > 0);
	rc = tls_connect(&tls, port, "localhost");
	/* not under a live connection: refused, the connection goes on */
	if (rc == 0)
		CHECK_EQ(cpj_tls_set_client_cert(&tls, NULL, 0, NULL, NULL),
		    CPJ_ERR_STATE);
	n = rc == 0 ? exchange(&tls, &end) : -1;
	disconnect(&tls);
	sup_tls_server_stop(pid);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, NULL, 0, NULL, NULL), 0);
	cpj_tls_client_cert_wipe(&cc);
	CHECK_EQ(rc, 0);
	CHECK(n > 0);
	CHECK(strstr(resp, "Client certificate") != NULL);
	CHECK(strstr(resp, "CN=cpjob test device") != NULL);
	return 0;
}

static int
t_client_cert_ec(void)
{
	return mutual("server-ec", "client-ec", "client-ec.key");
}

static int
t_client_cert_ec_sec1_key(void)
{
	return mutual("server-rsa", "client-ec", "client-ec-sec1.key");
}

static int
t_client_cert_rsa(void)
{
	return mutual("server-rsa", "client-rsa", "client-rsa.key");
}

static int
t_client_cert_rsa_traditional_key(void)
{
	return mutual("server-ec", "client-rsa", "client-rsa-trad.key");
}

/* A second connection to the same host resumes the session. */
static int
t_session_resumption(void)
{
	uint16_t port;
	pid_t pid;
	long n;
	int rc, end, fails;

	pid = sup_tls_server(pki, "server-ec", www, &port);
	CHECK(pid > 0);
	fails = 0;
	/* 1: full handshake. */
	rc = tls_connect(&tls, port, "localhost");
	n = rc == 0 ? exchange(&tls, &end) : -1;
	disconnect(&tls);
	fails += !(rc == 0 && n > 0 && strstr(resp, "\nNew, TLSv1.2") != NULL
	    && !cpj_tls_resumed(&tls));
	/* 2: same host: resumed. */
	rc = tls_connect(&tls, port, "localhost");
	n = rc == 0 ? exchange(&tls, &end) : -1;
	disconnect(&tls);
	fails += 10 * !(rc == 0 && n > 0
	    && strstr(resp, "\nReused, TLSv1.2") != NULL && cpj_tls_resumed(&tls));
	/* 3: another host name: full handshake. */
	rc = tls_connect(&tls, port, "alt.localhost");
	n = rc == 0 ? exchange(&tls, &end) : -1;
	disconnect(&tls);
	fails += 100 * !(rc == 0 && n > 0
	    && strstr(resp, "\nNew, TLSv1.2") != NULL && !cpj_tls_resumed(&tls));
	/* 4: after cpj_tls_forget(): full handshake. */
	cpj_tls_forget(&tls);
	rc = tls_connect(&tls, port, "alt.localhost");
	n = rc == 0 ? exchange(&tls, &end) : -1;
	disconnect(&tls);
	fails += 1000 * !(rc == 0 && n > 0
	    && strstr(resp, "\nNew, TLSv1.2") != NULL && !cpj_tls_resumed(&tls));
	sup_tls_server_stop(pid);
	CHECK_EQ(fails, 0);
	return 0;
}

/* A round trip to server `name` with the TLS host `host`: 0 or the error. */
static int
host_round_trip(const char *name, const char *host)
{
	uint16_t port;
	pid_t pid;
	long n;
	int rc, end;

	pid = sup_tls_server(pki, name, www, &port);
	if (pid < 0)
		return -1000;
	rc = tls_connect(&tls, port, host);
	if (rc == 0) {
		n = exchange(&tls, &end);
		if (n <= 0 || strncmp(resp, "HTTP/1.0 200 ok\r\n", 17) != 0)
			rc = -1001;
	}
	disconnect(&tls);
	sup_tls_server_stop(pid);
	return rc;
}

/* IP address hosts: checked against iPAddress entries only. */
static int
t_ip_address_hosts(void)
{
	CHECK_EQ(host_round_trip("server-ip", "127.0.0.1"), 0);
	CHECK_EQ(host_round_trip("server-ip", "::1"), 0);
	CHECK_EQ(host_round_trip("server-ip", "[::1]"), 0);
	CHECK_EQ(host_round_trip("server-ip", "0:0:0:0:0:0:0:1"), 0);
	CHECK_EQ(host_round_trip("server-ip", "localhost"), 0);
	CHECK_EQ(host_round_trip("server-ip", "127.0.0.2"),
	    CPJ_ERR_TLS_HOSTNAME);
	CHECK_EQ(host_round_trip("server-ip", "::2"), CPJ_ERR_TLS_HOSTNAME);
	/* No iPAddress entry at all. */
	CHECK_EQ(host_round_trip("server-ec", "127.0.0.1"),
	    CPJ_ERR_TLS_HOSTNAME);
	/* "127.0.0.1" as CN and as dNSName text does not count. */
	CHECK_EQ(host_round_trip("server-ip2", "127.0.0.1"),
	    CPJ_ERR_TLS_HOSTNAME);
	CHECK_EQ(host_round_trip("server-ip2", "127.0.0.2"), 0);
	CHECK_EQ(host_round_trip("server-ip2", "::2"), 0);
	return 0;
}

/* A peer that accepts TCP and says nothing: the deadline ends the wait. */
static int
t_silent_peer_times_out(void)
{
	uint16_t port;
	uint32_t t0, dt;
	int lfd, rc;

	lfd = sup_listen(&port, 4);
	CHECK(lfd >= 0);
	cpj_net_init(&net);
	cpj_net_set_idle(&net, 5000);
	cpj_net_set_deadline(&net, 300);
	rc = cpj_net_connect(&net, "127.0.0.1", port, 2000);
	if (rc == 0) {
		cpj_net_transport(&net, &lower);
		t0 = sup_ms();
		rc = cpj_tls_open(&tls, &lower, "localhost");
		dt = sup_ms() - t0;
	} else {
		dt = 0;
	}
	disconnect(&tls);
	close(lfd);
	CHECK_EQ(rc, CPJ_ERR_TIMEOUT);
	CHECK_EQ(cpj_tls_last_br_error(&tls), BR_ERR_IO);
	CHECK(dt < 2000);
	return 0;
}

/* A plain-text HTTP answer instead of a ServerHello. */
static int
t_plaintext_peer(void)
{
	static const char junk[] =
	    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	uint16_t port;
	int lfd, fd, rc;

	lfd = sup_listen(&port, 4);
	CHECK(lfd >= 0);
	cpj_net_init(&net);
	cpj_net_set_deadline(&net, 3000);
	rc = cpj_net_connect(&net, "127.0.0.1", port, 2000);
	fd = sup_accept(lfd, 2000);
	if (fd >= 0)
		(void)sup_write_all(fd, junk, sizeof junk - 1);
	if (rc == 0) {
		cpj_net_transport(&net, &lower);
		rc = cpj_tls_open(&tls, &lower, "localhost");
	}
	disconnect(&tls);
	if (fd >= 0)
		close(fd);
	close(lfd);
	CHECK(fd >= 0);
	/* "HTTP/" read as a record header: version 0x5454. */
	CHECK_EQ(rc, CPJ_ERR_TLS_HANDSHAKE);
	CHECK_EQ(cpj_tls_last_br_error(&tls), BR_ERR_UNSUPPORTED_VERSION);
	return 0;
}

/* The peer resets the TCP connection: the transport's code comes up. */
static int
t_peer_reset_keeps_transport_error(void)
{
	uint16_t port;
	int lfd, fd, rc;

	lfd = sup_listen(&port, 4);
	CHECK(lfd >= 0);
	cpj_net_init(&net);
	cpj_net_set_deadline(&net, 3000);
	rc = cpj_net_connect(&net, "127.0.0.1", port, 2000);
	fd = sup_accept(lfd, 2000);
	if (fd >= 0)
		sup_close_reset(fd);
	if (rc == 0) {
		cpj_net_transport(&net, &lower);
		rc = cpj_tls_open(&tls, &lower, "localhost");
	}
	disconnect(&tls);
	close(lfd);
	CHECK(fd >= 0);
	CHECK_EQ(rc, CPJ_ERR_NET_RESET);
	CHECK_EQ(cpj_tls_last_br_error(&tls), BR_ERR_IO);
	return 0;
}

/* API misuse is refused without I/O. */
static int
t_bad_arguments(void)
{
	static cpj_tls_context t2;
	cpj_transport tr;
	unsigned char b[4];
	char longname[CPJ_HOST_MAX + 2];

	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	CHECK_EQ(cpj_tls_init(NULL, &anchors), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_init(&t2, &anchors), 0);
	lower.recv = NULL;
	lower.send = NULL;
	lower.ctx = NULL;
	CHECK_EQ(cpj_tls_open(&t2, &lower, "localhost"), CPJ_ERR_PARAM);
	cpj_net_init(&net);
	cpj_net_transport(&net, &lower);
	CHECK_EQ(cpj_tls_open(&t2, &lower, ""), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_open(&t2, &lower, "bad host"), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_open(&t2, &lower, longname), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_open(&t2, &lower, NULL), CPJ_ERR_PARAM);
	/* Not open: the transport says so. */
	cpj_tls_transport(&t2, &tr);
	CHECK_EQ(tr.recv(tr.ctx, b, sizeof b), CPJ_ERR_STATE);
	CHECK_EQ(tr.send(tr.ctx, b, sizeof b), CPJ_ERR_STATE);
	cpj_tls_close(&t2);
	cpj_tls_close(NULL);
	return 0;
}

/*
 * Stack: (1) loading client certificates (RSA-2048 and P-256 keys, each
 * checked against its certificate) and a system-size CA bundle; (2) the
 * client side of full handshakes (ECDSA P-256 and RSA-2048 servers, and
 * an RSA-2048 client certificate, which signs) with round trips. Each
 * runs in a thread whose stack is painted first; the untouched part
 * gives the depth used (for (2), the net layer and the port included).
 */
#define STACK_SIZE (256 * 1024)

static unsigned char stack_area[STACK_SIZE] __attribute__((aligned(64)));
static uint16_t stack_ports[3];
static int stack_rc;
static cpj_tls_client_cert stack_cc;
static unsigned char stack_der[4096];
static char stack_chain[8192], stack_key[8192];

static int
load_client_cert(const char *cert, const char *keyfile)
{
	char p1[SUP_TLS_PATH_MAX], p2[SUP_TLS_PATH_MAX];
	long cl, kl;

	cl = sup_tls_read_file(sup_tls_path(p1, sizeof p1, pki, cert),
	    stack_chain, sizeof stack_chain);
	kl = sup_tls_read_file(sup_tls_path(p2, sizeof p2, pki, keyfile),
	    stack_key, sizeof stack_key);
	if (cl <= 0 || kl <= 0)
		return -1;
	return cpj_tls_client_cert_load(&stack_cc, stack_der,
	    sizeof stack_der, stack_chain, (size_t)cl, stack_key, (size_t)kl);
}

static void *
stack_load(void *arg)
{
	static cpj_tls_anchors a;

	(void)arg;
	stack_rc = 0;
	if (load_client_cert("client-ec.pem", "client-ec.key") != 0)
		stack_rc = 1;
	else if (load_client_cert("client-rsa.pem", "client-rsa.key") != 0)
		stack_rc = 2;
	else if (cpj_tls_anchors_init(&a, slots, sizeof slots / sizeof slots[0],
	    arena, sizeof arena, 0) != 0 || load_bundle(&a, "ca.pem", 999) != 2)
		stack_rc = 3;
	return NULL;
}

static void *
stack_connect(void *arg)
{
	int i, rc, end;

	(void)arg;
	stack_rc = 0;
	for (i = 0; i < 3 && stack_rc == 0; i++) {
		rc = tls_connect(&tls, stack_ports[i], "localhost");
		if (rc != 0 || exchange(&tls, &end) <= 0)
			stack_rc = 100 * i + (rc != 0 ? 1 : 2);
		disconnect(&tls);
	}
	return NULL;
}

/* Run fn on the painted stack. \return the bytes it used, 0 on failure. */
static size_t
stack_run(void *(*fn)(void *))
{
	pthread_attr_t at;
	pthread_t th;
	size_t k;
	int ok;

	memset(stack_area, 0xA5, sizeof stack_area);
	stack_rc = -1;
	if (pthread_attr_init(&at) != 0)
		return 0;
	ok = pthread_attr_setstack(&at, stack_area, sizeof stack_area) == 0
	    && pthread_create(&th, &at, fn, NULL) == 0
	    && pthread_join(th, NULL) == 0;
	pthread_attr_destroy(&at);
	if (!ok || stack_rc != 0)
		return 0;
	for (k = 0; k < sizeof stack_area && stack_area[k] == 0xA5; k++)
		continue;
	return sizeof stack_area - k;
}

static int
t_stack_usage(void)
{
	static const char *const x[] = { "-www", "-tls1_2", NULL };
	static const char *const xv[] = { "-www", "-tls1_2", "-Verify", "1",
	    "-CAfile", "@ca.pem", NULL };
	size_t load, conn;
	pid_t pid[3];
	int i;

	load = stack_run(stack_load);
	CHECK_EQ(stack_rc, 0);
	/* stack_cc now holds the RSA client certificate. */
	CHECK_EQ(cpj_tls_set_client_cert(&tls, stack_cc.chain,
	    stack_cc.chain_len, br_skey_decoder_get_rsa(&stack_cc.key), NULL), 0);
	cpj_tls_forget(&tls);
	pid[0] = sup_tls_server(pki, "server-ec", x, &stack_ports[0]);
	pid[1] = sup_tls_server(pki, "server-rsa", x, &stack_ports[1]);
	pid[2] = sup_tls_server(pki, "server-rsa", xv, &stack_ports[2]);
	conn = 0;
	if (pid[0] > 0 && pid[1] > 0 && pid[2] > 0)
		conn = stack_run(stack_connect);
	for (i = 0; i < 3; i++)
		sup_tls_server_stop(pid[i]);
	(void)cpj_tls_set_client_cert(&tls, NULL, 0, NULL, NULL);
	cpj_tls_client_cert_wipe(&stack_cc);
	CHECK_EQ(stack_rc, 0);
	printf("stack: %zu bytes loading client certificates and a bundle; "
	    "%zu bytes for handshakes (ECDSA, RSA, RSA client certificate) "
	    "and round trips, net and port included\n", load, conn);
	/* Sanitizer builds have larger frames; 64 KB bounds both. */
	CHECK(load > 0 && load < 65536);
	CHECK(conn > 0 && conn < 65536);
	return 0;
}

/*
 * Valgrind mode: one connection, then `rounds` request/response exchanges
 * over it (s_server -rev echoes each line reversed), printing
 * "rounds N ok". Run twice with different N under valgrind: equal
 * allocation counts show the library allocates nothing per exchange.
 */
static int
valgrind_mode(int rounds)
{
	static const char *const x[] = { "-rev", "-tls1_2", NULL };
	static const char line[] = "cpjob keep-alive line\n";
	static const char want[] = "enil evila-peek bojpc";
	cpj_transport tr;
	uint16_t port;
	size_t got;
	pid_t pid;
	int i, n, rc, ok;

	pid = sup_tls_server(pki, "server-ec", x, &port);
	if (pid < 0)
		return 1;
	ok = 0;
	rc = tls_connect(&tls, port, "localhost");
	if (rc == 0) {
		cpj_tls_transport(&tls, &tr);
		for (i = 0; i < rounds; i++) {
			n = tr.send(tr.ctx, (const unsigned char *)line,
			    sizeof line - 1);
			if (n != (int)sizeof line - 1)
				break;
			/* The reply ends with "\n". */
			got = 0;
			while (got == 0 || resp[got - 1] != '\n') {
				n = tr.recv(tr.ctx, (unsigned char *)resp + got,
				    sizeof resp - 1 - got);
				if (n < 0)
					break;
				got += (size_t)n;
			}
			resp[got] = 0;
			if (strstr(resp, want) == NULL)
				break;
		}
		ok = i == rounds;
	}
	disconnect(&tls);
	sup_tls_server_stop(pid);
	printf("rounds %d %s (open %d)\n", rounds, ok ? "ok" : "FAILED", rc);
	return ok ? 0 : 1;
}

/* PKI, stores and context shared by the tests. */
static int
t_setup(void)
{
	int rc;

	CHECK_EQ(sup_tls_mkcerts(pki, sizeof pki), 0);
	CHECK_EQ(cpj_tls_anchors_init(&anchors, slots, sizeof slots / sizeof slots[0],
	    arena, sizeof arena, 1), 0);
	rc = load_bundle(&anchors, "ca.pem", 700);
	CHECK_EQ(rc, CPJ_TLS_BUILTIN_ANCHORS + 2);
	CHECK_EQ(cpj_tls_anchors_init(&builtin_only, NULL, 0, NULL, 0, 1), 0);
	CHECK_EQ(cpj_tls_init(&tls, &anchors), 0);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	signal(SIGPIPE, SIG_IGN);
	rc = t_setup();
	if (argc > 1) {
		rc = rc == 0 ? valgrind_mode((int)strtol(argv[1], NULL, 10)) : 1;
		sup_tls_rmdir(pki);
		return rc;
	}
	h_report("t_setup", rc);
	if (rc != 0) {
		sup_tls_rmdir(pki);
		return 1;
	}
	RUN(t_server_sends_chain);
	RUN(t_session_resumption);
	RUN(t_untrusted_ca);
	RUN(t_builtin_anchors_do_not_trust_test_ca);
	RUN(t_expired);
	RUN(t_not_yet_valid);
	RUN(t_wrong_host_cert);
	RUN(t_wrong_host_name);
	RUN(t_ip_address_hosts);
	RUN(t_client_cert_required_none_given);
	RUN(t_client_cert_ec);
	RUN(t_client_cert_ec_sec1_key);
	RUN(t_client_cert_rsa);
	RUN(t_client_cert_rsa_traditional_key);
	RUN(t_silent_peer_times_out);
	RUN(t_plaintext_peer);
	RUN(t_peer_reset_keeps_transport_error);
	RUN(t_bad_arguments);
	RUN(t_stack_usage);
	printf("sizeof(cpj_tls_context) = %zu, sizeof(cpj_tls_anchors) = %zu,"
	    " sizeof(cpj_tls_client_cert) = %zu,"
	    " sizeof(br_x509_trust_anchor) = %zu\n",
	    sizeof(cpj_tls_context), sizeof(cpj_tls_anchors),
	    sizeof(cpj_tls_client_cert), sizeof(br_x509_trust_anchor));
	sup_tls_rmdir(pki);
	return H_EXIT();
}
