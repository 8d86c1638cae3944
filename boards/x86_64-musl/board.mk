# x86_64-musl: x86-64 with Debian's musl (musl-gcc wrapper), static; the
# tests run natively. musl's static getaddrinfo needs no NSS modules.
CROSS_COMPILE ?=
CC := musl-gcc
BOARD_CPU := -march=x86-64
BOARD_EXEC ?=
BOARD_DEBS := musl-tools
BOARD_FILE := x86-64
# The host runs this board's agent natively, so `make BOARD=x86_64-musl test`
# also runs these scripts against the static musl agent (the form that
# ships): the job lifecycle and its crash recovery (handler fork/exec, state
# file), the one-shot commands, S3, the credential providers, TLS refusals
# and network faults, on musl's resolver through src/agent/libc_pool.c.
BOARD_SCRIPTS := test_agent_run test_agent_crash test_agent_wcreds \
	test_cli_emulator test_s3_emulator test_creds_providers \
	test_cli_tls_refused test_cpjob_faults
include boards/cross.mk
