/*
 * tests/unit/helper_p11raw.h - test-only PKCS#11 access and throwaway
 * SoftHSM tokens. Test code may call C_* directly; product code outside
 * pkcs11/ may not.
 *
 * p11raw_token_new() makes a temporary directory with its own softhsm2.conf,
 * points SOFTHSM2_CONF at it and initialises a token (label, SO PIN and user
 * PIN are the test constants below: test tokens only). p11raw_keygen() uses
 * pkcs11-tool. p11raw_open() loads the module the way our layer does (dlopen,
 * C_Initialize with CKF_OS_LOCKING_OK), opens a session and, if pin is not
 * NULL, logs in as the user.
 */
#ifndef CE_TESTS_HELPER_P11RAW_H
#define CE_TESTS_HELPER_P11RAW_H

#include <p11-kit/pkcs11.h>

#define P11RAW_SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"
#define P11RAW_USER_PIN "1234"
#define P11RAW_SO_PIN "12345678"

struct p11raw {
	void *dl;
	CK_FUNCTION_LIST *f;
	CK_SESSION_HANDLE session;
	int have_session;
	int initialized; /* our C_Initialize returned CKR_OK */
};

/* Make a token labelled label in a fresh temp dir; dir (cap >= 256) receives
 * the directory. Returns 0 or -1 (message on stderr). */
int p11raw_token_new(const char *label, char *dir, size_t cap);

/* Generate a key pair on token label: type is a pkcs11-tool --key-type
 * ("rsa:3072", "EC:prime256v1", "EC:secp384r1", "EC:edwards25519"). */
int p11raw_keygen(const char *module, const char *token, const char *type,
		  const char *label, const char *id_hex);

/* Load module, initialise, open a R/W session on the token labelled token,
 * log in as user with pin if pin != NULL. Returns the CK_RV of the first
 * failing call (CKR_OK on success; CKR_TOKEN_NOT_PRESENT if no such token,
 * CKR_GENERAL_ERROR if dlopen fails). */
CK_RV p11raw_open(struct p11raw *p, const char *module, const char *token, const char *pin);

/* Close the session and C_Finalize (if ours), dlclose. */
void p11raw_close(struct p11raw *p);

/* Remove the temp dir made by p11raw_token_new. */
void p11raw_token_rm(const char *dir);

/* Run a shell command line, returning its exit status (-1 if it died). */
int p11raw_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
