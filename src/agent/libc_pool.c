/*
 * libc_pool.c -- the C library's heap in the static agent: malloc() and
 * its family over one fixed pool in bss, so that musl's allocator is not
 * linked (mallocng: 5.7 KB of code on armhf) and the agent takes no
 * memory at run time beyond what its bss declares.
 *
 * cpjob itself allocates nothing: libcpjob references no allocator (`make
 * lint`) and the agent's buffers are static. The C library allocates for
 * its own calls: getaddrinfo() returns its addresses in one calloc()'d
 * block that freeaddrinfo() frees (the POSIX port frees it before its
 * connect returns, the container credential provider before its check
 * returns), and getcwd() and strdup() would, given no buffer (cpjob always
 * gives one). So a pool that hands blocks out one after another and starts
 * over when every block is back is enough. A request it cannot serve
 * returns NULL with errno ENOMEM; getaddrinfo() then fails with
 * EAI_MEMORY, which the port reports as CPJ_ERR_NET_RESOLVE.
 *
 * Size: getaddrinfo()'s largest block is at most 48 addresses (musl's
 * MAXADDRS) of one protocol (both callers ask for SOCK_STREAM), each in a
 * struct aibuf of at most 88 bytes on 64-bit boards, and the canonical
 * name (at most 255 bytes and its NUL): 4,480 bytes, and this pool's 16
 * bytes of header. The pool holds 6 KiB.
 *
 * Only on the static musl boards (CPJ_AGENT_LIBC_POOL, set by
 * boards/cross.mk). glibc allocates for stdio, NSS and its resolver: the
 * host build keeps its allocator. The agent is single-threaded (a handler
 * runs in its own process, after exec), so the pool takes no lock.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(CPJ_AGENT_LIBC_POOL) && CPJ_AGENT_LIBC_POOL

#define POOL_SIZE 6144
/* every block starts on this boundary, after a header of as many bytes
   that holds its size (malloc()'s alignment: max_align_t on every board) */
#define ALIGN 16
#define ROUND(n) (((n) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

static unsigned char pool[POOL_SIZE] __attribute__((aligned(ALIGN)));
static size_t used;     /* bytes taken since the pool was last empty */
static size_t live;     /* blocks not yet freed */

/* n bytes from the pool, or NULL with ENOMEM */
static void *
take(size_t n)
{
	unsigned char *p;

	if (n == 0)
		n = 1;          /* a block of its own, which free() knows */
	if (n > POOL_SIZE || ALIGN + ROUND(n) > POOL_SIZE - used) {
		errno = ENOMEM;
		return NULL;
	}
	p = pool + used;
	memcpy(p, &n, sizeof n);
	used += ALIGN + ROUND(n);
	live++;
	return p + ALIGN;
}

/* the size a block was asked with; 0 for a pointer not of the pool */
static size_t
size_of(const unsigned char *p)
{
	size_t n;

	if (p < pool + ALIGN || p >= pool + used)
		return 0;
	memcpy(&n, p - ALIGN, sizeof n);
	return n;
}

void *
malloc(size_t n)
{
	return take(n);
}

void *
calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = take(nmemb * size);
	if (p != NULL)
		memset(p, 0, nmemb * size);
	return p;
}

void
free(void *ptr)
{
	/* a pointer not of the pool cannot come from these calls: ignored */
	if (ptr == NULL || (unsigned char *)ptr < pool + ALIGN
	    || (unsigned char *)ptr >= pool + used || live == 0)
		return;
	if (--live == 0)
		used = 0;
}

void *
realloc(void *ptr, size_t n)
{
	unsigned char *p = ptr, *q;
	size_t old;

	if (p == NULL)
		return take(n);
	if (n == 0)
		n = 1;          /* the block stays one that free() knows */
	old = size_of(p);
	/* the last block grows or shrinks where it is */
	if (p + ROUND(old) == pool + used && n <= POOL_SIZE
	    && ROUND(n) <= POOL_SIZE - (size_t)(p - pool)) {
		used = (size_t)(p - pool) + ROUND(n);
		memcpy(p - ALIGN, &n, sizeof n);
		return p;
	}
	q = take(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

#else
/* The host build: the C library's own allocator. */
typedef int cpj_libc_pool_unused;
#endif
