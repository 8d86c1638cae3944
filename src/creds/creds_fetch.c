/*
 * creds_fetch.c -- temporary credentials over HTTP: the AWS IoT Core
 * credentials provider, container credentials and IMDSv2.
 */
#include "inner.h"

#if CPJ_CONFIG_CREDS_PROVIDERS

/* Smallest body part of a work buffer. */
#define BODY_MIN 256
/* Longest container request target accepted. */
#define PATH_MAX_LEN 1024
#define IMDS_CREDS_PATH "/latest/meta-data/iam/security-credentials/"

/* A 2xx body is collected into buf[0..cap); other bodies are dropped. */
struct body {
	const cpj_http_response *resp;
	unsigned char *buf;
	size_t cap, len;
};

static int
sink(void *ctx, const unsigned char *data, size_t len)
{
	struct body *b = ctx;

	if (b->resp->status < 200 || b->resp->status > 299)
		return 0;
	if (len > b->cap - b->len)
		return CPJ_ERR_HTTP_BODY_TOO_LARGE;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	return 0;
}

/*
 * One request. The body part of `work` is work[0..work_len - head), the
 * HTTP layer gets the rest. On success the 2xx body is in b.
 */
static int
request(cpj_http_client *http, const char *method, const char *target,
	const cpj_http_header *h, size_t nh, unsigned char *work,
	size_t work_len, size_t head, struct body *b,
	cpj_creds_fetch_info *info, const char *step)
{
	cpj_http_response resp;
	cpj_http_request req;
	int rc;

	memset(&req, 0, sizeof req);
	req.method = method;
	req.target = target;
	req.headers = h;
	req.nheaders = nh;
	cpj_http_response_init(&resp);
	resp.on_body = sink;
	resp.body_ctx = b;
	b->resp = &resp;
	b->buf = work;
	b->cap = work_len - head;
	b->len = 0;
	info->step = step;
	info->status = 0;
	rc = cpj_http_client_exchange(http, &req, &resp, work + b->cap, head);
	info->status = resp.status;
	b->resp = NULL;
	if (rc < 0) {
		CPJ_LOG_I("creds: %s: %s", step, cpj_strerror(rc));
		return rc;
	}
	if (resp.status >= 200 && resp.status <= 299)
		return CPJ_OK;
	CPJ_LOG_I("creds: %s: HTTP %d", step, resp.status);
	if (resp.status >= 400 && resp.status <= 499)
		return CPJ_ERR_CREDS_REFUSED;
	return CPJ_ERR_CREDS_PROVIDER;
}

/* Close the connection and wipe what held answers or tokens. */
static void
finish(cpj_http_client *http, unsigned char *work, size_t work_len)
{
	/* TLS: close_notify and the record buffer wiped (cpj_tls_close);
	 * plain HTTP: the socket's read-ahead, which held the answer, is
	 * wiped when drained and when the socket closes (cpj_net) */
	cpj_http_client_close(http);
	cpj_wipe(work, work_len);
}

/* 1 if s is 1..max bytes, each in `set` (or any 0x21..0x7e when set is
 * NULL); `extra` adds to alphanumerics. */
static int
name_ok(const char *s, size_t max, const char *extra)
{
	size_t n = cpj_strnlen(s, max);
	size_t i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
		    || (ch >= '0' && ch <= '9'))
			continue;
		if (extra == NULL ? (ch < 0x21 || ch > 0x7e)
		    : strchr(extra, ch) == NULL)
			return 0;
	}
	return 1;
}

/* Head room for the HTTP layer, or 0 when work is too small. */
static size_t
head_room(size_t work_len, size_t values)
{
	size_t head = CPJ_CREDS_HEAD_ROOM + values;

	if (work_len < head || work_len - head < BODY_MIN)
		return 0;
	return head;
}

static void
info_init(cpj_creds_fetch_info *info)
{
	memset(info, 0, sizeof *info);
}

/* see cpj_creds.h */
int
cpj_creds_fetch_iot(cpj_creds *c, cpj_http_client *http,
	const char *role_alias, const char *thing_name, unsigned char *work,
	size_t work_len, cpj_creds_fetch_info *info)
{
	cpj_creds_fetch_info dummy;
	char target[160];
	cpj_http_header h[1];
	struct body b;
	cpj_buf tb;
	size_t head;
	int rc;

	if (info == NULL)
		info = &dummy;
	info_init(info);
	if (c == NULL)
		return CPJ_ERR_PARAM;
	cpj_creds_clear(c);
	if (http == NULL || work == NULL || role_alias == NULL
	    || thing_name == NULL || !name_ok(role_alias, 128, "_=,@-")
	    || !name_ok(thing_name, 128, "_:-"))
		return CPJ_ERR_PARAM;
	head = head_room(work_len, sizeof target + strlen(thing_name));
	if (head == 0)
		return CPJ_ERR_NOSPACE;
	cpj_buf_init(&tb, target, sizeof target);
	cpj_buf_putlit(&tb, "/role-aliases/");
	cpj_buf_puts(&tb, role_alias);
	cpj_buf_putlit(&tb, "/credentials");
	if (cpj_buf_ok(&tb) < 0)
		return CPJ_ERR_PARAM;
	h[0].name = "x-amzn-iot-thingname";
	h[0].value = thing_name;
	rc = request(http, "GET", target, h, 1, work, work_len, head, &b,
	    info, "iot");
	if (rc == 0)
		rc = cpj_creds_from_json(c, (const char *)b.buf, b.len,
		    CPJ_CREDS_DOC_IOT, &info->field);
	finish(http, work, work_len);
	return rc;
}

