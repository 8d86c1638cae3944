/*
 * tls_anchors.c -- trust-anchor store in caller storage, fed PEM bytes.
 *
 * PEM text is scanned here a whole buffer at a time: lines outside
 * objects are skipped, an object's Base64 is decoded into the free part
 * of the arena (where the anchor's DN and key will go) and, when the
 * object ends, the certificate's DN and key are read from it
 * (tls_der.c) and moved to the front of that free part; a slot points at
 * them. A certificate that reader declines, or one that does not fit in
 * the free arena, goes through BearSSL's X.509 decoder, which appends the
 * DN as it is decoded; its key follows. When the store is full, decoding
 * goes on and only counts, so that the caller learns what the whole
 * bundle needs.
 */
#include "tls_int.h"

#define ST_READY    0
#define ST_LOADING  1
#define ST_FAILED   2
#define ST_DONE     3

#define OBJ_NONE    0
#define OBJ_CERT    1
#define OBJ_OTHER   2

/* PEM line states */
#define PS_BOL      0   /* a line's first bytes (lpos of a marker matched) */
#define PS_SKIP     1   /* the rest of the line is ignored */
#define PS_NAME     2   /* "-----BEGIN " seen: the object's name */
#define PS_B64      3   /* Base64 of a certificate, to the end of the line */

#if CPJ_CONFIG_PEM
static const char begin_mark[] = "-----BEGIN ";
static const char end_mark[] = "-----END";

/* X.509 decoder callback: one more piece of the subject DN. */
static void
dn_append(void *ctx, const void *buf, size_t len)
{
	cpj_tls_anchors *a;
	size_t room;

	a = ctx;
	if (len == 0) {
		return;
	}
	room = a->arena_len - a->used;
	if (!a->over && !a->dn_over && len <= room - a->dn_len) {
		/* memmove: the DER being decoded may be in the arena,
		   always past the DN written so far */
		memmove(a->arena + a->used + a->dn_len, buf, len);
	} else {
		a->dn_over = 1;
	}
	a->dn_len += len;
}

/*
 * DER bytes of the current certificate to BearSSL's decoder, one byte a
 * push: the decoder then stops exactly at the certificate's end, and bytes
 * after it inside the same PEM object are ignored however the bundle is
 * cut into pieces (pushed with the certificate's last bytes, the decoder
 * would fail on them; pushed later, not). This path takes the
 * certificates the DER reader (tls_der.c) declines, a store that is
 * full, and builds without CPJ_CONFIG_PEM_FAST.
 */
static void
der_push(cpj_tls_anchors *a, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	/*
	 * BearSSL's decoder must not be pushed more bytes once it failed (its
	 * engine is left stopped: a further push reads stale state) or once
	 * the certificate is complete; end_cert() reports either case.
	 */
	for (; len > 0 && a->dec.err == 0 && !a->dec.decoded; len--)
		br_x509_decoder_push(&a->dec, p++, 1);
}

static int
fail(cpj_tls_anchors *a, int br_err)
{
	a->state = ST_FAILED;
	a->br_err = br_err;
	a->bad_object = a->objects;
	return CPJ_ERR_TLS_ANCHORS;
}

/*
 * A CA's DN (dn_len bytes at dn_src; NULL: already in place at the
 * arena's free part) and key into the store, or only counted when it is
 * full. The DN and the key may lie in the arena's free part, past where
 * they go: memmove, the DN first.
 */
