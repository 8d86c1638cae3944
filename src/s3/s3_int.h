/*
 * s3_int.h -- internal declarations shared by the S3 client's sources
 * and its tests. Included by inner.h; not API (names may change in any
 * release; the "Stack:" figures are as last measured: `make size` checks
 * include/ only).
 */
#ifndef CPJ_S3_INT_H
#define CPJ_S3_INT_H

#if CPJ_CONFIG_S3
/* 1 when r is a region name: 1..30 of [a-z0-9-], no '-' at either end. */
int cpj_s3_region_ok(const char *r);
/* GetObject or PutObject (s3->opt and s3->is_get set): `label` is "s3: "
 * and the operation, e.g. "s3: GetObject"; see s3_call.c. */
int cpj_s3_call(cpj_s3_context *s3, const char *label, const char *bucket,
	const char *key);
#endif

/* ---- error bodies and codes (s3_error.c), bucket names, keys and
 * request targets (s3_endpoint.c): the client's and the tests' -------- */

#if CPJ_CONFIG_S3 /* cpj_config.h; the whole interface, or none of it */
/** \brief Start a scan (every field empty).
 *
 * Stack: at most 16 bytes.
 */
void cpj_s3_xml_init(cpj_s3_xml *x);

/**
 * \brief Feed the next bytes of the body (split anywhere, any length,
 *        0 allowed); `data` is borrowed for the call. Never fails: input
 *        it cannot use is skipped (and a NULL `x` or `data` is ignored).
 *
 * Stack: at most 176 bytes.
 */
void cpj_s3_xml_feed(cpj_s3_xml *x, const void *data, size_t len);

/**
 * \brief 1 when the body was an `<Error>` whose Code was kept, else 0.
 *        (The fields hold what was kept either way.)
 *
 * Stack: at most 16 bytes.
 */
int cpj_s3_xml_found(const cpj_s3_xml *x);

/**
 * \brief Map an S3 error code and HTTP status to a CPJ_ERR_* value
 *        (see the file comment).
 *
 * Stack: at most 144 bytes.
 *
 * \param code         the `<Code>` text, or "" / NULL when there was none:
 *                     then 404 is CPJ_ERR_S3_NOT_FOUND, 403
 *                     CPJ_ERR_S3_ACCESS_DENIED, 429 CPJ_ERR_API_THROTTLED,
 *                     5xx CPJ_ERR_API_SERVER, anything else
 *                     CPJ_ERR_S3_ERROR.
 * \param http_status  the response status.
 * \return a negative CPJ_ERR_* code (never 0).
 */
int cpj_s3_error_map(const char *code, int http_status);

/**
 * \brief 1 if `bucket` may be used in a host name (botocore's
 *        isVirtualHostableS3Bucket without sub-domains): 3..63 bytes of
 *        a-z 0-9 '-', not starting or ending with '-', not shaped like
 *        an IPv4 address; else 0 (dots, upper case, '_' included, and
 *        NULL).
 *
 * Stack: at most 32 bytes.
 */
int cpj_s3_bucket_virtual_hostable(const char *bucket);

/**
 * \brief Percent-encode an object key for the request path.
 *
 * Every byte outside A-Z a-z 0-9 - . _ ~ and '/' becomes %XX (upper-case
 * hex); '/' is kept, so "Build Output/AbC+dEf~G" gives
 * "Build%20Output/AbC%2BdEf~G".
 *
 * Stack: at most 176 bytes.
 *
 * \param key   NUL-terminated, 1..CPJ_S3_KEY_MAX bytes; borrowed.
 * \param out   receives the NUL-terminated path part.
 * \param cap   its size (3 x the key length + 1 always suffices).
 * \return the encoded length, CPJ_ERR_PARAM (NULL, empty or too long key)
 *         or CPJ_ERR_NOSPACE (out is then "").
 */
int cpj_s3_key_encode(const char *key, char *out, size_t cap);

/**
 * \brief Where a request for bucket/key would go now.
 *
 * Stack: at most 384 bytes.
 *
 * \param s3          the context (endpoint, flags and region are read).
 * \param bucket      bucket name, NUL-terminated; borrowed for the call.
 * \param key         object key, NUL-terminated; borrowed for the call.
 * \param loc         receives the origin URL, Host value and style.
 * \param target      receives the NUL-terminated request target
 *                    ("/{key}" virtual-hosted, "/{bucket}/{key}" path
 *                    style, key encoded by cpj_s3_key_encode()).
 * \param target_cap  its size.
 * \return the target's length, CPJ_ERR_PARAM (NULL, bucket not 1..255 of
 *         A-Z a-z 0-9 . - _, or a bad key), CPJ_ERR_NOSPACE (target too
 *         small; or the AWS host name over CPJ_HOST_MAX).
 */
int cpj_s3_locate(const cpj_s3_context *s3, const char *bucket,
	const char *key, cpj_s3_location *loc, char *target,
	size_t target_cap);
#endif

#endif
