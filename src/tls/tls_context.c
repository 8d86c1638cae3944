/*
 * tls_context.c -- the client profile, the handshake, and the TLS stream
 * as a cpj_transport.
 *
 * The profile is written out here instead of br_ssl_client_init_full(),
 * so that a static link pulls in only the suites, curves and hash
 * functions that AWS endpoints need.
 */
#include "inner.h"

#define ST_CLOSED  0
#define ST_OPEN    1
#define ST_FAILED  2

/* Consecutive 0 returns of the lower transport taken as a timeout. */
#define ZERO_RETRIES_MAX 1024

/* Records to push out on close before giving up. */
#define CLOSE_WRITES_MAX 64

/* Largest send() count: the transport returns an int. */
#define SEND_MAX ((size_t)0x7FFFFFFF)

/* Days from 0000-01-01 (proleptic Gregorian) to 1970-01-01. */
#define DAYS_TO_1970 719528

/* ---- EC: P-256 (fast m31 code) and P-384 (generic i31 code) ---------- */

#define CURVES ((uint32_t)1 << BR_EC_secp256r1 | (uint32_t)1 << BR_EC_secp384r1)

static const br_ec_impl *
ec_for(int curve)
{
	return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
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

/* ---- IP address hosts ------------------------------------------------ */

/*
 * BearSSL's X.509 engine matches only DNS names. For a host that is an IP
 * address, the engine validates the chain with no name, and this wrapper
 * class scans the first (server) certificate as it streams through, for
 * a subjectAltName iPAddress equal to the host:
 *
 *   Certificate SEQ > TBSCertificate SEQ > [3] > Extensions SEQ >
 *   Extension SEQ > (OID 2.5.29.17, OCTET STRING) > GeneralNames SEQ >
 *   [7] iPAddress
 *
 * The scan keeps only offsets and a 16-byte value: no certificate is
 * buffered. Bad DER just ends it (without a match); the X.509 engine
 * rejects such a certificate anyway.
 */

#define SC_TAG      0
#define SC_LEN      1
#define SC_LENX     2
#define SC_SKIP     3
#define SC_CAP      4

#define SC_DEPTH    ((int)(sizeof ((cpj_tls_ip_scan *)0)->end \
	/ sizeof ((cpj_tls_ip_scan *)0)->end[0]))

static const unsigned char OID_SAN[] = { 0x55, 0x1D, 0x11 };

/* Close every element that ends here; the TBS closing ends the scan. */
static void
scan_pop(cpj_tls_ip_scan *sc)
{
	while (sc->depth > 0 && sc->pos == sc->end[sc->depth - 1]) {
		sc->depth--;
		if (sc->depth <= 1) {
			sc->done = 1;
		}
	}
}

/* A captured value is complete. */
static void
scan_value(cpj_tls_ip_scan *sc)
{
	if (sc->depth == 5) {
		/* The extension's OID. */
		sc->want = sc->cap_len == sizeof OID_SAN
			&& memcmp(sc->cap, OID_SAN, sizeof OID_SAN) == 0;
	} else if (sc->depth == 7 && sc->cap_len == sc->ip_len
		&& memcmp(sc->cap, sc->ip, sc->ip_len) == 0)
	{
		sc->match = 1;
	}
}

/* An element header was read: enter the element, capture or skip it. */
static void
scan_header(cpj_tls_ip_scan *sc)
{
	uint32_t end;
	int enter, cap;

	if (sc->len > (uint32_t)0xFFFFFFFF - sc->pos) {
		sc->done = 1;
		return;
	}
	end = sc->pos + sc->len;
	if (sc->depth > 0 && end > sc->end[sc->depth - 1]) {
		/* Overruns its parent. */
		sc->done = 1;
		return;
	}
	enter = 0;
	cap = 0;
	switch (sc->depth) {
	case 0:         /* Certificate */
	case 1:         /* TBSCertificate */
	case 3:         /* Extensions */
	case 6:         /* GeneralNames */
		enter = sc->tag == 0x30;
		break;
	case 2:         /* [3] extensions */
		enter = sc->tag == 0xA3;
		break;
	case 4:         /* Extension */
		enter = sc->tag == 0x30;
		sc->want = 0;
		break;
	case 5:         /* extnID, critical, extnValue */
		cap = sc->tag == 0x06;
		enter = sc->tag == 0x04 && sc->want;
		break;
	default:        /* a GeneralName: [7] iPAddress */
		cap = sc->tag == 0x87;
		break;
	}
	if (enter) {
		if (sc->depth >= SC_DEPTH) {
			sc->done = 1;
			return;
		}
		sc->end[sc->depth++] = end;
		sc->state = SC_TAG;
		scan_pop(sc);
		return;
	}
	sc->need = sc->len;
	sc->cap_len = 0;
	sc->state = cap && sc->len <= sizeof sc->cap ? SC_CAP : SC_SKIP;
	if (sc->need == 0) {
		if (sc->state == SC_CAP) {
			scan_value(sc);
		}
		sc->state = SC_TAG;
		scan_pop(sc);
	}
}

