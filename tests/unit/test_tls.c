/*
 * test_tls.c -- unit tests of the TLS module with the mock port.
 *
 * Trust anchors: the built-in table against Debian's PEM sources, the
 * system bundle in the agent-sized store and in a too-small one, PEM fed
 * in pieces, malformed and hostile input. Handshakes run against a
 * BearSSL server in this process: the client's lower transport feeds the
 * server engine directly, so the mock port's wall clock (which the test
 * sets) decides certificate validity, and faults (bad MAC, truncation,
 * a transport that never moves) are injected exactly.
 *
 * The PKI comes from tests/support/mkcerts.sh, run in a temporary
 * directory ($CPJ_TOP, else the current directory, locates the script).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpj.h"
#include "harness.h"
#include "mock/mock_port.h"
#include "tls/tls_calls.h"
#include "tls/tls_int.h"

#define SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define MOZILLA_DIR "/usr/share/ca-certificates/mozilla/"

/* 2020-01-01, 2095-01-01, 2100-06-01, 2005-06-01 (UTC). */
#define T_2020 1577836800
#define T_2095 3944678400
#define T_2100 4115491200
#define T_2005 1117584000

static char pki[512];
static char file[600000];
static char file2[65536];

/* ---- helpers ------------------------------------------------------------ */

static char *
path(const char *name)
{
	static char p[4][640];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", pki, name);
	return p[k];
}

static long
read_file(const char *fname, char *buf, size_t buflen)
{
	FILE *f;
	size_t n;
	int c;

	f = fopen(fname, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", fname);
		return -1;
	}
	n = fread(buf, 1, buflen - 1, f);
	c = fgetc(f);
	fclose(f);
	if (c != EOF)
		return -1;
	buf[n] = 0;
	return (long)n;
}

static size_t
count_str(const char *hay, const char *needle)
{
	size_t n;

	for (n = 0; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* Push `len` bytes into a store in pieces of `piece`, then finish. */
static int
push(cpj_tls_anchors *a, const char *data, size_t len, size_t piece)
{
	size_t off, n;
	int rc;

	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		rc = cpj_tls_anchors_add_pem(a, data + off, n);
		if (rc < 0)
			return rc;
	}
	return cpj_tls_anchors_finish(a);
}

static int
same_anchor(const br_x509_trust_anchor *x, const br_x509_trust_anchor *y)
{
	if (x->dn.len != y->dn.len || memcmp(x->dn.data, y->dn.data,
	    x->dn.len) != 0 || x->flags != y->flags
	    || x->pkey.key_type != y->pkey.key_type)
		return 0;
	if (x->pkey.key_type == BR_KEYTYPE_RSA)
		return x->pkey.key.rsa.nlen == y->pkey.key.rsa.nlen
		    && x->pkey.key.rsa.elen == y->pkey.key.rsa.elen
		    && memcmp(x->pkey.key.rsa.n, y->pkey.key.rsa.n,
		    x->pkey.key.rsa.nlen) == 0
		    && memcmp(x->pkey.key.rsa.e, y->pkey.key.rsa.e,
		    x->pkey.key.rsa.elen) == 0;
	return x->pkey.key.ec.curve == y->pkey.key.ec.curve
	    && x->pkey.key.ec.qlen == y->pkey.key.ec.qlen
	    && memcmp(x->pkey.key.ec.q, y->pkey.key.ec.q,
	    x->pkey.key.ec.qlen) == 0;
}

/* ---- stores --------------------------------------------------------------- */

static br_x509_trust_anchor big_slots[CPJ_TLS_SYSTEM_ANCHORS_MAX];
static unsigned char big_arena[CPJ_TLS_SYSTEM_ANCHOR_STORE];
static br_x509_trust_anchor small_slots[CPJ_TLS_BUILTIN_ANCHORS
    + CPJ_TLS_ANCHORS_MAX];
static unsigned char small_arena[CPJ_TLS_ANCHOR_STORE];
static br_x509_trust_anchor slots2[32];
static unsigned char arena2[16384];
static cpj_tls_anchors A, B;

/* Slots and arena bytes the bundle needed, whether or not it fitted. */
static void
needed(const cpj_tls_anchors *a, size_t *na, size_t *nb)
{
	cpj_tls_anchors_info i;

	cpj_tls_anchors_get_info(a, &i);
	*na = i.need_anchors;
	*nb = i.need_bytes;
}

/* What the system bundle needed (set by t_system_bundle_fits). */
static size_t sys_anchors, sys_bytes;

static int
t_builtin_anchors_decode(void)
{
	static const char *const src[CPJ_TLS_BUILTIN_ANCHORS] = {
		"Amazon_Root_CA_1.crt", "Amazon_Root_CA_2.crt",
		"Amazon_Root_CA_3.crt", "Amazon_Root_CA_4.crt",
		"Starfield_Services_Root_Certificate_Authority_-_G2.crt"
	};
	const br_x509_trust_anchor *bt;
	char name[256];
	size_t n, k;
	long len;

	n = cpj_tls_builtin_anchors(&bt);
	CHECK_EQ(n, 5);
	CHECK_EQ(cpj_tls_builtin_anchors(NULL), 5);
	CHECK_EQ(bt[0].pkey.key_type, BR_KEYTYPE_RSA);
	CHECK_EQ(bt[0].pkey.key.rsa.nlen, 256);
	CHECK_EQ(bt[1].pkey.key.rsa.nlen, 512);
	CHECK_EQ(bt[2].pkey.key.ec.curve, BR_EC_secp256r1);
	CHECK_EQ(bt[3].pkey.key.ec.curve, BR_EC_secp384r1);
	CHECK_EQ(bt[4].pkey.key_type, BR_KEYTYPE_RSA);
	/* Each equals BearSSL's own decoding of the Debian source file. */
	for (k = 0; k < n; k++) {
		CHECK_EQ(bt[k].flags, BR_X509_TA_CA);
		snprintf(name, sizeof name, "%s%s", MOZILLA_DIR, src[k]);
		len = read_file(name, file, sizeof file);
		CHECK(len > 0);
		CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2,
		    sizeof arena2, 0), 0);
		CHECK_EQ(push(&A, file, (size_t)len, 4096), 1);
		CHECK(same_anchor(&A.slots[0], &bt[k]));
		/* And differs from the others. */
		CHECK(!same_anchor(&A.slots[0], &bt[(k + 1) % n]));
	}
	return 0;
}

