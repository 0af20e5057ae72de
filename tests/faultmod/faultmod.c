/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/faultmod/faultmod.c - a fault-injection PKCS#11 module (test only).
 *
 * Forwards every call to the real module named by FAULTMOD_MODULE and fails
 * one chosen call, so tests can show that every failure path gives a clear
 * error and leaves nothing half-made. Configuration (test settings, never
 * secrets), read once at C_GetFunctionList:
 *
 *   FAULTMOD_MODULE  path of the real module (required)
 *   FAULTMOD_FUNC    function to fail, e.g. C_Sign (unset: forward only)
 *   FAULTMOD_NTH     which call of it fails, counting from 1 (default 1)
 *   FAULTMOD_RV      CK_RV returned instead: a CKR_ name or a number
 *                    (0x30; default CKR_DEVICE_ERROR). The real function is
 *                    not called for the failed call.
 *   FAULTMOD_MODE    "fail" (default) or "corrupt": with FAULTMOD_FUNC=C_Sign
 *                    or C_SignFinal, let every call through but flip the last
 *                    byte of each signature returned with CKR_OK (a token that
 *                    returns a wrong signature with success); or "constant":
 *                    with FAULTMOD_FUNC=C_GenerateRandom, every call returns
 *                    CKR_OK and zero bytes (a token with a broken RNG).
 *   FAULTMOD_HIDE_MECHS  comma-separated CKM_ values (numbers, e.g.
 *                    0x40,0x250) the token pretends not to have: left out of
 *                    C_GetMechanismList, CKR_MECHANISM_INVALID from
 *                    C_GetMechanismInfo and C_SignInit (a token without
 *                    hash-and-sign RSA, like opencryptoki 3.8's).
 *   FAULTMOD_QUIRKS  comma-separated behaviours of real modules, emulated
 *                    over the real one (tests/faultmod/quirks.c):
 *       pin-range=MIN-MAX  C_GetTokenInfo reports ulMinPinLen..ulMaxPinLen
 *                    MIN..MAX; C_InitToken, C_InitPIN, C_SetPIN (new PIN)
 *                    and C_Login refuse a PIN outside it with
 *                    CKR_PIN_LEN_RANGE (PIV cards: 4-8).
 *       nul-padding  fixed-width text padded with NULs, not spaces: token
 *                    label, manufacturerID, model, serialNumber; slot
 *                    description and manufacturer; C_GetInfo's manufacturer
 *                    and library description.
 *       same-serial  every token reports serialNumber 0000000000000000.
 *       latin1       every token reports its manufacturerID and model in
 *                    ISO 8859-1 ("Soci\xe9t\xe9 g\xe9n\xe9rale", "Cl\xe9 \xb5HSM"),
 *                    not UTF-8, as some vendor firmware does.
 *       refuse-attr=NAME[:KEYTYPE]  C_GenerateKeyPair with the boolean
 *                    attribute NAME (CKA_EXTRACTABLE, CKA_SENSITIVE, ...)
 *                    TRUE in either template returns
 *                    CKR_ATTRIBUTE_VALUE_INVALID, C_GenerateKey and
 *                    C_UnwrapKey CKR_TEMPLATE_INCONSISTENT, for keys of
 *                    KEYTYPE (RSA, EC, EDDSA, AES, GENERIC; from CKA_KEY_TYPE
 *                    or the mechanism) or every key type; session objects
 *                    too, so a probe sees it. Up to 8 of them.
 *       no-priv-verify  C_VerifyInit with a private-key handle returns
 *                    CKR_KEY_TYPE_INCONSISTENT.
 *       init-needs-so-pin[=PIN]  C_InitToken needs the current SO PIN: a
 *                    blank token reports CKF_TOKEN_INITIALIZED (a factory
 *                    card) and its C_InitToken wants PIN (default 12345678,
 *                    the tests' SO PIN); an initialised SoftHSM token checks
 *                    its own. CKR_PIN_INCORRECT from C_InitToken counts per
 *                    slot: CKF_SO_PIN_COUNT_LOW after one, CKF_SO_PIN_FINAL_TRY
 *                    after two, then CKF_SO_PIN_LOCKED and CKR_PIN_LOCKED
 *                    (counted in this process only).
 *       user-pin=low|final|locked  every token reports CKF_USER_PIN_COUNT_LOW,
 *                    CKF_USER_PIN_FINAL_TRY (with COUNT_LOW) or CKF_USER_PIN_LOCKED
 *                    (the flags only: C_Login is SoftHSM's).
 *       pull=CALL:N[:BACK]  a card pulled out mid-ceremony: the Nth call of
 *                    CALL (C_Sign, C_Decrypt, C_DeriveKey, or op: any of
 *                    them) returns CKR_DEVICE_REMOVED without reaching the
 *                    token, and from then the token of that call's slot is
 *                    out: left out of C_GetSlotList(tokenPresent), no
 *                    CKF_TOKEN_PRESENT in C_GetSlotInfo, CKR_TOKEN_NOT_PRESENT
 *                    from C_GetTokenInfo and C_OpenSession, CKR_DEVICE_REMOVED
 *                    from those calls on its sessions; BACK seconds later
 *                    (default 0: never) it is in again (old sessions stay
 *                    open in the real module: the caller closes them).
 *                    e.g. FAULTMOD_QUIRKS=pin-range=4-8,refuse-attr=CKA_EXTRACTABLE:EC
 *   FAULTMOD_LOG     append one line per call, "C_Name 0xRV" (after the
 *                    call; injected failures end with " injected"), so a
 *                    sweep can enumerate every call of a run.
 *
 * Exported: C_GetFunctionList only (PKCS#11 2.40 interface); loaders that
 * look for C_GetInterface fall back to it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "tests/faultmod/quirks.h"

#define FM_FUNCS(X) \
	X(C_Initialize) \
	X(C_Finalize) \
	X(C_GetInfo) \
	X(C_GetSlotList) \
	X(C_GetSlotInfo) \
	X(C_GetTokenInfo) \
	X(C_WaitForSlotEvent) \
	X(C_GetMechanismList) \
	X(C_GetMechanismInfo) \
	X(C_InitToken) \
	X(C_InitPIN) \
	X(C_SetPIN) \
	X(C_OpenSession) \
	X(C_CloseSession) \
	X(C_CloseAllSessions) \
	X(C_GetSessionInfo) \
	X(C_GetOperationState) \
	X(C_SetOperationState) \
	X(C_Login) \
	X(C_Logout) \
	X(C_CreateObject) \
	X(C_CopyObject) \
	X(C_DestroyObject) \
	X(C_GetObjectSize) \
	X(C_GetAttributeValue) \
	X(C_SetAttributeValue) \
	X(C_FindObjectsInit) \
	X(C_FindObjects) \
	X(C_FindObjectsFinal) \
	X(C_EncryptInit) \
	X(C_Encrypt) \
	X(C_EncryptUpdate) \
	X(C_EncryptFinal) \
	X(C_DecryptInit) \
	X(C_Decrypt) \
	X(C_DecryptUpdate) \
	X(C_DecryptFinal) \
	X(C_DigestInit) \
	X(C_Digest) \
	X(C_DigestUpdate) \
	X(C_DigestKey) \
	X(C_DigestFinal) \
	X(C_SignInit) \
	X(C_Sign) \
	X(C_SignUpdate) \
	X(C_SignFinal) \
	X(C_SignRecoverInit) \
	X(C_SignRecover) \
	X(C_VerifyInit) \
	X(C_Verify) \
	X(C_VerifyUpdate) \
	X(C_VerifyFinal) \
	X(C_VerifyRecoverInit) \
	X(C_VerifyRecover) \
	X(C_DigestEncryptUpdate) \
	X(C_DecryptDigestUpdate) \
	X(C_SignEncryptUpdate) \
	X(C_DecryptVerifyUpdate) \
	X(C_GenerateKey) \
	X(C_GenerateKeyPair) \
	X(C_WrapKey) \
	X(C_UnwrapKey) \
	X(C_DeriveKey) \
	X(C_SeedRandom) \
	X(C_GenerateRandom) \
	X(C_GetFunctionStatus) \
	X(C_CancelFunction)

enum fm_func {
#define FM_ENUM(n) FM_##n,
	FM_FUNCS(FM_ENUM)
#undef FM_ENUM
	FM_COUNT_
};

static const char *const fm_names[FM_COUNT_] = {
#define FM_NAME(n) #n,
	FM_FUNCS(FM_NAME)
#undef FM_NAME
};

static const struct {
	const char *name;
	CK_RV rv;
} fm_rvs[] = {
	{ "CKR_OK", CKR_OK },
	{ "CKR_HOST_MEMORY", CKR_HOST_MEMORY },
	{ "CKR_SLOT_ID_INVALID", CKR_SLOT_ID_INVALID },
	{ "CKR_GENERAL_ERROR", CKR_GENERAL_ERROR },
	{ "CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED },
	{ "CKR_ARGUMENTS_BAD", CKR_ARGUMENTS_BAD },
	{ "CKR_ATTRIBUTE_VALUE_INVALID", CKR_ATTRIBUTE_VALUE_INVALID },
	{ "CKR_DATA_LEN_RANGE", CKR_DATA_LEN_RANGE },
	{ "CKR_DEVICE_ERROR", CKR_DEVICE_ERROR },
	{ "CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY },
	{ "CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED },
	{ "CKR_FUNCTION_CANCELED", CKR_FUNCTION_CANCELED },
	{ "CKR_KEY_HANDLE_INVALID", CKR_KEY_HANDLE_INVALID },
	{ "CKR_KEY_FUNCTION_NOT_PERMITTED", CKR_KEY_FUNCTION_NOT_PERMITTED },
	{ "CKR_MECHANISM_INVALID", CKR_MECHANISM_INVALID },
	{ "CKR_OBJECT_HANDLE_INVALID", CKR_OBJECT_HANDLE_INVALID },
	{ "CKR_OPERATION_ACTIVE", CKR_OPERATION_ACTIVE },
	{ "CKR_OPERATION_NOT_INITIALIZED", CKR_OPERATION_NOT_INITIALIZED },
	{ "CKR_PIN_INCORRECT", CKR_PIN_INCORRECT },
	{ "CKR_PIN_LEN_RANGE", CKR_PIN_LEN_RANGE },
	{ "CKR_PIN_LOCKED", CKR_PIN_LOCKED },
	{ "CKR_SESSION_CLOSED", CKR_SESSION_CLOSED },
	{ "CKR_SESSION_COUNT", CKR_SESSION_COUNT },
	{ "CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID },
	{ "CKR_SIGNATURE_INVALID", CKR_SIGNATURE_INVALID },
	{ "CKR_TEMPLATE_INCONSISTENT", CKR_TEMPLATE_INCONSISTENT },
	{ "CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT },
	{ "CKR_TOKEN_WRITE_PROTECTED", CKR_TOKEN_WRITE_PROTECTED },
	{ "CKR_USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN },
	{ "CKR_BUFFER_TOO_SMALL", CKR_BUFFER_TOO_SMALL },
	{ "CKR_CRYPTOKI_NOT_INITIALIZED", CKR_CRYPTOKI_NOT_INITIALIZED },
	{ "CKR_RANDOM_NO_RNG", CKR_RANDOM_NO_RNG },
};

static pthread_mutex_t fm_lock = PTHREAD_MUTEX_INITIALIZER;
static void *fm_dl;
static CK_FUNCTION_LIST *fm_real;
static CK_FUNCTION_LIST fm_list;
static int fm_ready;
static int fm_fault = -1; /* enum fm_func to fail, or -1 */
static unsigned long fm_nth = 1;
static CK_RV fm_fault_rv = CKR_DEVICE_ERROR;
static int fm_corrupt_mode;
static int fm_constant_mode;
static FILE *fm_log;
static unsigned long fm_calls[FM_COUNT_];
#define FM_HIDE_MAX 16
static CK_MECHANISM_TYPE fm_hide[FM_HIDE_MAX];
static size_t fm_n_hide;
static __thread int fm_injected;

static int fm_config_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fm_config_error(const char *fmt, ...)
{
	va_list ap;

	fputs("faultmod: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int fm_parse_rv(const char *s, CK_RV *out)
{
	size_t i;
	char *end = NULL;

	for (i = 0; i < sizeof(fm_rvs) / sizeof(fm_rvs[0]); i++)
		if (strcmp(s, fm_rvs[i].name) == 0) {
			*out = fm_rvs[i].rv;
			return 0;
		}
	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0')
		return fm_config_error("FAULTMOD_RV '%s': not a known CKR_ name or a number", s);
	return 0;
}

/* Read the environment and load the real module, once. */
static int fm_setup(void)
{
	const char *module = getenv("FAULTMOD_MODULE");
	const char *func = getenv("FAULTMOD_FUNC");
	const char *nth = getenv("FAULTMOD_NTH");
	const char *rv = getenv("FAULTMOD_RV");
	const char *mode = getenv("FAULTMOD_MODE");
	const char *log = getenv("FAULTMOD_LOG");
	const char *hide = getenv("FAULTMOD_HIDE_MECHS");
	CK_C_GetFunctionList gfl;
	char *end = NULL;
	int i;

	if (fm_ready)
		return 0;
	if (module == NULL || *module == '\0')
		return fm_config_error("FAULTMOD_MODULE is not set");
	if (func != NULL && *func != '\0') {
		for (i = 0; i < FM_COUNT_; i++)
			if (strcmp(func, fm_names[i]) == 0)
				fm_fault = i;
		if (fm_fault < 0)
			return fm_config_error("FAULTMOD_FUNC '%s': no such PKCS#11 function", func);
	}
	if (nth != NULL && *nth != '\0') {
		errno = 0;
		fm_nth = strtoul(nth, &end, 10);
		if (errno != 0 || *end != '\0' || fm_nth == 0)
			return fm_config_error("FAULTMOD_NTH '%s': not a positive number", nth);
	}
	if (rv != NULL && *rv != '\0' && fm_parse_rv(rv, &fm_fault_rv) != 0)
		return -1;
	if (mode != NULL && strcmp(mode, "corrupt") == 0) {
		if (fm_fault != FM_C_Sign && fm_fault != FM_C_SignFinal)
			return fm_config_error("FAULTMOD_MODE=corrupt needs FAULTMOD_FUNC=C_Sign "
					       "or C_SignFinal");
		fm_corrupt_mode = 1;
	} else if (mode != NULL && strcmp(mode, "constant") == 0) {
		if (fm_fault != FM_C_GenerateRandom)
			return fm_config_error("FAULTMOD_MODE=constant needs "
					       "FAULTMOD_FUNC=C_GenerateRandom");
		fm_corrupt_mode = 1; /* no call fails */
		fm_constant_mode = 1;
	} else if (mode != NULL && *mode != '\0' && strcmp(mode, "fail") != 0) {
		return fm_config_error("FAULTMOD_MODE '%s': fail, corrupt or constant", mode);
	}
	while (hide != NULL && *hide != '\0') {
		if (fm_n_hide == FM_HIDE_MAX)
			return fm_config_error("FAULTMOD_HIDE_MECHS: at most %d", FM_HIDE_MAX);
		errno = 0;
		fm_hide[fm_n_hide++] = strtoul(hide, &end, 0);
		if (errno != 0 || end == hide || (*end != ',' && *end != '\0'))
			return fm_config_error("FAULTMOD_HIDE_MECHS '%s': numbers, comma-separated",
					       getenv("FAULTMOD_HIDE_MECHS"));
		hide = *end == ',' ? end + 1 : end;
	}
	if (log != NULL && *log != '\0') {
		fm_log = fopen(log, "ae");
		if (fm_log == NULL)
			return fm_config_error("FAULTMOD_LOG %s: %s", log, strerror(errno));
		setvbuf(fm_log, NULL, _IOLBF, 0);
	}
	fm_dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	if (fm_dl == NULL)
		return fm_config_error("%s", dlerror());
	gfl = (CK_C_GetFunctionList)dlsym(fm_dl, "C_GetFunctionList");
	if (gfl == NULL || gfl(&fm_real) != CKR_OK || fm_real == NULL)
		return fm_config_error("%s: no C_GetFunctionList", module);
	if (fq_setup(getenv("FAULTMOD_QUIRKS"), fm_real) != 0)
		return -1;
	fm_ready = 1;
	return 0;
}

/* Count the call; true (and *rv set) when this is the call to fail. */
static int fm_enter(enum fm_func f, CK_RV *rv)
{
	int fail = 0;

	pthread_mutex_lock(&fm_lock);
	fm_calls[f]++;
	if (!fm_corrupt_mode && (int)f == fm_fault && fm_calls[f] == fm_nth) {
		fail = 1;
		*rv = fm_fault_rv;
	}
	pthread_mutex_unlock(&fm_lock);
	fm_injected = fail;
	return fail;
}

static CK_RV fm_leave(enum fm_func f, CK_RV rv)
{
	if (fm_log != NULL) {
		pthread_mutex_lock(&fm_lock);
		fprintf(fm_log, "%s 0x%08lx%s\n", fm_names[f], (unsigned long)rv,
			fm_injected ? " injected" : "");
		pthread_mutex_unlock(&fm_lock);
	}
	fm_injected = 0;
	return rv;
}

static int fm_hidden(CK_MECHANISM_TYPE m)
{
	size_t i;

	for (i = 0; i < fm_n_hide; i++)
		if (fm_hide[i] == m)
			return 1;
	return 0;
}

/* Drop hidden mechanisms from a C_GetMechanismList answer (a size query
 * keeps the real count: an upper bound is allowed). */
static void fm_hide_filter(CK_MECHANISM_TYPE *list, unsigned long *count)
{
	unsigned long i, j = 0;

	if (list == NULL || count == NULL)
		return;
	for (i = 0; i < *count; i++)
		if (!fm_hidden(list[i]))
			list[j++] = list[i];
	*count = j;
}

/* A token that returns a wrong signature and says it is fine. */
static void fm_corrupt(enum fm_func f, CK_RV rv, unsigned char *sig, unsigned long *len)
{
	if (fm_corrupt_mode && (int)f == fm_fault && rv == CKR_OK && sig != NULL && len != NULL &&
	    *len > 0) {
		sig[*len - 1] ^= 0x01;
		fm_injected = 1;
	}
}

static CK_RV fm_C_Initialize(void *init_args)
{
	CK_RV rv;

	if (fm_enter(FM_C_Initialize, &rv))
		return fm_leave(FM_C_Initialize, rv);
	rv = fm_real->C_Initialize(init_args);
	return fm_leave(FM_C_Initialize, rv);
}

static CK_RV fm_C_Finalize(void *reserved)
{
	CK_RV rv;

	if (fm_enter(FM_C_Finalize, &rv))
		return fm_leave(FM_C_Finalize, rv);
	rv = fm_real->C_Finalize(reserved);
	return fm_leave(FM_C_Finalize, rv);
}

static CK_RV fm_C_GetInfo(CK_INFO *info)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetInfo, &rv))
		return fm_leave(FM_C_GetInfo, rv);
	rv = fm_real->C_GetInfo(info);
	if (rv == CKR_OK)
		fq_info(info);
	return fm_leave(FM_C_GetInfo, rv);
}

static CK_RV fm_C_GetSlotList(unsigned char token_present, CK_SLOT_ID *slot_list,
		unsigned long *count)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetSlotList, &rv))
		return fm_leave(FM_C_GetSlotList, rv);
	rv = fm_real->C_GetSlotList(token_present, slot_list, count);
	if (rv == CKR_OK && token_present)
		fq_slot_list(slot_list, count);
	return fm_leave(FM_C_GetSlotList, rv);
}

static CK_RV fm_C_GetSlotInfo(CK_SLOT_ID slot_id, CK_SLOT_INFO *info)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetSlotInfo, &rv))
		return fm_leave(FM_C_GetSlotInfo, rv);
	rv = fm_real->C_GetSlotInfo(slot_id, info);
	if (rv == CKR_OK)
		fq_slot_info(info);
	if (rv == CKR_OK && info != NULL && fq_gone(slot_id))
		info->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
	return fm_leave(FM_C_GetSlotInfo, rv);
}

static CK_RV fm_C_GetTokenInfo(CK_SLOT_ID slot_id, CK_TOKEN_INFO *info)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetTokenInfo, &rv))
		return fm_leave(FM_C_GetTokenInfo, rv);
	rv = fq_gone(slot_id) ? CKR_TOKEN_NOT_PRESENT : fm_real->C_GetTokenInfo(slot_id, info);
	if (rv == CKR_OK)
		fq_token_info(slot_id, info);
	return fm_leave(FM_C_GetTokenInfo, rv);
}

