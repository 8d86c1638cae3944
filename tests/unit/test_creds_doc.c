/*
 * test_creds_doc.c -- credential documents (IoT, IMDS, container), their
 * expiration times, the refresh rule, and the three fetches over the
 * mock port: requests sent, answers parsed, hostile answers refused,
 * secrets wiped, and a refetch before expiry on the mock clock.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_port.h"

static cpj_creds c;
static cpj_http_client cli;
static unsigned char work[CPJ_CREDS_WORK_SIZE];

#define AKID "ASIAEXAMPLEIOT01"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
#define TOKEN "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=="
#define EXP "2026-11-28T13:00:00Z"
#define EXP_T 1795870800

static const char iot_doc[] =
    "{\"credentials\":{\"accessKeyId\":\"" AKID "\","
    "\"secretAccessKey\":\"" SECRET "\","
    "\"sessionToken\":\"" TOKEN "\","
    "\"expiration\":\"" EXP "\"}}";

static const char md_doc[] =
    "{\"Code\":\"Success\",\"LastUpdated\":\"2026-11-28T07:00:00Z\","
    "\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" AKID "\","
    "\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN "\","
    "\"Expiration\":\"" EXP "\"}";

/* 1 if every byte of p[0..n) is zero. */
static int
zeroed(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] != 0)
			return 0;
	}
	return 1;
}

static int
sent_has(int conn, const char *needle)
{
	size_t len;
	const unsigned char *s = mock_port_sent(conn, &len);

	return s != NULL && h_contains(s, len, needle);
}

static int
sent_starts(int conn, const char *prefix)
{
	size_t len;
	const unsigned char *s = mock_port_sent(conn, &len);

	return s != NULL && len >= strlen(prefix)
	    && memcmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- times ---------------------------------------------------------- */

static int
t_time(const char *s, int64_t *t)
{
	return cpj_creds_parse_time(s, strlen(s), t);
}

static int
time_valid(void)
{
	int64_t t;

	CHECK_EQ(t_time("2026-11-28T13:00:00Z", &t), 0);
	CHECK_EQ(t, 1795870800);
	CHECK_EQ(t_time("2026-11-28T13:00:00.123456Z", &t), 0);
	CHECK_EQ(t, 1795870800);
	CHECK_EQ(t_time("2026-11-28T13:00:00.5+00:00", &t), 0);
	CHECK_EQ(t, 1795870800);
	CHECK_EQ(t_time("2026-11-28T13:00:00+00:00", &t), 0);
	CHECK_EQ(t, 1795870800);
	CHECK_EQ(t_time("2026-11-28T15:00:00+02:00", &t), 0);
	CHECK_EQ(t, 1795870800);
	CHECK_EQ(t_time("2026-11-28T07:30:00-0530", &t), 0);
	CHECK_EQ(t, 1795870800);
	CHECK_EQ(t_time("2026-11-28t13:00:00z", &t), 0);
	CHECK_EQ(t, 1795870800);
	CHECK_EQ(t_time("2024-02-29T23:59:59Z", &t), 0);
	CHECK_EQ(t, 1709251199);
	CHECK_EQ(t_time("1970-01-01T00:00:00Z", &t), 0);
	CHECK_EQ(t, 0);
	CHECK_EQ(t_time("9999-12-31T23:59:59.999999999Z", &t), 0);
	CHECK_EQ(t, 253402300799LL);
	/* "Expiration" of a real IMDS answer */
	CHECK_EQ(t_time("2015-08-30T13:36:00Z", &t), 0);
	CHECK_EQ(t, 1440941760);
	return 0;
}

static int
time_invalid(void)
{
	static const char *bad[] = {
		"", "2026", "2026-11-28", "2026-11-28T13:00:00",
		"2026-11-28T13:00Z", "2026-11-28 13:00:00Z",
		"2026-13-28T13:00:00Z", "2026-00-28T13:00:00Z",
		"2026-11-31T13:00:00Z", "2023-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z", "2026-11-28T24:00:00Z",
		"2026-11-28T13:60:00Z", "2026-11-28T13:00:61Z",
		"2026-11-28T13:00:00.Z", "2026-11-28T13:00:00.1234567890Z",
		"2026-11-28T13:00:00Zx", "2026-11-28T13:00:00+2:00",
		"2026-11-28T13:00:00+24:00", "2026-11-28T13:00:00+02:60",
		"2026-11-28T13:00:00+02:", "1969-12-31T23:59:59Z",
		"1970-01-01T00:00:00+00:01", "+026-11-28T13:00:00Z",
		"2026-1a-28T13:00:00Z", " 2026-11-28T13:00:00Z",
		"2026-11-28T13:00:00 Z", "2026/11/28T13:00:00Z",
	};
	int64_t t = 42;
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(bad); i++) {
		if (t_time(bad[i], &t) != CPJ_ERR_CREDS_FORMAT) {
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
			return __LINE__;
		}
	}
	CHECK_EQ(t, 42);        /* unchanged on error */
	/* the length counts: a NUL inside is not the end */
	CHECK_EQ(cpj_creds_parse_time("2026-11-28T13:00:00Z\0", 21, &t),
	    CPJ_ERR_CREDS_FORMAT);
	CHECK_EQ(cpj_creds_parse_time(NULL, 0, &t), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_creds_parse_time("x", 1, NULL), CPJ_ERR_PARAM);
	return 0;
}

