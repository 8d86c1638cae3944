/*
 * run_s3.c -- the job's artifacts: GetObject streamed to a file in the
 * job's directory, PutObject streamed from one, with the job's
 * artifactCredentials, progress in the log, and the stop request
 * honoured (and the systemd watchdog pinged) between pieces.
 *
 * The S3 client has its own HTTP client and TLS context (the
 * CodePipeline client keeps its connection), with the trust anchors and
 * timeouts of the CodePipeline one. Its TLS context and buffers come from
 * the agent's arena (arena.h): only `run` has them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "run.h"
#include "cpj_s3.h"
#include "setup.h"

#define PROGRESS_LOG_MS 5000

#define WORK_LEN 16384          /* one request's head */
#define HASHBUF_LEN 16384       /* a piece of a file being hashed */

static cpj_tls_context *tls;    /* arena */
static cpj_http_client http;
static cpj_s3_context s3;
static unsigned char *work, *hashbuf;   /* arena */
static cpj_creds acreds;        /* the job's artifact credentials */
static int ready;
static int plain_http;          /* the endpoint override is http:// */

struct xfer {
	int fd;
	const char *label;          /* "download NAME" */
	uint64_t started, logged;
	int err;                    /* errno of a failed write/read */
};

/* see run.h */
int
run_s3_setup(void)
{
	const char *url;
	char safe[SETUP_URL_PRINT_MAX];
	struct setup_client o;
	unsigned flags = 0;
	int rc;

	memset(&o, 0, sizeof o);
	o.who = "S3";
	if ((o.anchors = setup_trust(NULL)) == NULL)
		return -1;
	o.connect_ms = run_config()->g.connect_ms;
	o.idle_ms = run_config()->g.read_ms;
	if (tls == NULL) {
		tls = agent_arena_take(sizeof *tls);
		work = agent_arena_take(WORK_LEN);
		hashbuf = agent_arena_take(HASHBUF_LEN);
	}
	if (setup_http_client(&http, tls, NULL, &o) < 0)
		return -1;
	if ((rc = cpj_s3_init(&s3, &http, cli_region(), work, WORK_LEN)) < 0) {
		setup_msg(NULL, "S3 client: %s", cpj_strerror(rc));
		return -1;
	}
	url = setup_endpoint(run_config()->s3_endpoint_url, "AWS_ENDPOINT_URL_S3");
	if (run_config()->addressing == RUN_ADDR_PATH)
		flags = CPJ_S3_PATH_STYLE;
	else if (run_config()->addressing == RUN_ADDR_VIRTUAL && url != NULL)
		flags = CPJ_S3_VIRTUAL_HOSTED;
	plain_http = url != NULL && strncasecmp(url, "http://", 7) == 0;
	if (setup_s3(&s3, url, flags) < 0)
		return -1;
	s3.request_ms = run_config()->transfer_timeout_s > 0x7fffffffu / 1000u
	    ? 0x7fffffffu : run_config()->transfer_timeout_s * 1000u;
	LOG_D("S3 endpoint %s", url != NULL ? setup_url_safe(url, safe,
	    sizeof safe) : "(AWS)");
	ready = 1;
	return 0;
}

/* see run.h */
int
run_s3_credentials(const cpj_job *job)
{
	const cpj_job_credentials *c = &job->data.artifact_credentials;
	int rc;

	cpj_s3_clear(&s3);
	run_s3_clear();
	rc = cpj_creds_set(&acreds, c->access_key_id.p,
	    c->secret_access_key.p, c->session_token.p, 0);
	if (rc < 0)
		return rc;
	run_log_secret(acreds.secret);
	run_log_secret(acreds.token);
	return cpj_s3_set_credentials(&s3, &acreds);
}

/* see run.h */
void
run_s3_clear(void)
{
	if (ready)
		cpj_s3_clear(&s3);
	run_log_forget(acreds.secret);
	run_log_forget(acreds.token);
	cpj_creds_clear(&acreds);
}

/* see run.h */
int
run_s3_expired(int err)
{
	return err == CPJ_ERR_API_EXPIRED_TOKEN;
}

