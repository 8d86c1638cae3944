/*
 * s3_error.c -- S3 error bodies: a bounded streaming XML scanner that
 * keeps Code, Message, Region and RequestId of <Error>, and the mapping of
 * S3 error codes to CPJ_ERR_* values.
 */
#include "inner.h"

#if CPJ_CONFIG_S3

/* Scanner states. */
enum {
	X_PROLOG,       /* before the root element */
	X_TEXT,         /* inside the root */
	X_LT,           /* after '<' */
	X_NAME,         /* start tag name */
	X_ATTRS,        /* rest of a start tag */
	X_ENDNAME,      /* end tag name */
	X_BANG,         /* after "<!" */
	X_SKIP,         /* comment, PI, CDATA or declaration */
	X_ENT,          /* after '&' in text */
	X_DONE          /* nothing more to do */
};

/* Fields kept (bits of `kept`, values of `field`). */
enum { F_NONE, F_CODE, F_MESSAGE, F_REGION, F_REQUEST_ID };

static const char *const field_names[] = {
	"", "Code", "Message", "Region", "RequestId"
};

/* Terminators of skipped constructs, packed in the low bytes. */
#define T_GT       0x3eu                /* ">" */
#define T_PI       0x3f3eu              /* "?>" */
#define T_COMMENT  0x2d2d3eu            /* "-->" */
#define T_CDATA    0x5d5d3eu            /* "]]>" */

