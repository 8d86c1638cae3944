/*
 * cpj_version.h -- version of libcpjob.
 *
 * The macros give the version of the headers a program was compiled
 * with; cpj_version() gives the version of the library it is linked
 * with. They differ only when headers and library come from different
 * releases, which a firmware tool may check at start-up.
 */
/** \file
 * \brief Version of libcpjob.
 */
#ifndef CPJ_VERSION_H
#define CPJ_VERSION_H

/** Major version: changes when the stable API changes incompatibly. */
#define CPJ_VERSION_MAJOR   0
/** Minor version: changes when the stable API grows compatibly. */
#define CPJ_VERSION_MINOR   1
/** Patch version: fixes only. */
#define CPJ_VERSION_PATCH   0
/** The version as "MAJOR.MINOR.PATCH". */
#define CPJ_VERSION_STRING  "0.1.0"

/**
 * \brief The version of the linked library.
 *
 * Stack: at most 16 bytes.
 *
 * \return a static NUL-terminated string, CPJ_VERSION_STRING of the
 *         release the library was built from.
 */
const char *cpj_version(void);

#endif
