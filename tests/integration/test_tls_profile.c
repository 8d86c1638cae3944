/*
 * test_tls_profile.c -- the TLS profile (src/tls/tls_profile.c) against
 * `openssl s_server` on 127.0.0.1, one server per case, each configured
 * so that exactly one suite and one curve can be agreed on.
 *
 * Kept: every suite of the profile (ECDHE_ECDSA and ECDHE_RSA with
 * AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305) over every curve
 * (P-256, P-384, X25519), and ECDSA certificates on P-256 and P-384. The
 * s_server -www page names the suite and the groups the client offered
 * and shared, which the tests read back.
 *
 * Dropped: a server that offers only what the profile leaves out (a CBC
 * suite, RSA key exchange, TLS 1.0, TLS 1.1, TLS 1.3, P-521, SHA-1
 * signatures)
 * refuses the handshake with an alert: CPJ_ERR_TLS_ALERT, and BearSSL's
 * code names the alert (handshake_failure 40, protocol_version 70).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cpj.h"
#include "harness.h"
#include "net/net_int.h"
#include "tls/tls_calls.h"
#include "support/sup_tls.h"

static char pki[SUP_TLS_PATH_MAX];
static br_x509_trust_anchor slots[8];
static unsigned char arena[4096];
static cpj_tls_anchors anchors;
static cpj_tls_context tls;
static cpj_net_context net;
static cpj_transport lower;
static char resp[16384];
static char file[16384];
static unsigned agreed;         /* the suite of the last handshake */

