/*
 * cmd_credentials.c -- cpjob credentials: run the worker's credential
 * provider chain (creds_chain.h) and print which provider answered, the
 * access key id and the expiration. Never the secret key or the token.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "cli.h"
#include "creds_chain.h"

static const struct cli_opt opts[] = {
	{ "--profile", "P", "profile of the shared files (else AWS_PROFILE, "
	    "\"default\"); naming it skips the environment keys", 1, 0 },
	{ "--debug", NULL, "show each provider's outcome on stderr", 1, 0 },
};

static void
usage(FILE *f)
{
	fmt_fprintf(f,
	    "usage: cpjob credentials [--profile P] [--debug]\n"
	    "\n"
	    "Runs the credential provider chain that cpjob uses (environment,\n"
	    "shared credentials file, config file, AWS IoT credentials\n"
	    "provider, container credentials, IMDSv2) and prints\n"
	    "  {\"source\": ..., \"accessKeyId\": ..., \"expiration\": ...}\n"
	    "source: env, shared-credentials-file, config-file,\n"
	    "iot-credentials-provider, container-role or iam-role; expiration:\n"
	    "ISO-8601 UTC, or null for credentials that do not expire. The\n"
	    "secret key and the session token are never printed.\n\n");
	cli_opts_help(f, opts, 2, 1);
	fmt_fprintf(f, "\n"
	    "The AWS IoT provider is set by CPJOB_IOT_ENDPOINT (host[:port]),\n"
	    "CPJOB_IOT_ROLE_ALIAS, CPJOB_IOT_THING_NAME, CPJOB_IOT_CERT_FILE,\n"
	    "CPJOB_IOT_KEY_FILE and CPJOB_IOT_CA_FILE, or by the profile's\n"
	    "iot_credentials_endpoint, iot_role_alias, iot_thing_name,\n"
	    "iot_cert_file, iot_key_file and iot_ca_file in the config file.\n"
	    "Exit status 0 with credentials, 1 without, 252 for a usage "
	    "error.\n");
}

/* see agent.h */
int
cpj_cmd_credentials(int argc, char **argv)
{
	static cpj_creds creds;
	char source[64], exp[32], out[512];
	const char *profile, *v[2];
	cpj_json_writer w;
	cpj_buf b;
	int rc;

	rc = cli_opts_parse(argc, argv, NULL, opts, 2, 1, v);
	if (rc != 0) {
		if (rc > 0)
			usage(stdout);
		return rc > 0 ? CPJ_EXIT_OK : 252;
	}
	if (v[1] != NULL)
		creds_chain_set_debug(1);
	profile = v[0];
	rc = creds_chain_load(&creds, profile, profile != NULL, source,
	    sizeof source);
	if (rc < 0) {
		creds_chain_cleanup();
		return CPJ_EXIT_FAIL;
	}
	cpj_buf_init(&b, out, sizeof out);
	cpj_json_writer_init(&w, &b);
	cpj_json_object_begin(&w);
	cpj_json_put_key_str(&w, "source", source);
	cpj_json_put_key_str(&w, "accessKeyId", creds.akid);
	cpj_json_put_key(&w, "expiration");
	if (creds.expires != 0) {
		int n = fmt_iso8601(creds.expires, exp, sizeof exp);

		if (n > 0 && (size_t)n < sizeof exp)
			cpj_json_put_str(&w, exp);
		else
			cpj_json_put_i64(&w, creds.expires);
	} else {
		cpj_json_put_null(&w);
	}
	cpj_json_object_end(&w);
	cpj_creds_clear(&creds);
	creds_chain_cleanup();
	if (cpj_json_writer_finish(&w) < 0) {
		fmt_eprintf("cpjob credentials: output too long\n");
		return CPJ_EXIT_FAIL;
	}
	fmt_printf("%s\n", out);
	return CPJ_EXIT_OK;
}
