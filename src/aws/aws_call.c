/*
 * aws_call.c -- the request core of every signed AWS call: sign,
 * assemble the signed headers, exchange, classify the answer, learn the
 * clock skew and re-sign once, retry with the standard mode's backoff.
 * The services (CodePipeline, S3) say through hooks what a request is,
 * when it can be sent again and what an answer means.
 *
 * The credential fetches (src/creds/creds_fetch.c) do not come here:
 * they are not signed (a client certificate, a container token, an IMDS
 * session token), their answers carry no AWS error body and no Date to
 * learn from, and a failed fetch is not retried by the library (the
 * caller's provider chain decides). They share the exchange itself,
 * cpj_http_client_exchange().
 */
#include "inner.h"

/* A Date header this far from our corrected clock re-learns the skew. */
#define SKEW_LEARN_S 240

/* What only S3 asks for (a virtual host, the X-Amz-Content-SHA256
 * header, the answer's headers, the done and redirect hooks): a profile
 * without S3 leaves it out. A streamed body is CodePipeline's too (a
 * result larger than the work buffer, cp_client.c). */
#if CPJ_CONFIG_S3
#define S3_ONLY(x, none) (x)
#else
#define S3_ONLY(x, none) (none)
#endif

/* Sign and send one attempt; the answer lands in c->resp. */
static int
send_one(const cpj_aws_call *c, const cpj_aws_req *r)
{
	cpj_sigv4_header sh[1 + CPJ_AWS_HEADERS_MAX];
	cpj_http_header hh[CPJ_AWS_HEADERS_MAX + 4];
	cpj_sigv4_request sr;
	cpj_sigv4_result res;
	cpj_http_request req;
	const char *host = S3_ONLY(r->host, NULL) != NULL ? r->host
	    : c->http->authority;
	size_t nh = 0, i;
	int rc;

	if (r->nheaders > CPJ_AWS_HEADERS_MAX)
		return CPJ_ERR_PARAM;
	/* SigV4 sorts the signed headers: Host goes first here */
	sh[0].name = "Host";
	sh[0].value = host;
	for (i = 0; i < r->nheaders; i++)
		sh[1 + i] = r->headers[i];
	memset(&sr, 0, sizeof sr);
	sr.method = r->method;
	sr.path = r->target;
	sr.headers = sh;
	sr.header_count = 1 + r->nheaders;
	sr.payload = r->payload;
	sr.body = r->body;
	sr.body_len = r->body_len;
	sr.payload_hash = r->payload_hash;
	sr.now = cpj_port_time_unix() + *c->skew;
	memset(&res, 0, sizeof res);
	rc = cpj_sigv4_sign(c->sig, &sr, &res, c->auth, c->auth_cap);
	if (rc < 0)
		return rc;

	for (i = 0; i < r->nheaders; i++) {
		hh[nh].name = r->headers[i].name;
		hh[nh++].value = r->headers[i].value;
	}
	hh[nh].name = "X-Amz-Date";
	hh[nh++].value = res.amz_date;
	if (res.security_token != NULL) {
		hh[nh].name = "X-Amz-Security-Token";
		hh[nh++].value = res.security_token;
	}
	if (S3_ONLY(r->content_sha256, 0)) {
		hh[nh].name = "X-Amz-Content-SHA256";
		hh[nh++].value = res.payload_hash;
	}
	hh[nh].name = "Authorization";
	hh[nh++].value = c->auth;

	memset(&req, 0, sizeof req);
	req.method = r->method;
	req.target = r->target;
	req.host = host;
	req.headers = hh;
	req.nheaders = nh;
	if (r->body_read != NULL) {
		req.body_read = r->body_read;
		req.body_ctx = r->body_ctx;
		req.body_rewind = r->body_rewind;
	} else {
		req.body = r->body;
		req.body_len = r->body_len;
	}
	req.content_length = r->content_length;
	req.request_ms = c->request_ms;
	cpj_http_response_init(c->resp);
	c->resp->on_body = r->on_body;
	c->resp->body_ctx = r->resp_ctx;
#if CPJ_CONFIG_S3
	c->resp->on_header = r->on_header;
	c->resp->header_ctx = r->resp_ctx;
#endif
	rc = cpj_http_client_exchange(c->http, &req, c->resp, r->work,
	    r->work_len);
	cpj_wipe(c->auth, c->auth_cap);
	return rc;
}

/* The skew from the answer's Date, against the device clock when that
 * Date arrived (resp.date_at; now if unknown): a reading from before the
 * request would count a long upload as skew, one after the answer a long
 * download. */
static int
learn_skew(const cpj_aws_call *c, int64_t threshold)
{
	return cpj_skew_learn(c->resp, cpj_port_time_unix(), threshold,
	    c->skew);
}

/* see aws/aws_int.h */
int
cpj_aws_call_run(const cpj_aws_call *c)
{
	const cpj_aws_hooks *h = c->hooks;
	unsigned attempt = 0;
	int resigned = 0;
	int rc, skewed;

	for (;;) {
		cpj_aws_req r;

		attempt++;
		memset(&r, 0, sizeof r);
		rc = h->prepare(c->ctx, &r);
		if (rc < 0)
			return rc;
		(*c->attempts)++;
		rc = send_one(c, &r);
		if (h->answered != NULL)
			rc = h->answered(c->ctx, rc);
		if (rc < 0) {
			if (cpj_retry_transport_retryable(rc)
			    && attempt < c->max_attempts
			    && h->replayable(c->ctx, 0)) {
				CPJ_LOG_W("%s: %s, retrying", c->label,
				    cpj_strerror(rc));
				(*c->retries)++;
				cpj_retry_backoff(attempt, c->backoff_cap_ms);
				continue;
			}
			return rc;
		}
		if (c->resp->status >= 200 && c->resp->status < 300) {
			learn_skew(c, SKEW_LEARN_S);
			return S3_ONLY(h->done, NULL) != NULL ? h->done(c->ctx)
			    : CPJ_OK;
		}
		skewed = 0;
		rc = h->failed(c->ctx, &skewed);
		if (!h->replayable(c->ctx, 1))
			return rc;
		if (!resigned && skewed && learn_skew(c, 0)) {
			resigned = 1;
			(*c->resigns)++;
			attempt--;      /* the re-sign is not a retry */
			continue;
		}
		if (S3_ONLY(h->redirect, NULL) != NULL && h->redirect(c->ctx)) {
			if (c->redirects != NULL)
				(*c->redirects)++;
			attempt--;
			continue;
		}
		if (cpj_aws_error_retryable(rc, c->resp->status)
		    && attempt < c->max_attempts) {
			(*c->retries)++;
			cpj_retry_backoff(attempt, c->backoff_cap_ms);
			continue;
		}
		return rc;
	}
}
