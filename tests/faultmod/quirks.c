/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/faultmod/quirks.c - behaviours of real PKCS#11 modules, emulated over
 * SoftHSM so each one has a test (FAULTMOD_QUIRKS, documented in faultmod.c).
 * Test code: the PINs it compares are throwaway test PINs.
 */
#include "tests/faultmod/quirks.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FQ_REFUSE_MAX 8
#define FQ_SLOTS_MAX 32
#define FQ_SO_TRIES 3
#define FQ_FACTORY_SO_PIN "12345678"

struct fq_refuse {
	CK_ATTRIBUTE_TYPE attr;
	CK_KEY_TYPE key_type; /* CK_UNAVAILABLE_INFORMATION: every key type */
};

static CK_FUNCTION_LIST *fq_real;
static int fq_pin_range;
static unsigned long fq_pin_min, fq_pin_max;
static int fq_nul_padding;
static int fq_same_serial;
static int fq_latin1;
static struct fq_refuse fq_refuse[FQ_REFUSE_MAX];
static size_t fq_n_refuse;
static int fq_no_priv_verify;
static int fq_init_so;
static CK_FLAGS fq_user_pin_flags; /* user-pin=low|final|locked: reported always */
static char fq_factory_pin[64] = FQ_FACTORY_SO_PIN;
static pthread_mutex_t fq_lock = PTHREAD_MUTEX_INITIALIZER;
/* pull=CALL:N[:BACK]: the token pulled out at the Nth CALL, back BACK s later */
static char fq_pull_call[32];
static unsigned long fq_pull_nth, fq_pull_back, fq_pull_calls;
static int fq_pulled;          /* a token was pulled out (fq_pull_slot) */
static CK_SLOT_ID fq_pull_slot;
static struct timespec fq_pull_at;
static struct {
	CK_SLOT_ID slot;
	unsigned failures;
} fq_tries[FQ_SLOTS_MAX];
static size_t fq_n_tries;

static const struct {
	const char *name;
	CK_ATTRIBUTE_TYPE attr;
} fq_attrs[] = {
	{ "CKA_TOKEN", CKA_TOKEN },		{ "CKA_PRIVATE", CKA_PRIVATE },
	{ "CKA_SENSITIVE", CKA_SENSITIVE },	{ "CKA_EXTRACTABLE", CKA_EXTRACTABLE },
	{ "CKA_ENCRYPT", CKA_ENCRYPT },		{ "CKA_DECRYPT", CKA_DECRYPT },
	{ "CKA_WRAP", CKA_WRAP },		{ "CKA_UNWRAP", CKA_UNWRAP },
	{ "CKA_SIGN", CKA_SIGN },		{ "CKA_VERIFY", CKA_VERIFY },
	{ "CKA_DERIVE", CKA_DERIVE },		{ "CKA_MODIFIABLE", CKA_MODIFIABLE },
	{ "CKA_COPYABLE", CKA_COPYABLE },	{ "CKA_DESTROYABLE", CKA_DESTROYABLE },
	{ "CKA_WRAP_WITH_TRUSTED", CKA_WRAP_WITH_TRUSTED },
};

static const struct {
	const char *name;
	CK_KEY_TYPE type;
} fq_key_types[] = {
	{ "RSA", CKK_RSA },	{ "EC", CKK_EC },	      { "EDDSA", CKK_EC_EDWARDS },
	{ "AES", CKK_AES },	{ "GENERIC", CKK_GENERIC_SECRET },
};

static int fq_error(const char *what, const char *item)
{
	fprintf(stderr, "faultmod: FAULTMOD_QUIRKS '%s': %s\n", item, what);
	return -1;
}

static int fq_parse_range(const char *v, const char *item)
{
	char *end = NULL;

	errno = 0;
	fq_pin_min = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '-')
		return fq_error("pin-range=MIN-MAX (numbers)", item);
	v = end + 1;
	fq_pin_max = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || fq_pin_min == 0 || fq_pin_min > fq_pin_max)
		return fq_error("pin-range=MIN-MAX (numbers, 0 < MIN <= MAX)", item);
	fq_pin_range = 1;
	return 0;
}

