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
 * \brief 1 when standard retry mode retries this error (throttling,
 *        transient codes, HTTP 500/502/503/504), else 0.
 *
 * Stack: at most 16 bytes.
 */
int cpj_aws_error_retryable(int err, int http_status);

#endif
