/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/login.c - run_token_login (ceremony/run/run.h): the login
 * (tokens.c), then, after the ceremony's first user login, the transcript
 * key on that token (tkey.c). Kept apart so that neither of those two calls
 * the other.
 */
#include "ceremony/run/context.h"

#include "common/err.h"
#include "common/secmem.h"

/* The login, then the transcript key; wipe as tokens_login's. */
static int token_login(struct run_ctx *rc, const char *name, enum p11_user user, const char *pin,
		       size_t pin_len, void **wipe)
{
	size_t ti = 0;
	int r = CE_ERR_INTERNAL;

	r = tokens_login(rc, name, user, pin, pin_len, wipe, &ti);
	if (r < 0)
		goto out;
	if (user == P11_USER_NORMAL && !rc->tkey) {
		r = tkey_token_make(rc, ti);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	if (wipe != NULL) {
		secmem_free(*wipe);
		*wipe = NULL;
	}
	return r;
}

int run_token_login(struct run_ctx *rc, const char *name, enum p11_user user, const char *pin,
		    size_t pin_len)
{
	return token_login(rc, name, user, pin, pin_len, NULL);
}

int run_token_login_wipe(struct run_ctx *rc, const char *name, enum p11_user user, uint8_t **pin,
			 size_t pin_len)
{
	void *p = *pin;

	*pin = NULL; /* transferred: token_login wipes it */
	return token_login(rc, name, user, p, pin_len, &p);
}
