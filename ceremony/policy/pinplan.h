/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/policy/pinplan.h - the PIN a step will make (token.init,
 * pin.rotate): its length, its alphabet and the entropy it reaches, held
 * against the script's request, the token's PIN range and the entropy floor
 * (docs/share-format.md, "How long a PIN").
 *
 * The script's pin-length is never raised or lowered: when it does not fit
 * the token's range the step is refused, naming the script line, the
 * token's range and the script's value. Without pin-length the length is
 * PIN_PLAN_DEFAULT_LEN, brought into the token's range (and said so).
 *
 * Everything here is public: lengths, alphabets, bits. No PIN passes.
 */
#ifndef CE_CEREMONY_PINPLAN_H
#define CE_CEREMONY_PINPLAN_H

#include "ceremony/model/diag.h"
#include "ceremony/model/script.h"
#include "pkcs11/p11.h"

#include <stddef.h>

/* The length when the script gives none: 24 typeable characters reach the
 * 128 bits of the secret the PIN is derived from. */
#define PIN_PLAN_DEFAULT_LEN 24
/* The entropy floor in bits, unless a step's min-pin-entropy-bits lowers it
 * (docs/share-format.md says why 64). */
#define PIN_PLAN_FLOOR_BITS 64

struct pin_plan {
	size_t len;                      /* characters */
	int len_given;                   /* 1: the script's pin-length */
	enum p11_pin_alphabet alphabet;  /* the script's pin-alphabet, or typeable */
	unsigned floor_bits;             /* PIN_PLAN_FLOOR_BITS or the script's */
	int floor_given;                 /* 1: the script's min-pin-entropy-bits */
	double bits;                     /* p11_pin_entropy_bits(alphabet, len) */
	struct diag_mark mark;           /* pin-length's place, else the step's */
};

/* The plan from the step's fields (pin-length, pin-alphabet,
 * min-pin-entropy-bits), no token yet. The step's schema was validated. */
void pin_plan_read(const struct script_step *st, struct pin_plan *p);

/* Set the plan's length (and its bits). */
void pin_plan_set_len(struct pin_plan *p, size_t len);

/* lint, no token: for every step that makes a PIN, a pin-length below the
 * entropy floor is an error; a floor lowered by min-pin-entropy-bits a
 * warning. Reports into d (never NULL). */
void pin_plan_lint(const struct script *s, struct diag *d);

/*
 * Hold the plan against a token's PIN range lo..hi (hi 0: no maximum;
 * token_what names the token for the message) and the floor: a pin-length
 * outside the range, or no length in the range at all, is an error naming
 * the script line, the range and the value; then the floor. With d NULL the
 * first error becomes the ce_err detail. Returns 0 or CE_ERR_INVALID.
 */
int pin_plan_fit(const struct script_step *st, const char *token_what, unsigned long lo,
		 unsigned long hi, struct pin_plan *p, struct diag *d)
	__attribute__((warn_unused_result));

/*
 * lint --module: every step that makes a PIN held against the PIN range of
 * its token as the module reports it (token.init: the blank token its URI
 * finds without token=, or the token itself; pin.rotate: the token), the
 * step's pin-length (or the default) and the floor. A token not found is a
 * warning (its range is checked when the ceremony runs). Reports into d.
 * Returns 0, or a negative CE_ERR_* when the check could not be made
 * (CE_ERR_NOMEM).
 */
int pin_plan_lint_module(const struct script *s, struct p11_ctx *ctx, struct diag *d)
	__attribute__((warn_unused_result));

/* run, before the transcript opens: pin_plan_lint_module's errors (its
 * warnings dropped: a token not found is refused by its step). 0, or
 * CE_ERR_INVALID with the first error ("FILE:LINE:COL: error: ...") as the
 * detail, or CE_ERR_NOMEM. */
int pin_plan_check(const struct script *s, struct p11_ctx *ctx)
	__attribute__((warn_unused_result));

/* How a refusal names the token of script token tname: "the token for
 * 'root' (model M, serial S)", the serial left out when the token reports
 * none (a blank token may not). */
void pin_plan_token_what(const char *tname, const struct p11_token_info *ti, char *buf,
			 size_t cap);

/* One line for the console and the transcript's reader: "24 typeable
 * characters (56 symbols): 128.0 bits (floor 64)". */
void pin_plan_describe(const struct pin_plan *p, char *buf, size_t cap);

#endif