static int
t_system_bundle_fits_agent_store(void)
{
	cpj_tls_anchors_info info;
	size_t certs;
	clock_t c0;
	long len;
	int rc;

	len = read_file(SYSTEM_BUNDLE, file, sizeof file);
	CHECK(len > 0);
	certs = count_str(file, "-----BEGIN CERTIFICATE-----");
	CHECK(certs > 100);
	CHECK_EQ(cpj_tls_anchors_init(&A, big_slots, CPJ_TLS_SYSTEM_ANCHORS_MAX,
	    big_arena, sizeof big_arena, 1), 0);
	c0 = clock();
	rc = push(&A, file, (size_t)len, 4096);
	c0 = clock() - c0;
	/* Every certificate of Debian's bundle is a CA: all are kept. */
	CHECK_EQ(rc, (long long)(CPJ_TLS_BUILTIN_ANCHORS + certs));
	cpj_tls_anchors_get_info(&A, &info);
	CHECK_EQ(info.anchors, CPJ_TLS_BUILTIN_ANCHORS + certs);
	CHECK_EQ(info.certs, certs);
	CHECK_EQ(info.skipped, 0);
	CHECK_EQ(info.need_anchors, info.anchors);
	CHECK_EQ(info.need_bytes, info.bytes);
	CHECK(info.bytes > 0 && info.bytes <= sizeof big_arena);
	CHECK(cpj_tls_anchors_ready(&A));
	sys_anchors = info.need_anchors;
	sys_bytes = info.need_bytes;
	printf("system bundle: %zu certificates (%ld bytes of PEM) -> %zu "
	    "anchors, %zu arena bytes, %zu slot bytes; %.1f ms\n", certs, len,
	    info.anchors, info.bytes,
	    info.anchors * sizeof(br_x509_trust_anchor),
	    (double)c0 * 1000.0 / CLOCKS_PER_SEC);
	return 0;
}

/* PEM decoder callback of the test: DER bytes into sb_der[]. */
static unsigned char sb_der[16384];
static size_t sb_der_n;
static unsigned char ref_dn[1024];
static size_t ref_dn_n;

static void
der_add(void *ctx, const void *b, size_t n)
{
	(void)ctx;
	if (n <= sizeof sb_der - sb_der_n)
		memcpy(sb_der + sb_der_n, b, n);
	sb_der_n += n;
}

static void
ref_dn_add(void *ctx, const void *b, size_t n)
{
	(void)ctx;
	if (n <= sizeof ref_dn - ref_dn_n)
		memcpy(ref_dn + ref_dn_n, b, n);
	ref_dn_n += n;
}

/*
 * Every certificate of Debian's bundle through BearSSL's own PEM and X.509
 * decoders: the store's direct DER reader (tls_der.c) must give the same
 * DN, key and CA flag wherever it answers, answer for nearly all, and the
 * store loaded above must hold BearSSL's anchors in the bundle's order.
 */
static int
t_system_bundle_same_as_bearssl(void)
{
	static br_pem_decoder_context pem;
	static br_x509_decoder_context dec;
	cpj_tls_der_cert k;
	br_x509_trust_anchor ta;
	size_t off = 0, certs = 0, read = 0, stored = CPJ_TLS_BUILTIN_ANCHORS;
	long len;

	len = read_file(SYSTEM_BUNDLE, file, sizeof file);
	CHECK(len > 0);
	CHECK(A.count > stored);
	br_pem_decoder_init(&pem);
	while (off < (size_t)len) {
		off += br_pem_decoder_push(&pem, file + off, (size_t)len - off);
		switch (br_pem_decoder_event(&pem)) {
		case BR_PEM_BEGIN_OBJ:
			sb_der_n = 0;
			br_pem_decoder_setdest(&pem, der_add, NULL);
			break;
		case BR_PEM_END_OBJ:
			CHECK(sb_der_n <= sizeof sb_der);
			certs++;
			ref_dn_n = 0;
			br_x509_decoder_init(&dec, ref_dn_add, NULL);
			br_x509_decoder_push(&dec, sb_der, sb_der_n);
			CHECK_EQ(br_x509_decoder_last_error(&dec), 0);
			CHECK(ref_dn_n <= sizeof ref_dn);
			memset(&ta, 0, sizeof ta);
			ta.dn.data = ref_dn;
			ta.dn.len = ref_dn_n;
			ta.flags = BR_X509_TA_CA;
			ta.pkey = *br_x509_decoder_get_pkey(&dec);
			if (cpj_tls_der_cert_read(sb_der, sb_der_n, &k)) {
				br_x509_trust_anchor mine;

				read++;
				CHECK_EQ(k.is_ca, br_x509_decoder_isCA(&dec));
				memset(&mine, 0, sizeof mine);
				mine.dn.data = (unsigned char *)k.dn;
				mine.dn.len = k.dn_len;
				mine.flags = BR_X509_TA_CA;
				mine.pkey = k.pk;
				CHECK(same_anchor(&mine, &ta));
			}
			if (br_x509_decoder_isCA(&dec)) {
				CHECK(stored < A.count);
				CHECK(same_anchor(&A.slots[stored], &ta));
				stored++;
			}
			break;
		case BR_PEM_ERROR:
			CHECK(0);
			break;
		default:
			break;
		}
	}
	CHECK_EQ(stored, A.count);
	CHECK(certs > 100);
	/* the direct reader answers for the common shape: nearly all */
	CHECK(read * 10 >= certs * 9);
	printf("system bundle: the direct DER reader answered for %zu of %zu "
	    "certificates, as BearSSL's decoder\n", read, certs);
	return 0;
}