static int fq_parse_refuse(const char *v, const char *item)
{
	const char *colon = strchr(v, ':');
	size_t n = colon != NULL ? (size_t)(colon - v) : strlen(v), i;
	struct fq_refuse r = { 0, CK_UNAVAILABLE_INFORMATION };
	int found = 0;

	if (fq_n_refuse == FQ_REFUSE_MAX)
		return fq_error("at most 8 refuse-attr", item);
	for (i = 0; i < sizeof(fq_attrs) / sizeof(fq_attrs[0]); i++)
		if (strlen(fq_attrs[i].name) == n && strncmp(v, fq_attrs[i].name, n) == 0) {
			r.attr = fq_attrs[i].attr;
			found = 1;
		}
	if (!found)
		return fq_error("refuse-attr=NAME[:KEYTYPE]: NAME a boolean CKA_ (CKA_EXTRACTABLE, "
				"CKA_SENSITIVE, CKA_WRAP, ...)", item);
	if (colon != NULL) {
		found = 0;
		for (i = 0; i < sizeof(fq_key_types) / sizeof(fq_key_types[0]); i++)
			if (strcmp(colon + 1, fq_key_types[i].name) == 0) {
				r.key_type = fq_key_types[i].type;
				found = 1;
			}
		if (!found)
			return fq_error("refuse-attr KEYTYPE: RSA, EC, EDDSA, AES or GENERIC", item);
	}
	fq_refuse[fq_n_refuse++] = r;
	return 0;
}

/* pull=CALL:N[:BACK], CALL one of C_Sign, C_Decrypt, C_DeriveKey or op (any). */
static int fq_parse_pull(const char *v, const char *item)
{
	const char *colon = strchr(v, ':');
	char *end = NULL;
	size_t n = colon != NULL ? (size_t)(colon - v) : 0;

	if (colon == NULL || n == 0 || n >= sizeof(fq_pull_call))
		return fq_error("pull=CALL:N[:BACK] (CALL C_Sign, C_Decrypt, C_DeriveKey or op)", item);
	memcpy(fq_pull_call, v, n);
	fq_pull_call[n] = '\0';
	if (strcmp(fq_pull_call, "C_Sign") != 0 && strcmp(fq_pull_call, "C_Decrypt") != 0 &&
	    strcmp(fq_pull_call, "C_DeriveKey") != 0 && strcmp(fq_pull_call, "op") != 0)
		return fq_error("pull: CALL is C_Sign, C_Decrypt, C_DeriveKey or op", item);
	errno = 0;
	fq_pull_nth = strtoul(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || fq_pull_nth == 0 || (*end != ':' && *end != '\0'))
		return fq_error("pull=CALL:N[:BACK]: N a positive number", item);
	if (*end == ':') {
		v = end + 1;
		fq_pull_back = strtoul(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0')
			return fq_error("pull=CALL:N[:BACK]: BACK seconds (0: never)", item);
	}
	return 0;
}

static int fq_parse_item(const char *item)
{
	const char *eq = strchr(item, '=');
	const char *v = eq != NULL ? eq + 1 : NULL;
	size_t n = eq != NULL ? (size_t)(eq - item) : strlen(item);

#define FQ_IS(k) (strlen(k) == n && strncmp(item, k, n) == 0)
	if (FQ_IS("pin-range") && v != NULL)
		return fq_parse_range(v, item);
	if (FQ_IS("refuse-attr") && v != NULL)
		return fq_parse_refuse(v, item);
	if (FQ_IS("init-needs-so-pin")) {
		if (v != NULL && (*v == '\0' || strlen(v) >= sizeof(fq_factory_pin)))
			return fq_error("init-needs-so-pin[=FACTORY-PIN], 1 to 63 characters", item);
		if (v != NULL)
			snprintf(fq_factory_pin, sizeof(fq_factory_pin), "%s", v);
		fq_init_so = 1;
		return 0;
	}
	if (FQ_IS("user-pin") && v != NULL) {
		if (strcmp(v, "low") == 0)
			fq_user_pin_flags = CKF_USER_PIN_COUNT_LOW;
		else if (strcmp(v, "final") == 0)
			fq_user_pin_flags = CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
		else if (strcmp(v, "locked") == 0)
			fq_user_pin_flags = CKF_USER_PIN_LOCKED;
		else
			return fq_error("user-pin=low|final|locked", item);
		return 0;
	}
	if (FQ_IS("pull") && v != NULL)
		return fq_parse_pull(v, item);
	if (v != NULL)
		return fq_error("this quirk takes no value", item);
	if (FQ_IS("nul-padding"))
		fq_nul_padding = 1;
	else if (FQ_IS("same-serial"))
		fq_same_serial = 1;
	else if (FQ_IS("latin1"))
		fq_latin1 = 1;
	else if (FQ_IS("no-priv-verify"))
		fq_no_priv_verify = 1;
	else
		return fq_error("unknown quirk (pin-range=MIN-MAX, nul-padding, same-serial, latin1, "
				"refuse-attr=NAME[:KEYTYPE], no-priv-verify, init-needs-so-pin[=PIN], "
				"user-pin=..., pull=CALL:N[:BACK])",
				item);
#undef FQ_IS
	return 0;
}

int fq_setup(const char *spec, CK_FUNCTION_LIST *real)
{
	char buf[1024], *item, *save = NULL;

	fq_real = real;
	if (spec == NULL || *spec == '\0')
		return 0;
	if (strlen(spec) >= sizeof(buf))
		return fq_error("too long", "...");
	snprintf(buf, sizeof(buf), "%s", spec);
	for (item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save))
		if (fq_parse_item(item) != 0)
			return -1;
	return 0;
}