static CK_RV fm_C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID *slot, void *reserved)
{
	CK_RV rv;

	if (fm_enter(FM_C_WaitForSlotEvent, &rv))
		return fm_leave(FM_C_WaitForSlotEvent, rv);
	rv = fm_real->C_WaitForSlotEvent(flags, slot, reserved);
	return fm_leave(FM_C_WaitForSlotEvent, rv);
}

static CK_RV fm_C_GetMechanismList(CK_SLOT_ID slot_id, CK_MECHANISM_TYPE *mechanism_list,
		unsigned long *count)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetMechanismList, &rv))
		return fm_leave(FM_C_GetMechanismList, rv);
	rv = fm_real->C_GetMechanismList(slot_id, mechanism_list, count);
	if (rv == CKR_OK)
		fm_hide_filter(mechanism_list, count);
	return fm_leave(FM_C_GetMechanismList, rv);
}

static CK_RV fm_C_GetMechanismInfo(CK_SLOT_ID slot_id, CK_MECHANISM_TYPE type,
		CK_MECHANISM_INFO *info)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetMechanismInfo, &rv))
		return fm_leave(FM_C_GetMechanismInfo, rv);
	rv = fm_hidden(type) ? CKR_MECHANISM_INVALID : fm_real->C_GetMechanismInfo(slot_id, type, info);
	return fm_leave(FM_C_GetMechanismInfo, rv);
}

