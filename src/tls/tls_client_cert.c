/*
 * tls_client_cert.c -- a certificate chain and private key from PEM, for
 * mutual TLS (e.g. the AWS IoT credentials provider).
 *
 * Certificates are decoded from PEM into the caller's DER storage; the key
 * goes straight from the PEM decoder into BearSSL's key decoder, which
 * keeps it. The key is then checked against the first certificate, so a
 * mismatch is reported here rather than as an alert from the server.
 */
#include "inner.h"

#if CPJ_CONFIG_TLS_CLIENT_CERT

#define MODE_CHAIN  0
#define MODE_KEY    1

#define OBJ_NONE    0
#define OBJ_CERT    1
#define OBJ_KEY     2
#define OBJ_OTHER   3

static void
der_append(void *ctx, const void *buf, size_t len)
{
	cpj_tls_client_cert *cc;
	br_x509_certificate *c;

	cc = ctx;
	c = &cc->chain[cc->chain_len];
	if (cc->err == 0 && len <= cc->der_len - cc->der_used) {
		memcpy(cc->der + cc->der_used, buf, len);
		cc->der_used += len;
		c->data_len += len;
	} else if (cc->err == 0) {
		cc->err = CPJ_ERR_NOSPACE;
	}
}

static void
key_push(void *ctx, const void *buf, size_t len)
{
	cpj_tls_client_cert *cc;

	cc = ctx;
	/*
	 * BearSSL's key decoder must not be pushed more bytes once it failed
	 * (its engine is left stopped: a further push reads stale state). A
	 * whole key followed by more bytes fails on the first of them, so
	 * that case stops here too; the load reports the error.
	 */
	if (cc->key.err != 0) {
		return;
	}
	br_skey_decoder_push(&cc->key, buf, len);
}

/*
 * PEM object name equality. BearSSL 0.6 keeps the trailing dashes of the
 * BEGIN line in the name when lines end with CR LF, so they are ignored.
 */
static int
name_is(const char *name, const char *want)
{
	size_t n;

	n = strlen(want);
	if (strncmp(name, want, n) != 0) {
		return 0;
	}
	for (name += n; *name == '-'; name++) {
		continue;
	}
	return *name == 0;
}

static int
is_key_name(const char *name)
{
	return name_is(name, "PRIVATE KEY")
		|| name_is(name, "EC PRIVATE KEY")
		|| name_is(name, "RSA PRIVATE KEY");
}

static void
begin_obj(cpj_tls_client_cert *cc, int mode)
{
	br_pem_decoder_context *pem;
	const char *name;

	pem = &cc->u.pem;
	name = br_pem_decoder_name(pem);
	cc->in_obj = OBJ_OTHER;
	br_pem_decoder_setdest(pem, 0, NULL);
	if (mode == MODE_CHAIN && (name_is(name, "CERTIFICATE")
		|| name_is(name, "X509 CERTIFICATE")))
	{
		if (cc->chain_len >= CPJ_TLS_CLIENT_CHAIN_MAX) {
			if (cc->err == 0) {
				cc->err = CPJ_ERR_NOSPACE;
			}
			return;
		}
		cc->chain[cc->chain_len].data = cc->der + cc->der_used;
		cc->chain[cc->chain_len].data_len = 0;
		cc->in_obj = OBJ_CERT;
		br_pem_decoder_setdest(pem, der_append, cc);
	} else if (mode == MODE_KEY && is_key_name(name)) {
		cc->keys++;
		cc->in_obj = OBJ_KEY;
		if (cc->keys == 1) {
			br_skey_decoder_init(&cc->key);
			br_pem_decoder_setdest(pem, key_push, cc);
		}
	} else if (mode == MODE_KEY
		&& name_is(name, "ENCRYPTED PRIVATE KEY"))
	{
		if (cc->err == 0) {
			cc->err = CPJ_ERR_UNSUPPORTED;
		}
	}
}

static void
end_obj(cpj_tls_client_cert *cc)
{
	if (cc->in_obj == OBJ_CERT && cc->err == 0) {
		if (cc->chain[cc->chain_len].data_len == 0) {
			cc->err = CPJ_ERR_TLS_CERT;
		} else {
			cc->chain_len++;
		}
	}
	cc->in_obj = OBJ_NONE;
}

