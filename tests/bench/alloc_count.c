/*
 * alloc_count.c -- LD_PRELOAD counter of heap allocation calls (benchmarks).
 *
 *   ALLOC_COUNT_OUT=FILE LD_PRELOAD=.../alloc_count.so program ...
 *
 * Counts the calls of malloc, calloc, realloc (and the aligned variants:
 * posix_memalign, aligned_alloc, memalign, valloc, pvalloc) made by the
 * process, every thread and every library included, and at exit appends
 * one line to FILE (stderr when ALLOC_COUNT_OUT is unset):
 *
 *   {"pid": P, "exe": "...", "malloc": N, "calloc": N, "realloc": N, "aligned": N, "total": N}
 *
 * The allocator itself is glibc's (__libc_malloc and friends), so nothing
 * but a counter is added to each call. Counts of two runs of a loop with
 * N and 2N iterations differ by the allocations of N iterations: setup and
 * teardown cancel out (tests/bench/run_bench.py does this).
 *
 * Built as a shared object by tests/bench/bench.mk; not part of libcpjob.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

static unsigned long n_malloc, n_calloc, n_realloc, n_aligned;

#define COUNT(c) __atomic_add_fetch(&(c), 1, __ATOMIC_RELAXED)

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
void *memalign(size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);

void *
malloc(size_t n)
{
	COUNT(n_malloc);
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	COUNT(n_calloc);
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	COUNT(n_realloc);
	return __libc_realloc(p, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return 22;      /* EINVAL */
	COUNT(n_aligned);
	p = __libc_memalign(align, n);
	if (p == NULL && n != 0)
		return 12;      /* ENOMEM */
	*out = p;
	return 0;
}

void *
aligned_alloc(size_t align, size_t n)
{
	COUNT(n_aligned);
	return __libc_memalign(align, n);
}

void *
memalign(size_t align, size_t n)
{
	COUNT(n_aligned);
	return __libc_memalign(align, n);
}

void *
valloc(size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);

	COUNT(n_aligned);
	return __libc_memalign((size_t)pg, n);
}

void *
pvalloc(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	COUNT(n_aligned);
	return __libc_memalign(pg, (n + pg - 1) / pg * pg);
}

/* Report without allocating: snprintf into a stack buffer, one write(). */
static void report(void) __attribute__((destructor));

static void
report(void)
{
	char line[768], exe[256];
	const char *out = getenv("ALLOC_COUNT_OUT");
	unsigned long m, c, r, a;
	ssize_t k;
	int fd = 2, n;

	m = __atomic_load_n(&n_malloc, __ATOMIC_RELAXED);
	c = __atomic_load_n(&n_calloc, __ATOMIC_RELAXED);
	r = __atomic_load_n(&n_realloc, __ATOMIC_RELAXED);
	a = __atomic_load_n(&n_aligned, __ATOMIC_RELAXED);
	k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[k > 0 ? k : 0] = '\0';
	for (n = 0; exe[n] != '\0'; n++)
		if (exe[n] == '"' || exe[n] == '\\')
			exe[n] = '_';
	n = snprintf(line, sizeof line, "{\"pid\": %ld, \"exe\": \"%s\", "
	    "\"malloc\": %lu, \"calloc\": %lu, \"realloc\": %lu, "
	    "\"aligned\": %lu, \"total\": %lu}\n", (long)getpid(), exe, m, c,
	    r, a, m + c + r + a);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof line)
		n = (int)sizeof line - 1;
	if (out != NULL && out[0] != '\0')
		fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing to do at exit */
	}
	if (fd != 2)
		close(fd);
}
