/*
 * cp_jobs_parse.c -- the streaming CodePipeline job parser (cpj_jobs.h).
 *
 * Stage 1 runs a cpj_json_scanner over every byte of the body; it stops
 * only at values near the top (the body, its members, the jobs and the
 * jobs' own members), where this file tracks where it is, copies the
 * current job into the window and keeps the job's id aside. Stage 2
 * (cp_jobs_map.c) tokenizes the window with jsmn and maps the tokens
 * through the member tables into the caller's cpj_job.
 */
#include "cp_jobs_int.h"

/* cpj_job.err_detail texts (listed in cpj_jobs.h) of stage 1. */
#define D_WINDOW CPJ_JOBS_DETAIL( \
    "the job's JSON is larger than the parser's window")
#define D_TOKENS CPJ_JOBS_DETAIL( \
    "the job's JSON has more values than the parser's token array")

/* ---- stage 1: following the body ------------------------------------- */

/* a reference is shorter than the text it stands for */
typedef char ref_shorter[CPJ_JOBS_LONG_MIN > CPJ_JOBS_REF_LEN ? 1 : -1];

/* The token array as bytes: the long strings' texts are at its end. */
static char *
txt_area(const cpj_jobs_parser *p)
{
	return (char *)(void *)p->toks;
}

static size_t
txt_cap(const cpj_jobs_parser *p)
{
	return (size_t)p->ntoks * sizeof(cpj_json_tok);
}

/* Wipe the current job's bytes: the window and the texts moved out. */
static void
win_wipe(cpj_jobs_parser *p)
{
	cpj_jobs_wipe(p->win, p->win_len);
	cpj_jobs_wipe(txt_area(p) + txt_cap(p) - p->txt_len, p->txt_len);
	p->win_len = 0;
	p->txt_len = 0;
}

/*
 * Append d[0..n) of the job to the window unless the job's JSON has
 * outgrown it (then too_large): the limit is on the JSON's own bytes,
 * which the window, holding references for some of them, never exceeds.
 */
static void
win_put(cpj_jobs_parser *p, const char *d, size_t n)
{
	if (p->too_large)
		return;
	if (n > p->win_cap - p->job_bytes) {
		p->too_large = 1;
		return;
	}
	p->job_bytes += n;
	memcpy(p->win + p->win_len, d, n);
	p->win_len += n;
}

/*
 * A long string value ended with the last byte in the window (its closing
 * quote): move its `n` bytes of text below the texts at the end of the
 * token array and leave a reference in the window (cp_jobs_int.h). When
 * they do not fit there, the text stays.
 */
static CPJ_NOINLINE void
win_move_long(cpj_jobs_parser *p, size_t n)
{
	char *ref = p->win + p->win_len - 1 - n;
	unsigned char *h;
	size_t to, k;

	if (p->too_large || n + 1 >= p->win_len
	    || n + 4 > txt_cap(p) - p->txt_len)
		return;
	to = txt_cap(p) - p->txt_len - n - 4;
	if (to >> 24 != 0)
		return;         /* beyond what a reference can say */
	p->txt_len += n + 4;
	h = (unsigned char *)txt_area(p) + to;
	h[0] = (unsigned char)(n >> 24);
	h[1] = (unsigned char)(n >> 16);
	h[2] = (unsigned char)(n >> 8);
	h[3] = (unsigned char)n;
	memcpy(h + 4, ref, n);
	ref[0] = CPJ_JOBS_REF_MARK;
	for (k = CPJ_JOBS_REF_LEN - 1; k > 0; k--, to >>= 4)
		ref[k] = (char)(0x40 | (to & 15));
	ref[CPJ_JOBS_REF_LEN] = '"';
	cpj_jobs_wipe(ref + CPJ_JOBS_REF_LEN + 1, n - CPJ_JOBS_REF_LEN);
	p->win_len = (size_t)(ref - p->win) + CPJ_JOBS_REF_LEN + 1;
}

/*
 * Put every moved text back in place of its reference (the window holds
 * the job's JSON whole again). From the last reference to the first, each
 * piece moves right, to where it was: nothing is written before it is
 * read.
 */