static int
t_system_bundle_too_small_store(void)
{
	static cpj_tls_context t;
	size_t na, nb;
	long len;

	CHECK(sys_anchors > 0);
	len = read_file(SYSTEM_BUNDLE, file, sizeof file);
	CHECK(len > 0);
	/* The library's default sizes. */
	CHECK_EQ(cpj_tls_anchors_init(&A, small_slots,
	    sizeof small_slots / sizeof small_slots[0], small_arena,
	    sizeof small_arena, 1), 0);
	CHECK_EQ(push(&A, file, (size_t)len, 1000), CPJ_ERR_TLS_ANCHORS);
	needed(&A, &na, &nb);
	CHECK_EQ(na, sys_anchors);
	CHECK_EQ(nb, sys_bytes);
	CHECK(!cpj_tls_anchors_ready(&A));
	CHECK_EQ(cpj_tls_init(&t, &A), CPJ_ERR_TLS_ANCHORS);
	printf("CA bundle needs %zu anchors/%zu bytes, store holds %zu/%zu\n",
	    na, nb, sizeof small_slots / sizeof small_slots[0],
	    sizeof small_arena);
	/* Slots enough, arena too small. */
	CHECK_EQ(cpj_tls_anchors_init(&A, big_slots, CPJ_TLS_SYSTEM_ANCHORS_MAX,
	    big_arena, sys_bytes - 1, 1), 0);
	CHECK_EQ(push(&A, file, (size_t)len, 65536), CPJ_ERR_TLS_ANCHORS);
	needed(&A, &na, &nb);
	CHECK_EQ(na, sys_anchors);
	CHECK_EQ(nb, sys_bytes);
	/* Arena enough, one slot short. */
	CHECK_EQ(cpj_tls_anchors_init(&A, big_slots, sys_anchors - 1,
	    big_arena, sizeof big_arena, 1), 0);
	CHECK_EQ(push(&A, file, (size_t)len, 65536), CPJ_ERR_TLS_ANCHORS);
	needed(&A, &na, &nb);
	CHECK_EQ(na, sys_anchors);
	CHECK_EQ(nb, sys_bytes);
	/* Exactly enough of both. */
	CHECK_EQ(cpj_tls_anchors_init(&A, big_slots, sys_anchors,
	    big_arena, sys_bytes, 1), 0);
	CHECK_EQ(push(&A, file, (size_t)len, 65536), (long long)sys_anchors);
	/* Built-in anchors only (no storage): a bundle cannot be added. */
	CHECK_EQ(cpj_tls_anchors_init(&A, NULL, 0, NULL, 0, 1), 0);
	CHECK(cpj_tls_anchors_ready(&A));
	CHECK_EQ(push(&A, file, (size_t)len, 65536), CPJ_ERR_TLS_ANCHORS);
	needed(&A, &na, &nb);
	CHECK_EQ(na, sys_anchors);
	return 0;
}

/* The test bundle, 1 byte at a time, CRLF, no final newline: same store. */
static int
t_bundle_pieces_and_line_endings(void)
{
	long len;
	size_t k, j, n2;
	int rc;

	len = read_file(path("ca.pem"), file, sizeof file);
	CHECK(len > 0);
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, file, (size_t)len, (size_t)len), 2);
	CHECK_EQ(cpj_tls_anchors_init(&B, big_slots, 32, big_arena, 65536, 0),
	    0);
	CHECK_EQ(push(&B, file, (size_t)len, 1), 2);
	for (k = 0; k < 2; k++)
		CHECK(same_anchor(&A.slots[k], &B.slots[k]));
	CHECK_EQ(A.slots[0].pkey.key_type, BR_KEYTYPE_EC);
	CHECK_EQ(A.slots[1].pkey.key_type, BR_KEYTYPE_RSA);
	/* CRLF line endings, text around objects, no final newline. */
	n2 = 0;
	n2 += (size_t)snprintf(file2, sizeof file2, "Test CAs\r\n\r\n");
	for (j = 0; j < (size_t)len && n2 + 2 < sizeof file2; j++) {
		if (file[j] == '\n')
			file2[n2++] = '\r';
		file2[n2++] = file[j];
	}
	while (n2 > 0 && (file2[n2 - 1] == '\n' || file2[n2 - 1] == '\r'))
		n2--;
	CHECK_EQ(cpj_tls_anchors_init(&B, big_slots, 32, big_arena, 65536, 0),
	    0);
	rc = push(&B, file2, n2, 7);
	if (rc != 2) {
		cpj_tls_anchors_info info;

		cpj_tls_anchors_get_info(&B, &info);
		fprintf(stderr, "object %zu, error %d\n", info.bad_object,
		    info.br_err);
	}
	CHECK_EQ(rc, 2);
	for (k = 0; k < 2; k++)
		CHECK(same_anchor(&A.slots[k], &B.slots[k]));
	return 0;
}

static int
t_bundle_skips_non_ca_and_other_objects(void)
{
	cpj_tls_anchors_info info;
	long n1, n2, n3;

	n1 = read_file(path("server-ec.pem"), file, sizeof file);
	CHECK(n1 > 0);
	n2 = read_file(path("server-ec.key"), file + n1, sizeof file - n1);
	CHECK(n2 > 0);
	n3 = read_file(path("ca-rsa.pem"), file + n1 + n2,
	    sizeof file - n1 - n2);
	CHECK(n3 > 0);
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, file, (size_t)(n1 + n2 + n3), 100), 1);
	cpj_tls_anchors_get_info(&A, &info);
	CHECK_EQ(info.certs, 2);
	CHECK_EQ(info.skipped, 2);
	CHECK_EQ(A.slots[0].pkey.key_type, BR_KEYTYPE_RSA);
	/* Only a server certificate: no CA, an error. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, file, (size_t)n1, 100), CPJ_ERR_TLS_ANCHORS);
	cpj_tls_anchors_get_info(&A, &info);
	CHECK_EQ(info.need_anchors, 0);
	CHECK_EQ(info.bad_object, 0);
	return 0;
}

static int
t_bundle_malformed(void)
{
	cpj_tls_anchors_info info;
	long len;
	char *p;

	len = read_file(path("ca.pem"), file, sizeof file);
	CHECK(len > 0);
	/* Truncated in the second object. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	p = strstr(file + 10, "-----BEGIN");
	CHECK(p != NULL);
	p = strchr(p + 200, '\n');
	CHECK(p != NULL);
	CHECK_EQ(push(&A, file, (size_t)(p - file) + 1, 64),
	    CPJ_ERR_TLS_ANCHORS);
	cpj_tls_anchors_get_info(&A, &info);
	CHECK_EQ(info.bad_object, 2);
	CHECK_EQ(info.br_err, BR_ERR_X509_TRUNCATED);
	/* Truncated in the middle of a line: a broken Base64 quartet. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, file, (size_t)(p - file) - 3, 64),
	    CPJ_ERR_TLS_ANCHORS);
	cpj_tls_anchors_get_info(&A, &info);
	CHECK_EQ(info.bad_object, 2);
	CHECK_EQ(info.br_err, -1);
	CHECK(!cpj_tls_anchors_ready(&A));
	/* After a failure: refused. */
	CHECK_EQ(cpj_tls_anchors_add_pem(&A, "x", 1), CPJ_ERR_TLS_ANCHORS);
	CHECK_EQ(cpj_tls_anchors_finish(&A), CPJ_ERR_TLS_ANCHORS);
	/* A character that is not Base64. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	memcpy(file2, file, (size_t)len);
	p = strstr(file2, "-----\n");
	CHECK(p != NULL);
	p[10] = '!';
	CHECK_EQ(push(&A, file2, (size_t)len, 4096), CPJ_ERR_TLS_ANCHORS);
	cpj_tls_anchors_get_info(&A, &info);
	CHECK_EQ(info.bad_object, 1);
	CHECK_EQ(info.br_err, -1);
	/* Valid Base64, not a certificate. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, "-----BEGIN CERTIFICATE-----\nMIIBAAECAwQF\n"
	    "-----END CERTIFICATE-----\n", 66, 5), CPJ_ERR_TLS_ANCHORS);
	cpj_tls_anchors_get_info(&A, &info);
	CHECK_EQ(info.bad_object, 1);
	CHECK(info.br_err >= BR_ERR_X509_INVALID_VALUE
	    && info.br_err <= BR_ERR_X509_NOT_TRUSTED);
	/* Empty, and text without any PEM object. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(cpj_tls_anchors_finish(&A), CPJ_ERR_TLS_ANCHORS);
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, "hello\n", 6, 6), CPJ_ERR_TLS_ANCHORS);
	/* A DER file instead of PEM: no object, an error. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, "\x30\x82\x01\x0a\x02\x82\x01\x01\x00", 9, 9),
	    CPJ_ERR_TLS_ANCHORS);
	return 0;
}

/* Random bytes, and random damage to a good bundle: never a crash. */
static int
t_bundle_hostile_bytes(void)
{
	uint32_t x;
	long len;
	size_t k, i;
	int rc, ok;

	x = 12345;
	for (k = 0; k < 65536; k++) {
		x = x * 1103515245u + 12345u;
		file2[k] = (char)(x >> 16);
	}
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    0), 0);
	CHECK_EQ(push(&A, file2, 65536, 333), CPJ_ERR_TLS_ANCHORS);
	len = read_file(path("ca.pem"), file, sizeof file);
	CHECK(len > 0);
	ok = 0;
	for (i = 0; i < 300; i++) {
		memcpy(file2, file, (size_t)len);
		for (k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			file2[(x >> 8) % (uint32_t)len] = (char)(x >> 24);
		}
		CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2,
		    sizeof arena2, 0), 0);
		rc = push(&A, file2, (size_t)len, 1 + i % 97);
		CHECK(rc == CPJ_ERR_TLS_ANCHORS || (rc >= 1 && rc <= 2));
		ok += rc > 0;
	}
	printf("damaged bundles: %d of 300 still loaded\n", ok);
	return 0;
}

