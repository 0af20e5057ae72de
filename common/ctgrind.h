/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/ctgrind.h - mark values that are public by design.
 *
 * Under `make ctgrind` the library is compiled with -DCE_CTGRIND and secrets
 * are marked undefined for valgrind's memcheck; every branch or memory index
 * that depends on them is then reported. A few results derived from secrets
 * are public by design (a checksum verdict, a digest verdict, the parameters
 * a share carries in its first words): CE_DECLASSIFY marks exactly those as
 * defined, at the point where they are declared public. In normal builds it
 * compiles to nothing.
 */
#ifndef CE_COMMON_CTGRIND_H
#define CE_COMMON_CTGRIND_H

#ifdef CE_CTGRIND
#include <valgrind/memcheck.h>
#define CE_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define CE_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

#endif
