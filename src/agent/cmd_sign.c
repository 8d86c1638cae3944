/*
 * cmd_sign.c -- cpjob sign (filled in by the SigV4 work).
 */
#include <stdio.h>

#include "agent.h"

int
cpj_cmd_sign(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "cpjob sign: not built yet\n");
	return CPJ_EXIT_FAIL;
}