static int
progress(void *ctx, uint64_t done, uint64_t total)
{
	struct xfer *x = ctx;
	uint64_t now = run_now_ms();

	if (run_stopping())
		return CPJ_ERR_CANCELLED;
	if (now - x->logged >= PROGRESS_LOG_MS
	    || (done == total && total > 0 && now - x->started
	    >= PROGRESS_LOG_MS)) {
		x->logged = now;
		if (total > 0)
			LOG_I("%s: %llu of %llu KiB (%u%%)", x->label,
			    (unsigned long long)(done >> 10),
			    (unsigned long long)(total >> 10),
			    (unsigned)(done * 100 / total));
		else
			LOG_I("%s: %llu KiB", x->label,
			    (unsigned long long)(done >> 10));
	}
	return 0;
}

static int
sink(void *ctx, const unsigned char *data, size_t len)
{
	struct xfer *x = ctx;

	run_notify_tick();      /* however large the artifact */
	if (run_stopping())
		return CPJ_ERR_CANCELLED;
	if (run_write_all(x->fd, data, len) != 0) {
		x->err = errno;
		return CPJ_ERR_IO;
	}
	return 0;
}

static int
restart(void *ctx)
{
	struct xfer *x = ctx;

	if (ftruncate(x->fd, 0) != 0 || lseek(x->fd, 0, SEEK_SET) != 0) {
		x->err = errno;
		return CPJ_ERR_IO;
	}
	return 0;
}

static int
source(void *ctx, unsigned char *buf, size_t len)
{
	struct xfer *x = ctx;
	ssize_t n;

	run_notify_tick();      /* the upload and its hashing pass */
	if (run_stopping())
		return CPJ_ERR_CANCELLED;
	do {
		n = read(x->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		x->err = errno;
		return CPJ_ERR_IO;
	}
	return (int)n;
}

static int
rewind_src(void *ctx)
{
	struct xfer *x = ctx;

	if (lseek(x->fd, 0, SEEK_SET) != 0) {
		x->err = errno;
		return CPJ_ERR_IO;
	}
	return 0;
}

/* "s3://bucket/key: Code (HTTP n): message" or the local cause. */
static void
describe(int rc, const struct xfer *x, const cpj_job_s3_location *loc,
	char *err, size_t cap)
{
	int n = fmt_snprintf(err, cap, "s3://%s/%s: ", loc->bucket_name.p,
	    loc->object_key.p);

	if (n < 0 || (size_t)n >= cap)
		n = 0;
	if (rc == CPJ_ERR_IO && x->err != 0)
		fmt_snprintf(err + n, cap - (size_t)n, "local file: %s",
		    strerror(x->err));
	else if (s3.http_status != 0 && s3.error.code[0] != '\0')
		fmt_snprintf(err + n, cap - (size_t)n, "%s (HTTP %d): %s",
		    s3.error.code, s3.http_status, s3.error.message);
	else if (s3.http_status != 0)
		fmt_snprintf(err + n, cap - (size_t)n, "HTTP %d: %s",
		    s3.http_status, cpj_strerror(rc));
	else
		fmt_snprintf(err + n, cap - (size_t)n, "%s", cpj_strerror(rc));
	run_message_clean(err);
}

static int
prepare(const char *region, const cpj_job_s3_location *loc)
{
	s3.skew = cli_cp()->skew;
	if (region != NULL && strcmp(region, s3.region) != 0
	    && cpj_s3_set_region(&s3, region) < 0)
		return CPJ_ERR_PARAM;
	if (loc->bucket_name.len == 0 || loc->object_key.len == 0)
		return CPJ_ERR_PARAM;
	return 0;
}

/* see run.h */
int
run_s3_get(const char *region, const cpj_job_s3_location *loc, int dirfd,
	const char *name, const char *label, char *err, size_t errcap)
{
	cpj_s3_get_options o;
	struct xfer x;
	int rc;

	memset(&x, 0, sizeof x);
	if ((rc = prepare(region, loc)) < 0) {
		fmt_snprintf(err, errcap, "no S3 location");
		return rc;
	}
	x.fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW
	    | O_CLOEXEC, 0600);
	if (x.fd < 0) {
		fmt_snprintf(err, errcap, "%s: %s", name, strerror(errno));
		return CPJ_ERR_IO;
	}
	x.label = label;
	x.started = x.logged = run_now_ms();
	memset(&o, 0, sizeof o);
	o.sink = sink;
	o.sink_ctx = &x;
	o.restart = restart;
	o.max_size = RUN_ARTIFACT_MAX;
	o.progress = progress;
	o.progress_ctx = &x;
	LOG_D("%s: s3://%s/%s", label, loc->bucket_name.p, loc->object_key.p);
	rc = cpj_s3_get_object(&s3, loc->bucket_name.p, loc->object_key.p, &o);
	if (rc == 0 && close(x.fd) != 0) {
		x.err = errno;
		rc = CPJ_ERR_IO;
	} else if (rc != 0) {
		close(x.fd);
	}
	if (rc < 0) {
		describe(rc, &x, loc, err, errcap);
		return rc;
	}
	LOG_I("%s: %llu bytes from s3://%s/%s (SSE %s)", label,
	    (unsigned long long)s3.size, loc->bucket_name.p,
	    loc->object_key.p, s3.sse[0] != '\0' ? s3.sse : "none");
	return 0;
}

