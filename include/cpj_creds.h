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
 * Stack: see each call.
 */
/** \file
 * \brief AWS credentials and the shared credentials/config files.
 */
#ifndef CPJ_CREDS_H
#define CPJ_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include "cpj_config.h"

/** AWS credentials (secret: wipe with cpj_creds_clear()). */
typedef struct cpj_creds {
	char akid[CPJ_CREDS_AKID_MAX + 1];       /**< access key id, NUL-terminated */
	char secret[CPJ_CREDS_SECRET_MAX + 1];   /**< secret access key */
	char token[CPJ_CREDS_TOKEN_MAX + 1];     /**< session token, "" when none */
	int64_t expires;                         /**< Unix seconds; 0 = does not expire */
} cpj_creds;

/**
 * \brief Copy explicit credentials into `c`.
 *
 * Stack: at most 144 bytes.
 *
 * \param c             the credentials to set.
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

/** \brief Wipe every byte of `c` (secrets included).
 *
 * Stack: at most 32 bytes.
 */
void cpj_creds_clear(cpj_creds *c);

/** \brief 1 if `c` holds an access key and secret, else 0.
 *
 * Stack: at most 16 bytes.
 */
int cpj_creds_present(const cpj_creds *c);

#if CPJ_CONFIG_CREDS_PROVIDERS
/* The providers (cpj_config.h: CPJ_CONFIG_CREDS_PROVIDERS, left out of the
 * minimal profile): files, credential documents, IoT, containers, IMDS. */

/**
 * \brief Look up `key` in section `section` of INI text.
 *
 * The syntax is the AWS CLI's: `[section]` headers, `key = value` lines,
 * comments starting with '#' or ';', blank lines ignored; lines that start
 * with white space belong to a nested block (e.g. `s3 =` followed by
 * indented settings) and are never matched. Names compare exactly. The
 * last occurrence of a key in the section wins.
 *
 * Stack: at most 176 bytes.
 *
 * \param text, len  the file's bytes (need not be NUL-terminated); borrowed.
 * \param section    the section's name, without brackets.
 * \param key        the key to find.
 * \param out, cap   receives the value, NUL-terminated, trimmed.
 * \return the value's length; CPJ_ERR_CREDS_NONE when the section or key is
 *         absent; CPJ_ERR_CREDS_FORMAT when the value holds a NUL byte;
 *         CPJ_ERR_NOSPACE when the value does not fit `cap`.
 */
int cpj_ini_get(const char *text, size_t len, const char *section,
	const char *key, char *out, size_t cap);

/**
 * \brief Credentials of `profile` from a shared credentials file
 *        (`[name]` sections) or a config file (`[profile name]`, or
 *        `[default]` for the profile "default").
 *
 * Reads aws_access_key_id, aws_secret_access_key and aws_session_token.
 *
 * Stack: at most 384 bytes.
 *
 * \param c          receives the credentials.
 * \param text, len  the file's bytes (need not be NUL-terminated); borrowed.
 * \param profile    the profile's name.
 * \param is_config  0 for the credentials file, 1 for the config file.
 * \return 0; CPJ_ERR_CREDS_NONE when the profile or its key pair is
 *         absent; CPJ_ERR_CREDS_FORMAT when a value is too long.
 */
int cpj_creds_from_ini(cpj_creds *c, const char *text, size_t len,
	const char *profile, int is_config);

/* ---- temporary credentials: documents, providers, refresh ----------
 *
 * The providers that hand out temporary credentials over HTTP: the AWS
 * IoT Core credentials provider, container credentials (ECS, EKS Pod
 * Identity) and the EC2 instance metadata service (IMDSv2). The library
 * parses their documents and speaks their protocol over a
 * cpj_http_client the caller set up, so it decides no URL, reads no
 * environment and opens no file: the caller picks the endpoint, the
 * timeouts, the trust anchors and (IoT) the client certificate.
 *
 * Secrets: every fetch closes the connection at its end and wipes the
 * work buffer, the socket read-ahead and the TLS record buffer, so no
 * secret key, session token or IMDS token stays in library memory; only
 * the cpj_creds receives them. Nothing is logged but statuses and
 * step names.
 */

