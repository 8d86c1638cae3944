/*
 * cpj_buf.h -- cpj_wipe() for secrets, and the bounded appender the
 * library formats into.
 *
 * All formatting in libcpjob goes through a cpj_buf over caller storage.
 * Appends past the end set `over` and are dropped; the library checks
 * once at the end and reports CPJ_ERR_NOSPACE, never a truncated result.
 * The content stays NUL-terminated (one byte of `cap` is kept for the
 * NUL). The type is here because contexts hold one (privately); the
 * calls that append are the library's own.
 */
/** \file
 * \brief cpj_wipe(), and the bounded appender the library formats into.
 */
#ifndef CPJ_BUF_H
#define CPJ_BUF_H

#include <stddef.h>
#include <stdint.h>

/** A bounded appender over caller storage (see the file comment). */
typedef struct cpj_buf {
	char *p;      /**< caller's storage */
	size_t cap;   /**< its size in bytes */
	size_t len;   /**< bytes written, excluding the NUL */
	int over;     /**< sticky: an append did not fit */
	/** NULL, or where the content goes when an append does not fit (a
	 *  body streamed in pieces; library-internal). */
	struct cpj_buf_sink *sink;
} cpj_buf;

/** \brief Zero `len` bytes at `p` in a way the compiler cannot drop
 *  (for secrets).
 *
 * Stack: at most 32 bytes.
 */
void cpj_wipe(void *p, size_t len);

#endif
