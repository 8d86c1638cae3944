/*
 * cp_validate.c -- input checks against the service model's constraints,
 * made before a request is sent, so that a bad value fails locally with
 * the name of the field instead of as a ValidationException.
 */
#include "inner.h"

/* Length in UTF-16 code units, as the service counts; -1 if not UTF-8. */
static long
utf16_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	while (*p != '\0') {
		unsigned c = *p;
		int extra;

		if (c < 0x80)
			extra = 0;
		else if (c >= 0xc2 && c <= 0xdf)
			extra = 1;
		else if (c >= 0xe0 && c <= 0xef)
			extra = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			extra = 3;
		else
			return -1;
		p++;
		while (extra-- > 0) {
			if ((*p & 0xc0) != 0x80)
				return -1;
			p++;
		}
		n += (c >= 0xf0) ? 2 : 1;
	}
	return n;
}

/* see cpj_codepipeline.h */
int
cpj_cp_check_len(const char *s, long min, long max)
{
	long n;

	if (s == NULL)
		return min > 0 ? CPJ_ERR_PARAM : CPJ_OK;
	n = utf16_len(s);
	if (n < 0 || n < min || n > max)
		return CPJ_ERR_PARAM;
	return CPJ_OK;
}

/* see cpj_codepipeline.h */
int
cpj_cp_check_job_id(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (s == NULL)
		return CPJ_ERR_PARAM;
	for (i = 0; i < sizeof shape - 1; i++) {
		char c = s[i];

		if (shape[i] == '-') {
			if (c != '-')
				return CPJ_ERR_PARAM;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return CPJ_ERR_PARAM;
		}
	}
	return s[i] == '\0' ? CPJ_OK : CPJ_ERR_PARAM;
}

/* see cpj_codepipeline.h */
int
cpj_cp_check_token_chars(const char *s, long min, long max)
{
	long n = 0;

	if (s == NULL)
		return CPJ_ERR_PARAM;
	for (; *s != '\0'; s++, n++) {
		char c = *s;

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
		    || (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return CPJ_ERR_PARAM;
	}
	return (n >= min && n <= max) ? CPJ_OK : CPJ_ERR_PARAM;
}

/* The values of the enums, in the order of CPJ_CP_ENUM_* (from 1), each
 * list ended by an empty string: no pointer per value. */
static const char enums[] =
    "Source\0Build\0Deploy\0Test\0Invoke\0Approval\0Compute\0\0"
    "AWS\0ThirdParty\0Custom\0\0"
    "JobFailed\0ConfigurationError\0PermissionError\0RevisionOutOfSync\0"
    "RevisionUnavailable\0SystemUnavailable\0";

/* see cpj_codepipeline.h */
int
cpj_cp_check_enum(const char *s, int which)
{
	const char *v = enums;
	int list = 1;

	if (which < CPJ_CP_ENUM_CATEGORY || which > CPJ_CP_ENUM_FAILURE_TYPE)
		return CPJ_ERR_PARAM;
	for (; v < enums + sizeof enums - 1; v += strlen(v) + 1) {
		if (*v == '\0')
			list++;
		else if (list == which && s != NULL && strcmp(s, v) == 0)
			return CPJ_OK;
	}
	return CPJ_ERR_PARAM;
}