static CK_RV fm_C_InitToken(CK_SLOT_ID slot_id, unsigned char *pin, unsigned long pin_len,
		unsigned char *label)
{
	CK_RV rv;

	if (fm_enter(FM_C_InitToken, &rv))
		return fm_leave(FM_C_InitToken, rv);
	rv = fq_init_token(slot_id, pin, pin_len);
	if (rv == CKR_OK)
		rv = fq_init_token_done(slot_id, fm_real->C_InitToken(slot_id, pin, pin_len, label));
	return fm_leave(FM_C_InitToken, rv);
}

static CK_RV fm_C_InitPIN(CK_SESSION_HANDLE session, unsigned char *pin, unsigned long pin_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_InitPIN, &rv))
		return fm_leave(FM_C_InitPIN, rv);
	rv = fq_pin_len(pin, pin_len);
	if (rv == CKR_OK)
		rv = fm_real->C_InitPIN(session, pin, pin_len);
	return fm_leave(FM_C_InitPIN, rv);
}

static CK_RV fm_C_SetPIN(CK_SESSION_HANDLE session, unsigned char *old_pin, unsigned long old_len,
		unsigned char *new_pin, unsigned long new_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_SetPIN, &rv))
		return fm_leave(FM_C_SetPIN, rv);
	rv = fq_pin_len(new_pin, new_len);
	if (rv == CKR_OK)
		rv = fm_real->C_SetPIN(session, old_pin, old_len, new_pin, new_len);
	return fm_leave(FM_C_SetPIN, rv);
}

