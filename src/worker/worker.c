/*
 * worker.c -- the worker facade (cpj_worker.h): one context over the TLS,
 * HTTP and CodePipeline layers, their public calls only.
 */
#include "inner.h"
#include "cpj_worker.h"

#define W_READY   0x57524b31u   /* "WRK1": set up, usable */
#define REFRESH_S 300           /* refresh credentials expiring this soon */

/* Copy `s` (or `def` when NULL) into d[cap]: 0, or CPJ_ERR_PARAM when
 * both are NULL, empty or too long. */
static CPJ_NOINLINE int
copy_name(char *d, size_t cap, const char *s, const char *def)
{
	size_t n;

	if (s == NULL)
		s = def;
	if (s == NULL || (n = cpj_strnlen(s, cap)) == 0 || n >= cap)
		return CPJ_ERR_PARAM;
	memcpy(d, s, n + 1);
	return 0;
}

#if CPJ_CONFIG_PEM
#if CPJ_CONFIG_LOG_LEVEL >= 1
/* Say why a bundle failed: too large for the store, or which object. */
static void
log_anchors(const cpj_worker *w, const cpj_worker_config *cfg, int rc)
{
	cpj_tls_anchors_info i;
	const char *what = cfg->ca_file != NULL ? cfg->ca_file : "(memory)";

	cpj_tls_anchors_get_info(&w->anchors, &i);
	if (i.need_anchors > i.slots || i.need_bytes > i.arena)
		CPJ_LOG_E("worker: CA bundle %s needs %lu anchors and %lu "
		    "bytes; ca_store holds %lu and %lu", what,
		    (unsigned long)i.need_anchors, (unsigned long)i.need_bytes,
		    (unsigned long)i.slots, (unsigned long)i.arena);
	else if (i.bad_object != 0)
		CPJ_LOG_E("worker: CA bundle %s: PEM object #%lu malformed "
		    "(BearSSL error %d)", what, (unsigned long)i.bad_object,
		    i.br_err);
	else
		CPJ_LOG_E("worker: CA bundle %s: %s", what, cpj_strerror(rc));
}
#else
#define log_anchors(w, cfg, rc) ((void)0)
#endif

#ifdef CPJ_PORT_FILE
/* cpj_port_file_read()'s sink: a piece of the bundle. */
static int
add_pem(void *arg, const void *data, size_t len)
{
	return cpj_tls_anchors_add_pem(arg, data, len);
}
#endif

/* Trust anchors: the compiled-in ones, or a bundle (file or memory) in
 * the caller's ca_store, split into slots and arena. */
static int
load_anchors(cpj_worker *w, const cpj_worker_config *cfg)
{
	unsigned char *m = cfg->ca_store;
	size_t len = cfg->ca_store_len, pad, nslots;
	int rc = 0;

	if (cfg->ca_file == NULL && cfg->ca_pem == NULL)
		return cpj_tls_anchors_init(&w->anchors, NULL, 0, NULL, 0, 1);
	if (m == NULL)
		return CPJ_ERR_PARAM;
	/* align the slots for a pointer */
	pad = (size_t)(-(uintptr_t)m) & (sizeof(void *) * 2 - 1);
	if (len < pad)
		return CPJ_ERR_PARAM;
	len -= pad;
	nslots = len / (sizeof(br_x509_trust_anchor) +
	    CPJ_WORKER_CA_BYTES_PER_ANCHOR);
	if (nslots == 0)
		return CPJ_ERR_PARAM;
	rc = cpj_tls_anchors_init(&w->anchors, (br_x509_trust_anchor *)(void *)
	    (m + pad), nslots, m + pad + nslots * sizeof(br_x509_trust_anchor),
	    len - nslots * sizeof(br_x509_trust_anchor), 0);
	if (rc < 0)
		return rc;
	if (cfg->ca_file == NULL) {
		rc = cpj_tls_anchors_add_pem(&w->anchors, cfg->ca_pem,
		    cfg->ca_pem_len);
	} else {
#ifdef CPJ_PORT_FILE
		/* the whole file, through the (yet unused) request buffer */
		rc = cpj_port_file_read(cfg->ca_file, w->work, sizeof w->work,
		    add_pem, &w->anchors);
		cpj_wipe(w->work, sizeof w->work);
#else
		rc = CPJ_ERR_UNSUPPORTED;       /* the port reads no file */
#endif
	}
	if (rc == 0)
		rc = cpj_tls_anchors_finish(&w->anchors);
	if (rc < 0)
		log_anchors(w, cfg, rc);
	return rc < 0 ? rc : 0;
}
#else
/* Trust anchors: the compiled-in ones (a build without PEM bundles). */
static int
load_anchors(cpj_worker *w, const cpj_worker_config *cfg)
{
	if (cfg->ca_file != NULL || cfg->ca_pem != NULL)
		return CPJ_ERR_UNSUPPORTED;
	return cpj_tls_anchors_init(&w->anchors, NULL, 0, NULL, 0, 1);
}
#endif /* CPJ_CONFIG_PEM */

