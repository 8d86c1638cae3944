/*
 * sigv4_time.c -- X-Amz-Date from Unix time (see cpj_sigv4.h).
 */
#include "inner.h"

/* 9999-12-31T23:59:59Z */
#define LAST_SECOND 253402300799LL

static void
put_num(char *out, unsigned v, int digits)
{
	while (digits-- > 0) {
		out[digits] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* see cpj_sigv4.h */
int
cpj_sigv4_amz_date(int64_t unix_time, char *out)
{
	unsigned secs, d, m, y;
	int64_t days;

	if (out == NULL)
		return CPJ_ERR_PARAM;
	out[0] = '\0';
	if (unix_time < 0 || unix_time > LAST_SECOND)
		return CPJ_ERR_SIGV4_TIME;
	/* one 64-bit division (a library call on 32-bit targets) */
	days = unix_time / 86400;
	secs = (unsigned)(unix_time - days * 86400);
	y = (unsigned)cpj_civil_from_days(days, &m, &d);

	put_num(out, y, 4);
	put_num(out + 4, m, 2);
	put_num(out + 6, d, 2);
	out[8] = 'T';
	put_num(out + 9, secs / 3600, 2);
	put_num(out + 11, secs / 60 % 60, 2);
	put_num(out + 13, secs % 60, 2);
	out[15] = 'Z';
	out[16] = '\0';
	return CPJ_OK;
}