/* ---- documents ------------------------------------------------------ */

static int
doc_iot(void)
{
	const char *f = "x";

	CHECK_EQ(cpj_creds_from_json(&c, iot_doc, strlen(iot_doc),
	    CPJ_CREDS_DOC_IOT, &f), 0);
	CHECK(f == NULL);
	CHECK(strcmp(c.akid, AKID) == 0);
	CHECK(strcmp(c.secret, SECRET) == 0);
	CHECK(strcmp(c.token, TOKEN) == 0);
	CHECK_EQ(c.expires, EXP_T);
	/* the other format does not read it */
	CHECK_EQ(cpj_creds_from_json(&c, iot_doc, strlen(iot_doc),
	    CPJ_CREDS_DOC_METADATA, &f), CPJ_ERR_JSON_MISSING);
	CHECK(strcmp(f, "AccessKeyId") == 0);
	CHECK(zeroed(&c, sizeof c));
	return 0;
}

static int
doc_metadata(void)
{
	static const char no_code[] =
	    "{\"RoleArn\":\"arn:aws:iam::123456789012:role/task\","
	    "\"AccessKeyId\":\"AKID2\",\"SecretAccessKey\":\"s\\/2\","
	    "\"Token\":\"t\\u0041\",\"Expiration\":\"2026-11-28T13:00:00.000Z\","
	    "\"AccountId\":\"123456789012\",\"nested\":{\"a\":[1,2,{}]}}";
	static const char dup[] =
	    "{\"AccessKeyId\":\"OLD\",\"SecretAccessKey\":\"s\","
	    "\"Token\":\"t\",\"Expiration\":\"" EXP "\",\"AccessKeyId\":\"NEW\"}";

	CHECK_EQ(cpj_creds_from_json(&c, md_doc, strlen(md_doc),
	    CPJ_CREDS_DOC_METADATA, NULL), 0);
	CHECK(strcmp(c.akid, AKID) == 0);
	CHECK(strcmp(c.secret, SECRET) == 0);
	CHECK(strcmp(c.token, TOKEN) == 0);
	CHECK_EQ(c.expires, EXP_T);
	/* containers leave out Code; escapes are decoded */
	CHECK_EQ(cpj_creds_from_json(&c, no_code, strlen(no_code),
	    CPJ_CREDS_DOC_METADATA, NULL), 0);
	CHECK(strcmp(c.akid, "AKID2") == 0);
	CHECK(strcmp(c.secret, "s/2") == 0);
	CHECK(strcmp(c.token, "tA") == 0);
	CHECK_EQ(c.expires, EXP_T);
	CHECK_EQ(cpj_creds_from_json(&c, dup, strlen(dup),
	    CPJ_CREDS_DOC_METADATA, NULL), 0);
	CHECK(strcmp(c.akid, "NEW") == 0);
	return 0;
}

