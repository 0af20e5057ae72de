/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: answer files (`ceremony run --input FILE`,
 * ceremony/run/console.c): the file is parsed by console_open, then every
 * answer is asked for by its key, as the runner would, until none is left
 * (console_ask, with "abort" leading to the abort reason). The answers are
 * printed as a scripted run prints them (to /dev/null here).
 */
#include "ceremony/run/console.h"
#include "tests/fuzz/fuzz_transcript.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct console *c = NULL;
	char path[64], key[CONSOLE_KEY_MAX + 1], out[64];
	const char *k = NULL;
	size_t line = 0, rounds = 0;
	int fd;

	if (!quiet) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			abort();
		quiet = 1;
	}
	fd = fuzz_memfd("fuzz-answers", data, size, path, sizeof(path));
	if (console_open(path, &c) == 0) {
		if (!console_is_scripted(c))
			abort();
		while (console_unused(c, &k, &line) > 0 && k != NULL && rounds++ < 4096) {
			const char *k2 = NULL;
			size_t l2 = 0, before = console_unused(c, &k2, &l2);

			if (strlen(k) >= sizeof(key))
				abort(); /* keys are bounded by the parser */
			memcpy(key, k, strlen(k) + 1);
			(void)console_ask(c, key, "fuzz?", out, sizeof(out));
			if (console_unused(c, &k2, &l2) >= before)
				abort(); /* every ask uses the answer it found */
		}
		console_free(c);
	}
	close(fd);
	return 0;
}
