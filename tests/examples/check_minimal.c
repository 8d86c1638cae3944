/*
 * check_minimal.c -- what the minimal profile (include/cpj_config_minimal.h)
 * refuses, checked without a network: built only with PROFILE=minimal
 * (tests/examples/examples.mk) and run by tests/scripts/test_examples.py,
 * which also runs ex_poll_once and ex_worker of the same build against the
 * emulator. Prints PASS/FAIL lines.
 */
#include <stdio.h>
#include <string.h>

#include "cpj.h"
#include "cp/cp_int.h"     /* the job parser: not API, checked here */

#if CPJ_CONFIG_S3 || CPJ_CONFIG_CREDS_PROVIDERS || CPJ_CONFIG_TLS_CLIENT_CERT \
	|| CPJ_CONFIG_THIRD_PARTY || CPJ_CONFIG_SIGV4_PRESIGN \
	|| CPJ_CONFIG_STRERROR || CPJ_CONFIG_LOG_LEVEL != 0
#error "check_minimal.c is built with the minimal profile only"
#endif

static const char job_id[] = "11111111-2222-4333-8444-555555555555";

static br_x509_trust_anchor slots[CPJ_TLS_BUILTIN_ANCHORS];
static unsigned char arena[64], work[4096];
static char window[1024], storage[1024];
static cpj_tls_anchors anchors;
static cpj_tls_context tls;
static cpj_http_client http;
static cpj_cp_context cp;
static cpj_jobs_parser parser;
static cpj_json_tok tokens[16];
static cpj_job jobs[1];
static int failed;

static void
check(const char *name, int ok, long got)
{
	printf("%s minimal_%s", ok ? "PASS" : "FAIL", name);
	if (!ok)
		printf(" (got %ld)", got);
	printf("\n");
	failed |= !ok;
}

int
main(void)
{
	cpj_cp_jobs_buf jb = { &parser, window, sizeof window, tokens, 16,
	    jobs, 1, storage, sizeof storage };
	cpj_cp_failure f = { "JobFailed", "no", NULL };
	char status[32];
	int rc;

	check("strerror_is_empty", cpj_strerror(CPJ_ERR_TIMEOUT)[0] == '\0', 0);
	rc = cpj_jobs_parser_init(&parser, CPJ_JOBS_THIRD_PARTY_POLL, window,
	    sizeof window, tokens, 16, jobs, 1, storage, sizeof storage);
	check("third_party_parser_unsupported", rc == CPJ_ERR_UNSUPPORTED, rc);
	rc = cpj_jobs_parser_init(&parser, CPJ_JOBS_POLL, window,
	    sizeof window, tokens, 16, jobs, 1, storage, sizeof storage);
	check("custom_parser_ok", rc == 0, rc);

	cpj_http_client_init(&http, &tls);
	rc = cpj_tls_anchors_init(&anchors, slots, CPJ_TLS_BUILTIN_ANCHORS,
	    arena, sizeof arena, 1);
	if (rc == 0)
		rc = cpj_tls_init(&tls, &anchors);
	if (rc == 0)
		rc = cpj_http_client_set_url(&http, "https://127.0.0.1:9");
	if (rc == 0)
		rc = cpj_cp_init(&cp, &http, "us-east-1", work, sizeof work);
	check("cp_init", rc == 0, rc);
	/* a client token means a third-party job: refused before any I/O */
	rc = cpj_cp_acknowledge_job(&cp, "tp-job", "1", "token", status,
	    sizeof status);
	check("third_party_ack_unsupported", rc == CPJ_ERR_UNSUPPORTED, rc);
	rc = cpj_cp_get_job_details(&cp, "tp-job", "token", &jb);
	check("third_party_details_unsupported", rc == CPJ_ERR_UNSUPPORTED, rc);
	rc = cpj_cp_put_job_success(&cp, "tp-job", "token", NULL);
	check("third_party_success_unsupported", rc == CPJ_ERR_UNSUPPORTED, rc);
	rc = cpj_cp_put_job_failure(&cp, "tp-job", "token", &f);
	check("third_party_failure_unsupported", rc == CPJ_ERR_UNSUPPORTED, rc);
	check("third_party_field_named", strcmp(cp.message, "") != 0
	    && strstr(cp.message, "clientToken") != NULL, 0);
	/* custom jobs still go through the checks (no credentials: refused
	 * before the network too) */
	rc = cpj_cp_acknowledge_job(&cp, job_id, "1", NULL, status,
	    sizeof status);
	check("custom_ack_needs_credentials", rc < 0
	    && rc != CPJ_ERR_UNSUPPORTED, rc);
	cpj_cp_clear(&cp);
	cpj_http_client_close(&http);
	return failed;
}