/* One hostile document: its error, the field named, `c` cleared. */
static int
bad_doc(const char *js, int format, int want, const char *want_field)
{
	const char *f = "unset";
	int rc;

	/* fill c first: an error must not leave anything behind */
	memset(&c, 'x', sizeof c);
	rc = cpj_creds_from_json(&c, js, strlen(js), format, &f);
	if (rc != want) {
		fprintf(stderr, "doc %s: got %d want %d\n", js, rc, want);
		return __LINE__;
	}
	if (!zeroed(&c, sizeof c))
		return __LINE__;
	if (want_field == NULL ? f != NULL
	    : (f == NULL || strcmp(f, want_field) != 0)) {
		fprintf(stderr, "doc %s: field %s want %s\n", js,
		    f != NULL ? f : "(null)", want_field != NULL
		    ? want_field : "(null)");
		return __LINE__;
	}
	return 0;
}

#define MD(akid, sec, tok, exp) \
	"{\"AccessKeyId\":" akid ",\"SecretAccessKey\":" sec \
	",\"Token\":" tok ",\"Expiration\":" exp "}"
#define IOT(akid, sec, tok, exp) \
	"{\"credentials\":{\"accessKeyId\":" akid ",\"secretAccessKey\":" \
	sec ",\"sessionToken\":" tok ",\"expiration\":" exp "}}"

