/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Negative control for tests/fuzz/run.sh: a target with a planted
 * heap overflow on inputs that start with "CRASH". The seed corpus
 * (tests/fuzz/corpus/control/) holds such an input, so a run that does not
 * report this target as failed proves the harness blind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 5 && memcmp(data, "CRASH", 5) == 0) {
		volatile char *p = malloc(4);

		if (p != NULL) {
			p[size] = 1; /* the planted bug */
			free((void *)p);
		}
	}
	return 0;
}