static void
scan_push(cpj_tls_ip_scan *sc, const unsigned char *buf, size_t len)
{
	size_t n;
	unsigned c;

	while (len > 0 && !sc->done) {
		switch (sc->state) {
		case SC_TAG:
			sc->tag = *buf++;
			len--;
			sc->pos++;
			sc->state = SC_LEN;
			if ((sc->tag & 0x1F) == 0x1F) {
				/* High tag numbers: not in a certificate. */
				sc->done = 1;
			}
			break;
		case SC_LEN:
			c = *buf++;
			len--;
			sc->pos++;
			if (c < 0x80) {
				sc->len = c;
				scan_header(sc);
			} else if (c >= 0x81 && c <= 0x84) {
				sc->lenbytes = (int)(c & 0x7F);
				sc->len = 0;
				sc->state = SC_LENX;
			} else {
				sc->done = 1;
			}
			break;
		case SC_LENX:
			sc->len = (sc->len << 8) | *buf++;
			len--;
			sc->pos++;
			if (--sc->lenbytes == 0) {
				scan_header(sc);
			}
			break;
		default:
			n = len < sc->need ? len : (size_t)sc->need;
			if (sc->state == SC_CAP) {
				memcpy(sc->cap + sc->cap_len, buf, n);
				sc->cap_len += n;
			}
			buf += n;
			len -= n;
			sc->pos += (uint32_t)n;
			sc->need -= (uint32_t)n;
			if (sc->need == 0) {
				if (sc->state == SC_CAP) {
					scan_value(sc);
				}
				sc->state = SC_TAG;
				scan_pop(sc);
			}
			break;
		}
	}
}

static cpj_tls_context *
wrap_tls(const br_x509_class *const *ctx)
{
	return (cpj_tls_context *)(void *)((const unsigned char *)ctx
		- offsetof(cpj_tls_context, xwrap));
}

static void
xw_start_chain(const br_x509_class **ctx, const char *server_name)
{
	cpj_tls_context *tls;
	cpj_tls_ip_scan *sc;

	tls = wrap_tls(ctx);
	sc = &tls->scan;
	memset(sc->end, 0, sizeof sc->end);
	sc->pos = sc->len = sc->need = 0;
	sc->depth = sc->state = sc->lenbytes = sc->cert = 0;
	sc->want = sc->match = sc->done = 0;
	sc->cap_len = 0;
	tls->xc.vtable->start_chain(&tls->xc.vtable,
		sc->ip_len != 0 ? NULL : server_name);
}

static void
xw_start_cert(const br_x509_class **ctx, uint32_t length)
{
	cpj_tls_context *tls;

	tls = wrap_tls(ctx);
	tls->xc.vtable->start_cert(&tls->xc.vtable, length);
}

static void
xw_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	cpj_tls_context *tls;

	tls = wrap_tls(ctx);
	if (tls->scan.ip_len != 0 && tls->scan.cert == 0) {
		scan_push(&tls->scan, buf, len);
	}
	tls->xc.vtable->append(&tls->xc.vtable, buf, len);
}

static void
xw_end_cert(const br_x509_class **ctx)
{
	cpj_tls_context *tls;

	tls = wrap_tls(ctx);
	tls->scan.cert++;
	tls->xc.vtable->end_cert(&tls->xc.vtable);
}

static unsigned
xw_end_chain(const br_x509_class **ctx)
{
	cpj_tls_context *tls;
	unsigned r;

	tls = wrap_tls(ctx);
	r = tls->xc.vtable->end_chain(&tls->xc.vtable);
	if (r == 0 && tls->scan.ip_len != 0 && !tls->scan.match) {
		r = BR_ERR_X509_BAD_SERVER_NAME;
	}
	return r;
}

static const br_x509_pkey *
xw_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	cpj_tls_context *tls;

	tls = wrap_tls(ctx);
	return tls->xc.vtable->get_pkey(&tls->xc.vtable, usages);
}

