/*
 * cp_client.c -- the CodePipeline client: its requests (JSON 1.1 POSTs
 * through the AWS request core, src/aws/aws_call.c) and its error bodies.
 */
#include "inner.h"
#include "util/sha256_int.h"

#define TARGET_PREFIX "CodePipeline_20150709."
#define CONTENT_TYPE "application/x-amz-json-1.1"
/* Work space the HTTP layer needs beyond the body (request head). */
#define HEAD_ROOM 1024

/* see cpj_codepipeline.h */
int
cpj_cp_init(cpj_cp_context *cp, cpj_http_client *http, const char *region,
	unsigned char *work, size_t work_len)
{
	size_t n;

	if (cp == NULL || http == NULL || region == NULL || work == NULL
	    || work_len < 2 * HEAD_ROOM)
		return CPJ_ERR_PARAM;
	memset(cp, 0, sizeof *cp);
	n = cpj_strnlen(region, sizeof cp->region - 1);
	if (n == 0 || n >= sizeof cp->region)
		return CPJ_ERR_PARAM;
	memcpy(cp->region, region, n);
	cp->http = http;
	cp->work = work;
	cp->work_len = work_len;
	cp->max_attempts = CPJ_CP_MAX_ATTEMPTS;
	cp->backoff_cap_ms = CPJ_CP_BACKOFF_CAP_MS;
	return cpj_sigv4_init(&cp->sig, cp->region, "codepipeline", 0);
}

/* see cpj_codepipeline.h */
int
cpj_cp_set_credentials(cpj_cp_context *cp, const cpj_creds *creds)
{
	if (creds == NULL || !cpj_creds_present(creds))
		return CPJ_ERR_SIGV4_CREDS;
	return cpj_sigv4_set_credentials(&cp->sig, creds->akid, creds->secret,
	    creds->token[0] != '\0' ? creds->token : NULL);
}

/* see cpj_codepipeline.h */
void
cpj_cp_clear(cpj_cp_context *cp)
{
	cpj_sigv4_clear(&cp->sig);
	cpj_wipe(cp->auth, sizeof cp->auth);
}

/* see cpj_codepipeline.h */
void
cpj_cp_success_init(cpj_cp_success *s)
{
	memset(s, 0, sizeof *s);
	s->created = -1;
	s->percent_complete = -1;
}

/* Body sink: a 2xx body of a job call goes to the job parser; every other
 * body is kept (up to CPJ_CP_ERRBODY_MAX, the rest dropped) for its small
 * parse. */
static int
sink(void *ctx, const unsigned char *data, size_t len)
{
	cpj_cp_context *cp = ctx;
	size_t room;

	if (cp->resp.status >= 200 && cp->resp.status < 300
	    && cp->jb != NULL) {
		int rc = cpj_jobs_parser_feed(cp->jb->parser, data, len);

		return rc < 0 ? rc : 0;
	}
	room = sizeof cp->small - cp->small_len;
	if (len > room) {
		cp->small_over = 1;
		len = room;
	}
	memcpy(cp->small + cp->small_len, data, len);
	cp->small_len += len;
	return 0;
}

/* Read the AWS error of a non-2xx response into cp->code / cp->message
 * and return its CPJ_ERR_API_* code. */
static int
parse_error(cpj_cp_context *cp)
{
	return cpj_aws_json_error(cp->small, cp->small_len, cp->small_over,
	    &cp->resp, cp->code, sizeof cp->code, cp->message,
	    sizeof cp->message, &cp->message_cut);
}

/* One call's state for the request core's hooks. */
struct cp_call {
	cpj_cp_context *cp;
	const char *op;
	const cpj_cp_jobs_buf *jb;
	int mode;
	int tried;              /* an attempt was made: its jobs are wiped */
	size_t body_len;        /* the body in cp->work; 0: streamed */
	const cpj_cp_body *body;
	uint64_t total;         /* a streamed body: its length, */
	uint64_t sent;          /* the bytes handed to this attempt, */
	char hash[65];          /* its SHA-256 (hex) */
	cpj_sigv4_header h[2];
};

/*
 * A body larger than the work buffer is streamed: SigV4 signs its SHA-256
 * and the head carries its length, so it is first written in pieces of
 * the work buffer's size to be hashed, then again for each piece the HTTP
 * layer sends. Each piece is the body written again through a small
 * stage, keeping only that piece's bytes (cpj_buf_init_drain()); the body
 * is a function of the caller's arguments, so every pass writes the same
 * bytes. A piece costs writing the body up to its end: the 32 pieces of a
 * 120 KiB PutJobSuccessResult through 7 KiB write about 2 MB of JSON,
 * against the seconds its handler ran; the requests of a job cycle fit
 * and never come here.
 */
