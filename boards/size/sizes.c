/*
 * sizes.c -- sizeof of the library's contexts and the agent's buffers for
 * `make size`, with nothing to run: each figure is the size of an array
 * that `nm -S` reads from the board's object file. The names are the
 * report's rows (boards/size-report.sh).
 */
#include "cpj.h"
#include "agent.h"

#define SIZEOF(name, n) char cpj_sizeof_##name[n]

/* Library contexts. */
SIZEOF(cpj_cp_context, sizeof(cpj_cp_context));
SIZEOF(cpj_http_client, sizeof(cpj_http_client));
SIZEOF(cpj_tls_context, sizeof(cpj_tls_context));
SIZEOF(cpj_tls_anchors, sizeof(cpj_tls_anchors));
SIZEOF(cpj_sigv4_context, sizeof(cpj_sigv4_context));
SIZEOF(cpj_net_context, sizeof(cpj_net_context));
SIZEOF(cpj_jobs_parser, sizeof(cpj_jobs_parser));
SIZEOF(cpj_job, sizeof(cpj_job));
SIZEOF(cpj_creds, sizeof(cpj_creds));

/* The agent's buffers for one CodePipeline client (src/agent). */
SIZEOF(agent_work, CPJ_AGENT_WORK_SIZE);
/* ... and for the jobs of one poll: window, tokens, job structs, strings. */
SIZEOF(agent_jobs, CPJ_JOB_WINDOW + CPJ_JSON_TOKENS_MAX * sizeof(cpj_json_tok)
    + CPJ_MAX_JOBS * sizeof(cpj_job) + CPJ_AGENT_JOB_STORAGE);
