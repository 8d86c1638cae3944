/*
 * creds_iot.c -- the AWS IoT credentials provider of the credential chain
 * (creds_prov.h; settings in creds_chain.h): the device certificate and
 * key over mutual TLS to the account's credentials endpoint, the
 * endpoint checked against CPJOB_IOT_CA_FILE (at most CREDS_IOT_CA_MAX
 * CA certificates) or the compiled-in roots. The files are read again at
 * each fetch and the key is wiped after.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "creds_prov.h"

#define WHO "credentials: iot-credentials-provider"

/* Connect, each read, the whole request (ms). */
#define IOT_CONNECT_MS   5000
#define IOT_IDLE_MS      10000
#define IOT_REQUEST_MS   20000

/* The provider's settings. */
struct iot_cfg {
	char endpoint[CPJ_HOST_MAX + 16], url[CPJ_HOST_MAX + 32];
	char alias[256], thing[256];
	char cert[CREDS_PATH_LEN], key[CREDS_PATH_LEN];
	char ca[CREDS_PATH_LEN], capath[CREDS_PATH_LEN];
};

/* setup_expand_path(), with the message when it fails (what: "CA",
 * "certificate", "key"). */
static int
expand(const char *what, const char *in, char *out)
{
	if (setup_expand_path(in, out, CREDS_PATH_LEN) < 0) {
		setup_msg(WHO, "%s path %s: too long, or HOME unset", what, in);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return 0;
}

/* A required setting. */
static int
required(struct creds_ctx *c, const char *envname, const char *key,
	char *out, size_t cap)
{
	int n = setup_setting(&c->prof, envname, key, out, cap, CREDS_WHO);

	if (n == 0) {
		setup_msg(WHO, "%s (or %s in profile %s) is not set", envname,
		    key, c->prof.name);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return n < 0 ? n : 0;
}

/* The settings; CPJ_ERR_CREDS_NONE when no endpoint is set. */
static int
settings(struct creds_ctx *c, struct iot_cfg *s)
{
	char safe[SETUP_URL_PRINT_MAX];
	int n, rc;

	if ((rc = creds_profile(c)) < 0)
		return rc;
	n = setup_setting(&c->prof, "CPJOB_IOT_ENDPOINT",
	    "iot_credentials_endpoint", s->endpoint, sizeof s->endpoint,
	    CREDS_WHO);
	if (n <= 0) {
		if (n == 0)
			creds_dbg(c, "iot-credentials-provider: no endpoint set");
		return n == 0 ? CPJ_ERR_CREDS_NONE : n;
	}
	if ((rc = required(c, "CPJOB_IOT_ROLE_ALIAS", "iot_role_alias",
	    s->alias, sizeof s->alias)) < 0
	    || (rc = required(c, "CPJOB_IOT_THING_NAME", "iot_thing_name",
	    s->thing, sizeof s->thing)) < 0
	    || (rc = required(c, "CPJOB_IOT_CERT_FILE", "iot_cert_file",
	    s->cert, sizeof s->cert)) < 0
	    || (rc = required(c, "CPJOB_IOT_KEY_FILE", "iot_key_file", s->key,
	    sizeof s->key)) < 0)
		return rc;
	n = setup_setting(&c->prof, "CPJOB_IOT_CA_FILE", "iot_ca_file", s->ca,
	    sizeof s->ca, CREDS_WHO);
	if (n < 0)
		return n;
	if (strstr(s->endpoint, "://") == NULL)
		n = fmt_snprintf(s->url, sizeof s->url, "https://%s", s->endpoint);
	else if (strncasecmp(s->endpoint, "https://", 8) == 0)
		n = fmt_snprintf(s->url, sizeof s->url, "%s", s->endpoint);
	else {
		setup_msg(WHO, "endpoint %s: only https (mutual TLS) is "
		    "possible", setup_url_safe(s->endpoint, safe, sizeof safe));
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (n < 0 || (size_t)n >= sizeof s->url) {
		setup_msg(WHO, "endpoint too long");
		return CPJ_ERR_AGENT_CONFIG;
	}
	return s->ca[0] != '\0' ? expand("CA", s->ca, s->capath) : 0;
}

/* Device certificate and key into the TLS context: the chain into the
 * file buffer, the key into its tail (CREDS_KEY_MAX), both wiped once
 * decoded. */
static int
client_cert(struct creds_ctx *c, const char *cert, const char *key)
{
	char path[CREDS_PATH_LEN], *buf = creds_file(c);
	char *kbuf = buf + CREDS_CERT_MAX;
	long nc, nk;
	int rc;

	if ((rc = expand("certificate", cert, path)) < 0)
		return rc;
	nc = setup_read_file(CREDS_WHO, "iot certificate", path, buf,
	    CREDS_CERT_MAX, 0);
	if (nc < 0)
		return (int)nc;
	if ((rc = expand("key", key, path)) < 0) {
		cpj_wipe(buf, (size_t)nc);
		return rc;
	}
	nk = setup_read_file(CREDS_WHO, "iot private key", path, kbuf,
	    CREDS_KEY_MAX, 0);
	if (nk < 0) {
		cpj_wipe(buf, (size_t)nc);
		return (int)nk;
	}
	rc = cpj_tls_client_cert_load(&c->ccert, c->cert_der,
	    sizeof c->cert_der, buf, (size_t)nc, kbuf, (size_t)nk);
	cpj_wipe(kbuf, (size_t)nk);
	cpj_wipe(buf, (size_t)nc);
	if (rc < 0) {
		setup_msg(WHO, "certificate %s / key %s: %s", cert, key,
		    cpj_strerror(rc));
		return rc;
	}
	return cpj_tls_set_client_cert(&c->tls, c->ccert.chain,
	    c->ccert.chain_len, br_skey_decoder_get_rsa(&c->ccert.key),
	    br_skey_decoder_get_ec(&c->ccert.key));
}

/* see creds_prov.h */
int
creds_prov_iot(struct creds_ctx *c, cpj_creds *out)
{
	const struct setup_anchor_room room = {
		c->iot_ca.slots, CREDS_IOT_CA_MAX, c->iot_ca.arena,
		sizeof c->iot_ca.arena, "CREDS_IOT_CA_MAX, CREDS_IOT_CA_STORE: "
		"name the endpoint's root CA only, e.g. Amazon Root CA 1, or no "
		"file for the compiled-in Amazon roots"
	};
	struct iot_cfg s;
	char where[SETUP_URL_PRINT_MAX + 600], safe[SETUP_URL_PRINT_MAX];
	struct setup_client o;
	cpj_creds_fetch_info info;
	int rc, br;

	if ((rc = settings(c, &s)) < 0)
		return rc;
	setup_url_safe(s.url, safe, sizeof safe);
	fmt_snprintf(where, sizeof where, "%s, role alias %s, thing %s", safe,
	    s.alias, s.thing);
	rc = setup_anchors_load(&c->iot_ca.a, &room, CREDS_WHO, "iot CA file",
	    s.ca[0] != '\0' ? s.capath : NULL);
	if (rc < 0)
		return rc;
	memset(&o, 0, sizeof o);
	o.who = WHO;
	o.anchors = &c->iot_ca.a;
	o.connect_ms = IOT_CONNECT_MS;
	o.idle_ms = IOT_IDLE_MS;
	o.request_ms = IOT_REQUEST_MS;
	o.flags = SETUP_PROXY;
	rc = setup_http_client(&c->http, &c->tls, s.url, &o);
	c->http_ready = 1;
	if (rc == 0)
		rc = client_cert(c, s.cert, s.key);
	if (rc < 0) {
		creds_tls_wipe(c);
		return rc;
	}
	creds_dbg(c, "iot-credentials-provider: GET %s/role-aliases/%s/"
	    "credentials (thing %s)", safe, s.alias, s.thing);
	rc = cpj_creds_fetch_iot(out, &c->http, s.alias, s.thing, c->work,
	    sizeof c->work, &info);
	br = cpj_tls_last_br_error(&c->tls);
	creds_tls_wipe(c);
	if (rc == CPJ_ERR_PARAM) {
		setup_msg(WHO, "role alias '%s' or thing name '%s' has "
		    "characters IoT does not allow", s.alias, s.thing);
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (rc < 0) {
		creds_report(CREDS_IOT, where, rc, &info, br);
		if (info.status == 0 && (rc == CPJ_ERR_TLS_ALERT
		    || rc == CPJ_ERR_NET_RESET || rc == CPJ_ERR_NET_CLOSED))
			setup_msg(WHO, "the endpoint may have refused the "
			    "device certificate %s", s.cert);
		/* "not found" from here is a failure, not a next provider */
		return rc == CPJ_ERR_CREDS_NONE ? CPJ_ERR_CREDS_REFUSED : rc;
	}
	return 0;
}
