/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: transcript verification (verify_transcript), structure
 * aware. The fuzzer's bytes are re-chained first (fuzz_transcript.h: seq and
 * prev fixed line by line with transcript_chain_link), so a mutation of line
 * 5 reaches the rules about line 5 (roles, quorum, witnesses, step order,
 * outputs, times) instead of failing the chain there. Then the event
 * iterator the second passes use (verify_lines_each). No signature exists,
 * so the verdict is never OK. The signed path: fuzz_verify_signed.c; with a
 * script and roster: fuzz_verify_script.c; the raw line reader: fuzz_tjson.c.
 */
#include "tests/fuzz/fuzz_transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_opts opts = { 0 };
	struct verify_report rep;
	char path[64];
	uint64_t n = 0;
	size_t len = 0;
	char *t = fuzz_rechain(data, size, NULL, NULL, NULL, &len);
	int fd = fuzz_memfd("fuzz-transcript", t, len, path, sizeof(path));

	if (verify_transcript(path, &opts, &rep) == 0)
		fuzz_verdict_check(path, &rep, 0); /* unsigned: never OK */
	(void)verify_lines_each(path, fuzz_count_line, &n);
	close(fd);
	free(t);
	return 0;
}
