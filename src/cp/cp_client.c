/*
 * cp_client.c -- the CodePipeline client: signing, the round trip,
 * AWS error bodies, standard retry mode and clock-skew correction.
 */
#include "inner.h"

#define TARGET_PREFIX "CodePipeline_20150709."
#define CONTENT_TYPE "application/x-amz-json-1.1"
/* Work space the HTTP layer needs beyond the body (request head). */
#define HEAD_ROOM 1024
/* A Date header this far from our corrected clock re-learns the skew. */
#define SKEW_LEARN_S 240

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
 * body is kept (up to CPJ_CP_ERRBODY_MAX) for its small parse. */
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

static void
set_message(cpj_cp_context *cp, const char *s, size_t n)
{
	cp->message_cut = 0;
	if (n > CPJ_CP_MESSAGE_MAX) {
		n = CPJ_CP_MESSAGE_MAX;
		/* do not split a UTF-8 sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		cp->message_cut = 1;
	}
	memcpy(cp->message, s, n);
	cp->message[n] = '\0';
}

/* Read the AWS error of a non-2xx response into cp->code / cp->message
 * and return its CPJ_ERR_API_* code. */
static int
parse_error(cpj_cp_context *cp)
{
	cpj_json_tok tok[32];
	const char *type = "";
	size_t type_len = 0;
	int n, i;

	cp->code[0] = '\0';
	cp->message[0] = '\0';
	n = cp->small_over ? -1 : cpj_json_parse(cp->small, cp->small_len,
	    tok, CPJ_ARRAY_LEN(tok));
	if (n > 0 && tok[0].type == CPJ_JSON_OBJECT) {
		size_t len;

		i = cpj_json_member(cp->small, tok, n, 0, "__type");
		if (i > 0 && tok[i].type == CPJ_JSON_STRING) {
			type = cp->small + tok[i].start;
			type_len = (size_t)(tok[i].end - tok[i].start);
		}
		i = cpj_json_member(cp->small, tok, n, 0, "message");
		if (i < 0)
			i = cpj_json_member(cp->small, tok, n, 0, "Message");
		if (i > 0 && tok[i].type == CPJ_JSON_STRING) {
			/* unescape in place: never longer than the escaped text */
			char *m = cp->small + tok[i].start;

			if (cpj_json_unescape(m, (size_t)(tok[i].end
			    - tok[i].start), m, (size_t)(tok[i].end
			    - tok[i].start) + 1, &len) == 0)
				set_message(cp, m, len);
		}
	}
	if (type_len == 0 && (cp->resp.present & CPJ_HTTP_F_ERROR_TYPE)) {
		type = cp->resp.error_type;
		type_len = strlen(type);
	}
	{
		/* keep the bare code: after the last '#', before any ':' */
		const char *t = type, *h;
		size_t tl = type_len, k;

		while ((h = memchr(t, '#', tl)) != NULL) {
			tl -= (size_t)(h + 1 - t);
			t = h + 1;
		}
		for (k = 0; k < tl && t[k] != ':'; k++)
			;
		if (k > CPJ_CP_CODE_MAX)
			k = CPJ_CP_CODE_MAX;
		memcpy(cp->code, t, k);
		cp->code[k] = '\0';
	}
	return cpj_aws_error_code(type, type_len, cp->resp.status);
}

static int
is_skew_error(const cpj_cp_context *cp, int err)
{
	if (err == CPJ_ERR_API_CLOCK_SKEW)
		return 1;
	if (strcmp(cp->code, "RequestTimeTooSkewed") == 0)
		return 1;
	return err == CPJ_ERR_API_SIGNATURE
	    && (strstr(cp->message, "Signature expired") != NULL
	    || strstr(cp->message, "Signature not yet current") != NULL);
}

/* The skew from the answer's Date, against the device clock when that
 * Date arrived (resp.date_at; now if unknown): a reading from before the
 * request would count a long upload as skew, one after the answer a long
 * download. */
static int
learn_skew(cpj_cp_context *cp, int64_t threshold)
{
	return cpj_skew_learn(&cp->resp, cpj_port_time_unix(), threshold,
	    &cp->skew);
}

/*
 * Send the body in cp->work[0..body_len) as operation `op` and read the
 * answer. 2xx: returns 0 (small bodies are in cp->small, job bodies went
 * to cp->jb). Otherwise an error, with the details in cp.
 */
static int
call(cpj_cp_context *cp, const char *op, size_t body_len,
	const cpj_cp_jobs_buf *jb, int mode)
{
	char target[64];
	cpj_buf tb;
	unsigned attempt = 0;
	int resigned = 0;
	int rc;

	cpj_buf_init(&tb, target, sizeof target);
	cpj_buf_puts(&tb, TARGET_PREFIX);
	cpj_buf_puts(&tb, op);
	if (cpj_buf_ok(&tb) < 0 || cp->work_len - body_len < HEAD_ROOM)
		return CPJ_ERR_NOSPACE;
	cp->jb = jb;
	for (;;) {
		cpj_sigv4_header sh[3];
		cpj_http_header hh[5];
		cpj_sigv4_request sr;
		cpj_sigv4_result res;
		cpj_http_request req;
		int64_t device_now = cpj_port_time_unix();
		size_t nh = 0;

		attempt++;
		cp->attempts++;
		cp->http_status = 0;
		cp->code[0] = '\0';
		cp->message[0] = '\0';
		cp->request_id[0] = '\0';
		if (jb != NULL) {
			rc = cpj_jobs_parser_init(jb->parser, mode,
			    jb->window, jb->window_len,
			    jb->tokens, jb->ntokens, jb->jobs, jb->max_jobs,
			    jb->storage, jb->storage_len);
			if (rc < 0)
				return rc;
		}

		sh[0].name = "Content-Type";
		sh[0].value = CONTENT_TYPE;
		sh[1].name = "Host";
		sh[1].value = cp->http->authority;
		sh[2].name = "X-Amz-Target";
		sh[2].value = target;
		memset(&sr, 0, sizeof sr);
		sr.method = "POST";
		sr.path = "/";
		sr.query = NULL;
		sr.headers = sh;
		sr.header_count = 3;
		sr.payload = CPJ_SIGV4_PAYLOAD_BODY;
		sr.body = cp->work;
		sr.body_len = body_len;
		sr.now = device_now + cp->skew;
		memset(&res, 0, sizeof res);
		rc = cpj_sigv4_sign(&cp->sig, &sr, &res, cp->auth,
		    sizeof cp->auth);
		if (rc < 0)
			return rc;

		hh[nh].name = "Content-Type";
		hh[nh++].value = CONTENT_TYPE;
		hh[nh].name = "X-Amz-Target";
		hh[nh++].value = target;
		hh[nh].name = "X-Amz-Date";
		hh[nh++].value = res.amz_date;
		if (res.security_token != NULL) {
			hh[nh].name = "X-Amz-Security-Token";
			hh[nh++].value = res.security_token;
		}
		hh[nh].name = "Authorization";
		hh[nh++].value = cp->auth;
		memset(&req, 0, sizeof req);
		req.method = "POST";
		req.target = "/";
		req.headers = hh;
		req.nheaders = nh;
		req.body = cp->work;
		req.body_len = body_len;

		cpj_http_response_init(&cp->resp);
		cp->resp.on_body = sink;
		cp->resp.body_ctx = cp;
		cp->small_len = 0;
		cp->small_over = 0;
		rc = cpj_http_client_exchange(cp->http, &req, &cp->resp,
		    cp->work + body_len, cp->work_len - body_len);
		cpj_wipe(cp->auth, sizeof cp->auth);
		if (rc < 0) {
			/* Sent again when nothing of the answer came, or for
			 * GetJobDetails (it changes nothing) however much came;
			 * a PollForJobs whose 200 was cut may have dispatched
			 * jobs, a Put or an Acknowledge may have been done:
			 * those are not repeated. */
			if (cpj_retry_transport_retryable(rc)
			    && (cp->resp.status == 0 || mode == CPJ_JOBS_DETAILS)
			    && attempt < cp->max_attempts) {
				CPJ_LOG_W("%s: %s, retrying", op,
				    cpj_strerror(rc));
				cp->retries++;
				cpj_retry_backoff(attempt, cp->backoff_cap_ms);
				continue;
			}
			return rc;
		}
		cp->http_status = cp->resp.status;
		memcpy(cp->request_id, cp->resp.request_id,
		    sizeof cp->request_id);
		if (cp->resp.status >= 200 && cp->resp.status < 300) {
			learn_skew(cp, SKEW_LEARN_S);
			return CPJ_OK;
		}
		rc = parse_error(cp);
		CPJ_LOG_I("%s: HTTP %d %s (request id %s)", op,
		    cp->resp.status, cp->code, cp->request_id);
		if (!resigned && is_skew_error(cp, rc)
		    && learn_skew(cp, 0)) {
			resigned = 1;
			cp->resigns++;
			attempt--;      /* the re-sign is not a retry */
			continue;
		}
		if (cpj_aws_error_retryable(rc, cp->resp.status)
		    && attempt < cp->max_attempts) {
			cp->retries++;
			cpj_retry_backoff(attempt, cp->backoff_cap_ms);
			continue;
		}
		return rc;
	}
}

/* see cpj_codepipeline.h (used by cp_ops.c) */
int
cpj_cp_call(cpj_cp_context *cp, const char *op, size_t body_len,
	const cpj_cp_jobs_buf *jb, int mode)
{
	int rc = call(cp, op, body_len, jb, mode);

	cp->jb = NULL;
	cp->err = rc;
	return rc;
}
