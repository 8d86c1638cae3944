/*
 * tls_time.c -- the time at which certificates are checked.
 *
 * A device without a battery-backed clock boots in 1970 and would find
 * every certificate "not yet valid". A clock that reads earlier than the
 * day this code was built is certainly wrong, so the build date is used
 * instead: certificates valid now and issued before the build validate,
 * and one that expired before the build stays expired.
 */
#include "inner.h"

/*
 * The Makefile passes -DCPJ_BUILD_TIME=<seconds since 1970> to this file
 * (SOURCE_DATE_EPOCH, else the last commit's date, else the build's).
 * Builds that do not get 2025-01-01T00:00:00Z.
 */
#ifndef CPJ_BUILD_TIME
#define CPJ_BUILD_TIME 1735689600
#endif

/* see cpj_tls.h */
int64_t
cpj_tls_build_time(void)
{
	return (int64_t)CPJ_BUILD_TIME;
}

/* see cpj_tls.h */
int64_t
cpj_tls_time(void)
{
	int64_t now;

	now = cpj_port_time_unix();
	if (now < (int64_t)CPJ_BUILD_TIME) {
		now = (int64_t)CPJ_BUILD_TIME;
	}
	return now;
}
