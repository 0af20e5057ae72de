/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: transcript verification (verify_transcript) on arbitrary
 * bytes, then the event iterator the second passes use (verify_lines_each,
 * the one reader). The bytes go into a memfd so the verifier reads them
 * through its ordinary path-based entry point
 * (/proc/self/fd/N): the code under test is exactly what `ceremony verify` runs.
 * No signature file exists for that path, so the signature step sees "unsigned".
 */
#include "ceremony/verify/verify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_count_line(void *ctx, uint64_t lineno, const struct tj_doc *d)
{
	(void)lineno;
	(void)d;
	(*(uint64_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_opts opts = { 0 };
	struct verify_report rep;
	char path[64];
	uint64_t n = 0;
	size_t done = 0;
	int fd = memfd_create("fuzz-transcript", 0);

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (verify_transcript(path, &opts, &rep) == 0) {
		if (rep.verdict != VERIFY_OK && rep.verdict != VERIFY_INCOMPLETE &&
		    rep.verdict != VERIFY_FAILED)
			abort();
		/* unsigned bytes never verify OK */
		if (rep.verdict == VERIFY_OK)
			abort();
		json_decref(verify_report_json(path, &rep));
	}
	(void)verify_lines_each(path, fuzz_count_line, &n);
	close(fd);
	return 0;
}