/* A fixed-width field padded with NULs instead of spaces. */
static void fq_nul_pad(unsigned char *field, size_t n)
{
	while (n > 0 && field[n - 1] == ' ')
		field[--n] = '\0';
}

void fq_info(CK_INFO *info)
{
	if (!fq_nul_padding || info == NULL)
		return;
	fq_nul_pad(info->manufacturerID, sizeof(info->manufacturerID));
	fq_nul_pad(info->libraryDescription, sizeof(info->libraryDescription));
}

void fq_slot_info(CK_SLOT_INFO *info)
{
	if (!fq_nul_padding || info == NULL)
		return;
	fq_nul_pad(info->slotDescription, sizeof(info->slotDescription));
	fq_nul_pad(info->manufacturerID, sizeof(info->manufacturerID));
}

static unsigned fq_failures(CK_SLOT_ID slot)
{
	unsigned f = 0;
	size_t i;

	pthread_mutex_lock(&fq_lock);
	for (i = 0; i < fq_n_tries; i++)
		if (fq_tries[i].slot == slot)
			f = fq_tries[i].failures;
	pthread_mutex_unlock(&fq_lock);
	return f;
}

static void fq_set_failures(CK_SLOT_ID slot, unsigned f)
{
	size_t i;

	pthread_mutex_lock(&fq_lock);
	for (i = 0; i < fq_n_tries && fq_tries[i].slot != slot; i++)
		;
	if (i == fq_n_tries && i < FQ_SLOTS_MAX)
		fq_tries[fq_n_tries++].slot = slot;
	if (i < FQ_SLOTS_MAX)
		fq_tries[i].failures = f;
	pthread_mutex_unlock(&fq_lock);
}

/* Fixed-width text: t, then spaces. */
static void fq_text(CK_UTF8CHAR *f, size_t n, const char *t)
{
	size_t l = strlen(t);

	memset(f, ' ', n);
	memcpy(f, t, l < n ? l : n);
}

