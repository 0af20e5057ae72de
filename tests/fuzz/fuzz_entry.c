/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: share entry (shares/ui/entry.c, shares_ui_enter) as it
 * reads a share that is not typed at a terminal: one whole mnemonic per
 * line, blank lines skipped, refused lines followed by the next, "abort".
 * The fuzzer's bytes are what the holder "typed"; the screen goes to
 * /dev/null. A share accepted must be one the codec re-encodes and decodes
 * (a bad checksum reaches the single-word fixes, shares/ui/fixes.c).
 */
#include "common/secmem.h"
#include "shares/slip39.h"
#include "shares/ui/ui.h"
#include "tests/fuzz/fuzz_transcript.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* made once: an mlock'ed mapping per input costs more than the input */
	static FILE *devnull;
	static struct slip39_share *sh;
	static char *text;
	struct shares_ui_term t;
	char path[64];
	int fd, r, rounds = 0;

	if (devnull == NULL) {
		devnull = fopen("/dev/null", "w");
		sh = secmem_alloc(2 * sizeof(*sh));
		text = secmem_alloc(SLIP39_MNEMONIC_MAX_LEN);
	}
	if (devnull == NULL || sh == NULL || text == NULL)
		abort();
	fd = fuzz_memfd("fuzz-entry", data, size, path, sizeof(path));
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	t.in_fd = fd;
	t.out = devnull;
	t.is_tty = 0;
	/* one share after another until the input ends, as a quorum is read */
	do {
		memset(sh, 0, 2 * sizeof(*sh));
		r = shares_ui_enter(&t, rounds & 1 ? NULL : "fuzz share", &sh[0]);
		if (r == 0 && (slip39_mnemonic_encode(&sh[0], text, SLIP39_MNEMONIC_MAX_LEN) != 0 ||
			       slip39_mnemonic_decode(text, strlen(text), &sh[1]) != 0))
			abort(); /* what entry accepts, the codec accepts */
	} while (r == 0 && ++rounds < 64);
	close(fd);
	return 0;
}
