# armhf: Cortex-A7 class (ARMv7-A, Thumb-2, NEON-VFPv4, hard float),
# Debian's arm-linux-gnueabihf toolchain with Debian's multiarch musl
# (musl-dev:armhf), static; tests under qemu-arm.
CROSS_COMPILE ?= arm-linux-gnueabihf-
MUSL_TRIPLET := arm-linux-musleabihf
BOARD_CPU := -mthumb -march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard -mtune=cortex-a7
BOARD_EXEC ?= qemu-arm
# Host scripts run against this board's agent under qemu-arm
# (boards/run-tests.sh): the job lifecycle with S3 artifacts, and the
# one-shot commands. The agent is the link-time optimised one that ships;
# the unit tests link the same objects without LTO.
BOARD_SCRIPTS := test_agent_run test_cli_emulator
BOARD_DEBS := gcc-arm-linux-gnueabihf musl-dev:armhf qemu-user
BOARD_FILE := ARM, EABI5
include boards/cross.mk