static CK_RV fm_C_OpenSession(CK_SLOT_ID slot_id, CK_FLAGS flags, void *application,
		CK_NOTIFY notify, CK_SESSION_HANDLE *session)
{
	CK_RV rv;

	if (fm_enter(FM_C_OpenSession, &rv))
		return fm_leave(FM_C_OpenSession, rv);
	rv = fq_gone(slot_id) ? CKR_TOKEN_NOT_PRESENT
			      : fm_real->C_OpenSession(slot_id, flags, application, notify, session);
	return fm_leave(FM_C_OpenSession, rv);
}

static CK_RV fm_C_CloseSession(CK_SESSION_HANDLE session)
{
	CK_RV rv;

	if (fm_enter(FM_C_CloseSession, &rv))
		return fm_leave(FM_C_CloseSession, rv);
	rv = fm_real->C_CloseSession(session);
	return fm_leave(FM_C_CloseSession, rv);
}

static CK_RV fm_C_CloseAllSessions(CK_SLOT_ID slot_id)
{
	CK_RV rv;

	if (fm_enter(FM_C_CloseAllSessions, &rv))
		return fm_leave(FM_C_CloseAllSessions, rv);
	rv = fm_real->C_CloseAllSessions(slot_id);
	return fm_leave(FM_C_CloseAllSessions, rv);
}

