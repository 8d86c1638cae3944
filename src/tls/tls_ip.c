/*
 * tls_ip.c -- a host that is an IP address: its parsing, and the check of
 * the server certificate's subjectAltName iPAddress, which BearSSL's X.509
 * engine does not make (see cpj_tls.h).
 */
#include "tls_int.h"

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

static CPJ_NOINLINE void
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

/* see tls_int.h */
const br_x509_class cpj_tls_xw_vtable = {
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

/* see tls_int.h */
size_t
cpj_tls_parse_ip(const char *host, unsigned char *out)
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