/* see run.h */
int
run_s3_put(const char *region, const cpj_job_s3_location *loc, int dirfd,
	const char *name, const char *kms_key_id, const char *label,
	char *err, size_t errcap)
{
	char hex[CPJ_SIGV4_HEX_SIZE];
	cpj_s3_put_options o;
	struct stat sb;
	struct xfer x;
	int rc;

	memset(&x, 0, sizeof x);
	if ((rc = prepare(region, loc)) < 0) {
		fmt_snprintf(err, errcap, "no S3 location");
		return rc;
	}
	x.fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK
	    | O_CLOEXEC);
	if (x.fd < 0 || fstat(x.fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fmt_snprintf(err, errcap, "%s", x.fd < 0 && errno == ENOENT
		    ? "missing" : "not a regular file");
		if (x.fd >= 0)
			close(x.fd);
		return CPJ_ERR_IO;
	}
	if ((uint64_t)sb.st_size > CPJ_S3_PUT_MAX) {
		fmt_snprintf(err, errcap, "larger than 5 GiB (%llu bytes)",
		    (unsigned long long)sb.st_size);
		close(x.fd);
		return CPJ_ERR_IO;
	}
	x.label = label;
	x.started = x.logged = run_now_ms();
	memset(&o, 0, sizeof o);
	o.read = source;
	o.read_ctx = &x;
	o.length = (uint64_t)sb.st_size;
	o.rewind = rewind_src;
	o.sse = "aws:kms";
	o.kms_key_id = kms_key_id;
	o.progress = progress;
	o.progress_ctx = &x;
	if (plain_http) {
		/* plain HTTP: sign the payload's hash (two passes) */
		rc = cpj_s3_sha256_source(source, &x, o.length, hashbuf,
		    HASHBUF_LEN, hex);
		if (rc == 0)
			rc = rewind_src(&x);
		if (rc < 0) {
			describe(rc, &x, loc, err, errcap);
			close(x.fd);
			return rc;
		}
		o.payload = CPJ_S3_PAYLOAD_SHA256;
		o.sha256_hex = hex;
	} else {
		o.payload = CPJ_S3_PAYLOAD_UNSIGNED;
	}
	LOG_D("%s: s3://%s/%s", label, loc->bucket_name.p, loc->object_key.p);
	rc = cpj_s3_put_object(&s3, loc->bucket_name.p, loc->object_key.p, &o);
	close(x.fd);
	if (rc < 0) {
		describe(rc, &x, loc, err, errcap);
		return rc;
	}
	LOG_I("%s: %llu bytes to s3://%s/%s (SSE %s)", label,
	    (unsigned long long)s3.size, loc->bucket_name.p,
	    loc->object_key.p, s3.sse[0] != '\0' ? s3.sse : "none");
	return 0;
}