static void
win_restore(cpj_jobs_parser *p)
{
	char *w = p->win;
	size_t end = p->job_bytes, i = p->win_len;

	for (;;) {
		size_t m = i, seg, n;
		const char *t;

		while (m > 0 && w[m - 1] != CPJ_JOBS_REF_MARK)
			m--;
		if (m-- == 0)
			break;          /* w[0 .. i) is in place */
		/* the JSON after the reference at m, up to i */
		seg = i - (m + CPJ_JOBS_REF_LEN);
		memmove(w + end - seg, w + m + CPJ_JOBS_REF_LEN, seg);
		end -= seg;
		t = cpj_jobs_ref_text(txt_area(p), w + m, &n);
		memcpy(w + end - n, t, n);
		end -= n;
		i = m;
	}
	p->win_len = p->job_bytes;
	cpj_jobs_wipe(txt_area(p) + txt_cap(p) - p->txt_len, p->txt_len);
	p->txt_len = 0;
}

static int
fail(cpj_jobs_parser *p, int err)
{
	size_t k;

	if (p->err == 0)
		p->err = err;
	for (k = 0; k < p->count; k++)
		p->jobs[k].flags |= CPJ_JOB_F_RESPONSE_FAILED;
	if (p->in_job && p->win != NULL) {
		win_wipe(p);
		p->in_job = 0;
	}
	return p->err;
}

/* Append d[0..n) to buf[*len..cap) unless it overflowed (then *over). */
static void
cap_put(char *buf, size_t cap, size_t *len, unsigned char *over,
    const char *d, size_t n)
{
	if (*over)
		return;
	if (n > cap - *len) {
		*over = 1;
		return;
	}
	memcpy(buf + *len, d, n);
	*len += n;
}

/* Whether the decoded member name is `want`. */
static int
name_is(const cpj_jobs_parser *p, const char *want)
{
	size_t len = strlen(want);

	return p->name_len == len && memcmp(p->name, want, len) == 0;
}

/*
 * Decode a captured member name or string value (raw, closing quote
 * included) in place; 1 when it decodes to at most `max` bytes.
 */
static int
value_decode(char *buf, size_t cap, unsigned char over, size_t *len,
    size_t max)
{
	size_t n;

	if (over || *len == 0)
		return 0;
	n = *len - 1;
	/* without a backslash the text is its value (the scanner checked
	 * its bytes) */
	if (memchr(buf, '\\', n) == NULL)
		buf[n] = '\0';
	else if (cpj_json_unescape(buf, n, buf, cap, &n) < 0)
		return 0;
	if (n > max)
		return 0;
	*len = n;
	return 1;
}

static int
job_begin(cpj_jobs_parser *p)
{
	if (p->count >= p->max_jobs)
		return CPJ_ERR_NOSPACE;
	p->in_job = 1;
	p->too_large = 0;
	p->win_len = 0;
	p->job_bytes = 0;
	p->txt_len = 0;
	p->id_ok = 0;
	p->id_next = 0;
	p->id_cap = 0;
	p->nonce_ok = 0;
	p->nonce_next = 0;
	p->nonce_cap = 0;
	win_put(p, "{", 1);
	return CPJ_OK;
}

static CPJ_NOINLINE int
job_end(cpj_jobs_parser *p)
{
	cpj_job *job = &p->jobs[p->count];
	struct cpj_jobs_map m;
	int r;

	p->in_job = 0;
	/* its strings follow the last job's; a reserve stays for each slot
	 * after it (init made sure of it) */
	job->store = p->storage;
	job->store_cap = p->store_left
	    - (p->max_jobs - p->count - 1) * CPJ_JOBS_RESERVE;
	cpj_jobs_job_clear(job);
	p->count++;
	if (p->too_large) {
		cpj_jobs_job_fail(p, job, CPJ_ERR_JSON_JOB_TOO_LARGE, "window",
		    D_WINDOW, -1);
		r = CPJ_OK;
		goto out;
	}
	/* the tokens below the texts moved there; all of them when those
	 * are too few (the texts back in the window) */
	r = cpj_json_tokenize(p->win, p->win_len, p->toks,
	    (unsigned)((txt_cap(p) - p->txt_len) / sizeof(cpj_json_tok)));
	if (r == CPJ_ERR_JSON_TOKENS && p->txt_len > 0) {
		win_restore(p);
		r = cpj_json_tokenize(p->win, p->win_len, p->toks, p->ntoks);
	}
	if (r == CPJ_ERR_JSON_TOKENS) {
		cpj_jobs_job_fail(p, job, CPJ_ERR_JSON_JOB_TOO_LARGE, "tokens",
		    D_TOKENS, -1);
		r = CPJ_OK;
		goto out;
	}
	if (r < 1 || p->toks[0].type != CPJ_JSON_OBJECT) {
		/* the scanner validated this text: cannot happen */
		r = CPJ_ERR_INTERNAL;
		goto out;
	}
	m.js = p->win;
	m.txt = txt_area(p);
	m.t = p->toks;
	m.n = r;
	m.job = job;
	m.err = 0;
	m.field = NULL;
	m.detail = NULL;
	m.key = -1;
	m.nul_field = NULL;
	m.nul_detail = NULL;
	m.nul_key = -1;
	cpj_jobs_map(&m, p->mode);
	if (m.err != 0)
		cpj_jobs_job_fail(p, job, m.err, m.field, m.detail, m.key);
	else if (m.nul_field != NULL)
		cpj_jobs_job_nul(p, job, m.nul_field, m.nul_detail, m.nul_key);
	r = CPJ_OK;
out:
	p->storage += job->store_used;
	p->store_left -= job->store_used;
	win_wipe(p);
	return r;
}

