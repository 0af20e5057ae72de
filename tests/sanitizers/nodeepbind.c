/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/sanitizers/nodeepbind.c - LD_PRELOAD shim for `make check-asan`:
 * dlopen() without RTLD_DEEPBIND.
 *
 * pkcs11-provider opens PKCS#11 modules with RTLD_DEEPBIND, which the
 * sanitizer runtime refuses (it would bypass its interceptors: google/
 * sanitizers issue 611), so every OpenSSL-through-the-HSM test would stop
 * there. This shim, preloaded ahead of the runtime (ASAN_OPTIONS
 * verify_asan_link_order=0), clears the flag and calls the next dlopen. It is
 * a test device only: not linked into anything, not built with sanitizers.
 */
#include <dlfcn.h>
#include <stddef.h>

void *dlopen(const char *file, int mode);

void *dlopen(const char *file, int mode)
{
	static void *(*next)(const char *, int);

	if (next == NULL)
		next = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	if (next == NULL)
		return NULL;
	return next(file, mode & ~RTLD_DEEPBIND);
}