/* see cpj_creds.h */
int
cpj_creds_fetch_container(cpj_creds *c, cpj_http_client *http,
	const char *path, const char *authorization, unsigned char *work,
	size_t work_len, cpj_creds_fetch_info *info)
{
	cpj_creds_fetch_info dummy;
	cpj_http_header h[1];
	struct body b;
	size_t head, alen = 0, plen, i;
	int rc;

	if (info == NULL)
		info = &dummy;
	info_init(info);
	if (c == NULL)
		return CPJ_ERR_PARAM;
	cpj_creds_clear(c);
	if (http == NULL || work == NULL || path == NULL || path[0] != '/'
	    || !name_ok(path, PATH_MAX_LEN, NULL))
		return CPJ_ERR_PARAM;
	plen = strlen(path);
	if (authorization != NULL && authorization[0] != '\0') {
		alen = cpj_strnlen(authorization, work_len);
		if (alen > work_len)
			return CPJ_ERR_NOSPACE;
		for (i = 0; i < alen; i++) {
			unsigned char ch = (unsigned char)authorization[i];

			if (ch < 0x20 || ch > 0x7e)
				return CPJ_ERR_PARAM;
		}
	}
	head = head_room(work_len, plen + alen);
	if (head == 0)
		return CPJ_ERR_NOSPACE;
	h[0].name = "Authorization";
	h[0].value = authorization;
	rc = request(http, "GET", path, h, alen > 0 ? 1 : 0, work, work_len,
	    head, &b, info, "container");
	if (rc == 0)
		rc = cpj_creds_from_json(c, (const char *)b.buf, b.len,
		    CPJ_CREDS_DOC_METADATA, &info->field);
	finish(http, work, work_len);
	return rc;
}

/* The IMDS steps after the token: role name, then the document. */
static int
imds_creds(cpj_creds *c, cpj_http_client *http, const char *token,
	unsigned char *work, size_t work_len, size_t head,
	cpj_creds_fetch_info *info)
{
	char target[sizeof IMDS_CREDS_PATH + CPJ_CREDS_ROLE_MAX];
	cpj_http_header h[1];
	struct body b;
	size_t n;
	int rc;

	h[0].name = "X-aws-ec2-metadata-token";
	h[0].value = token;
	rc = request(http, "GET", IMDS_CREDS_PATH, h, 1, work, work_len, head,
	    &b, info, "imds-role");
	if (rc == CPJ_ERR_CREDS_REFUSED && info->status == 404)
		return CPJ_ERR_CREDS_NONE;      /* no instance profile */
	if (rc < 0)
		return rc;
	/* the first line names the role */
	for (n = 0; n < b.len && b.buf[n] != '\n' && b.buf[n] != '\r'; n++)
		;
	if (n == 0)
		return CPJ_ERR_CREDS_NONE;
	if (n > CPJ_CREDS_ROLE_MAX)
		return CPJ_ERR_CREDS_FORMAT;
	memcpy(info->role, b.buf, n);
	info->role[n] = '\0';
	if (!name_ok(info->role, CPJ_CREDS_ROLE_MAX, "+=,.@_-")) {
		info->role[0] = '\0';
		return CPJ_ERR_CREDS_FORMAT;
	}
	memcpy(target, IMDS_CREDS_PATH, sizeof IMDS_CREDS_PATH - 1);
	memcpy(target + sizeof IMDS_CREDS_PATH - 1, info->role, n + 1);
	rc = request(http, "GET", target, h, 1, work, work_len, head, &b, info,
	    "imds-credentials");
	if (rc < 0)
		return rc;
	return cpj_creds_from_json(c, (const char *)b.buf, b.len,
	    CPJ_CREDS_DOC_METADATA, &info->field);
}

/* see cpj_creds.h */
int
cpj_creds_fetch_imds(cpj_creds *c, cpj_http_client *http,
	unsigned char *work, size_t work_len, cpj_creds_fetch_info *info)
{
	static const cpj_http_header ttl[1] = {
		{ "X-aws-ec2-metadata-token-ttl-seconds", "21600" }
	};
	cpj_creds_fetch_info dummy;
	char token[CPJ_CREDS_IMDS_TOKEN_MAX + 1];
	struct body b;
	size_t head;
	int rc;

	if (info == NULL)
		info = &dummy;
	info_init(info);
	if (c == NULL)
		return CPJ_ERR_PARAM;
	cpj_creds_clear(c);
	if (http == NULL || work == NULL)
		return CPJ_ERR_PARAM;
	head = head_room(work_len, sizeof token + sizeof IMDS_CREDS_PATH
	    + CPJ_CREDS_ROLE_MAX);
	if (head == 0)
		return CPJ_ERR_NOSPACE;
	token[0] = '\0';
	rc = request(http, "PUT", "/latest/api/token", ttl, 1, work, work_len,
	    head, &b, info, "imds-token");
	if (rc == 0) {
		if (b.len == 0 || b.len > CPJ_CREDS_IMDS_TOKEN_MAX) {
			rc = CPJ_ERR_CREDS_FORMAT;
		} else {
			memcpy(token, b.buf, b.len);
			token[b.len] = '\0';
			if (!name_ok(token, CPJ_CREDS_IMDS_TOKEN_MAX, NULL))
				rc = CPJ_ERR_CREDS_FORMAT;
		}
	}
	if (rc == 0)
		rc = imds_creds(c, http, token, work, work_len, head, info);
	cpj_wipe(token, sizeof token);
	finish(http, work, work_len);
	if (rc < 0)
		cpj_creds_clear(c);
	return rc;
}

#endif /* CPJ_CONFIG_CREDS_PROVIDERS */
