/*
 * creds_files.c -- the shared-credentials-file and config-file providers
 * of the credential chain (creds_prov.h): the profile's keys in
 * AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, then in the config
 * file (creds_profile()). Both are read into the chain's one file buffer.
 */
#include "agent.h"
#include "creds_prov.h"

/* see creds_prov.h */
int
creds_prov_shared(struct creds_ctx *c, cpj_creds *out)
{
	char path[CREDS_PATH_LEN], *buf;
	long n;
	int rc;

	if (setup_home_path(path, sizeof path, "AWS_SHARED_CREDENTIALS_FILE",
	    ".aws/credentials") < 0) {
		creds_dbg(c, "shared-credentials-file: no path (HOME unset)");
		return CPJ_ERR_CREDS_NONE;
	}
	buf = creds_file(c);
	n = setup_read_file(CREDS_WHO, "credentials file", path, buf,
	    CREDS_FILE_MAX, 1);
	if (n == CPJ_ERR_CREDS_NONE)
		creds_dbg(c, "credentials file %s: not found", path);
	if (n < 0)
		return (int)n;
	rc = cpj_creds_from_ini(out, buf, (size_t)n, c->prof.name, 0);
	cpj_wipe(buf, (size_t)n);
	if (rc == CPJ_ERR_CREDS_NONE)
		creds_dbg(c, "shared-credentials-file %s: no keys for profile "
		    "%s", path, c->prof.name);
	else if (rc < 0)
		setup_msg(CREDS_WHO, "credentials file %s: profile %s: %s", path,
		    c->prof.name, cpj_strerror(rc));
	return rc;
}

/* see creds_prov.h */
int
creds_prov_config(struct creds_ctx *c, cpj_creds *out)
{
	int rc = creds_profile(c);

	if (rc < 0)
		return rc;
	if (c->prof.len == 0) {
		creds_dbg(c, "config-file: none");
		return CPJ_ERR_CREDS_NONE;
	}
	rc = cpj_creds_from_ini(out, c->prof.cfg, c->prof.len, c->prof.name,
	    1);
	if (rc == CPJ_ERR_CREDS_NONE)
		creds_dbg(c, "config-file: no keys for profile %s",
		    c->prof.name);
	else if (rc < 0)
		setup_msg(CREDS_WHO, "config file: profile %s: %s",
		    c->prof.name, cpj_strerror(rc));
	return rc;
}
