/*
 * main.c -- cpjob: argument dispatch to one subcommand per file
 * (brssl.c pattern), --help and --version.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "setup.h"

/* The commands but cmd_cp.c's (cpj_cmd_cp_name()), which come first. */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "run", cpj_cmd_run, "The job worker: poll, run the handler, report (see run --help)" },
	{ "credentials", cpj_cmd_credentials, "Show the source, access key id and expiration the credential chain picks" },
	{ "s3-get", cpj_cmd_s3, "S3 GetObject to a file (artifact credentials from the environment)" },
	{ "s3-put", cpj_cmd_s3, "S3 PutObject of a file (SSE-KMS, signed or unsigned payload)" },
};

#define EXIT_USAGE 252  /* the aws CLI's status for usage errors */

static void
usage(FILE *f)
{
	const char *n;
	size_t i;
	int w = 0;

	for (i = 0; (n = cpj_cmd_cp_name((int)i)) != NULL; i++) {
		if ((int)strlen(n) > w)
			w = (int)strlen(n);
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if ((int)strlen(cmds[i].name) > w)
			w = (int)strlen(cmds[i].name);
	}
	fmt_fprintf(f, "usage: cpjob <command> [options]\n\ncommands:\n");
	cpj_cmd_cp_usage(f, w);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fmt_fprintf(f, "  %-*s  %s\n", w, cmds[i].name, cmds[i].help);
	fmt_fprintf(f, "\n'cpjob <command> --help' describes a command's options.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

#ifdef CPJ_PORT_LOG_SINK
	/* warnings and errors unless a command asks for more (--debug) */
	cpj_port_log_set_level(2);
#endif
	if (argc < 2) {
		usage(stderr);
		setup_msg(NULL, "error: the following arguments are "
		    "required: command");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
	    || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CPJ_EXIT_OK;
	}
	/* --version, as the aws CLI's, after a command too (not as the
	   value of an option: those never start with "--version") */
	for (i = 1; i < (size_t)argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			fmt_printf("cpjob %s\n", CPJ_VERSION_STRING);
			return CPJ_EXIT_OK;
		}
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	}
	/* the aws CLI's operation names work too */
	if (cpj_cmd_cp_known(argv[1]))
		return cpj_cmd_cp(argc - 1, argv + 1);
	usage(stderr);
	setup_msg(NULL, "error: argument command: Invalid choice: "
	    "'%s'", argv[1]);
	return EXIT_USAGE;
}
