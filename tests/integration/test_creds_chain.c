/*
 * test_creds_chain.c -- the agent's credential chain (src/agent/
 * creds_*.c, linked into this test) against a loopback container
 * credentials server in a child process: creds_chain_refresh_if_needed()
 * refetches credentials that expire within 5 minutes from the provider
 * that gave them, keeps them while still valid when the refetch fails,
 * and drops them once expired; static credentials are never refetched.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "support/sup_net.h"

/* the agent's chain (not in libcpjob): linked from the agent's objects */
#include "agent/creds_chain.h"

#define ANSWERS_MAX 8

static struct {
	int lfd;
	int n;
	char text[ANSWERS_MAX][1024];
} srv;
static uint16_t port;
static cpj_creds c;

/* Child: one answer per connection, in order, then exit. */
static int
serve(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < srv.n; i++) {
		char req[2048];
		size_t got = 0;
		int fd = sup_accept(srv.lfd, 10000);

		if (fd < 0)
			return 1;
		/* read the request head */
		while (got < sizeof req - 1) {
			if (sup_read_full(fd, req + got, 1, 5000) < 0)
				break;
			got++;
			req[got] = '\0';
			if (got >= 4 && memcmp(req + got - 4, "\r\n\r\n", 4) == 0)
				break;
		}
		sup_write_all(fd, srv.text[i], strlen(srv.text[i]));
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	return 0;
}

static void
iso(time_t t, char *out, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
answer_creds(const char *akid, time_t expires)
{
	char when[32], body[512];

	iso(expires, when, sizeof when);
	snprintf(body, sizeof body, "{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":"
	    "\"secret-%s\",\"Token\":\"token-%s\",\"Expiration\":\"%s\"}",
	    akid, akid, akid, when);
	snprintf(srv.text[srv.n++], sizeof srv.text[0], "HTTP/1.1 200 OK\r\n"
	    "Content-Length: %u\r\nConnection: close\r\n\r\n%s",
	    (unsigned)strlen(body), body);
}

static void
answer_500(void)
{
	snprintf(srv.text[srv.n++], sizeof srv.text[0],
	    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n");
}

static void
clean_env(void)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "CPJOB_IOT_ENDPOINT",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT", "HTTPS_PROXY", "https_proxy",
	};
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("HOME", "/nonexistent-cpjob-test-home", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent-cpjob-test-home/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE",
	    "/nonexistent-cpjob-test-home/credentials", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static int
before_load(void)
{
	cpj_creds_clear(&c);
	CHECK_EQ(creds_chain_refresh_if_needed(&c, time(NULL)), CPJ_ERR_STATE);
	return 0;
}

static int
refresh_container(void)
{
	char url[128], source[64];
	time_t now = time(NULL);
	pid_t pid;
	int64_t exp2;
	int st;

	clean_env();
	srv.n = 0;
	srv.lfd = sup_listen(&port, 8);
	CHECK(srv.lfd >= 0);
	answer_creds("ASIAFIRST", now + 120);     /* expires in 2 minutes */
	answer_creds("ASIASECOND", now + 3600);
	answer_500();
	answer_500();
	pid = sup_fork(serve, NULL, 30);
	CHECK(pid > 0);
	close(srv.lfd);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/v2/credentials/x",
	    (unsigned)port);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);

	CHECK_EQ(creds_chain_load(&c, NULL, 0, source, sizeof source), 0);
	CHECK(strcmp(source, "container-role") == 0);
	CHECK(strcmp(c.akid, "ASIAFIRST") == 0);
	CHECK(c.expires >= now + 119 && c.expires <= now + 121);
	/* due (2 minutes left): refetched from the same provider */
	CHECK_EQ(creds_chain_refresh_if_needed(&c, now), 1);
	CHECK(strcmp(c.akid, "ASIASECOND") == 0);
	CHECK(strcmp(c.secret, "secret-ASIASECOND") == 0);
	exp2 = c.expires;
	CHECK(exp2 >= now + 3599 && exp2 <= now + 3601);
	/* not due: nothing is fetched (the next answer stays unused) */
	CHECK_EQ(creds_chain_refresh_if_needed(&c, now), 0);
	CHECK_EQ(creds_chain_refresh_if_needed(&c, exp2 - 301), 0);
	/* due, the provider fails, still valid: kept */
	CHECK_EQ(creds_chain_refresh_if_needed(&c, exp2 - 100),
	    CPJ_ERR_CREDS_PROVIDER);
	CHECK(strcmp(c.akid, "ASIASECOND") == 0);
	/* expired and the provider fails: dropped */
	CHECK_EQ(creds_chain_refresh_if_needed(&c, exp2 + 1),
	    CPJ_ERR_CREDS_EXPIRED);
	CHECK(!cpj_creds_present(&c));
	st = sup_wait(pid, 5000);
	CHECK_EQ(st, 0);
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	return 0;
}

static int
static_never_refetched(void)
{
	char source[64];

	clean_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDSTATIC", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "static-secret", 1);
	CHECK_EQ(creds_chain_load(&c, NULL, 0, source, sizeof source), 0);
	CHECK(strcmp(source, "env") == 0);
	CHECK_EQ(c.expires, 0);
	CHECK_EQ(creds_chain_refresh_if_needed(&c, time(NULL) + 86400 * 365),
	    0);
	CHECK(strcmp(c.akid, "AKIDSTATIC") == 0);
	/* with an expiration: refreshed by reading the environment again */
	setenv("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z", 1);
	CHECK_EQ(creds_chain_load(&c, NULL, 0, source, sizeof source), 0);
	setenv("AWS_ACCESS_KEY_ID", "AKIDROTATED", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2031-01-01T00:00:00Z", 1);
	CHECK_EQ(creds_chain_refresh_if_needed(&c, 1893455700), 1);
	CHECK(strcmp(c.akid, "AKIDROTATED") == 0);
	CHECK_EQ(c.expires, 1924992000);
	clean_env();
	return 0;
}

static int
nothing_found(void)
{
	char source[64] = "x";

	clean_env();
	memset(&c, 'x', sizeof c);
	CHECK_EQ(creds_chain_load(&c, NULL, 0, source, sizeof source),
	    CPJ_ERR_CREDS_NONE);
	CHECK(source[0] == '\0');
	CHECK(!cpj_creds_present(&c));
	/* a failed load forgets the provider: nothing to refresh */
	CHECK_EQ(creds_chain_refresh_if_needed(&c, time(NULL)), CPJ_ERR_STATE);
	return 0;
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(before_load);
	RUN(refresh_container);
	RUN(static_never_refetched);
	RUN(nothing_found);
	creds_chain_cleanup();
	cpj_creds_clear(&c);
	return H_EXIT();
}