static int
on_begin(cpj_jobs_parser *p)
{
	const cpj_json_scanner *s = &p->scan;
	uint32_t lv = s->ev_level;

	if (lv == 0)
		return (s->ev_type == CPJ_JSON_OBJECT) ? CPJ_OK
		    : CPJ_ERR_JSON_TYPE;
	if (s->ev_key) {
		if (lv == 1 || (p->in_job && lv == p->job_level + 1)) {
			p->name_cap = 1;
			p->name_len = 0;
			p->name_over = 0;
		}
		return CPJ_OK;
	}
	if (lv == 1) {
		if (!p->top_match)
			return CPJ_OK;
		if (p->seen_top)
			return CPJ_ERR_API_RESPONSE;
		p->seen_top = 1;
		if (s->ev_char == 'n')
			return CPJ_OK;          /* null: no jobs */
		if (p->mode == CPJ_JOBS_DETAILS)
			return (s->ev_type == CPJ_JSON_OBJECT) ? job_begin(p)
			    : CPJ_ERR_JSON_TYPE;
		if (s->ev_type != CPJ_JSON_ARRAY)
			return CPJ_ERR_JSON_TYPE;
		p->in_list = 1;
		return CPJ_OK;
	}
	if (p->in_list && !p->in_job && lv == 2)
		return (s->ev_type == CPJ_JSON_OBJECT) ? job_begin(p)
		    : CPJ_ERR_JSON_TYPE;
	if (p->in_job && lv == p->job_level + 1) {
		if (p->id_next && s->ev_type == CPJ_JSON_STRING) {
			p->id_cap = 1;
			p->id_len = 0;
			p->id_over = 0;
		}
		if (p->nonce_next) {
			/* the last "nonce" wins, also when it is not a string */
			p->nonce_ok = 0;
			if (s->ev_type == CPJ_JSON_STRING) {
				p->nonce_cap = 1;
				p->nonce_len = 0;
				p->nonce_over = 0;
			}
		}
		p->id_next = 0;
		p->nonce_next = 0;
	}
	return CPJ_OK;
}

static CPJ_NOINLINE int
on_end(cpj_jobs_parser *p)
{
	const cpj_json_scanner *s = &p->scan;
	uint32_t lv = s->ev_level;
	int tp = p->mode == CPJ_JOBS_THIRD_PARTY_POLL;

	if (s->ev_key) {
		if (p->name_cap) {
			int ok;

			p->name_cap = 0;
			/* not decodable or too long: none of ours */
			ok = value_decode(p->name, sizeof p->name, p->name_over,
			    &p->name_len, sizeof p->name);
			if (lv == 1) {
				p->top_match = ok && name_is(p,
				    p->mode == CPJ_JOBS_DETAILS ? "jobDetails"
				    : "jobs");
			} else {
				p->id_next = ok && name_is(p, tp ? "jobId"
				    : "id");
				/* a ThirdPartyJob has no nonce */
				p->nonce_next = ok && !tp
				    && name_is(p, "nonce");
			}
		}
		return CPJ_OK;
	}
	if (p->id_cap && lv == p->job_level + 1) {
		/* decode the id in place; the last "id" member wins */
		p->id_cap = 0;
		p->id_ok = (unsigned char)value_decode(p->id, sizeof p->id,
		    p->id_over, &p->id_len, sizeof p->id);
		return CPJ_OK;
	}
	if (p->nonce_cap && lv == p->job_level + 1) {
		p->nonce_cap = 0;
		p->nonce_ok = (unsigned char)value_decode(p->nonce,
		    sizeof p->nonce, p->nonce_over, &p->nonce_len,
		    CPJ_JOBS_NONCE_LEN_MAX);
		return CPJ_OK;
	}
	if (p->in_job && lv == p->job_level)
		return job_end(p);
	if (p->in_list && lv == 1)
		p->in_list = 0;
	return CPJ_OK;
}