void fq_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info)
{
	unsigned f;

	if (info == NULL)
		return;
	if (fq_pin_range) {
		info->ulMinPinLen = fq_pin_min;
		info->ulMaxPinLen = fq_pin_max;
	}
	if (fq_same_serial)
		memcpy(info->serialNumber, "0000000000000000", sizeof(info->serialNumber));
	if (fq_latin1) {
		/* ISO 8859-1, space padded: not UTF-8 */
		fq_text(info->manufacturerID, sizeof(info->manufacturerID), "Soci\xe9t\xe9 g\xe9n\xe9rale");
		fq_text(info->model, sizeof(info->model), "Cl\xe9 \xb5HSM");
	}
	if (fq_nul_padding) {
		fq_nul_pad(info->label, sizeof(info->label));
		fq_nul_pad(info->manufacturerID, sizeof(info->manufacturerID));
		fq_nul_pad(info->model, sizeof(info->model));
		fq_nul_pad(info->serialNumber, sizeof(info->serialNumber));
	}
	info->flags |= fq_user_pin_flags;
	if (fq_init_so) {
		/* A factory-fresh card: initialised, with a default SO PIN. */
		info->flags |= CKF_TOKEN_INITIALIZED;
		f = fq_failures(slot);
		info->flags &= ~(CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED);
		if (f >= FQ_SO_TRIES)
			info->flags |= CKF_SO_PIN_LOCKED;
		else if (f == FQ_SO_TRIES - 1)
			info->flags |= CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_COUNT_LOW;
		else if (f > 0)
			info->flags |= CKF_SO_PIN_COUNT_LOW;
	}
}

CK_RV fq_pin_len(const unsigned char *pin, unsigned long len)
{
	if (!fq_pin_range || pin == NULL)
		return CKR_OK;
	return len < fq_pin_min || len > fq_pin_max ? CKR_PIN_LEN_RANGE : CKR_OK;
}

CK_RV fq_init_token(CK_SLOT_ID slot, const unsigned char *pin, unsigned long len)
{
	CK_TOKEN_INFO ti;
	CK_RV rv = fq_pin_len(pin, len);

	if (rv != CKR_OK || !fq_init_so)
		return rv;
	if (fq_failures(slot) >= FQ_SO_TRIES)
		return CKR_PIN_LOCKED;
	if (pin == NULL)
		return CKR_PIN_INCORRECT;
	rv = fq_real->C_GetTokenInfo(slot, &ti);
	if (rv != CKR_OK)
		return rv;
	/* A blank SoftHSM slot takes any SO PIN: this one wants the factory
	 * PIN. An initialised SoftHSM token checks the SO PIN itself. */
	if (!(ti.flags & CKF_TOKEN_INITIALIZED) &&
	    (len != strlen(fq_factory_pin) || memcmp(pin, fq_factory_pin, len) != 0))
		return fq_init_token_done(slot, CKR_PIN_INCORRECT);
	return CKR_OK;
}

CK_RV fq_init_token_done(CK_SLOT_ID slot, CK_RV rv)
{
	if (!fq_init_so)
		return rv;
	if (rv == CKR_PIN_INCORRECT)
		fq_set_failures(slot, fq_failures(slot) + 1);
	else if (rv == CKR_OK)
		fq_set_failures(slot, 0);
	return rv;
}

static int fq_true(const CK_ATTRIBUTE *t, unsigned long n, CK_ATTRIBUTE_TYPE a)
{
	unsigned long i;

	for (i = 0; t != NULL && i < n; i++)
		if (t[i].type == a && t[i].pValue != NULL && t[i].ulValueLen == sizeof(CK_BBOOL))
			return *(const CK_BBOOL *)t[i].pValue != CK_FALSE;
	return 0;
}

static CK_KEY_TYPE fq_templ_key_type(const CK_ATTRIBUTE *t, unsigned long n, CK_KEY_TYPE dflt)
{
	unsigned long i;

	for (i = 0; t != NULL && i < n; i++)
		if (t[i].type == CKA_KEY_TYPE && t[i].pValue != NULL &&
		    t[i].ulValueLen == sizeof(CK_KEY_TYPE))
			return *(const CK_KEY_TYPE *)t[i].pValue;
	return dflt;
}

static CK_KEY_TYPE fq_mech_key_type(const CK_MECHANISM *m)
{
	if (m == NULL)
		return CK_UNAVAILABLE_INFORMATION;
	switch (m->mechanism) {
	case CKM_RSA_PKCS_KEY_PAIR_GEN:
	case CKM_RSA_X9_31_KEY_PAIR_GEN:
		return CKK_RSA;
	case CKM_EC_KEY_PAIR_GEN:
		return CKK_EC;
	case CKM_EC_EDWARDS_KEY_PAIR_GEN:
		return CKK_EC_EDWARDS;
	case CKM_AES_KEY_GEN:
		return CKK_AES;
	case CKM_GENERIC_SECRET_KEY_GEN:
		return CKK_GENERIC_SECRET;
	default:
		return CK_UNAVAILABLE_INFORMATION;
	}
}