static int
doc_hostile(void)
{
	const int M = CPJ_CREDS_DOC_METADATA, I = CPJ_CREDS_DOC_IOT;
	static char big[CPJ_CREDS_TOKEN_MAX + 200];
	static char many[4096];
	size_t i, n;
	int rc;

	/* not JSON, wrong shapes */
	if ((rc = bad_doc("", M, CPJ_ERR_JSON_TRUNCATED, NULL)) != 0)
		return rc;
	if ((rc = bad_doc("{\"AccessKeyId\":", M, CPJ_ERR_JSON_TRUNCATED,
	    NULL)) != 0)
		return rc;
	if ((rc = bad_doc("<html>", M, CPJ_ERR_JSON_INVALID, NULL)) != 0)
		return rc;
	if ((rc = bad_doc("[1,2]", M, CPJ_ERR_JSON_TYPE, NULL)) != 0)
		return rc;
	if ((rc = bad_doc("\"x\"", I, CPJ_ERR_JSON_TYPE, NULL)) != 0)
		return rc;
	if ((rc = bad_doc("{\"credentials\":[]}", I, CPJ_ERR_JSON_TYPE,
	    "credentials")) != 0)
		return rc;
	if ((rc = bad_doc("{\"Credentials\":{}}", I, CPJ_ERR_JSON_MISSING,
	    "credentials")) != 0)
		return rc;
	/* wrong types */
	if ((rc = bad_doc(MD("12", "\"s\"", "\"t\"", "\"" EXP "\""), M,
	    CPJ_ERR_JSON_TYPE, "AccessKeyId")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "null", "\"t\"", "\"" EXP "\""), M,
	    CPJ_ERR_JSON_TYPE, "SecretAccessKey")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "\"s\"", "[\"t\"]", "\"" EXP "\""), M,
	    CPJ_ERR_JSON_TYPE, "Token")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "\"s\"", "\"t\"", "1795870800"), M,
	    CPJ_ERR_JSON_TYPE, "Expiration")) != 0)
		return rc;
	if ((rc = bad_doc(IOT("\"a\"", "\"s\"", "{}", "\"" EXP "\""), I,
	    CPJ_ERR_JSON_TYPE, "credentials.sessionToken")) != 0)
		return rc;
	/* missing members */
	if ((rc = bad_doc("{\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"s\","
	    "\"Expiration\":\"" EXP "\"}", M, CPJ_ERR_JSON_MISSING, "Token"))
	    != 0)
		return rc;
	if ((rc = bad_doc("{\"credentials\":{\"accessKeyId\":\"a\","
	    "\"secretAccessKey\":\"s\",\"sessionToken\":\"t\"}}", I,
	    CPJ_ERR_JSON_MISSING, "credentials.expiration")) != 0)
		return rc;
	/* Code */
	if ((rc = bad_doc("{\"Code\":\"AssumeRoleUnauthorizedAccess\","
	    "\"Message\":\"no\"}", M, CPJ_ERR_CREDS_REFUSED, "Code")) != 0)
		return rc;
	if ((rc = bad_doc("{\"Code\":0,\"AccessKeyId\":\"a\"}", M,
	    CPJ_ERR_JSON_TYPE, "Code")) != 0)
		return rc;
	/* values */
	if ((rc = bad_doc(MD("\"\"", "\"s\"", "\"t\"", "\"" EXP "\""), M,
	    CPJ_ERR_CREDS_FORMAT, "AccessKeyId")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a b\"", "\"s\"", "\"t\"", "\"" EXP "\""), M,
	    CPJ_ERR_CREDS_FORMAT, "AccessKeyId")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "\"s\\n\"", "\"t\"", "\"" EXP "\""), M,
	    CPJ_ERR_CREDS_FORMAT, "SecretAccessKey")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "\"s\"", "\"t\\u00e9\"", "\"" EXP "\""),
	    M, CPJ_ERR_CREDS_FORMAT, "Token")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "\"s\"", "\"t\\u0000\"", "\"" EXP "\""),
	    M, CPJ_ERR_JSON_ESCAPE, "Token")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "\"s\"", "\"t\"", "\"tomorrow\""), M,
	    CPJ_ERR_CREDS_FORMAT, "Expiration")) != 0)
		return rc;
	if ((rc = bad_doc(MD("\"a\"", "\"s\"", "\"t\"",
	    "\"2026-11-28T13:00:00.0000000000000000000000000000000000000000Z\""),
	    M, CPJ_ERR_CREDS_FORMAT, "Expiration")) != 0)
		return rc;
	/* too long: never truncated */
	n = (size_t)snprintf(big, sizeof big, "{\"AccessKeyId\":\"a\","
	    "\"SecretAccessKey\":\"s\",\"Expiration\":\"" EXP "\",\"Token\":\"");
	for (i = 0; i < CPJ_CREDS_TOKEN_MAX + 1; i++)
		big[n++] = 'T';
	memcpy(big + n, "\"}", 3);
	if ((rc = bad_doc(big, M, CPJ_ERR_JSON_FIELD_TOO_LONG, "Token")) != 0)
		return rc;
	/* exactly the maximum fits */
	memcpy(big + n - 1, "\"}", 3);
	CHECK_EQ(cpj_creds_from_json(&c, big, strlen(big), M, NULL), 0);
	CHECK_EQ(strlen(c.token), CPJ_CREDS_TOKEN_MAX);
	/* more tokens than CPJ_CREDS_DOC_TOKENS */
	n = (size_t)snprintf(many, sizeof many, "{\"x\":[");
	for (i = 0; i < CPJ_CREDS_DOC_TOKENS; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%s1",
		    i ? "," : "");
	snprintf(many + n, sizeof many - n, "]}");
	if ((rc = bad_doc(many, M, CPJ_ERR_JSON_TOKENS, NULL)) != 0)
		return rc;
	/* every truncation of good documents fails cleanly */
	for (n = 0; n < strlen(md_doc); n++) {
		memset(&c, 'x', sizeof c);
		CHECK(cpj_creds_from_json(&c, md_doc, n, M, NULL) < 0);
		CHECK(zeroed(&c, sizeof c));
	}
	for (n = 0; n < strlen(iot_doc); n++) {
		memset(&c, 'x', sizeof c);
		CHECK(cpj_creds_from_json(&c, iot_doc, n, I, NULL) < 0);
		CHECK(zeroed(&c, sizeof c));
	}
	CHECK_EQ(cpj_creds_from_json(&c, md_doc, strlen(md_doc), 9, NULL),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_creds_from_json(&c, NULL, 0, M, NULL), CPJ_ERR_PARAM);
	return 0;
}

/* ---- refresh rule ----------------------------------------------------- */

static int
refresh_rule(void)
{
	const int64_t now = 1795870800 - 3600;

	cpj_creds_clear(&c);
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 1);         /* none */
	CHECK_EQ(cpj_creds_set(&c, "AKID", "s", NULL, 0), 0);
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 0);         /* static */
	c.expires = now + CPJ_CREDS_REFRESH_S + 1;
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 0);
	c.expires = now + CPJ_CREDS_REFRESH_S;
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 1);
	c.expires = now + 120;
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 1);
	c.expires = now - 1;
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 1);
	c.expires = now + 120;
	CHECK_EQ(cpj_creds_expires_within(&c, now, 60), 0);
	CHECK_EQ(cpj_creds_expires_within(&c, now, 120), 1);
	CHECK_EQ(cpj_creds_expires_within(&c, now, -5), 0);
	CHECK_EQ(cpj_creds_expires_within(&c, now + 120, -5), 1);
	CHECK_EQ(cpj_creds_expires_within(&c, now, INT64_MAX), 1);
	CHECK_EQ(cpj_creds_expires_within(&c, INT64_MIN, INT64_MAX), 0);
	c.expires = -7;
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 1);
	return 0;
}