static int
write_through(const cpj_cp_body *body, cpj_buf_sink *sink)
{
	char stage[128];
	cpj_json_writer w;
	cpj_buf b;

	cpj_buf_init_drain(&b, stage, sizeof stage, sink);
	cpj_json_writer_init(&w, &b);
	cpj_cp_write_body(&w, body);
	(void)cpj_buf_drain_end(&b);
	return cpj_json_writer_finish(&w);
}

/*
 * The piece [from, from + want) of the body into out, *got its length.
 * A pass that ends with the piece not full either reached the body's end
 * (0) or failed: an append that sets "over" without draining
 * (cpj_buf_put_hex()) would otherwise end the body there, silently, in
 * its hash and length and on the wire alike.
 */
static int
piece(const cpj_cp_body *body, uint64_t from, unsigned char *out,
	size_t want, size_t *got)
{
	cpj_buf_sink s;
	int rc;

	memset(&s, 0, sizeof s);
	s.from = from;
	s.out = out;
	s.want = want;
	rc = write_through(body, &s);
	*got = s.got;
	return rc < 0 && s.got < want ? rc : 0;
}

/* cpj_http_body_source of a streamed body */
static int
stream_read(void *ctx, unsigned char *buf, size_t want)
{
	struct cp_call *k = ctx;
	size_t n;
	int rc;

	if ((rc = piece(k->body, k->sent, buf, want, &n)) < 0)
		return rc;
	k->sent += n;
	return (int)n;
}

/* Start a streamed body over: the HTTP layer sends it again on a new
 * connection (prepare() does the same before each attempt). */
static int
stream_rewind(void *ctx)
{
	((struct cp_call *)ctx)->sent = 0;
	return 0;
}

/* Write the body into cp->work, leaving room for the HTTP head (with the
 * session token); when it does not fit, measure and hash it to be
 * streamed. Not inlined: its frame is gone before the exchange. */
static CPJ_NOINLINE int
write_body(struct cp_call *k)
{
	cpj_cp_context *cp = k->cp;
	unsigned char digest[32];
	br_sha256_context sc;
	cpj_json_writer w;
	cpj_buf b;
	size_t head = HEAD_ROOM + (cp->sig.token != NULL
	    ? strlen(cp->sig.token) : 0), n;
	int rc;

	cpj_buf_init(&b, (char *)cp->work, cp->work_len > head
	    ? cp->work_len - head : 0);
	cpj_json_writer_init(&w, &b);
	cpj_cp_write_body(&w, k->body);
	rc = cpj_json_writer_finish(&w);
	if (rc != CPJ_ERR_NOSPACE) {
		k->body_len = b.len;
		return rc;
	}
	k->body_len = 0;
	k->total = 0;
	br_sha256_init(&sc);
	do {
		if ((rc = piece(k->body, k->total, cp->work, cp->work_len,
		    &n)) < 0)
			return rc;
		cpj_sha256_update(&sc, cp->work, n);
		k->total += n;
	} while (n == cp->work_len);
	cpj_sha256_out(&sc, digest);
	cpj_buf_init(&b, k->hash, sizeof k->hash);
	cpj_buf_put_hex(&b, digest, sizeof digest);
	return CPJ_OK;
}

/* Before each attempt: reset the results and the job parser. */
static int
prepare(void *ctx, cpj_aws_req *r)
{
	struct cp_call *k = ctx;
	cpj_cp_context *cp = k->cp;
	const cpj_cp_jobs_buf *jb = k->jb;
	int rc;

	cp->http_status = 0;
	cp->code[0] = '\0';
	cp->message[0] = '\0';
	cp->request_id[0] = '\0';
	if (jb != NULL) {
		if (k->tried)
			cpj_jobs_parser_discard(jb->parser);
		k->tried = 1;
		rc = cpj_jobs_parser_init(jb->parser, k->mode, jb->window,
		    jb->window_len, jb->tokens, jb->ntokens, jb->jobs,
		    jb->max_jobs, jb->storage, jb->storage_len);
		if (rc < 0)
			return rc;
	}
	cp->small_len = 0;
	cp->small_over = 0;
	r->method = "POST";
	r->target = "/";
	r->headers = k->h;
	r->nheaders = 2;
	r->on_body = sink;
	r->resp_ctx = cp;
	if (k->body_len == 0) {
		r->payload = CPJ_SIGV4_PAYLOAD_HASH;
		r->payload_hash = k->hash;
		r->body_read = stream_read;
		r->body_ctx = k;
		r->body_rewind = stream_rewind;
		r->content_length = k->total;
		k->sent = 0;
	} else {
		r->payload = CPJ_SIGV4_PAYLOAD_BODY;
		r->body = cp->work;
		r->body_len = k->body_len;
	}
	r->work = cp->work + k->body_len;
	r->work_len = cp->work_len - k->body_len;
	return 0;
}

