/*
 * setup_profile.c -- the profile of the shared files (see setup.h): its
 * name, the config file, its settings, and the region.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "setup.h"

#define PATH_LEN 1024

/* see setup.h */
int
setup_profile_init(struct setup_profile *p, char *buf, size_t cap,
	const char *name, const char *who)
{
	p->cfg = buf;
	p->cap = cap;
	p->len = 0;
	p->name[0] = '\0';
	if (name == NULL)
		name = setup_env("AWS_PROFILE");
	if (name == NULL)
		name = "default";
	if (strlen(name) >= sizeof p->name || strchr(name, ']') != NULL
	    || strchr(name, '\n') != NULL) {
		setup_msg(who, "profile name '%s' is not valid", name);
		return CPJ_ERR_AGENT_CONFIG;
	}
	memcpy(p->name, name, strlen(name) + 1);
	return 0;
}

/* see setup.h */
int
setup_profile_load(struct setup_profile *p, const char *who)
{
	char path[PATH_LEN];
	long n;

	p->len = 0;
	p->cfg[0] = '\0';
	if (setup_home_path(path, sizeof path, "AWS_CONFIG_FILE",
	    ".aws/config") < 0)
		return 0;
	n = setup_read_file(who, "config file", path, p->cfg, p->cap, 1);
	if (n == CPJ_ERR_CREDS_NONE)
		return 0;
	if (n < 0)
		return CPJ_ERR_AGENT_CONFIG;
	p->len = (size_t)n;
	return 0;
}

/* see setup.h */
void
setup_profile_wipe(struct setup_profile *p)
{
	if (p->cfg != NULL)
		cpj_wipe(p->cfg, p->cap);
	p->len = 0;
}

/* Key of the profile's section: its length, 0 when absent,
 * CPJ_ERR_NOSPACE when too long. [default] or [profile default] for
 * "default", [profile NAME] for the others. */
static int
profile_value(const struct setup_profile *p, const char *key, char *out,
	size_t cap)
{
	char section[SETUP_PROFILE_MAX + 16];
	int rc;

	if (p->len == 0)
		return 0;
	if (strcmp(p->name, "default") == 0) {
		rc = cpj_ini_get(p->cfg, p->len, "default", key, out, cap);
		if (rc == CPJ_ERR_CREDS_NONE)
			rc = cpj_ini_get(p->cfg, p->len, "profile default", key,
			    out, cap);
	} else {
		fmt_snprintf(section, sizeof section, "profile %s", p->name);
		rc = cpj_ini_get(p->cfg, p->len, section, key, out, cap);
	}
	return rc == CPJ_ERR_CREDS_NONE ? 0 : rc;
}

/* see setup.h */
int
setup_setting(const struct setup_profile *p, const char *envname,
	const char *key, char *out, size_t cap, const char *who)
{
	const char *v = envname != NULL ? setup_env(envname) : NULL;
	int n;

	out[0] = '\0';
	if (v != NULL) {
		n = fmt_snprintf(out, cap, "%s", v);
		if (n < 0 || (size_t)n >= cap) {
			out[0] = '\0';
			setup_msg(who, "%s: longer than %u bytes", envname,
			    (unsigned)cap - 1);
			return CPJ_ERR_AGENT_CONFIG;
		}
		return n;
	}
	n = profile_value(p, key, out, cap);
	if (n <= 0)
		out[0] = '\0';
	if (n < 0) {
		setup_msg(who, "%s of profile %s: longer than %u bytes", key,
		    p->name, (unsigned)cap - 1);
		return CPJ_ERR_AGENT_CONFIG;
	}
	return n;
}

/* see setup.h */
int
setup_region(struct setup_profile *p, const char *given, char *out,
	size_t cap)
{
	const char *v = given;
	int n = 0;

	if (v == NULL)
		v = setup_env("AWS_REGION");
	if (v == NULL)
		v = setup_env("AWS_DEFAULT_REGION");
	if (v != NULL) {
		fmt_snprintf(out, cap, "%s", v);
		return 0;
	}
	if (setup_profile_load(p, NULL) == 0)
		n = setup_setting(p, NULL, "region", out, cap, NULL);
	setup_profile_wipe(p);
	if (n > 0)
		return 0;
	fmt_eprintf("You must specify a region. You can also configure "
	    "your region by running \"aws configure\".\n");
	return -1;
}
