/* SPDX-License-Identifier: Apache-2.0 */
/* CK_RV -> "CKR_NAME", an operator's action, and a CE_ERR_* code: the one place
 * where PKCS#11 return values are translated. */
#include "pkcs11/p11_internal.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

const char *p11_rv_name(unsigned long rv)
{
	static __thread char unknown[32];
	size_t i;

	for (i = 0; p11_ckr_names[i].name != NULL; i++)
		if (p11_ckr_names[i].value == rv)
			return p11_ckr_names[i].name;
	snprintf(unknown, sizeof(unknown), "CKR_0x%08lx", rv);
	return unknown;
}

const char *p11_mech_name(unsigned long mech, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; p11_ckm_names[i].name != NULL; i++)
		if (p11_ckm_names[i].value == mech)
			return p11_ckm_names[i].name;
	snprintf(buf, cap, "CKM_0x%08lx", mech);
	return buf;
}

const char *p11_rv_advice(unsigned long rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
		return "the PIN is wrong; the token counts failed attempts and locks the PIN "
		       "after too many: check the PIN and who holds it before retrying";
	case CKR_PIN_LOCKED:
		return "the PIN is locked after too many failed attempts; the Security Officer "
		       "must unlock it (C_InitPIN after SO login) or the token be re-initialised";
	case CKR_PIN_LEN_RANGE:
		return "the PIN length is outside the token's minimum/maximum (see `ceremony hsm list`)";
	case CKR_PIN_INVALID:
		return "the PIN contains characters the token does not accept";
	case CKR_PIN_EXPIRED:
		return "the PIN has expired: change it (C_SetPIN) before use";
	case CKR_TOKEN_NOT_PRESENT:
		return "no token in the slot: insert or connect the token, then run `ceremony hsm list`";
	case CKR_DEVICE_REMOVED:
		return "the token was removed during the operation: reconnect it and start the "
		       "step again (nothing from the interrupted step is valid)";
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
		return "the session was closed under us (token reset, removed, or another "
		       "program finalised the module): reconnect and start the step again";
	case CKR_USER_NOT_LOGGED_IN:
		return "log in first";
	case CKR_USER_PIN_NOT_INITIALIZED:
		return "the user PIN was never set: the Security Officer must initialise it";
	case CKR_USER_TYPE_INVALID:
		return "the token does not know this kind of user";
	case CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
		return "another role is logged in to this token: log it out first";
	case CKR_TOKEN_WRITE_PROTECTED:
		return "the token is write-protected";
	case CKR_MECHANISM_INVALID:
		return "the token does not offer this mechanism (see `ceremony hsm mechanisms`)";
	case CKR_DEVICE_MEMORY:
		return "the token is out of memory: remove unneeded objects";
	case CKR_DEVICE_ERROR:
		return "the device reported an error: check its logs and connection";
	case CKR_CRYPTOKI_NOT_INITIALIZED:
		return "the module is not initialised (finalised by another user of the module?)";
	case CKR_KEY_UNEXTRACTABLE:
		return "the key is not extractable: it cannot be wrapped for backup";
	case CKR_TEMPLATE_INCONSISTENT:
	case CKR_ATTRIBUTE_VALUE_INVALID:
	case CKR_TEMPLATE_INCOMPLETE:
		return "the token refused the key attributes asked for";
	default:
		return "";
	}
}

int p11_rv_code(unsigned long rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
	case CKR_PIN_LOCKED:
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_INVALID:
	case CKR_PIN_EXPIRED:
		return CE_ERR_PIN;
	case CKR_HOST_MEMORY:
		return CE_ERR_NOMEM;
	default:
		return CE_ERR_PKCS11;
	}
}

static __thread struct p11_failure failure_last;
static __thread unsigned long failure_serial;
static __thread int failure_set;

void p11_failure_record(unsigned long rv, const char *fn, const char *what)
{
	failure_last.rv = rv;
	snprintf(failure_last.function, sizeof(failure_last.function), "%s", fn ? fn : "");
	snprintf(failure_last.ckr, sizeof(failure_last.ckr), "%s", p11_rv_name(rv));
	snprintf(failure_last.what, sizeof(failure_last.what), "%s", what ? what : "");
	failure_serial = ce_err_serial();
	failure_set = 1;
}

const struct p11_failure *p11_failure_current(void)
{
	/* ce_err_clear() empties the detail without a new serial: a cleared
	 * detail has no failure behind it either. */
	if (!failure_set || failure_serial != ce_err_serial() || ce_err_detail()[0] == '\0')
		return NULL;
	return &failure_last;
}

int p11_rv_fail(unsigned long rv, const char *fn, const char *what)
{
	const char *adv = p11_rv_advice(rv);
	int r;

	r = ce_err_set(p11_rv_code(rv), "%s on %s: %s%s%s", fn, what, p11_rv_name(rv),
		       adv[0] != '\0' ? ": " : "", adv);
	p11_failure_record(rv, fn, what);
	return r;
}

void p11_trim(char *dst, size_t cap, const unsigned char *src, size_t n)
{
	size_t len = n;

	if (cap == 0)
		return;
	while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\0'))
		len--;
	if (len > cap - 1)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	/* Control bytes from a device would garble the console. */
	for (n = 0; n < len; n++)
		if ((unsigned char)dst[n] < 0x20 || dst[n] == 0x7f)
			dst[n] = '?';
}

/* A fixed-width field whose padding is NULs (some smart cards and HSM
 * firmware) or NULs then spaces: every trailing NUL or space becomes a space,
 * so p11-kit's URI code neither prints %00 nor fails to match. */
static void pad_spaces(unsigned char *f, size_t n)
{
	while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '\0'))
		f[--n] = ' ';
}

CK_RV p11_get_token_info(const struct p11_module *m, CK_SLOT_ID slot, CK_TOKEN_INFO *ti)
{
	CK_RV rv = m->fl->C_GetTokenInfo(slot, ti);

	if (rv != CKR_OK)
		return rv;
	pad_spaces(ti->label, sizeof(ti->label));
	pad_spaces(ti->manufacturerID, sizeof(ti->manufacturerID));
	pad_spaces(ti->model, sizeof(ti->model));
	pad_spaces(ti->serialNumber, sizeof(ti->serialNumber));
	return CKR_OK;
}

CK_RV p11_get_info(const struct p11_module *m, CK_INFO *info)
{
	CK_RV rv = m->fl->C_GetInfo(info);

	if (rv != CKR_OK)
		return rv;
	pad_spaces(info->manufacturerID, sizeof(info->manufacturerID));
	pad_spaces(info->libraryDescription, sizeof(info->libraryDescription));
	return CKR_OK;
}
