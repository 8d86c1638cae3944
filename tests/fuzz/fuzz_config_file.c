/*
 * fuzz_config_file.c -- the agent's config file (`key = value` lines,
 * load_config() in src/agent/run_opts.c).
 *
 * load_config() is static and reads a path, so this file compiles
 * run_opts.c into itself and writes the input to "cpjob.conf" in a
 * private temporary directory (mkdtemp under $TMPDIR or /tmp, removed at
 * exit). Only the file is parsed: nothing is resolved, created or
 * started. A file it accepts must leave every string option pointing
 * into the config buffer, NUL-terminated, and the numbers in range.
 */
#include "agent/run_opts.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_config_file: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

static char tmpdir[512];
static char conf_path[600];

static void
cleanup(void)
{
	if (conf_path[0] != '\0')
		(void)unlink(conf_path);
	if (tmpdir[0] != '\0')
		(void)rmdir(tmpdir);
}

static const char *
path(void)
{
	const char *t = getenv("TMPDIR");

	if (conf_path[0] != '\0')
		return conf_path;
	if (t == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof tmpdir, "%s/cpj-fuzz-XXXXXX", t)
	    >= sizeof tmpdir || mkdtemp(tmpdir) == NULL)
		FAIL("no temporary directory");
	snprintf(conf_path, sizeof conf_path, "%s/cpjob.conf", tmpdir);
	atexit(cleanup);
	return conf_path;
}

static void
in_buf(const char *s)
{
	if (s == NULL)
		return;
	/* conf_buf: CONF_MAX + 1 bytes of the agent's arena */
	if (conf_buf == NULL || s < conf_buf || s >= conf_buf + CONF_MAX + 1
	    || memchr(s, 0, (size_t)(conf_buf + CONF_MAX + 1 - s)) == NULL)
		FAIL("option outside the config buffer");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, i;
	int fd, rc;

	fd = open(path(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		FAIL("cannot write the config file");
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			FAIL("cannot write the config file");
		off += (size_t)w;
	}
	close(fd);

	memset(&run_cfg, 0, sizeof run_cfg);
	rc = load_config(path(), 1);
	if (rc != 0 && rc != -1)
		FAIL("result");
	if (rc == 0) {
		for (i = 0; i < CPJ_ARRAY_LEN(opts); i++) {
			if (opts[i].type == T_STR)
				in_buf(*(const char *const *)(const void *)
				    ((const char *)&run_cfg + opts[i].off));
		}
		in_buf(run_cfg.g.region);
		in_buf(run_cfg.g.endpoint_url);
		in_buf(run_cfg.g.profile);
		in_buf(run_cfg.g.ca_bundle);
		if (run_cfg.max_batch > CPJ_MAX_JOBS)
			FAIL("max-batch-size over its limit");
		if (run_cfg.log_level < 0 || run_cfg.log_level > RUN_LOG_DEBUG)
			FAIL("log level");
	}
	return 0;
}
