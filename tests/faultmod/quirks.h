/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/faultmod/quirks.h - the quirks of real PKCS#11 modules, emulated over
 * the module faultmod forwards to (FAULTMOD_QUIRKS; see faultmod.c's header).
 * Calls go one way: faultmod.c -> quirks.c.
 */
#ifndef CE_TESTS_FAULTMOD_QUIRKS_H
#define CE_TESTS_FAULTMOD_QUIRKS_H

#include <p11-kit/pkcs11.h>

/* Parse spec (FAULTMOD_QUIRKS; NULL or "" = none). real is the module the
 * quirks call for what they need to know (key class, token flags). Returns 0
 * or -1 after a message on stderr. */
int fq_setup(const char *spec, CK_FUNCTION_LIST *real);

/* After a successful real call: rewrite what the token reports. */
void fq_info(CK_INFO *info);
void fq_slot_info(CK_SLOT_INFO *info);
void fq_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info);

/* Before the real call: CKR_OK to forward it, else the refusal to return
 * without calling the real module. */
CK_RV fq_pin_len(const unsigned char *pin, unsigned long len);
CK_RV fq_init_token(CK_SLOT_ID slot, const unsigned char *pin, unsigned long len);
CK_RV fq_keygen(const CK_MECHANISM *mech, const CK_ATTRIBUTE *t1, unsigned long n1,
		const CK_ATTRIBUTE *t2, unsigned long n2, int pair);
CK_RV fq_unwrap(const CK_ATTRIBUTE *templ, unsigned long n);
CK_RV fq_verify_init(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key);

/* pull=CALL:N[:BACK]: 1 while slot's token is pulled out. */
int fq_gone(CK_SLOT_ID slot);
/* Before C_Sign, C_Decrypt, C_DeriveKey (call names it): CKR_DEVICE_REMOVED
 * at the call that pulls the token out, and while it is out. */
CK_RV fq_op(const char *call, CK_SESSION_HANDLE session);
/* After C_GetSlotList(tokenPresent) filled list: a pulled-out token's slot
 * left out. */
void fq_slot_list(CK_SLOT_ID *list, unsigned long *count);

/* After the real C_InitToken: count wrong SO PINs (init-needs-so-pin). */
CK_RV fq_init_token_done(CK_SLOT_ID slot, CK_RV rv);

#endif
