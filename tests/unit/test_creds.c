/*
 * test_creds.c -- explicit credentials and the shared INI files.
 */
#include <string.h>

#include "harness.h"
#include "inner.h"

static cpj_creds c;

static const char cred_file[] =
    "# comment\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=secretdefault\r\n"
    "\n"
    "[dev]\n"
    "aws_access_key_id=AKIDDEV\n"
    "  aws_secret_access_key = nested-not-a-key\n"
    "aws_secret_access_key = secret/dev+x\n"
    "aws_session_token = tok==\n"
    "[empty]\n"
    "aws_access_key_id =\n"
    "aws_secret_access_key = s\n";

static const char config_file[] =
    "[default]\n"
    "region = eu-west-1\n"
    "[profile dev]\n"
    "region=us-west-2\n"
    "s3 =\n"
    "  region = wrong\n"
    "aws_access_key_id = AKIDCFG\n"
    "aws_secret_access_key = secretcfg\n";

static int
explicit_set(void)
{
	char big[CPJ_CREDS_TOKEN_MAX + 2];

	CHECK_EQ(cpj_creds_set(&c, "AKID", "secret", NULL, 0), 0);
	CHECK(cpj_creds_present(&c));
	CHECK(strcmp(c.token, "") == 0);
	CHECK_EQ(cpj_creds_set(&c, "", "secret", NULL, 0), CPJ_ERR_SIGV4_CREDS);
	CHECK(!cpj_creds_present(&c));
	CHECK_EQ(cpj_creds_set(&c, "AK ID", "secret", NULL, 0), CPJ_ERR_SIGV4_CREDS);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_EQ(cpj_creds_set(&c, "AKID", "s", big, 0), CPJ_ERR_CREDS_FORMAT);
	CHECK(!cpj_creds_present(&c));
	big[CPJ_CREDS_TOKEN_MAX] = '\0';     /* exactly the maximum fits */
	CHECK_EQ(cpj_creds_set(&c, "AKID", "s", big, 7), 0);
	CHECK_EQ(strlen(c.token), CPJ_CREDS_TOKEN_MAX);
	CHECK_EQ(c.expires, 7);
	return 0;
}

static int
clear_wipes(void)
{
	const unsigned char *p = (const unsigned char *)&c;
	size_t i;

	CHECK_EQ(cpj_creds_set(&c, "AKID", "verysecret", "token", 0), 0);
	cpj_creds_clear(&c);
	for (i = 0; i < sizeof c; i++)
		CHECK_EQ(p[i], 0);
	return 0;
}

static int
credentials_file(void)
{
	CHECK_EQ(cpj_creds_from_ini(&c, cred_file, sizeof cred_file - 1, "default", 0), 0);
	CHECK(strcmp(c.akid, "AKIDDEFAULT") == 0);
	CHECK(strcmp(c.secret, "secretdefault") == 0);
	CHECK(strcmp(c.token, "") == 0);
	CHECK_EQ(cpj_creds_from_ini(&c, cred_file, sizeof cred_file - 1, "dev", 0), 0);
	CHECK(strcmp(c.akid, "AKIDDEV") == 0);
	CHECK(strcmp(c.secret, "secret/dev+x") == 0);
	CHECK(strcmp(c.token, "tok==") == 0);
	CHECK_EQ(cpj_creds_from_ini(&c, cred_file, sizeof cred_file - 1, "nope", 0),
	    CPJ_ERR_CREDS_NONE);
	CHECK_EQ(cpj_creds_from_ini(&c, cred_file, sizeof cred_file - 1, "empty", 0),
	    CPJ_ERR_CREDS_NONE);
	CHECK(!cpj_creds_present(&c));
	return 0;
}

static int
config_file_profiles(void)
{
	char region[32];

	CHECK_EQ(cpj_ini_get(config_file, sizeof config_file - 1, "default",
	    "region", region, sizeof region), 9);
	CHECK(strcmp(region, "eu-west-1") == 0);
	CHECK_EQ(cpj_ini_get(config_file, sizeof config_file - 1, "profile dev",
	    "region", region, sizeof region), 9);
	CHECK(strcmp(region, "us-west-2") == 0);
	CHECK_EQ(cpj_ini_get(config_file, sizeof config_file - 1, "profile dev",
	    "region", region, 9), CPJ_ERR_NOSPACE);
	CHECK_EQ(cpj_creds_from_ini(&c, config_file, sizeof config_file - 1, "dev", 1), 0);
	CHECK(strcmp(c.akid, "AKIDCFG") == 0);
	/* no NUL terminator needed: parse a prefix that cuts the file */
	CHECK_EQ(cpj_ini_get(config_file, 20, "default", "region", region,
	    sizeof region), 1);
	CHECK(strcmp(region, "e") == 0);
	return 0;
}

int
main(void)
{
	RUN(explicit_set);
	RUN(clear_wipes);
	RUN(credentials_file);
	RUN(config_file_profiles);
	return H_EXIT();
}
