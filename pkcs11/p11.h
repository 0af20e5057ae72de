/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11/p11.h - the one place that talks PKCS#11.
 *
 * Everything above pkcs11/ reaches HSMs through these opaque types; no CK_*
 * type or constant appears here. Every function returns 0 or a negative
 * CE_ERR_* (common/err.h); a failing PKCS#11 call sets the detail to
 * "C_Function on <object>: CKR_NAME: <what the operator can do>".
 *
 * Objects and lifetimes (each borrows its parent; free children first):
 *
 *   struct p11_ctx       the loaded modules (one with --module, or every module
 *                        registered with p11-kit). We own each module: our own
 *                        C_Initialize with CKF_OS_LOCKING_OK (and the module's
 *                        x-init-reserved string), C_Finalize at p11_ctx_free()
 *                        only if our C_Initialize returned CKR_OK.
 *   struct p11_module    one module in a ctx (borrowed from the ctx).
 *   struct p11_token     one token, found by an RFC 7512 URI (selected by
 *                        token label / serial / model / manufacturer, never by
 *                        slot number). Borrows the ctx.
 *   struct p11_session   a read/write session on a token. Login state belongs to
 *                        the module instance: while any of our sessions is open
 *                        and logged in, OpenSSL's pkcs11-provider loaded with the
 *                        SAME module file (p11_module_path) sees the login.
 *                        Keep the session open until OpenSSL is done.
 *   struct p11_key       a key pair (private + public object), or a secret key,
 *                        on a session. Borrows the session.
 *
 * PINs: every PIN argument is BORROWED, must live in secure memory
 * (common/secmem.h), and is not kept: the caller may (and should) wipe it as
 * soon as the call returns. PINs this layer produces (p11_*_pin_generate)
 * are returned in secmem owned by the caller (secmem_free).
 *
 * Login failures (CE_ERR_PIN, CE_ERR_PKCS11) are returned, never swallowed, so
 * the caller can write the failed attempt to the transcript.
 *
 * Not thread-safe per object; distinct sessions may be used from distinct
 * threads (modules are initialised with CKF_OS_LOCKING_OK).
 *
 * Keep one p11_ctx per module per process: a second ctx on the same library
 * gets CKR_CRYPTOKI_ALREADY_INITIALIZED (accepted, and it never finalizes),
 * but freeing the first ctx finalizes the module under the second.
 */
#ifndef CE_PKCS11_P11_H
#define CE_PKCS11_P11_H

#include <stddef.h>
#include <stdint.h>

struct p11_ctx;
struct p11_module;
struct p11_token;
struct p11_session;
struct p11_key;
struct evp_pkey_st; /* OpenSSL's EVP_PKEY */

#define P11_WARN __attribute__((warn_unused_result))

/* ------------------------------------------------------------------ */
/* Modules                                                             */

/*
 * Load modules. module == NULL: every module registered with p11-kit
 * (p11_kit_modules_load, unmanaged; x-init-reserved from each module's config).
 * module != NULL: one module, either
 *   - a shared library path (resolved with realpath(3), loaded with p11-kit
 *     unmanaged: the same file the OpenSSL provider must load), or
 *   - a p11-kit module file ending in ".module" whose "module:" line names the
 *     library and whose optional "x-init-reserved:" line is passed as
 *     CK_C_INITIALIZE_ARGS.pReserved (how NSS softokn gets its configdir).
 * A registered module whose C_Initialize fails is kept in the list with its
 * error (p11_module_error) so `hsm list` can show it; with --module the
 * failure is returned.
 * Returns 0, CE_ERR_NOT_FOUND (no such file / no registered module),
 * CE_ERR_PKCS11 (load or C_Initialize failed), CE_ERR_FORMAT (bad .module
 * file), CE_ERR_NOMEM.
 */
int p11_ctx_open(const char *module, struct p11_ctx **out) P11_WARN;

/* C_Finalize (only modules we initialised) and release. Accepts NULL.
 * Free every token, session and key of the ctx first. */
void p11_ctx_free(struct p11_ctx *ctx);

size_t p11_ctx_module_count(const struct p11_ctx *ctx);
/* Module i (< count), borrowed from ctx. */
const struct p11_module *p11_ctx_module(const struct p11_ctx *ctx, size_t i);

/* Real path of the library file (for pkcs11-provider's pkcs11-module-path and
 * for the transcript). Never NULL. */
