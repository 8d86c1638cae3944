/*
 * aws_error.c -- AWS error codes (the part of __type after '#') to
 * CPJ_ERR_API_* values, and which errors a retry may cure.
 */
#include "inner.h"

static const struct {
	const char *code;
	int err;
} codes[] = {
	{ "ValidationException", CPJ_ERR_API_VALIDATION },
	{ "ActionTypeNotFoundException", CPJ_ERR_API_ACTION_TYPE_NOT_FOUND },
	{ "JobNotFoundException", CPJ_ERR_API_JOB_NOT_FOUND },
	{ "InvalidNonceException", CPJ_ERR_API_INVALID_NONCE },
	{ "InvalidJobStateException", CPJ_ERR_API_INVALID_JOB_STATE },
	{ "InvalidClientTokenException", CPJ_ERR_API_INVALID_CLIENT_TOKEN },
	{ "InvalidJobException", CPJ_ERR_API_INVALID_JOB_STATE },
	{ "OutputVariablesSizeExceededException", CPJ_ERR_API_OUTPUT_VARIABLES_SIZE },
	{ "InvalidSignatureException", CPJ_ERR_API_SIGNATURE },
	{ "SignatureDoesNotMatch", CPJ_ERR_API_SIGNATURE },
	{ "IncompleteSignatureException", CPJ_ERR_API_SIGNATURE },
	{ "ExpiredTokenException", CPJ_ERR_API_EXPIRED_TOKEN },
	{ "ExpiredToken", CPJ_ERR_API_EXPIRED_TOKEN },
	{ "RequestExpired", CPJ_ERR_API_CLOCK_SKEW },
	{ "UnrecognizedClientException", CPJ_ERR_API_UNRECOGNIZED_CLIENT },
	{ "InvalidAccessKeyId", CPJ_ERR_API_UNRECOGNIZED_CLIENT },
	{ "AccessDeniedException", CPJ_ERR_API_ACCESS_DENIED },
	{ "AccessDenied", CPJ_ERR_API_ACCESS_DENIED },
	/* botocore's throttling set (retries/standard.py) */
	{ "Throttling", CPJ_ERR_API_THROTTLED },
	{ "ThrottlingException", CPJ_ERR_API_THROTTLED },
	{ "ThrottledException", CPJ_ERR_API_THROTTLED },
	{ "RequestThrottledException", CPJ_ERR_API_THROTTLED },
	{ "TooManyRequestsException", CPJ_ERR_API_THROTTLED },
	{ "ProvisionedThroughputExceededException", CPJ_ERR_API_THROTTLED },
	{ "TransactionInProgressException", CPJ_ERR_API_THROTTLED },
	{ "RequestLimitExceeded", CPJ_ERR_API_THROTTLED },
	{ "BandwidthLimitExceeded", CPJ_ERR_API_THROTTLED },
	{ "LimitExceededException", CPJ_ERR_API_THROTTLED },
	{ "RequestThrottled", CPJ_ERR_API_THROTTLED },
	{ "SlowDown", CPJ_ERR_API_THROTTLED },
	{ "PriorRequestNotComplete", CPJ_ERR_API_THROTTLED },
	{ "EC2ThrottledException", CPJ_ERR_API_THROTTLED },
	/* transient */
	{ "RequestTimeout", CPJ_ERR_API_SERVER },
	{ "RequestTimeoutException", CPJ_ERR_API_SERVER },
	{ "InternalFailure", CPJ_ERR_API_SERVER },
	{ "InternalError", CPJ_ERR_API_SERVER },
	{ "ServiceUnavailable", CPJ_ERR_API_SERVER },
	{ "ServiceUnavailableException", CPJ_ERR_API_SERVER },
};

/* see cpj_aws.h */
int
cpj_aws_error_code(const char *type, size_t len, int http_status)
{
	const char *hash;
	size_t i;

	/* keep the part after the last '#', and drop anything from ':' on
	   (the x-amzn-ErrorType header form "Code:http://...") */
	while ((hash = memchr(type, '#', len)) != NULL) {
		len -= (size_t)(hash + 1 - type);
		type = hash + 1;
	}
	for (i = 0; i < len; i++) {
		if (type[i] == ':') {
			len = i;
			break;
		}
	}
	if (len > 0) {
		for (i = 0; i < CPJ_ARRAY_LEN(codes); i++) {
			if (strlen(codes[i].code) == len
			    && memcmp(codes[i].code, type, len) == 0)
				return codes[i].err;
		}
	}
	if (http_status == 429)
		return CPJ_ERR_API_THROTTLED;
	if (http_status >= 500)
		return CPJ_ERR_API_SERVER;
	if (http_status == 403 && len == 0)
		return CPJ_ERR_API_ACCESS_DENIED;
	return CPJ_ERR_API_UNKNOWN;
}

/* see cpj_aws.h */
int
cpj_aws_error_retryable(int err, int http_status)
{
	if (err == CPJ_ERR_API_THROTTLED || err == CPJ_ERR_API_SERVER)
		return 1;
	switch (http_status) {
	case 500: case 502: case 503: case 504:
		return 1;
	}
	return 0;
}
