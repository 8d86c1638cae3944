/*
 * tls_anchors.c -- trust-anchor store in caller storage, fed PEM bytes.
 *
 * PEM text is pushed through BearSSL's streaming PEM decoder straight
 * into its X.509 decoder: no certificate is ever held whole. The subject
 * DN is appended to the arena as it is decoded; when the certificate
 * ends, its public key follows it and a slot points at both. When the
 * store is full, decoding goes on and only counts, so that the caller
 * learns what the whole bundle needs.
 */
#include "inner.h"

#define ST_READY    0
#define ST_LOADING  1
#define ST_FAILED   2
#define ST_DONE     3

#define OBJ_NONE    0
#define OBJ_CERT    1
#define OBJ_OTHER   2

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
		memcpy(a->arena + a->used + a->dn_len, buf, len);
	} else {
		a->dn_over = 1;
	}
	a->dn_len += len;
}

/* PEM decoder callback: DER bytes of the current certificate. */
static void
der_push(void *ctx, const void *buf, size_t len)
{
	cpj_tls_anchors *a;

	a = ctx;
	/*
	 * BearSSL's decoder must not be pushed more bytes once it failed (its
	 * engine is left stopped: a further push reads stale state) or once
	 * the certificate is complete; end_cert() reports either case.
	 */
	if (a->dec.err != 0 || a->dec.decoded)
		return;
	br_x509_decoder_push(&a->dec, buf, len);
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
is_cert_name(const char *name)
{
	return name_is(name, "CERTIFICATE")
		|| name_is(name, "X509 CERTIFICATE");
}

/* The current certificate object ended: store it, count it, or skip it. */
static int
end_cert(cpj_tls_anchors *a)
{
	const br_x509_pkey *pk;
	br_x509_trust_anchor *ta;
	unsigned char *dn, *kp;
	size_t klen, need;
	int err;

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
	kp = dn + a->dn_len;
	ta = &a->slots[a->count];
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn;
	ta->dn.len = a->dn_len;
	ta->flags = BR_X509_TA_CA;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		memcpy(kp, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.n = kp;
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		kp += pk->key.rsa.nlen;
		memcpy(kp, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.e = kp;
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		memcpy(kp, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = kp;
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	a->used += need;
	a->count++;
	return 0;
}

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

/* see cpj_tls.h */
int
cpj_tls_anchors_add_pem(cpj_tls_anchors *a, const void *data, size_t len)
{
	const unsigned char *p;
	size_t n;
	int rc;

	if (a == NULL || (data == NULL && len != 0)) {
		return CPJ_ERR_PARAM;
	}
	if (a->state == ST_READY) {
		br_pem_decoder_init(&a->pem);
		a->state = ST_LOADING;
	}
	if (a->state != ST_LOADING) {
		return a->state == ST_FAILED
			? CPJ_ERR_TLS_ANCHORS : CPJ_ERR_STATE;
	}
	p = data;
	while (len > 0) {
		n = br_pem_decoder_push(&a->pem, p, len);
		p += n;
		len -= n;
		switch (br_pem_decoder_event(&a->pem)) {
		case BR_PEM_BEGIN_OBJ:
			a->objects++;
			if (is_cert_name(br_pem_decoder_name(&a->pem))) {
				a->certs++;
				a->in_obj = OBJ_CERT;
				a->dn_len = 0;
				a->dn_over = 0;
				br_x509_decoder_init(&a->dec, dn_append, a);
				br_pem_decoder_setdest(&a->pem, der_push, a);
			} else {
				a->in_obj = OBJ_OTHER;
				a->skipped++;
				br_pem_decoder_setdest(&a->pem, 0, NULL);
			}
			break;
		case BR_PEM_END_OBJ:
			rc = 0;
			if (a->in_obj == OBJ_CERT) {
				rc = end_cert(a);
			}
			a->in_obj = OBJ_NONE;
			if (rc < 0) {
				return rc;
			}
			break;
		case BR_PEM_ERROR:
			return fail(a, -1);
		default:
			if (n == 0) {
				/* No event and no progress: cannot happen. */
				return fail(a, -1);
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
		br_pem_decoder_init(&a->pem);
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
		/* The file ended inside an object: truncated. */
		return fail(a, BR_ERR_X509_TRUNCATED);
	}
	if (a->need_anchors == a->nbuiltin || a->over) {
		/* No CA certificate at all, or the store is too small. */
		a->state = ST_FAILED;
		return CPJ_ERR_TLS_ANCHORS;
	}
	a->state = ST_DONE;
	return (int)a->count;
}

/* see cpj_tls.h */
void
cpj_tls_anchors_needed(const cpj_tls_anchors *a, size_t *anchors,
	size_t *bytes)
{
	if (anchors != NULL) {
		*anchors = a != NULL ? a->need_anchors : 0;
	}
	if (bytes != NULL) {
		*bytes = a != NULL ? a->need_bytes : 0;
	}
}

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