static const br_x509_class xw_vtable = {
	sizeof(cpj_tls_context),
	xw_start_chain,
	xw_start_cert,
	xw_append,
	xw_end_cert,
	xw_end_chain,
	xw_get_pkey
};

/* Dotted-quad IPv4 (no leading zeros): 4, else 0. */
static size_t
parse_ipv4(const char *s, size_t n, unsigned char *out)
{
	size_t i, part;
	unsigned v;
	int digits;

	i = 0;
	for (part = 0; part < 4; part++) {
		v = 0;
		for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9'
			&& digits < 4; digits++, i++)
		{
			if (digits == 1 && v == 0) {
				return 0;
			}
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		if (digits == 0 || digits > 3 || v > 255) {
			return 0;
		}
		out[part] = (unsigned char)v;
		if (part < 3) {
			if (i >= n || s[i] != '.') {
				return 0;
			}
			i++;
		}
	}
	return i == n ? 4 : 0;
}

/* IPv6 text (RFC 4291 2.2, no zone): 16, else 0. */
static size_t
parse_ipv6(const char *s, size_t n, unsigned char *out)
{
	unsigned char b[16];
	size_t i, k, start, gap;
	unsigned v;
	int digits, h, has_gap;

	k = 0;
	i = 0;
	gap = 0;
	has_gap = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		has_gap = 1;
		i = 2;
	} else if (n >= 1 && s[0] == ':') {
		return 0;
	}
	while (i < n) {
		if (k >= 16) {
			return 0;
		}
		start = i;
		v = 0;
		for (digits = 0; i < n && (h = cpj_hexval(s[i])) >= 0
			&& digits < 5; digits++, i++)
		{
			v = (v << 4) | (unsigned)h;
		}
		if (i < n && s[i] == '.') {
			/* Trailing dotted quad: the last 32 bits. */
			if (k > 12
				|| parse_ipv4(s + start, n - start, b + k) != 4)
			{
				return 0;
			}
			k += 4;
			break;
		}
		if (digits == 0 || digits > 4) {
			return 0;
		}
		b[k++] = (unsigned char)(v >> 8);
		b[k++] = (unsigned char)v;
		if (i == n) {
			break;
		}
		if (s[i++] != ':' || i == n) {
			return 0;
		}
		if (s[i] == ':') {
			if (has_gap) {
				return 0;
			}
			has_gap = 1;
			gap = k;
			i++;
		}
	}
	if (!has_gap) {
		if (k != 16) {
			return 0;
		}
		memcpy(out, b, 16);
		return 16;
	}
	if (k > 14) {
		return 0;
	}
	memset(out, 0, 16);
	memcpy(out, b, gap);
	memcpy(out + 16 - (k - gap), b + gap, k - gap);
	return 16;
}

/* The host as an IP address: its length (4 or 16), or 0 for a name. */
static size_t
parse_ip(const char *host, unsigned char *out)
{
	size_t n;

	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		return parse_ipv6(host + 1, n - 2, out);
	}
	if (memchr(host, ':', n) != NULL) {
		return parse_ipv6(host, n, out);
	}
	return parse_ipv4(host, n, out);
}

/* ---- profile ----------------------------------------------------- */

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
};

/* X.509 engine: anchors, certificate signature algorithms. */
static void
setup_x509(cpj_tls_context *tls)
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

/* SSL engine: TLS 1.2, suites, key exchange and record protection. */
static void
setup_engine(cpj_tls_context *tls)
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
	tls->xwrap = &xw_vtable;
	br_ssl_engine_set_x509(eng, &tls->xwrap);
	br_ssl_engine_set_buffer(eng, tls->iobuf, sizeof tls->iobuf, 0);
}

static void
apply_client_cert(cpj_tls_context *tls)
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

/* ---- lower transport callbacks (br_sslio) ------------------------ */

static int
low_read(void *ctx, unsigned char *buf, size_t len)
{
	cpj_tls_context *tls;
	int n, zeros;

	tls = ctx;
	for (zeros = 0; zeros < ZERO_RETRIES_MAX; zeros++) {
		n = tls->lower.recv(tls->lower.ctx, buf, len);
		if (n < 0) {
			tls->lower_err = n;
			return -1;
		}
		if ((size_t)n > len) {
			tls->lower_err = CPJ_ERR_INTERNAL;
			return -1;
		}
		if (n > 0) {
			return n;
		}
	}
	tls->lower_err = CPJ_ERR_TIMEOUT;
	return -1;
}