static int
t_anchors_api(void)
{
	const br_x509_trust_anchor *bt;
	cpj_tls_anchors_info i;
	size_t n;

	CHECK_EQ(cpj_tls_anchors_init(NULL, NULL, 0, NULL, 0, 1),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_anchors_init(&A, NULL, 3, NULL, 0, 1), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_anchors_init(&A, NULL, 0, NULL, 3, 1), CPJ_ERR_PARAM);
	/* Fewer slots than built-in anchors. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 3, NULL, 0, 1),
	    CPJ_ERR_TLS_ANCHORS);
	CHECK(!cpj_tls_anchors_ready(&A));
	/* Built-in in slots: ready at once, same content. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 5, NULL, 0, 1), 0);
	CHECK(cpj_tls_anchors_ready(&A));
	n = cpj_tls_builtin_anchors(&bt);
	CHECK_EQ(A.count, n);
	CHECK(same_anchor(&slots2[4], &bt[4]));
	/* Empty store without built-in: not ready. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 5, arena2, 10, 0), 0);
	CHECK(!cpj_tls_anchors_ready(&A));
	/* State: no push after finish, no second finish. */
	CHECK_EQ(cpj_tls_anchors_init(&A, slots2, 32, arena2, sizeof arena2,
	    1), 0);
	CHECK_EQ(read_file(path("ca-ec.pem"), file, sizeof file) > 0, 1);
	CHECK_EQ(push(&A, file, strlen(file), 50), 6);
	CHECK_EQ(cpj_tls_anchors_add_pem(&A, file, 10), CPJ_ERR_STATE);
	CHECK_EQ(cpj_tls_anchors_finish(&A), CPJ_ERR_STATE);
	CHECK(cpj_tls_anchors_ready(&A));
	CHECK_EQ(cpj_tls_anchors_add_pem(NULL, file, 1), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_anchors_add_pem(&A, NULL, 1), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_anchors_finish(NULL), CPJ_ERR_PARAM);
	memset(&i, 0xff, sizeof i);
	cpj_tls_anchors_get_info(NULL, &i);
	CHECK_EQ(i.need_anchors, 0);
	CHECK_EQ(i.anchors, 0);
	cpj_tls_anchors_get_info(&A, NULL);
	return 0;
}

/* ---- time ------------------------------------------------------------------ */

static int
t_time_floor(void)
{
	int64_t b;

	b = cpj_tls_build_time();
	/* A real build date: after 2024-01-01, not in the future. */
	CHECK(b > 1704067200);
	CHECK(b <= (int64_t)time(NULL) + 86400);
	mock_port_set_time_unix(1000);
	CHECK_EQ(cpj_tls_time(), b);
	mock_port_set_time_unix(b - 1);
	CHECK_EQ(cpj_tls_time(), b);
	mock_port_set_time_unix(b + 1);
	CHECK_EQ(cpj_tls_time(), b + 1);
	mock_port_set_time_unix(T_2100);
	CHECK_EQ(cpj_tls_time(), T_2100);
	return 0;
}

/* ---- an in-process BearSSL server ----------------------------------------- */

#define PIPE_MAX 200000

static struct {
	br_ssl_server_context sc;
	unsigned char buf[BR_SSL_BUFSIZE_BIDI];
	br_ssl_session_cache_lru lru;
	unsigned char lru_buf[4096];
	cpj_tls_client_cert cert;
	unsigned char der[8192];
	/* client -> server bytes not yet taken by the server */
	unsigned char c2s[PIPE_MAX];
	size_t c2s_len;
	/* server -> client bytes not yet read by the client */
	unsigned char s2c[PIPE_MAX];
	size_t s2c_off, s2c_len;
	/* application data to echo back */
	unsigned char echo[PIPE_MAX];
	size_t echo_len;
	size_t recv_chunk;     /* client reads at most this (0: any) */
	int eof;               /* the TCP stream ends once s2c is read */
	int corrupt;           /* flip a byte in the next record sent */
	int zero_forever;      /* the transport never moves a byte */
	int overreport;        /* recv claims one byte more than asked */
	int mute;              /* the server never answers */
} S;

