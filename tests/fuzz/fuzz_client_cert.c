/*
 * fuzz_client_cert.c -- a client certificate chain and private key from
 * PEM: cpj_tls_client_cert_load() and _wipe() (src/tls/tls_client_cert.c).
 *
 * Input: byte 0 options (bits 0-2 the DER storage: 1, 100, 400, 700,
 * 1024, 2048, 4096 or 16384 bytes; bit 3 load twice into the same
 * object), then the chain's PEM text, a NUL byte and the key's PEM text;
 * without a NUL byte the rest is both (one file holding both). Chain,
 * key and DER storage each end where their heap blocks end.
 *
 * A failed load must leave no chain (chain_len 0) and no key (the key
 * decoder all zeros, neither RSA nor EC key). A load that succeeds must
 * give 1..CPJ_TLS_CLIENT_CHAIN_MAX certificates, each non-empty, inside
 * the DER storage and not overlapping, one RSA or EC (P-256 or P-384)
 * key, and a first certificate whose public key is that key's, checked
 * again here with other BearSSL code (the modulus by i31, the EC point by
 * the default EC implementation). Loading twice must give the same
 * result and chain. cpj_tls_client_cert_wipe() must then leave neither
 * chain nor key.
 *
 * The seeds were made with openssl for this corpus (RSA 2048 and EC
 * P-256 keys, self-signed certificates, a two-certificate chain): test
 * keys, used nowhere else, not secrets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_client_cert: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

static const size_t der_sizes[8] = {
	1, 100, 400, 700, 1024, 2048, 4096, 16384
};
static unsigned char *der_block[8];

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		if (*b++ != 0)
			return 0;
		n--;
	}
	return 1;
}

static void
check_empty(const cpj_tls_client_cert *cc, const char *what)
{
	if (cc->chain_len != 0)
		FAIL(what);
	if (!all_zero(&cc->key, sizeof cc->key)
	    || br_skey_decoder_get_rsa(&cc->key) != NULL
	    || br_skey_decoder_get_ec(&cc->key) != NULL)
		FAIL(what);
}

static int
eq_strip(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	while (alen > 0 && *a == 0) {
		a++;
		alen--;
	}
	while (blen > 0 && *b == 0) {
		b++;
		blen--;
	}
	return alen > 0 && alen == blen && memcmp(a, b, alen) == 0;
}

/* The first certificate's public key is the private key's. */
static void
check_match(const cpj_tls_client_cert *cc)
{
	static br_x509_decoder_context xd;
	static unsigned char tmp[BR_X509_BUFSIZE_KEY + 512];
	const br_rsa_private_key *rsa = br_skey_decoder_get_rsa(&cc->key);
	const br_ec_private_key *ec = br_skey_decoder_get_ec(&cc->key);
	const br_x509_pkey *pk;
	size_t n;

	br_x509_decoder_init(&xd, NULL, NULL);
	br_x509_decoder_push(&xd, cc->chain[0].data, cc->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&xd);
	if (pk == NULL)
		FAIL("first certificate does not decode");
	if ((rsa == NULL) == (ec == NULL))
		FAIL("not exactly one RSA or EC key");
	if (rsa != NULL) {
		if (pk->key_type != BR_KEYTYPE_RSA)
			FAIL("RSA key for a certificate of another type");
		n = br_rsa_i31_compute_modulus(NULL, rsa);
		if (n == 0 || n > sizeof tmp
		    || br_rsa_i31_compute_modulus(tmp, rsa) != n
		    || !eq_strip(tmp, n, pk->key.rsa.n, pk->key.rsa.nlen))
			FAIL("RSA key does not match the certificate");
	} else {
		if (ec->curve != BR_EC_secp256r1 && ec->curve != BR_EC_secp384r1)
			FAIL("EC key on a curve other than P-256 or P-384");
		if (pk->key_type != BR_KEYTYPE_EC || pk->key.ec.curve != ec->curve)
			FAIL("EC key for a certificate of another type or curve");
		n = br_ec_compute_pub(br_ec_get_default(), NULL, tmp, ec);
		if (n == 0 || n != pk->key.ec.qlen
		    || memcmp(tmp, pk->key.ec.q, n) != 0)
			FAIL("EC key does not match the certificate");
	}
}