/* Fetch credentials from the provider into w->creds and hand them to the
 * client. */
static int
refresh(cpj_worker *w)
{
	int rc;

	cpj_creds_clear(&w->creds);
	rc = w->creds_fn(w->creds_arg, &w->creds);
	if (rc == 0 && !cpj_creds_present(&w->creds))
		rc = CPJ_ERR_SIGV4_CREDS;
	if (rc < 0) {
		cpj_creds_clear(&w->creds);
		return rc;
	}
	return cpj_cp_set_credentials(&w->cp, &w->creds);
}

/* Before a call: set up? credentials missing (a refresh failed) or
 * about to expire? */
static int
before(cpj_worker *w)
{
	if (w == NULL || w->state != W_READY)
		return CPJ_ERR_STATE;
	if (w->creds_fn != NULL && (!cpj_creds_present(&w->creds) ||
	    (w->creds.expires != 0 &&
	    cpj_port_time_unix() + REFRESH_S >= w->creds.expires)))
		return refresh(w);
	return 0;
}

static CPJ_NOINLINE void
wipe_jobs(cpj_worker *w)
{
	size_t i;

	for (i = 0; i < w->njobs && i < CPJ_WORKER_JOBS; i++)
		cpj_job_wipe(&w->jobs[i]);
	w->njobs = 0;
}

static int
setup_client(cpj_worker *w, const cpj_worker_config *cfg)
{
	char sign_region[32];
	char *url = (char *)w->work;
	int rc;

	if ((rc = cpj_tls_init(&w->tls, &w->anchors)) < 0)
		return rc;
	if (cfg->endpoint_url != NULL) {
		if (copy_name(sign_region, sizeof sign_region, cfg->region,
		    NULL) < 0)
			return CPJ_ERR_PARAM;
		rc = cpj_http_client_set_url(&w->http, cfg->endpoint_url);
	} else {
		memcpy(url, "https://", 8);
		rc = cpj_cp_endpoint_host(cfg->region, 0, url + 8,
		    sizeof w->work - 8, sign_region, sizeof sign_region);
		if (rc >= 0)
			rc = cpj_http_client_set_url(&w->http, url);
	}
	if (rc < 0)
		return rc;
	return cpj_cp_init(&w->cp, &w->http, sign_region, w->work,
	    sizeof w->work);
}

/* see cpj_worker.h */
int
cpj_worker_init(cpj_worker *w, const cpj_worker_config *cfg)
{
	int rc;

	if (w == NULL)
		return CPJ_ERR_PARAM;
	memset(w, 0, offsetof(cpj_worker, tokens));
	if (cfg == NULL || cfg->region == NULL ||
	    (cfg->creds == NULL) == (cfg->creds_fn == NULL) ||
	    cfg->max_jobs > CPJ_WORKER_JOBS ||
	    copy_name(w->category, sizeof w->category, cfg->action.category,
	    NULL) < 0 ||
	    copy_name(w->owner, sizeof w->owner, cfg->action.owner,
	    "Custom") < 0 ||
	    copy_name(w->provider, sizeof w->provider, cfg->action.provider,
	    NULL) < 0 ||
	    copy_name(w->version, sizeof w->version, cfg->action.version,
	    "1") < 0)
		return CPJ_ERR_PARAM;
	w->action.category = w->category;
	w->action.owner = w->owner;
	w->action.provider = w->provider;
	w->action.version = w->version;
	w->max_jobs = cfg->max_jobs != 0 ? cfg->max_jobs : CPJ_WORKER_JOBS;
	w->creds_fn = cfg->creds_fn;
	w->creds_arg = cfg->creds_arg;
	w->jb.parser = &w->parser;
	w->jb.window = w->window;
	w->jb.window_len = sizeof w->window;
	w->jb.tokens = w->tokens;
	w->jb.ntokens = CPJ_JSON_TOKENS_MAX;
	w->jb.jobs = w->jobs;
	w->jb.max_jobs = CPJ_WORKER_JOBS;
	w->jb.storage = w->storage;
	w->jb.storage_len = sizeof w->storage;
	cpj_http_client_init(&w->http, &w->tls);
	if ((rc = load_anchors(w, cfg)) < 0 ||
	    (rc = setup_client(w, cfg)) < 0)
		goto fail;
	if (cfg->creds != NULL)
		rc = cpj_cp_set_credentials(&w->cp, cfg->creds);
	else
		rc = refresh(w);
	if (rc < 0)
		goto fail;
	w->state = W_READY;
	return 0;
fail:
	w->state = W_READY;     /* close is safe on what is still zero */
	cpj_worker_close(w);
	return rc;
}

