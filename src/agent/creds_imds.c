/*
 * creds_imds.c -- the iam-role provider of the credential chain
 * (creds_prov.h; settings in creds_chain.h): IMDSv2 over plain http, with
 * short timeouts so that a device without IMDS does not stall. As in
 * botocore, any trouble with IMDS means "no credentials here": the cause
 * is kept in c->imds_why for the chain's final message.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "creds_prov.h"

#define WHO "credentials: iam-role"

#define IMDS_V4 "http://169.254.169.254"
#define IMDS_V6 "http://[fd00:ec2::254]"

/* The endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT, else by the mode. */
static int
endpoint(struct creds_ctx *c, char *out, size_t cap)
{
	char mode[16];
	int n;

	n = setup_setting(&c->prof, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	    "ec2_metadata_service_endpoint", out, cap, CREDS_WHO);
	if (n != 0)
		return n < 0 ? n : 0;
	n = setup_setting(&c->prof, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	    "ec2_metadata_service_endpoint_mode", mode, sizeof mode,
	    CREDS_WHO);
	if (n < 0)
		return n;
	if (n == 0 || strcasecmp(mode, "IPv4") == 0)
		fmt_snprintf(out, cap, "%s", IMDS_V4);
	else if (strcasecmp(mode, "IPv6") == 0)
		fmt_snprintf(out, cap, "%s", IMDS_V6);
	else {
		setup_msg(WHO, "endpoint mode '%s': IPv4 or IPv6", mode);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return 0;
}

/* see creds_prov.h */
int
creds_prov_imds(struct creds_ctx *c, cpj_creds *out)
{
	const char *v = setup_env("AWS_EC2_METADATA_DISABLED");
	char url[CPJ_HOST_MAX + 32], num[16], safe[CPJ_HOST_MAX + 40];
	struct setup_client o;
	cpj_creds_fetch_info info;
	long attempts = 1, k;
	uint64_t timeout = 1000;
	int n, rc = 0;

	c->imds_why[0] = '\0';
	if (v != NULL && strcasecmp(v, "true") == 0) {
		creds_dbg(c, "iam-role: AWS_EC2_METADATA_DISABLED is true");
		return CPJ_ERR_CREDS_NONE;
	}
	if ((rc = creds_profile(c)) < 0
	    || (rc = endpoint(c, url, sizeof url)) < 0)
		return rc;
	setup_url_safe(url, safe, sizeof safe);
	n = setup_setting(&c->prof, "AWS_METADATA_SERVICE_TIMEOUT",
	    "metadata_service_timeout", num, sizeof num, CREDS_WHO);
	if (n < 0 || (n > 0 && (setup_duration_ms(num, 0, 60000, &timeout) < 0
	    || timeout < 1000))) {
		setup_msg(WHO, "metadata service timeout must be 1..60 seconds");
		return CPJ_ERR_AGENT_CONFIG;
	}
	n = setup_setting(&c->prof, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
	    "metadata_service_num_attempts", num, sizeof num, CREDS_WHO);
	if (n < 0 || (n > 0 && setup_number(num, 1, 10, &attempts) < 0)) {
		setup_msg(WHO, "metadata service attempts must be 1..10");
		return CPJ_ERR_AGENT_CONFIG;
	}
	memset(&o, 0, sizeof o);
	o.who = WHO;
	o.connect_ms = (uint32_t)timeout;
	o.idle_ms = (uint32_t)timeout;
	o.request_ms = (uint32_t)timeout * 2;
	rc = setup_http_client(&c->http, NULL, url, &o);
	c->http_ready = 1;
	if (rc < 0)
		return rc;      /* the endpoint URL: message printed */
	for (k = 0; k < attempts; k++) {
		creds_dbg(c, "iam-role: IMDSv2 at %s (attempt %ld)", safe, k + 1);
		rc = cpj_creds_fetch_imds(out, &c->http, c->work, sizeof c->work,
		    &info);
		if (rc == 0 || !creds_is_net_error(rc))
			break;
	}
	cpj_http_client_close(&c->http);
	if (rc < 0) {
		char why[200];

		creds_describe(why, sizeof why, rc, &info);
		fmt_snprintf(c->imds_why, sizeof c->imds_why, "%s: %s", safe, why);
		creds_dbg(c, "iam-role: %s", c->imds_why);
		return CPJ_ERR_CREDS_NONE;
	}
	if (info.role[0] != '\0')
		creds_dbg(c, "iam-role: role %s", info.role);
	return 0;
}