static void
pump(void)
{
	br_ssl_engine_context *e;
	unsigned char *b;
	unsigned st;
	size_t len;

	e = &S.sc.eng;
	while (!S.mute) {
		st = br_ssl_engine_current_state(e);
		if (st & BR_SSL_CLOSED)
			return;
		if (st & BR_SSL_SENDREC) {
			b = br_ssl_engine_sendrec_buf(e, &len);
			if (len > PIPE_MAX - S.s2c_len)
				return;
			memcpy(S.s2c + S.s2c_len, b, len);
			if (S.corrupt) {
				S.s2c[S.s2c_len + len - 1] ^= 0x01;
				S.corrupt = 0;
			}
			S.s2c_len += len;
			br_ssl_engine_sendrec_ack(e, len);
			continue;
		}
		if (st & BR_SSL_RECVAPP) {
			b = br_ssl_engine_recvapp_buf(e, &len);
			if (len > PIPE_MAX - S.echo_len)
				len = PIPE_MAX - S.echo_len;
			memcpy(S.echo + S.echo_len, b, len);
			S.echo_len += len;
			br_ssl_engine_recvapp_ack(e, len);
			continue;
		}
		if ((st & BR_SSL_SENDAPP) && S.echo_len > 0) {
			b = br_ssl_engine_sendapp_buf(e, &len);
			if (len > S.echo_len)
				len = S.echo_len;
			memcpy(b, S.echo, len);
			memmove(S.echo, S.echo + len, S.echo_len - len);
			S.echo_len -= len;
			br_ssl_engine_sendapp_ack(e, len);
			br_ssl_engine_flush(e, 0);
			continue;
		}
		if ((st & BR_SSL_RECVREC) && S.c2s_len > 0) {
			b = br_ssl_engine_recvrec_buf(e, &len);
			if (len > S.c2s_len)
				len = S.c2s_len;
			memcpy(b, S.c2s, len);
			memmove(S.c2s, S.c2s + len, S.c2s_len - len);
			S.c2s_len -= len;
			br_ssl_engine_recvrec_ack(e, len);
			continue;
		}
		return;
	}
}

static int
low_send(void *ctx, const unsigned char *buf, size_t len)
{
	(void)ctx;
	if (S.zero_forever)
		return 0;
	if (len > PIPE_MAX - S.c2s_len)
		return CPJ_ERR_NET_IO;
	memcpy(S.c2s + S.c2s_len, buf, len);
	S.c2s_len += len;
	pump();
	return (int)len;
}

static int
low_recv(void *ctx, unsigned char *buf, size_t len)
{
	size_t n;

	(void)ctx;
	if (S.zero_forever)
		return 0;
	pump();
	n = S.s2c_len - S.s2c_off;
	if (n == 0) {
		/* Nothing will ever come: EOF if scripted, else a timeout. */
		return S.eof || (br_ssl_engine_current_state(&S.sc.eng)
		    & BR_SSL_CLOSED) ? CPJ_ERR_NET_CLOSED : CPJ_ERR_TIMEOUT;
	}
	if (n > len)
		n = len;
	if (S.recv_chunk != 0 && n > S.recv_chunk)
		n = S.recv_chunk;
	memcpy(buf, S.s2c + S.s2c_off, n);
	S.s2c_off += n;
	if (S.s2c_off == S.s2c_len)
		S.s2c_off = S.s2c_len = 0;
	if (S.overreport)
		return (int)len + 1;
	return (int)n;
}

static const cpj_transport lower = { low_recv, low_send, NULL };

/* Load <name>.pem/.key into the server and reset it for a connection. */
static int
server_start(const char *name, int keep_cache)
{
	static char chain[8192], key[8192];
	const br_ec_private_key *ec;
	const br_rsa_private_key *rsa;
	char f[128];
	long cl, kl;

	snprintf(f, sizeof f, "%s.pem", name);
	cl = read_file(path(f), chain, sizeof chain);
	snprintf(f, sizeof f, "%s.key", name);
	kl = read_file(path(f), key, sizeof key);
	if (cl <= 0 || kl <= 0)
		return -1;
	if (cpj_tls_client_cert_load(&S.cert, S.der, sizeof S.der, chain,
	    (size_t)cl, key, (size_t)kl) != 0)
		return -1;
	ec = br_skey_decoder_get_ec(&S.cert.key);
	rsa = br_skey_decoder_get_rsa(&S.cert.key);
	if (ec != NULL)
		br_ssl_server_init_full_ec(&S.sc, S.cert.chain,
		    S.cert.chain_len, BR_KEYTYPE_EC, ec);
	else
		br_ssl_server_init_full_rsa(&S.sc, S.cert.chain,
		    S.cert.chain_len, rsa);
	br_ssl_engine_set_buffer(&S.sc.eng, S.buf, sizeof S.buf, 1);
	if (!keep_cache)
		br_ssl_session_cache_lru_init(&S.lru, S.lru_buf,
		    sizeof S.lru_buf);
	br_ssl_server_set_cache(&S.sc, &S.lru.vtable);
	S.c2s_len = S.s2c_off = S.s2c_len = S.echo_len = 0;
	S.recv_chunk = 0;
	S.eof = S.corrupt = S.zero_forever = S.overreport = S.mute = 0;
	return br_ssl_server_reset(&S.sc) ? 0 : -1;
}

static br_x509_trust_anchor tslots[16];
static unsigned char tarena[8192];
static cpj_tls_anchors TA;
static cpj_tls_context tls;

/* Anchors = built-in + test CAs; a fresh context. */
static int
client_setup(void)
{
	long len;

	len = read_file(path("ca.pem"), file, sizeof file);
	if (len <= 0 || cpj_tls_anchors_init(&TA, tslots, 16, tarena,
	    sizeof tarena, 1) != 0 || push(&TA, file, (size_t)len, 512) != 7)
		return -1;
	return cpj_tls_init(&tls, &TA);
}

static int
open_at(const char *server, int64_t now)
{
	if (server_start(server, 0) != 0 || client_setup() != 0)
		return -100;
	mock_port_set_time_unix(now);
	return cpj_tls_open(&tls, &lower, "localhost");
}

static int
t_floor_clock_in_1970(void)
{
	/* Valid 2020..2099; the device clock says 1970. */
	CHECK_EQ(open_at("server-ec", 1000), 0);
	cpj_tls_close(&tls);
	CHECK_EQ(open_at("server-rsa", 0), 0);
	cpj_tls_close(&tls);
	return 0;
}