static int
low_write(void *ctx, const unsigned char *buf, size_t len)
{
	cpj_tls_context *tls;
	int n, zeros;

	tls = ctx;
	for (zeros = 0; zeros < ZERO_RETRIES_MAX; zeros++) {
		n = tls->lower.send(tls->lower.ctx, buf, len);
		if (n < 0) {
			tls->lower_err = n;
			return -1;
		}
		if ((size_t)n > len) {
			tls->lower_err = CPJ_ERR_INTERNAL;
			return -1;
		}
		if (n > 0) {
			return n;
		}
	}
	tls->lower_err = CPJ_ERR_TIMEOUT;
	return -1;
}

/* ---- errors ------------------------------------------------------ */

static int
map_br_error(int e)
{
	if (e >= BR_ERR_SEND_FATAL_ALERT) {
		/* We refused and told the peer so. */
		return CPJ_ERR_TLS_HANDSHAKE;
	}
	if (e >= BR_ERR_RECV_FATAL_ALERT) {
		return CPJ_ERR_TLS_ALERT;
	}
	switch (e) {
	case BR_ERR_X509_NOT_TRUSTED:
		return CPJ_ERR_TLS_UNTRUSTED;
	case BR_ERR_X509_BAD_SERVER_NAME:
		return CPJ_ERR_TLS_HOSTNAME;
	case BR_ERR_X509_EXPIRED:
		return CPJ_ERR_TLS_EXPIRED;
	case BR_ERR_BAD_LENGTH:
	case BR_ERR_TOO_LARGE:
	case BR_ERR_BAD_MAC:
	case BR_ERR_UNKNOWN_TYPE:
	case BR_ERR_BAD_FRAGLEN:
		return CPJ_ERR_TLS_IO;
	default:
		break;
	}
	if (e >= BR_ERR_X509_OK && e < BR_ERR_RECV_FATAL_ALERT) {
		return CPJ_ERR_TLS_CERT;
	}
	return CPJ_ERR_TLS_HANDSHAKE;
}

/*
 * The engine or the wrapper reported a failure: find our code, make the
 * connection failed (sticky) and return the code.
 */
static int
fail(cpj_tls_context *tls)
{
	br_ssl_engine_context *eng;
	int e, err;

	eng = &tls->cc.eng;
	e = br_ssl_engine_last_error(eng);
	if (e == BR_ERR_IO) {
		err = tls->lower_err < 0 ? tls->lower_err : CPJ_ERR_NET_IO;
	} else if (e == BR_ERR_OK) {
		if (br_ssl_engine_current_state(eng) == BR_SSL_CLOSED) {
			/* The peer's close_notify (verified by the engine). */
			err = CPJ_ERR_NET_CLOSED;
			tls->clean_close = 1;
		} else {
			/* Half-duplex: a write while response bytes wait. */
			err = CPJ_ERR_STATE;
		}
	} else {
		err = map_br_error(e);
	}
	tls->br_err = e;
	tls->err = err;
	tls->state = ST_FAILED;
	return err;
}

/* ---- the stream -------------------------------------------------- */

static int
tls_recv(void *ctx, unsigned char *buf, size_t len)
{
	cpj_tls_context *tls;
	int n;

	tls = ctx;
	if (tls->state != ST_OPEN) {
		return tls->err < 0 ? tls->err : CPJ_ERR_STATE;
	}
	if (buf == NULL || len == 0) {
		return CPJ_ERR_PARAM;
	}
	tls->lower_err = 0;
	n = br_sslio_read(&tls->io, buf, len);
	if (n > 0) {
		return n;
	}
	return fail(tls);
}

static int
tls_send(void *ctx, const unsigned char *buf, size_t len)
{
	cpj_tls_context *tls;

	tls = ctx;
	if (tls->state != ST_OPEN) {
		return tls->err < 0 ? tls->err : CPJ_ERR_STATE;
	}
	if (buf == NULL || len == 0) {
		return CPJ_ERR_PARAM;
	}
	if (len > SEND_MAX) {
		len = SEND_MAX;
	}
	tls->lower_err = 0;
	if (br_sslio_write_all(&tls->io, buf, len) < 0
		|| br_sslio_flush(&tls->io) < 0)
	{
		return fail(tls);
	}
	return (int)len;
}

/* ---- API --------------------------------------------------------- */

