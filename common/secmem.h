/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/secmem.h - memory for secrets (PINs, shares, keys, passphrases).
 *
 * Every allocation gets its own mapping: a PROT_NONE guard page on each side,
 * the data placed against the trailing guard page (overflows fault), a random
 * canary just before the data (underflows are caught at free), mlock()ed so it
 * never reaches swap, MADV_DONTDUMP so it never reaches a core file.
 * secmem_free() checks the canary (abort on corruption), wipes, unlocks, unmaps.
 *
 * Returned memory is zeroed and 16-byte aligned. secmem_alloc(0) is valid.
 * A failure to lock is an error (CE_ERR_MLOCK via ce_err_detail): a secret that
 * cannot be locked is not kept.
 */
#ifndef CE_COMMON_SECMEM_H
#define CE_COMMON_SECMEM_H

#include <stddef.h>

/* Allocate len bytes of locked, zeroed memory; NULL on failure (detail set). */
void *secmem_alloc(size_t len) __attribute__((warn_unused_result, malloc));

/* Copy len bytes of src into a fresh secure allocation; NULL on failure. */
void *secmem_dup(const void *src, size_t len) __attribute__((warn_unused_result));

/* Usable size of a secmem allocation (the len asked for). */
size_t secmem_size(const void *p);

/* Wipe and release; accepts NULL. Aborts if the canary was overwritten. */
void secmem_free(void *p);

/* Wipe len bytes in a way the compiler cannot remove. */
void ce_wipe(void *p, size_t len);

/* Number of secmem allocations currently live (tests check for leaks). */
size_t secmem_live(void);

#endif