/* The calls a worker makes, through run(). */
enum { OP_POLL, OP_ACK, OP_DETAILS, OP_SUCCESS, OP_FAILURE };

/*
 * One call: check the worker and refresh credentials about to expire,
 * then CPJ_ERR_PARAM unless `ok`; send, and send once more after an
 * expired token was refreshed. `id` and `arg` are the call's job id and
 * nonce, success or failure. A poll or a get-details answer replaces the
 * worker's jobs.
 */
static int
run(cpj_worker *w, int op, int ok, const char *id, const void *arg)
{
	int rc, n = 0;

	if ((rc = before(w)) < 0)
		return rc;
	if (!ok)
		return CPJ_ERR_PARAM;
	if (op == OP_DETAILS) {
		/* the id may live in a job's storage */
		memmove(w->id, id, strlen(id) + 1);
		id = w->id;
	}
	if (op == OP_POLL || op == OP_DETAILS)
		wipe_jobs(w);
	w->status[0] = '\0';
	for (;;) {
		switch (op) {
		case OP_POLL:
			rc = cpj_cp_poll_for_jobs(&w->cp, &w->action,
			    w->max_jobs, NULL, NULL, &w->jb);
			break;
		case OP_ACK:
			rc = cpj_cp_acknowledge_job(&w->cp, id, arg, NULL,
			    w->status, sizeof w->status);
			break;
		case OP_DETAILS:
			rc = cpj_cp_get_job_details(&w->cp, id, NULL, &w->jb);
			break;
		case OP_SUCCESS:
			rc = cpj_cp_put_job_success(&w->cp, id, NULL, arg);
			break;
		default:
			rc = cpj_cp_put_job_failure(&w->cp, id, NULL, arg);
			break;
		}
		if (n++ != 0 || rc != CPJ_ERR_API_EXPIRED_TOKEN ||
		    w->creds_fn == NULL || refresh(w) != 0)
			break;
	}
	if (rc >= 0 && (op == OP_POLL || op == OP_DETAILS))
		w->njobs = (size_t)rc;
	return rc;
}

/* see cpj_worker.h */
int
cpj_worker_poll(cpj_worker *w, const cpj_job **jobs)
{
	int rc;

	if (jobs == NULL)
		return CPJ_ERR_PARAM;
	*jobs = NULL;
	rc = run(w, OP_POLL, 1, NULL, NULL);
	if (rc >= 0)
		*jobs = w->jobs;
	return rc;
}

/* see cpj_worker.h */
int
cpj_worker_acknowledge(cpj_worker *w, const cpj_job *job)
{
	int rc;

	rc = run(w, OP_ACK, job != NULL, job != NULL ? job->id.p : NULL,
	    job != NULL ? job->nonce.p : NULL);
	if (rc < 0)
		return rc;
	return strcmp(w->status, "InProgress") == 0 ? 0 : 1;
}

/* see cpj_worker.h */
int
cpj_worker_get_details(cpj_worker *w, const char *job_id,
	const cpj_job **job)
{
	int rc;

	if (job != NULL)
		*job = NULL;
	rc = run(w, OP_DETAILS, job != NULL && job_id != NULL &&
	    cpj_strnlen(job_id, sizeof w->id) < sizeof w->id, job_id, NULL);
	if (rc > 0)
		*job = &w->jobs[0];
	return rc;
}

/* see cpj_worker.h */
int
cpj_worker_success(cpj_worker *w, const char *job_id,
	const cpj_cp_success *s)
{
	cpj_cp_success none;

	if (s == NULL) {
		cpj_cp_success_init(&none);
		s = &none;
	}
	return run(w, OP_SUCCESS, 1, job_id, s);
}

/* see cpj_worker.h */
int
cpj_worker_failure(cpj_worker *w, const char *job_id, const char *type,
	const char *message)
{
	cpj_cp_failure f;

	f.type = type != NULL ? type : "JobFailed";
	f.message = message;
	f.external_execution_id = NULL;
	return run(w, OP_FAILURE, 1, job_id, &f);
}

/* see cpj_worker.h */
void
cpj_worker_close(cpj_worker *w)
{
	if (w == NULL)
		return;
	if (w->state == W_READY) {
		wipe_jobs(w);
		cpj_cp_clear(&w->cp);
		cpj_http_client_close(&w->http);
		cpj_tls_forget(&w->tls);
	}
	w->state = 0;
	cpj_creds_clear(&w->creds);
	cpj_wipe(w->id, sizeof w->id);
	/* the token array (the job parser keeps a job's long strings at its
	   end while the job streams in), then window, storage and work: the
	   end of the struct */
	cpj_wipe(w->tokens, sizeof w->tokens);
	cpj_wipe(w->window, sizeof *w - offsetof(cpj_worker, window));
}
