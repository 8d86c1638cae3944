/*
 * cmd_s3.c -- s3-get and s3-put: one GetObject or PutObject through the
 * library's S3 client (a small surface for debugging and tests).
 *
 *   cpjob s3-get --bucket B --key K --out FILE
 *   cpjob s3-put --bucket B --key K --file FILE [--sse aws:kms|AES256]
 *                [--kms-key-id ID] [--content-type T] [--unsigned-payload]
 *
 * Both take --addressing-style auto|path|virtual and the global options
 * (--region, --endpoint-url, --ca-bundle, timeouts, --debug). Credentials
 * come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * (a job's artifact credentials); the endpoint from --endpoint-url, else
 * AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS's.
 *
 * s3-get writes FILE.part and renames it to FILE after the whole object
 * arrived (and its MD5 matched a plain ETag); on failure FILE.part is
 * removed and FILE is untouched. s3-put signs the file's SHA-256 (a first
 * pass over the file) unless --unsigned-payload is given.
 *
 * Exit status as the aws CLI: 0 success, 252 bad parameters, 254 the
 * service answered with an error, 255 any other failure. Output: one JSON
 * object (ETag, ContentLength / ServerSideEncryption) on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "arena.h"
#include "cli.h"
#include "setup.h"

#define EXIT_PARAM   252
#define EXIT_SERVICE 254
#define EXIT_OTHER   255
#define PATH_MAX_LEN 4096

static cpj_s3_context s3;
static cpj_creds s3creds;
#define S3WORK_MAX  (32 * 1024)        /* one request and its HTTP head */
#define HASHBUF_MAX (64 * 1024)        /* one read of the payload hash */
static unsigned char *s3work, *hashbuf; /* arena */
static char part[PATH_MAX_LEN + 8];
static int debug_flag;          /* --debug: report progress */
static int cli_ready;           /* cli_setup() ran */

/* A local file; `err` keeps the errno of its first failure. */
struct lfile {
	int fd;
	int err;
};

/* The options of s3-get (bit 1) and s3-put (bit 2). */
static const struct cli_opt opts[] = {
	{ "--bucket", "B", "bucket", 3, 3 },
	{ "--key", "K", "object key", 3, 3 },
	{ "--out", "FILE", "file to write (FILE.part until complete)", 1, 1 },
	{ "--file", "FILE", "file to upload", 2, 2 },
	{ "--sse", "aws:kms|AES256", "server-side encryption", 2, 0 },
	{ "--kms-key-id", "ID", "KMS key (with --sse aws:kms)", 2, 0 },
	{ "--content-type", "T", "Content-Type of the object", 2, 0 },
	{ "--unsigned-payload", NULL, "do not hash the file (one pass)", 2, 0 },
	{ "--addressing-style", "S", "auto (default), path or virtual", 3, 0 },
};
#define NOPTS ((int)(sizeof opts / sizeof opts[0]))
/* their values (cli_opts_parse: NULL when not given) */
enum { A_BUCKET, A_KEY, A_OUT, A_FILE, A_SSE, A_KMS, A_CTYPE, A_UNSIGNED,
	A_STYLE };
static const char *a[NOPTS];
static int style;               /* --addressing-style: auto, path, virtual */

static void
usage(FILE *f, int get)
{
	fmt_fprintf(f, "usage: cpjob %s [options]\n\n", get ? "s3-get" : "s3-put");
	cli_opts_help(f, opts, NOPTS, get ? 1 : 2);
	fmt_fprintf(f, "\nCredentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
	    "AWS_SESSION_TOKEN.\nEndpoint: --endpoint-url, else "
	    "AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL.\n\n");
	cli_global_help(f);
}

static int
check_args(int get)
{
	int sse = a[A_SSE] != NULL ? fmt_pick(a[A_SSE], "aws:kms\0AES256\0")
	    : 1;

	style = a[A_STYLE] != NULL ? fmt_pick(a[A_STYLE],
	    "auto\0path\0virtual\0") : 0;
	if (style < 0) {
		setup_msg(NULL, "--addressing-style: auto, path or "
		    "virtual");
		return -1;
	}
	if (sse < 0) {
		setup_msg(NULL, "--sse: aws:kms or AES256");
		return -1;
	}
	if (a[A_KMS] != NULL && sse != 0) {
		setup_msg(NULL, "--kms-key-id needs --sse aws:kms");
		return -1;
	}
	if (get && strlen(a[A_OUT]) > PATH_MAX_LEN) {
		setup_msg(NULL, "--out: path too long");
		return -1;
	}
	return 0;
}

/* Client set-up: TLS, region and HTTP client from cli_setup(), then the
 * S3 context with the environment's credentials and endpoint. */
