/*
 * run_harden.c -- process hardening of `cpjob run` (see harden.h): not
 * dumpable, and the credential variables out of the environment block.
 *
 * The environment strings a process starts with sit on its initial
 * stack, between the addresses the kernel reads /proc/<pid>/environ
 * from; environ[] points at them. getenv() reads through environ[], so
 * pointing an entry at a copy elsewhere keeps the value for getenv()
 * (the credential chain reads these variables again when it refreshes)
 * while the original bytes can be overwritten.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "agent.h"
#include "harden.h"
#include "setup.h"

extern char **environ;

static char store[HARDEN_STORE_MAX];
static size_t store_used;

/* The index in HARDEN_VARS of the variable `entry` ("NAME=value") sets,
 * or -1; *vlen gets the length of its value. */
static int
secret_var(const char *entry, size_t *vlen)
{
	static const char *const names[] = HARDEN_VARS;
	size_t i, n;

	for (i = 0; i < CPJ_ARRAY_LEN(names); i++) {
		n = strlen(names[i]);
		if (strncmp(entry, names[i], n) == 0 && entry[n] == '=') {
			*vlen = strlen(entry + n + 1);
			return (int)i;
		}
	}
	return -1;
}

/* Move the environment's credential variables into the store. 0 or -1
 * (one did not fit: it is gone from the environment). */
static int
move_vars(void)
{
	unsigned seen = 0;
	size_t i, j, vlen, len;
	int k, rc = 0;

	if (environ == NULL)
		return 0;
	for (i = j = 0; environ[i] != NULL; i++) {
		char *e = environ[i];

		k = secret_var(e, &vlen);
		if (k < 0) {
			environ[j++] = e;
			continue;
		}
		len = strlen(e) + 1;
		if (!(seen & (1u << k)) && len <= sizeof store - store_used) {
			memcpy(store + store_used, e, len);
			environ[j++] = store + store_used;
			store_used += len;
		} else if (!(seen & (1u << k))) {
			setup_msg(NULL, "%.*s: too long (%lu bytes; "
			    "room for %lu)", (int)(len - vlen - 2), e,
			    (unsigned long)vlen, (unsigned long)(sizeof store
			    - store_used));
			rc = -1;
		}
		/* (a later duplicate is dropped: getenv finds the first) */
		seen |= 1u << k;
		memset(e + len - 1 - vlen, '*', vlen);
	}
	environ[j] = NULL;
	return rc;
}

/* see harden.h */
int
run_harden(void)
{
	int rc = 0;

#ifdef __linux__
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		setup_msg(NULL, "prctl(PR_SET_DUMPABLE): %s",
		    strerror(errno));
		rc = -1;
	}
#endif
	if (move_vars() < 0)
		rc = -1;
	return rc;
}