/* Is attribute a TRUE in t1 or t2 refused for a key of type kt? */
static int fq_refused(CK_KEY_TYPE kt, const CK_ATTRIBUTE *t1, unsigned long n1,
		      const CK_ATTRIBUTE *t2, unsigned long n2)
{
	size_t i;

	for (i = 0; i < fq_n_refuse; i++)
		if ((fq_refuse[i].key_type == CK_UNAVAILABLE_INFORMATION ||
		     fq_refuse[i].key_type == kt) &&
		    (fq_true(t1, n1, fq_refuse[i].attr) || fq_true(t2, n2, fq_refuse[i].attr)))
			return 1;
	return 0;
}

CK_RV fq_keygen(const CK_MECHANISM *mech, const CK_ATTRIBUTE *t1, unsigned long n1,
		const CK_ATTRIBUTE *t2, unsigned long n2, int pair)
{
	CK_KEY_TYPE kt;

	if (fq_n_refuse == 0)
		return CKR_OK;
	kt = fq_templ_key_type(t2, n2, fq_templ_key_type(t1, n1, fq_mech_key_type(mech)));
	if (!fq_refused(kt, t1, n1, t2, n2))
		return CKR_OK;
	/* A pair names the value; a secret key the template. */
	return pair ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_TEMPLATE_INCONSISTENT;
}

CK_RV fq_unwrap(const CK_ATTRIBUTE *templ, unsigned long n)
{
	if (fq_n_refuse == 0)
		return CKR_OK;
	if (!fq_refused(fq_templ_key_type(templ, n, CK_UNAVAILABLE_INFORMATION), templ, n, NULL,
			0))
		return CKR_OK;
	return CKR_TEMPLATE_INCONSISTENT;
}

CK_RV fq_verify_init(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof(cls) };

	if (!fq_no_priv_verify)
		return CKR_OK;
	if (fq_real->C_GetAttributeValue(session, key, &a, 1) == CKR_OK && cls == CKO_PRIVATE_KEY)
		return CKR_KEY_TYPE_INCONSISTENT;
	return CKR_OK;
}

/* Is slot's token out of its slot now? Back after fq_pull_back seconds. */
int fq_gone(CK_SLOT_ID slot)
{
	struct timespec now;
	int gone;

	pthread_mutex_lock(&fq_lock);
	gone = fq_pulled && fq_pull_slot == slot;
	if (gone && fq_pull_back > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned long)(now.tv_sec - fq_pull_at.tv_sec) >= fq_pull_back)
			gone = fq_pulled = 0;
	}
	pthread_mutex_unlock(&fq_lock);
	return gone;
}

CK_RV fq_op(const char *call, CK_SESSION_HANDLE session)
{
	CK_SESSION_INFO si;
	int pull = 0;

	if (fq_pull_nth == 0 || fq_real->C_GetSessionInfo(session, &si) != CKR_OK)
		return CKR_OK;
	if (fq_gone(si.slotID))
		return CKR_DEVICE_REMOVED;
	pthread_mutex_lock(&fq_lock);
	if (!fq_pulled && (strcmp(fq_pull_call, "op") == 0 || strcmp(fq_pull_call, call) == 0) &&
	    ++fq_pull_calls == fq_pull_nth) {
		fq_pulled = pull = 1;
		fq_pull_slot = si.slotID;
		clock_gettime(CLOCK_MONOTONIC, &fq_pull_at);
	}
	pthread_mutex_unlock(&fq_lock);
	return pull ? CKR_DEVICE_REMOVED : CKR_OK;
}

void fq_slot_list(CK_SLOT_ID *list, unsigned long *count)
{
	unsigned long i, k = 0;

	if (list == NULL || count == NULL)
		return;
	for (i = 0; i < *count; i++)
		if (!fq_gone(list[i]))
			list[k++] = list[i];
	*count = k;
}
