/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: roster parsing and validation (roster_load_mem), with
 * every diagnostic collected, as `ceremony roster check` does.
 */
#include "ceremony/model/diag.h"
#include "ceremony/model/roster.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct roster *r = NULL;
	struct diag d;

	diag_init(&d);
	if (roster_load_mem("fuzz-roster.yaml", (const char *)data, size, &r, &d) == 0)
		roster_free(r);
	diag_free(&d);
	return 0;
}