static CK_RV fm_C_GetSessionInfo(CK_SESSION_HANDLE session, CK_SESSION_INFO *info)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetSessionInfo, &rv))
		return fm_leave(FM_C_GetSessionInfo, rv);
	rv = fm_real->C_GetSessionInfo(session, info);
	return fm_leave(FM_C_GetSessionInfo, rv);
}

static CK_RV fm_C_GetOperationState(CK_SESSION_HANDLE session, unsigned char *operation_state,
		unsigned long *operation_state_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetOperationState, &rv))
		return fm_leave(FM_C_GetOperationState, rv);
	rv = fm_real->C_GetOperationState(session, operation_state, operation_state_len);
	return fm_leave(FM_C_GetOperationState, rv);
}

static CK_RV fm_C_SetOperationState(CK_SESSION_HANDLE session, unsigned char *operation_state,
		unsigned long operation_state_len, CK_OBJECT_HANDLE encryption_key,
		CK_OBJECT_HANDLE authentiation_key)
{
	CK_RV rv;

	if (fm_enter(FM_C_SetOperationState, &rv))
		return fm_leave(FM_C_SetOperationState, rv);
	rv = fm_real->C_SetOperationState(session, operation_state, operation_state_len,
			encryption_key, authentiation_key);
	return fm_leave(FM_C_SetOperationState, rv);
}

static CK_RV fm_C_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user_type, unsigned char *pin,
		unsigned long pin_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_Login, &rv))
		return fm_leave(FM_C_Login, rv);
	rv = fq_pin_len(pin, pin_len);
	if (rv == CKR_OK)
		rv = fm_real->C_Login(session, user_type, pin, pin_len);
	return fm_leave(FM_C_Login, rv);
}

static CK_RV fm_C_Logout(CK_SESSION_HANDLE session)
{
	CK_RV rv;

	if (fm_enter(FM_C_Logout, &rv))
		return fm_leave(FM_C_Logout, rv);
	rv = fm_real->C_Logout(session);
	return fm_leave(FM_C_Logout, rv);
}

static CK_RV fm_C_CreateObject(CK_SESSION_HANDLE session, CK_ATTRIBUTE *templ, unsigned long count,
		CK_OBJECT_HANDLE *object)
{
	CK_RV rv;

	if (fm_enter(FM_C_CreateObject, &rv))
		return fm_leave(FM_C_CreateObject, rv);
	rv = fm_real->C_CreateObject(session, templ, count, object);
	return fm_leave(FM_C_CreateObject, rv);
}

static CK_RV fm_C_CopyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE *templ,
		unsigned long count, CK_OBJECT_HANDLE *new_object)
{
	CK_RV rv;

	if (fm_enter(FM_C_CopyObject, &rv))
		return fm_leave(FM_C_CopyObject, rv);
	rv = fm_real->C_CopyObject(session, object, templ, count, new_object);
	return fm_leave(FM_C_CopyObject, rv);
}

static CK_RV fm_C_DestroyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object)
{
	CK_RV rv;

	if (fm_enter(FM_C_DestroyObject, &rv))
		return fm_leave(FM_C_DestroyObject, rv);
	rv = fm_real->C_DestroyObject(session, object);
	return fm_leave(FM_C_DestroyObject, rv);
}

static CK_RV fm_C_GetObjectSize(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
		unsigned long *size)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetObjectSize, &rv))
		return fm_leave(FM_C_GetObjectSize, rv);
	rv = fm_real->C_GetObjectSize(session, object, size);
	return fm_leave(FM_C_GetObjectSize, rv);
}

static CK_RV fm_C_GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
		CK_ATTRIBUTE *templ, unsigned long count)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetAttributeValue, &rv))
		return fm_leave(FM_C_GetAttributeValue, rv);
	rv = fm_real->C_GetAttributeValue(session, object, templ, count);
	return fm_leave(FM_C_GetAttributeValue, rv);
}

static CK_RV fm_C_SetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
		CK_ATTRIBUTE *templ, unsigned long count)
{
	CK_RV rv;

	if (fm_enter(FM_C_SetAttributeValue, &rv))
		return fm_leave(FM_C_SetAttributeValue, rv);
	rv = fm_real->C_SetAttributeValue(session, object, templ, count);
	return fm_leave(FM_C_SetAttributeValue, rv);
}

static CK_RV fm_C_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE *templ,
		unsigned long count)
{
	CK_RV rv;

	if (fm_enter(FM_C_FindObjectsInit, &rv))
		return fm_leave(FM_C_FindObjectsInit, rv);
	rv = fm_real->C_FindObjectsInit(session, templ, count);
	return fm_leave(FM_C_FindObjectsInit, rv);
}

