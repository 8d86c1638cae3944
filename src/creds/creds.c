/*
 * creds.c -- explicit credentials and the AWS shared INI files.
 */
#include "inner.h"

static CPJ_NOINLINE int
printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	}
	return 1;
}

static CPJ_NOINLINE int
copy_field(char *dst, size_t cap, const char *src)
{
	size_t n = cpj_strnlen(src, cap - 1);

	if (n > cap - 1)
		return CPJ_ERR_CREDS_FORMAT;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return CPJ_OK;
}

/* see cpj_creds.h */
int
cpj_creds_set(cpj_creds *c, const char *akid, const char *secret,
	const char *token, int64_t expires)
{
	int err;

	cpj_creds_clear(c);
	if (akid == NULL || secret == NULL || akid[0] == '\0'
	    || secret[0] == '\0')
		return CPJ_ERR_SIGV4_CREDS;
	if (token == NULL)
		token = "";
	if ((err = copy_field(c->akid, sizeof c->akid, akid)) < 0
	    || (err = copy_field(c->secret, sizeof c->secret, secret)) < 0
	    || (err = copy_field(c->token, sizeof c->token, token)) < 0) {
		cpj_creds_clear(c);
		return err;
	}
	if (!printable(c->akid) || !printable(c->secret)
	    || !printable(c->token)) {
		cpj_creds_clear(c);
		return CPJ_ERR_SIGV4_CREDS;
	}
	c->expires = expires;
	return CPJ_OK;
}

/* see cpj_creds.h */
void
cpj_creds_clear(cpj_creds *c)
{
	cpj_wipe(c, sizeof *c);
}

/* see cpj_creds.h */
int
cpj_creds_present(const cpj_creds *c)
{
	return c->akid[0] != '\0' && c->secret[0] != '\0';
}

#if CPJ_CONFIG_CREDS_PROVIDERS
static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Trim [*s, *e) of blanks on both ends. */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static int
span_eq(const char *s, const char *e, const char *z)
{
	size_t n = (size_t)(e - s);

	return strlen(z) == n && memcmp(s, z, n) == 0;
}

/* see cpj_creds.h */
int
cpj_ini_get(const char *text, size_t len, const char *section,
	const char *key, char *out, size_t cap)
{
	const char *p = text, *end = text + len;
	const char *found = NULL, *found_end = NULL;
	int in_section = 0;

	while (p < end) {
		const char *ls = p, *le, *s, *e, *eq;

		le = memchr(p, '\n', (size_t)(end - p));
		if (le == NULL)
			le = end;
		p = le < end ? le + 1 : end;
		if (ls < le && (*ls == ' ' || *ls == '\t'))
			continue;       /* nested block line */
		s = ls;
		e = le;
		trim(&s, &e);
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			const char *cl = memchr(s, ']', (size_t)(e - s));

			in_section = 0;
			if (cl != NULL) {
				const char *ns = s + 1, *ne = cl;

				trim(&ns, &ne);
				in_section = span_eq(ns, ne, section);
			}
			continue;
		}
		if (!in_section)
			continue;
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq == NULL)
			continue;
		{
			const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;

			trim(&ks, &ke);
			trim(&vs, &ve);
			if (span_eq(ks, ke, key)) {
				found = vs;
				found_end = ve;
			}
		}
	}
	if (found == NULL)
		return CPJ_ERR_CREDS_NONE;
	/* a NUL inside a value would make the C string shorter than the
	   length returned: such a file is malformed */
	if (memchr(found, '\0', (size_t)(found_end - found)) != NULL)
		return CPJ_ERR_CREDS_FORMAT;
	if ((size_t)(found_end - found) >= cap)
		return CPJ_ERR_NOSPACE;
	memcpy(out, found, (size_t)(found_end - found));
	out[found_end - found] = '\0';
	return (int)(found_end - found);
}

/* see cpj_creds.h */
int
cpj_creds_from_ini(cpj_creds *c, const char *text, size_t len,
	const char *profile, int is_config)
{
	char section[80];
	cpj_buf b;
	int n;

	cpj_buf_init(&b, section, sizeof section);
	if (is_config && strcmp(profile, "default") != 0)
		cpj_buf_putlit(&b, "profile ");
	cpj_buf_puts(&b, profile);
	if (cpj_buf_ok(&b) < 0)
		return CPJ_ERR_PARAM;
	cpj_creds_clear(c);
	n = cpj_ini_get(text, len, section, "aws_access_key_id", c->akid,
	    sizeof c->akid);
	if (n == CPJ_ERR_CREDS_NONE && is_config
	    && strcmp(profile, "default") == 0) {
		/* "[profile default]" is accepted too */
		return cpj_creds_from_ini(c, text, len, "profile default", 0);
	}
	if (n == 0)
		n = CPJ_ERR_CREDS_NONE;
	if (n >= 0)
		n = cpj_ini_get(text, len, section, "aws_secret_access_key",
		    c->secret, sizeof c->secret);
	if (n == 0)
		n = CPJ_ERR_CREDS_NONE;
	if (n >= 0) {
		n = cpj_ini_get(text, len, section, "aws_session_token",
		    c->token, sizeof c->token);
		if (n == CPJ_ERR_CREDS_NONE)
			n = 0;
	}
	if (n < 0) {
		cpj_creds_clear(c);
		return n == CPJ_ERR_NOSPACE ? CPJ_ERR_CREDS_FORMAT : n;
	}
	if (!cpj_creds_present(c)) {
		cpj_creds_clear(c);
		return CPJ_ERR_CREDS_NONE;
	}
	return CPJ_OK;
}

#endif /* CPJ_CONFIG_CREDS_PROVIDERS */