static int
answered(void *ctx, int rc)
{
	cpj_cp_context *cp = ((struct cp_call *)ctx)->cp;

	if (rc >= 0) {
		cp->http_status = cp->resp.status;
		memcpy(cp->request_id, cp->resp.request_id,
		    sizeof cp->request_id);
	}
	return rc;
}

/* Sent again when nothing of the answer came, or for GetJobDetails (it
 * changes nothing) however much came; a PollForJobs whose 200 was cut may
 * have dispatched jobs, a Put or an Acknowledge may have been done: those
 * are not repeated. An error answer did nothing: sent again. */
static int
replayable(void *ctx, int answer)
{
	struct cp_call *k = ctx;

	return answer || k->cp->resp.status == 0 || k->mode == CPJ_JOBS_DETAILS;
}

static int
failed(void *ctx, int *skewed)
{
	struct cp_call *k = ctx;
	cpj_cp_context *cp = k->cp;
	int rc = parse_error(cp);

	CPJ_LOG_I("%s: HTTP %d %s (request id %s)", k->op, cp->resp.status,
	    cp->code, cp->request_id);
	*skewed = cpj_aws_is_skew_error(rc, cp->code, cp->message);
	return rc;
}

static const cpj_aws_hooks hooks = {
	prepare, answered, replayable, NULL, failed, NULL
};

/*
 * Send the body as operation `op` and read the answer. 2xx: returns 0
 * (small bodies are in cp->small, job bodies went to cp->jb). Otherwise an
 * error, with the details in cp.
 */
static int
call(cpj_cp_context *cp, const char *op, const cpj_cp_body *body,
	const cpj_cp_jobs_buf *jb, int mode)
{
	char target[64];
	struct cp_call k;
	cpj_aws_call c;
	cpj_buf tb;
	int rc;

	cpj_buf_init(&tb, target, sizeof target);
	cpj_buf_puts(&tb, TARGET_PREFIX);
	cpj_buf_puts(&tb, op);
	if (cpj_buf_ok(&tb) < 0)
		return CPJ_ERR_NOSPACE;
	k.cp = cp;
	k.body = body;
	if ((rc = write_body(&k)) < 0)
		return rc;
	cp->jb = jb;
	k.cp = cp;
	k.op = op;
	k.jb = jb;
	k.mode = mode;
	k.tried = 0;
	k.h[0].name = "Content-Type";
	k.h[0].value = CONTENT_TYPE;
	k.h[1].name = "X-Amz-Target";
	k.h[1].value = target;
	memset(&c, 0, sizeof c);
	c.hooks = &hooks;
	c.ctx = &k;
	c.label = op;
	c.http = cp->http;
	c.sig = &cp->sig;
	c.auth = cp->auth;
	c.auth_cap = sizeof cp->auth;
	c.resp = &cp->resp;
	c.skew = &cp->skew;
	c.max_attempts = cp->max_attempts;
	c.backoff_cap_ms = cp->backoff_cap_ms;
	c.attempts = &cp->attempts;
	c.retries = &cp->retries;
	c.resigns = &cp->resigns;
	rc = cpj_aws_call_run(&c);
	/*
	 * A job answer that failed part way (cut, timed out, an error of the
	 * core) ends its parse here: the jobs read so far are flagged
	 * CPJ_JOB_F_RESPONSE_FAILED and the job that was streaming in is wiped
	 * from the window and the token array (its credentials may be there).
	 */
	if (rc < 0 && k.tried)
		(void)cpj_jobs_parser_finish(jb->parser);
	return rc;
}

/* see cpj_codepipeline.h (used by cp_ops.c) */
int
cpj_cp_call(cpj_cp_context *cp, const char *op, const cpj_cp_body *body,
	const cpj_cp_jobs_buf *jb, int mode)
{
	int rc = call(cp, op, body, jb, mode);

	cp->jb = NULL;
	cp->err = rc;
	return rc;
}
