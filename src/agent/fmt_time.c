/*
 * fmt_time.c -- UTC civil time from Unix seconds and back (see fmt.h),
 * without gmtime(), mktime() or strftime() and their time zone code.
 */
#include <stdint.h>

#include "inner.h"
#include "fmt.h"

/* see fmt.h */
void
fmt_gmtime(int64_t t, struct fmt_tm *tm)
{
	int64_t days = t / 86400, secs = t % 86400;
	unsigned m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	tm->year = cpj_civil_from_days(days, &m, &d);
	tm->mon = (int)m;
	tm->mday = (int)d;
	tm->hour = (int)(secs / 3600);
	tm->min = (int)(secs / 60 % 60);
	tm->sec = (int)(secs % 60);
}

/* see fmt.h */
int64_t
fmt_timegm(const struct fmt_tm *tm)
{
	return cpj_days_from_civil(tm->year, (unsigned)tm->mon,
	    (unsigned)tm->mday) * 86400 + tm->hour * 3600 + tm->min * 60
	    + tm->sec;
}

/* see fmt.h */
int
fmt_iso8601(int64_t t, char *out, size_t cap)
{
	struct fmt_tm tm;

	fmt_gmtime(t, &tm);
	return fmt_snprintf(out, cap, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    (long long)tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec);
}
