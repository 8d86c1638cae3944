/*
 * sup_tls.c -- TLS test helpers (see sup_tls.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpj.h"
#include "support/sup_net.h"
#include "support/sup_tls.h"

#define ARGS_MAX 40

char *
sup_tls_path(char *out, size_t outlen, const char *dir, const char *name)
{
	int n;

	n = snprintf(out, outlen, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= outlen)
		out[0] = 0;
	return out;
}

int
sup_tls_mkcerts(char *dir, size_t dirlen)
{
	char cmd[2 * SUP_TLS_PATH_MAX];
	const char *top, *tmp;
	int n, rc;

	top = getenv("CPJ_TOP");
	if (top == NULL || *top == 0)
		top = ".";
	tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == 0)
		tmp = "/tmp";
	n = snprintf(dir, dirlen, "%s/cpj-tls-XXXXXX", tmp);
	if (n < 0 || (size_t)n >= dirlen || mkdtemp(dir) == NULL) {
		fprintf(stderr, "sup_tls_mkcerts: cannot make a temp dir\n");
		return -1;
	}
	n = snprintf(cmd, sizeof cmd, "sh '%s/tests/support/mkcerts.sh' '%s'",
	    top, dir);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return -1;
	rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "sup_tls_mkcerts: '%s' failed (%d)\n", cmd, rc);
		return -1;
	}
	return 0;
}

void
sup_tls_rmdir(const char *dir)
{
	char cmd[2 * SUP_TLS_PATH_MAX];
	int n;

	if (dir == NULL || strstr(dir, "/cpj-tls-") == NULL
	    || strchr(dir, '\'') != NULL)
		return;
	n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (n > 0 && (size_t)n < sizeof cmd && system(cmd) != 0)
		fprintf(stderr, "sup_tls_rmdir: %s not removed\n", dir);
}

long
sup_tls_read_file(const char *path, void *buf, size_t buflen)
{
	FILE *f;
	size_t n;
	int c;

	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, buflen - 1, f);
	c = fgetc(f);
	fclose(f);
	if (c != EOF)
		return -1;
	((char *)buf)[n] = 0;
	return (long)n;
}

int
sup_tls_load_ca(cpj_tls_anchors *a, const char *dir, const char *name,
	char *buf, size_t buflen)
{
	char path[SUP_TLS_PATH_MAX];
	long len;
	int rc;

	len = sup_tls_read_file(sup_tls_path(path, sizeof path, dir, name),
	    buf, buflen);
	if (len < 0)
		return CPJ_ERR_IO;
	rc = cpj_tls_anchors_add_pem(a, buf, (size_t)len);
	return rc < 0 ? rc : cpj_tls_anchors_finish(a);
}

/* Child: become `openssl s_server ...` with output in `log`. */
static void
exec_server(const char *log, char **argv)
{
	int fd;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(60);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	execvp("openssl", argv);
	_exit(127);
}

/* Find "ACCEPT 127.0.0.1:<port>" in the log. */
static int
log_port(const char *log, uint16_t *port)
{
	char text[4096];
	const char *p;
	long n, v;

	n = sup_tls_read_file(log, text, sizeof text);
	if (n < 0)
		return 0;
	p = strstr(text, "ACCEPT 127.0.0.1:");
	if (p == NULL)
		return 0;
	v = strtol(p + strlen("ACCEPT 127.0.0.1:"), NULL, 10);
	if (v <= 0 || v > 65535)
		return 0;
	*port = (uint16_t)v;
	return 1;
}

pid_t
sup_tls_server(const char *dir, const char *name, const char *const *extra,
    uint16_t *port)
{
	static char paths[ARGS_MAX][SUP_TLS_PATH_MAX];
	char log[SUP_TLS_PATH_MAX], file[SUP_TLS_PATH_MAX];
	char *argv[ARGS_MAX + 1];
	uint32_t t0;
	pid_t pid;
	int n, k;

	n = 0;
	argv[n++] = (char *)"openssl";
	argv[n++] = (char *)"s_server";
	argv[n++] = (char *)"-accept";
	argv[n++] = (char *)"127.0.0.1:0";
	snprintf(file, sizeof file, "%s.pem", name);
	argv[n++] = (char *)"-cert";
	argv[n] = sup_tls_path(paths[n], SUP_TLS_PATH_MAX, dir, file);
	n++;
	snprintf(file, sizeof file, "%s.key", name);
	argv[n++] = (char *)"-key";
	argv[n] = sup_tls_path(paths[n], SUP_TLS_PATH_MAX, dir, file);
	n++;
	for (k = 0; extra != NULL && extra[k] != NULL; k++) {
		if (n >= ARGS_MAX)
			return -1;
		if (extra[k][0] == '@') {
			argv[n] = sup_tls_path(paths[n], SUP_TLS_PATH_MAX, dir,
			    extra[k] + 1);
		} else {
			argv[n] = (char *)extra[k];
		}
		n++;
	}
	argv[n] = NULL;
	snprintf(file, sizeof file, "s_server-%u.log", (unsigned)getpid());
	sup_tls_path(log, sizeof log, dir, file);
	(void)unlink(log);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		exec_server(log, argv);
	t0 = sup_ms();
	while (sup_ms() - t0 < 5000) {
		int st;

		if (log_port(log, port)) {
			/* Keep the log of this server under its own name. */
			snprintf(file, sizeof file, "s_server-%u.log",
			    (unsigned)*port);
			sup_tls_path(paths[0], SUP_TLS_PATH_MAX, dir, file);
			(void)rename(log, paths[0]);
			return pid;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "sup_tls_server: openssl s_server exited"
			    " (see %s)\n", log);
			return -1;
		}
		sup_sleep_ms(5);
	}
	fprintf(stderr, "sup_tls_server: no ACCEPT line in %s\n", log);
	sup_tls_server_stop(pid);
	return -1;
}

void
sup_tls_server_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	(void)kill(pid, SIGTERM);
	(void)sup_wait(pid, 2000);
}
