/*
 * tls_der.c -- what a trust anchor needs from a certificate (subject DN,
 * public key, CA flag), read straight from its DER.
 *
 * BearSSL's X.509 decoder interprets its T0 code byte by byte, about 500 k
 * instructions a certificate: loading a system bundle of ~140 CAs through
 * it costs more than a whole TLS handshake. This reader walks the few
 * fields an anchor needs, and answers only for the common shape: a v3
 * certificate whose every element has the expected tag and a minimal
 * definite length, an RSA key (modulus up to 4096 bits) or an EC key on
 * P-256/384/521, and a basicConstraints extension. For anything else it
 * declines and the caller hands the DER to BearSSL's decoder, which then
 * decides (and reports errors) as before. Fields an anchor does not use
 * (serial, validity, signature) are checked for shape only.
 */
#include "tls_int.h"

#if CPJ_CONFIG_PEM && CPJ_CONFIG_PEM_FAST

/*
 * One element of tag `tag` at *p (before end): its content in *c, *n;
 * *p moves past it. 0 if the tag differs or the length is not a minimal
 * definite one that fits.
 */
static CPJ_NOINLINE int
tlv(const unsigned char **p, const unsigned char *end, unsigned tag,
	const unsigned char **c, size_t *n)
{
	const unsigned char *q = *p;
	size_t len, k;

	if (end - q < 2 || q[0] != tag)
		return 0;
	len = q[1];
	q += 2;
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - q) < k || q[0] == 0)
			return 0;
		for (len = 0; k > 0; k--)
			len = len << 8 | *q++;
		if (len < 0x80)
			return 0;
	}
	if ((size_t)(end - q) < len)
		return 0;
	*c = q;
	*n = len;
	*p = q + len;
	return 1;
}

static int
is_oid(const unsigned char *c, size_t n, const char *oid, size_t len)
{
	return n == len && memcmp(c, oid, len) == 0;
}

/* A positive INTEGER without its leading zeros into (*v, *vlen). */
static int
uint_of(const unsigned char **p, const unsigned char *end,
	const unsigned char **v, size_t *vlen)
{
	const unsigned char *c;
	size_t n;

	if (!tlv(p, end, 0x02, &c, &n) || n == 0 || (c[0] & 0x80))
		return 0;
	while (n > 0 && c[0] == 0) {
		c++;
		n--;
	}
	*v = c;
	*vlen = n;
	return n > 0;
}

/* SubjectPublicKeyInfo content into k->pk. */
static int
spki(const unsigned char *p, const unsigned char *end, cpj_tls_der_cert *k)
{
	const unsigned char *c, *alg, *aend, *bits;
	size_t n, nb;

	if (!tlv(&p, end, 0x30, &alg, &n))
		return 0;
	aend = alg + n;
	if (!tlv(&p, end, 0x03, &bits, &nb) || p != end || nb < 2
	    || bits[0] != 0 || !tlv(&alg, aend, 0x06, &c, &n))
		return 0;
	bits++;
	nb--;
	if (is_oid(c, n, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 9)) {
		const unsigned char *kend = bits + nb, *s;

		if (aend - alg != 2 || alg[0] != 0x05 || alg[1] != 0
		    || !tlv(&bits, kend, 0x30, &s, &n) || bits != kend)
			return 0;
		kend = s + n;
		k->pk.key_type = BR_KEYTYPE_RSA;
		if (!uint_of(&s, kend, (const unsigned char **)&k->pk.key.rsa.n,
		    &k->pk.key.rsa.nlen)
		    || !uint_of(&s, kend,
		    (const unsigned char **)&k->pk.key.rsa.e,
		    &k->pk.key.rsa.elen) || s != kend)
			return 0;
		return k->pk.key.rsa.nlen <= 512 && k->pk.key.rsa.elen <= 4;
	}
	if (is_oid(c, n, "\x2a\x86\x48\xce\x3d\x02\x01", 7)) {
		if (!tlv(&alg, aend, 0x06, &c, &n) || alg != aend)
			return 0;
		if (is_oid(c, n, "\x2a\x86\x48\xce\x3d\x03\x01\x07", 8)
		    && nb == 65)
			k->pk.key.ec.curve = BR_EC_secp256r1;
		else if (is_oid(c, n, "\x2b\x81\x04\x00\x22", 5) && nb == 97)
			k->pk.key.ec.curve = BR_EC_secp384r1;
		else if (is_oid(c, n, "\x2b\x81\x04\x00\x23", 5) && nb == 133)
			k->pk.key.ec.curve = BR_EC_secp521r1;
		else
			return 0;
		if (bits[0] != 0x04)
			return 0;
		k->pk.key_type = BR_KEYTYPE_EC;
		k->pk.key.ec.q = (unsigned char *)bits;
		k->pk.key.ec.qlen = nb;
		return 1;
	}
	return 0;
}

