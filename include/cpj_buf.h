/*
 * cpj_buf.h -- bounded appender with a sticky overflow flag.
 *
 * All formatting in libcpjob goes through cpj_buf. Appends past the end
 * set `over` and are dropped; the caller checks once at the end
 * (cpj_buf_ok) and reports CPJ_ERR_NOSPACE, never a truncated result. The
 * content stays NUL-terminated (one byte of `cap` is kept for the NUL).
 *
 * The storage belongs to the caller and must outlive the cpj_buf.
 */
/** \file
 * \brief Bounded appender with a sticky overflow flag.
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
} cpj_buf;

/** \brief Start an empty buffer over `p[0..cap)`; cap 0 or p NULL is "over".
 *
 * Stack: at most 16 bytes.
 */
void cpj_buf_init(cpj_buf *b, char *p, size_t cap);
/** \brief Append `len` bytes (may contain NUL).
 *
 * Stack: at most 48 bytes.
 */
void cpj_buf_put(cpj_buf *b, const void *data, size_t len);
/** \brief Append a NUL-terminated string.
 *
 * Stack: at most 80 bytes.
 */
void cpj_buf_puts(cpj_buf *b, const char *s);
/** \brief Append one byte.
 *
 * Stack: at most 80 bytes.
 */
void cpj_buf_putc(cpj_buf *b, char c);
/** \brief Append an unsigned decimal number.
 *
 * Stack: at most 128 bytes.
 */
void cpj_buf_put_u64(cpj_buf *b, uint64_t v);
/** \brief Append lower-case hex of `len` bytes.
 *
 * Stack: at most 32 bytes.
 */
void cpj_buf_put_hex(cpj_buf *b, const void *data, size_t len);
/** \return 0 when everything fit (and is NUL-terminated), else CPJ_ERR_NOSPACE.
 *
 * Stack: at most 16 bytes.
 */
int cpj_buf_ok(const cpj_buf *b);

/** \brief Zero `len` bytes at `p` in a way the compiler cannot drop
 *  (for secrets).
 *
 * Stack: at most 16 bytes.
 */
void cpj_wipe(void *p, size_t len);

#endif