static CK_RV fm_C_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE *object,
		unsigned long max_object_count, unsigned long *object_count)
{
	CK_RV rv;

	if (fm_enter(FM_C_FindObjects, &rv))
		return fm_leave(FM_C_FindObjects, rv);
	rv = fm_real->C_FindObjects(session, object, max_object_count, object_count);
	return fm_leave(FM_C_FindObjects, rv);
}

static CK_RV fm_C_FindObjectsFinal(CK_SESSION_HANDLE session)
{
	CK_RV rv;

	if (fm_enter(FM_C_FindObjectsFinal, &rv))
		return fm_leave(FM_C_FindObjectsFinal, rv);
	rv = fm_real->C_FindObjectsFinal(session);
	return fm_leave(FM_C_FindObjectsFinal, rv);
}

static CK_RV fm_C_EncryptInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	if (fm_enter(FM_C_EncryptInit, &rv))
		return fm_leave(FM_C_EncryptInit, rv);
	rv = fm_real->C_EncryptInit(session, mechanism, key);
	return fm_leave(FM_C_EncryptInit, rv);
}

static CK_RV fm_C_Encrypt(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
		unsigned char *encrypted_data, unsigned long *encrypted_data_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_Encrypt, &rv))
		return fm_leave(FM_C_Encrypt, rv);
	rv = fm_real->C_Encrypt(session, data, data_len, encrypted_data, encrypted_data_len);
	return fm_leave(FM_C_Encrypt, rv);
}

static CK_RV fm_C_EncryptUpdate(CK_SESSION_HANDLE session, unsigned char *part,
		unsigned long part_len, unsigned char *encrypted_part,
		unsigned long *encrypted_part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_EncryptUpdate, &rv))
		return fm_leave(FM_C_EncryptUpdate, rv);
	rv = fm_real->C_EncryptUpdate(session, part, part_len, encrypted_part, encrypted_part_len);
	return fm_leave(FM_C_EncryptUpdate, rv);
}

static CK_RV fm_C_EncryptFinal(CK_SESSION_HANDLE session, unsigned char *last_encrypted_part,
		unsigned long *last_encrypted_part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_EncryptFinal, &rv))
		return fm_leave(FM_C_EncryptFinal, rv);
	rv = fm_real->C_EncryptFinal(session, last_encrypted_part, last_encrypted_part_len);
	return fm_leave(FM_C_EncryptFinal, rv);
}

static CK_RV fm_C_DecryptInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	if (fm_enter(FM_C_DecryptInit, &rv))
		return fm_leave(FM_C_DecryptInit, rv);
	rv = fm_real->C_DecryptInit(session, mechanism, key);
	return fm_leave(FM_C_DecryptInit, rv);
}

static CK_RV fm_C_Decrypt(CK_SESSION_HANDLE session, unsigned char *encrypted_data,
		unsigned long encrypted_data_len, unsigned char *data, unsigned long *data_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_Decrypt, &rv))
		return fm_leave(FM_C_Decrypt, rv);
	rv = fq_op("C_Decrypt", session);
	if (rv == CKR_OK)
		rv = fm_real->C_Decrypt(session, encrypted_data, encrypted_data_len, data, data_len);
	return fm_leave(FM_C_Decrypt, rv);
}

static CK_RV fm_C_DecryptUpdate(CK_SESSION_HANDLE session, unsigned char *encrypted_part,
		unsigned long encrypted_part_len, unsigned char *part, unsigned long *part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_DecryptUpdate, &rv))
		return fm_leave(FM_C_DecryptUpdate, rv);
	rv = fm_real->C_DecryptUpdate(session, encrypted_part, encrypted_part_len, part, part_len);
	return fm_leave(FM_C_DecryptUpdate, rv);
}

static CK_RV fm_C_DecryptFinal(CK_SESSION_HANDLE session, unsigned char *last_part,
		unsigned long *last_part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_DecryptFinal, &rv))
		return fm_leave(FM_C_DecryptFinal, rv);
	rv = fm_real->C_DecryptFinal(session, last_part, last_part_len);
	return fm_leave(FM_C_DecryptFinal, rv);
}

static CK_RV fm_C_DigestInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism)
{
	CK_RV rv;

	if (fm_enter(FM_C_DigestInit, &rv))
		return fm_leave(FM_C_DigestInit, rv);
	rv = fm_real->C_DigestInit(session, mechanism);
	return fm_leave(FM_C_DigestInit, rv);
}

static CK_RV fm_C_Digest(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
		unsigned char *digest, unsigned long *digest_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_Digest, &rv))
		return fm_leave(FM_C_Digest, rv);
	rv = fm_real->C_Digest(session, data, data_len, digest, digest_len);
	return fm_leave(FM_C_Digest, rv);
}

static CK_RV fm_C_DigestUpdate(CK_SESSION_HANDLE session, unsigned char *part,
		unsigned long part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_DigestUpdate, &rv))
		return fm_leave(FM_C_DigestUpdate, rv);
	rv = fm_real->C_DigestUpdate(session, part, part_len);
	return fm_leave(FM_C_DigestUpdate, rv);
}

static CK_RV fm_C_DigestKey(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	if (fm_enter(FM_C_DigestKey, &rv))
		return fm_leave(FM_C_DigestKey, rv);
	rv = fm_real->C_DigestKey(session, key);
	return fm_leave(FM_C_DigestKey, rv);
}

static CK_RV fm_C_DigestFinal(CK_SESSION_HANDLE session, unsigned char *digest,
		unsigned long *digest_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_DigestFinal, &rv))
		return fm_leave(FM_C_DigestFinal, rv);
	rv = fm_real->C_DigestFinal(session, digest, digest_len);
	return fm_leave(FM_C_DigestFinal, rv);
}

