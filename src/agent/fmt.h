/*
 * fmt.h -- the agent's own printf, number and time formatting, so the
 * static agent links none of the C library's floating-point printf,
 * strtod or strftime/time zone code.
 *
 * fmt_snprintf()/fmt_vsnprintf() keep snprintf's contract: at most cap
 * bytes written, NUL-terminated when cap > 0, and the return value is the
 * length the whole text would have. fmt_fprintf() formats in pieces of a
 * small stack buffer and hands them to fwrite(), so its output is ordered
 * with the rest of that stdio stream. Conversions: d i u x X o c s p and
 * %%, flags '-' '0' '+' ' ', width and precision (numbers or '*'),
 * lengths hh h l ll z j t. No floating point: fmt_pyfloat() prints
 * doubles. An unknown conversion is copied as it is.
 */
#ifndef CPJ_AGENT_FMT_H
#define CPJ_AGENT_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define FMT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FMT_PRINTF(f, a)
#endif

int fmt_snprintf(char *buf, size_t cap, const char *fmt, ...) FMT_PRINTF(3, 4);
int fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
    FMT_PRINTF(3, 0);
/* Returns the length written, or -1 when the stream reports an error. */
int fmt_fprintf(FILE *f, const char *fmt, ...) FMT_PRINTF(2, 3);
int fmt_vfprintf(FILE *f, const char *fmt, va_list ap) FMT_PRINTF(2, 0);
int fmt_printf(const char *fmt, ...) FMT_PRINTF(1, 2);
/* fmt_fprintf(stderr, ...) */
int fmt_eprintf(const char *fmt, ...) FMT_PRINTF(1, 2);
/* The number of code points in the n bytes of UTF-8 at s (lengths and
 * columns as Python counts them). */
size_t fmt_codepoints(const char *s, size_t n);
/* 1 when the n bytes at p are strict UTF-8 (no overlong form, no
 * surrogate, nothing above U+10FFFF; NUL allowed), else 0. */
int fmt_utf8_valid(const char *p, size_t n);
/* The length (1-4) of the strict UTF-8 sequence that starts the n >= 1
 * bytes at s, or 0 when they do not start with one. A byte that fails
 * the check ends the reading, so at a NUL-terminated string n may be
 * larger than what is left of it. */
size_t fmt_utf8_seq(const char *s, size_t n);

/* Lists of strings "a\0b\0...\0" (the literal's own NUL ends them): the
 * string i places after s (s: i = 0), and the index of v in the list, or
 * -1. */
const char *fmt_nth(const char *s, int i);
int fmt_pick(const char *v, const char *list);
/* strspn(s, set) (in = 1) or strcspn(s, set) (in = 0), for the short runs
 * the agent scans (musl's two are 376 bytes). */
size_t fmt_span(const char *s, const char *set, int in);

/* JSON's two-character escapes, as Python's json writes them: the byte
 * JSON_ESC[i] as '\\' and JSON_ESC_AS[i] (others below 0x20: \u00XX). */
#define JSON_ESC    "\"\\\n\r\t\b\f"
#define JSON_ESC_AS "\"\\nrtbf"

/* fmt_num.c: a double as Python's repr() prints it (the shortest text that
 * reads back the same; exponent form below 1e-4 and from 1e16), with
 * json.dumps's NaN, Infinity and -Infinity. FMT_PYFLOAT_MAX bytes hold
 * any of them with the NUL. Returns the length, like fmt_snprintf(). */
#define FMT_PYFLOAT_MAX 32
int fmt_pyfloat(double d, char *out, size_t cap);
/* strtod() for decimal text ([-+]digits[.digits][(e|E)[-+]digits], after
 * white space), correctly rounded (ties to even). Out of range: +-HUGE_VAL
 * or a signed zero, with errno ERANGE. No digits: 0 and *end = s. */
double fmt_strtod(const char *s, char **end);

/* fmt_time.c: UTC only, proleptic Gregorian. */
struct fmt_tm {
	int64_t year;
	int mon;        /* 1..12 */
	int mday;       /* 1..31 */
	int hour, min, sec;
};
void fmt_gmtime(int64_t t, struct fmt_tm *tm);
int64_t fmt_timegm(const struct fmt_tm *tm);
/* "YYYY-MM-DDTHH:MM:SSZ"; FMT_ISO8601_MAX bytes hold it with the NUL
 * for years 0..9999. Returns the length, like fmt_snprintf(). */
#define FMT_ISO8601_MAX 21
int fmt_iso8601(int64_t t, char *out, size_t cap);

#endif
