/*
 * test_tls_reject.c -- server certificates signed with weak signature
 * algorithms are refused: RSA with SHA-1 and with MD5 (and ECDSA with
 * SHA-1), each issued by a trusted test CA for the right host and valid
 * dates, so the signature hash is the only thing wrong. A SHA-256 control
 * certificate made the same way is accepted.
 *
 * The certificates are made here with `openssl x509 -req -sha1|-md5`
 * (OpenSSL 3 still signs them this way); `openssl s_server` serves them
 * at SECLEVEL=0 (it would not load them otherwise).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpj.h"
#include "harness.h"
#include "net/net_int.h"
#include "support/sup_net.h"
#include "support/sup_tls.h"

static char pki[SUP_TLS_PATH_MAX];
static br_x509_trust_anchor slots[16];
static unsigned char arena[8192];
static cpj_tls_anchors anchors;
static cpj_tls_context tls;
static cpj_net_context net;
static cpj_transport lower;
static char file[65536];

static const char *const x[] = { "-www", "-cipher", "DEFAULT@SECLEVEL=0", NULL };

static int
tls_connect(uint16_t port, const char *host)
{
	int rc;

	cpj_net_init(&net);
	cpj_net_set_idle(&net, 5000);
	cpj_net_set_deadline(&net, 10000);
	rc = cpj_net_connect(&net, "127.0.0.1", port, 2000);
	if (rc < 0)
		return rc;
	cpj_net_transport(&net, &lower);
	return cpj_tls_open(&tls, &lower, host);
}

/* Handshake against `name`; returns its result (BearSSL code in *br). */
static int
handshake(const char *name, int *br)
{
	uint16_t port;
	pid_t pid;
	int rc;

	pid = sup_tls_server(pki, name, x, &port);
	if (pid < 0)
		return -9999;
	CHECK_EQ(cpj_tls_init(&tls, &anchors), 0);
	rc = tls_connect(port, "localhost");
	*br = cpj_tls_last_br_error(&tls);
	cpj_tls_close(&tls);
	cpj_net_close(&net);
	sup_tls_server_stop(pid);
	if (rc != 0)
		fprintf(stderr, "%s: %d (%s), BearSSL %d\n", name, rc,
		    cpj_strerror(rc), *br);
	return rc;
}

/* Refused: a TLS error, never success, and a certificate (X.509) cause. */
static int
weak(const char *name)
{
	int br = 0, rc = handshake(name, &br);

	CHECK(rc != -9999);
	/* the X.509 engine knows only SHA-256/384/512 signatures */
	CHECK_EQ(rc, CPJ_ERR_TLS_CERT);
	CHECK_EQ(br, BR_ERR_X509_UNSUPPORTED);
	return 0;
}

static int
t_control_sha256_accepted(void)
{
	int br = 0;

	CHECK_EQ(handshake("weak-sha256", &br), 0);
	return 0;
}

static int t_rsa_sha1_refused(void) { return weak("weak-sha1"); }
static int t_rsa_md5_refused(void) { return weak("weak-md5"); }
static int t_ecdsa_sha1_refused(void) { return weak("weak-ecsha1"); }

static const char script[] =
    "cd '%s' && set -e && "
    "printf 'basicConstraints = CA:false\\nkeyUsage = critical, "
    "digitalSignature, keyEncipherment\\nextendedKeyUsage = serverAuth\\n"
    "subjectAltName = DNS:localhost, DNS:alt.localhost\\n' >weak.ext && "
    "mk() { openssl genpkey $2 -out $1.key 2>/dev/null && "
    "openssl req -new -key $1.key -subj '/O=cpjob tests/CN=localhost' "
    "-config ca.cnf -out $1.csr 2>/dev/null && "
    "openssl x509 -req -in $1.csr -CA $3.pem -CAkey $3.key "
    "-set_serial 0x$(openssl rand -hex 8) -days 3650 -$4 "
    "-extfile weak.ext -out $1.pem 2>/dev/null; }; "
    "R='-algorithm RSA -pkeyopt rsa_keygen_bits:2048'; "
    "E='-algorithm EC -pkeyopt ec_paramgen_curve:P-256'; "
    "mk weak-sha256 \"$R\" ca-rsa sha256 && mk weak-sha1 \"$R\" ca-rsa sha1 && "
    "mk weak-md5 \"$R\" ca-rsa md5 && mk weak-ecsha1 \"$E\" ca-ec sha1 && "
    "openssl x509 -in weak-sha1.pem -noout -text | grep -q sha1WithRSAEncryption && "
    "openssl x509 -in weak-md5.pem -noout -text | grep -q md5WithRSAEncryption && "
    "openssl x509 -in weak-ecsha1.pem -noout -text | grep -q ecdsa-with-SHA1";

static int
t_setup(void)
{
	char cmd[sizeof script + SUP_TLS_PATH_MAX];

	CHECK_EQ(sup_tls_mkcerts(pki, sizeof pki), 0);
	snprintf(cmd, sizeof cmd, script, pki);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(cpj_tls_anchors_init(&anchors, slots, sizeof slots / sizeof slots[0],
	    arena, sizeof arena, 0), 0);
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
		RUN(t_control_sha256_accepted);
		RUN(t_rsa_sha1_refused);
		RUN(t_rsa_md5_refused);
		RUN(t_ecdsa_sha1_refused);
	}
	sup_tls_rmdir(pki);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}