/* see cpj_tls.h */
int
cpj_tls_init(cpj_tls_context *tls, const cpj_tls_anchors *anchors)
{
	if (tls == NULL || anchors == NULL) {
		return CPJ_ERR_PARAM;
	}
	memset(tls, 0, sizeof *tls);
	if (!cpj_tls_anchors_ready(anchors)) {
		return CPJ_ERR_TLS_ANCHORS;
	}
	tls->anchors = anchors;
	setup_engine(tls);
	setup_x509(tls);
	return 0;
}

#if CPJ_CONFIG_TLS_CLIENT_CERT
/* see cpj_tls.h */
int
cpj_tls_set_client_cert(cpj_tls_context *tls,
	const br_x509_certificate *chain, size_t chain_len,
	const br_rsa_private_key *rsa, const br_ec_private_key *ec)
{
	size_t u;

	if (tls == NULL || tls->anchors == NULL) {
		return CPJ_ERR_PARAM;
	}
	if (tls->state == ST_OPEN) {
		/* setup_engine() would reset the engine under a live
		 * connection (whose next read would look like a clean
		 * close): change it between connections only */
		return CPJ_ERR_STATE;
	}
	if (chain_len == 0) {
		if (rsa != NULL || ec != NULL) {
			return CPJ_ERR_PARAM;
		}
		tls->chain = NULL;
		tls->chain_len = 0;
		tls->rsa = NULL;
		tls->ec = NULL;
		/* Drop the certificate from the engine too. */
		setup_engine(tls);
		return 0;
	}
	if (chain == NULL || chain_len > CPJ_TLS_CLIENT_CHAIN_MAX
		|| (rsa == NULL) == (ec == NULL))
	{
		return CPJ_ERR_PARAM;
	}
	for (u = 0; u < chain_len; u++) {
		if (chain[u].data == NULL || chain[u].data_len == 0) {
			return CPJ_ERR_PARAM;
		}
	}
	if (ec != NULL && ec->curve != BR_EC_secp256r1
		&& ec->curve != BR_EC_secp384r1)
	{
		return CPJ_ERR_PARAM;
	}
	tls->chain = chain;
	tls->chain_len = chain_len;
	tls->rsa = rsa;
	tls->ec = ec;
	apply_client_cert(tls);
	return 0;
}
#endif /* CPJ_CONFIG_TLS_CLIENT_CERT */

static int
host_ok(const char *host)
{
	size_t u;

	for (u = 0; u <= CPJ_HOST_MAX; u++) {
		unsigned char c;

		c = (unsigned char)host[u];
		if (c == 0) {
			return u > 0;
		}
		if (c <= 0x20 || c >= 0x7F) {
			return 0;
		}
	}
	return 0;
}

/* The session id offered for resumption, saved to tell if it was taken. */
typedef struct {
	unsigned char id[32];
	size_t len;
} session_id;

static void
get_session_id(const br_ssl_engine_context *eng, session_id *sid)
{
	br_ssl_session_parameters sp;

	/* The parameters hold the master secret: copy the id, wipe them. */
	br_ssl_engine_get_session_parameters(eng, &sp);
	sid->len = sp.session_id_len <= sizeof sid->id ? sp.session_id_len : 0;
	memcpy(sid->id, sp.session_id, sid->len);
	cpj_wipe(&sp, sizeof sp);
}

