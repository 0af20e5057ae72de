/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation-failure injector for unit tests (tests/unit/failalloc.h). Linked
 * only into the tests built with --wrap (mk/failalloc.mk). */
#include "tests/unit/failalloc.h"

#include <errno.h>
#include <execinfo.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static int armed;
static int fired;
static unsigned long target;
static unsigned long count;
#define WHERE_DEPTH 24
static void *where[WHERE_DEPTH];
static int where_n;
extern char __executable_start;

void failalloc_arm(unsigned long n)
{
	count = 0;
	fired = 0;
	target = n;
	armed = 1;
}

int failalloc_disarm(void)
{
	armed = 0;
	return fired;
}

unsigned long failalloc_count(void)
{
	return count;
}

/* 1 when this allocation is the one to fail. */
static int fail_now(void)
{
	if (!armed)
		return 0;
	count++;
	if (target != 0 && count == target) {
		fired = 1;
		where_n = backtrace(where, WHERE_DEPTH);
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

static void *json_alloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

static void *ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return fail_now() ? NULL : __real_malloc(n);
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return fail_now() ? NULL : __real_realloc(p, n);
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

void failalloc_where(char *out, size_t cap)
{
	char cmd[64 + WHERE_DEPTH * 24], line[512];
	size_t len = 0, used = 0;
	FILE *p;
	int i;

	out[0] = '\0';
	len = (size_t)snprintf(cmd, sizeof(cmd), "addr2line -s -f -e /proc/%d/exe", (int)getpid());
	for (i = 2; i < where_n && len < sizeof(cmd) - 24; i++) /* past fail_now and the wrapper */
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %#lx",
					(unsigned long)((char *)where[i] - &__executable_start) - 1);
	p = popen(cmd, "r");
	if (p == NULL)
		return;
	while (fgets(line, sizeof(line), p) != NULL && used + strlen(line) + 2 < cap) {
		line[strcspn(line, "\n")] = '\0';
		used += (size_t)snprintf(out + used, cap - used, "%s%s", line,
					 strchr(line, ':') != NULL ? "\n" : " ");
	}
	pclose(p);
}

/* Before main, so before OpenSSL or jansson allocates anything. */
__attribute__((constructor)) static void failalloc_init(void)
{
	if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free))
		fprintf(stderr, "failalloc: CRYPTO_set_mem_functions refused (OpenSSL allocated already)\n");
	json_set_alloc_funcs(json_alloc, free);
	where_n = backtrace(where, WHERE_DEPTH); /* loads libgcc's unwinder now */
	where_n = 0;
}

/*
 * LeakSanitizer, in this test binary only (make check-asan): OpenSSL 3.0's
 * CMS_verify copies a memory BIO given as detached content (BIO_new_mem_buf)
 * and does not free the copy when an allocation after it fails; the leak is
 * inside OpenSSL and happens only under an injected failure (the same calls
 * without one leak nothing, and every other binary of the suite runs with
 * tests/sanitizers/lsan.supp alone). Nothing of ours is suppressed: the
 * pattern matches only stacks through CMS_verify.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:CMS_verify\n";
}
