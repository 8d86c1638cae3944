/*
 * aws_int.h -- internal declarations of src/aws: the request core every
 * signed AWS call goes through, and the AWS-generic helpers (partitions,
 * retry rules, HTTP dates, clock skew). Included by inner.h; not API.
 */
#ifndef CPJ_AWS_INT_H
#define CPJ_AWS_INT_H

/* ---- partitions (aws_partition.c) ------------------------------------- */

/* DNS suffix of the partition a region belongs to ("amazonaws.com",
 * "amazonaws.com.cn", "c2s.ic.gov", "sc2s.sgov.gov"): a static string. */
const char *cpj_aws_dns_suffix(const char *region);

/* ---- HTTP dates (aws_date.c) ------------------------------------------ */

/* HTTP Date (IMF-fixdate, GMT) to Unix seconds: 0 or CPJ_ERR_PARAM. */
int cpj_http_date_parse(const char *s, int64_t *out);

/* ---- retries and clock skew (aws_retry.c) ------------------------------ */

/* 1 when a transport error before any response may be cured by a retry
 * (network errors from resolve to proxy, not a bad URL; timeouts, TLS record errors,
 * truncated answers). */
int cpj_retry_transport_retryable(int err);
/* Sleep before attempt `attempt` + 1: uniform in [0, min(2^(attempt-1) s,
 * cap_ms)) (standard retry mode, full jitter). */
void cpj_retry_backoff(unsigned attempt, uint32_t cap_ms);
/* Adopt the offset between the response's Date and the device clock when
 * that Date arrived (resp->date_at, else `device_now`) into *skew when it
 * differs from *skew by more than `threshold` seconds; returns 1 when
 * *skew changed. */
int cpj_skew_learn(const cpj_http_response *resp, int64_t device_now,
	int64_t threshold, int64_t *skew);

#endif