/* Run one whole PEM text through the decoder. */
static int
run_pem(cpj_tls_client_cert *cc, const unsigned char *p, size_t len,
	int mode)
{
	br_pem_decoder_context *pem;
	size_t n;
	int last;

	pem = &cc->u.pem;
	br_pem_decoder_init(pem);
	cc->in_obj = OBJ_NONE;
	/* The text, then a newline that ends a last line without one. */
	for (last = 0; last < 2; last++) {
		if (last) {
			p = (const unsigned char *)"\n";
			len = 1;
		}
		while (len > 0) {
			n = br_pem_decoder_push(pem, p, len);
			p += n;
			len -= n;
			switch (br_pem_decoder_event(pem)) {
			case BR_PEM_BEGIN_OBJ:
				begin_obj(cc, mode);
				break;
			case BR_PEM_END_OBJ:
				end_obj(cc);
				break;
			case BR_PEM_ERROR:
				return CPJ_ERR_TLS_CERT;
			default:
				if (n == 0) {
					return CPJ_ERR_TLS_CERT;
				}
				break;
			}
		}
	}
	if (cc->in_obj != OBJ_NONE) {
		/* Truncated: the text ended inside an object. */
		return CPJ_ERR_TLS_CERT;
	}
	return cc->err;
}

static int
eqbigint(const unsigned char *a, size_t alen, const unsigned char *b,
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
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Does the key belong to the first certificate? */
static CPJ_NOINLINE int
check_match(cpj_tls_client_cert *cc)
{
	br_x509_decoder_context *xd;
	const br_x509_pkey *pk;
	const br_rsa_private_key *rsa;
	const br_ec_private_key *ec;
	br_rsa_compute_modulus cm;
	size_t n;

	xd = &cc->u.chk.x509;
	br_x509_decoder_init(xd, 0, NULL);
	br_x509_decoder_push(xd, cc->chain[0].data, cc->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(xd);
	if (pk == NULL) {
		return CPJ_ERR_TLS_CERT;
	}
	rsa = br_skey_decoder_get_rsa(&cc->key);
	ec = br_skey_decoder_get_ec(&cc->key);
	if (rsa != NULL) {
		if (pk->key_type != BR_KEYTYPE_RSA) {
			return CPJ_ERR_TLS_CERT;
		}
		cm = br_rsa_compute_modulus_get_default();
		n = cm(NULL, rsa);
		if (n == 0 || n > sizeof cc->u.chk.tmp) {
			return CPJ_ERR_UNSUPPORTED;
		}
		if (cm(cc->u.chk.tmp, rsa) != n || !eqbigint(cc->u.chk.tmp, n,
			pk->key.rsa.n, pk->key.rsa.nlen))
		{
			return CPJ_ERR_TLS_CERT;
		}
		return 0;
	}
	if (ec != NULL) {
		if (ec->curve != BR_EC_secp256r1
			&& ec->curve != BR_EC_secp384r1)
		{
			return CPJ_ERR_UNSUPPORTED;
		}
		if (pk->key_type != BR_KEYTYPE_EC
			|| pk->key.ec.curve != ec->curve)
		{
			return CPJ_ERR_TLS_CERT;
		}
		n = br_ec_compute_pub(&br_ec_prime_i31, NULL,
			cc->u.chk.tmp, ec);
		if (n == 0 || n != pk->key.ec.qlen
			|| memcmp(cc->u.chk.tmp, pk->key.ec.q, n) != 0)
		{
			return CPJ_ERR_TLS_CERT;
		}
		return 0;
	}
	return CPJ_ERR_TLS_CERT;
}

/* see cpj_tls.h */
int
cpj_tls_client_cert_load(cpj_tls_client_cert *cc, unsigned char *der,
	size_t der_len, const void *chain_pem, size_t chain_len,
	const void *key_pem, size_t key_len)
{
	int rc;

	if (cc == NULL || der == NULL || der_len == 0 || chain_pem == NULL
		|| key_pem == NULL)
	{
		return CPJ_ERR_PARAM;
	}
	cpj_wipe(cc, sizeof *cc);
	cc->der = der;
	cc->der_len = der_len;
	rc = run_pem(cc, chain_pem, chain_len, MODE_CHAIN);
	if (rc == 0 && cc->chain_len == 0) {
		rc = CPJ_ERR_TLS_CERT;
	}
	if (rc == 0) {
		rc = run_pem(cc, key_pem, key_len, MODE_KEY);
	}
	if (rc == 0 && (cc->keys != 1
		|| br_skey_decoder_last_error(&cc->key) != 0))
	{
		rc = CPJ_ERR_TLS_CERT;
	}
	/* The PEM decoder's buffer held key bytes. */
	cpj_wipe(&cc->u, sizeof cc->u);
	if (rc == 0) {
		rc = check_match(cc);
		cpj_wipe(&cc->u, sizeof cc->u);
	}
	if (rc < 0) {
		cpj_wipe(&cc->key, sizeof cc->key);
		cc->chain_len = 0;
	}
	return rc;
}

/* see cpj_tls.h */
void
cpj_tls_client_cert_wipe(cpj_tls_client_cert *cc)
{
	if (cc != NULL) {
		cpj_wipe(cc, sizeof *cc);
	}
}

#endif /* CPJ_CONFIG_TLS_CLIENT_CERT */
