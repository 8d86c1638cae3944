# armhf: Cortex-A7 class (ARMv7-A, Thumb-2, NEON-VFPv4, hard float),
# Debian's arm-linux-gnueabihf toolchain, static glibc; tests under qemu-arm.
CROSS_COMPILE ?= arm-linux-gnueabihf-
BOARD_CPU := -mthumb -march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard -mtune=cortex-a7
# 64-bit time_t and file offsets (glibc >= 2.34): SigV4 and X.509 dates past
# 2038, artifacts over 2 GB, and readdir under qemu-user, whose 64-bit host
# kernel hands out directory offsets a 32-bit off_t cannot hold.
BOARD_DEFS := -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
BOARD_EXEC ?= qemu-arm -L /usr/arm-linux-gnueabihf
BOARD_DEBS := gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
BOARD_FILE := ARM, EABI5
include boards/cross.mk
