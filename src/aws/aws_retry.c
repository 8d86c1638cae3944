/*
 * aws_retry.c -- what the AWS clients (CodePipeline, S3) share: which
 * transport failures a retry may cure, the standard mode's backoff, and
 * the clock offset learnt from a response's Date header.
 */
#include "inner.h"

/* see aws/aws_int.h */
int
cpj_retry_transport_retryable(int err)
{
	return (err <= CPJ_ERR_NET_RESOLVE && err >= CPJ_ERR_NET_PROXY)
	    || err == CPJ_ERR_TIMEOUT || err == CPJ_ERR_TLS_IO
	    || err == CPJ_ERR_HTTP_TRUNCATED;
}

/* see aws/aws_int.h */
void
cpj_retry_backoff(unsigned attempt, uint32_t cap_ms)
{
	uint32_t r = 0, cap = 1000;
	unsigned i;

	for (i = 1; i < attempt && cap < cap_ms; i++)
		cap *= 2;
	if (cap > cap_ms)
		cap = cap_ms;
	if (cpj_port_entropy(&r, sizeof r) < 0)
		r = 0x80000000u;
	/* full jitter: uniform in [0, cap) */
	cpj_port_sleep_ms((uint32_t)(((uint64_t)r * cap) >> 32));
}

/* see aws/aws_int.h */
int
cpj_skew_learn(const cpj_http_response *resp, int64_t device_now,
	int64_t threshold, int64_t *skew)
{
	int64_t server, delta;

	if (!(resp->present & CPJ_HTTP_F_DATE)
	    || cpj_http_date_parse(resp->date, &server) < 0)
		return 0;
	if (resp->date_at != 0)
		device_now = resp->date_at;     /* when the Date arrived */
	delta = server - device_now;
	if (delta - *skew > threshold || *skew - delta > threshold) {
		CPJ_LOG_W("clock skew: device %lld s off the service clock",
		    (long long)-delta);
		*skew = delta;
		return 1;
	}
	return 0;
}
