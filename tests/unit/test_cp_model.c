/*
 * test_cp_model.c -- endpoints, error-code mapping and input checks.
 */
#include <string.h>

#include "harness.h"
#include "inner.h"

static int
endpoints(void)
{
	char host[96], sr[32];

	CHECK_EQ(cpj_cp_endpoint_host("us-east-1", 0, host, sizeof host, sr, sizeof sr), 36);
	CHECK(strcmp(host, "codepipeline.us-east-1.amazonaws.com") == 0);
	CHECK(strcmp(sr, "us-east-1") == 0);
	CHECK(cpj_cp_endpoint_host("cn-north-1", 0, host, sizeof host, NULL, 0) > 0);
	CHECK(strcmp(host, "codepipeline.cn-north-1.amazonaws.com.cn") == 0);
	CHECK(cpj_cp_endpoint_host("us-gov-west-1", 1, host, sizeof host, NULL, 0) > 0);
	CHECK(strcmp(host, "codepipeline-fips.us-gov-west-1.amazonaws.com") == 0);
	CHECK(cpj_cp_endpoint_host("fips-us-east-2", 0, host, sizeof host, sr, sizeof sr) > 0);
	CHECK(strcmp(host, "codepipeline-fips.us-east-2.amazonaws.com") == 0);
	CHECK(strcmp(sr, "us-east-2") == 0);
	CHECK(cpj_cp_endpoint_host("us-iso-east-1", 0, host, sizeof host, NULL, 0) > 0);
	CHECK(strcmp(host, "codepipeline.us-iso-east-1.c2s.ic.gov") == 0);
	CHECK(cpj_cp_endpoint_host("us-isob-east-1", 0, host, sizeof host, NULL, 0) > 0);
	CHECK(strcmp(host, "codepipeline.us-isob-east-1.sc2s.sgov.gov") == 0);
	CHECK_EQ(cpj_cp_endpoint_host("US-east-1", 0, host, sizeof host, NULL, 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_cp_endpoint_host("", 0, host, sizeof host, NULL, 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_cp_endpoint_host("a.b", 0, host, sizeof host, NULL, 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_cp_endpoint_host("x234567890123456789012345678901", 0, host,
	    sizeof host, NULL, 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_cp_endpoint_host("us-east-1", 0, host, 36, NULL, 0), CPJ_ERR_NOSPACE);
	return 0;
}

static int
errors(void)
{
#define E(s, st) cpj_aws_error_code(s, strlen(s), st)
	CHECK_EQ(E("JobNotFoundException", 400), CPJ_ERR_API_JOB_NOT_FOUND);
	CHECK_EQ(E("com.amazonaws.codepipeline#InvalidNonceException", 400),
	    CPJ_ERR_API_INVALID_NONCE);
	CHECK_EQ(E("a#b#ThrottlingException", 400), CPJ_ERR_API_THROTTLED);
	CHECK_EQ(E("ValidationException:http://internal.amazon.com/coral/", 400),
	    CPJ_ERR_API_VALIDATION);
	CHECK_EQ(E("InvalidSignatureException", 400), CPJ_ERR_API_SIGNATURE);
	CHECK_EQ(E("ExpiredTokenException", 400), CPJ_ERR_API_EXPIRED_TOKEN);
	CHECK_EQ(E("UnrecognizedClientException", 400), CPJ_ERR_API_UNRECOGNIZED_CLIENT);
	CHECK_EQ(E("AccessDeniedException", 400), CPJ_ERR_API_ACCESS_DENIED);
	CHECK_EQ(E("OutputVariablesSizeExceededException", 400),
	    CPJ_ERR_API_OUTPUT_VARIABLES_SIZE);
	CHECK_EQ(E("SomethingNew", 400), CPJ_ERR_API_UNKNOWN);
	CHECK_EQ(E("", 503), CPJ_ERR_API_SERVER);
	CHECK_EQ(E("", 429), CPJ_ERR_API_THROTTLED);
	CHECK_EQ(E("JobNotFound", 400), CPJ_ERR_API_UNKNOWN);
	CHECK(cpj_aws_error_retryable(CPJ_ERR_API_THROTTLED, 400));
	CHECK(cpj_aws_error_retryable(CPJ_ERR_API_UNKNOWN, 502));
	CHECK(!cpj_aws_error_retryable(CPJ_ERR_API_VALIDATION, 400));
	CHECK(!cpj_aws_error_retryable(CPJ_ERR_API_UNKNOWN, 501));
#undef E
	return 0;
}

static int
checks(void)
{
	char big[5002];

	CHECK_EQ(cpj_cp_check_job_id("0f6c2a4e-2f1b-4b7e-9c35-6f2d8e9a1b3c"), 0);
	CHECK(cpj_cp_check_job_id("0F6C2A4E-2f1b-4b7e-9c35-6f2d8e9a1b3c") < 0);
	CHECK(cpj_cp_check_job_id("0f6c2a4e-2f1b-4b7e-9c35-6f2d8e9a1b3") < 0);
	CHECK(cpj_cp_check_job_id("0f6c2a4e-2f1b-4b7e-9c35-6f2d8e9a1b3cd") < 0);
	CHECK(cpj_cp_check_job_id("0f6c2a4e_2f1b-4b7e-9c35-6f2d8e9a1b3c") < 0);
	CHECK(cpj_cp_check_job_id("") < 0);
	CHECK_EQ(cpj_cp_check_len("abc", 1, 3), 0);
	CHECK(cpj_cp_check_len("abcd", 1, 3) < 0);
	CHECK(cpj_cp_check_len("", 1, 3) < 0);
	CHECK_EQ(cpj_cp_check_len(NULL, 0, 3), 0);
	CHECK(cpj_cp_check_len(NULL, 1, 3) < 0);
	/* "é" is one unit, U+1F600 two (UTF-16), invalid UTF-8 rejected */
	CHECK_EQ(cpj_cp_check_len("\xc3\xa9\xc3\xa9", 2, 2), 0);
	CHECK_EQ(cpj_cp_check_len("\xf0\x9f\x98\x80", 2, 2), 0);
	CHECK(cpj_cp_check_len("\xf0\x9f\x98\x80", 1, 1) < 0);
	CHECK(cpj_cp_check_len("\xc3", 0, 5) < 0);
	CHECK(cpj_cp_check_len("\xc0\x80", 0, 5) < 0);
	memset(big, 'm', 5000);
	big[5000] = '\0';
	CHECK_EQ(cpj_cp_check_len(big, 1, 5000), 0);
	big[5000] = 'm';
	big[5001] = '\0';
	CHECK(cpj_cp_check_len(big, 1, 5000) < 0);
	CHECK_EQ(cpj_cp_check_token_chars("My_Provider-1", 1, 35), 0);
	CHECK(cpj_cp_check_token_chars("My Provider", 1, 35) < 0);
	CHECK(cpj_cp_check_token_chars("1234567890", 1, 9) < 0);
	CHECK_EQ(cpj_cp_check_enum("Deploy", CPJ_CP_ENUM_CATEGORY), 0);
	CHECK(cpj_cp_check_enum("deploy", CPJ_CP_ENUM_CATEGORY) < 0);
	CHECK_EQ(cpj_cp_check_enum("Custom", CPJ_CP_ENUM_OWNER), 0);
	CHECK_EQ(cpj_cp_check_enum("SystemUnavailable", CPJ_CP_ENUM_FAILURE_TYPE), 0);
	CHECK(cpj_cp_check_enum("Oops", CPJ_CP_ENUM_FAILURE_TYPE) < 0);
	CHECK(cpj_cp_check_enum(NULL, CPJ_CP_ENUM_OWNER) < 0);
	return 0;
}

int
main(void)
{
	RUN(endpoints);
	RUN(errors);
	RUN(checks);
	return H_EXIT();
}
