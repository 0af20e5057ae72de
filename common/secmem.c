/* SPDX-License-Identifier: Apache-2.0 */
#include "common/secmem.h"
#include "common/err.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#define SECMEM_CANARY_BYTES 16
#define SECMEM_ALIGN_BYTES 16
#define SECMEM_MAGIC 0x5ecce5a1c0ffee11ULL

struct secmem_hdr {
	uint64_t magic;
	uint8_t *base;     /* start of the whole mapping (leading guard page) */
	size_t total;      /* whole mapping, both guard pages included */
	size_t region;     /* the locked, accessible part */
	size_t len;        /* what the caller asked for */
};

static uint8_t secmem_canary[SECMEM_CANARY_BYTES];
static int secmem_canary_ready;
static size_t secmem_count;

void ce_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

static int canary_init(void)
{
	size_t got = 0;

	if (secmem_canary_ready)
		return 0;
	while (got < sizeof(secmem_canary)) {
		ssize_t n = getrandom(secmem_canary + got, sizeof(secmem_canary) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ce_err_set(CE_ERR_INTERNAL, "getrandom: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	secmem_canary_ready = 1;
	return 0;
}

static struct secmem_hdr *hdr_of(const void *p, const uint8_t **canary)
{
	const uint8_t *user = p;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	/* The header sits at the start of the page-aligned region that holds user. */
	const uint8_t *c = user - SECMEM_CANARY_BYTES;
	uintptr_t region = (uintptr_t)c & ~(uintptr_t)(page - 1);
	struct secmem_hdr *h = (struct secmem_hdr *)region;

	/* Headers may spill to an earlier page when len is large: walk back. */
	while (h->magic != SECMEM_MAGIC) {
		region -= page;
		h = (struct secmem_hdr *)region;
	}
	*canary = c;
	return h;
}

void *secmem_alloc(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t ulen, region, total;
	uint8_t *base, *reg, *user;
	struct secmem_hdr *h;

	if (canary_init() < 0)
		return NULL;
	if (len > (SIZE_MAX / 2) - 4 * page) {
		ce_err_set(CE_ERR_NOMEM, "secure allocation of %zu bytes refused", len);
		return NULL;
	}
	ulen = round_up(len ? len : 1, SECMEM_ALIGN_BYTES);
	region = round_up(sizeof(struct secmem_hdr) + SECMEM_CANARY_BYTES + ulen, page);
	total = region + 2 * page;

	base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		ce_err_set(CE_ERR_NOMEM, "mmap of %zu bytes: %s", total, strerror(errno));
		return NULL;
	}
	reg = base + page;
	if (mprotect(base, page, PROT_NONE) != 0 ||
	    mprotect(reg + region, page, PROT_NONE) != 0) {
		ce_err_set(CE_ERR_NOMEM, "mprotect guard page: %s", strerror(errno));
		munmap(base, total);
		return NULL;
	}
#ifdef MADV_DONTDUMP
	(void)madvise(reg, region, MADV_DONTDUMP);
#endif
	if (mlock(reg, region) != 0) {
		ce_err_set(CE_ERR_MLOCK,
			   "cannot lock %zu bytes of memory for a secret (mlock: %s); "
			   "raise RLIMIT_MEMLOCK (ulimit -l)", region, strerror(errno));
		munmap(base, total);
		return NULL;
	}
	h = (struct secmem_hdr *)reg;
	h->magic = SECMEM_MAGIC;
	h->base = base;
	h->total = total;
	h->region = region;
	h->len = len;
	user = reg + region - ulen;
	memcpy(user - SECMEM_CANARY_BYTES, secmem_canary, SECMEM_CANARY_BYTES);
	secmem_count++;
	return user;
}

void *secmem_dup(const void *src, size_t len)
{
	void *p = secmem_alloc(len);

	if (p != NULL && len > 0)
		memcpy(p, src, len);
	return p;
}

size_t secmem_size(const void *p)
{
	const uint8_t *canary;

	if (p == NULL)
		return 0;
	return hdr_of(p, &canary)->len;
}

void secmem_free(void *p)
{
	const uint8_t *canary;
	struct secmem_hdr *h;
	uint8_t diff = 0;
	uint8_t *base;
	size_t total, region;
	size_t i;

	if (p == NULL)
		return;
	h = hdr_of(p, &canary);
	for (i = 0; i < SECMEM_CANARY_BYTES; i++)
		diff |= (uint8_t)(canary[i] ^ secmem_canary[i]);
	if (diff != 0)
		abort(); /* heap corruption next to a secret: stop before anything else */
	base = h->base;
	total = h->total;
	region = h->region;
	explicit_bzero(base + (size_t)sysconf(_SC_PAGESIZE), region);
	(void)munlock(base + (size_t)sysconf(_SC_PAGESIZE), region);
	(void)munmap(base, total);
	secmem_count--;
}

size_t secmem_live(void)
{
	return secmem_count;
}
