/*
 * s3_int.h -- internal declarations shared by the S3 client's sources
 * (s3_client.c, s3_call.c). Included by inner.h; not API.
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

#endif
