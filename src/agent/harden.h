/*
 * harden.h -- keeping the worker's secrets out of reach of the handler
 * and of other processes of the agent's user (run_harden.c).
 */
#ifndef CPJ_HARDEN_H
#define CPJ_HARDEN_H

/*
 * The credential variables: their values are secret, or (the access key
 * id) name the account and go with the secret. Paths (e.g.
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) and endpoints are not here.
 */
#define HARDEN_VARS { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", \
	"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", \
	"AWS_CONTAINER_AUTHORIZATION_TOKEN" }

/* Room for copies of them, "NAME=value" each: more than the agent takes
 * of them all (key id 128, secret key 128, session token 4096, and as
 * much again for AWS_SECURITY_TOKEN, container token 8192: 16.6 KB). */
#define HARDEN_STORE_MAX (24 * 1024)

/*
 * The first thing `cpjob run` does, before it reads any variable:
 *
 *  - On Linux, the process becomes not dumpable (PR_SET_DUMPABLE 0): no
 *    core dump, /proc/<pid>/mem, environ, maps, fd/... belong to root,
 *    and ptrace and process_vm_readv are refused to processes of the
 *    same user, the handler included. (A child is dumpable again once it
 *    has exec'd the handler; until then it is the agent's copy.)
 *  - Each HARDEN_VARS variable is copied into a static store and environ
 *    points at the copy, so getenv() still finds it; the original bytes,
 *    which /proc/<pid>/environ and `ps e` show (even to root), are
 *    overwritten with '*' (same length: the other variables stay where
 *    they are). A name given more than once is kept once (the first, as
 *    getenv finds) and the others removed.
 *
 * 0, or -1 (message on stderr: the caller exits) when the process cannot
 * be made not dumpable or the variables do not fit HARDEN_STORE_MAX; the
 * original bytes are overwritten in any case.
 */
int run_harden(void);

#endif
