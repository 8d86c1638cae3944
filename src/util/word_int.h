/*
 * word_int.h -- bytes a machine word at a time: the word, its load and
 * the byte tests on it, for the loops that skip runs of ordinary bytes
 * (the JSON scanner's strings, the HTTP byte classes).
 *
 * Not API (kept out of include/): names may change in any release.
 */
#ifndef CPJ_WORD_INT_H
#define CPJ_WORD_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Eight bytes on 64-bit targets, four on 32-bit ones (where 64-bit
 * arithmetic would be emulated with pairs of registers, larger and no
 * faster).
 */
#if SIZE_MAX > 0xffffffffu
typedef uint64_t cpj_word;
#define CPJ_WORD_FIRST_IDX ((cpj_word)0x0001020304050607u)
#else
typedef uint32_t cpj_word;
#define CPJ_WORD_FIRST_IDX ((cpj_word)0x00010203u)
#endif
#define CPJ_WORD_BYTES sizeof(cpj_word)
#define CPJ_WORD_ONES ((cpj_word)-1 / 0xff)     /* 0x01 in every byte */

/*
 * A word of bytes as a number, p[0] in the low byte whatever the
 * machine's byte order (compilers make this one load on little-endian
 * targets).
 */
static inline cpj_word
cpj_word_load(const unsigned char *p)
{
	cpj_word v = (cpj_word)p[0] | (cpj_word)p[1] << 8
	    | (cpj_word)p[2] << 16 | (cpj_word)p[3] << 24;

#if SIZE_MAX > 0xffffffffu
	v |= (cpj_word)p[4] << 32 | (cpj_word)p[5] << 40
	    | (cpj_word)p[6] << 48 | (cpj_word)p[7] << 56;
#endif
	return v;
}

/* The inverse of cpj_word_load(): v's low byte to p[0] (one store on
 * little-endian targets). */
static inline void
cpj_word_store(unsigned char *p, cpj_word v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
#if SIZE_MAX > 0xffffffffu
	p[4] = (unsigned char)(v >> 32);
	p[5] = (unsigned char)(v >> 40);
	p[6] = (unsigned char)(v >> 48);
	p[7] = (unsigned char)(v >> 56);
#endif
}

/*
 * Bit 7 of each byte of v that equals b. Borrows only run towards later
 * bytes, so the first byte flagged is always a true match (later flags
 * may be false, and the callers never rely on them).
 */
static inline cpj_word
cpj_word_has_byte(cpj_word v, unsigned b)
{
	cpj_word x = v ^ (CPJ_WORD_ONES * b);

	return (x - CPJ_WORD_ONES) & ~x;
}

/* Index of the first byte flagged in a non-zero mask of bit 7s. */
static inline size_t
cpj_word_first(cpj_word hit)
{
	cpj_word low = (hit & (~hit + 1)) >> 7;         /* 256^k */

	return (size_t)((low * CPJ_WORD_FIRST_IDX)
	    >> (8 * (CPJ_WORD_BYTES - 1)));
}

/* v with the capitals A..Z of its bytes in lower case; every byte of v
 * must be below 0x80 (no carry then crosses a byte). */
static inline cpj_word
cpj_word_lower(cpj_word v)
{
	cpj_word upper = (v + CPJ_WORD_ONES * (0x80 - 'A'))
	    & ~(v + CPJ_WORD_ONES * (0x80 - 'Z' - 1)) & (CPJ_WORD_ONES * 0x80);

	return v | upper >> 2;          /* bit 7 to bit 5 of the same byte */
}

/*
 * The length of the run at p[0..n) of bytes that a JSON string holds as
 * they are: printable ASCII but '"' and '\\' (so it stops at a quote, a
 * backslash, a control character or any byte from 0x80 up), a word at a
 * time while whole words qualify. The JSON scanner's strings and the
 * JSON writer's.
 */
static inline size_t
cpj_word_json_plain(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (n - i >= CPJ_WORD_BYTES) {
		cpj_word v = cpj_word_load(p + i), hit;

		hit = (v | (v - CPJ_WORD_ONES * 0x20) | cpj_word_has_byte(v, '"')
		    | cpj_word_has_byte(v, '\\')) & (CPJ_WORD_ONES * 0x80);
		if (hit != 0)
			return i + cpj_word_first(hit);
		i += CPJ_WORD_BYTES;
	}
	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"'
	    && p[i] != '\\')
		i++;
	return i;
}

#endif