static void
check_loaded(const cpj_tls_client_cert *cc, const unsigned char *der,
    size_t der_len)
{
	const unsigned char *prev_end = der;
	size_t i;

	if (cc->chain_len < 1 || cc->chain_len > CPJ_TLS_CLIENT_CHAIN_MAX)
		FAIL("chain_len out of 1..CPJ_TLS_CLIENT_CHAIN_MAX");
	for (i = 0; i < cc->chain_len; i++) {
		const unsigned char *d = cc->chain[i].data;
		size_t len = cc->chain[i].data_len;

		if (d == NULL || len == 0)
			FAIL("empty certificate in the chain");
		if (d < prev_end || d > der + der_len
		    || len > (size_t)(der + der_len - d))
			FAIL("certificate outside the DER storage or overlapping");
		prev_end = d + len;
	}
	check_match(cc);
}

static unsigned char *
heap_copy(const uint8_t *p, size_t n)
{
	unsigned char *b = malloc(n ? n : 1);

	if (b == NULL)
		abort();
	memcpy(b, p, n);
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cpj_tls_client_cert cc;
	static br_x509_certificate first[CPJ_TLS_CLIENT_CHAIN_MAX];
	const uint8_t *sep;
	unsigned char *chain, *key, *der;
	size_t chain_len, key_len, der_len, first_len, i;
	unsigned opt;
	int rc, rc2;

	if (size < 1)
		return 0;
	opt = data[0];
	data++;
	size--;
	sep = memchr(data, 0, size);
	if (sep != NULL) {
		chain_len = (size_t)(sep - data);
		key_len = size - chain_len - 1;
		chain = heap_copy(data, chain_len);
		key = heap_copy(sep + 1, key_len);
	} else {
		chain_len = key_len = size;
		chain = heap_copy(data, size);
		key = heap_copy(data, size);
	}
	der_len = der_sizes[opt & 7];
	if (der_block[opt & 7] == NULL) {
		der_block[opt & 7] = malloc(der_len);
		if (der_block[opt & 7] == NULL)
			abort();
	}
	der = der_block[opt & 7];

	memset(&cc, 0x5a, sizeof cc);
	rc = cpj_tls_client_cert_load(&cc, der, der_len, chain, chain_len,
	    key, key_len);
	if (rc != 0 && rc != CPJ_ERR_NOSPACE && rc != CPJ_ERR_TLS_CERT
	    && rc != CPJ_ERR_UNSUPPORTED)
		FAIL("unexpected result");
	if (rc != 0)
		check_empty(&cc, "a failed load left a chain or a key");
	else
		check_loaded(&cc, der, der_len);

	if (opt & 8) {
		/* Again into the same object, not wiped: the same answer. */
		first_len = cc.chain_len;
		memcpy(first, cc.chain, sizeof first);
		rc2 = cpj_tls_client_cert_load(&cc, der, der_len, chain,
		    chain_len, key, key_len);
		if (rc2 != rc || cc.chain_len != first_len)
			FAIL("a second load differs");
		for (i = 0; i < first_len; i++) {
			if (cc.chain[i].data != first[i].data
			    || cc.chain[i].data_len != first[i].data_len)
				FAIL("a second load gave another chain");
		}
		if (rc != 0)
			check_empty(&cc, "a failed second load left a chain or a key");
		else
			check_loaded(&cc, der, der_len);
	}

	cpj_tls_client_cert_wipe(&cc);
	check_empty(&cc, "wipe left a chain or a key");
	free(chain);
	free(key);
	return 0;
}
