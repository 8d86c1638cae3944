/*
 * arm64 board: the library's defaults (include/cpj_config.h) except below.
 * Buffers stay at their defaults so every AWS-sized job and reply fits;
 * see boards/README.md for the RAM each one costs.
 */
#ifndef CPJ_CONFIG_LOG_LEVEL
#define CPJ_CONFIG_LOG_LEVEL 3          /* errors, warnings, info */
#endif
#ifndef CPJ_CONFIG_STRERROR
#define CPJ_CONFIG_STRERROR 1           /* the agent prints error texts */
#endif