/* see cpj_s3.h */
void
cpj_s3_xml_init(cpj_s3_xml *x)
{
	memset(x, 0, sizeof *x);
	x->state = X_PROLOG;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
name_is(const cpj_s3_xml *x, const char *s)
{
	size_t n = strlen(s);

	return x->name_len == n && memcmp(x->name, s, n) == 0;
}

static void
fput(cpj_s3_xml *x, int c)
{
	if (x->field == F_NONE || x->fbad)
		return;
	if (x->flen < sizeof x->fbuf - 1)
		x->fbuf[x->flen++] = (char)c;
	else
		x->fover = 1;
}

/* Code point to UTF-8 into the field. */
static void
fput_cp(cpj_s3_xml *x, uint32_t cp)
{
	unsigned char u[4];
	size_t n = cpj_utf8_put(u, cp), i;

	for (i = 0; i < n; i++)
		fput(x, u[i]);
}

/* Decode the entity in x->ent (without '&' and ';'); -1 if malformed. */
static long
entity_value(const cpj_s3_xml *x)
{
	/* each name followed by its character, one after the other */
	static const char named[] = "lt<\0gt>\0amp&\0quot\"\0apos'";
	const char *e;
	size_t i, n = x->ent_len;
	uint32_t v = 0;
	int base = 10;

	for (e = named; e < named + sizeof named; e += i + 2) {
		i = strlen(e) - 1;
		if (i == n && memcmp(e, x->ent, n) == 0)
			return e[i];
	}
	if (n < 2 || x->ent[0] != '#')
		return -1;
	i = 1;
	if (x->ent[1] == 'x') {
		base = 16;
		i = 2;
		if (n < 3)
			return -1;
	}
	for (; i < n; i++) {
		int d = cpj_hexval(x->ent[i]);

		if (d < 0 || d >= base)
			return -1;
		v = v * (uint32_t)base + (uint32_t)d;
		if (v > 0x10ffff)
			return -1;
	}
	if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	return (long)v;
}

/* Keep the captured field if it is complete and well-formed. */
static void
commit(cpj_s3_xml *x)
{
	const char *s = x->fbuf;
	size_t n = x->flen, i;
	int f = x->field;

	x->field = F_NONE;
	if (x->fbad)
		return;
	/* trim white space around the text */
	while (n > 0 && is_space((unsigned char)s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	if (f == F_MESSAGE) {
		int cut = x->fover;

		if (n > CPJ_S3_MESSAGE_MAX) {
			n = CPJ_S3_MESSAGE_MAX;
			/* do not split a UTF-8 sequence */
			while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
				n--;
			cut = 1;
		}
		memcpy(x->message, s, n);
		x->message[n] = '\0';
		x->message_cut = cut;
		x->kept |= 1u << F_MESSAGE;
		return;
	}
	if (x->fover || n == 0)
		return;
	if (f == F_CODE) {
		if (n > CPJ_S3_CODE_MAX)
			return;
		for (i = 0; i < n; i++) {
			char c = s[i];

			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
			    || (c >= '0' && c <= '9') || c == '.' || c == '_'
			    || c == '-' || c == ':'))
				return;
		}
		memcpy(x->code, s, n);
		x->code[n] = '\0';
	} else if (f == F_REGION) {
		if (!cpj_dns_label_ok(s, n, 1, 30))
			return;
		memcpy(x->region, s, n);
		x->region[n] = '\0';
	} else {
		if (n > CPJ_HTTP_REQUEST_ID_MAX)
			return;
		for (i = 0; i < n; i++) {
			if ((unsigned char)s[i] <= ' '
			    || (unsigned char)s[i] >= 0x7f)
				return;
		}
		memcpy(x->request_id, s, n);
		x->request_id[n] = '\0';
	}
	x->kept |= 1u << f;
}

/* A start tag ended ('>'); self: it was "<name/>". */
static void
open_element(cpj_s3_xml *x, int self)
{
	int f;

	if (x->depth == 0) {
		/* the root */
		if (!name_is(x, "Error")) {
			x->state = X_DONE;
			return;
		}
		x->root = 1;
		if (self) {
			x->state = X_DONE;
			return;
		}
		x->depth = 1;
		x->state = X_TEXT;
		return;
	}
	x->state = X_TEXT;
	if (x->field != F_NONE) {
		/* an element inside a kept field: not plain text */
		x->fbad = 1;
	}
	if (self)
		return;
	if (x->depth == UINT32_MAX) {
		x->state = X_DONE;
		return;
	}
	x->depth++;
	if (x->depth != 2)
		return;
	for (f = F_CODE; f <= F_REQUEST_ID; f++) {
		if (name_is(x, field_names[f]) && !(x->kept & (1u << f))) {
			x->field = f;
			x->flen = 0;
			x->fover = 0;
			x->fbad = 0;
			return;
		}
	}
}

static void
close_element(cpj_s3_xml *x)
{
	if (x->depth == 2 && x->field != F_NONE) {
		if (!name_is(x, field_names[x->field]))
			x->fbad = 1;
		commit(x);
	}
	if (x->depth <= 1) {
		/* the root closed (or a stray end tag): the scan is over */
		x->depth = 0;
		x->state = X_DONE;
		return;
	}
	x->depth--;
	x->state = X_TEXT;
}

static void
name_put(cpj_s3_xml *x, int c)
{
	if (x->name_len < sizeof x->name)
		x->name[x->name_len] = (char)c;
	/* a name longer than the buffer never matches: keep counting */
	if (x->name_len < sizeof x->name + 1)
		x->name_len++;
}

/* Start skipping until the terminator `term`. */
static void
skip(cpj_s3_xml *x, unsigned term)
{
	x->skip_end = (int)term;
	x->quote = 0;   /* reused as the rolling tail of the last 3 bytes */
	x->state = X_SKIP;
	if (x->field != F_NONE)
		x->fbad = 1;
}

/* Text byte (or the end of an entity that was not one). */
static void
text_byte(cpj_s3_xml *x, int c)
{
	if (x->field == F_NONE || x->depth != 2)
		return;
	if (c < 0x20 || c == 0x7f)
		c = ' ';
	fput(x, c);
}

static CPJ_NOINLINE void
feed_byte(cpj_s3_xml *x, int c)
{
	switch (x->state) {
	case X_PROLOG:
		if (c == '<') {
			x->state = X_LT;
		} else if (!is_space(c) && c != 0xef && c != 0xbb
		    && c != 0xbf) {
			/* (a UTF-8 byte order mark is skipped) */
			x->state = X_DONE;
		}
		return;
	case X_TEXT:
		if (c == '<')
			x->state = X_LT;
		else if (c == '&' && x->field != F_NONE) {
			x->ent_len = 0;
			x->state = X_ENT;
		} else
			text_byte(x, c);
		return;
	case X_ENT: {
		size_t i;

		if (c == ';') {
			long v = entity_value(x);

			if (v >= 0) {
				x->state = X_TEXT;
				if (v < 0x20)
					text_byte(x, (int)v);
				else if (x->depth == 2)
					fput_cp(x, (uint32_t)v);
				return;
			}
		} else if (x->ent_len < sizeof x->ent
		    && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || c == '#')) {
			x->ent[x->ent_len++] = (char)c;
			return;
		}
		/* not an entity: keep it as written, then c as text (a ';'
		 * that ended no entity is text too) */
		x->state = X_TEXT;
		text_byte(x, '&');
		for (i = 0; i < x->ent_len; i++)
			text_byte(x, (unsigned char)x->ent[i]);
		feed_byte(x, c);
		return;
	}
	case X_LT:
		x->name_len = 0;
		if (c == '/') {
			x->state = X_ENDNAME;
		} else if (c == '?') {
			skip(x, T_PI);
		} else if (c == '!') {
			x->state = X_BANG;
		} else if (is_space(c) || c == '>' || c == '<' || c == '=') {
			x->state = X_DONE;      /* not XML */
		} else {
			name_put(x, c);
			x->state = X_NAME;
		}
		return;
	case X_BANG:
		if (c == '-')
			skip(x, T_COMMENT);
		else if (c == '[')
			skip(x, T_CDATA);
		else if (c == '>')
			x->state = x->depth == 0 ? X_PROLOG : X_TEXT;
		else
			skip(x, T_GT);
		return;
	case X_SKIP: {
		unsigned tail = (((unsigned)x->quote << 8) | (unsigned)c)
		    & 0xffffffu;
		unsigned term = (unsigned)x->skip_end;
		unsigned mask = term > 0xffffu ? 0xffffffu
		    : term > 0xffu ? 0xffffu : 0xffu;

		x->quote = (int)tail;
		if ((tail & mask) == term)
			x->state = x->depth == 0 ? X_PROLOG : X_TEXT;
		return;
	}
	case X_NAME:
		if (c == '>') {
			open_element(x, 0);
		} else if (c == '/') {
			x->quote = 0;
			x->skip_end = 1;        /* "saw '/'" */
			x->state = X_ATTRS;
		} else if (is_space(c)) {
			x->quote = 0;
			x->skip_end = 0;
			x->state = X_ATTRS;
		} else if (c == '<') {
			x->state = X_DONE;
		} else {
			name_put(x, c);
		}
		return;
	case X_ATTRS:
		if (x->quote != 0) {
			if (c == x->quote)
				x->quote = 0;
			return;
		}
		if (c == '"' || c == '\'') {
			x->quote = c;
			x->skip_end = 0;
		} else if (c == '>') {
			open_element(x, x->skip_end == 1);
		} else if (c == '<') {
			x->state = X_DONE;
		} else {
			x->skip_end = c == '/';
		}
		return;
	case X_ENDNAME:
		if (c == '>')
			close_element(x);
		else if (c == '<')
			x->state = X_DONE;
		else if (!is_space(c))
			name_put(x, c);
		return;
	default:
		return;
	}
}

