# SPDX-License-Identifier: Apache-2.0
# The unit test of allocation failures (tests/unit/test_failalloc.c) links the
# injector tests/unit/failalloc.c and wraps the allocator calls of the
# product libraries linked into it (tests/unit/failalloc.h says what is
# counted). Other unit tests are linked as before.
FAILALLOC_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

$(B)/tests/test_failalloc: tests/unit/failalloc.c tests/unit/failalloc.h
$(B)/tests/test_failalloc: TEST_HELPER_SRC += tests/unit/failalloc.c
$(B)/tests/test_failalloc: EXTRA_LDFLAGS += $(FAILALLOC_WRAP)
