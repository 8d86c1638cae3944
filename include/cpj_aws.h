/*
 * cpj_aws.h -- what every AWS client of the library shares: AWS error
 * codes and the standard retry mode's rule for them.
 */
/** \file
 * \brief AWS error classification shared by the CodePipeline and S3 clients.
 */
#ifndef CPJ_AWS_H
#define CPJ_AWS_H

#include <stddef.h>

/**
 * \brief Map an AWS error code to a CPJ_ERR_API_* value.
 *
 * Stack: at most 80 bytes.
 *
 * \param type, len  the code as found in `__type` (a "namespace#" prefix is
 *                   dropped) or in x-amzn-ErrorType ("Code:..." suffix
 *                   dropped); len 0 when there was none.
 * \param http_status the response status, used when the code is unknown
 *                   (429 throttled, 5xx server).
 * \return a CPJ_ERR_API_* code (never 0).
 */
int cpj_aws_error_code(const char *type, size_t len, int http_status);

/**
 * \brief 1 when standard retry mode retries this error (throttling,
 *        transient codes, HTTP 500/502/503/504), else 0.
 *
 * Stack: at most 16 bytes.
 */
int cpj_aws_error_retryable(int err, int http_status);

#endif
