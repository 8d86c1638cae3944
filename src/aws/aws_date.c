/*
 * aws_date.c -- the IMF-fixdate of HTTP Date headers
 * ("Sun, 06 Nov 1994 08:49:37 GMT") to Unix time.
 */
#include "inner.h"

/* see aws/aws_int.h */
int
cpj_http_date_parse(const char *s, int64_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	unsigned d, y, hh, mm, ss, m;

	/* "Www, DD Mon YYYY HH:MM:SS GMT" is 29 bytes */
	if (cpj_strnlen(s, 29) != 29 || s[3] != ',' || s[4] != ' '
	    || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':'
	    || s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
		return CPJ_ERR_PARAM;
	d = cpj_dec(s + 5, 2);
	y = cpj_dec(s + 12, 4);
	hh = cpj_dec(s + 17, 2);
	mm = cpj_dec(s + 20, 2);
	ss = cpj_dec(s + 23, 2);
	for (m = 0; m < 12; m++) {
		if (memcmp(s + 8, months + 3 * m, 3) == 0)
			break;
	}
	if (m == 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60
	    || y < 1970 || y == UINT_MAX)
		return CPJ_ERR_PARAM;
	*out = cpj_days_from_civil(y, m + 1, d) * 86400 + hh * 3600 + mm * 60 + ss;
	return CPJ_OK;
}
