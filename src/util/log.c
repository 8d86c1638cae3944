/*
 * log.c -- the library's run-time log level (cpj_log_set_level(),
 * cpj_err.h). The CPJ_LOG_* macros of inner.h ask cpj_log_level() before
 * formatting a line: a program that asks for nothing sees warnings and
 * errors only.
 */
#include "inner.h"

static int log_level = 2;

/* see cpj_err.h */
void
cpj_log_set_level(int level)
{
	log_level = level < 0 ? 0 : level > 4 ? 4 : level;
}

/* see inner.h */
int
cpj_log_level(void)
{
	return log_level;
}
