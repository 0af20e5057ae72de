/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/helper_p11raw.h - throwaway SoftHSM tokens for tests.
 *
 * p11raw_token_new() makes a temporary directory with its own softhsm2.conf,
 * points SOFTHSM2_CONF at it and initialises a token (label, SO PIN and user
 * PIN are the test constants below: test tokens only). p11raw_keygen() uses
 * pkcs11-tool (a second implementation making the keys our code then uses).
 * Tests log in through our own layer (pkcs11/p11.h).
 */
#ifndef CE_TESTS_HELPER_P11RAW_H
#define CE_TESTS_HELPER_P11RAW_H

#include <stddef.h>

#define P11RAW_SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"
#define P11RAW_USER_PIN "1234"
#define P11RAW_SO_PIN "12345678"

/* Make a token labelled label in a fresh temp dir; dir (cap >= 256) receives
 * the directory. Returns 0 or -1 (message on stderr). */
int p11raw_token_new(const char *label, char *dir, size_t cap);

/* Generate a key pair on token label: type is a pkcs11-tool --key-type
 * ("rsa:3072", "EC:prime256v1", "EC:secp384r1", "EC:edwards25519"). */
int p11raw_keygen(const char *module, const char *token, const char *type,
		  const char *label, const char *id_hex);

/* Remove the temp dir made by p11raw_token_new. */
void p11raw_token_rm(const char *dir);

/* Run a shell command line, returning its exit status (-1 if it died). */
int p11raw_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