const char *p11_module_path(const struct p11_module *m);
/* p11-kit's name for a registered module, or the file's base name. */
const char *p11_module_name(const struct p11_module *m);
/* The init string given to C_Initialize as pReserved (for pkcs11-provider's
 * pkcs11-module-init-args), or NULL. Public (never a PIN). */
const char *p11_module_init_args(const struct p11_module *m);
/* 0 if the module is usable, else the CE_ERR_* of its failed C_Initialize
 * (p11_module_error_detail says which CKR). */
int p11_module_error(const struct p11_module *m);
const char *p11_module_error_detail(const struct p11_module *m);
/* SHA-256 of the library file, read now. CE_ERR_IO naming the path. */
int p11_module_file_sha256(const struct p11_module *m, uint8_t out[32]) P11_WARN;

/* C_GetInfo, fields trimmed of PKCS#11 space padding and NUL-terminated. */
struct p11_module_info {
	char manufacturer[33];
	char description[33];
	unsigned cryptoki_major, cryptoki_minor;
	unsigned library_major, library_minor;
};
int p11_module_info(const struct p11_module *m, struct p11_module_info *out) P11_WARN;

/* ------------------------------------------------------------------ */
/* Slots and tokens                                                    */

/* Token flags (ours; mirror CKF_* token flags). */
enum {
	P11_TOKEN_RNG = 1u << 0,
	P11_TOKEN_WRITE_PROTECTED = 1u << 1,
	P11_TOKEN_LOGIN_REQUIRED = 1u << 2,
	P11_TOKEN_USER_PIN_INITIALIZED = 1u << 3,
	P11_TOKEN_PROTECTED_AUTH_PATH = 1u << 4,
	P11_TOKEN_INITIALIZED = 1u << 5,
	P11_TOKEN_USER_PIN_COUNT_LOW = 1u << 6,
	P11_TOKEN_USER_PIN_FINAL_TRY = 1u << 7,
	P11_TOKEN_USER_PIN_LOCKED = 1u << 8,
	P11_TOKEN_USER_PIN_TO_BE_CHANGED = 1u << 9,
	P11_TOKEN_SO_PIN_COUNT_LOW = 1u << 10,
	P11_TOKEN_SO_PIN_FINAL_TRY = 1u << 11,
	P11_TOKEN_SO_PIN_LOCKED = 1u << 12,
	P11_TOKEN_SO_PIN_TO_BE_CHANGED = 1u << 13,
};

/* C_GetTokenInfo with fixed-width fields trimmed and NUL-terminated. */
struct p11_token_info {
	char label[33];
	char manufacturer[33];
	char model[17];
	char serial[17];
	unsigned hw_major, hw_minor;
	unsigned fw_major, fw_minor;
	unsigned flags;          /* P11_TOKEN_* */
	unsigned long min_pin_len, max_pin_len;
};

/* One slot of a module, for listing. */
struct p11_slot {
	const struct p11_module *module; /* borrowed */
	unsigned long slot_id;           /* display only: never select by it */
	char description[65];
	char manufacturer[33];
	int token_present;
	int removable;
	int hardware;
	struct p11_token_info token;     /* valid when token_present */
	char *token_uri;                 /* "pkcs11:model=..;manufacturer=..;serial=..;token=.." */
};

/* List the slots of one module. *out is an array owned by the caller
 * (p11_slots_free). CE_ERR_PKCS11 if C_GetSlotList fails. */
int p11_module_slots(const struct p11_module *m, struct p11_slot **out, size_t *n) P11_WARN;
void p11_slots_free(struct p11_slot *slots, size_t n);

/*
 * Find the one token matching an RFC 7512 URI (token/manufacturer/model/
 * serial and library-* attributes; object attributes are allowed and ignored
 * here). Refused: a URI with pin-value or pin-source (CE_ERR_INVALID naming the
 * attribute: PINs never travel in URIs), a malformed URI (CE_ERR_FORMAT with
 * p11-kit's reason). No present token matches: CE_ERR_NOT_FOUND. More than one
 * matches: CE_ERR_INVALID listing each (label, serial, module) and asking for
 * serial=. *out is owned by the caller (p11_token_free).
 */
int p11_token_find(struct p11_ctx *ctx, const char *uri, struct p11_token **out) P11_WARN;
/* As p11_token_find, among blank (uninitialised) tokens only: the token to
 * hand to p11_token_init (e.g. SoftHSM's free slot: 'pkcs11:model=SoftHSM%20v2'). */
