/*
 * http_client.c -- one exchange over a transport, and the keep-alive
 * client with proxy tunnels (see cpj_http.h).
 */
#include "inner.h"

/* Transport calls in a row that may move nothing before we give up. */
#define ZERO_MAX 64

/* Largest piece handed to a transport or body source at once (fits int). */
#define PIECE_MAX ((size_t)1 << 30)

static int
send_all(const cpj_transport *tr, const unsigned char *d, size_t len)
{
	unsigned zeros = 0;

	while (len > 0) {
		int n = tr->send(tr->ctx, d, len > PIECE_MAX ? PIECE_MAX : len);

		if (n < 0)
			return n;
		if (n == 0) {
			if (++zeros > ZERO_MAX)
				return CPJ_ERR_TIMEOUT;
			continue;
		}
		if ((size_t)n > len)
			return CPJ_ERR_INTERNAL;
		zeros = 0;
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Send a request whose head (and maybe body) the writer put in work[0..n);
 * `complete` is the writer's return value. *src_used is set once the body
 * source has been read (the request can then not be repeated).
 */
static int
send_request(const cpj_transport *tr, const cpj_http_request *req,
	int complete, unsigned char *work, size_t work_len, size_t n,
	int *src_used)
{
	uint64_t left;
	int rc;

	if (complete)
		return send_all(tr, work, n);
	if (req->body_read == NULL) {
		/* A memory body larger than `work`: sent from where it is. */
		rc = send_all(tr, work, n);
		if (rc < 0)
			return rc;
		return send_all(tr, req->body, req->body_len);
	}
	left = req->content_length;
	for (;;) {
		while (left > 0 && n < work_len) {
			size_t want = work_len - n;
			int r;

			if (want > PIECE_MAX)
				want = PIECE_MAX;
			if ((uint64_t)want > left)
				want = (size_t)left;
			*src_used = 1;
			r = req->body_read(req->body_ctx, work + n, want);
			if (r < 0)
				return r;
			if (r == 0)
				return CPJ_ERR_HTTP_REQUEST;
			if ((size_t)r > want)
				return CPJ_ERR_PARAM;
			n += (size_t)r;
			left -= (uint64_t)r;
		}
		rc = send_all(tr, work, n);
		if (rc < 0 || left == 0)
			return rc;
		n = 0;
	}
}

static int
read_response(const cpj_transport *tr, cpj_http_parser *p,
	unsigned char *work, size_t work_len)
{
	unsigned zeros = 0;

	if (work_len > PIECE_MAX)
		work_len = PIECE_MAX;
	for (;;) {
		size_t used;
		int n, rc;

		n = tr->recv(tr->ctx, work, work_len);
		if (n == CPJ_ERR_NET_CLOSED) {
			p->resp->keep_alive = 0;
			if (p->in_bytes == 0)
				return CPJ_ERR_NET_CLOSED;
			rc = cpj_http_parser_eof(p);
			return rc < 0 ? rc : 0;
		}
		if (n < 0)
			return n;
		if (n == 0) {
			if (++zeros > ZERO_MAX)
				return CPJ_ERR_TIMEOUT;
			continue;
		}
		if ((size_t)n > work_len)
			return CPJ_ERR_INTERNAL;
		zeros = 0;
		rc = cpj_http_parser_feed(p, work, (size_t)n, &used);
		/* when the Date came: a server stamps it as it sends the head,
		 * however long the body then takes */
		if ((p->resp->present & CPJ_HTTP_F_DATE) && p->resp->date_at == 0)
			p->resp->date_at = cpj_port_time_unix();
		if (rc < 0)
			return rc;
		if (rc == 1) {
			/* Bytes after the response belong to nobody. */
			if (used < (size_t)n)
				p->resp->keep_alive = 0;
			return 0;
		}
	}
}

/*
 * One request and its response. `written` is the writer's result when
 * work[0..n) already holds the request, -1 to write it here.
 */
static int
roundtrip(const cpj_transport *tr, const cpj_http_request *req,
	cpj_http_parser *p, cpj_http_response *resp, unsigned char *work,
	size_t work_len, int *src_used, int written, size_t n)
{
	int rc;

	*src_used = 0;
	if (tr == NULL || req == NULL || p == NULL || resp == NULL
	    || work == NULL || work_len == 0)
		return CPJ_ERR_PARAM;
	cpj_http_parser_init(p, resp, req->method);
	rc = written;
	if (rc < 0)
		rc = cpj_http_request_write(req, work, work_len, &n);
	if (rc < 0)
		return rc;
	rc = send_request(tr, req, rc, work, work_len, n, src_used);
	if (rc < 0)
		return rc;
	return read_response(tr, p, work, work_len);
}

/* see cpj_http.h */
int
cpj_http_roundtrip(const cpj_transport *tr, const cpj_http_request *req,
	cpj_http_parser *p, cpj_http_response *resp, unsigned char *work,
	size_t work_len)
{
	int src_used;

	return roundtrip(tr, req, p, resp, work, work_len, &src_used, -1, 0);
}

/* see cpj_http.h */
void
cpj_http_client_init(cpj_http_client *c, struct cpj_tls_context *tls)
{
	memset(c, 0, sizeof *c);
	cpj_net_init(&c->net);
	c->tls = tls;
	cpj_http_client_set_timeouts(c, 0, 0, 0);
}

/* see cpj_http.h */
void
cpj_http_client_set_timeouts(cpj_http_client *c, uint32_t connect_ms,
	uint32_t idle_ms, uint32_t request_ms)
{
	c->connect_ms = connect_ms != 0 ? connect_ms : CPJ_CONNECT_TIMEOUT_MS;
	c->idle_ms = idle_ms != 0 ? idle_ms : CPJ_IDLE_TIMEOUT_MS;
	c->request_ms = request_ms != 0 ? request_ms : CPJ_TIMEOUT_MS;
	cpj_net_set_idle(&c->net, c->idle_ms);
}

/* see cpj_http.h */
void
cpj_http_client_close(cpj_http_client *c)
{
	if (c->tls_up) {
		cpj_tls_close(c->tls);
		c->tls_up = 0;
	}
	cpj_net_close(&c->net);
	c->conn_open = 0;
}

/* "host:port" or "[v6]:port" into `out` (CPJ_HOST_MAX + 10 bytes). */
static int
authority(char *out, const cpj_http_url *u, int with_port)
{
	cpj_buf b;
	int v6 = strchr(u->host, ':') != NULL;

	cpj_buf_init(&b, out, CPJ_HOST_MAX + 10);
	if (v6)
		cpj_buf_putc(&b, '[');
	cpj_buf_puts(&b, u->host);
	if (v6)
		cpj_buf_putc(&b, ']');
	if (with_port) {
		cpj_buf_putc(&b, ':');
		cpj_buf_put_u64(&b, u->port);
	}
	return cpj_buf_ok(&b);
}

/* see cpj_http.h */
int
cpj_http_client_set_url(cpj_http_client *c, const char *url)
{
	int rc;

	if (c == NULL || url == NULL)
		return CPJ_ERR_PARAM;
	cpj_http_client_close(c);
	c->use_proxy = 0;
	rc = cpj_http_url_parse(&c->url, url, -1);
	if (rc == 0 && c->url.tls && c->tls == NULL)
		rc = CPJ_ERR_UNSUPPORTED;
	if (rc == 0)
		rc = authority(c->authority, &c->url,
		    c->url.port != (c->url.tls ? 443 : 80));
	if (rc == 0)
		rc = authority(c->tunnel, &c->url, 1);
	if (rc != 0)
		c->url.host[0] = '\0';
	return rc;
}

/* see cpj_http.h */
int
cpj_http_client_set_proxy(cpj_http_client *c, const char *https_proxy,
	const char *no_proxy)
{
	int rc;

	if (c == NULL)
		return CPJ_ERR_PARAM;
	if (c->url.host[0] == '\0')
		return CPJ_ERR_STATE;
	cpj_http_client_close(c);
	c->use_proxy = 0;
	if (https_proxy == NULL || https_proxy[0] == '\0')
		return 0;
	rc = cpj_http_url_parse(&c->proxy, https_proxy, 0);
	if (rc < 0)
		return rc;
	if (c->proxy.tls)
		return CPJ_ERR_UNSUPPORTED;
	if (!cpj_http_no_proxy_match(no_proxy, c->url.host, c->url.port))
		c->use_proxy = 1;
	return 0;
}

/*
 * Open a CONNECT tunnel on the fresh proxy connection. The caller's
 * response struct carries the proxy's reply (its callbacks are set aside
 * meanwhile), so that the proxy's status is left there on failure.
 */
static int
tunnel(cpj_http_client *c, cpj_http_response *resp, unsigned char *work,
	size_t work_len)
{
	cpj_http_request r;
	cpj_http_body_sink on_body = resp->on_body;
	cpj_http_header_cb on_header = resp->on_header;
	uint64_t max_body = resp->max_body;
	int rc, src_used;

	memset(&r, 0, sizeof r);
	r.method = "CONNECT";
	r.target = c->tunnel;
	r.host = c->tunnel;
	resp->on_body = NULL;
	resp->on_header = NULL;
	resp->max_body = 16384;
	rc = roundtrip(&c->tr, &r, &c->parser, resp, work, work_len, &src_used,
	    -1, 0);
	resp->on_body = on_body;
	resp->on_header = on_header;
	resp->max_body = max_body;
	if (rc == CPJ_ERR_TIMEOUT || rc == CPJ_ERR_NOSPACE
	    || rc == CPJ_ERR_PARAM)
		return rc;
	if (rc < 0) {
		CPJ_LOG_W("http: proxy %s:%u broke the tunnel (%d)",
		    c->proxy.host, (unsigned)c->proxy.port, rc);
		return CPJ_ERR_NET_PROXY;
	}
	if (resp->status / 100 != 2) {
		CPJ_LOG_W("http: proxy %s:%u refused CONNECT with status %d",
		    c->proxy.host, (unsigned)c->proxy.port, resp->status);
		return CPJ_ERR_NET_PROXY;
	}
	if (!resp->keep_alive) {
		CPJ_LOG_W("http: proxy %s:%u sent bytes after its reply",
		    c->proxy.host, (unsigned)c->proxy.port);
		return CPJ_ERR_NET_PROXY;
	}
	return 0;
}

static int
open_conn(cpj_http_client *c, cpj_http_response *resp, unsigned char *work,
	size_t work_len)
{
	const cpj_http_url *to = c->use_proxy ? &c->proxy : &c->url;
	int rc;

	rc = cpj_net_connect(&c->net, to->host, to->port, c->connect_ms);
	if (rc < 0)
		return rc;
	c->connects++;
	c->conn_open = 1;
	cpj_net_transport(&c->net, &c->lower);
	c->tr = c->lower;
	if (c->use_proxy) {
		rc = tunnel(c, resp, work, work_len);
		if (rc < 0)
			goto fail;
	}
	if (c->url.tls) {
		rc = cpj_tls_open(c->tls, &c->lower, c->url.host);
		if (rc < 0)
			goto fail;
		c->tls_up = 1;
		cpj_tls_transport(c->tls, &c->tr);
	}
	return 0;
fail:
	cpj_http_client_close(c);
	return rc;
}

/* see cpj_http.h */
int
cpj_http_client_exchange(cpj_http_client *c, const cpj_http_request *req,
	cpj_http_response *resp, unsigned char *work, size_t work_len)
{
	cpj_http_request r;
	size_t n;
	int rc, attempt, reused, src_used, written;

	if (c == NULL || req == NULL || resp == NULL || work == NULL
	    || work_len == 0)
		return CPJ_ERR_PARAM;
	if (c->url.host[0] == '\0')
		return CPJ_ERR_STATE;
	if (c->url.tls && c->tls == NULL)
		return CPJ_ERR_UNSUPPORTED;
	r = *req;
	if (r.host == NULL)
		r.host = c->authority;
	/* A request that cannot be written costs no connection. */
	cpj_http_parser_init(&c->parser, resp, r.method);
	written = cpj_http_request_write(&r, work, work_len, &n);
	if (written < 0)
		return written;

	cpj_net_set_idle(&c->net, c->idle_ms);
	cpj_net_set_deadline(&c->net, req->request_ms != 0 ? req->request_ms
	    : c->request_ms);
	for (attempt = 0;; attempt++) {
		reused = 0;
		if (c->conn_open) {
			/* a connection that answered within the last seconds
			 * is not asked (a system call each request): if it was
			 * closed meanwhile, the exchange fails and is sent
			 * again below, which a body source that cannot start
			 * over cannot be */
			if (cpj_net_reusable(&c->net, r.body_read == NULL
			    || r.body_rewind != NULL))
				reused = 1;
			else
				cpj_http_client_close(c);
		}
		if (!c->conn_open) {
			/* a proxy's CONNECT overwrites work */
			if (c->use_proxy)
				written = -1;
			rc = open_conn(c, resp, work, work_len);
			if (rc < 0)
				break;
		}
		c->requests++;
		if (reused)
			c->reuses++;
		/* the request as written above, the first time; work then
		 * holds the response */
		rc = roundtrip(&c->tr, &r, &c->parser, resp, work, work_len,
		    &src_used, written, n);
		written = -1;
		/*
		 * Over TLS a body delimited by the end of the stream is whole
		 * only if the server said so with close_notify; a bare TCP
		 * close may be an attacker cutting the response.
		 */
		if (rc == 0 && resp->until_eof && c->tls_up
		    && !cpj_tls_clean_close(c->tls))
			rc = CPJ_ERR_HTTP_TRUNCATED;
		if (rc == 0) {
			if (!resp->keep_alive)
				cpj_http_client_close(c);
			break;
		}
		cpj_http_client_close(c);
		/*
		 * A kept-alive connection can die between the idle check and
		 * our request (the server's idle timer), or, over TLS, hold
		 * unread bytes that make the engine refuse to send
		 * (CPJ_ERR_STATE). Nothing of a response was seen, so the
		 * request goes once more on a fresh connection, unless its
		 * body source was already read and cannot start over.
		 */
		if (!reused || attempt > 0
		    || (src_used && r.body_rewind == NULL)
		    || c->parser.in_bytes != 0
		    || (rc != CPJ_ERR_NET_CLOSED && rc != CPJ_ERR_NET_RESET
		    && rc != CPJ_ERR_STATE))
			break;
		if (src_used && r.body_rewind(r.body_ctx) < 0)
			break;
		c->retries++;
		CPJ_LOG_I("http: kept-alive connection to %s was closed, "
		    "sending again", c->url.host);
	}
	cpj_net_set_deadline(&c->net, 0);
	return rc;
}
