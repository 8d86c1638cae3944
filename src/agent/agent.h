/*
 * agent.h -- declarations shared by the cpjob agent's sources.
 *
 * The agent may use libc freely, but allocates nothing at run time: its
 * buffers are static. Each subcommand lives in its own cmd_<name>.c and is
 * listed in the table in main.c.
 */
#ifndef CPJ_AGENT_H
#define CPJ_AGENT_H

#include "cpj.h"

/* Exit statuses shared by every subcommand. */
#define CPJ_EXIT_OK      0
#define CPJ_EXIT_FAIL    1   /* the operation failed (network, AWS error, ...) */
#define CPJ_EXIT_USAGE   2   /* bad command line */

/* Subcommands: argv[0] is the subcommand name. */
int cpj_cmd_sign(int argc, char **argv);

#endif
