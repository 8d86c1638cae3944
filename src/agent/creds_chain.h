/*
 * creds_chain.h -- the worker's credential provider chain, as in the AWS
 * SDKs, for `cpjob run` and the one-shot commands.
 *
 * Providers, tried in this order; the first that is configured decides
 * (a configured provider that fails stops the chain with its error, as
 * botocore does; only IMDS failures fall through to "no credentials"):
 *
 *  1. env: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *     (and AWS_CREDENTIAL_EXPIRATION, ISO-8601, when set). Skipped when a
 *     profile was named explicitly (--profile), as botocore does; an
 *     AWS_PROFILE variable alone does not skip it.
 *  2. shared-credentials-file: AWS_SHARED_CREDENTIALS_FILE or
 *     ~/.aws/credentials, section [<profile>].
 *  3. config-file: AWS_CONFIG_FILE or ~/.aws/config, section
 *     [profile <profile>] ([default] for "default"): aws_access_key_id,
 *     aws_secret_access_key, aws_session_token.
 *  4. iot-credentials-provider: the AWS IoT Core credentials provider
 *     over mutual TLS. Each setting comes from its environment variable,
 *     else from the key of the profile in the config file:
 *       CPJOB_IOT_ENDPOINT      iot_credentials_endpoint  host[:port] or
 *                               https://host[:port] (the account's
 *                               "iot:CredentialProvider" endpoint);
 *                               setting it turns the provider on
 *       CPJOB_IOT_ROLE_ALIAS    iot_role_alias            role alias
 *       CPJOB_IOT_THING_NAME    iot_thing_name            thing name
 *                               (x-amzn-iot-thingname)
 *       CPJOB_IOT_CERT_FILE     iot_cert_file             device certificate
 *                               (PEM, chain after it allowed)
 *       CPJOB_IOT_KEY_FILE      iot_key_file              its private key
 *                               (PEM, unencrypted)
 *       CPJOB_IOT_CA_FILE       iot_ca_file               CA for the
 *                               endpoint (PEM); default: the compiled-in
 *                               Amazon roots (Amazon Root CA 1 signs it)
 *     With the endpoint set, the four others (all but the CA) are
 *     required. Paths may start with "~/". Files are read again at each
 *     fetch, so a rotated certificate is picked up.
 *  5. container-role: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *     http://169.254.170.2), else AWS_CONTAINER_CREDENTIALS_FULL_URI
 *     (https to any host; http only to an IP literal of 127.0.0.0/8 or
 *     ::1, to 169.254.170.2, 169.254.170.23 or fd00:ec2::23, or to
 *     "localhost" when every address it resolves to is loopback; the
 *     host is checked strictly, before any lookup: see
 *     creds_container.c). Authorization header: the content of
 *     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (trailing CR/LF dropped),
 *     else AWS_CONTAINER_AUTHORIZATION_TOKEN. https uses the command's
 *     CA bundle (setup_trust(): --ca-bundle, else AWS_CA_BUNDLE, else
 *     the compiled-in roots). Up to 3 attempts on connection failures,
 *     2 s timeouts.
 *  6. iam-role: IMDSv2, unless AWS_EC2_METADATA_DISABLED is "true" (any
 *     case). Endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT
 *     (ec2_metadata_service_endpoint), else by
 *     AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE
 *     (ec2_metadata_service_endpoint_mode) "IPv6" http://[fd00:ec2::254],
 *     else http://169.254.169.254. Timeouts: AWS_METADATA_SERVICE_TIMEOUT
 *     (metadata_service_timeout) seconds, default 1, for the connect and
 *     each read, so a device without IMDS does not stall; attempts:
 *     AWS_METADATA_SERVICE_NUM_ATTEMPTS (metadata_service_num_attempts),
 *     default 1.
 *
 * Sources (for logs): "env", "shared-credentials-file", "config-file",
 * "iot-credentials-provider", "container-role", "iam-role".
 *
 * Messages: on failure the chain prints one line to stderr that names
 * the provider and the cause ("Unable to locate credentials ..." when no
 * provider had any); callers need not print another. Secrets (keys,
 * tokens, private keys, authorization and IMDS tokens) are never printed
 * and are wiped from the chain's buffers after use.
 *
 * HTTPS_PROXY / NO_PROXY apply to the https providers (IoT, container),
 * as to every https client of the agent (setup.h).
 *
 * Limits (a larger file is refused with a message naming the limit,
 * never cut): the config and credentials files 49,151 bytes each
 * (CREDS_FILE_MAX - 1), the IoT certificate file 32,767 and key file
 * 16,383 bytes, CPJOB_IOT_CA_FILE 8 CA certificates in 8 KiB (the
 * endpoint's root, not a system bundle), the container token 8,192.
 *
 * Memory: one scope of the agent's arena (arena.h) for each run of the
 * chain, 128,736 bytes on x86-64 (creds_prov.h derives them), wiped when
 * the run ends; nothing is allocated. Not thread-safe. The sources:
 * creds_chain.c and the providers' files listed in creds_prov.h.
 */
#ifndef CPJ_CREDS_CHAIN_H
#define CPJ_CREDS_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "cpj.h"

/**
 * Run the chain.
 *
 * profile: the profile name, or NULL for AWS_PROFILE, else "default".
 * profile_named: 1 when the user named the profile explicitly (--profile):
 * the environment provider is then skipped.
 * source, source_cap: receives the provider's name (see above); may be
 * NULL.
 *
 * Returns 0 with `out` filled; CPJ_ERR_CREDS_NONE when no provider had
 * credentials; another CPJ_ERR_* when a configured provider failed
 * (CPJ_ERR_AGENT_CONFIG for a bad or incomplete setting, CPJ_ERR_IO for
 * an unreadable file, CPJ_ERR_CREDS_REFUSED, CPJ_ERR_TLS_*, ...). `out`
 * is cleared on any error. The provider that succeeded is remembered for
 * creds_chain_refresh_if_needed().
 */
int creds_chain_load(cpj_creds *out, const char *profile, int profile_named,
	char *source, size_t source_cap);

/**
 * Refresh credentials from the provider that gave them, when they expire
 * within CPJ_CREDS_REFRESH_S seconds (5 minutes) of `now` (Unix seconds).
 *
 * Returns 0 when nothing was needed (not due, or credentials that do not
 * expire), 1 when `c` was replaced by fresh credentials, or a negative
 * CPJ_ERR_* when the refetch failed: `c` is then kept while it is still
 * valid at `now` (the caller may retry later), else cleared and
 * CPJ_ERR_CREDS_EXPIRED returned. CPJ_ERR_STATE when the chain has not
 * loaded credentials.
 */
int creds_chain_refresh_if_needed(cpj_creds *c, int64_t now);

/** Print each provider's outcome to stderr (never a secret): 1 on, 0 off. */
void creds_chain_set_debug(int on);

/** Wipe every buffer of the chain (call before exit). */
void creds_chain_cleanup(void);

#endif
