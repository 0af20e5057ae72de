/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/failalloc.h - allocation-failure injector for unit tests (a test
 * helper, never linked into the product).
 *
 * failalloc_arm(n) makes the n-th allocation from then on fail (once: the
 * allocations after it succeed again); failalloc_disarm() stops counting and
 * says whether the failure was injected. What is counted:
 *   - malloc, calloc, realloc and strdup called by the objects linked into
 *     the test binary (the static product libraries and the test itself),
 *     through -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
 *     (mk/failalloc.mk); libc's own internal allocations (fopen, ...) and
 *     those of other shared libraries are not seen that way;
 *   - jansson's allocations (json_set_alloc_funcs);
 *   - OpenSSL's allocations (CRYPTO_set_mem_functions, installed by a
 *     constructor before OpenSSL allocates anything).
 * A failing allocation returns NULL with errno ENOMEM, as libc does. Under
 * ASan the wrapped calls reach ASan's malloc (__real_malloc is the
 * interceptor), so leaks after a failure are still reported by LSan.
 */
#ifndef CE_TESTS_FAILALLOC_H
#define CE_TESTS_FAILALLOC_H

#include <stddef.h>

/* Fail the n-th allocation (1-based) counted from now; n == 0 counts
 * without failing anything. */
void failalloc_arm(unsigned long n);
/* Stop counting. Returns 1 when the armed failure was injected. */
int failalloc_disarm(void);
/* Allocations counted since the last failalloc_arm. */
unsigned long failalloc_count(void);
/* Where the injected failure was: the calling functions, file:line, one a
 * line, innermost first (addr2line on this executable), into out. */
void failalloc_where(char *out, size_t cap);

#endif
