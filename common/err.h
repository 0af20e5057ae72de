/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/err.h - the one error vocabulary of ceremony.
 *
 * Every function that can fail returns 0 on success or a negative CE_ERR_* code.
 * ce_strerror() turns a code into a fixed message. A failing function may also
 * record *where* and *what* with ce_err_set(): the detail (file:line, share
 * number, holder, CKR name...) is what the user sees via ce_err_detail().
 * Details never contain secrets: callers pass only public context.
 *
 * The detail buffer is per-thread; the most recent ce_err_set() wins, so the
 * innermost failure (closest to the cause) should set it and outer layers may
 * prefix context with ce_err_prefix().
 */
#ifndef CE_COMMON_ERR_H
#define CE_COMMON_ERR_H

#include <stddef.h>

enum ce_err {
	CE_OK = 0,
	CE_ERR_INTERNAL = -1,     /* a bug: invariant broken */
	CE_ERR_NOMEM = -2,        /* allocation failed */
	CE_ERR_MLOCK = -3,        /* secure memory could not be locked */
	CE_ERR_USAGE = -4,        /* bad command line */
	CE_ERR_IO = -5,           /* read/write/open failed (errno in detail) */
	CE_ERR_TOO_LARGE = -6,    /* untrusted input above its bound */
	CE_ERR_FORMAT = -7,       /* malformed input */
	CE_ERR_EXISTS = -8,       /* output already exists: refused to overwrite */
	CE_ERR_INVALID = -9,      /* argument out of range */
	CE_ERR_CHECKSUM = -10,    /* share checksum wrong */
	CE_ERR_WORD = -11,        /* word not in the wordlist */
	CE_ERR_PADDING = -12,     /* share padding bits not zero / wrong length */
	CE_ERR_MISMATCH = -13,    /* shares from different sets / parameters */
	CE_ERR_DUPLICATE = -14,   /* duplicate share index */
	CE_ERR_QUORUM = -15,      /* not enough shares / groups */
	CE_ERR_DIGEST = -16,      /* recovered secret fails its digest */
	CE_ERR_PKCS11 = -17,      /* a PKCS#11 call failed (CKR name in detail) */
	CE_ERR_CRYPTO = -18,      /* OpenSSL failed */
	CE_ERR_VERIFY = -19,      /* a signature or hash did not verify */
	CE_ERR_POLICY = -20,      /* policy refused (role, vetting, training...) */
	CE_ERR_ABORTED = -21,     /* the operator aborted */
	CE_ERR_NOT_FOUND = -22,   /* named object/token/person absent */
	CE_ERR_PIN = -23,         /* PIN incorrect/locked/invalid */
	CE_ERR_TTY = -24,         /* interactive use needs a terminal */
	CE_ERR_UNSUPPORTED = -25, /* the token or build lacks a feature */
	CE_ERR_INCOMPLETE = -26,  /* transcript valid but incomplete */
	CE_ERR_STATE = -27,       /* operation not valid in this state */
	CE_ERR_MIN_ = -27
};

/* Fixed message for a code; never NULL. */
const char *ce_strerror(int code);

/* Record the detail of the current failure (printf-style) and return code,
 * so callers can write `r = ce_err_set(CE_ERR_FORMAT, "%s:%zu: ...", ...)`. */
int ce_err_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepend "prefix: " to the current detail (e.g. a file name). Returns code. */
int ce_err_prefix(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The detail set by the last ce_err_set() in this thread, or "" if none. */
const char *ce_err_detail(void);

/* A number that changes with every ce_err_set() in this thread (not with
 * ce_err_prefix()): a layer that keeps structured data about a failure
 * (pkcs11/: the function and CKR) records it, so readers know whether that
 * data belongs to the current detail. */
unsigned long ce_err_serial(void);

/* Forget the current detail. */
void ce_err_clear(void);

/* Print "ceremony: <detail or strerror>" to stderr for code (< 0). */
void ce_err_print(int code);

#endif
