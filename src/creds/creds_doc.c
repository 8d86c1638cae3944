/*
 * creds_doc.c -- credential documents of the IoT, container and IMDS
 * providers, their ISO-8601 expiration times, and the refresh rule.
 */
#include "inner.h"

#if CPJ_CONFIG_CREDS_PROVIDERS

/* `n` decimal digits at s[*i], moving *i past them; -1 if not digits. */
static int
digits(const char *s, size_t len, size_t *i, int n, unsigned *out)
{
	if (len - *i < (size_t)n || (*out = cpj_dec(s + *i, n)) == UINT_MAX)
		return -1;
	*i += (size_t)n;
	return 0;
}

/* see cpj_creds.h */
int
cpj_creds_parse_time(const char *s, size_t len, int64_t *out)
{
	/* the fixed part: 'd' a digit, 'T' also 't' */
	static const char form[] = "dddd-dd-ddTdd:dd:dd";
	unsigned y, mo, d, hh, mm, ss, zh = 0, zm = 0;
	size_t i;
	long sod, off = 0;
	int64_t t;

	if (s == NULL || out == NULL)
		return CPJ_ERR_PARAM;
	if (len < sizeof form - 1)
		return CPJ_ERR_CREDS_FORMAT;
	for (i = 0; i < sizeof form - 1; i++) {
		char f = form[i], c = s[i];

		if (f == 'd' ? c < '0' || c > '9'
		    : c != f && !(f == 'T' && c == 't'))
			return CPJ_ERR_CREDS_FORMAT;
	}
	y = cpj_dec(s, 4);
	mo = cpj_dec(s + 5, 2);
	d = cpj_dec(s + 8, 2);
	hh = cpj_dec(s + 11, 2);
	mm = cpj_dec(s + 14, 2);
	ss = cpj_dec(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > cpj_month_days(y, mo)
	    || hh > 23 || mm > 59 || ss > 60)
		return CPJ_ERR_CREDS_FORMAT;
	if (i < len && s[i] == '.') {
		size_t f = ++i;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f || i - f > 9)
			return CPJ_ERR_CREDS_FORMAT;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		int neg = s[i] == '-';

		i++;
		if (digits(s, len, &i, 2, &zh) < 0)
			return CPJ_ERR_CREDS_FORMAT;
		if (i < len && s[i] == ':')
			i++;
		if (digits(s, len, &i, 2, &zm) < 0 || zh > 23 || zm > 59)
			return CPJ_ERR_CREDS_FORMAT;
		off = (long)(zh * 3600 + zm * 60);
		if (neg)
			off = -off;
	} else {
		return CPJ_ERR_CREDS_FORMAT;    /* a zone is required */
	}
	if (i != len)
		return CPJ_ERR_CREDS_FORMAT;
	/* the time of day and the zone in 32 bits: |sod| < 2 days */
	sod = (long)(hh * 3600 + mm * 60 + ss) - off;
	t = cpj_days_from_civil(y, mo, d) * 86400 + sod;
	if (t < 0)
		return CPJ_ERR_CREDS_FORMAT;
	*out = t;
	return CPJ_OK;
}

/* The members of the two formats, in the order akid, secret, token,
 * expiration, by the paths that name them in messages: the IoT ones are
 * in "credentials" (the member name follows IOT_SKIP bytes). */
#define IOT_SKIP (sizeof "credentials." - 1)
static const char *const iot_paths[4] = {
	"credentials.accessKeyId", "credentials.secretAccessKey",
	"credentials.sessionToken", "credentials.expiration"
};

static const char *const md_paths[4] = {
	"AccessKeyId", "SecretAccessKey", "Token", "Expiration"
};

static int
printable(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
	}
	return 1;
}

/* Unescape string member `name` of object `obj` into out[0..cap). */
static int
get_field(const char *js, const cpj_json_tok *t, int n, int obj,
	const char *name, char *out, size_t cap)
{
	size_t len;
	int i, rc;

	i = cpj_json_member(js, t, n, obj, name);
	if (i < 0)
		return i;
	if (t[i].type != CPJ_JSON_STRING)
		return CPJ_ERR_JSON_TYPE;
	rc = cpj_json_get_str(js, t, n, i, out, cap, &len);
	if (rc < 0)
		return rc;
	return printable(out, len) ? CPJ_OK : CPJ_ERR_CREDS_FORMAT;
}

