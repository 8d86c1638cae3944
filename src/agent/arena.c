/*
 * arena.c -- the agent's one static arena (see arena.h).
 */
#include <string.h>
#include <unistd.h>

#include "arena.h"

static union {
	long long ll;
	double d;
	void *p;
	unsigned char b[CPJ_AGENT_ARENA_SIZE];
} arena;
static size_t used;

/* see arena.h */
void *
agent_arena_take(size_t n)
{
	static const char msg[] = "cpjob: internal error: static arena "
	    "exhausted (CPJ_AGENT_ARENA_SIZE)\n";
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof arena.b - used) {
		ssize_t w = write(2, msg, sizeof msg - 1);

		(void)w;
		_exit(255);
	}
	p = arena.b + used;
	used += n;
	memset(p, 0, n);
	return p;
}

/* see arena.h */
size_t
agent_arena_used(void)
{
	return used;
}
