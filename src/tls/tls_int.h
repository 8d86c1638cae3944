/*
 * tls_int.h -- declarations shared by the TLS sources (src/tls/), nothing
 * of it API.
 */
#ifndef CPJ_TLS_INT_H
#define CPJ_TLS_INT_H

#include "inner.h"

/* ---- tls_profile.c ---------------------------------------------------- */

/* X.509 engine: anchors, certificate signature algorithms. */
void cpj_tls_setup_x509(cpj_tls_context *tls);
/* SSL engine: TLS 1.2, suites, key exchange and record protection, the
 * X.509 wrapper of tls_ip.c; drops any client certificate. */
void cpj_tls_setup_engine(cpj_tls_context *tls);
/* The client certificate of tls (chain, rsa or ec) into the engine. */
void cpj_tls_apply_client_cert(cpj_tls_context *tls);

/* ---- tls_ip.c --------------------------------------------------------- */

/* The X.509 class that wraps tls->xc (at tls->xwrap): the iPAddress check
 * of the server certificate when tls->scan.ip_len is not 0. */
extern const br_x509_class cpj_tls_xw_vtable;
/* The host as an IP address into out (16 bytes): its length (4 or 16),
 * or 0 for a name. */
size_t cpj_tls_parse_ip(const char *host, unsigned char *out);

/* ---- tls_der.c -------------------------------------------------------- */

/* What an anchor takes from a certificate; pointers into its DER. */
typedef struct cpj_tls_der_cert {
	const unsigned char *dn;  /* subject Name, whole element */
	size_t dn_len;
	br_x509_pkey pk;          /* RSA (n, e without leading zeros) or EC */
	int is_ca;                /* basicConstraints cA */
} cpj_tls_der_cert;

/* Read subject DN, key and CA flag of a certificate of the common shape
 * (tls_der.c says which): 1 and *k set, or 0: leave it to BearSSL's
 * X.509 decoder. Never reads outside der[0..len). */
int cpj_tls_der_cert_read(const unsigned char *der, size_t len,
	cpj_tls_der_cert *k);

#endif