/** Part of a fetch's work buffer kept for the HTTP layer (request head,
 *  reads), on top of the length of the caller's header values. */
#define CPJ_CREDS_HEAD_ROOM 1024
/** A work buffer size that takes a document of 8 KB (a session token of
 *  about 6 KB) with header values of up to 3 KB. */
#define CPJ_CREDS_WORK_SIZE (8192 + CPJ_CREDS_HEAD_ROOM + 3072)

/** Credential document formats (what the fetch calls read). */
#define CPJ_CREDS_DOC_IOT       1   /**< {"credentials":{"accessKeyId",...}} */
#define CPJ_CREDS_DOC_METADATA  2   /**< IMDS, container: {"AccessKeyId",...} */

/**
 * \brief An ISO-8601 UTC time to Unix seconds.
 *
 * Accepts "YYYY-MM-DDTHH:MM:SS" followed by an optional fraction of a
 * second ('.' and 1..9 digits, dropped) and a zone: "Z", "+HH:MM",
 * "-HH:MM", "+HHMM" or "-HHMM" (applied). 'T' and 'Z' may be lower case.
 * Years 1970..9999; dates are checked (months, days of the month, leap
 * years), hours 0..23, minutes 0..59, seconds 0..60.
 *
 * Stack: at most 128 bytes.
 *
 * \param s, len  the text (need not be NUL-terminated); borrowed.
 * \param out     receives the time; unchanged on error.
 * \return 0; CPJ_ERR_CREDS_FORMAT for anything else (a result before
 *         1970 included); CPJ_ERR_PARAM for NULL pointers.
 */
int cpj_creds_parse_time(const char *s, size_t len, int64_t *out);

/**
 * \brief Whether credentials should be fetched again: 1 when `c` holds
 *        none, or when they expire at most CPJ_CREDS_REFRESH_S seconds
 *        after `now` (expired ones included); 0 otherwise and for
 *        credentials that do not expire (expires 0).
 *
 * Stack: at most 96 bytes.
 *
 * \param c    the credentials.
 * \param now  Unix seconds (e.g. cpj_port_time_unix()).
 */
int cpj_creds_should_refresh(const cpj_creds *c, int64_t now);

/* HTTP client (cpj_http.h); the fetch calls only borrow it. */
struct cpj_http_client;

/**
 * \brief What a fetch saw, for messages (never secret).
 */
typedef struct cpj_creds_fetch_info {
	int status;          /**< HTTP status of the last answer, 0 if none */
	const char *step;    /**< static name of the last request: "iot",
	                          "container", "imds-token", "imds-role",
	                          "imds-credentials" */
	const char *field;   /**< member a document error is about, or NULL */
	char role[CPJ_CREDS_ROLE_MAX + 1]; /**< IMDS role name, "" if none */
} cpj_creds_fetch_info;

/*
 * Common rules of the three fetch calls:
 *  - `http` is a client the caller set up with the provider's URL and
 *    timeouts (and, for https, its TLS context: anchors and, for IoT,
 *    the device certificate through cpj_tls_set_client_cert()). It is
 *    borrowed for the call; its connection is closed at the end.
 *  - `work`/`work_len` is caller scratch borrowed for the call: its last
 *    CPJ_CREDS_HEAD_ROOM bytes plus the length of the caller's header
 *    values serve the HTTP layer, the rest takes the answer's body, so a
 *    larger body is CPJ_ERR_HTTP_BODY_TOO_LARGE (never truncated).
 *    CPJ_CREDS_WORK_SIZE is enough for real documents. It is wiped
 *    before the call returns.
 *  - `c` is cleared first and filled only on success.
 *  - `info`, if not NULL, is filled (see cpj_creds_fetch_info).
 *  - Status codes: 2xx is parsed; 4xx is CPJ_ERR_CREDS_REFUSED; others
 *    are CPJ_ERR_CREDS_PROVIDER.
 *  - Blocking: each request blocks at most the client's request timeout.
 *  - Errors also include those of cpj_http_client_exchange()
 *    (CPJ_ERR_NET_*, CPJ_ERR_TLS_*, CPJ_ERR_TIMEOUT, CPJ_ERR_HTTP_*) and
 *    of reading the document (CPJ_ERR_JSON_*, CPJ_ERR_CREDS_*);
 *    CPJ_ERR_NOSPACE when `work` is too small
 *    for the head room plus 256 bytes of body; CPJ_ERR_PARAM.
 *  - Stack: each call's figure includes cpj_http_client_exchange() (a TLS
 *    handshake).
 */

