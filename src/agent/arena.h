/*
 * arena.h -- the agent's one static arena for the large buffers of a
 * command. A process runs one command (cpjob run or a one-shot command;
 * the test tool tests/tools/sign_vectors links it too), so the buffers of different commands share the same
 * bytes: each command takes what it needs, once, and never gives it
 * back. The arena's size is the largest command's sum (docs/agent.md,
 * "Static memory"); running past it is a sizing error of this program,
 * reported and exited on (status 255), never a condition of the input.
 */
#ifndef CPJ_AGENT_ARENA_H
#define CPJ_AGENT_ARENA_H

#include <stddef.h>

#ifndef CPJ_AGENT_ARENA_SIZE
/* The largest command's sum (x86-64, the widest cpj_job; each take is
 * rounded up to 16 bytes). `cpjob run` takes the handler's environment
 * (RUN_ENV_MAX, 131,072), the state file's decoded report (VALS_MAX,
 * 86,336), the result file's buffer (RUN_RESULT_MAX + 1, 65,552), its
 * config file (65,552), the strings of a GetJobDetails (CPJ_JOB_WINDOW,
 * 49,152) and up to 100 job slots (100 x 2,344): 632,064 bytes. A
 * one-shot poll of 100 jobs with --query or --output text and a file://
 * parameter takes its parameter store (16 KiB; PutJobSuccessResult's is
 * 160 KiB), the file (64 KiB), the output document (256 KiB), the job
 * slots and a line naming each job (100 x 400): 618,464;
 * tests/tools/sign_vectors about 260 KiB. Both sums are run by the tests
 * (test_agent_run.py's config file case, test_cli_unprinted_jobs.py):
 * 1 KB less fails the first. */
#define CPJ_AGENT_ARENA_SIZE (618u * 1024)
#endif

/* n bytes, zeroed, aligned for any object; exits when the arena is
 * exhausted. */
void *agent_arena_take(size_t n);
/* Bytes taken so far (tests, sizing). */
size_t agent_arena_used(void);

#endif
