/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_tjson FILE: parse every line of a transcript with the verifier's
 * reader (tj_parse, ceremony/transcript/tjson.h) and with jansson (json_loadb,
 * the tree replay and archive read), best of 3 passes each, and SHA-256 the
 * same lines (the chain's cost) for scale. Prints tab-separated rows:
 *   tjson NS   jansson NS   sha256 NS   lines N   bytes N
 * (NS: wall time of the best pass over the whole file). For `make bench`
 * (tests/bench/bench_verify.sh), which prints the ratio.
 */
#include "ceremony/transcript/format.h"
#include "ceremony/transcript/tjson.h"
#include "common/buf.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

enum { P_TJSON, P_JANSSON, P_SHA256 };

/* One pass over every line with parser p; 0 or -1 (a line did not parse). */
static int pass(int p, const char *s, size_t n, struct tj_doc *d, struct transcript_chain *c,
		uint64_t *lines)
{
	const char *e = s + n, *nl;
	char why[128], hex[TRANSCRIPT_HASH_HEX_LEN + 1];

	*lines = 0;
	for (; s < e; s = nl + 1) {
		json_error_t jerr;
		json_t *j;

		nl = memchr(s, '\n', (size_t)(e - s));
		if (nl == NULL)
			break;
		if (p == P_TJSON && tj_parse(d, s, (size_t)(nl - s), why, sizeof(why)) != 0)
			return -1;
		if (p == P_JANSSON) {
			j = json_loadb(s, (size_t)(nl - s), JSON_REJECT_DUPLICATES, &jerr);
			if (j == NULL)
				return -1;
			json_decref(j);
		}
		if (p == P_SHA256 && transcript_chain_link(c, s, (size_t)(nl - s), hex) != 0)
			return -1;
		(*lines)++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "tjson", "jansson", "sha256" };
	struct buf b;
	struct tj_doc d;
	struct transcript_chain c;
	uint64_t best[3] = { 0, 0, 0 }, lines = 0;
	int p, i;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_tjson TRANSCRIPT\n");
		return 2;
	}
	buf_init(&b, (size_t)1 << 31);
	if (buf_read_file(&b, argv[1], (size_t)1 << 31) != 0 ||
	    tj_init(&d, TRANSCRIPT_LINE_MAX_BYTES) != 0 || transcript_chain_init(&c) != 0) {
		fprintf(stderr, "bench_tjson: cannot read %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < 3; i++)
		for (p = P_TJSON; p <= P_SHA256; p++) {
			uint64_t t0 = now_ns(), t;

			if (pass(p, b.p, b.len, &d, &c, &lines) != 0) {
				fprintf(stderr, "bench_tjson: %s: a line does not parse\n", names[p]);
				return 1;
			}
			t = now_ns() - t0;
			if (best[p] == 0 || t < best[p])
				best[p] = t;
		}
	for (p = P_TJSON; p <= P_SHA256; p++)
		printf("%s\t%llu\n", names[p], (unsigned long long)best[p]);
	printf("lines\t%llu\nbytes\t%zu\n", (unsigned long long)lines, b.len);
	tj_free(&d);
	transcript_chain_free(&c);
	buf_free(&b);
	return 0;
}
