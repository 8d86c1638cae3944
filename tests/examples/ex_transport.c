/*
 * ex_transport.c -- plug your own layer in: a cpj_transport that counts
 * and logs the bytes on the wire, between the socket and TLS.
 *
 * Every layer of libcpjob talks to the one below through cpj_transport
 * (cpj_transport.h): two callbacks and a context. A port author wraps
 * whatever moves bytes on the device (a modem's AT socket, a TLS offload
 * engine, a logger like this one) in that shape and hands it to
 * cpj_tls_open(), or straight to cpj_http_roundtrip() for plain HTTP.
 * Here the stack is built by hand:
 *
 *   cpj_http_roundtrip -> TLS (cpj_tls_transport) -> counter -> socket
 *
 * and one GET is sent to CPJ_ENDPOINT (the status does not matter: the
 * request is not signed). Environment: CPJ_ENDPOINT, CPJ_CA_FILE.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpj.h"

/* The layer: counts what passes and logs every call. */
struct counter {
	cpj_transport lower;    /* the transport below (copied) */
	unsigned long sent, received;
	unsigned calls;
};

static int
counter_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct counter *c = ctx;
	int rc = c->lower.send(c->lower.ctx, buf, len);

	c->calls++;
	if (rc > 0)
		c->sent += (unsigned long)rc;
	fprintf(stderr, "wire: send %lu -> %d\n", (unsigned long)len, rc);
	return rc;              /* errors pass up unchanged */
}

static int
counter_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct counter *c = ctx;
	int rc = c->lower.recv(c->lower.ctx, buf, len);

	c->calls++;
	if (rc > 0)
		c->received += (unsigned long)rc;
	fprintf(stderr, "wire: recv %lu -> %d\n", (unsigned long)len, rc);
	return rc;
}

static br_x509_trust_anchor slots[4];
static unsigned char arena[2048], work[2048];
static char pem[4096];
static cpj_tls_anchors anchors;
static cpj_tls_context tls;
static cpj_net_context net;
static cpj_http_parser parser;
static cpj_http_response resp;
static cpj_http_url url;
static struct counter counter;

int
main(void)
{
	const char *ca = getenv("CPJ_CA_FILE");
	cpj_transport wire, top;
	cpj_http_request req = { 0 };
	FILE *f;
	size_t n;
	int rc;

	if (ca == NULL || (f = fopen(ca, "rb")) == NULL)
		return 1;
	n = fread(pem, 1, sizeof pem, f);
	fclose(f);
	if ((rc = cpj_tls_anchors_init(&anchors, slots, 4, arena, sizeof arena,
	    0)) != 0 || (rc = cpj_tls_anchors_add_pem(&anchors, pem, n)) != 0 ||
	    (rc = cpj_tls_anchors_finish(&anchors)) < 0 ||
	    (rc = cpj_tls_init(&tls, &anchors)) != 0 ||
	    (rc = cpj_http_url_parse(&url, getenv("CPJ_ENDPOINT"), 1)) != 0)
		goto out;

	/* socket, then our layer on it, then TLS on our layer */
	cpj_net_init(&net);
	cpj_net_set_deadline(&net, 10000);      /* bounds everything below */
	if ((rc = cpj_net_connect(&net, url.host, url.port, 0)) != 0)
		goto out;
	cpj_net_transport(&net, &counter.lower);
	wire.send = counter_send;
	wire.recv = counter_recv;
	wire.ctx = &counter;
	if ((rc = cpj_tls_open(&tls, &wire, url.host)) != 0)
		goto close;
	printf("handshake: %lu bytes sent, %lu received\n", counter.sent,
	    counter.received);
	cpj_tls_transport(&tls, &top);

	req.method = "GET";
	req.target = "/ex-transport";
	req.host = url.host;
	cpj_http_response_init(&resp);
	rc = cpj_http_roundtrip(&top, &req, &parser, &resp, work, sizeof work);
	if (rc == 0)
		printf("HTTP %d, %lu body bytes\n", resp.status,
		    (unsigned long)resp.body_bytes);
	cpj_tls_close(&tls);
close:
	cpj_net_close(&net);
	printf("wire: %lu bytes sent, %lu received in %u calls\n",
	    counter.sent, counter.received, counter.calls);
out:
	if (rc != 0)
		fprintf(stderr, "error: %s\n", cpj_strerror(rc));
	return rc != 0;
}