static CK_RV fm_C_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism, CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	if (fm_enter(FM_C_SignInit, &rv))
		return fm_leave(FM_C_SignInit, rv);
	rv = mechanism != NULL && fm_hidden(mechanism->mechanism)
		     ? CKR_MECHANISM_INVALID : fm_real->C_SignInit(session, mechanism, key);
	return fm_leave(FM_C_SignInit, rv);
}

static CK_RV fm_C_Sign(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
		unsigned char *signature, unsigned long *signature_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_Sign, &rv))
		return fm_leave(FM_C_Sign, rv);
	rv = fq_op("C_Sign", session);
	if (rv == CKR_OK)
		rv = fm_real->C_Sign(session, data, data_len, signature, signature_len);
	fm_corrupt(FM_C_Sign, rv, signature, signature_len);
	return fm_leave(FM_C_Sign, rv);
}

static CK_RV fm_C_SignUpdate(CK_SESSION_HANDLE session, unsigned char *part, unsigned long part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_SignUpdate, &rv))
		return fm_leave(FM_C_SignUpdate, rv);
	rv = fm_real->C_SignUpdate(session, part, part_len);
	return fm_leave(FM_C_SignUpdate, rv);
}

static CK_RV fm_C_SignFinal(CK_SESSION_HANDLE session, unsigned char *signature,
		unsigned long *signature_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_SignFinal, &rv))
		return fm_leave(FM_C_SignFinal, rv);
	rv = fm_real->C_SignFinal(session, signature, signature_len);
	fm_corrupt(FM_C_SignFinal, rv, signature, signature_len);
	return fm_leave(FM_C_SignFinal, rv);
}

static CK_RV fm_C_SignRecoverInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	if (fm_enter(FM_C_SignRecoverInit, &rv))
		return fm_leave(FM_C_SignRecoverInit, rv);
	rv = fm_real->C_SignRecoverInit(session, mechanism, key);
	return fm_leave(FM_C_SignRecoverInit, rv);
}

static CK_RV fm_C_SignRecover(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
		unsigned char *signature, unsigned long *signature_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_SignRecover, &rv))
		return fm_leave(FM_C_SignRecover, rv);
	rv = fm_real->C_SignRecover(session, data, data_len, signature, signature_len);
	return fm_leave(FM_C_SignRecover, rv);
}

static CK_RV fm_C_VerifyInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	if (fm_enter(FM_C_VerifyInit, &rv))
		return fm_leave(FM_C_VerifyInit, rv);
	rv = fq_verify_init(session, key);
	if (rv == CKR_OK)
		rv = fm_real->C_VerifyInit(session, mechanism, key);
	return fm_leave(FM_C_VerifyInit, rv);
}

static CK_RV fm_C_Verify(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
		unsigned char *signature, unsigned long signature_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_Verify, &rv))
		return fm_leave(FM_C_Verify, rv);
	rv = fm_real->C_Verify(session, data, data_len, signature, signature_len);
	return fm_leave(FM_C_Verify, rv);
}

static CK_RV fm_C_VerifyUpdate(CK_SESSION_HANDLE session, unsigned char *part,
		unsigned long part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_VerifyUpdate, &rv))
		return fm_leave(FM_C_VerifyUpdate, rv);
	rv = fm_real->C_VerifyUpdate(session, part, part_len);
	return fm_leave(FM_C_VerifyUpdate, rv);
}

static CK_RV fm_C_VerifyFinal(CK_SESSION_HANDLE session, unsigned char *signature,
		unsigned long signature_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_VerifyFinal, &rv))
		return fm_leave(FM_C_VerifyFinal, rv);
	rv = fm_real->C_VerifyFinal(session, signature, signature_len);
	return fm_leave(FM_C_VerifyFinal, rv);
}

static CK_RV fm_C_VerifyRecoverInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE key)
{
	CK_RV rv;

	if (fm_enter(FM_C_VerifyRecoverInit, &rv))
		return fm_leave(FM_C_VerifyRecoverInit, rv);
	rv = fm_real->C_VerifyRecoverInit(session, mechanism, key);
	return fm_leave(FM_C_VerifyRecoverInit, rv);
}

static CK_RV fm_C_VerifyRecover(CK_SESSION_HANDLE session, unsigned char *signature,
		unsigned long signature_len, unsigned char *data, unsigned long *data_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_VerifyRecover, &rv))
		return fm_leave(FM_C_VerifyRecover, rv);
	rv = fm_real->C_VerifyRecover(session, signature, signature_len, data, data_len);
	return fm_leave(FM_C_VerifyRecover, rv);
}

static CK_RV fm_C_DigestEncryptUpdate(CK_SESSION_HANDLE session, unsigned char *part,
		unsigned long part_len, unsigned char *encrypted_part,
		unsigned long *encrypted_part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_DigestEncryptUpdate, &rv))
		return fm_leave(FM_C_DigestEncryptUpdate, rv);
	rv = fm_real->C_DigestEncryptUpdate(session, part, part_len, encrypted_part,
			encrypted_part_len);
	return fm_leave(FM_C_DigestEncryptUpdate, rv);
}

static CK_RV fm_C_DecryptDigestUpdate(CK_SESSION_HANDLE session, unsigned char *encrypted_part,
		unsigned long encrypted_part_len, unsigned char *part, unsigned long *part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_DecryptDigestUpdate, &rv))
		return fm_leave(FM_C_DecryptDigestUpdate, rv);
	rv = fm_real->C_DecryptDigestUpdate(session, encrypted_part, encrypted_part_len, part,
			part_len);
	return fm_leave(FM_C_DecryptDigestUpdate, rv);
}

static CK_RV fm_C_SignEncryptUpdate(CK_SESSION_HANDLE session, unsigned char *part,
		unsigned long part_len, unsigned char *encrypted_part,
		unsigned long *encrypted_part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_SignEncryptUpdate, &rv))
		return fm_leave(FM_C_SignEncryptUpdate, rv);
	rv = fm_real->C_SignEncryptUpdate(session, part, part_len, encrypted_part,
			encrypted_part_len);
	return fm_leave(FM_C_SignEncryptUpdate, rv);
}

