/*
 * fuzz_shorthand.c -- the agent's shorthand parameters (src/agent/
 * shorthand.c): cli_shorthand_kv ("k=v,k2='v 2',l=[a,{b=c}]") and
 * cli_kv_arg (the same, or a JSON object), cli_json_kv and cli_param_kv
 * (cli_param.c).
 *
 * Input: byte 0 the pair limit (% 20), byte 1 the store size (* 4), then
 * the argument (NUL-terminated copy; an embedded NUL ends it). A
 * "file://" argument would make cli_kv_arg read a file: those are given
 * to cli_shorthand_kv only. The store is a heap block of its exact size;
 * pairs must lie inside it, NUL-terminated, and no more than the limit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_shorthand: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

static void
check(int n, const struct cli_kv *kv, int max, const char *store,
	size_t cap, size_t used)
{
	int i;

	if (n < -1 || n > max)
		FAIL("pair count");
	if (n < 0)
		return;
	if (used > cap)
		FAIL("used more than the store");
	for (i = 0; i < n; i++) {
		const char *s[2] = { kv[i].key, kv[i].value };
		int k;

		for (k = 0; k < 2; k++) {
			if (s[k] < store || s[k] >= store + used)
				FAIL("pair outside the store");
			if (memchr(s[k], 0, (size_t)(store + used - s[k])) == NULL)
				FAIL("pair not terminated inside the store");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_kv kv[20];
	char *arg, *store;
	size_t cap, used;
	int max, n;

	if (size < 2)
		return 0;
	max = data[0] % 20;
	cap = (size_t)data[1] * 4;
	arg = malloc(size - 1);
	store = malloc(cap ? cap : 1);
	if (arg == NULL || store == NULL)
		goto out;
	memcpy(arg, data + 2, size - 2);
	arg[size - 2] = '\0';

	used = (size_t)-1;
	n = cli_shorthand_kv(NULL, arg, kv, max, store, cap, &used);
	check(n, kv, max, store, cap, used);

	if (strncmp(arg, "file://", 7) != 0) {
		used = (size_t)-1;
		n = cli_kv_arg(arg, kv, max, store, cap, &used);
		check(n, kv, max, store, cap, used);
		/* the aws CLI's reading (cli_param.c): JSON, plain shorthand */
		used = (size_t)-1;
		n = cli_json_kv(NULL, arg, kv, max, store, cap, &used);
		check(n, kv, max, store, cap, used);
		used = (size_t)-1;
		n = cli_param_kv("--fuzz", arg, kv, max, store, cap, &used);
		check(n, kv, max, store, cap, used);
	}
out:
	free(arg);
	free(store);
	return 0;
}
