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
	int64_t days, z, era;
	unsigned secs, doe, yoe, doy, mp, d, m, y;

	if (out == NULL)
		return CPJ_ERR_PARAM;
	out[0] = '\0';
	if (unix_time < 0 || unix_time > LAST_SECOND)
		return CPJ_ERR_SIGV4_TIME;
	days = unix_time / 86400;
	secs = (unsigned)(unix_time % 86400);

	/* Civil date from a day count (H. Hinnant's algorithm), days >= 0. */
	z = days + 719468;
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = (unsigned)(yoe + era * 400) + (m <= 2);

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
