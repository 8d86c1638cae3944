/*
 * arena.c -- the agent's one static arena (see arena.h): lasting takes
 * from the bottom, scoped takes from the top.
 */
#include <string.h>
#include <unistd.h>

#include "cpj_buf.h"

#include "arena.h"

static union {
	long long ll;
	double d;
	void *p;
	unsigned char b[CPJ_AGENT_ARENA_SIZE];
} arena;
static size_t low;                      /* bytes taken from the bottom */
static size_t high = sizeof arena.b;    /* start of the scoped takes */
static size_t peak;                     /* most bytes taken at once */

/* n rounded up to 16 bytes; exits when the two ends would meet. */
static size_t
room(size_t n)
{
	static const char msg[] = "cpjob: internal error: static arena "
	    "exhausted (CPJ_AGENT_ARENA_SIZE)\n";

	if (n > sizeof arena.b || (n = (n + 15) & ~(size_t)15) > high - low) {
		ssize_t w = write(2, msg, sizeof msg - 1);

		(void)w;
		_exit(255);
	}
	if (low + n + (sizeof arena.b - high) > peak)
		peak = low + n + (sizeof arena.b - high);
	return n;
}

/* see arena.h */
void *
agent_arena_take(size_t n)
{
	void *p;

	n = room(n);
	p = arena.b + low;
	low += n;
	memset(p, 0, n);
	return p;
}

/* see arena.h */
size_t
agent_arena_mark(void)
{
	return high;
}

/* see arena.h */
void *
agent_arena_scoped(size_t n)
{
	n = room(n);
	high -= n;
	memset(arena.b + high, 0, n);
	return arena.b + high;
}

/* see arena.h */
void
agent_arena_release(size_t mark)
{
	if (mark <= high || mark > sizeof arena.b)
		return;
	cpj_wipe(arena.b + high, mark - high);
	high = mark;
}

/* see arena.h */
size_t
agent_arena_used(void)
{
	return low + (sizeof arena.b - high);
}

/* see arena.h */
size_t
agent_arena_peak(void)
{
	return peak;
}