/* see cpj_tls.h */
int
cpj_tls_open(cpj_tls_context *tls, const cpj_transport *lower,
	const char *host)
{
	br_ssl_engine_context *eng;
	session_id prev, cur;
	unsigned char seed[32];
	int64_t now;
	int resume, rc;

	if (tls == NULL || tls->anchors == NULL || lower == NULL
		|| lower->recv == NULL || lower->send == NULL
		|| host == NULL || !host_ok(host))
	{
		return CPJ_ERR_PARAM;
	}
	if (!cpj_tls_anchors_ready(tls->anchors)) {
		return CPJ_ERR_TLS_ANCHORS;
	}
	eng = &tls->cc.eng;
	tls->lower = *lower;
	tls->lower_err = 0;
	tls->err = 0;
	tls->br_err = 0;
	tls->resumed = 0;
	tls->clean_close = 0;
	tls->state = ST_FAILED;

	/* Resume only with the host of the last successful handshake. */
	resume = tls->has_session && strcmp(host, tls->host) == 0;
	if (!resume) {
		br_ssl_client_forget_session(&tls->cc);
	}
	get_session_id(eng, &prev);
	tls->has_session = 0;

	/* The anchors may have changed since the last connection. */
	setup_x509(tls);
	now = cpj_tls_time();
	br_x509_minimal_set_time(&tls->xc,
		(uint32_t)(now / 86400 + DAYS_TO_1970),
		(uint32_t)(now % 86400));

	rc = cpj_port_entropy(seed, sizeof seed);
	if (rc < 0) {
		tls->err = CPJ_ERR_IO;
		return CPJ_ERR_IO;
	}
	br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
	cpj_wipe(seed, sizeof seed);

	/* An IP address gets no SNI (RFC 6066) and the iPAddress check. */
	tls->scan.ip_len = parse_ip(host, tls->scan.ip);
	if (!br_ssl_client_reset(&tls->cc,
		tls->scan.ip_len != 0 ? NULL : host, resume))
	{
		return fail(tls);
	}
	br_sslio_init(&tls->io, eng, low_read, tls, low_write, tls);
	tls->state = ST_OPEN;
	/* Flushing nothing runs the handshake to its end. */
	if (br_sslio_flush(&tls->io) < 0) {
		br_ssl_client_forget_session(&tls->cc);
		rc = fail(tls);
		cpj_wipe(tls->iobuf, sizeof tls->iobuf);
		CPJ_LOG_D("tls: handshake with %s failed: %d (BearSSL %d)",
			host, rc, tls->br_err);
		return rc;
	}
	get_session_id(eng, &cur);
	tls->resumed = prev.len > 0 && cur.len == prev.len
		&& memcmp(cur.id, prev.id, prev.len) == 0;
	tls->has_session = cur.len > 0;
	memcpy(tls->host, host, strlen(host) + 1);
	CPJ_LOG_D("tls: %s: TLS 1.2, suite 0x%04X%s", host,
		cpj_tls_suite(tls), tls->resumed ? ", resumed" : "");
	return 0;
}

/* see cpj_tls.h */
void
cpj_tls_transport(cpj_tls_context *tls, cpj_transport *out)
{
	out->recv = tls_recv;
	out->send = tls_send;
	out->ctx = tls;
}

/* see cpj_tls.h */
void
cpj_tls_close(cpj_tls_context *tls)
{
	br_ssl_engine_context *eng;
	int i, n;

	if (tls == NULL) {
		return;
	}
	eng = &tls->cc.eng;
	if (tls->state == ST_OPEN) {
		br_ssl_engine_close(eng);
		for (i = 0; i < CLOSE_WRITES_MAX; i++) {
			unsigned char *buf;
			size_t len;

			if (!(br_ssl_engine_current_state(eng)
				& BR_SSL_SENDREC))
			{
				break;
			}
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			n = tls->lower.send(tls->lower.ctx, buf, len);
			if (n < 0 || (size_t)n > len) {
				break;
			}
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
		}
		tls->state = ST_CLOSED;
	} else if (tls->state == ST_FAILED) {
		tls->state = ST_CLOSED;
	}
	cpj_wipe(tls->iobuf, sizeof tls->iobuf);
}

/* see cpj_tls.h */
void
cpj_tls_forget(cpj_tls_context *tls)
{
	const cpj_tls_anchors *anchors;
	const br_x509_certificate *chain;
	const br_rsa_private_key *rsa;
	const br_ec_private_key *ec;
	size_t chain_len;

	if (tls == NULL || tls->anchors == NULL) {
		return;
	}
	cpj_tls_close(tls);
	anchors = tls->anchors;
	chain = tls->chain;
	chain_len = tls->chain_len;
	rsa = tls->rsa;
	ec = tls->ec;
	cpj_wipe(tls, sizeof *tls);
	tls->anchors = anchors;
	setup_engine(tls);
	setup_x509(tls);
	tls->chain = chain;
	tls->chain_len = chain_len;
	tls->rsa = rsa;
	tls->ec = ec;
	apply_client_cert(tls);
}

/* see cpj_tls.h */
int
cpj_tls_last_br_error(const cpj_tls_context *tls)
{
	return tls != NULL ? tls->br_err : 0;
}

/* see cpj_tls.h */
int
cpj_tls_resumed(const cpj_tls_context *tls)
{
	return tls != NULL && tls->resumed;
}

/* see cpj_tls.h */
int
cpj_tls_clean_close(const cpj_tls_context *tls)
{
	return tls != NULL && tls->clean_close;
}

/* see cpj_tls.h */
unsigned
cpj_tls_suite(const cpj_tls_context *tls)
{
	if (tls == NULL || tls->state != ST_OPEN) {
		return 0;
	}
	return tls->cc.eng.session.cipher_suite;
}