/* ---- fetches over the mock port ---------------------------------------- */

static char replies[8][CPJ_CREDS_WORK_SIZE * 2];

/* A response with `body` into replies[slot]; returns its text. */
static const char *
reply(int slot, const char *status, const char *extra, const char *body)
{
	snprintf(replies[slot], sizeof replies[slot],
	    "HTTP/1.1 %s\r\nContent-Length: %u\r\n%s\r\n%s", status,
	    (unsigned)strlen(body), extra != NULL ? extra : "", body);
	return replies[slot];
}

static int
add(const char *r)
{
	return mock_port_add_conn(r, strlen(r));
}

static int
setup(const char *url)
{
	mock_port_reset();
	cpj_http_client_init(&cli, NULL);
	cpj_http_client_set_timeouts(&cli, 1000, 1000, 2000);
	memset(work, 0xa5, sizeof work);
	return cpj_http_client_set_url(&cli, url);
}

/* Nothing secret left in the work buffer or the socket read-ahead. */
static int
no_secrets_left(void)
{
	CHECK(zeroed(work, sizeof work));
#if CPJ_NET_READAHEAD > 0
	CHECK(!h_contains(cli.net.ra, sizeof cli.net.ra, SECRET));
	CHECK(!h_contains(cli.net.ra, sizeof cli.net.ra, TOKEN));
#endif
	CHECK(!mock_port_log_contains(SECRET));
	CHECK(!mock_port_log_contains(TOKEN));
	return 0;
}

static int
fetch_iot_ok(void)
{
	static const size_t chunks[] = { 1, 7, 0 };
	cpj_creds_fetch_info info;
	size_t k;
	int rc;

	for (k = 0; k < CPJ_ARRAY_LEN(chunks); k++) {
		CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
		CHECK_EQ(add(reply(0, "200 OK", NULL, iot_doc)), 0);
		mock_port_set_chunk(chunks[k]);
		CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "cpjob-alias",
		    "edge-gw-0001", work, sizeof work, &info), 0);
		CHECK(strcmp(c.akid, AKID) == 0);
		CHECK(strcmp(c.secret, SECRET) == 0);
		CHECK(strcmp(c.token, TOKEN) == 0);
		CHECK_EQ(c.expires, EXP_T);
		CHECK_EQ(info.status, 200);
		CHECK(strcmp(info.step, "iot") == 0);
		CHECK(sent_starts(0, "GET /role-aliases/cpjob-alias/credentials "
		    "HTTP/1.1\r\nHost: 127.0.0.1:8443\r\n"));
		CHECK(sent_has(0, "\r\nx-amzn-iot-thingname: edge-gw-0001\r\n"));
		CHECK_EQ(mock_port_closes(), 1);
		CHECK_EQ(mock_port_misuse(), 0);
		if ((rc = no_secrets_left()) != 0)
			return rc;
	}
	return 0;
}