int p11_token_find_blank(struct p11_ctx *ctx, const char *uri, struct p11_token **out) P11_WARN;
void p11_token_free(struct p11_token *tok);

/* Info as read at find time or the last p11_token_refresh(). Borrowed. */
const struct p11_token_info *p11_token_info(const struct p11_token *tok);
/* Re-read token info (PIN counters change after failed logins). */
int p11_token_refresh(struct p11_token *tok) P11_WARN;
const struct p11_module *p11_token_module(const struct p11_token *tok);
/* The token's canonical URI (token, serial, model, manufacturer). Borrowed. */
const char *p11_token_uri(const struct p11_token *tok);

/* Mechanism flags (ours; mirror CKF_* mechanism flags). */
enum {
	P11_MECH_HW = 1u << 0,
	P11_MECH_ENCRYPT = 1u << 1,
	P11_MECH_DECRYPT = 1u << 2,
	P11_MECH_DIGEST = 1u << 3,
	P11_MECH_SIGN = 1u << 4,
	P11_MECH_VERIFY = 1u << 5,
	P11_MECH_GENERATE = 1u << 6,
	P11_MECH_GENERATE_KEY_PAIR = 1u << 7,
	P11_MECH_WRAP = 1u << 8,
	P11_MECH_UNWRAP = 1u << 9,
	P11_MECH_DERIVE = 1u << 10,
};

struct p11_mech {
	unsigned long type;      /* the CKM_ value (display) */
	char name[48];           /* "CKM_ECDSA", or "CKM_0x..." for unknown ones */
	unsigned long min_key, max_key; /* as the module reports (bits or bytes) */
	unsigned flags;          /* P11_MECH_* */
};

/* C_GetMechanismList + C_GetMechanismInfo. *out owned by the caller (free()). */
int p11_token_mechanisms(struct p11_token *tok, struct p11_mech **out, size_t *n) P11_WARN;

/* ------------------------------------------------------------------ */
/* Capabilities (pkcs11/p11_caps.c): what a token reports, read-only    */

/* EC parameter flags of a mechanism (ours; mirror CKF_EC_*), set only by
 * p11_token_caps (p11_token_mechanisms leaves them out). */
enum {
	P11_MECH_EC_F_P = 1u << 16,
	P11_MECH_EC_ECPARAMETERS = 1u << 17,
	P11_MECH_EC_NAMEDCURVE = 1u << 18, /* CKF_EC_OID in PKCS#11 3.0 */
	P11_MECH_EC_UNCOMPRESS = 1u << 19,
	P11_MECH_EC_COMPRESS = 1u << 20,
};

/*
 * Everything a token says about itself, read with calls that change nothing
 * (C_GetTokenInfo, C_GetMechanismList, C_GetMechanismInfo): no session, no
 * login. Works on a blank (uninitialised) token too: a module that lists no
 * mechanisms before C_InitToken leaves nmechs 0 and mechs_reported 0, so the
 * caller can say "unknown" rather than "missing".
 */
struct p11_caps {
	struct p11_token_info info;  /* flags P11_TOKEN_*, PIN range */
	struct p11_mech *mechs;      /* owned; flags include P11_MECH_EC_* */
	size_t nmechs;
	int mechs_reported;          /* C_GetMechanismList answered with >= 1 */
	char mechs_error[160];       /* why not ("" when reported) */
};

/* Read tok's capabilities. C_GetMechanismList failing is not an error (it is
 * kept in mechs_error); a listed mechanism whose C_GetMechanismInfo says
 * CKR_MECHANISM_INVALID is left out; CE_ERR_NOMEM, CE_ERR_PKCS11
 * (C_GetTokenInfo, or C_GetMechanismInfo failing otherwise). *out
 * owned by the caller (p11_caps_free). */
int p11_token_caps(struct p11_token *tok, struct p11_caps **out) P11_WARN;
void p11_caps_free(struct p11_caps *c);
/* The mechanism called name ("CKM_EC_KEY_PAIR_GEN"; any alias PKCS#11 gives
 * it), or NULL if the token does not list it (or the name is unknown). */
const struct p11_mech *p11_caps_mech(const struct p11_caps *c, const char *name);
/* 1 if the token lists mechanism name with every flag of `flags` and, when
 * key_size != 0, key_size within its [min_key, max_key] (a max of 0 counts
 * as no bound); else 0. */