/**
 * \brief Credentials from the AWS IoT Core credentials provider.
 *
 * Sends GET /role-aliases/\<role_alias\>/credentials with the header
 * x-amzn-iot-thingname: \<thing_name\>. The provider authenticates the
 * device by its certificate: `http` SHOULD be an https client whose TLS
 * context has the device certificate and key set, and whose anchors are
 * the provider's CA (Amazon Root CA 1), not those of other endpoints.
 *
 * Stack: at most 6,816 bytes.
 *
 * \param c, http, work, work_len, info  see the common rules above.
 * \param role_alias  1..128 bytes of [A-Za-z0-9_=,@-] (IoT's rule);
 *                    else CPJ_ERR_PARAM.
 * \param thing_name  1..128 bytes of [A-Za-z0-9_:-]; else CPJ_ERR_PARAM.
 * \return 0 or an error (see the common rules); a 403 (certificate not
 *         attached to the thing, unknown alias) is CPJ_ERR_CREDS_REFUSED.
 */
int cpj_creds_fetch_iot(cpj_creds *c, struct cpj_http_client *http,
	const char *role_alias, const char *thing_name, unsigned char *work,
	size_t work_len, cpj_creds_fetch_info *info);

/**
 * \brief Container credentials (ECS task role, EKS Pod Identity).
 *
 * Sends GET \<path\> with "Authorization: \<authorization\>" when that is
 * given, and parses a CPJ_CREDS_DOC_METADATA document.
 *
 * Stack: at most 6,608 bytes.
 *
 * \param c, http, work, work_len, info  see the common rules above.
 * \param path           request target starting with '/', e.g. the value
 *                       of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or the
 *                       path and query of AWS_CONTAINER_CREDENTIALS_FULL_URI;
 *                       visible ASCII, else CPJ_ERR_PARAM.
 * \param authorization  token (secret; never logged) or NULL / "" for
 *                       none; CR, LF or another control byte is
 *                       CPJ_ERR_PARAM.
 * \return 0 or an error (see the common rules).
 */
int cpj_creds_fetch_container(cpj_creds *c, struct cpj_http_client *http,
	const char *path, const char *authorization, unsigned char *work,
	size_t work_len, cpj_creds_fetch_info *info);

/**
 * \brief Instance credentials from the EC2 metadata service, IMDSv2.
 *
 * Three requests on one connection: PUT /latest/api/token with
 * X-aws-ec2-metadata-token-ttl-seconds: 21600 (the session token: 1..
 * CPJ_CREDS_IMDS_TOKEN_MAX bytes of 0x21..0x7e); GET
 * /latest/meta-data/iam/security-credentials/ with the token (the role
 * name: first line, 1..CPJ_CREDS_ROLE_MAX bytes of [A-Za-z0-9+=,.\@_-]);
 * GET /latest/meta-data/iam/security-credentials/\<role\> with the token
 * (a CPJ_CREDS_DOC_METADATA document). There is no IMDSv1 fallback: a
 * service that refuses the token PUT fails. The token is wiped before
 * the call returns.
 *
 * Stack: at most 7,104 bytes.
 *
 * \return 0 or an error (see the common rules); CPJ_ERR_CREDS_NONE when
 *         the instance has no role (404 or an empty list);
 *         CPJ_ERR_CREDS_FORMAT for a malformed token or role name.
 */
int cpj_creds_fetch_imds(cpj_creds *c, struct cpj_http_client *http,
	unsigned char *work, size_t work_len, cpj_creds_fetch_info *info);

#endif /* CPJ_CONFIG_CREDS_PROVIDERS */

#endif