static int
fetch_iot_errors(void)
{
	cpj_creds_fetch_info info;
	static char huge[CPJ_CREDS_WORK_SIZE];

	/* the certificate is not attached to this thing */
	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	CHECK_EQ(add(reply(0, "403 Forbidden", NULL,
	    "{\"message\":\"Access Denied\"}")), 0);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "wrong-thing", work,
	    sizeof work, &info), CPJ_ERR_CREDS_REFUSED);
	CHECK_EQ(info.status, 403);
	CHECK(!cpj_creds_present(&c));
	CHECK(zeroed(work, sizeof work));
	/* server error */
	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	CHECK_EQ(add(reply(0, "503 Service Unavailable", NULL, "")), 0);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "t", work, sizeof work,
	    &info), CPJ_ERR_CREDS_PROVIDER);
	/* 200 with a broken document names the member */
	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	CHECK_EQ(add(reply(0, "200 OK", NULL, IOT("\"a\"", "\"s\"", "\"t\"",
	    "\"never\""))), 0);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "t", work, sizeof work,
	    &info), CPJ_ERR_CREDS_FORMAT);
	CHECK(strcmp(info.field, "credentials.expiration") == 0);
	CHECK(zeroed(&c, sizeof c));
	/* a body larger than the work buffer takes: refused, not cut */
	memset(huge, ' ', sizeof huge - 1);
	huge[0] = '{';
	huge[sizeof huge - 2] = '}';
	huge[sizeof huge - 1] = '\0';
	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	CHECK_EQ(add(reply(0, "200 OK", NULL, huge)), 0);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "t", work, sizeof work,
	    &info), CPJ_ERR_HTTP_BODY_TOO_LARGE);
	/* the answer stops half-way */
	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	snprintf(replies[1], sizeof replies[1], "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 500\r\n\r\n{\"credentials\":");
	CHECK_EQ(add(replies[1]), 0);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "t", work, sizeof work,
	    &info), CPJ_ERR_HTTP_TRUNCATED);
	CHECK(zeroed(work, sizeof work));
	/* a server that stalls cannot hold the call past the deadline */
	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	CHECK_EQ(add(reply(0, "200 OK", NULL, iot_doc)), 0);
	mock_port_stall_at(0, 20);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "t", work, sizeof work,
	    &info), CPJ_ERR_TIMEOUT);
	/* names that would change the request */
	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "../x", "t", work, sizeof work,
	    &info), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "t\r\nX: y", work,
	    sizeof work, &info), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "", "t", work, sizeof work,
	    &info), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "a", "t", work,
	    CPJ_CREDS_HEAD_ROOM, &info), CPJ_ERR_NOSPACE);
	CHECK_EQ(mock_port_connects(), 0);
	return 0;
}

static int
fetch_container(void)
{
	cpj_creds_fetch_info info;
	int rc;

	CHECK_EQ(setup("http://127.0.0.1:8080"), 0);
	CHECK_EQ(add(reply(0, "200 OK", NULL, md_doc)), 0);
	CHECK_EQ(cpj_creds_fetch_container(&c, &cli, "/v2/credentials/abc?x=1",
	    "Bearer tok-123", work, sizeof work, &info), 0);
	CHECK(strcmp(c.akid, AKID) == 0);
	CHECK(strcmp(c.token, TOKEN) == 0);
	CHECK_EQ(c.expires, EXP_T);
	CHECK(sent_starts(0, "GET /v2/credentials/abc?x=1 HTTP/1.1\r\n"));
	CHECK(sent_has(0, "\r\nAuthorization: Bearer tok-123\r\n"));
	if ((rc = no_secrets_left()) != 0)
		return rc;
	/* no token: no Authorization header */
	CHECK_EQ(setup("http://127.0.0.1:8080"), 0);
	CHECK_EQ(add(reply(0, "200 OK", NULL, md_doc)), 0);
	CHECK_EQ(cpj_creds_fetch_container(&c, &cli, "/creds", NULL, work,
	    sizeof work, &info), 0);
	CHECK(!sent_has(0, "Authorization"));
	/* a wrong token */
	CHECK_EQ(setup("http://127.0.0.1:8080"), 0);
	CHECK_EQ(add(reply(0, "401 Unauthorized", NULL, "denied")), 0);
	CHECK_EQ(cpj_creds_fetch_container(&c, &cli, "/creds", "bad", work,
	    sizeof work, &info), CPJ_ERR_CREDS_REFUSED);
	CHECK_EQ(info.status, 401);
	/* an error document with a 200 */
	CHECK_EQ(setup("http://127.0.0.1:8080"), 0);
	CHECK_EQ(add(reply(0, "200 OK", NULL, "{\"Code\":\"Failed\"}")), 0);
	CHECK_EQ(cpj_creds_fetch_container(&c, &cli, "/creds", NULL, work,
	    sizeof work, &info), CPJ_ERR_CREDS_REFUSED);
	CHECK(strcmp(info.field, "Code") == 0);
	/* header injection and bad paths never reach the wire */
	CHECK_EQ(setup("http://127.0.0.1:8080"), 0);
	CHECK_EQ(cpj_creds_fetch_container(&c, &cli, "/creds", "a\r\nX: y",
	    work, sizeof work, &info), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_creds_fetch_container(&c, &cli, "creds", NULL, work,
	    sizeof work, &info), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_creds_fetch_container(&c, &cli, "/a b", NULL, work,
	    sizeof work, &info), CPJ_ERR_PARAM);
	CHECK_EQ(mock_port_connects(), 0);
	return 0;
}

