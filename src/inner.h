/*
 * inner.h -- internal declarations shared by the library's sources.
 *
 * Every library .c file includes only this header (BearSSL's inner.h
 * pattern). Nothing here is API: names may change between releases.
 */
#ifndef CPJ_INNER_H
#define CPJ_INNER_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpj.h"

/* ---- logging: compiled away below the configured level, then filtered
 * at run time by cpj_log_set_level() (cpj_err.h; src/log/log.c) ------- */
/* The run-time level: 0..4, 2 until cpj_log_set_level() is called. */
int cpj_log_level(void);
#if CPJ_CONFIG_LOG_LEVEL >= 1
#define CPJ_LOG_E(...) (cpj_log_level() >= 1 ? \
	cpj_port_log(1, __VA_ARGS__) : (void)0)
#else
#define CPJ_LOG_E(...) ((void)0)
#endif
#if CPJ_CONFIG_LOG_LEVEL >= 2
#define CPJ_LOG_W(...) (cpj_log_level() >= 2 ? \
	cpj_port_log(2, __VA_ARGS__) : (void)0)
#else
#define CPJ_LOG_W(...) ((void)0)
#endif
#if CPJ_CONFIG_LOG_LEVEL >= 3
#define CPJ_LOG_I(...) (cpj_log_level() >= 3 ? \
	cpj_port_log(3, __VA_ARGS__) : (void)0)
#else
#define CPJ_LOG_I(...) ((void)0)
#endif
#if CPJ_CONFIG_LOG_LEVEL >= 4
#define CPJ_LOG_D(...) (cpj_log_level() >= 4 ? \
	cpj_port_log(4, __VA_ARGS__) : (void)0)
#else
#define CPJ_LOG_D(...) ((void)0)
#endif

/* ---- API misuse checks ---------------------------------------------- */
#if CPJ_CONFIG_ASSERT
void cpj_assert_fail(const char *file, int line, const char *what);
#define CPJ_ASSERT(x) ((x) ? (void)0 : cpj_assert_fail(__FILE__, __LINE__, #x))
#else
#define CPJ_ASSERT(x) ((void)0)
#endif

#define CPJ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A small helper of a cold path called from many places: one copy, not
 * one inlined per call site (at -O2 gcc inlines such static functions;
 * here code size matters more than a call). */
#if defined(__GNUC__)
#define CPJ_NOINLINE __attribute__((noinline))
#else
#define CPJ_NOINLINE
#endif

/* ---- small helpers (src/util/str.c) --------------------------------- */

/* Case-insensitive ASCII compare of `a` (length alen) with NUL-terminated `b`: 1 if equal. */
int cpj_strieq(const char *a, size_t alen, const char *b);
/* ASCII lower-case of one byte. */
static inline int cpj_tolower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
/* Hex digit value, or -1. */
int cpj_hexval(int c);
/* The 2 * len lower-case hex digits of data[0..len) and a NUL into out. */
void cpj_hex_lower(char *out, const void *data, size_t len);
/* Packed tables (err.c, aws_error.c, s3_error.c): a list X(text, err) of
 * strings and CPJ_ERR_* codes becomes a byte per entry, -err
 * (CPJ_PACK_ERR), and one string of the texts, each NUL-terminated
 * (CPJ_PACK_TEXT): no pointer per entry. */
#define CPJ_PACK_ERR(text, err) (unsigned char)-(err),
#define CPJ_PACK_TEXT(text, err) text "\0"
/* Parse decimal digits [s, s+len) into *out; rejects empty, non-digits and overflow past `max`. */
int cpj_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
/* Bounded strlen: returns max+1 when no NUL within max bytes. */
size_t cpj_strnlen(const char *s, size_t max);
/* Days from 1970-01-01 to year y, month m (1..12), day d (proleptic
 * Gregorian): HTTP dates and credential expirations. */
int64_t cpj_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse: the year of day `days` since 1970-01-01, with its month
 * (1..12) and day (1..31) in *m and *d. */
int64_t cpj_civil_from_days(int64_t days, unsigned *m, unsigned *d);
/* 1 if s[0..n) is min (at least 1) to max bytes of a-z 0-9 '-', neither
 * first nor last a '-': regions, virtual-hosted bucket names. */
int cpj_dns_label_ok(const char *s, size_t n, size_t min, size_t max);
/* The days of month m (1..12) of year y (proleptic Gregorian): the
 * checks of dates. */
unsigned cpj_month_days(unsigned y, unsigned m);
/* The value of the n (at most 9) decimal digits at s, or UINT_MAX when
 * one of them is not a digit: the fields of dates. */
unsigned cpj_dec(const char *s, int n);

/* ---- calls of each module that other modules and the tests use, kept
 * out of include/ (the public API): each header says what it holds ---- */
#include "util/buf_int.h"
#include "json/json_int.h"
#include "net/net_int.h"
#include "tls/tls_calls.h"
#include "sigv4/sigv4_calls.h"
#include "http/http_int.h"
#include "creds/creds_int.h"
#include "cp/cp_int.h"

/* ---- the AWS request core and its helpers (src/aws) ----------------- */
#include "aws/aws_int.h"

/* ---- S3 internals (src/s3) -------------------------------------------- */
#include "s3/s3_int.h"

/* ---- CodePipeline internals (src/cp) -------------------------------- */

/* A request body: the caller's arguments of an operation (cp_ops.c),
 * which cpj_cp_write_body() writes as its JSON document, the same bytes
 * each time. */
typedef struct cpj_cp_body cpj_cp_body;
void cpj_cp_write_body(cpj_json_writer *w, const cpj_cp_body *body);

/* Send `body` as operation `op` (e.g. "PollForJobs"), with retries and
 * skew correction: from cp->work when it fits there with the HTTP head,
 * else streamed (written again for its hash and for each piece); a 2xx
 * body goes to `jb`'s parser, set up for each attempt in `mode`
 * (CPJ_JOBS_*); see cp_client.c. */
int cpj_cp_call(cpj_cp_context *cp, const char *op, const cpj_cp_body *body,
	const cpj_cp_jobs_buf *jb, int mode);

#endif