/* see cpj_s3.h */
void
cpj_s3_xml_feed(cpj_s3_xml *x, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	if (x == NULL || p == NULL)
		return;
	for (i = 0; i < len && x->state != X_DONE; i++)
		feed_byte(x, p[i]);
}

/* see cpj_s3.h */
int
cpj_s3_xml_found(const cpj_s3_xml *x)
{
	return x->root && x->code[0] != '\0';
}

/* S3's codes, packed: s3_errs[i] is -(error) of the i-th code of
 * s3_codes (NUL-terminated, one after the other). SlowDown, InternalError,
 * ServiceUnavailable and RequestTimeout are aws_error.c's throttling and
 * transient codes, below. */
#define S3_CODES(X) \
	X("NoSuchKey", CPJ_ERR_S3_NOT_FOUND) \
	X("NoSuchBucket", CPJ_ERR_S3_NOT_FOUND) \
	X("AccessDenied", CPJ_ERR_S3_ACCESS_DENIED) \
	X("AllAccessDisabled", CPJ_ERR_S3_ACCESS_DENIED) \
	X("SignatureDoesNotMatch", CPJ_ERR_API_SIGNATURE) \
	X("ExpiredToken", CPJ_ERR_API_EXPIRED_TOKEN) \
	X("InvalidToken", CPJ_ERR_API_EXPIRED_TOKEN) \
	X("TokenRefreshRequired", CPJ_ERR_API_EXPIRED_TOKEN) \
	X("InvalidAccessKeyId", CPJ_ERR_API_UNRECOGNIZED_CLIENT) \
	X("RequestTimeTooSkewed", CPJ_ERR_API_CLOCK_SKEW) \
	X("BadDigest", CPJ_ERR_S3_INTEGRITY) \
	X("XAmzContentSHA256Mismatch", CPJ_ERR_S3_INTEGRITY)

static const unsigned char s3_errs[] = { S3_CODES(CPJ_PACK_ERR) };
static const char s3_codes[] = S3_CODES(CPJ_PACK_TEXT);

/* see cpj_s3.h */
int
cpj_s3_error_map(const char *code, int http_status)
{
	size_t i, n = code != NULL ? cpj_strnlen(code, CPJ_S3_CODE_MAX) : 0;

	if (n > CPJ_S3_CODE_MAX)
		n = 0;
	if (n > 0) {
		const char *c = s3_codes;
		int err;

		for (i = 0; i < sizeof s3_errs; i++, c += strlen(c) + 1) {
			if (strcmp(c, code) == 0)
				return -(int)s3_errs[i];
		}
		/* the SDKs' throttling and transient codes */
		err = cpj_aws_error_code(code, n, 0);
		if (err == CPJ_ERR_API_THROTTLED || err == CPJ_ERR_API_SERVER)
			return err;
		return http_status >= 500 ? CPJ_ERR_API_SERVER
		    : CPJ_ERR_S3_ERROR;
	}
	if (http_status == 404)
		return CPJ_ERR_S3_NOT_FOUND;
	if (http_status == 403)
		return CPJ_ERR_S3_ACCESS_DENIED;
	if (http_status == 429)
		return CPJ_ERR_API_THROTTLED;
	if (http_status >= 500)
		return CPJ_ERR_API_SERVER;
	return CPJ_ERR_S3_ERROR;
}

#endif /* CPJ_CONFIG_S3 */