static const char REQ[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

/* Start a server (cert `name`, s_server arguments x), connect and
 * handshake: rc of cpj_tls_open(), BearSSL's code in *br, the suite in
 * agreed and the page in resp when the handshake succeeded. -9999 when no server started. */
static int
handshake(const char *name, const char *const *x, int *br)
{
	cpj_transport tr;
	uint16_t port;
	size_t total = 0;
	pid_t pid;
	int rc, n;

	resp[0] = 0;
	agreed = 0;
	pid = sup_tls_server(pki, name, x, &port);
	if (pid < 0)
		return -9999;
	if (cpj_tls_init(&tls, &anchors) != 0) {
		sup_tls_server_stop(pid);
		return -9999;
	}
	cpj_net_init(&net);
	cpj_net_set_idle(&net, 5000);
	cpj_net_set_deadline(&net, 20000);
	rc = cpj_net_connect(&net, "127.0.0.1", port, 2000);
	if (rc == 0) {
		cpj_net_transport(&net, &lower);
		rc = cpj_tls_open(&tls, &lower, "localhost");
	}
	*br = cpj_tls_last_br_error(&tls);
	if (rc == 0) {
		agreed = cpj_tls_suite(&tls);
		cpj_tls_transport(&tls, &tr);
		n = tr.send(tr.ctx, (const unsigned char *)REQ, strlen(REQ));
		while (n > 0 && total < sizeof resp - 1) {
			n = tr.recv(tr.ctx, (unsigned char *)resp + total,
			    sizeof resp - 1 - total);
			if (n > 0)
				total += (size_t)n;
		}
		resp[total] = 0;
	}
	cpj_tls_close(&tls);
	cpj_net_close(&net);
	sup_tls_server_stop(pid);
	if (rc != 0)
		fprintf(stderr, "%s: %d (%s), BearSSL %d\n", name, rc,
		    cpj_strerror(rc), *br);
	return rc;
}

struct kept {
	const char *cert;       /* server certificate (mkcerts.sh) */
	const char *cipher;     /* OpenSSL's name of the suite */
	unsigned suite;         /* its TLS number */
};

static const struct kept suites[] = {
	{ "server-ec", "ECDHE-ECDSA-AES128-GCM-SHA256",
	  BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 },
	{ "server-ec384", "ECDHE-ECDSA-AES256-GCM-SHA384",
	  BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 },
	{ "server-ec", "ECDHE-ECDSA-CHACHA20-POLY1305",
	  BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 },
	{ "server-rsa", "ECDHE-RSA-AES128-GCM-SHA256",
	  BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 },
	{ "server-rsa", "ECDHE-RSA-AES256-GCM-SHA384",
	  BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 },
	{ "server-rsa", "ECDHE-RSA-CHACHA20-POLY1305",
	  BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 },
};

/* OpenSSL's -groups name and the name its page prints. */
static const char *const groups[][2] = {
	{ "P-256", "secp256r1" },
	{ "P-384", "secp384r1" },
	{ "X25519", "x25519" },
};

/* Every kept suite over every kept curve: the agreed suite is the
 * server's only one, the shared group its only one. */
static int
t_kept_suites_and_curves(void)
{
	char want[64];
	size_t s, g;
	int br;

	for (s = 0; s < sizeof suites / sizeof suites[0]; s++) {
		for (g = 0; g < sizeof groups / sizeof groups[0]; g++) {
			const char *const x[] = { "-www", "-tls1_2", "-cipher",
			    suites[s].cipher, "-groups", groups[g][0], NULL };

			fprintf(stderr, "  %s over %s\n", suites[s].cipher,
			    groups[g][0]);
			CHECK_EQ(handshake(suites[s].cert, x, &br), 0);
			CHECK_EQ(agreed, suites[s].suite);
			CHECK(strstr(resp, "TLSv1.2, Cipher is ") != NULL);
			CHECK(strstr(resp, suites[s].cipher) != NULL);
			snprintf(want, sizeof want, "Shared groups: %s\n",
			    groups[g][1]);
			CHECK(strstr(resp, want) != NULL);
		}
	}
	return 0;
}

/* The client offers P-256, P-384 and X25519, and nothing else. */
static int
t_offered_groups(void)
{
	static const char *const x[] = { "-www", "-tls1_2", NULL };
	const char *p, *e;
	int br;

	CHECK_EQ(handshake("server-ec", x, &br), 0);
	p = strstr(resp, "Supported groups: ");
	CHECK(p != NULL);
	p += strlen("Supported groups: ");
	e = strchr(p, '\n');
	CHECK(e != NULL);
	CHECK_EQ((long)(e - p), (long)strlen("secp256r1:secp384r1:x25519"));
	CHECK(strncmp(p, "secp256r1:secp384r1:x25519", (size_t)(e - p)) == 0);
	return 0;
}

/* Refused with the peer's alert `alert`. */
static int
dropped(const char *cert, const char *const *x, int alert)
{
	int br = 0, rc = handshake(cert, x, &br);

	CHECK(rc != -9999);
	CHECK_EQ(rc, CPJ_ERR_TLS_ALERT);
	CHECK_EQ(br, BR_ERR_RECV_FATAL_ALERT + alert);
	return 0;
}

#define HANDSHAKE_FAILURE 40
#define PROTOCOL_VERSION 70

static int
t_cbc_suite_refused(void)
{
	static const char *const x[] = { "-www", "-tls1_2", "-cipher",
	    "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA", NULL };

	return dropped("server-rsa", x, HANDSHAKE_FAILURE);
}

static int
t_rsa_key_exchange_refused(void)
{
	static const char *const x[] = { "-www", "-tls1_2", "-cipher",
	    "AES128-GCM-SHA256:AES256-GCM-SHA384", NULL };

	return dropped("server-rsa", x, HANDSHAKE_FAILURE);
}

static int
t_tls10_only_refused(void)
{
	static const char *const x[] = { "-www", "-tls1", "-cipher",
	    "DEFAULT@SECLEVEL=0", NULL };

	return dropped("server-rsa", x, HANDSHAKE_FAILURE);
}

static int
t_tls11_only_refused(void)
{
	static const char *const x[] = { "-www", "-tls1_1", "-cipher",
	    "DEFAULT@SECLEVEL=0", NULL };

	return dropped("server-rsa", x, HANDSHAKE_FAILURE);
}

static int
t_tls13_only_refused(void)
{
	static const char *const x[] = { "-www", "-tls1_3", NULL };

	return dropped("server-ec", x, PROTOCOL_VERSION);
}

static int
t_p521_only_refused(void)
{
	static const char *const x[] = { "-www", "-tls1_2", "-groups",
	    "P-521", NULL };

	return dropped("server-ec", x, HANDSHAKE_FAILURE);
}

/* The server would sign its key exchange with SHA-1 only: the client
 * does not offer it. */
static int
t_sha1_signature_refused(void)
{
	static const char *const x[] = { "-www", "-tls1_2", "-cipher",
	    "ECDHE-RSA-AES128-GCM-SHA256@SECLEVEL=0", "-sigalgs", "RSA+SHA1",
	    NULL };

	return dropped("server-rsa", x, HANDSHAKE_FAILURE);
}

static int
t_setup(void)
{
	CHECK_EQ(sup_tls_mkcerts(pki, sizeof pki), 0);
	CHECK_EQ(cpj_tls_anchors_init(&anchors, slots,
	    sizeof slots / sizeof slots[0], arena, sizeof arena, 0), 0);
	CHECK(sup_tls_load_ca(&anchors, pki, "ca.pem", file, sizeof file) > 0);
	return 0;
}

int
main(void)
{
	int rc;

	signal(SIGPIPE, SIG_IGN);
	rc = t_setup();
	h_report("t_setup", rc);
	if (rc == 0) {
		RUN(t_kept_suites_and_curves);
		RUN(t_offered_groups);
		RUN(t_cbc_suite_refused);
		RUN(t_rsa_key_exchange_refused);
		RUN(t_tls10_only_refused);
		RUN(t_tls11_only_refused);
		RUN(t_tls13_only_refused);
		RUN(t_p521_only_refused);
		RUN(t_sha1_signature_refused);
	}
	sup_tls_rmdir(pki);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}
