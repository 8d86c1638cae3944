/*
 * cpj_creds.h -- AWS credentials and the shared credentials/config files.
 *
 * A cpj_creds holds one set of credentials in fixed storage. The library
 * does no file I/O: the caller reads ~/.aws/credentials or ~/.aws/config
 * (or any text in that INI form) and passes the bytes; the parser works in
 * place and copies only the values it returns.
 *
 * Secrets: cpj_creds_clear() wipes the storage; callers SHOULD call it as
 * soon as the credentials are no longer needed. Nothing here logs.
 *
 * RAM: sizeof(cpj_creds) = CPJ_CREDS_AKID_MAX + CPJ_CREDS_SECRET_MAX +
 * CPJ_CREDS_TOKEN_MAX + 3 + 8 bytes (4,427 with the defaults).
 * Stack: under 128 bytes for every call.
 */
#ifndef CPJ_CREDS_H
#define CPJ_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"

/** Longest access key id (STS allows 16..128). */
#ifndef CPJ_CREDS_AKID_MAX
#define CPJ_CREDS_AKID_MAX 128
#endif
/** Longest secret access key (40 in practice). */
#ifndef CPJ_CREDS_SECRET_MAX
#define CPJ_CREDS_SECRET_MAX 128
#endif
/** Longest session token (STS sets no maximum; about 1 KB in practice). */
#ifndef CPJ_CREDS_TOKEN_MAX
#define CPJ_CREDS_TOKEN_MAX 4096
#endif

typedef struct cpj_creds {
	char akid[CPJ_CREDS_AKID_MAX + 1];       /**< access key id, NUL-terminated */
	char secret[CPJ_CREDS_SECRET_MAX + 1];   /**< secret access key */
	char token[CPJ_CREDS_TOKEN_MAX + 1];     /**< session token, "" when none */
	int64_t expires;                         /**< Unix seconds; 0 = does not expire */
} cpj_creds;

/**
 * \brief Copy explicit credentials into `c`.
 *
 * \param akid, secret  required, non-empty, NUL-terminated.
 * \param token         session token or NULL / "" for none.
 * \param expires       Unix seconds, or 0.
 * \return 0; CPJ_ERR_SIGV4_CREDS when akid or secret is missing or holds
 *         characters outside printable ASCII; CPJ_ERR_CREDS_FORMAT when a
 *         value is longer than its CPJ_CREDS_*_MAX (nothing is truncated;
 *         `c` is left cleared on any error).
 */
int cpj_creds_set(cpj_creds *c, const char *akid, const char *secret,
	const char *token, int64_t expires);

/** \brief Wipe every byte of `c` (secrets included). */
void cpj_creds_clear(cpj_creds *c);

/** \brief 1 if `c` holds an access key and secret, else 0. */
int cpj_creds_present(const cpj_creds *c);

/**
 * \brief Look up `key` in section `section` of INI text.
 *
 * The syntax is the AWS CLI's: `[section]` headers, `key = value` lines,
 * comments starting with '#' or ';', blank lines ignored; lines that start
 * with white space belong to a nested block (e.g. `s3 =` followed by
 * indented settings) and are never matched. Names compare exactly. The
 * last occurrence of a key in the section wins.
 *
 * \param text, len  the file's bytes (need not be NUL-terminated); borrowed.
 * \param out, cap   receives the value, NUL-terminated, trimmed.
 * \return the value's length; CPJ_ERR_CREDS_NONE when the section or key is
 *         absent; CPJ_ERR_NOSPACE when the value does not fit `cap`.
 */
int cpj_ini_get(const char *text, size_t len, const char *section,
	const char *key, char *out, size_t cap);

/**
 * \brief Credentials of `profile` from a shared credentials file
 *        (`[name]` sections) or a config file (`[profile name]`, or
 *        `[default]` for the profile "default").
 *
 * Reads aws_access_key_id, aws_secret_access_key and aws_session_token.
 * \param is_config  0 for the credentials file, 1 for the config file.
 * \return 0; CPJ_ERR_CREDS_NONE when the profile or its key pair is
 *         absent; CPJ_ERR_CREDS_FORMAT when a value is too long.
 */
int cpj_creds_from_ini(cpj_creds *c, const char *text, size_t len,
	const char *profile, int is_config);

#endif
