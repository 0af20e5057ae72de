/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the transcript line reader (ceremony/transcript/tjson.c,
 * tj_parse) on raw bytes, one line per input: the reader every transcript
 * line goes through before anything else (the verifier, replay, archive,
 * and the writer's own check of each line). A document that parses must be
 * well formed as a token array: every token's `next` inside the array and
 * after it, every string NUL-terminated inside the string buffer at its
 * decoded length, object keys strings. tests/tools/tjson-diff.py checks the
 * same reader against Python's json on the corpus (accept/reject, values).
 */
#include "ceremony/transcript/tjson.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TJ_MAX (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tj_doc d;
	static int made;
	char why[256];
	uint32_t i;

	if (!made) {
		if (tj_init(&d, FUZZ_TJ_MAX) != 0)
			abort();
		made = 1;
	}
	if (size > FUZZ_TJ_MAX)
		return 0;
	why[0] = '\0';
	if (tj_parse(&d, (const char *)data, size, why, sizeof(why)) != 0) {
		if (why[0] == '\0')
			abort(); /* a refusal says why */
		return 0;
	}
	if (d.n == 0 || d.t[0].next != d.n)
		abort();
	for (i = 0; i < d.n; i++) {
		const struct tj_tok *t = &d.t[i];

		if (t->type < TJ_OBJ || t->type > TJ_NULL || t->next <= i || t->next > d.n)
			abort();
		if (t->type == TJ_STR) {
			if ((size_t)t->v.soff + t->slen >= d.strlen_ ||
			    d.strbuf[t->v.soff + t->slen] != '\0' ||
			    memchr(d.strbuf + t->v.soff, '\0', t->slen) != NULL)
				abort();
		}
		if (t->type == TJ_OBJ) {
			int c = tj_first(&d, (int)i);
			uint32_t k;

			for (k = 0; k < t->size; k++) {
				if (c < 0 || d.t[c].type != TJ_STR)
					abort(); /* keys are strings */
				c = (int)d.t[d.t[c].next].next;
			}
		}
	}
	return 0;
}