#define IMDS_TOKEN "AQAEAExampleImdsToken-1234567890abcdefghijklmn=="
#define CLOSE "Connection: close\r\n"

static int
fetch_imds_ok(void)
{
	cpj_creds_fetch_info info;
	char all[3 * 1024];
	int rc;

	/* a server that closes after each answer: three connections */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, IMDS_TOKEN)), 0);
	CHECK_EQ(add(reply(1, "200 OK", CLOSE, "edge-role\nother-role\n")), 1);
	CHECK_EQ(add(reply(2, "200 OK", CLOSE, md_doc)), 2);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info), 0);
	CHECK(strcmp(c.akid, AKID) == 0);
	CHECK(strcmp(c.secret, SECRET) == 0);
	CHECK_EQ(c.expires, EXP_T);
	CHECK(strcmp(info.role, "edge-role") == 0);
	CHECK(strcmp(info.step, "imds-credentials") == 0);
	CHECK(sent_starts(0, "PUT /latest/api/token HTTP/1.1\r\n"));
	CHECK(sent_has(0, "\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n"));
	CHECK(sent_has(0, "\r\nContent-Length: 0\r\n"));
	CHECK(sent_starts(1, "GET /latest/meta-data/iam/security-credentials/ "
	    "HTTP/1.1\r\n"));
	CHECK(sent_has(1, "\r\nX-aws-ec2-metadata-token: " IMDS_TOKEN "\r\n"));
	CHECK(sent_starts(2, "GET /latest/meta-data/iam/security-credentials/"
	    "edge-role HTTP/1.1\r\n"));
	CHECK(sent_has(2, "\r\nX-aws-ec2-metadata-token: " IMDS_TOKEN "\r\n"));
	if ((rc = no_secrets_left()) != 0)
		return rc;
#if CPJ_NET_READAHEAD > 0
	CHECK(!h_contains(cli.net.ra, sizeof cli.net.ra, IMDS_TOKEN));
#endif
	/* keep-alive: the three exchanges on one connection */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	snprintf(all, sizeof all, "%s", reply(0, "200 OK", NULL, IMDS_TOKEN));
	snprintf(all + strlen(all), sizeof all - strlen(all), "%s",
	    reply(1, "200 OK", NULL, "edge-role"));
	snprintf(replies[3], sizeof replies[3], "%s%s", all,
	    reply(2, "200 OK", NULL, md_doc));
	CHECK_EQ(add(replies[3]), 0);
	mock_port_set_chunk(1);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info), 0);
	CHECK(strcmp(c.akid, AKID) == 0);
	CHECK_EQ(mock_port_connects(), 1);
	CHECK_EQ(mock_port_closes(), 1);
	return 0;
}

