/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: ceremony script parsing and validation (script_load_mem),
 * with every diagnostic collected, as `ceremony lint` does.
 */
#include "ceremony/model/diag.h"
#include "ceremony/model/script.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script *s = NULL;
	struct diag d;

	diag_init(&d);
	if (script_load_mem("fuzz.yaml", (const char *)data, size, &s, &d) == 0)
		script_free(s);
	diag_free(&d);
	return 0;
}
