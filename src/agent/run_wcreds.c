/*
 * run_wcreds.c -- the worker's credentials, kept fresh for every signed
 * CodePipeline request of `cpjob run` (see run.h, run_cp_call).
 *
 * Credentials that expire (IoT credentials provider, container, IMDS,
 * AWS_CREDENTIAL_EXPIRATION) are refreshed here before the request that
 * needs them, not only between polls: a handler that outlives them must
 * not leave its report, acknowledgements or GetJobDetails signed with
 * expired ones. Credentials that do not expire (static keys) are never
 * fetched again: an answer that rejects them is returned as it is.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "setup.h"
#include "creds_chain.h"

static uint64_t last_fetch_ms;
static int fetched;

/* Refresh when due (or forced); throttled. */
static void
refresh(int force)
{
	cpj_creds *c = cli_creds();
	int64_t now = (int64_t)time(NULL);
	uint64_t ms = run_now_ms();
	int rc;

	if (!force && !cpj_creds_should_refresh(c, now))
		return;
	if (fetched && ms - last_fetch_ms < RUN_CREDS_FETCH_GAP_MS)
		return;
	if (force) {
		if (c->expires == 0)
			return;         /* static keys: nothing to fetch */
		/* due now, and kept if the fetch fails (they may still be
		 * good: the service's clock decides) */
		c->expires = now + 1;
	}
	fetched = 1;
	last_fetch_ms = ms;
	rc = creds_chain_refresh_if_needed(c, now);
	if (rc == 1) {
		(void)cpj_cp_set_credentials(cli_cp(), c);
		LOG_I("worker credentials refreshed%s", force ? " (the service "
		    "refused the old ones)" : "");
	} else if (rc < 0 && rc != CPJ_ERR_STATE) {
		LOG_W("worker credentials: refresh failed: %s",
		    cpj_strerror(rc));
	}
}

/* 1 if the service's answer means the credentials are expired or not
 * (or no longer) known. */
static int
rejected(const cpj_cp_context *cp, int rc)
{
	static const char *const codes[] = {
		"ExpiredToken", "ExpiredTokenException",
		"InvalidClientTokenId", "UnrecognizedClientException",
		"RequestExpired"
	};
	size_t i;

	if (rc >= 0)
		return 0;
	for (i = 0; i < CPJ_ARRAY_LEN(codes); i++) {
		if (strcmp(cp->code, codes[i]) == 0)
			return 1;
	}
	return rc == CPJ_ERR_API_EXPIRED_TOKEN
	    || rc == CPJ_ERR_API_UNRECOGNIZED_CLIENT;
}

/* see run.h */
int
run_cp_call(run_cp_op op, void *arg)
{
	cpj_cp_context *cp = cli_cp();
	int rc;

	refresh(0);
	rc = op(cp, arg);
	if (rejected(cp, rc) && !run_stopping()) {
		LOG_W("%s: the worker credentials were refused; fetching "
		    "fresh ones", cp->code[0] != '\0' ? cp->code
		    : cpj_strerror(rc));
		fetched = 0;    /* not throttled: the service said so */
		refresh(1);
		rc = op(cp, arg);
	}
	return rc;
}

/* see run.h */
void
run_cp_error(int rc, char *out, size_t cap)
{
	const cpj_cp_context *cp = cli_cp();
	const cpj_http_client *http = cli_http();
	const char *why = "";

	/* a TLS failure: why, in words */
	if (rc <= CPJ_ERR_TLS_HANDSHAKE && rc > CPJ_ERR_HTTP_STATUS_LINE
	    && http->tls != NULL)
		why = setup_tls_why(cpj_tls_last_br_error(http->tls));
	fmt_snprintf(out, cap, "%s%s%s%s%s%s", cp->code[0] != '\0' ? cp->code
	    : cpj_strerror(rc), cp->message[0] != '\0' ? ": " : "",
	    cp->message, why[0] != '\0' ? " (" : "", why,
	    why[0] != '\0' ? ")" : "");
}
