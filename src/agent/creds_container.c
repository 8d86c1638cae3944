/*
 * creds_container.c -- the container-role provider of the credential
 * chain (creds_prov.h; settings in creds_chain.h): ECS task roles, EKS
 * Pod Identity and anything that serves the same document.
 *
 * Plain http carries the authorization token in clear, so it may only go
 * to this host or to the ECS/EKS agents' link-local addresses, as in the
 * AWS SDKs. The host of AWS_CONTAINER_CREDENTIALS_FULL_URI is checked by
 * its text before anything is looked up or contacted:
 *
 *   - IPv4 literals in strict dotted-decimal only: four parts of 0..255
 *     in decimal without leading zeros (the library's reader of an IP
 *     address host, cpj_tls_parse_ip, which the TLS name check uses), so
 *     "0177.0.0.1", "0x7f.0.0.1", "127.1", "127.0.0.1.5" and
 *     "127.0.0.4294967297", which inet_aton() or a resolver might read as
 *     some address, are refused;
 *   - IPv6 literals as RFC 4291 writes them (brackets allowed, no zone);
 *   - allowed: 127.0.0.0/8, ::1, 169.254.170.2 (ECS), 169.254.170.23
 *     and fd00:ec2::23 (EKS Pod Identity). IPv4-mapped addresses
 *     (::ffff:127.0.0.1) are refused, as Python's, Rust's and
 *     JavaScript's SDKs do: a plain ::1 or 127.0.0.1 says the same;
 *   - the name "localhost" (any case) is the one name allowed: it is
 *     resolved, and every address it gives must be loopback, as the Rust
 *     SDK does for any name (botocore and the JavaScript SDK take the
 *     name "localhost" without looking). The connection resolves it once
 *     more; the answer comes from /etc/hosts (or the system's own
 *     resolver) on any sane system. Other names are refused without a
 *     lookup: a DNS answer could send the token anywhere.
 * https goes to any host, checked against the command's CA bundle
 * (setup_trust()).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "agent.h"
#include "creds_prov.h"
#include "tls/tls_int.h"        /* cpj_tls_parse_ip (not API) */

#define WHO "credentials: container-role"

/* The settings (each message names its setting by one of these). */
#define FULL_URI   "AWS_CONTAINER_CREDENTIALS_FULL_URI"
#define REL_URI    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
#define TOKEN      "AWS_CONTAINER_AUTHORIZATION_TOKEN"
#define TOKEN_FILE "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"

/* botocore: 2 s, 3 attempts */
#define CONTAINER_MS       2000
#define CONTAINER_ATTEMPTS 3
#define CONTAINER_HOST     "http://169.254.170.2"

/* see creds_prov.h */
int
creds_http_host_class(const char *host)
{
	static const unsigned char ecs[4] = { 169, 254, 170, 2 };
	static const unsigned char eks[4] = { 169, 254, 170, 23 };
	static const unsigned char eks6[16] = {
		0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23
	};
	static const unsigned char lo6[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	unsigned char a[16];
	size_t n;

	if (host == NULL)
		return CREDS_HOST_REFUSED;
	if (strcasecmp(host, "localhost") == 0)
		return CREDS_HOST_LOCALHOST;
	n = cpj_tls_parse_ip(host, a);
	if (n == 4) {
		if (a[0] == 127)
			return CREDS_HOST_LOOPBACK;
		if (memcmp(a, ecs, 4) == 0 || memcmp(a, eks, 4) == 0)
			return CREDS_HOST_ECS;
	} else if (n == 16) {
		if (memcmp(a, lo6, 16) == 0)
			return CREDS_HOST_LOOPBACK;
		if (memcmp(a, eks6, 16) == 0)
			return CREDS_HOST_ECS;
	}
	return CREDS_HOST_REFUSED;
}

/* 1 when `host` resolves to loopback addresses only. */
static int
resolves_to_loopback(const char *host, char *why, size_t cap)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	int rc, all = 1, n = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || res == NULL) {
		fmt_snprintf(why, cap, "%s does not resolve (%s)", host,
		    rc != 0 ? gai_strerror(rc) : "no address");
		return 0;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next, n++) {
		if (ai->ai_family == AF_INET
		    && ai->ai_addrlen >= sizeof in4) {
			memcpy(&in4, ai->ai_addr, sizeof in4);
			if ((ntohl(in4.sin_addr.s_addr) >> 24) != 127)
				all = 0;
		} else if (ai->ai_family == AF_INET6
		    && ai->ai_addrlen >= sizeof in6) {
			memcpy(&in6, ai->ai_addr, sizeof in6);
			if (!IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr))
				all = 0;
		} else {
			all = 0;
		}
	}
	freeaddrinfo(res);
	if (!all || n == 0)
		fmt_snprintf(why, cap, "%s resolves to an address that is not "
		    "loopback", host);
	return all && n > 0;
}

