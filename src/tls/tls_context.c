/*
 * tls_context.c -- the handshake, the TLS stream as a cpj_transport, and
 * the API of cpj_tls.h (the profile is tls_profile.c's, the IP-address
 * host check tls_ip.c's).
 */
#include "tls_int.h"

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

/* ---- lower transport callbacks (br_sslio) ------------------------ */

/* One read (rbuf) or write (wbuf) of the lower transport for BearSSL:
 * a few zero-byte results are retried; errors are kept for the caller. */
static CPJ_NOINLINE int
low_io(cpj_tls_context *tls, unsigned char *rbuf, const unsigned char *wbuf,
	size_t len)
{
	int n, zeros;

	for (zeros = 0; zeros < ZERO_RETRIES_MAX; zeros++) {
		n = rbuf != NULL ? tls->lower.recv(tls->lower.ctx, rbuf, len)
		    : tls->lower.send(tls->lower.ctx, wbuf, len);
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
low_read(void *ctx, unsigned char *buf, size_t len)
{
	return low_io(ctx, buf, NULL, len);
}

static int
low_write(void *ctx, const unsigned char *buf, size_t len)
{
	return low_io(ctx, NULL, buf, len);
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
	cpj_tls_setup_engine(tls);
	cpj_tls_setup_x509(tls);
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
		/* cpj_tls_setup_engine() would reset the engine under a live
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
		cpj_tls_setup_engine(tls);
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
	cpj_tls_apply_client_cert(tls);
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
	cpj_tls_setup_x509(tls);
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
	tls->scan.ip_len = cpj_tls_parse_ip(host, tls->scan.ip);
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
	cpj_tls_setup_engine(tls);
	cpj_tls_setup_x509(tls);
	tls->chain = chain;
	tls->chain_len = chain_len;
	tls->rsa = rsa;
	tls->ec = ec;
	cpj_tls_apply_client_cert(tls);
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
