/*
 * creds_prov.c -- what the credential providers share (creds_prov.h):
 * their names, debug lines and failure messages, the network-error test,
 * the wipe of a provider's TLS client, and the one file buffer (the
 * config file, or another file in its place).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "creds_prov.h"

static const char *const pname[] = {
	"", "env", "shared-credentials-file", "config-file",
	"iot-credentials-provider", "container-role", "iam-role"
};

/* see creds_prov.h */
const char *
creds_name(int kind)
{
	return kind > CREDS_NONE && kind <= CREDS_IMDS ? pname[kind] : "";
}

/* see creds_prov.h */
void
creds_dbg(const struct creds_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->debug)
		return;
	va_start(ap, fmt);
	setup_vmsg(CREDS_WHO, fmt, ap);
	va_end(ap);
}

/* see creds_prov.h */
void
creds_describe(char *out, size_t cap, int rc, const cpj_creds_fetch_info *info)
{
	size_t n;

	out[0] = '\0';
	if (info != NULL && info->status != 0
	    && (rc == CPJ_ERR_CREDS_REFUSED || rc == CPJ_ERR_CREDS_PROVIDER
	    || rc == CPJ_ERR_CREDS_NONE))
		fmt_snprintf(out, cap, "HTTP %d on %s: ", info->status,
		    info->step);
	n = strlen(out);
	fmt_snprintf(out + n, cap - n, "%s", cpj_strerror(rc));
	n = strlen(out);
	if (info != NULL && info->field != NULL)
		fmt_snprintf(out + n, cap - n, "; member %s", info->field);
}

/* see creds_prov.h */
void
creds_report(int kind, const char *where, int rc,
	const cpj_creds_fetch_info *info, int br)
{
	char why[512];

	creds_describe(why, sizeof why, rc, info);
	if (br != 0 && rc <= CPJ_ERR_TLS_HANDSHAKE && rc >= CPJ_ERR_TLS_IO)
		fmt_snprintf(why + strlen(why), sizeof why - strlen(why),
		    " (BearSSL error %d%s%s)", br,
		    setup_tls_why(br)[0] != '\0' ? ": " : "",
		    setup_tls_why(br));
	setup_msg(CREDS_WHO, "%s (%s): %s", creds_name(kind), where, why);
}

/* see creds_prov.h */
int
creds_is_net_error(int rc)
{
	return (rc <= CPJ_ERR_NET_RESOLVE && rc >= CPJ_ERR_NET_URL)
	    || rc == CPJ_ERR_TIMEOUT || rc == CPJ_ERR_HTTP_TRUNCATED;
}

/* see creds_prov.h */
void
creds_tls_wipe(struct creds_ctx *c)
{
	if (c->http_ready)
		cpj_http_client_close(&c->http);
	c->http_ready = 0;
	cpj_tls_client_cert_wipe(&c->ccert);
	cpj_wipe(&c->ccert, sizeof c->ccert);
	cpj_wipe(c->cert_der, sizeof c->cert_der);
	cpj_wipe(&c->tls, sizeof c->tls);
}

/* see creds_prov.h */
int
creds_profile(struct creds_ctx *c)
{
	int rc;

	if (c->cfg_in)
		return 0;
	rc = setup_profile_load(&c->prof, CREDS_WHO);
	c->cfg_in = rc == 0;
	return rc;
}

/* see creds_prov.h */
char *
creds_file(struct creds_ctx *c)
{
	setup_profile_wipe(&c->prof);
	c->cfg_in = 0;
	return c->file;
}
