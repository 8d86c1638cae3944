/*
 * arena.h -- the agent's one static arena for the large buffers of a
 * command. A process runs one command (cpjob run or a one-shot command;
 * the test tool tests/tools/sign_vectors links it too), so the buffers
 * of different commands share the same bytes, and each command takes
 * only what it uses:
 *
 * - lasting buffers from the bottom (agent_arena_take()), once, never
 *   given back (the request buffer, the CA store, the job storage, ...);
 * - transient ones from the top, in scopes that end in the reverse
 *   order they began (agent_arena_mark() ... agent_arena_scoped() ...
 *   agent_arena_release()): a run of the credential chain, the config
 *   file while the client is set up. A release wipes what the scope
 *   took (secrets included) and drops only that: a lasting take made
 *   inside a scope comes from the other end and stays.
 *
 * The arena's size is the largest command's sum of lasting buffers and
 * deepest scope (docs/agent.md, "Static memory"); running past it is a
 * sizing error of this program, reported and exited on (status 255),
 * never a condition of the input.
 */
#ifndef CPJ_AGENT_ARENA_H
#define CPJ_AGENT_ARENA_H

#include <stddef.h>

#ifndef CPJ_AGENT_ARENA_SIZE
/* The largest command's sum (x86-64, the widest structures; each take is
 * rounded up to 16 bytes): a one-shot poll of 50 jobs with --query and
 * a file:// parameter, 756,000 bytes (test_cli_unprinted_jobs.py runs
 * it; 1 KB less fails it): the parameter store, the request buffer
 * (CPJ_AGENT_WORK_SIZE, 7,168), the CA store (110,592), the job window
 * and tokens, 50 slots and 256 KiB of strings, the output document (128
 * KiB), a line naming each job, and the file's 64 KiB in a scope.
 * `cpjob run` with a CA bundle takes 634,256: lasting, the request
 * buffer, the CA store, the state file's decoded report (VALS_MAX,
 * 86,336), the result file's buffer (RUN_RESULT_MAX + 1, 65,552), the
 * job window and tokens (49,152 and 10,240), the polled job's slot and
 * strings (2,352 and 49,344, one job a poll: RUN_BATCH_MAX), the strings
 * of a GetJobDetails (49,152), the config file (16,400) and the S3
 * client's TLS context and buffers (24,128 + 16,384 + 16,384): 503,184;
 * on top, the handler's environment (RUN_ENV_MAX, 131,072) or a run of
 * the credential chain (128,736), never both. `cpjob credentials` takes
 * a chain's run, tests/tools/sign_vectors about 260 KiB. */
#define CPJ_AGENT_ARENA_SIZE (739u * 1024)
#endif

/* n bytes, zeroed, aligned for any object, for the rest of the process;
 * exits when the arena is exhausted. */
void *agent_arena_take(size_t n);
/* The start of a scope: give it to agent_arena_release() at its end. */
size_t agent_arena_mark(void);
/* n bytes, zeroed, aligned for any object, until the scope of the
 * innermost agent_arena_mark() ends; exits when the arena is exhausted. */
void *agent_arena_scoped(size_t n);
/* End the scope that began with `mark`: what it took is wiped and given
 * back (scopes begun inside it end with it). */
void agent_arena_release(size_t mark);
/* Bytes taken now, and the most taken at once (tests, sizing). */
size_t agent_arena_used(void);
size_t agent_arena_peak(void);

#endif
