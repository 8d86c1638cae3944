/*
 * creds_container.c -- the container-role provider of the credential
 * chain (creds_prov.h; settings in creds_chain.h): ECS task roles, EKS
 * Pod Identity and anything that serves the same document.
 *
 * Plain http carries the authorization token in clear, so it may only go
 * to a loopback address or to the ECS/EKS agents' link-local addresses.
 * https goes to any host, checked against the command's CA bundle
 * (setup_trust()).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "creds_prov.h"

#define WHO "credentials: container-role"

/* botocore: 2 s, 3 attempts */
#define CONTAINER_MS       2000
#define CONTAINER_ATTEMPTS 3
#define CONTAINER_HOST     "http://169.254.170.2"

static int
loopback_or_ecs(const char *host)
{
	static const char *const ok[] = {
		"localhost", "::1", "169.254.170.2", "169.254.170.23",
		"fd00:ec2::23"
	};
	unsigned a, b, c, d;
	char tail;
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(ok); i++) {
		if (strcasecmp(host, ok[i]) == 0)
			return 1;
	}
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4
	    && a == 127 && b < 256 && c < 256 && d < 256;
}

/* The container token: from its file (trailing CR/LF dropped) or the
 * environment; "" when none. */
static int
token(struct creds_ctx *c)
{
	const char *f = setup_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *v = setup_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char path[CREDS_PATH_LEN];
	long n;

	c->auth[0] = '\0';
	if (f != NULL) {
		if (setup_expand_path(f, path, sizeof path) < 0) {
			setup_msg(WHO, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE "
			    "too long");
			return CPJ_ERR_AGENT_CONFIG;
		}
		n = setup_read_file(CREDS_WHO, "container token file", path,
		    c->auth, sizeof c->auth, 0);
		if (n < 0)
			return (int)n;
		while (n > 0 && (c->auth[n - 1] == '\n'
		    || c->auth[n - 1] == '\r'))
			c->auth[--n] = '\0';
		if (memchr(c->auth, '\0', (size_t)n) != NULL) {
			setup_msg(WHO, "token file holds a NUL byte");
			cpj_wipe(c->auth, sizeof c->auth);
			return CPJ_ERR_AGENT_CONFIG;
		}
		return 0;
	}
	if (v != NULL) {
		if (strlen(v) > CREDS_AUTH_MAX) {
			setup_msg(WHO, "AWS_CONTAINER_AUTHORIZATION_TOKEN too "
			    "long");
			return CPJ_ERR_AGENT_CONFIG;
		}
		memcpy(c->auth, v, strlen(v) + 1);
	}
	return 0;
}

/* The origin and path of AWS_CONTAINER_CREDENTIALS_FULL_URI, its host
 * checked for plain http. */
static int
full_uri(const char *full, char *origin, size_t ocap, char *path,
	size_t pcap)
{
	char safe[SETUP_URL_PRINT_MAX];
	cpj_http_url u;
	const char *p;
	int rc;

	setup_url_safe(full, safe, sizeof safe);
	p = strstr(full, "://");
	p = p != NULL ? p + 3 + strcspn(p + 3, "/?#") : NULL;
	if (p == NULL || (size_t)(p - full) >= ocap || *p == '#') {
		setup_msg(WHO, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a "
		    "URL: %s", safe);
		return CPJ_ERR_AGENT_CONFIG;
	}
	memcpy(origin, full, (size_t)(p - full));
	origin[p - full] = '\0';
	if (snprintf(path, pcap, "%s%s", *p == '/' ? "" : "/", p)
	    >= (int)pcap) {
		setup_msg(WHO, "AWS_CONTAINER_CREDENTIALS_FULL_URI too long");
		return CPJ_ERR_AGENT_CONFIG;
	}
	rc = cpj_http_url_parse(&u, origin, -1);
	if (rc < 0) {
		setup_msg(WHO, "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: %s", safe,
		    cpj_strerror(rc));
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (!u.tls && !loopback_or_ecs(u.host)) {
		setup_msg(WHO, "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http "
		    "is only allowed to loopback addresses and the ECS/EKS "
		    "agents, not %s", u.host);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return 0;
}

/* see creds_prov.h */
int
creds_prov_container(struct creds_ctx *c, cpj_creds *out)
{
	const char *rel = setup_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = setup_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	char origin[CPJ_HOST_MAX + 32], path[1100];
	char safe[CPJ_HOST_MAX + 1200], where[CPJ_HOST_MAX + 1200];
	struct setup_client o;
	cpj_creds_fetch_info info;
	int rc = 0, attempt, br, https;

	if (rel == NULL && full == NULL) {
		creds_dbg(c, "container-role: "
		    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not "
		    "set");
		return CPJ_ERR_CREDS_NONE;
	}
	if (rel != NULL) {
		snprintf(origin, sizeof origin, "%s", CONTAINER_HOST);
		if (rel[0] != '/' || snprintf(path, sizeof path, "%s", rel)
		    >= (int)sizeof path) {
			setup_msg(WHO, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
			    "must be a path starting with '/' (at most %u "
			    "bytes)", (unsigned)sizeof path - 1);
			return CPJ_ERR_AGENT_CONFIG;
		}
	} else if ((rc = full_uri(full, origin, sizeof origin, path,
	    sizeof path)) < 0) {
		return rc;
	}
	if ((rc = token(c)) < 0)
		return rc;
	snprintf(safe, sizeof safe, "%s%s", origin, path);
	setup_url_safe(safe, where, sizeof where);
	https = strncasecmp(origin, "https://", 8) == 0;
	memset(&o, 0, sizeof o);
	o.who = WHO;
	o.connect_ms = CONTAINER_MS;
	o.idle_ms = CONTAINER_MS;
	o.request_ms = 2 * CONTAINER_MS;
	o.flags = https ? SETUP_PROXY : 0;
	if (https && (o.anchors = setup_trust(CREDS_WHO)) == NULL) {
		cpj_wipe(c->auth, sizeof c->auth);
		return CPJ_ERR_TLS_ANCHORS;
	}
	rc = setup_http_client(&c->http, https ? &c->tls : NULL, origin, &o);
	c->http_ready = 1;
	if (rc < 0) {
		cpj_wipe(c->auth, sizeof c->auth);
		creds_tls_wipe(c);
		return rc;
	}
	for (attempt = 1; attempt <= CONTAINER_ATTEMPTS; attempt++) {
		creds_dbg(c, "container-role: GET %s%s (attempt %d)", where,
		    c->auth[0] != '\0' ? " with Authorization" : "", attempt);
		rc = cpj_creds_fetch_container(out, &c->http, path, c->auth,
		    c->work, sizeof c->work, &info);
		if (!creds_is_net_error(rc))
			break;
	}
	cpj_wipe(c->auth, sizeof c->auth);
	br = https ? cpj_tls_last_br_error(&c->tls) : 0;
	creds_tls_wipe(c);
	if (rc < 0) {
		creds_report(CREDS_CONTAINER, where, rc, &info, br);
		return rc == CPJ_ERR_CREDS_NONE ? CPJ_ERR_CREDS_REFUSED : rc;
	}
	return 0;
}