/*
 * The extensions' content: the CA flag of basicConstraints (1 or 0), or
 * -1 to decline (no basicConstraints, twice, a critical extension other
 * than it and keyUsage, or a shape not expected).
 */
static CPJ_NOINLINE int
ca_flag(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *e, *eend, *c, *oid, *v;
	size_t n, on, vn;
	int ca = -1;

	while (p < end) {
		int critical = 0;

		if (!tlv(&p, end, 0x30, &e, &n))
			return -1;
		eend = e + n;
		if (!tlv(&e, eend, 0x06, &oid, &on))
			return -1;
		if (e < eend && *e == 0x01) {
			if (!tlv(&e, eend, 0x01, &c, &n) || n != 1
			    || (c[0] != 0 && c[0] != 0xff))
				return -1;
			critical = c[0] != 0;
		}
		if (!tlv(&e, eend, 0x04, &v, &vn) || e != eend)
			return -1;
		if (is_oid(oid, on, "\x55\x1d\x13", 3)) {
			const unsigned char *s, *send;

			if (ca != -1 || !tlv(&v, v + vn, 0x30, &s, &n)
			    || v != e)
				return -1;
			send = s + n;
			ca = 0;
			if (s < send && *s == 0x01) {
				if (!tlv(&s, send, 0x01, &c, &n) || n != 1
				    || (c[0] != 0 && c[0] != 0xff))
					return -1;
				ca = c[0] != 0;
			}
			if (s < send && (!tlv(&s, send, 0x02, &c, &n)
			    || s != send))
				return -1;
		} else if (critical && !is_oid(oid, on, "\x55\x1d\x0f", 3)) {
			return -1;
		}
	}
	return ca;
}

/* see tls_int.h */
int
cpj_tls_der_cert_read(const unsigned char *der, size_t len,
	cpj_tls_der_cert *k)
{
	const unsigned char *p = der, *end = der + len, *c, *t, *tend, *v, *x;
	size_t n, vn;
	int ca, i;

	memset(k, 0, sizeof *k);
	if (!tlv(&p, end, 0x30, &c, &n) || p != end)
		return 0;
	p = c;
	end = c + n;
	if (!tlv(&p, end, 0x30, &t, &n))
		return 0;
	tend = t + n;
	/* [0] version: v3 */
	if (!tlv(&t, tend, 0xa0, &c, &n) || n != 3 || c[0] != 0x02
	    || c[1] != 1 || c[2] != 2)
		return 0;
	if (!tlv(&t, tend, 0x02, &c, &n) || !tlv(&t, tend, 0x30, &c, &n)
	    || !tlv(&t, tend, 0x30, &c, &n) || !tlv(&t, tend, 0x30, &v, &vn))
		return 0;
	/* validity: two times */
	c = v + vn;
	for (i = 0; i < 2; i++)
		if (!tlv(&v, c, 0x17, &x, &n) && !tlv(&v, c, 0x18, &x, &n))
			return 0;
	if (v != c)
		return 0;
	k->dn = t;
	if (!tlv(&t, tend, 0x30, &c, &n))
		return 0;
	k->dn_len = (size_t)(t - k->dn);
	if (!tlv(&t, tend, 0x30, &c, &n) || !spki(c, c + n, k))
		return 0;
	/* [3] extensions, last (no unique identifiers) */
	if (!tlv(&t, tend, 0xa3, &c, &n) || t != tend)
		return 0;
	x = c + n;
	if (!tlv(&c, x, 0x30, &v, &vn) || c != x
	    || (ca = ca_flag(v, v + vn)) < 0)
		return 0;
	k->is_ca = ca;
	/* signatureAlgorithm, signatureValue, nothing after */
	if (!tlv(&p, end, 0x30, &c, &n) || !tlv(&p, end, 0x03, &c, &n)
	    || p != end)
		return 0;
	return 1;
}
#endif /* CPJ_CONFIG_PEM && CPJ_CONFIG_PEM_FAST */