static int
t_floor_keeps_old_cert_expired(void)
{
	/* Valid 2000..2010; the clock says 2005, the build is later. */
	CHECK_EQ(open_at("old", T_2005), CPJ_ERR_TLS_EXPIRED);
	CHECK_EQ(cpj_tls_last_br_error(&tls), BR_ERR_X509_EXPIRED);
	return 0;
}

static int
t_clock_later_than_build(void)
{
	CHECK_EQ(open_at("server-ec", T_2095), 0);
	cpj_tls_close(&tls);
	CHECK_EQ(open_at("server-ec", T_2100), CPJ_ERR_TLS_EXPIRED);
	/* Not yet valid: 2090..2091, clock 2020 (build floor below 2090). */
	CHECK_EQ(open_at("notyet", T_2020), CPJ_ERR_TLS_EXPIRED);
	return 0;
}

/* SNI: sent for DNS names, not for IP addresses. */
static int
t_sni(void)
{
	CHECK_EQ(open_at("server-ip", T_2020), 0);
	CHECK(strcmp(br_ssl_engine_get_server_name(&S.sc.eng), "localhost")
	    == 0);
	cpj_tls_close(&tls);
	CHECK_EQ(server_start("server-ip", 0), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "127.0.0.1"), 0);
	CHECK(strcmp(br_ssl_engine_get_server_name(&S.sc.eng), "") == 0);
	cpj_tls_close(&tls);
	CHECK_EQ(server_start("server-ip", 0), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "[::1]"), 0);
	CHECK(strcmp(br_ssl_engine_get_server_name(&S.sc.eng), "") == 0);
	cpj_tls_close(&tls);
	return 0;
}

/* Host strings near IP syntax: names (SNI sent) that do not match. */
static int
t_ip_syntax(void)
{
	static const char *const names[] = {
		"127.0.0.01", "127.0.0", "127.0.0.1.", "127.0.0.256",
		"1::2::3", ":::1", "::1:", "1:2:3:4:5:6:7:8:9", "[::1",
		"::ffff:127.0.0.1", "12345::1", "::127.0.0.1.1"
	};
	size_t k;
	int rc;

	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		CHECK_EQ(server_start("server-ip", 0), 0);
		rc = cpj_tls_open(&tls, &lower, names[k]);
		if (rc != CPJ_ERR_TLS_HOSTNAME)
			fprintf(stderr, "%s: %d\n", names[k], rc);
		CHECK_EQ(rc, CPJ_ERR_TLS_HOSTNAME);
		cpj_tls_close(&tls);
	}
	/* Equivalent spellings of ::1 all match. */
	CHECK_EQ(server_start("server-ip", 0), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "0::0:1"), 0);
	cpj_tls_close(&tls);
	CHECK_EQ(server_start("server-ip", 0), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "::0.0.0.1"), 0);
	cpj_tls_close(&tls);
	return 0;
}

/* Damaged server certificates with an IP host: errors, never a crash. */
static int
t_ip_scan_damaged_certs(void)
{
	uint32_t x;
	size_t off, len;
	int i, rc, ok;

	x = 777;
	ok = 0;
	for (i = 0; i < 300; i++) {
		CHECK_EQ(server_start("server-ip", 0), 0);
		len = S.cert.chain[0].data_len;
		x = x * 1103515245u + 12345u;
		off = (x >> 8) % len;
		x = x * 1103515245u + 12345u;
		S.cert.chain[0].data[off] ^= (unsigned char)(1 + (x >> 24) % 255);
		rc = cpj_tls_open(&tls, &lower, i % 2 ? "127.0.0.1" : "::1");
		CHECK(rc <= 0);
		ok += rc == 0;
		cpj_tls_close(&tls);
	}
	printf("damaged server certificates: %d of 300 accepted\n", ok);
	/* The signature covers all but the signature itself. */
	CHECK(ok < 30);
	return 0;
}

/* Echo round trips: many records, 1-byte reads, multi-record sends. */
static int
t_echo_round_trips(void)
{
	static unsigned char msg[40000], got[40000];
	cpj_transport tr;
	size_t k, n, sizes[4] = { 1, 100, 16384, 40000 };
	int i, r;

	for (k = 0; k < sizeof msg; k++)
		msg[k] = (unsigned char)(k * 7 + 3);
	CHECK_EQ(open_at("server-ec384", T_2020), 0);
	cpj_tls_transport(&tls, &tr);
	for (i = 0; i < 4; i++) {
		S.recv_chunk = i == 1 ? 1 : 0;
		CHECK_EQ(tr.send(tr.ctx, msg, sizes[i]), (long long)sizes[i]);
		for (n = 0; n < sizes[i]; n += (size_t)r) {
			r = tr.recv(tr.ctx, got + n, sizes[i] - n);
			CHECK(r > 0);
		}
		CHECK(memcmp(got, msg, sizes[i]) == 0);
	}
	/* Bad arguments leave the connection usable. */
	CHECK_EQ(tr.recv(tr.ctx, NULL, 1), CPJ_ERR_PARAM);
	CHECK_EQ(tr.send(tr.ctx, msg, 0), CPJ_ERR_PARAM);
	CHECK_EQ(tr.send(tr.ctx, msg, 5), 5);
	CHECK_EQ(tr.recv(tr.ctx, got, 5), 5);
	/* Our close_notify reaches the server. */
	cpj_tls_close(&tls);
	pump();
	CHECK(br_ssl_engine_current_state(&S.sc.eng) == BR_SSL_CLOSED);
	CHECK_EQ(br_ssl_engine_last_error(&S.sc.eng), BR_ERR_OK);
	/* Closed: the transport says so; the record buffer is wiped. */
	CHECK_EQ(tr.recv(tr.ctx, got, 5), CPJ_ERR_STATE);
	for (k = 0; k < sizeof tls.iobuf; k++)
		CHECK(tls.iobuf[k] == 0);
	return 0;
}

