/*
 * test_libc_pool.c -- the C library's heap of the static agent
 * (src/agent/libc_pool.c): name lookups and the port's connect by name
 * over and over through it, and its limits. Linked with the agent's
 * objects, so on a board with CPJ_AGENT_LIBC_POOL malloc() here is the
 * pool's; on the host build it is the C library's and only the lookups
 * run.
 */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "cpj.h"
#include "support/sup_net.h"

#if defined(CPJ_AGENT_LIBC_POOL) && CPJ_AGENT_LIBC_POOL
#define POOL 1
#else
#define POOL 0
#endif

/* getaddrinfo() of `host` for TCP: the number of addresses, or -1 */
static int
lookup(const char *host, int *gai)
{
	struct addrinfo hints, *res = NULL, *ai;
	int n = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	*gai = getaddrinfo(host, "443", &hints, &res);
	if (*gai != 0 || res == NULL)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next)
		n++;
	freeaddrinfo(res);
	return n;
}

/* Many lookups in a row: each gives its block back. */
static int
lookups_repeat(void)
{
	int i, gai;

	for (i = 0; i < 2000; i++) {
		CHECK(lookup("localhost", &gai) >= 1);
		CHECK(lookup("127.0.0.1", &gai) == 1);
		CHECK(lookup("::1", &gai) == 1);
	}
	return 0;
}

/* The port's connect by name, as the agent makes it, many times. */
static int
connect_by_name(void)
{
	struct cpj_port_sock s;
	uint16_t port;
	int lfd, pfd, i;

	lfd = sup_listen(&port, 8);
	CHECK(lfd >= 0);
	for (i = 0; i < 200; i++) {
		cpj_port_sock_init(&s);
		CHECK_EQ(cpj_port_sock_connect(&s, "localhost", port, 5000), 0);
		pfd = sup_accept(lfd, 5000);
		CHECK(pfd >= 0);
		cpj_port_sock_close(&s);
		close(pfd);
	}
	close(lfd);
	return 0;
}

#if POOL
/* The pool's bounds: 6 KiB, blocks back when all are back. */
static int
limits(void)
{
	unsigned char *a, *b, *c;
	volatile size_t huge = (size_t)-1;      /* not known when compiled */
	size_t i;
	int gai;

	errno = 0;
	CHECK(malloc(6144) == NULL);
	CHECK_EQ(errno, ENOMEM);
	CHECK(malloc(huge) == NULL);
	CHECK(calloc(huge / 2, 4) == NULL);     /* the product overflows */
	CHECK(calloc(4, huge / 2) == NULL);
	free(NULL);

	/* getaddrinfo()'s largest block (48 addresses, the longest name) */
	a = malloc(4480);
	CHECK(a != NULL);
	CHECK(((uintptr_t)a & 15) == 0);
	memset(a, 0xaa, 4480);
	CHECK(malloc(4480) == NULL);            /* while a is out */
	CHECK(lookup("localhost", &gai) >= 1);  /* the rest serves one */
	free(a);
	/* a lookup that finds the pool full fails, and nothing breaks */
	a = malloc(6144 - 16);
	CHECK(a != NULL);
	CHECK_EQ(lookup("localhost", &gai), -1);
	CHECK_EQ(gai, EAI_MEMORY);
	free(a);
	CHECK(lookup("localhost", &gai) >= 1);

	/* calloc() zeroes what an earlier block left */
	a = malloc(1000);
	CHECK(a != NULL);
	memset(a, 0x55, 1000);
	free(a);
	a = calloc(10, 100);
	CHECK(a != NULL);
	for (i = 0; i < 1000; i++)
		CHECK_EQ(a[i], 0);

	/* realloc(): the last block grows in place; another one moves */
	memcpy(a, "pool", 4);
	b = realloc(a, 2000);
	CHECK(b == a);
	CHECK(memcmp(b, "pool", 4) == 0);
	c = malloc(16);
	CHECK(c != NULL);
	a = realloc(b, 2100);           /* not the last any more: copied */
	CHECK(a != NULL && a != b);
	CHECK(memcmp(a, "pool", 4) == 0);
	CHECK(realloc(a, 6000) == NULL);        /* does not fit: a is kept */
	CHECK(memcmp(a, "pool", 4) == 0);
	free(c);
	free(a);
	/* zero-byte blocks are blocks too: freed, the pool starts over */
	a = malloc(0);
	CHECK(a != NULL);
	free(a);
	a = realloc(malloc(8), 0);
	CHECK(a != NULL);
	free(a);
	/* all back: the whole pool again */
	a = malloc(6144 - 16);
	CHECK(a != NULL);
	free(a);
	return 0;
}
#endif

int
main(void)
{
	printf("malloc(): %s\n", POOL ? "the agent's pool (libc_pool.c)"
	    : "the C library's");
	RUN(lookups_repeat);
	RUN(connect_by_name);
#if POOL
	RUN(limits);
#endif
	return H_EXIT();
}
