/*
 * shorthand.c -- the aws CLI's shorthand syntax for structure and map
 * parameters: key=value,key2=value2, with values optionally quoted
 * ("..." or '...', backslash escapes inside quotes). JSON objects are
 * parsed by cli_json_kv() instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "cli.h"

/* see cli.h */
int
cli_shorthand_kv(const char *s, struct cli_kv *kv, int max, char *store,
	size_t store_len, size_t *usedp)
{
	size_t used = 0;
	int n = 0;

	while (*s != '\0') {
		const char *ks = s, *ke;
		char *val;

		while (*s != '\0' && *s != '=' && *s != ',')
			s++;
		if (*s != '=')
			return -1;      /* key without value */
		ke = s++;
		while (ks < ke && *ks == ' ')
			ks++;
		while (ke > ks && ke[-1] == ' ')
			ke--;
		if (ke == ks || n >= max)
			return -1;
		if ((size_t)(ke - ks) + 1 > store_len - used)
			return -1;
		kv[n].key = store + used;
		memcpy(store + used, ks, (size_t)(ke - ks));
		used += (size_t)(ke - ks);
		store[used++] = '\0';
		val = store + used;
		while (*s == ' ')
			s++;
		if (*s == '"' || *s == '\'') {
			char q = *s++;

			while (*s != '\0' && *s != q) {
				if (*s == '\\' && s[1] != '\0')
					s++;
				if (used + 1 >= store_len)
					return -1;
				store[used++] = *s++;
			}
			if (*s != q)
				return -1;  /* unterminated quote */
			s++;
			while (*s == ' ')
				s++;
			if (*s != '\0' && *s != ',')
				return -1;
		} else {
			const char *vs = s, *ve;

			while (*s != '\0' && *s != ',')
				s++;
			ve = s;
			while (ve > vs && ve[-1] == ' ')
				ve--;
			if ((size_t)(ve - vs) + 1 > store_len - used)
				return -1;
			memcpy(store + used, vs, (size_t)(ve - vs));
			used += (size_t)(ve - vs);
		}
		if (used >= store_len)
			return -1;
		store[used++] = '\0';
		kv[n].value = val;
		kv[n].type = 'h';
		n++;
		if (*s == ',')
			s++;
	}
	*usedp = used;
	return n;
}

/* A flat JSON object: string values unescaped, numbers and booleans as
 * their text. */
static int
json_kv(const char *js, size_t len, struct cli_kv *kv, int max, char *store,
	size_t store_len, size_t *usedp)
{
	static cpj_json_tok tok[2 * 64 + 1];
	size_t used = 0;
	int n, i, k = 0;

	n = cpj_json_parse(js, len, tok, sizeof tok / sizeof tok[0]);
	if (n < 1 || tok[0].type != CPJ_JSON_OBJECT)
		return -1;
	for (i = 1; i < n; i = cpj_json_next(tok, n, i + 1)) {
		int v = i + 1;
		size_t out;

		if (k >= max || v >= n)
			return -1;
		if (tok[v].type == CPJ_JSON_OBJECT || tok[v].type == CPJ_JSON_ARRAY)
			return -1;
		if (cpj_json_get_str(js, tok, n, i, store + used,
		    store_len - used, &out) < 0 || memchr(store + used, 0, out))
			return -1;
		kv[k].key = store + used;
		used += out + 1;
		if (tok[v].type == CPJ_JSON_STRING) {
			if (cpj_json_get_str(js, tok, n, v, store + used,
			    store_len - used, &out) < 0)
				return -1;
		} else {
			out = (size_t)(tok[v].end - tok[v].start);
			if (out + 1 > store_len - used)
				return -1;
			memcpy(store + used, js + tok[v].start, out);
			store[used + out] = '\0';
		}
		kv[k].value = store + used;
		kv[k].type = tok[v].type == CPJ_JSON_STRING ? 's'
		    : *kv[k].value == 't' || *kv[k].value == 'f' ? 'b'
		    : *kv[k].value == 'n' ? 'z'
		    : strpbrk(kv[k].value, ".eE") != NULL ? 'd' : 'i';
		used += out + 1;
		k++;
	}
	*usedp = used;
	return k;
}

/* see cli.h */
int
cli_kv_arg(const char *arg, struct cli_kv *kv, int max, char *store,
	size_t store_len, size_t *usedp)
{
	static char file[64 * 1024];
	const char *s = arg;
	size_t len;

	if (strncmp(arg, "file://", 7) == 0) {
		size_t n = 0;
		int fd = open(arg + 7, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -1;
		for (;;) {
			ssize_t r = read(fd, file + n, sizeof file - 1 - n);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		close(fd);
		if (n == sizeof file - 1)
			return -1;
		file[n] = '\0';
		s = file;
	}
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	if (*s == '{')
		return json_kv(s, len, kv, max, store, store_len, usedp);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (s == file)
		file[s - file + len] = '\0';
	return cli_shorthand_kv(s, kv, max, store, store_len, usedp);
}