static int
t_peer_close_notify_and_truncation(void)
{
	cpj_transport tr;
	unsigned char b[16];

	/* close_notify from the server: NET_CLOSED, a clean close. */
	CHECK_EQ(open_at("server-ec", T_2020), 0);
	cpj_tls_transport(&tls, &tr);
	br_ssl_engine_close(&S.sc.eng);
	pump();
	CHECK_EQ(tr.recv(tr.ctx, b, sizeof b), CPJ_ERR_NET_CLOSED);
	CHECK(cpj_tls_clean_close(&tls));
	/* Sticky. */
	CHECK_EQ(tr.recv(tr.ctx, b, sizeof b), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(tr.send(tr.ctx, b, 1), CPJ_ERR_NET_CLOSED);
	cpj_tls_close(&tls);
	/* TCP EOF without close_notify: the transport's NET_CLOSED, unclean. */
	CHECK_EQ(open_at("server-ec", T_2020), 0);
	cpj_tls_transport(&tls, &tr);
	S.eof = 1;
	CHECK_EQ(tr.recv(tr.ctx, b, sizeof b), CPJ_ERR_NET_CLOSED);
	CHECK(!cpj_tls_clean_close(&tls));
	CHECK_EQ(cpj_tls_last_br_error(&tls), BR_ERR_IO);
	cpj_tls_close(&tls);
	return 0;
}

static int
t_bad_mac(void)
{
	cpj_transport tr;
	unsigned char b[16];

	CHECK_EQ(open_at("server-rsa", T_2020), 0);
	cpj_tls_transport(&tls, &tr);
	S.corrupt = 1;
	CHECK_EQ(tr.send(tr.ctx, (const unsigned char *)"ping", 4), 4);
	CHECK_EQ(tr.recv(tr.ctx, b, sizeof b), CPJ_ERR_TLS_IO);
	CHECK_EQ(cpj_tls_last_br_error(&tls), BR_ERR_BAD_MAC);
	cpj_tls_close(&tls);
	return 0;
}

static int
t_half_duplex_write_with_unread_data(void)
{
	cpj_transport tr;
	unsigned char b[4];

	CHECK_EQ(open_at("server-ec", T_2020), 0);
	cpj_tls_transport(&tls, &tr);
	CHECK_EQ(tr.send(tr.ctx, (const unsigned char *)"12345678", 8), 8);
	CHECK_EQ(tr.recv(tr.ctx, b, 4), 4);
	/* Four echoed bytes are still unread. */
	CHECK_EQ(tr.send(tr.ctx, (const unsigned char *)"x", 1),
	    CPJ_ERR_STATE);
	cpj_tls_close(&tls);
	return 0;
}

static int
t_resumption_in_process(void)
{
	br_ssl_session_parameters p1, p2;

	CHECK_EQ(open_at("server-ec", T_2020), 0);
	CHECK(!cpj_tls_resumed(&tls));
	br_ssl_engine_get_session_parameters(&tls.cc.eng, &p1);
	cpj_tls_close(&tls);
	/* Same context, same host: the server's cache resumes it. */
	CHECK_EQ(server_start("server-ec", 1), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "localhost"), 0);
	CHECK(cpj_tls_resumed(&tls));
	br_ssl_engine_get_session_parameters(&tls.cc.eng, &p2);
	CHECK(p1.session_id_len == 32 && p2.session_id_len == 32);
	CHECK(memcmp(p1.session_id, p2.session_id, 32) == 0);
	cpj_tls_close(&tls);
	/* Another host name (also in the certificate): a full handshake. */
	CHECK_EQ(server_start("server-ec", 1), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "alt.localhost"), 0);
	CHECK(!cpj_tls_resumed(&tls));
	cpj_tls_close(&tls);
	/* A failed handshake forgets the session. */
	CHECK_EQ(server_start("wronghost", 0), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "alt.localhost"),
	    CPJ_ERR_TLS_HOSTNAME);
	br_ssl_engine_get_session_parameters(&tls.cc.eng, &p2);
	CHECK_EQ(p2.session_id_len, 0);
	CHECK_EQ(server_start("server-ec", 1), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "alt.localhost"), 0);
	CHECK(!cpj_tls_resumed(&tls));
	cpj_tls_close(&tls);
	/* cpj_tls_forget wipes the session. */
	cpj_tls_forget(&tls);
	br_ssl_engine_get_session_parameters(&tls.cc.eng, &p2);
	CHECK_EQ(p2.session_id_len, 0);
	CHECK_EQ(server_start("server-ec", 1), 0);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "alt.localhost"), 0);
	CHECK(!cpj_tls_resumed(&tls));
	cpj_tls_close(&tls);
	return 0;
}

static int
t_transport_faults(void)
{
	/* Entropy failure. */
	CHECK_EQ(server_start("server-ec", 0), 0);
	CHECK_EQ(client_setup(), 0);
	mock_port_fail_entropy(1);
	CHECK_EQ(cpj_tls_open(&tls, &lower, "localhost"), CPJ_ERR_IO);
	mock_port_fail_entropy(0);
	/* A transport that returns 0 for ever: a bounded timeout. */
	CHECK_EQ(server_start("server-ec", 0), 0);
	S.zero_forever = 1;
	CHECK_EQ(cpj_tls_open(&tls, &lower, "localhost"), CPJ_ERR_TIMEOUT);
	/* A transport that claims more than asked. */
	CHECK_EQ(server_start("server-ec", 0), 0);
	S.overreport = 1;
	CHECK_EQ(cpj_tls_open(&tls, &lower, "localhost"), CPJ_ERR_INTERNAL);
	/* Nothing comes back (the transport times out). */
	CHECK_EQ(server_start("server-ec", 0), 0);
	S.mute = 1;
	CHECK_EQ(cpj_tls_open(&tls, &lower, "localhost"), CPJ_ERR_TIMEOUT);
	return 0;
}

/* ---- client certificates --------------------------------------------------- */

static int
load_cc(cpj_tls_client_cert *cc, unsigned char *der, size_t derlen,
    const char *chain, const char *key)
{
	static char cb[16384], kb[8192];
	long cl, kl;

	cl = read_file(path(chain), cb, sizeof cb);
	kl = read_file(path(key), kb, sizeof kb);
	if (cl <= 0 || kl <= 0)
		return -100;
	return cpj_tls_client_cert_load(cc, der, derlen, cb, (size_t)cl, kb,
	    (size_t)kl);
}

/* `in` with CR LF line ends into `out`. \return the length. */
static size_t
to_crlf(char *out, size_t outlen, const char *in)
{
	size_t n;

	for (n = 0; *in != 0 && n + 2 < outlen; in++) {
		if (*in == '\n')
			out[n++] = '\r';
		out[n++] = *in;
	}
	out[n] = 0;
	return n;
}