static int
fetch_imds_errors(void)
{
	cpj_creds_fetch_info info;
	static char long_tok[CPJ_CREDS_IMDS_TOKEN_MAX + 2];

	/* IMDSv2 refused: no fallback to IMDSv1 */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "403 Forbidden", CLOSE, "")), 0);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_CREDS_REFUSED);
	CHECK(strcmp(info.step, "imds-token") == 0);
	CHECK_EQ(mock_port_connects(), 1);
	/* no role attached */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, IMDS_TOKEN)), 0);
	CHECK_EQ(add(reply(1, "404 Not Found", CLOSE, "")), 1);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_CREDS_NONE);
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, IMDS_TOKEN)), 0);
	CHECK_EQ(add(reply(1, "200 OK", CLOSE, "")), 1);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_CREDS_NONE);
	/* a role name that would leave the path */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, IMDS_TOKEN)), 0);
	CHECK_EQ(add(reply(1, "200 OK", CLOSE, "../../user-data")), 1);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_CREDS_FORMAT);
	CHECK(info.role[0] == '\0');
	CHECK_EQ(mock_port_connects(), 2);
	/* tokens: with a space, empty, too long */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, "tok en")), 0);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_CREDS_FORMAT);
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, "")), 0);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_CREDS_FORMAT);
	memset(long_tok, 'k', sizeof long_tok - 1);
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, long_tok)), 0);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_CREDS_FORMAT);
	CHECK_EQ(mock_port_connects(), 1);
	CHECK(zeroed(work, sizeof work));
	/* the document step fails: nothing kept */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	CHECK_EQ(add(reply(0, "200 OK", CLOSE, IMDS_TOKEN)), 0);
	CHECK_EQ(add(reply(1, "200 OK", CLOSE, "r")), 1);
	CHECK_EQ(add(reply(2, "200 OK", CLOSE, "{\"Code\":\"Success\","
	    "\"AccessKeyId\":\"a\"}")), 2);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_JSON_MISSING);
	CHECK(strcmp(info.field, "SecretAccessKey") == 0);
	CHECK(zeroed(&c, sizeof c));
	/* nothing listening */
	CHECK_EQ(setup("http://127.0.0.1:8081"), 0);
	mock_port_fail_connect(CPJ_ERR_TIMEOUT);
	CHECK_EQ(cpj_creds_fetch_imds(&c, &cli, work, sizeof work, &info),
	    CPJ_ERR_TIMEOUT);
	CHECK(mock_port_last_connect_timeout() <= 1000);
	return 0;
}

/*
 * Refresh before expiry: credentials that expire in 2 minutes are due
 * (window 5 minutes) and fetched again; the new ones (1 hour) are not
 * due until 5 minutes before their end on the mock clock.
 */
static int
refetch_before_expiry(void)
{
	static const char soon[] = IOT("\"ASIAFIRST\"", "\"s1\"", "\"t1\"",
	    "\"2015-08-30T12:38:00Z\"");
	static const char later[] = IOT("\"ASIASECOND\"", "\"s2\"", "\"t2\"",
	    "\"2015-08-30T13:36:00Z\"");
	int64_t now;
	int fetches = 0;

	CHECK_EQ(setup("http://127.0.0.1:8443"), 0);
	CHECK_EQ(add(reply(0, "200 OK", NULL, soon)), 0);
	CHECK_EQ(add(reply(1, "200 OK", NULL, later)), 1);
	mock_port_set_time_unix(1440938160);    /* 2015-08-30T12:36:00Z */
	cpj_creds_clear(&c);
	while (cpj_creds_should_refresh(&c, cpj_port_time_unix())) {
		CHECK(fetches < 2);
		CHECK_EQ(cpj_creds_fetch_iot(&c, &cli, "alias", "thing", work,
		    sizeof work, NULL), 0);
		fetches++;
	}
	CHECK_EQ(fetches, 2);
	CHECK(strcmp(c.akid, "ASIASECOND") == 0);
	CHECK_EQ(c.expires, 1440941760);
	now = cpj_port_time_unix();
	CHECK_EQ(cpj_creds_should_refresh(&c, now), 0);
	/* 55 minutes later: still 5 minutes left, due again */
	mock_port_advance_ms((uint32_t)(c.expires - now - CPJ_CREDS_REFRESH_S
	    - 1) * 1000u);
	CHECK_EQ(cpj_creds_should_refresh(&c, cpj_port_time_unix()), 0);
	mock_port_advance_ms(1000);
	CHECK_EQ(cpj_creds_should_refresh(&c, cpj_port_time_unix()), 1);
	CHECK_EQ(mock_port_connects(), 2);
	return 0;
}

int
main(void)
{
	RUN(time_valid);
	RUN(time_invalid);
	RUN(doc_iot);
	RUN(doc_metadata);
	RUN(doc_hostile);
	RUN(refresh_rule);
	RUN(fetch_iot_ok);
	RUN(fetch_iot_errors);
	RUN(fetch_container);
	RUN(fetch_imds_ok);
	RUN(fetch_imds_errors);
	RUN(refetch_before_expiry);
	cpj_creds_clear(&c);
	return H_EXIT();
}