static CK_RV fm_C_DecryptVerifyUpdate(CK_SESSION_HANDLE session, unsigned char *encrypted_part,
		unsigned long encrypted_part_len, unsigned char *part, unsigned long *part_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_DecryptVerifyUpdate, &rv))
		return fm_leave(FM_C_DecryptVerifyUpdate, rv);
	rv = fm_real->C_DecryptVerifyUpdate(session, encrypted_part, encrypted_part_len, part,
			part_len);
	return fm_leave(FM_C_DecryptVerifyUpdate, rv);
}

static CK_RV fm_C_GenerateKey(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_ATTRIBUTE *templ, unsigned long count, CK_OBJECT_HANDLE *key)
{
	CK_RV rv;

	if (fm_enter(FM_C_GenerateKey, &rv))
		return fm_leave(FM_C_GenerateKey, rv);
	rv = fq_keygen(mechanism, templ, count, NULL, 0, 0);
	if (rv == CKR_OK)
		rv = fm_real->C_GenerateKey(session, mechanism, templ, count, key);
	return fm_leave(FM_C_GenerateKey, rv);
}

static CK_RV fm_C_GenerateKeyPair(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_ATTRIBUTE *public_key_template, unsigned long public_key_attribute_count,
		CK_ATTRIBUTE *private_key_template, unsigned long private_key_attribute_count,
		CK_OBJECT_HANDLE *public_key, CK_OBJECT_HANDLE *private_key)
{
	CK_RV rv;

	if (fm_enter(FM_C_GenerateKeyPair, &rv))
		return fm_leave(FM_C_GenerateKeyPair, rv);
	rv = fq_keygen(mechanism, public_key_template, public_key_attribute_count,
		       private_key_template, private_key_attribute_count, 1);
	if (rv == CKR_OK)
		rv = fm_real->C_GenerateKeyPair(session, mechanism, public_key_template,
				public_key_attribute_count, private_key_template,
				private_key_attribute_count, public_key, private_key);
	return fm_leave(FM_C_GenerateKeyPair, rv);
}

static CK_RV fm_C_WrapKey(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE wrapping_key, CK_OBJECT_HANDLE key, unsigned char *wrapped_key,
		unsigned long *wrapped_key_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_WrapKey, &rv))
		return fm_leave(FM_C_WrapKey, rv);
	rv = fm_real->C_WrapKey(session, mechanism, wrapping_key, key, wrapped_key,
			wrapped_key_len);
	return fm_leave(FM_C_WrapKey, rv);
}

static CK_RV fm_C_UnwrapKey(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE unwrapping_key, unsigned char *wrapped_key,
		unsigned long wrapped_key_len, CK_ATTRIBUTE *templ, unsigned long attribute_count,
		CK_OBJECT_HANDLE *key)
{
	CK_RV rv;

	if (fm_enter(FM_C_UnwrapKey, &rv))
		return fm_leave(FM_C_UnwrapKey, rv);
	rv = fq_unwrap(templ, attribute_count);
	if (rv == CKR_OK)
		rv = fm_real->C_UnwrapKey(session, mechanism, unwrapping_key, wrapped_key,
				wrapped_key_len, templ, attribute_count, key);
	return fm_leave(FM_C_UnwrapKey, rv);
}

static CK_RV fm_C_DeriveKey(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
		CK_OBJECT_HANDLE base_key, CK_ATTRIBUTE *templ, unsigned long attribute_count,
		CK_OBJECT_HANDLE *key)
{
	CK_RV rv;

	if (fm_enter(FM_C_DeriveKey, &rv))
		return fm_leave(FM_C_DeriveKey, rv);
	rv = fq_op("C_DeriveKey", session);
	if (rv == CKR_OK)
		rv = fm_real->C_DeriveKey(session, mechanism, base_key, templ, attribute_count, key);
	return fm_leave(FM_C_DeriveKey, rv);
}

static CK_RV fm_C_SeedRandom(CK_SESSION_HANDLE session, unsigned char *seed, unsigned long seed_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_SeedRandom, &rv))
		return fm_leave(FM_C_SeedRandom, rv);
	rv = fm_real->C_SeedRandom(session, seed, seed_len);
	return fm_leave(FM_C_SeedRandom, rv);
}

static CK_RV fm_C_GenerateRandom(CK_SESSION_HANDLE session, unsigned char *random_data,
		unsigned long random_len)
{
	CK_RV rv;

	if (fm_enter(FM_C_GenerateRandom, &rv))
		return fm_leave(FM_C_GenerateRandom, rv);
	rv = fm_real->C_GenerateRandom(session, random_data, random_len);
	if (fm_constant_mode && rv == CKR_OK && random_data != NULL)
		memset(random_data, 0, random_len);
	return fm_leave(FM_C_GenerateRandom, rv);
}

static CK_RV fm_C_GetFunctionStatus(CK_SESSION_HANDLE session)
{
	CK_RV rv;

	if (fm_enter(FM_C_GetFunctionStatus, &rv))
		return fm_leave(FM_C_GetFunctionStatus, rv);
	rv = fm_real->C_GetFunctionStatus(session);
	return fm_leave(FM_C_GetFunctionStatus, rv);
}

static CK_RV fm_C_CancelFunction(CK_SESSION_HANDLE session)
{
	CK_RV rv;

	if (fm_enter(FM_C_CancelFunction, &rv))
		return fm_leave(FM_C_CancelFunction, rv);
	rv = fm_real->C_CancelFunction(session);
	return fm_leave(FM_C_CancelFunction, rv);
}

__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list)
{
	if (list == NULL)
		return CKR_ARGUMENTS_BAD;
	if (fm_setup() != 0)
		return CKR_GENERAL_ERROR;
	fm_list.version = fm_real->version;
#define FM_SET(n) fm_list.n = fm_##n;
	FM_FUNCS(FM_SET)
#undef FM_SET
	fm_list.C_GetFunctionList = C_GetFunctionList;
	*list = &fm_list;
	return CKR_OK;
}
