/*
 * tls_profile.c -- the client profile: the suites, curves and hash
 * functions that AWS endpoints need, and the EC glue behind them.
 *
 * The profile is written out here instead of br_ssl_client_init_full(),
 * so that a static link pulls in only what it names: TLS 1.2; ECDHE_RSA
 * and ECDHE_ECDSA with AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305;
 * ECDHE over P-256, P-384 and X25519; RSA PKCS#1 v1.5 and ECDSA
 * signatures with SHA-256, SHA-384 or SHA-512 (no SHA-1, no MD5). Not
 * linked: CBC and CCM record engines, 3DES, RSA key exchange, TLS 1.0/1.1
 * PRF, P-521 arithmetic of its own (the generic engine's curve table
 * names it; the client never offers it).
 *
 * EC engines (CPJ_CONFIG_TLS_EC_FAST, cpj_config.h): P-256 on
 * br_ec_p256_m31 and X25519 on br_ec_c25519_m31, P-384 on the generic
 * br_ec_prime_i31 (whose i31 code RSA links anyway). A one-shot poll
 * against a server with an ECDSA P-256 certificate (two verifications,
 * one X25519 exchange) costs 26.9 M instructions on x86_64-musl instead
 * of 59.8 M with every curve on the i31 code, for 7.6 KB (armhf) to 12
 * KB (mipsel, x86_64-musl) more in the static agent. The minimal profile
 * keeps every curve on i31: the smallest code. m31 is BearSSL's choice
 * for 32-bit CPUs with a 32x32->64 multiplier (ARMv7, MIPS32) and the
 * fastest BearSSL 0.6 has on 64-bit ones (its m62/m64 engines came later).
 * The symmetric engines are BearSSL's defaults for the target: AES-GCM
 * and ChaCha20 on the constant-time portable code, plus AES-NI/PCLMUL and
 * SSE2 with those as fallbacks on x86.
 */
#include "tls_int.h"

/* ---- EC: P-256, X25519 (m31 or i31), P-384 (i31) ----------------- */

#define CURVES ((uint32_t)1 << BR_EC_secp256r1 | (uint32_t)1 << BR_EC_secp384r1 \
	| (uint32_t)1 << BR_EC_curve25519)

static CPJ_NOINLINE const br_ec_impl *
ec_for(int curve)
{
#if CPJ_CONFIG_TLS_EC_FAST
	if (curve == BR_EC_secp256r1)
		return &br_ec_p256_m31;
	if (curve == BR_EC_curve25519)
		return &br_ec_c25519_m31;
#else
	if (curve == BR_EC_curve25519)
		return &br_ec_c25519_i31;
#endif
	return &br_ec_prime_i31;
}

static const unsigned char *
ec_generator(int curve, size_t *len)
{
	return ec_for(curve)->generator(curve, len);
}

static const unsigned char *
ec_order(int curve, size_t *len)
{
	return ec_for(curve)->order(curve, len);
}

static size_t
ec_xoff(int curve, size_t *len)
{
	return ec_for(curve)->xoff(curve, len);
}

static uint32_t
ec_mul(unsigned char *G, size_t Glen, const unsigned char *x, size_t xlen,
	int curve)
{
	return ec_for(curve)->mul(G, Glen, x, xlen, curve);
}

static size_t
ec_mulgen(unsigned char *R, const unsigned char *x, size_t xlen, int curve)
{
	return ec_for(curve)->mulgen(R, x, xlen, curve);
}

static uint32_t
ec_muladd(unsigned char *A, const unsigned char *B, size_t len,
	const unsigned char *x, size_t xlen,
	const unsigned char *y, size_t ylen, int curve)
{
	return ec_for(curve)->muladd(A, B, len, x, xlen, y, ylen, curve);
}

static const br_ec_impl ec_impl = {
	CURVES,
	&ec_generator,
	&ec_order,
	&ec_xoff,
	&ec_mul,
	&ec_mulgen,
	&ec_muladd
};

/* ---- profile ----------------------------------------------------- */

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
};

/* see tls_int.h */
void
cpj_tls_setup_x509(cpj_tls_context *tls)
{
	br_x509_minimal_context *xc;

	xc = &tls->xc;
	br_x509_minimal_init(xc, &br_sha256_vtable,
		tls->anchors->ta, tls->anchors->count);
	br_x509_minimal_set_hash(xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(xc, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(xc, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_rsa(xc, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(xc, &ec_impl, &br_ecdsa_i31_vrfy_asn1);
}

/* see tls_int.h */
void
cpj_tls_setup_engine(cpj_tls_context *tls)
{
	br_ssl_engine_context *eng;

	br_ssl_client_zero(&tls->cc);
	eng = &tls->cc.eng;
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, CPJ_ARRAY_LEN(suites));
	br_ssl_engine_set_ec(eng, &ec_impl);
	br_ssl_engine_set_rsavrfy(eng, br_rsa_pkcs1_vrfy_get_default());
	br_ssl_engine_set_ecdsa(eng, &br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	tls->xwrap = &cpj_tls_xw_vtable;
	br_ssl_engine_set_x509(eng, &tls->xwrap);
	br_ssl_engine_set_buffer(eng, tls->iobuf, sizeof tls->iobuf, 0);
}

/* see tls_int.h */
void
cpj_tls_apply_client_cert(cpj_tls_context *tls)
{
#if CPJ_CONFIG_TLS_CLIENT_CERT
	if (tls->chain_len == 0) {
		return;
	}
	if (tls->rsa != NULL) {
		br_ssl_client_set_single_rsa(&tls->cc, tls->chain,
			tls->chain_len, tls->rsa,
			br_rsa_pkcs1_sign_get_default());
	} else {
		br_ssl_client_set_single_ec(&tls->cc, tls->chain,
			tls->chain_len, tls->ec, BR_KEYTYPE_SIGN, BR_KEYTYPE_EC,
			&ec_impl, &br_ecdsa_i31_sign_asn1);
	}
#else
	(void)tls;
#endif
}