static int
setup(struct cli_global *g)
{
	const char *ak = setup_env("AWS_ACCESS_KEY_ID");
	const char *sk = setup_env("AWS_SECRET_ACCESS_KEY");
	cpj_cp_context *cp;
	unsigned flags = 0;
	int rc;

	if (ak == NULL || sk == NULL) {
		setup_msg(NULL, "AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY must hold the artifact credentials");
		return -1;
	}
	rc = cpj_creds_set(&s3creds, ak, sk, setup_env("AWS_SESSION_TOKEN"), 0);
	if (rc < 0) {
		setup_msg(NULL, "credentials from the environment: %s",
		    cpj_strerror(rc));
		return -1;
	}
	g->endpoint_url = setup_endpoint(g->endpoint_url, "AWS_ENDPOINT_URL_S3");
	cli_ready = 1;
	if (cli_setup(g) < 0)
		return -1;
	cp = cli_cp();
	if (s3work == NULL)
		s3work = agent_arena_take(S3WORK_MAX);
	rc = cpj_s3_init(&s3, cli_http(), cp->region, s3work, S3WORK_MAX);
	if (rc < 0) {
		setup_msg(NULL, "invalid region '%s'", cp->region);
		return -1;
	}
	s3.skew = cp->skew;
	s3.max_attempts = cp->max_attempts;
	/* artifacts can be large: a long whole-request deadline; the idle
	   timeout still ends a stalled transfer */
	s3.request_ms = 3600u * 1000u;
	if (style == 1)
		flags = CPJ_S3_PATH_STYLE;
	else if (style == 2)
		flags = CPJ_S3_VIRTUAL_HOSTED;
	if (setup_s3(&s3, g->endpoint_url, flags) < 0)
		return -1;
	rc = cpj_s3_set_credentials(&s3, &s3creds);
	if (rc < 0) {
		setup_msg(NULL, "credentials: %s", cpj_strerror(rc));
		return -1;
	}
	return 0;
}

static void
cleanup(void)
{
	cpj_s3_clear(&s3);
	cpj_creds_clear(&s3creds);
	if (cli_ready)
		cli_cleanup();
}

static int
report(const char *op, int rc, const struct lfile *lf)
{
	if (s3.http_status >= 300 && rc < CPJ_ERR_SIGV4_CREDS
	    && rc >= CPJ_ERR_S3_INTEGRITY) {
		/* (cli_report_cp_error()'s format: its "..." never here) */
		fmt_eprintf("\nAn error occurred (%s) when calling the %s "
		    "operation: %s%s\n", s3.error.code[0] != '\0'
		    ? s3.error.code : cpj_strerror(rc), op,
		    s3.error.message[0] != '\0' ? s3.error.message
		    : cpj_strerror(rc), "");
		if (s3.request_id[0] != '\0')
			fmt_eprintf("request id: %s\n", s3.request_id);
		return EXIT_SERVICE;
	}
	if (rc == CPJ_ERR_IO && lf != NULL && lf->err != 0)
		setup_msg(op, "%s", strerror(lf->err));
	else
		setup_msg(op, "%s", cpj_strerror(rc));
	if (rc == CPJ_ERR_S3_INTEGRITY)
		setup_msg(NULL, "ETag %s", s3.etag);
	return rc == CPJ_ERR_PARAM ? EXIT_PARAM : EXIT_OTHER;
}

static int
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	setup_msg((const char *)ctx, "%llu of %llu bytes",
	    (unsigned long long)done, (unsigned long long)total);
	return 0;
}

/* The result on stdout, or through --query / --output text; the exit
 * status. */
static int
print_result(int get)
{
	char out[512];
	cpj_buf b;
	cpj_json_writer w;

	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	if (get) {
		cpj_json_put_key(&w, "ContentLength");
		cpj_json_put_u64(&w, s3.size);
	}
	if (s3.etag[0] != '\0')
		cpj_json_put_key_str(&w, "ETag", s3.etag);
	if (s3.sse[0] != '\0')
		cpj_json_put_key_str(&w, "ServerSideEncryption", s3.sse);
	cpj_json_object_end(&w);
	if (cpj_json_writer_finish(&w) != 0)
		return CPJ_EXIT_OK;
	if (cli_out()->b == NULL) {
		fmt_printf("%s\n", out);
		return CPJ_EXIT_OK;
	}
	cpj_buf_puts(cli_out()->b, out);
	return cli_out_end();
}

/* ---- s3-get ----------------------------------------------------------- */