/* see creds_prov.h */
int
creds_http_host_ok(const char *host, char *why, size_t cap)
{
	switch (creds_http_host_class(host)) {
	case CREDS_HOST_LOOPBACK:
	case CREDS_HOST_ECS:
		return 1;
	case CREDS_HOST_LOCALHOST:
		return resolves_to_loopback(host, why, cap);
	default:
		fmt_snprintf(why, cap, "not '%s' (those addresses only, in "
		    "dotted-decimal or IPv6 form; no other name is looked up)",
		    host);
		return 0;
	}
}

/* The container token: from its file (trailing CR/LF dropped) or the
 * environment; "" when none. */
static int
token(struct creds_ctx *c)
{
	const char *f = setup_env(TOKEN_FILE);
	const char *v = setup_env(TOKEN);
	char path[CREDS_PATH_LEN];
	long n;

	c->auth[0] = '\0';
	if (f != NULL) {
		if (setup_expand_path(f, path, sizeof path) < 0) {
			setup_msg(WHO, "%s too long", TOKEN_FILE);
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
			setup_msg(WHO, "%s too long", TOKEN);
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
	char safe[SETUP_URL_PRINT_MAX], why[CPJ_HOST_MAX + 160];
	cpj_http_url u;
	const char *p;
	int rc;

	setup_url_safe(full, safe, sizeof safe);
	p = strstr(full, "://");
	p = p != NULL ? p + 3 + fmt_span(p + 3, "/?#", 0) : NULL;
	if (p == NULL || (size_t)(p - full) >= ocap || *p == '#') {
		setup_msg(WHO, "%s is not a URL: %s", FULL_URI, safe);
		return CPJ_ERR_AGENT_CONFIG;
	}
	memcpy(origin, full, (size_t)(p - full));
	origin[p - full] = '\0';
	if (fmt_snprintf(path, pcap, "%s%s", *p == '/' ? "" : "/", p)
	    >= (int)pcap) {
		setup_msg(WHO, "%s too long", FULL_URI);
		return CPJ_ERR_AGENT_CONFIG;
	}
	rc = cpj_http_url_parse(&u, origin, -1);
	if (rc < 0) {
		setup_msg(WHO, "%s %s: %s", FULL_URI, safe, cpj_strerror(rc));
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (!u.tls && !creds_http_host_ok(u.host, why, sizeof why)) {
		setup_msg(WHO, "%s: plain http only goes to a loopback address "
		    "(127.0.0.0/8, ::1, localhost) or an ECS/EKS agent "
		    "(169.254.170.2, 169.254.170.23, fd00:ec2::23), %s",
		    FULL_URI, why);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return 0;
}

/* see creds_prov.h */
int
creds_prov_container(struct creds_ctx *c, cpj_creds *out)
{
	const char *rel = setup_env(REL_URI);
	const char *full = setup_env(FULL_URI);
	char origin[CPJ_HOST_MAX + 32], path[1100];
	char safe[CPJ_HOST_MAX + 1200], where[CPJ_HOST_MAX + 1200];
	struct setup_client o;
	cpj_creds_fetch_info info;
	int rc = 0, attempt, br, https;

	if (rel == NULL && full == NULL) {
		creds_dbg(c, "container-role: %s and _FULL_URI not set",
		    REL_URI);
		return CPJ_ERR_CREDS_NONE;
	}
	if (rel != NULL) {
		fmt_snprintf(origin, sizeof origin, "%s", CONTAINER_HOST);
		if (rel[0] != '/' || fmt_snprintf(path, sizeof path, "%s", rel)
		    >= (int)sizeof path) {
			setup_msg(WHO, "%s must be a path starting with '/' "
			    "(at most %u bytes)", REL_URI,
			    (unsigned)sizeof path - 1);
			return CPJ_ERR_AGENT_CONFIG;
		}
	} else if ((rc = full_uri(full, origin, sizeof origin, path,
	    sizeof path)) < 0) {
		return rc;
	}
	if ((rc = token(c)) < 0)
		return rc;
	fmt_snprintf(safe, sizeof safe, "%s%s", origin, path);
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