static int
parse_doc(cpj_creds *c, const char *js, size_t len, int format,
	const char **field)
{
	cpj_json_tok t[CPJ_CREDS_DOC_TOKENS];
	const char *const *paths = md_paths;
	size_t skip = 0;
	char when[48], *out[4];
	int n, obj, rc, k;

	n = cpj_json_parse(js, len, t, CPJ_CREDS_DOC_TOKENS);
	if (n < 0)
		return n;
	if (t[0].type != CPJ_JSON_OBJECT)
		return CPJ_ERR_JSON_TYPE;
	obj = 0;
	if (format == CPJ_CREDS_DOC_IOT) {
		paths = iot_paths;
		skip = IOT_SKIP;
		*field = "credentials";
		obj = cpj_json_member(js, t, n, 0, "credentials");
		if (obj < 0)
			return obj;
		if (t[obj].type != CPJ_JSON_OBJECT)
			return CPJ_ERR_JSON_TYPE;
	} else {
		k = cpj_json_member(js, t, n, 0, "Code");
		if (k >= 0) {
			*field = "Code";
			if (t[k].type != CPJ_JSON_STRING)
				return CPJ_ERR_JSON_TYPE;
			if (!cpj_json_str_eq(js, t, n, k, "Success"))
				return CPJ_ERR_CREDS_REFUSED;
		} else if (k != CPJ_ERR_JSON_MISSING) {
			return k;
		}
	}
	out[0] = c->akid;
	out[1] = c->secret;
	out[2] = c->token;
	out[3] = when;
	for (k = 0; k < 4; k++) {
		static const size_t cap[4] = {
			sizeof c->akid, sizeof c->secret, sizeof c->token,
			sizeof when
		};

		*field = paths[k];
		rc = get_field(js, t, n, obj, paths[k] + skip, out[k], cap[k]);
		if (k == 3 && rc == CPJ_ERR_JSON_FIELD_TOO_LONG)
			rc = CPJ_ERR_CREDS_FORMAT;
		if (rc < 0)
			return rc;
	}
	rc = cpj_creds_parse_time(when, strlen(when), &c->expires);
	if (rc < 0)
		return rc;
	/* expires 0 means "never": an expiration at the epoch itself is a
	   credential that has long expired, not one that never does */
	if (c->expires == 0)
		c->expires = 1;
	*field = NULL;
	return CPJ_OK;
}

/* see cpj_creds.h */
int
cpj_creds_from_json(cpj_creds *c, const char *js, size_t len, int format,
	const char **field)
{
	const char *f = NULL;
	int rc;

	if (field != NULL)
		*field = NULL;
	if (c == NULL)
		return CPJ_ERR_PARAM;
	cpj_creds_clear(c);
	if (js == NULL || (format != CPJ_CREDS_DOC_IOT
	    && format != CPJ_CREDS_DOC_METADATA))
		return CPJ_ERR_PARAM;
	rc = parse_doc(c, js, len, format, &f);
	if (rc < 0) {
		cpj_creds_clear(c);
		if (field != NULL)
			*field = f;
		return rc;
	}
	return CPJ_OK;
}

/* see cpj_creds.h */
int
cpj_creds_expires_within(const cpj_creds *c, int64_t now, int64_t window)
{
	if (c == NULL || !cpj_creds_present(c))
		return 1;
	if (c->expires == 0)
		return 0;
	if (c->expires < 0)
		return 1;               /* nonsense: fetch again */
	if (window < 0)
		window = 0;
	/* expires >= 1 and 0 <= window: expires - window cannot overflow */
	return now >= c->expires - window;
}

/* see cpj_creds.h */
int
cpj_creds_should_refresh(const cpj_creds *c, int64_t now)
{
	return cpj_creds_expires_within(c, now, CPJ_CREDS_REFRESH_S);
}

#endif /* CPJ_CONFIG_CREDS_PROVIDERS */
