/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the small decoders every input goes through: hex_decode
 * (checked against a plain reference decoder), buf_getline (stdio, public
 * input) and buf_read_secret_line (fd, secret input into secmem).
 *
 * Input: first byte picks a bound for the line readers; the rest is the text.
 */
#include "common/buf.h"
#include "common/hex.h"
#include "common/secmem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_nibble(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void fuzz_hex(const uint8_t *in, size_t n)
{
	uint8_t out[128], ref[128];
	size_t out_len = 0, i;
	int ok = (n % 2 == 0), r;

	for (i = 0; ok && i < n; i += 2) {
		int hi = fuzz_nibble(in[i]), lo = fuzz_nibble(in[i + 1]);

		if (hi < 0 || lo < 0)
			ok = 0;
		else if (i / 2 < sizeof(ref))
			ref[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	r = hex_decode((const char *)in, n, out, sizeof(out), &out_len);
	if (ok && n / 2 <= sizeof(out)) {
		if (r != 0 || out_len != n / 2 || memcmp(out, ref, out_len) != 0)
			abort();
	} else if (r == 0) {
		abort();
	}
}

static void fuzz_getline(const uint8_t *in, size_t n, size_t max)
{
	FILE *f = fmemopen((void *)(uintptr_t)in, n, "r");
	struct buf b;
	int r;

	if (f == NULL)
		return;
	buf_init(&b, 0);
	while ((r = buf_getline(&b, f, max)) == 1)
		if (b.len > max || b.p[b.len] != '\0' || memchr(b.p, '\n', b.len) != NULL)
			abort();
	buf_free(&b);
	fclose(f);
}

static void fuzz_secret_line(const uint8_t *in, size_t n, size_t cap)
{
	int fd = memfd_create("fuzz-line", 0);
	char *dst = secmem_alloc(cap);
	size_t done = 0, len = 0;
	int r;

	if (fd < 0 || dst == NULL)
		goto out;
	while (done < n) {
		ssize_t w = write(fd, in + done, n - done);

		if (w <= 0)
			goto out;
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		goto out;
	while ((r = buf_read_secret_line(fd, dst, cap, &len)) == 1)
		if (len >= cap || dst[len] != '\0' || memchr(dst, '\n', len) != NULL)
			abort();
out:
	secmem_free(dst);
	if (fd >= 0)
		close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bound;

	if (size == 0)
		return 0;
	bound = (size_t)data[0] + 1;
	fuzz_hex(data + 1, size - 1);
	fuzz_getline(data + 1, size - 1, bound);
	fuzz_secret_line(data + 1, size - 1, bound);
	return 0;
}