static int
store(cpj_tls_anchors *a, const unsigned char *dn_src, const br_x509_pkey *pk)
{
	br_x509_trust_anchor *ta;
	unsigned char *dn, *kp;
	size_t klen, need;

	switch (pk->key_type) {
	case BR_KEYTYPE_RSA:
		klen = pk->key.rsa.nlen + pk->key.rsa.elen;
		break;
	case BR_KEYTYPE_EC:
		klen = pk->key.ec.qlen;
		break;
	default:
		return fail(a, BR_ERR_X509_UNSUPPORTED);
	}
	/* Both are bounded by the decoder's buffers; no overflow. */
	need = a->dn_len + klen;
	a->need_anchors++;
	a->need_bytes += need;
	if (a->over || a->dn_over || a->count >= a->nslots
		|| need > a->arena_len - a->used)
	{
		a->over = 1;
		return 0;
	}
	dn = a->arena + a->used;
	if (dn_src != NULL && dn_src != dn)
		memmove(dn, dn_src, a->dn_len);
	kp = dn + a->dn_len;
	ta = &a->slots[a->count];
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn;
	ta->dn.len = a->dn_len;
	ta->flags = BR_X509_TA_CA;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		memmove(kp, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.n = kp;
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		kp += pk->key.rsa.nlen;
		memmove(kp, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.e = kp;
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		memmove(kp, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = kp;
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	a->used += need;
	a->count++;
	return 0;
}

/* The current certificate object ended: store it, count it, or skip it. */
static int
end_cert(cpj_tls_anchors *a)
{
	const br_x509_pkey *pk;
	int err;

	if (a->staged) {
		unsigned char *der = a->arena + a->used;

#if CPJ_CONFIG_PEM_FAST
		cpj_tls_der_cert k;

		if (cpj_tls_der_cert_read(der, a->der_len, &k)) {
			if (!k.is_ca) {
				a->skipped++;
				return 0;
			}
			a->dn_len = k.dn_len;
			return store(a, k.dn, &k.pk);
		}
#endif
		/* Not the common shape: BearSSL's decoder decides. */
		br_x509_decoder_init(&a->dec, dn_append, a);
		der_push(a, der, a->der_len);
	}
	err = br_x509_decoder_last_error(&a->dec);
	if (err == BR_ERR_X509_UNSUPPORTED
		|| err == BR_ERR_X509_LIMIT_EXCEEDED)
	{
		/* A key BearSSL cannot use (e.g. Ed25519, or RSA over 4096
		   bits): it could never anchor a chain. */
		a->skipped++;
		return 0;
	}
	if (err != 0) {
		return fail(a, err);
	}
	if (!br_x509_decoder_isCA(&a->dec)) {
		a->skipped++;
		return 0;
	}
	pk = br_x509_decoder_get_pkey(&a->dec);
	if (pk == NULL) {
		return fail(a, BR_ERR_X509_TRUNCATED);
	}
	/* the decoder wrote the DN in place (dn_append) */
	return store(a, NULL, pk);
}

#endif /* CPJ_CONFIG_PEM */

/* see cpj_tls.h */
int
cpj_tls_anchors_init(cpj_tls_anchors *a, br_x509_trust_anchor *slots,
	size_t nslots, unsigned char *arena, size_t arena_len, int builtin)
{
	const br_x509_trust_anchor *bt;
	size_t nb;

	if (a == NULL || (slots == NULL && nslots != 0)
		|| (arena == NULL && arena_len != 0))
	{
		return CPJ_ERR_PARAM;
	}
	memset(a, 0, sizeof *a);
	a->slots = slots;
	a->nslots = nslots;
	a->arena = arena;
	a->arena_len = arena_len;
	a->ta = slots;
	a->state = ST_READY;
	if (!builtin) {
		return 0;
	}
	nb = cpj_tls_builtin_anchors(&bt);
	a->nbuiltin = nb;
	a->need_anchors = nb;
	if (nslots == 0) {
		/* Built-in anchors only: use the constant table directly. */
		a->ta = bt;
		a->count = nb;
		a->over = 1;
		return 0;
	}
	if (nslots < nb) {
		a->state = ST_FAILED;
		return CPJ_ERR_TLS_ANCHORS;
	}
	memcpy(slots, bt, nb * sizeof *bt);
	a->count = nb;
	return 0;
}

#if CPJ_CONFIG_PEM
/*
 * Decoded bytes of the current certificate: into the arena's free part
 * while they fit, else (from then on) to BearSSL's decoder.
 */
static CPJ_NOINLINE void
emit(cpj_tls_anchors *a, const unsigned char *b, size_t n)
{
	if (n == 0) {
		/* nothing (and the arena may be NULL when it is 0 bytes) */
		return;
	}
	if (a->staged) {
		if (n <= a->arena_len - a->used - a->der_len) {
			memcpy(a->arena + a->used + a->der_len, b, n);
			a->der_len += n;
			return;
		}
		a->staged = 0;
		br_x509_decoder_init(&a->dec, dn_append, a);
		der_push(a, a->arena + a->used, a->der_len);
	}
	der_push(a, b, n);
}

/* "-----BEGIN name" seen: a certificate, or an object to skip. */
static void
begin_obj(cpj_tls_anchors *a)
{
	a->objects++;
	a->name[a->lpos < sizeof a->name ? a->lpos : 0] = '\0';
	if (strcmp(a->name, "CERTIFICATE") == 0
		|| strcmp(a->name, "X509 CERTIFICATE") == 0)
	{
		a->certs++;
		a->in_obj = OBJ_CERT;
		a->dn_len = 0;
		a->dn_over = 0;
		a->der_len = 0;
		a->acc = 0;
		a->qn = 0;
		a->pad = 0;
		/* staged in the arena when it has room (it may be NULL: 0 bytes) */
		a->staged = !a->over && a->used < a->arena_len;
		if (!a->staged) {
			br_x509_decoder_init(&a->dec, dn_append, a);
		}
	} else {
		a->in_obj = OBJ_OTHER;
		a->skipped++;
	}
}

/* "-----END" seen. */
static int
end_obj(cpj_tls_anchors *a)
{
	int in = a->in_obj;

	a->in_obj = OBJ_NONE;
	if (in != OBJ_CERT) {
		return 0;
	}
	if (a->qn != 0) {
		return fail(a, -1);
	}
	return end_cert(a);
}

/* Base64 values of ASCII; 64 for every other byte (b64_line's fast path
 * takes four bytes below 64 at once, the others go one by one: both
 * through this table). */
static const unsigned char b64_val[128] = {
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 62, 64, 64, 64, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64,
	64,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 64,
	64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 64, 64, 64, 64, 64
};

/*
 * Base64 of a certificate from p[*pi] to the end of the line (or of the
 * buffer); white space is ignored, padding ends the data. Whole groups
 * of four data characters (a PEM line is sixteen) are decoded at once;
 * anything else, one character at a time.
 */
static int
b64_line(cpj_tls_anchors *a, const unsigned char *p, size_t len, size_t *pi)
{
	unsigned char out[96];
	uint32_t acc = a->acc;
	unsigned qn = a->qn, v;
	size_t i, o = 0;
	int rc = 0;

	for (i = *pi; i < len; i++) {
		unsigned c;

		while (qn == 0 && a->pad == 0 && len - i >= 4) {
			unsigned c0 = p[i], c1 = p[i + 1], c2 = p[i + 2];
			unsigned c3 = p[i + 3];
			uint32_t w;

			if ((c0 | c1 | c2 | c3) >= 128)
				break;
			c0 = b64_val[c0];
			c1 = b64_val[c1];
			c2 = b64_val[c2];
			c3 = b64_val[c3];
			if ((c0 | c1 | c2 | c3) >= 64)
				break;
			w = (uint32_t)c0 << 18 | c1 << 12 | c2 << 6 | c3;
			out[o] = (unsigned char)(w >> 16);
			out[o + 1] = (unsigned char)(w >> 8);
			out[o + 2] = (unsigned char)w;
			o += 3;
			if (o == sizeof out) {
				emit(a, out, o);
				o = 0;
			}
			i += 4;
		}
		if (i >= len)
			break;
		c = p[i];
		v = c < 128 ? b64_val[c] : 64;

		if (v < 64) {
			/* a data character */
		} else if (c == '\n') {
			a->pstate = PS_BOL;
			a->lpos = 0;
			i++;
			break;
		} else if (c == '\r' || c == ' ' || c == '\t') {
			continue;
		} else if (c == '=' && qn >= 2) {
			a->pad++;
			acc <<= 6;
			if (++qn == 4) {
				out[o++] = (unsigned char)(acc >> 16);
				if (a->pad == 1) {
					out[o++] = (unsigned char)(acc >> 8);
				}
				qn = 0;
			}
			continue;
		} else {
			rc = -1;
			break;
		}
		if (a->pad != 0) {
			/* data after the padding */
			rc = -1;
			break;
		}
		acc = acc << 6 | v;
		if (++qn == 4) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			qn = 0;
			if (o == sizeof out) {
				emit(a, out, o);
				o = 0;
			}
		}
	}
	emit(a, out, o);
	a->acc = acc;
	a->qn = (unsigned char)qn;
	*pi = i;
	return rc < 0 ? fail(a, rc) : 0;
}

/* A line's first bytes: a BEGIN or END marker, Base64, or text to skip. */
static int
line_start(cpj_tls_anchors *a, int c)
{
	const char *mark = a->in_obj == OBJ_NONE ? begin_mark : end_mark;
	size_t mlen = a->in_obj == OBJ_NONE
		? sizeof begin_mark - 1 : sizeof end_mark - 1;

	if (a->lpos < mlen && c == mark[a->lpos]) {
		if (++a->lpos < mlen) {
			return 1;
		}
		a->lpos = 0;
		if (a->in_obj == OBJ_NONE) {
			a->pstate = PS_NAME;
			return 1;
		}
		a->pstate = PS_SKIP;
		return end_obj(a) < 0 ? -1 : 1;
	}
	if (a->in_obj == OBJ_CERT) {
		if (a->lpos != 0) {
			/* dashes that are no END marker */
			return fail(a, -1) < 0 ? -1 : 0;
		}
		a->pstate = PS_B64;
		return 0;
	}
	a->pstate = PS_SKIP;
	return 0;
}

/* see cpj_tls.h */
int
cpj_tls_anchors_add_pem(cpj_tls_anchors *a, const void *data, size_t len)
{
	const unsigned char *p, *nl;
	size_t i;
	int rc;

	if (a == NULL || (data == NULL && len != 0)) {
		return CPJ_ERR_PARAM;
	}
	if (a->state == ST_READY) {
		a->state = ST_LOADING;
	}
	if (a->state != ST_LOADING) {
		return a->state == ST_FAILED
			? CPJ_ERR_TLS_ANCHORS : CPJ_ERR_STATE;
	}
	p = data;
	for (i = 0; i < len;) {
		int c = p[i];

		switch (a->pstate) {
		case PS_SKIP:
			nl = memchr(p + i, '\n', len - i);
			if (nl == NULL) {
				return 0;
			}
			i = (size_t)(nl - p) + 1;
			a->pstate = PS_BOL;
			a->lpos = 0;
			break;
		case PS_BOL:
			if (c == '\n') {
				a->lpos = 0;
				i++;
				break;
			}
			rc = line_start(a, c);
			if (rc < 0) {
				return CPJ_ERR_TLS_ANCHORS;
			}
			i += (size_t)rc;
			break;
		case PS_NAME:
			if (c == '-' || c == '\r' || c == '\n') {
				begin_obj(a);
				a->lpos = 0;
				a->pstate = PS_SKIP;
				break;
			}
			if (a->lpos < sizeof a->name - 1) {
				a->name[a->lpos++] = (char)c;
			} else {
				/* too long for a certificate's name */
				a->lpos = sizeof a->name;
			}
			i++;
			break;
		default:
			if (b64_line(a, p, len, &i) < 0) {
				return CPJ_ERR_TLS_ANCHORS;
			}
			break;
		}
	}
	return 0;
}

/* see cpj_tls.h */
int
cpj_tls_anchors_finish(cpj_tls_anchors *a)
{
	int rc;

	if (a == NULL) {
		return CPJ_ERR_PARAM;
	}
	if (a->state == ST_READY) {
		/* Nothing pushed: an empty bundle, reported below. */
		a->state = ST_LOADING;
	}
	if (a->state != ST_LOADING) {
		return a->state == ST_FAILED
			? CPJ_ERR_TLS_ANCHORS : CPJ_ERR_STATE;
	}
	/* A last line without its newline still ends its object. */
	rc = cpj_tls_anchors_add_pem(a, "\n", 1);
	if (rc < 0) {
		return rc;
	}
	if (a->in_obj != OBJ_NONE) {
		/* The file ended inside an object: truncated (in the middle
		   of a Base64 quartet: a PEM error). */
		return fail(a, a->qn != 0 ? -1 : BR_ERR_X509_TRUNCATED);
	}
	if (a->need_anchors == a->nbuiltin || a->over) {
		/* No CA certificate at all, or the store is too small. */
		a->state = ST_FAILED;
		return CPJ_ERR_TLS_ANCHORS;
	}
	a->state = ST_DONE;
	return (int)a->count;
}

#endif /* CPJ_CONFIG_PEM */

/* see cpj_tls.h */
void
cpj_tls_anchors_get_info(const cpj_tls_anchors *a,
	cpj_tls_anchors_info *info)
{
	if (info == NULL) {
		return;
	}
	memset(info, 0, sizeof *info);
	if (a == NULL) {
		return;
	}
	info->anchors = a->count;
	info->bytes = a->used;
	info->slots = a->nslots;
	info->arena = a->arena_len;
	info->need_anchors = a->need_anchors;
	info->need_bytes = a->need_bytes;
	info->certs = a->certs;
	info->skipped = a->skipped;
	info->bad_object = a->bad_object;
	info->br_err = a->br_err;
}

/* see cpj_tls.h */
int
cpj_tls_anchors_ready(const cpj_tls_anchors *a)
{
	return a != NULL && (a->state == ST_READY || a->state == ST_DONE)
		&& a->count > 0;
}