static int
t_client_cert_load(void)
{
	static cpj_tls_client_cert cc;
	static unsigned char der[8192];
	static char cb[8192], kb[8192];
	size_t cl, kl;

	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-ec.pem",
	    "client-ec.key"), 0);
	CHECK_EQ(cc.chain_len, 1);
	CHECK(br_skey_decoder_get_ec(&cc.key) != NULL);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "leaf-chain.pem",
	    "server-ec.key"), 0);
	CHECK_EQ(cc.chain_len, 2);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-rsa.pem",
	    "client-rsa-trad.key"), 0);
	CHECK(br_skey_decoder_get_rsa(&cc.key) != NULL);
	/* CR LF line ends. */
	CHECK(read_file(path("client-ec.pem"), file2, sizeof file2) > 0);
	cl = to_crlf(cb, sizeof cb, file2);
	CHECK(read_file(path("client-ec-sec1.key"), file2, sizeof file2) > 0);
	kl = to_crlf(kb, sizeof kb, file2);
	CHECK_EQ(cpj_tls_client_cert_load(&cc, der, sizeof der, cb, cl, kb, kl),
	    0);
	CHECK(br_skey_decoder_get_ec(&cc.key) != NULL);
	/* Key of another certificate. */
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-ec.pem",
	    "server-ec.key"), CPJ_ERR_TLS_CERT);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-rsa.pem",
	    "server-rsa.key"), CPJ_ERR_TLS_CERT);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-rsa.pem",
	    "client-ec.key"), CPJ_ERR_TLS_CERT);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "server-ec384.pem",
	    "server-ec.key"), CPJ_ERR_TLS_CERT);
	/* No key, no certificate, two keys. */
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-ec.pem",
	    "client-ec.pem"), CPJ_ERR_TLS_CERT);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-ec.key",
	    "client-ec.key"), CPJ_ERR_TLS_CERT);
	CHECK(br_skey_decoder_get_ec(&cc.key) == NULL);
	/* Encrypted key. */
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-ec.pem",
	    "client-ec-enc.key"), CPJ_ERR_UNSUPPORTED);
	/* Storage and chain limits. */
	CHECK_EQ(load_cc(&cc, der, 100, "client-ec.pem", "client-ec.key"),
	    CPJ_ERR_NOSPACE);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "long-chain.pem",
	    "client-ec.key"), CPJ_ERR_NOSPACE);
	CHECK_EQ(cpj_tls_client_cert_load(&cc, der, sizeof der, "x", 1, NULL,
	    0), CPJ_ERR_PARAM);
	cpj_tls_client_cert_wipe(&cc);
	CHECK_EQ(cc.chain_len, 0);
	/* set_client_cert argument checks. */
	CHECK_EQ(client_setup(), 0);
	CHECK_EQ(load_cc(&cc, der, sizeof der, "client-ec.pem",
	    "client-ec.key"), 0);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, cc.chain, 1, NULL, NULL),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, cc.chain, 1,
	    (const br_rsa_private_key *)1, br_skey_decoder_get_ec(&cc.key)),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, cc.chain,
	    CPJ_TLS_CLIENT_CHAIN_MAX + 1, NULL, br_skey_decoder_get_ec(&cc.key)),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, NULL, 0, NULL,
	    br_skey_decoder_get_ec(&cc.key)), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, cc.chain, 1, NULL,
	    br_skey_decoder_get_ec(&cc.key)), 0);
	CHECK_EQ(cpj_tls_set_client_cert(&tls, NULL, 0, NULL, NULL), 0);
	cpj_tls_client_cert_wipe(&cc);
	return 0;
}

/* The RAM the header documents, on this host (x86-64). */
static int
t_ram_budget(void)
{
	printf("sizeof: cpj_tls_context %zu, cpj_tls_anchors %zu, "
	    "cpj_tls_client_cert %zu, br_x509_trust_anchor %zu\n",
	    sizeof(cpj_tls_context), sizeof(cpj_tls_anchors),
	    sizeof(cpj_tls_client_cert), sizeof(br_x509_trust_anchor));
	CHECK(sizeof(cpj_tls_context) <= CPJ_TLS_BUF_SIZE + 7500);
	CHECK(sizeof(cpj_tls_anchors) <= 2100);
	CHECK(sizeof(cpj_tls_client_cert) <= 4100);
	return 0;
}

static int
t_no_port_misuse(void)
{
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* ---- setup -------------------------------------------------------------------- */

static int
t_setup(void)
{
	char cmd[1400];
	const char *top, *tmp;

	top = getenv("CPJ_TOP");
	if (top == NULL || *top == 0)
		top = ".";
	tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == 0)
		tmp = "/tmp";
	snprintf(pki, sizeof pki, "%s/cpj-tls-XXXXXX", tmp);
	CHECK(mkdtemp(pki) != NULL);
	snprintf(cmd, sizeof cmd, "sh '%s/tests/support/mkcerts.sh' '%s'",
	    top, pki);
	CHECK_EQ(system(cmd), 0);
	mock_port_reset();
	return 0;
}

static void
cleanup(void)
{
	char cmd[600];

	if (strstr(pki, "/cpj-tls-") == NULL || strchr(pki, '\'') != NULL)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", pki);
	if (system(cmd) != 0)
		fprintf(stderr, "%s not removed\n", pki);
}

int
main(void)
{
	int rc;

	rc = t_setup();
	h_report("t_setup", rc);
	if (rc != 0) {
		cleanup();
		return 1;
	}
	RUN(t_builtin_anchors_decode);
	RUN(t_system_bundle_fits_agent_store);
	RUN(t_system_bundle_same_as_bearssl);
	RUN(t_system_bundle_too_small_store);
	RUN(t_bundle_pieces_and_line_endings);
	RUN(t_bundle_skips_non_ca_and_other_objects);
	RUN(t_bundle_malformed);
	RUN(t_bundle_hostile_bytes);
	RUN(t_anchors_api);
	RUN(t_time_floor);
	RUN(t_floor_clock_in_1970);
	RUN(t_floor_keeps_old_cert_expired);
	RUN(t_clock_later_than_build);
	RUN(t_sni);
	RUN(t_ip_syntax);
	RUN(t_ip_scan_damaged_certs);
	RUN(t_echo_round_trips);
	RUN(t_peer_close_notify_and_truncation);
	RUN(t_bad_mac);
	RUN(t_half_duplex_write_with_unread_data);
	RUN(t_resumption_in_process);
	RUN(t_transport_faults);
	RUN(t_client_cert_load);
	RUN(t_ram_budget);
	RUN(t_no_port_misuse);
	cleanup();
	return H_EXIT();
}
