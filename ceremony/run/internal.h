/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/run/internal.h - what the runner's parts share beyond run.h,
 * without the run context's layout (ceremony/run/context.h): the parts that
 * bind shares to holders (shares_issue.c, shares_collect.c) use these and
 * the public services of run.h, never struct run_ctx's fields.
 *
 * Every pointer returned is BORROWED from the run context and valid until the
 * ceremony ends.
 */
#ifndef CE_CEREMONY_RUN_INTERNAL_H
#define CE_CEREMONY_RUN_INTERNAL_H

#include "ceremony/run/console.h"
#include "ceremony/run/registry.h"
#include "ceremony/run/run.h"

#include <jansson.h>

/* A holder may try this many times to type a share back or present it. */
#define RUN_SHARE_TRIES 3

/* The console of the ceremony (context.c). */
struct console *run_console(struct run_ctx *rc);

/* The registry of issued shares: this ceremony's and the --issued-in
 * transcripts' (context.c). */
struct registry *run_registry(struct run_ctx *rc);

/* A JSON array holding the one person s, for an event's persons (events.c).
 * New reference, NULL on allocation failure. */
json_t *run_seat_list_json(const struct run_seat *s);

/*
 * Load into g the shares issued in the --issued-in transcripts paths[0..n)
 * (issued_in.c). Each transcript must verify OK (ceremony/verify/verify.h);
 * they are read in the order of their start times, so a later issuance of
 * a secret replaces the earlier ones; within one transcript each set of a
 * secret is one issuance. The holder files of a rehearsal are looked for
 * beside each transcript. Returns 0; CE_ERR_VERIFY (a transcript not OK,
 * named with its verdict); CE_ERR_FORMAT (a share.issued event without its
 * fields, naming file:line); registry_add's errors; the verifier's.
 */
int issued_in_load(const char *const *paths, size_t n, struct registry *g)
	__attribute__((warn_unused_result));

#endif
