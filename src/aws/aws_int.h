/*
 * aws_int.h -- internal declarations of src/aws: the request core every
 * signed AWS call goes through, and the AWS-generic helpers (partitions,
 * retry rules, HTTP dates, clock skew). Included by inner.h; not API.
 */
#ifndef CPJ_AWS_INT_H
#define CPJ_AWS_INT_H

/* ---- error answers (aws_error.c; cpj_aws.h has the code table) -------- */

/* Read the AWS error of a JSON protocol answer: "__type" (else the
 * x-amzn-ErrorType header of resp) gives the bare code (after the last
 * '#', before any ':') into code[0..code_cap), cut to fit; "message" or
 * "Message", unescaped in place in body, goes into msg[0..msg_cap), cut
 * at a UTF-8 boundary with *msg_cut set (*msg_cut is left alone when the
 * body has no message). len 0: no body to read. `more`: the body went
 * on past len (it did not fit): what came is read, a message cut short
 * sets *msg_cut. Returns its CPJ_ERR_API_* code. */
int cpj_aws_json_error(char *body, size_t len, int more,
	const cpj_http_response *resp, char *code, size_t code_cap,
	char *msg, size_t msg_cap, int *msg_cut);
/* 1 when an error answer says the request's time is off: the clock-skew
 * code, RequestTimeTooSkewed, or a signature error whose message says
 * the signature expired or is not yet current. */
int cpj_aws_is_skew_error(int err, const char *code, const char *msg);

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

/* ---- the request core (aws_call.c) ------------------------------------ */

/* Caller headers a request may sign and send besides Host. */
#define CPJ_AWS_HEADERS_MAX 3

/*
 * One attempt of a signed request, filled by the service's prepare hook.
 * Signed: Host, then `headers`; sent: `headers` in their order,
 * X-Amz-Date, X-Amz-Security-Token (with a session token),
 * X-Amz-Content-SHA256 (when `content_sha256`), Authorization.
 */
typedef struct cpj_aws_req {
	const char *method;             /* "POST", "GET", "PUT" */
	const char *target;             /* path, signed and sent */
	const char *host;               /* Host; NULL: the client's authority */
	const cpj_sigv4_header *headers;
	size_t nheaders;                /* at most CPJ_AWS_HEADERS_MAX */
	int payload;                    /* CPJ_SIGV4_PAYLOAD_* */
	const void *body;               /* memory body, signed (PAYLOAD_BODY) */
	size_t body_len;
	const char *payload_hash;       /* PAYLOAD_HASH */
	cpj_http_body_source body_read; /* streamed body, or NULL */
	void *body_ctx;
	uint64_t content_length;
	int (*body_rewind)(void *ctx);  /* restarts body_read, or NULL */
	int content_sha256;             /* send X-Amz-Content-SHA256 */
	cpj_http_body_sink on_body;     /* response callbacks */
	cpj_http_header_cb on_header;
	void *resp_ctx;
	unsigned char *work;            /* scratch for the HTTP layer */
	size_t work_len;
} cpj_aws_req;

/* What a service decides; every hook gets cpj_aws_call.ctx. */
typedef struct cpj_aws_hooks {
	/* Before each attempt: reset the attempt's results, fill *r. */
	int (*prepare)(void *ctx, cpj_aws_req *r);
	/* After the exchange (rc its result): record the answer; returns the
	 * result to go on with. NULL: rc. */
	int (*answered)(void *ctx, int rc);
	/* May the request be sent again: after a retryable transport error
	 * (answer 0; resp.status tells whether a status line came) or after
	 * an error answer (answer 1)? */
	int (*replayable)(void *ctx, int answer);
	/* A 2xx answer: the call's result. NULL: 0. */
	int (*done)(void *ctx);
	/* A non-2xx answer: its CPJ_ERR_API_* code; *skewed set when it is
	 * a clock-skew error. */
	int (*failed)(void *ctx, int *skewed);
	/* After an error answer that is no clock skew cured by a re-sign:
	 * 1 to send again at once (another region), not counted as a retry.
	 * NULL: never. */
	int (*redirect)(void *ctx);
} cpj_aws_hooks;

/* A call: the signer, the client and the service's state and counters. */
typedef struct cpj_aws_call {
	const cpj_aws_hooks *hooks;
	void *ctx;
	const char *label;              /* log prefix, e.g. "PollForJobs" */
	cpj_http_client *http;
	cpj_sigv4_context *sig;
	char *auth;                     /* Authorization, wiped after use */
	size_t auth_cap;
	cpj_http_response *resp;
	int64_t *skew;                  /* seconds added to the device clock */
	unsigned max_attempts;
	uint32_t backoff_cap_ms;
	uint32_t request_ms;            /* 0: the client's request timeout */
	uint32_t *attempts, *retries, *resigns;
	uint32_t *redirects;            /* NULL without a redirect hook */
} cpj_aws_call;

/*
 * Run a call: per attempt prepare, sign (at the device clock plus
 * *skew), exchange, classify. A transport error the service can replay
 * and a retryable AWS error are retried with the standard mode's backoff
 * up to max_attempts; a clock-skew error whose answer moves *skew is
 * re-signed once at once; every 2xx answer's Date refines *skew (by more
 * than 240 s). Returns the done hook's result, or the error.
 */
int cpj_aws_call_run(const cpj_aws_call *c);

/* ---- AWS error codes (aws_error.c; the S3 client and the tests) ------ */

/**
 * \brief Map an AWS error code to a CPJ_ERR_API_* value.
 *
 * Stack: at most 80 bytes.
 *
 * \param type, len  the code as found in `__type` (a "namespace#" prefix is
 *                   dropped) or in x-amzn-ErrorType ("Code:..." suffix
 *                   dropped); len 0 when there was none.
 * \param http_status the response status, used when the code is unknown
 *                   (429 throttled, 5xx server).
 * \return a CPJ_ERR_API_* code (never 0).
 */
int cpj_aws_error_code(const char *type, size_t len, int http_status);

#endif
