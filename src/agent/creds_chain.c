/*
 * creds_chain.c -- the worker's credential provider chain (see
 * creds_chain.h): the order of the providers, load and refresh, the
 * environment provider. The other providers are in creds_files.c,
 * creds_iot.c, creds_container.c and creds_imds.c; what they share
 * (messages, names, the TLS wipe) in creds_prov.c (creds_prov.h).
 *
 * The library parses and fetches; these files decide the policy: which
 * variables and config keys count, the URLs, the timeouts, the trust
 * anchors, and they read the files. Every buffer of a run is in the one
 * struct creds_ctx below, a scope of the agent's arena that the run's end
 * wipes whole.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "arena.h"
#include "creds_prov.h"

/* The run of the chain, handed to each provider: a scope of the arena
 * (arena.h) for the run only, wiped at its end. */
static struct creds_ctx *ctx;
static size_t ctx_mark;
static int debug;

/* The provider that gave the credentials, for refreshes. */
static struct {
	int kind;
	char profile[SETUP_PROFILE_MAX];
} last;

static cpj_creds fresh;

/* see creds_chain.h */
void
creds_chain_set_debug(int on)
{
	debug = on;
}

/* The environment's keys. */
static int
prov_env(struct creds_ctx *c, cpj_creds *out)
{
	const char *ak = setup_env("AWS_ACCESS_KEY_ID");
	const char *sk = setup_env("AWS_SECRET_ACCESS_KEY");
	const char *ex = setup_env("AWS_CREDENTIAL_EXPIRATION");
	int64_t t = 0;
	int rc;

	if (ak == NULL) {
		creds_dbg(c, "env: AWS_ACCESS_KEY_ID not set");
		return CPJ_ERR_CREDS_NONE;
	}
	if (sk == NULL) {
		setup_msg(CREDS_WHO, "env: AWS_ACCESS_KEY_ID is set but "
		    "AWS_SECRET_ACCESS_KEY is not");
		return CPJ_ERR_AGENT_CONFIG;
	}
	if (ex != NULL && cpj_creds_parse_time(ex, strlen(ex), &t) < 0) {
		setup_msg(CREDS_WHO, "env: AWS_CREDENTIAL_EXPIRATION is not an "
		    "ISO-8601 time: %s", ex);
		return CPJ_ERR_AGENT_CONFIG;
	}
	rc = cpj_creds_set(out, ak, sk, setup_env("AWS_SESSION_TOKEN"), t);
	if (rc < 0) {
		setup_msg(CREDS_WHO, "env: %s", cpj_strerror(rc));
		return rc;
	}
	return 0;
}

static int
run_provider(int kind, cpj_creds *out)
{
	/* CREDS_ENV .. CREDS_IMDS, in the chain's order */
	static int (*const prov[])(struct creds_ctx *, cpj_creds *) = {
		prov_env, creds_prov_shared, creds_prov_config, creds_prov_iot,
		creds_prov_container, creds_prov_imds
	};

	if (kind < CREDS_ENV || kind > CREDS_IMDS)
		return CPJ_ERR_STATE;
	return prov[kind - CREDS_ENV](ctx, out);
}

/* The profile `name` (NULL: AWS_PROFILE, else "default") and its config
 * file, for a run of the chain, which end() ends. */
static int
begin(const char *name)
{
	int rc;

	ctx_mark = agent_arena_mark();
	ctx = agent_arena_scoped(sizeof *ctx);
	ctx->debug = debug;
	rc = setup_profile_init(&ctx->prof, ctx->file, sizeof ctx->file,
	    name, CREDS_WHO);
	if (rc == 0)
		rc = creds_profile(ctx);
	return rc;
}

/* The end of a run of the chain: its connection closed, its keys and
 * files wiped with the rest of the scope. */
static void
end(void)
{
	creds_tls_wipe(ctx);
	agent_arena_release(ctx_mark);
	ctx = NULL;
}

/* see creds_chain.h */
int
creds_chain_load(cpj_creds *out, const char *prof, int profile_named,
	char *source, size_t source_cap)
{
	int kind, rc;

	cpj_creds_clear(out);
	if (source != NULL && source_cap > 0)
		source[0] = '\0';
	last.kind = CREDS_NONE;
	if ((rc = begin(prof)) < 0) {
		end();
		return rc;
	}
	rc = CPJ_ERR_CREDS_NONE;
	for (kind = CREDS_ENV; kind <= CREDS_IMDS; kind++) {
		if (kind == CREDS_ENV && profile_named) {
			creds_dbg(ctx, "env: skipped (profile %s named)",
			    ctx->prof.name);
			continue;
		}
		rc = run_provider(kind, out);
		if (rc != CPJ_ERR_CREDS_NONE)
			break;
	}
	if (rc < 0) {
		cpj_creds_clear(out);
		if (rc == CPJ_ERR_CREDS_NONE)
			fmt_eprintf("Unable to locate credentials. You can "
			    "configure credentials by running \"aws "
			    "configure\".%s%s%s\n", ctx->imds_why[0] != '\0'
			    ? " (instance metadata " : "", ctx->imds_why,
			    ctx->imds_why[0] != '\0' ? ")" : "");
		end();
		return rc;
	}
	last.kind = kind;
	memcpy(last.profile, ctx->prof.name, sizeof last.profile);
	creds_dbg(ctx, "using %s", creds_name(kind));
	end();
	if (source != NULL && source_cap > 0)
		fmt_snprintf(source, source_cap, "%s", creds_name(kind));
	return 0;
}

/* see creds_chain.h */
int
creds_chain_refresh_if_needed(cpj_creds *c, int64_t now)
{
	int rc;

	if (last.kind == CREDS_NONE)
		return CPJ_ERR_STATE;
	if (!cpj_creds_should_refresh(c, now))
		return 0;
	if (debug)
		setup_msg(CREDS_WHO, "refreshing from %s", creds_name(last.kind));
	rc = begin(last.profile);
	if (rc == 0)
		rc = run_provider(last.kind, &fresh);
	if (rc == CPJ_ERR_CREDS_NONE && last.kind == CREDS_IMDS)
		setup_msg(CREDS_WHO, "iam-role: refresh failed: %s",
		    ctx->imds_why);
	end();
	if (rc == 0) {
		memcpy(c, &fresh, sizeof *c);
		cpj_creds_clear(&fresh);
		return 1;
	}
	cpj_creds_clear(&fresh);
	if (rc == CPJ_ERR_CREDS_NONE && last.kind != CREDS_IMDS)
		setup_msg(CREDS_WHO, "%s: refresh found no credentials",
		    creds_name(last.kind));
	if (cpj_creds_present(c) && (c->expires == 0 || now < c->expires))
		return rc;
	cpj_creds_clear(c);
	return CPJ_ERR_CREDS_EXPIRED;
}

/* see creds_chain.h */
void
creds_chain_cleanup(void)
{
	if (ctx != NULL)
		end();
	cpj_creds_clear(&fresh);
}