int p11_caps_mech_can(const struct p11_caps *c, const char *name, unsigned flags,
		      unsigned long key_size);
/* "sign,verify,generate_key_pair" for P11_MECH_* flags (also ec_named_curve
 * ...), into buf; "none" when empty. Returns buf. */
const char *p11_mech_flags_str(unsigned flags, char *buf, size_t cap);
/* "rng,login_required,..." for P11_TOKEN_* flags into buf ("none"). */
const char *p11_token_flags_str(unsigned flags, char *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* Sessions and login                                                  */

enum p11_user {
	P11_USER_SO,
	P11_USER_NORMAL,
};

/* Open a read/write session. CE_ERR_PKCS11 (CKR_TOKEN_NOT_PRESENT, ...). */
int p11_session_open(struct p11_token *tok, struct p11_session **out) P11_WARN;
/* Close (without logging out: C_CloseSession of the last session logs the
 * module out). Accepts NULL. */
void p11_session_close(struct p11_session *s);
struct p11_token *p11_session_token(const struct p11_session *s);

/*
 * C_Login as SO or user. pin/pin_len: BORROWED secmem, not kept; wipe it right
 * after the call. pin == NULL uses the token's protected authentication path.
 * CKR_USER_ALREADY_LOGGED_IN counts as success. Returns 0; CE_ERR_PIN for
 * CKR_PIN_INCORRECT / CKR_PIN_LOCKED / CKR_PIN_LEN_RANGE / CKR_PIN_INVALID /
 * CKR_PIN_EXPIRED (detail names the CKR and the token, and the PIN counter
 * state); CE_ERR_PKCS11 for any other failure. Token info is refreshed.
 */
int p11_session_login(struct p11_session *s, enum p11_user user, const char *pin,
		      size_t pin_len) P11_WARN;
/* C_Logout; CKR_USER_NOT_LOGGED_IN counts as success. */
int p11_session_logout(struct p11_session *s) P11_WARN;

/* C_GenerateRandom into buf (public or secret: the caller's buffer). */
int p11_session_random(struct p11_session *s, uint8_t *buf, size_t len) P11_WARN;

/*
 * Random PINs, one rule for every PIN ceremony makes (pkcs11/p11_pin.c):
 *  - alphabet P11_PIN_ALPHABET: 56 typeable characters, digits and letters
 *    without look-alikes (no 0 O o 1 l I);
 *  - length len, which must lie within the token's [min, max] PIN length
 *    (CE_ERR_INVALID naming the range otherwise; a maximum of 0 or over 256
 *    counts as 256); len == 0 means P11_PIN_DEFAULT_LEN clamped to that range;
 *  - each character from one random byte by rejection sampling (bytes at or
 *    above 224, the largest multiple of 56, are dropped): no bias;
 *  - the random bytes and the PIN live in secure memory only (secmem); *pin
 *    is NUL-terminated secmem owned by the caller (secmem_free), *pin_len its
 *    length. On failure *pin is NULL.
 * They differ in the source of the random bytes:
 *
 * p11_session_pin_generate: the token of s (C_GenerateRandom) XORed byte by
 * byte with as many bytes of OpenSSL's RAND_priv_bytes, before the rejection
 * sampling (transcript source "token-rng+openssl"): a token whose RNG returns
 * constant or predictable bytes still yields an unpredictable PIN, and a weak
 * host RNG is covered by the token's. Checked against that token's range.
 * Returns 0, CE_ERR_INVALID, CE_ERR_PKCS11 (the token's RNG failed: a blank
 * SoftHSM token has none before C_InitToken), CE_ERR_CRYPTO (OpenSSL's RNG
 * failed), CE_ERR_MLOCK.
 *
 * p11_token_pin_generate: OpenSSL's RAND_priv_bytes, checked against tok's
 * range; for the PINs of a blank token (tok from p11_token_find_blank), which
 * has no RNG before it is initialised. Nothing is sent to the token. Returns
 * 0, CE_ERR_INVALID, CE_ERR_CRYPTO (OpenSSL's RNG failed), CE_ERR_MLOCK.
 */
#define P11_PIN_DEFAULT_LEN 16
#define P11_PIN_ALPHABET "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
int p11_session_pin_generate(struct p11_session *s, size_t len, char **pin,
			     size_t *pin_len) P11_WARN;
int p11_token_pin_generate(const struct p11_token *tok, size_t len, char **pin,
			   size_t *pin_len) P11_WARN;

/*
 * PINs derived from a secret (docs/share-format.md, "PINs derived from an
 * activation secret"): what key holders hold is a SLIP-39 split of a
 * P11_PIN_SECRET_BYTES random secret (20 words a share), and the PIN is
 * derived from that secret, so it may have any length and alphabet the
 * token accepts.
 *
 * Derivation "hkdf-sha256-v1": HKDF-SHA256 (RFC 5869) with IKM the secret,
 * no salt, info the ASCII text "ceremony pin v1 ALPHABET LENGTH" (e.g.
 * "ceremony pin v1 typeable 24"), P11_PIN_STREAM_BYTES of output; each
 * output byte b in turn is kept when b < 256 - 256 % |A| and gives the
 * character A[b % |A|], until the PIN has LENGTH characters.
 *
 * A derivation as recorded in the transcript (share.issued pin_derivation):
 * "hkdf-sha256-v1 ALPHABET LENGTH", e.g. "hkdf-sha256-v1 digits 8".
 */
enum p11_pin_alphabet {
	P11_PIN_TYPEABLE, /* P11_PIN_ALPHABET: 56 characters */
	P11_PIN_DIGITS,   /* P11_PIN_DIGITS_ALPHABET: 10 characters (PIV cards) */
};
#define P11_PIN_DIGITS_ALPHABET "0123456789"
#define P11_PIN_SECRET_BYTES 16
#define P11_PIN_DERIVATION_SCHEME "hkdf-sha256-v1"
#define P11_PIN_DERIVATION_MAX 48 /* a derivation string with its NUL */
#define P11_PIN_DERIVE_MAX_LEN 64 /* the longest PIN derived */
#define P11_PIN_STREAM_BYTES 1024

/* "typeable" or "digits". */
const char *p11_pin_alphabet_name(enum p11_pin_alphabet a);
/* 0, or CE_ERR_INVALID for a name that is neither. */
int p11_pin_alphabet_parse(const char *name, enum p11_pin_alphabet *out) P11_WARN;
/* The characters of the alphabet, and their number. */
const char *p11_pin_alphabet_chars(enum p11_pin_alphabet a, size_t *count);
/* The entropy of a derived PIN in bits: len x log2(|A|), at most
 * 8 x P11_PIN_SECRET_BYTES (the secret it comes from). */
double p11_pin_entropy_bits(enum p11_pin_alphabet a, size_t len);
/* The derivation string for (a, len) into buf (P11_PIN_DERIVATION_MAX). */
void p11_pin_derivation_format(enum p11_pin_alphabet a, size_t len,
			       char buf[P11_PIN_DERIVATION_MAX]);
/* Parse a derivation string. 0, or CE_ERR_FORMAT (another scheme, an unknown
 * alphabet, a length outside 1..P11_PIN_DERIVE_MAX_LEN) naming it. */
int p11_pin_derivation_parse(const char *s, enum p11_pin_alphabet *a, size_t *len) P11_WARN;
/*
 * Derive the PIN of (a, len) from secret (SECRET, borrowed, secret_len bytes,
 * 16..64). *pin: NUL-terminated secmem owned by the caller, *pin_len = len.
 * 0; CE_ERR_INVALID (len 0 or over P11_PIN_DERIVE_MAX_LEN, a secret shorter
 * than 16 bytes); CE_ERR_CRYPTO (HKDF failed, or its output ran out: never
 * in practice); CE_ERR_MLOCK. On failure *pin is NULL.
 */
int p11_pin_derive(const uint8_t *secret, size_t secret_len, enum p11_pin_alphabet a, size_t len,
		   char **pin, size_t *pin_len) P11_WARN;
/*
 * A fresh P11_PIN_SECRET_BYTES secret (secmem owned by the caller):
 * p11_session_pin_secret from the token of s XORed with OpenSSL's
 * RAND_priv_bytes (source "token-rng+openssl"), as p11_session_pin_generate;
 * p11_pin_secret_host from OpenSSL alone (a blank token has no RNG; source
 * "openssl-rand"). 0, CE_ERR_PKCS11, CE_ERR_CRYPTO, CE_ERR_MLOCK.
 */
int p11_session_pin_secret(struct p11_session *s, uint8_t **secret) P11_WARN;
int p11_pin_secret_host(uint8_t **secret) P11_WARN;

/* C_SetPIN for whoever is logged in on s (user, or SO for the SO PIN). Both
 * PINs borrowed secmem. CE_ERR_PIN for wrong old PIN / bad new length. */
int p11_session_set_pin(struct p11_session *s, const char *old_pin, size_t old_len,
			const char *new_pin, size_t new_len) P11_WARN;

/*
 * Initialise a token: C_InitToken(so_pin, label) then, logged in as SO on a new
 * session, C_InitPIN(user_pin), logout, close. All PINs borrowed secmem.
 * Destroys every object on the token. Afterwards tok refers to the initialised
 * token (found again by label: some modules move it to another slot). Label:
 * 1..32 bytes (CE_ERR_INVALID). CE_ERR_PIN for a PIN outside the token's range.
 * NSS softokn has no SO PIN: pass so_pin "" (so_len 0); C_InitPIN sets its
 * database password.
 */
int p11_token_init(struct p11_token *tok, const char *so_pin, size_t so_len, const char *label,
		   const char *user_pin, size_t user_len) P11_WARN;
/* 1 when p11_token_init or p11_token_reinit got as far as a successful
 * C_InitToken on tok (even if a later call failed: the token's objects and
 * SO PIN are gone, the new SO PIN set), else 0. */
int p11_token_init_done(const struct p11_token *tok);
/*
 * Re-initialise a token that is initialised already (a smart card or HSM
 * partition with a factory SO PIN, a token left by a failed token-init):
 * C_InitToken with cur_so, its current SO PIN, then as SO C_SetPIN(cur_so ->
 * so_pin) and C_InitPIN(user_pin). All PINs borrowed secmem; cur_so must be
 * another buffer than so_pin (CE_ERR_INVALID). A wrong cur_so: CE_ERR_PIN
 * naming C_InitToken and CKR_PIN_INCORRECT, with what the token's flags say
 * of the tries left, nothing else done.
 */
int p11_token_reinit(struct p11_token *tok, const char *cur_so, size_t cur_len, const char *so_pin,
		     size_t so_len, const char *label, const char *user_pin, size_t user_len) P11_WARN;

/* ------------------------------------------------------------------ */
/* Keys                                                                */

enum p11_key_type {
	P11_KEY_RSA_2048,
	P11_KEY_RSA_3072,
	P11_KEY_RSA_4096,
	P11_KEY_EC_P256,
	P11_KEY_EC_P384,
	P11_KEY_EC_P521,
	P11_KEY_ED25519,
	P11_KEY_AES_256, /* AES secret key (wrapping; an imported one may be AES-128) */
};

/* "rsa2048" "rsa3072" "rsa4096" "p256" "p384" "p521" "ed25519" (also
 * "rsa:2048", "ec:p256", "secp256r1", "prime256v1"...). CE_ERR_INVALID. */
int p11_key_type_parse(const char *name, enum p11_key_type *out) P11_WARN;
const char *p11_key_type_name(enum p11_key_type t);

/* 0 if the token has the mechanism to generate t (CE_ERR_UNSUPPORTED naming
 * the missing CKM otherwise). */
int p11_token_supports(struct p11_token *tok, enum p11_key_type t) P11_WARN;

#define P11_ID_MAX_BYTES 64
#define P11_LABEL_MAX_BYTES 128

struct p11_keygen {
	enum p11_key_type type;
	const char *label;   /* required, 1..P11_LABEL_MAX_BYTES */
	const uint8_t *id;   /* required, 1..P11_ID_MAX_BYTES */
	size_t id_len;
	int extractable;     /* 1: CKA_EXTRACTABLE true, for a key to be backed up by wrapping */
};

/*
 * Generate a key pair on the token: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true,
 * CKA_EXTRACTABLE as asked (false by default), CKA_SIGN/CKA_VERIFY, label and
 * id on both halves. Needs a user login. Refused before any object is made:
 * label or id already used by any object (CE_ERR_EXISTS), mechanism missing
 * (CE_ERR_UNSUPPORTED), bad parameters (CE_ERR_INVALID). If the module makes
 * the pair but a check after fails, both objects are destroyed.
 * *out owned by the caller (p11_key_free).
 */
int p11_key_generate(struct p11_session *s, const struct p11_keygen *p,
		     struct p11_key **out) P11_WARN;

/*
 * Find one key by URI: object= (label), id=, type= (private, public, secret).
 * Without type=, a private key is looked for first, then a secret key. For a
 * private key, the public half is the public-key object with the same id (or,
 * for RSA, the private key's modulus/exponent). Zero matches: CE_ERR_NOT_FOUND;
 * more than one: CE_ERR_INVALID. pin-value/pin-source refused (CE_ERR_INVALID).
 */
int p11_key_find(struct p11_session *s, const char *uri, struct p11_key **out) P11_WARN;

/* Release the handle (the object stays on the token). Accepts NULL. */
void p11_key_free(struct p11_key *k);

enum p11_key_type p11_key_type(const struct p11_key *k);
const char *p11_key_label(const struct p11_key *k);
const uint8_t *p11_key_id(const struct p11_key *k, size_t *len);
/* URI naming the private key for pkcs11-provider: token attributes + object +
 * id + type=private. Borrowed. */
const char *p11_key_uri(const struct p11_key *k);

/* Attribute values read from the private (or secret) key object. */
struct p11_key_attrs {
	int token, private_, sensitive, extractable, always_sensitive, never_extractable;
	int sign, decrypt, wrap, unwrap;
};
int p11_key_attrs(const struct p11_key *k, struct p11_key_attrs *out) P11_WARN;

/* Public key as PEM SubjectPublicKeyInfo (NUL-terminated, heap, caller
 * free()s) and its SHA-256 over the DER SPKI. */
int p11_key_public_pem(const struct p11_key *k, char **pem) P11_WARN;
int p11_key_public_fingerprint(const struct p11_key *k, uint8_t out[32]) P11_WARN;
/* The public key as an EVP_PKEY (new reference, caller EVP_PKEY_free()s). */
int p11_key_public_evp(const struct p11_key *k, struct evp_pkey_st **out) P11_WARN;

enum p11_hash {
	P11_HASH_NONE,   /* Ed25519 only (PureEdDSA) */
	P11_HASH_SHA256,
	P11_HASH_SHA384,
	P11_HASH_SHA512,
};

/*
 * Sign msg with the private key: RSA PKCS#1 v1.5 (CKM_SHA*_RSA_PKCS, or
 * CKM_RSA_PKCS over a DigestInfo when the token lacks hash-and-sign), ECDSA
 * (CKM_ECDSA over a digest computed here, or CKM_ECDSA_SHA*; the result
 * converted to DER ECDSA-Sig-Value), Ed25519 (CKM_EDDSA, hash must be P11_HASH_NONE; 64 bytes).
 * Every signature is verified with OpenSSL against the public key read back
 * from the token (a software key, never the private-key handle) before it is
 * returned: CE_ERR_VERIFY otherwise. *sig heap, caller free()s.
 */
int p11_key_sign(const struct p11_key *k, enum p11_hash hash, const uint8_t *msg,
		 size_t msg_len, uint8_t **sig, size_t *sig_len) P11_WARN;

/*
 * The mechanism p11_key_sign uses for k and hash (docs/pkcs11.md "Signing"):
 * RSA: CKM_SHA<n>_RSA_PKCS, else CKM_RSA_PKCS over a DigestInfo built here;
 * ECDSA: CKM_ECDSA over a digest computed here, else CKM_ECDSA_SHA<n>;
 * Ed25519: CKM_EDDSA. CE_ERR_UNSUPPORTED naming both mechanisms and the
 * token when it offers neither.
 */
int p11_key_sign_mech(const struct p11_key *k, enum p11_hash hash, unsigned long *mech) P11_WARN;
/* The same choice for a key of type t still to be made on tok (preflight:
 * "key 'X'" reads "a <type> key" in the refusal). */
int p11_token_sign_mech(struct p11_token *tok, enum p11_key_type t, enum p11_hash hash,
			unsigned long *mech) P11_WARN;
/* 1: a signer that hashes on its own (pkcs11-provider) finds what it needs:
 * the token's hash-and-sign mechanism, CKM_ECDSA or CKM_EDDSA; 0: the
 * signature must be made through p11_key_sign (the DigestInfo built here);
 * < 0: the token cannot sign with k (as p11_key_sign_mech). */
int p11_key_sign_combined(const struct p11_key *k, enum p11_hash hash) P11_WARN;
/* The DER DigestInfo of a SHA-256/384/512 digest (RFC 8017 9.2): the fixed
 * prefix then dig. CE_ERR_INVALID for a digest of the wrong length,
 * CE_ERR_TOO_LARGE if cap is short. */
int p11_digestinfo(enum p11_hash hash, const uint8_t *dig, size_t dig_len, uint8_t *out,
		   size_t cap, size_t *out_len) P11_WARN;

/*
 * Import a 16-byte (AES-128) or 32-byte (AES-256) AES key (BORROWED secmem;
 * wipe after; CE_ERR_INVALID for another length) as a session object
 * (CKA_TOKEN false, sensitive, non-extractable, CKA_WRAP/CKA_UNWRAP true). It
 * disappears when the session closes. *out owned by the caller.
 */
int p11_key_import_aes(struct p11_session *s, const uint8_t *key, size_t key_len,
		       struct p11_key **out) P11_WARN;

/*
 * Wrap k's private key under the AES key wk with CKM_AES_KEY_WRAP_PAD. The key
 * must be extractable (CE_ERR_INVALID otherwise). *blob is ciphertext (public
 * data, heap, caller free()s).
 */
int p11_key_wrap(const struct p11_key *wk, const struct p11_key *k, uint8_t **blob,
		 size_t *blob_len) P11_WARN;

/*
 * Restore a wrapped private key onto the session's token with C_UnwrapKey
 * (CKM_AES_KEY_WRAP_PAD) with CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true,
 * CKA_EXTRACTABLE as asked, label and id; and create its public-key object from
 * public_pem (the SPKI exported before backup). The restored key is checked
 * against public_pem by a test signature. Label/id reuse: CE_ERR_EXISTS.
 * On any failure, nothing is left on the token.
 */
struct p11_unwrap {
	enum p11_key_type type;
	const char *label;
	const uint8_t *id;
	size_t id_len;
	int extractable;
	const char *public_pem;
};
int p11_key_unwrap(struct p11_session *s, const struct p11_key *wk, const uint8_t *blob,
		   size_t blob_len, const struct p11_unwrap *p, struct p11_key **out) P11_WARN;

/* Destroy exactly one object named by URI (object=/id=/type=); zero or
 * several matches: CE_ERR_NOT_FOUND / CE_ERR_INVALID, nothing destroyed. */
int p11_object_destroy(struct p11_session *s, const char *uri) P11_WARN;

/* ------------------------------------------------------------------ */
/* Object listing                                                      */

struct p11_object {
	char cls[16];       /* "public-key" "private-key" "secret-key" "certificate" "data" "other" */
	char key_type[16];  /* "RSA" "EC" "EC_EDWARDS" "AES" ... or "" */
	unsigned long bits; /* key size when known, else 0 */
	char *label;        /* heap, "" when absent */
	uint8_t *id;        /* heap, may be NULL when id_len == 0 */
	size_t id_len;
	char *uri;          /* heap: token attributes + object/id/type */
};

/* The objects visible on s matching uri's object attributes (uri may be NULL:
 * all). Without a login only public objects are visible. */
int p11_session_objects(struct p11_session *s, const char *uri, struct p11_object **out,
			size_t *n) P11_WARN;
void p11_objects_free(struct p11_object *objs, size_t n);

/* ------------------------------------------------------------------ */
/* CK_RV                                                               */

/* "CKR_PIN_INCORRECT", or "CKR_0x%08lx" in a static buffer for unknown values. */
const char *p11_rv_name(unsigned long rv);
/* An action for the operator for well-known values, else "". */
const char *p11_rv_advice(unsigned long rv);
/* The CE_ERR_* for rv (CE_ERR_PIN for PIN errors, CE_ERR_PKCS11 otherwise). */
int p11_rv_code(unsigned long rv);
/* Set the detail "fn on what: CKR_NAME: advice" and return p11_rv_code(rv).
 * Also records the failure as data (p11_failure_current()). */
int p11_rv_fail(unsigned long rv, const char *fn, const char *what);

/* A PKCS#11 failure kept as data where it happened, so no caller has to read
 * it back out of the message. function is "C_Sign" etc., or "" when
 * pkcs11-provider made the call on OpenSSL's behalf; ckr is p11_rv_name(rv);
 * what is the object of the call as the caller named it (a token, a key). */
struct p11_failure {
	unsigned long rv;
	char function[40];
	char ckr[64];
	char what[160];
};

/* The failure behind the current error detail (ce_err_detail()), or NULL
 * when the current detail is not a PKCS#11 failure. Thread-local; valid until
 * the next failure in this thread. */
const struct p11_failure *p11_failure_current(void);
/* Record a failure (used by p11_rv_fail and the OpenSSL glue); call it right
 * after the ce_err_set() that reports it. */
void p11_failure_record(unsigned long rv, const char *fn, const char *what);

#endif