static int
file_sink(void *ctx, const unsigned char *data, size_t len)
{
	struct lfile *lf = ctx;

	while (len > 0) {
		ssize_t n = write(lf->fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			lf->err = n < 0 ? errno : ENOSPC;
			return CPJ_ERR_IO;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
file_restart(void *ctx)
{
	struct lfile *lf = ctx;

	if (ftruncate(lf->fd, 0) < 0 || lseek(lf->fd, 0, SEEK_SET) < 0) {
		lf->err = errno;
		return CPJ_ERR_IO;
	}
	return 0;
}

static int
do_get(void)
{
	cpj_s3_get_options o;
	struct lfile lf;
	int rc;

	fmt_snprintf(part, sizeof part, "%s.part", a[A_OUT]);
	lf.err = 0;
	lf.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (lf.fd < 0) {
		setup_msg(part, "%s", strerror(errno));
		return EXIT_OTHER;
	}
	memset(&o, 0, sizeof o);
	o.sink = file_sink;
	o.sink_ctx = &lf;
	o.restart = file_restart;
	o.progress = debug_flag ? on_progress : NULL;
	o.progress_ctx = (void *)"s3-get";
	rc = cpj_s3_get_object(&s3, a[A_BUCKET], a[A_KEY], &o);
	if (rc == 0 && fsync(lf.fd) < 0) {
		lf.err = errno;
		rc = CPJ_ERR_IO;
	}
	if (close(lf.fd) < 0 && rc == 0) {
		lf.err = errno;
		rc = CPJ_ERR_IO;
	}
	if (rc == 0 && rename(part, a[A_OUT]) < 0) {
		lf.err = errno;
		rc = CPJ_ERR_IO;
	}
	if (rc < 0) {
		unlink(part);
		return report("GetObject", rc, &lf);
	}
	return print_result(1);
}

/* ---- s3-put ----------------------------------------------------------- */

static int
file_source(void *ctx, unsigned char *buf, size_t len)
{
	struct lfile *lf = ctx;

	for (;;) {
		ssize_t n = read(lf->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			lf->err = errno;
			return CPJ_ERR_IO;
		}
		return (int)n;
	}
}

static int
file_rewind(void *ctx)
{
	struct lfile *lf = ctx;

	if (lseek(lf->fd, 0, SEEK_SET) < 0) {
		lf->err = errno;
		return CPJ_ERR_IO;
	}
	return 0;
}

static int
do_put(void)
{
	cpj_s3_put_options o;
	struct lfile lf;
	struct stat st;
	char sha[CPJ_SIGV4_HEX_SIZE];
	int rc;

	lf.err = 0;
	lf.fd = open(a[A_FILE], O_RDONLY | O_CLOEXEC);
	if (lf.fd < 0) {
		setup_msg(a[A_FILE], "%s", strerror(errno));
		return EXIT_OTHER;
	}
	if (fstat(lf.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		setup_msg(a[A_FILE], "not a regular file");
		close(lf.fd);
		return EXIT_OTHER;
	}
	memset(&o, 0, sizeof o);
	o.read = file_source;
	o.read_ctx = &lf;
	o.rewind = file_rewind;
	o.length = (uint64_t)st.st_size;
	o.sse = a[A_SSE];
	o.kms_key_id = a[A_KMS];
	o.content_type = a[A_CTYPE];
	o.progress = debug_flag ? on_progress : NULL;
	o.progress_ctx = (void *)"s3-put";
	if (a[A_UNSIGNED] != NULL) {
		o.payload = CPJ_S3_PAYLOAD_UNSIGNED;
	} else {
		if (hashbuf == NULL)
			hashbuf = agent_arena_take(HASHBUF_MAX);
		rc = cpj_s3_sha256_source(file_source, &lf, o.length, hashbuf,
		    HASHBUF_MAX, sha);
		if (rc == 0)
			rc = file_rewind(&lf);
		if (rc < 0) {
			close(lf.fd);
			setup_msg(a[A_FILE], "%s", lf.err != 0
			    ? strerror(lf.err) : "changed while read");
			return EXIT_OTHER;
		}
		o.payload = CPJ_S3_PAYLOAD_SHA256;
		o.sha256_hex = sha;
	}
	rc = cpj_s3_put_object(&s3, a[A_BUCKET], a[A_KEY], &o);
	close(lf.fd);
	if (rc < 0)
		return report("PutObject", rc, &lf);
	return print_result(0);
}

/* see agent.h */
int
cpj_cmd_s3(int argc, char **argv)
{
	struct cli_global g;
	int get = strcmp(argv[0], "s3-get") == 0;
	int rc;

	memset(&g, 0, sizeof g);
	rc = cli_opts_parse(argc, argv, &g, opts, NOPTS, get ? 1 : 2, a);
	if (rc != 0) {
		if (rc > 0)
			usage(stdout, get);
		return rc > 0 ? CPJ_EXIT_OK : EXIT_PARAM;
	}
	if (check_args(get) < 0)
		return EXIT_PARAM;
	debug_flag = g.debug;
	if (!g.debug)
		cpj_log_set_level(1);   /* no retry warnings, as the aws CLI */
	if (setup(&g) < 0) {
		cleanup();
		return EXIT_OTHER;
	}
	rc = get ? do_get() : do_put();
	cleanup();
	return rc;
}
