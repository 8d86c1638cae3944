/*
 * fuzz_creds_doc.c -- credential documents and files: cpj_creds_from_json
 * (IoT and IMDS/container formats), cpj_creds_parse_time, cpj_ini_get,
 * cpj_creds_from_ini (credentials and config files).
 *
 * Input: byte 0 picks the parser (% 6: IoT document, metadata document,
 * time, ini_get, credentials file, config file), the rest is the text.
 * For the INI calls the text's first line names what to look up
 * ("section key", or the profile), up to 64 bytes; byte 0's high bits
 * size the output buffer of cpj_ini_get. Every buffer is a heap block of
 * its exact size. Results are checked against the header's promises:
 * credentials filled only on success and cleared on any error, printable
 * values that fit, time fields that agree with timegm().
 *
 * Past findings, kept as regression inputs in tests/fuzz/crashers/
 * creds_doc/: an expiration at the epoch became "does not expire"; an INI
 * value holding a NUL byte returned a length past the NUL, and
 * cpj_creds_from_ini() then succeeded with an empty key. Both are fixed
 * (the epoch maps to "expired", a NUL makes the file malformed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_creds_doc: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

static int
zero(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != 0)
			return 0;
	}
	return 1;
}

/* A value of 1..max bytes (0..max when empty_ok); with `strict`, of
 * 0x21..0x7e only (documents; the files' values are copied as they are). */
static void
value(const char *s, size_t max, int empty_ok, int strict)
{
	size_t n = cpj_strnlen(s, max + 1);

	if (n > max || (n == 0 && !empty_ok))
		FAIL("value length");
	for (; strict && *s != '\0'; s++) {
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			FAIL("value byte outside 0x21..0x7e");
	}
}

static void
check_creds(const cpj_creds *c, int rc, int strict)
{
	if (rc == 0) {
		if (!cpj_creds_present(c))
			FAIL("success without credentials");
		value(c->akid, CPJ_CREDS_AKID_MAX, !strict, strict);
		value(c->secret, CPJ_CREDS_SECRET_MAX, !strict, strict);
		value(c->token, CPJ_CREDS_TOKEN_MAX, 1, strict);
		if (c->expires < 0)
			FAIL("negative expiry");
	} else if (rc > 0) {
		FAIL("positive result");
	} else if (!zero(c, sizeof *c)) {
		FAIL("credentials not cleared after an error");
	}
}

/* "YYYY-MM-DDTHH:MM:SSZ" exactly: compare with timegm(). */
static void
check_time(const char *s, size_t len, int64_t t)
{
	struct tm tm;
	time_t tt;
	int i;

	if (t < 0 || t > 253402300799LL + 86400)
		FAIL("time out of range");
	if (len != 20 || s[19] != 'Z' || s[10] != 'T')
		return;
	for (i = 0; i < 19; i++) {
		if (i == 4 || i == 7 || i == 10 || i == 13 || i == 16)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	tm.tm_hour = (s[11] - '0') * 10 + (s[12] - '0');
	tm.tm_min = (s[14] - '0') * 10 + (s[15] - '0');
	tm.tm_sec = (s[17] - '0') * 10 + (s[18] - '0');
	tt = timegm(&tm);
	if ((int64_t)tt != t)
		FAIL("time differs from timegm()");
}

/* Split the first line into up to two words; returns the text after it. */
static const char *
first_line(const char *s, size_t len, char *a, char *b, size_t *rest)
{
	const char *nl = memchr(s, '\n', len < 65 ? len : 65);
	size_t n = nl != NULL ? (size_t)(nl - s) : 0;
	const char *sp = memchr(s, ' ', n);

	a[0] = b[0] = '\0';
	if (nl == NULL) {
		*rest = len;
		return s;
	}
	if (sp != NULL) {
		memcpy(a, s, (size_t)(sp - s));
		a[sp - s] = '\0';
		memcpy(b, sp + 1, (size_t)(nl - sp - 1));
		b[nl - sp - 1] = '\0';
	} else {
		memcpy(a, s, n);
		a[n] = '\0';
	}
	*rest = len - n - 1;
	return nl + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cpj_creds c;
	static const char unset[] = "unset";
	const char *field = unset;
	char *text;
	size_t len;
	int rc, which;

	if (size < 1)
		return 0;
	which = data[0] % 6;
	len = size - 1;
	text = malloc(len ? len : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, len);
	memset(&c, 0x5a, sizeof c);     /* the call must clear it */

	switch (which) {
	case 0:
	case 1:
		rc = cpj_creds_from_json(&c, text, len, which == 0
		    ? CPJ_CREDS_DOC_IOT : CPJ_CREDS_DOC_METADATA, &field);
		check_creds(&c, rc, 1);
		if (field == unset || (field != NULL && strlen(field) > 64))
			FAIL("field not set to a name or NULL");
		/* expires 0 means "does not expire": an expiration that
		 * parses to 0 (the epoch) must not become that */
		if (rc == 0 && c.expires == 0)
			FAIL("document's expiration became 'never expires'");
		break;
	case 2: {
		int64_t t = -7;

		rc = cpj_creds_parse_time(text, len, &t);
		if (rc == 0)
			check_time(text, len, t);
		else if (t != -7)
			FAIL("time changed on error");
		else if (rc != CPJ_ERR_CREDS_FORMAT)
			FAIL("time error code");
		break;
	}
	case 3: {
		char sec[66], key[66], *out;
		size_t rest, cap = (size_t)(data[0] >> 3) * 8 + 1;
		const char *t = first_line(text, len, sec, key, &rest);

		out = malloc(cap);
		if (out == NULL)
			break;
		rc = cpj_ini_get(t, rest, sec, key, out, cap);
		if (rc >= 0 && (size_t)rc >= cap)
			FAIL("ini value length");
		if (rc >= 0 && strlen(out) != (size_t)rc)
			FAIL("ini value length differs from the string's");
		if (rc < 0 && rc != CPJ_ERR_CREDS_NONE && rc != CPJ_ERR_NOSPACE
		    && rc != CPJ_ERR_CREDS_FORMAT)
			FAIL("ini error code");
		free(out);
		break;
	}
	default: {
		char prof[66], unused[66];
		size_t rest;
		const char *t = first_line(text, len, prof, unused, &rest);

		rc = cpj_creds_from_ini(&c, t, rest, prof[0] != '\0' ? prof
		    : "default", which == 5);
		check_creds(&c, rc, 0);
		break;
	}
	}
	cpj_creds_clear(&c);
	free(text);
	return 0;
}
