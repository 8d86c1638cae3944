/*
 * The ports' log formatter (port_fmt.c). Internal to the ports.
 */
#ifndef CPJ_PORT_FMT_H
#define CPJ_PORT_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Format like vsnprintf, for the conversions the library's messages use:
 * %s, %.*s, %c, %% and d u x X with a '0' flag, a width and the l, ll or
 * z length. Returns the length of the whole text; at most cap - 1 bytes
 * and a NUL are written to out. Stack: at most 128 bytes. */
int cpj_port_fmt(char *out, size_t cap, const char *f, va_list ap);

#endif
