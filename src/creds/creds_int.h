/*
 * creds_int.h -- credential documents and expiry windows (src/creds/) used
 * by the credential fetches.
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_CREDS_INT_H
#define CPJ_CREDS_INT_H

#include "cpj_creds.h"

#if CPJ_CONFIG_CREDS_PROVIDERS
/**
 * \brief Credentials from a provider's JSON document.
 *
 * CPJ_CREDS_DOC_IOT: the AWS IoT credentials provider's answer,
 * {"credentials":{"accessKeyId":..,"secretAccessKey":..,
 * "sessionToken":..,"expiration":..}}, all four required.
 * CPJ_CREDS_DOC_METADATA: the IMDS and container answer, {"Code":..,
 * "AccessKeyId":..,"SecretAccessKey":..,"Token":..,"Expiration":..}:
 * the last four required; "Code" is optional (containers leave it out)
 * and, when present, must be the string "Success".
 *
 * Values must be JSON strings that unescape to printable ASCII without
 * spaces, non-empty, fitting their cpj_creds field; "expiration" as
 * cpj_creds_parse_time(). Other members are ignored; with duplicates the
 * last one wins.
 *
 * Stack: at most 1,552 bytes.
 *
 * \param c       receives the credentials, `expires` set; cleared first
 *                and left cleared on any error (never partly filled).
 * \param js, len the document (need not be NUL-terminated); borrowed,
 *                never written.
 * \param format  CPJ_CREDS_DOC_IOT or CPJ_CREDS_DOC_METADATA.
 * \param field   if not NULL, receives the name of the member an error
 *                is about (static text, e.g. "credentials.sessionToken"),
 *                or NULL when it is about the whole document.
 * \return 0; CPJ_ERR_JSON_INVALID, CPJ_ERR_JSON_TRUNCATED,
 *         CPJ_ERR_JSON_ESCAPE, CPJ_ERR_JSON_DEPTH (not JSON);
 *         CPJ_ERR_JSON_TOKENS (more than CPJ_CREDS_DOC_TOKENS tokens);
 *         CPJ_ERR_JSON_TYPE (the document or a member of the wrong
 *         type); CPJ_ERR_JSON_MISSING (a required member absent);
 *         CPJ_ERR_JSON_FIELD_TOO_LONG (a value longer than its
 *         CPJ_CREDS_*_MAX); CPJ_ERR_CREDS_FORMAT (empty value, a byte
 *         outside 0x21..0x7e, bad expiration); CPJ_ERR_CREDS_REFUSED
 *         ("Code" other than "Success"); CPJ_ERR_PARAM (NULL pointer,
 *         unknown format).
 * Its tokens (CPJ_CREDS_DOC_TOKENS of 16 to 20 bytes) are on the stack.
 */
int cpj_creds_from_json(cpj_creds *c, const char *js, size_t len,
	int format, const char **field);

/**
 * \brief As cpj_creds_should_refresh() with a window of `window`
 *        seconds instead of CPJ_CREDS_REFRESH_S (a negative window is 0:
 *        true only once expired).
 *
 * Stack: at most 48 bytes.
 */
int cpj_creds_expires_within(const cpj_creds *c, int64_t now,
	int64_t window);
#endif

#endif
