/* Host board: generous limits, every log level, error texts. */
#ifndef CPJ_CONFIG_LOG_LEVEL
#define CPJ_CONFIG_LOG_LEVEL 4
#endif
#ifndef CPJ_CONFIG_STRERROR
#define CPJ_CONFIG_STRERROR 1
#endif
