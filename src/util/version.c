/*
 * version.c -- cpj_version() (see cpj_version.h).
 */
#include "inner.h"

/* see cpj_version.h */
const char *
cpj_version(void)
{
	return CPJ_VERSION_STRING;
}