/* see cp_int.h */
void
cpj_jobs_parser_discard(cpj_jobs_parser *p)
{
	size_t k;

	for (k = 0; k < p->count; k++)
		cpj_job_wipe(&p->jobs[k]);
	if (p->win != NULL)
		win_wipe(p);
	p->count = 0;
}

/* see cpj_jobs.h */
int
cpj_jobs_parser_init(cpj_jobs_parser *p, int mode,
    char *window, size_t window_len, cpj_json_tok *tokens, unsigned ntokens,
    cpj_job *jobs, size_t max_jobs, char *storage, size_t storage_len)
{
	if (p == NULL)
		return CPJ_ERR_PARAM;
	memset(p, 0, sizeof *p);
#if !CPJ_CONFIG_THIRD_PARTY
	if (mode == CPJ_JOBS_THIRD_PARTY_POLL)
		return p->err = CPJ_ERR_UNSUPPORTED;
#endif
	if ((mode != CPJ_JOBS_POLL && mode != CPJ_JOBS_DETAILS
	    && mode != CPJ_JOBS_THIRD_PARTY_POLL)
	    || window == NULL || window_len < 2 || window_len > 2147483647u
	    || tokens == NULL || ntokens == 0 || ntokens > 2147483647u
	    || jobs == NULL || max_jobs == 0 || max_jobs > 2147483647u
	    || storage == NULL || storage_len / CPJ_JOBS_RESERVE < max_jobs) {
		p->err = CPJ_ERR_PARAM;
		return CPJ_ERR_PARAM;
	}
	p->mode = mode;
	p->win = window;
	p->win_cap = window_len;
	p->toks = tokens;
	p->ntoks = ntokens;
	p->jobs = jobs;
	p->max_jobs = max_jobs;
	p->storage = storage;
	p->store_left = storage_len;
	p->job_level = (mode == CPJ_JOBS_DETAILS) ? 1 : 2;
	cpj_json_scan_init(&p->scan, p->job_level + 1);
	p->scan.long_min = CPJ_JOBS_LONG_MIN;
	return CPJ_OK;
}

/* see cpj_jobs.h */
int
cpj_jobs_parser_feed(cpj_jobs_parser *p, const void *data, size_t len)
{
	const char *d = data;
	int r;

	if (p->err != 0)
		return p->err;
	if (d == NULL && len != 0)
		return fail(p, CPJ_ERR_PARAM);
	while (len > 0) {
		size_t n = cpj_json_scan(&p->scan, d, len);

		if (p->in_job)
			win_put(p, d, n);
		if (p->name_cap)
			cap_put(p->name, sizeof p->name, &p->name_len,
			    &p->name_over, d, n);
		if (p->id_cap)
			cap_put(p->id, sizeof p->id, &p->id_len, &p->id_over,
			    d, n);
		if (p->nonce_cap)
			cap_put(p->nonce, sizeof p->nonce, &p->nonce_len,
			    &p->nonce_over, d, n);
		d += n;
		len -= n;
		switch (p->scan.ev) {
		case CPJ_JSON_EV_NONE:
			break;
		case CPJ_JSON_EV_BEGIN:
			r = on_begin(p);
			if (r < 0)
				return fail(p, r);
			break;
		case CPJ_JSON_EV_END:
			r = on_end(p);
			if (r < 0)
				return fail(p, r);
			break;
		case CPJ_JSON_EV_LONG:
			/* its text: from str_at to before the quote just read
			 * (32-bit positions: the length of a string that fits
			 * the window) */
			if (p->in_job)
				win_move_long(p, (uint32_t)p->scan.pos - 1u
				    - p->scan.str_at);
			break;
		default:
			return fail(p, p->scan.err != 0 ? p->scan.err
			    : CPJ_ERR_INTERNAL);
		}
	}
	return CPJ_OK;
}

/* see cpj_jobs.h */
int
cpj_jobs_parser_finish(cpj_jobs_parser *p)
{
	int r;

	if (p->err != 0)
		return p->err;
	r = cpj_json_scan_finish(&p->scan);
	if (r < 0)
		return fail(p, r);
	return (int)p->count;
}
