/*
 * http_chars.c -- the byte classes of HTTP/1.1 (RFC 9110): token bytes of
 * method and field names, and the bytes a field value may hold. The
 * request writer checks what it sends with these, the response parser
 * what it receives.
 */
#include "inner.h"
#include "util/word_int.h"

/* see http_int.h: letters, digits, !#$%&'*+-.^_`|~ */
const uint32_t cpj_http_tchar[4] = {
	0x00000000, 0x03ff6cfa, 0xc7fffffe, 0x57ffffff
};

/*
 * Field bytes a word at a time: a word with no byte below 0x20 and none
 * equal to 0x7f is all field bytes. The tests are exact ("has a byte
 * below n" for n <= 0x80, "has a zero byte"); a word that fails them
 * (an HTAB, or the end of the run) is checked byte by byte.
 */
#define ONES CPJ_WORD_ONES
#define HIGH (ONES * 0x80)
#define LOW7 (ONES * 0x7f)

/* Bit 7 of each byte of v that is a letter or '-', exact for the bytes
 * before the first one from 0x80 up: the letters by range once lower-cased
 * (| 0x20 maps no other byte into a..z), '-' by an exact zero test of
 * v ^ '-' (not x: CR | 0x20 is '-'). */
static cpj_word
name_bytes(cpj_word v)
{
	cpj_word x = v | ONES * 0x20, y = v ^ ONES * 0x2d;
	cpj_word letter = (x + ONES * (0x80 - 0x61)) & ~(x + ONES * (0x80 - 0x7b));
	cpj_word dash = ~(((y & LOW7) + LOW7) | y);

	return (letter | dash) & HIGH;
}

/* see http_int.h */
size_t
cpj_http_token_span(const char *s, size_t n)
{
	size_t i = 0;

	/*
	 * Header names: words of letters and '-' at once, then on from the
	 * first other byte. A byte from 0x80 up may corrupt the flags of the
	 * bytes after it (a carry), never those before it.
	 */
	while (n - i >= CPJ_WORD_BYTES) {
		cpj_word v = cpj_word_load((const unsigned char *)s + i);
		cpj_word miss = (v & HIGH) | (~name_bytes(v) & HIGH);

		if (miss != 0) {
			i += cpj_word_first(miss);
			break;
		}
		i += CPJ_WORD_BYTES;
	}
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i];

		if (!CPJ_HTTP_TCHAR(c))
			break;
	}
	return i;
}

/* A field byte: HTAB, and 0x20 up but DEL. */
static int
field_byte(unsigned c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\t';
}

/* see http_int.h */
size_t
cpj_http_field_span(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (n - i >= CPJ_WORD_BYTES) {
		/*
		 * y: each byte's low 7 bits plus one, in 7 bits: below 0x21
		 * for the controls and DEL, and also for HTAB and the field
		 * bytes 0x80..0x9f and 0xff, which the first flag then steps
		 * over (it is exact; later flags may not be).
		 */
		cpj_word v = cpj_word_load(u + i);
		cpj_word y = ((v & LOW7) + ONES) & LOW7;
		cpj_word hit = (y - ONES * 0x21) & ~y & HIGH;

		if (hit == 0) {
			i += CPJ_WORD_BYTES;
			continue;
		}
		i += cpj_word_first(hit);
		if (!field_byte(u[i]))
			return i;
		i++;
	}
	while (i < n && field_byte(u[i]))
		i++;
	return i;
}
