# SPDX-License-Identifier: Apache-2.0
# Sanitizers and memcheck over the whole suite.
#
#   make check-asan      everything built into $(ASAN_B) with ASan+UBSan
#                        (LSan on), every test run there; any sanitizer report
#                        (files in $(ASAN_B)/sanitizer-logs) is a failure.
#   make check-memcheck  the normal build; every `ceremony` run of the
#                        end-to-end tests under valgrind memcheck
#                        (tests/sanitizers/ceremony-valgrind on PATH as
#                        `ceremony`). MEMCHECK_UNITS=1 adds the unit tests,
#                        each under valgrind (slow: test_faultmod alone takes
#                        over 10 minutes, a SoftHSM + provider per fault).
#
# Skipped there, with the reason printed: t4003-verify-scale (1,000,000 events
# and a 32 MiB resident-memory bound, meaningless under shadow memory; the
# normal run has it), t9001-fuzz (the fuzzers are ASan+UBSan builds already
# and run in the normal suite) and t9002-secret-hygiene (it inspects the live
# `ceremony` process: under ASan mlock() is a no-op, under memcheck the
# process is valgrind), t9004-crash (it runs the real binary under gdb to kill
# it at each event; what it checks is on disk and on the token) and
# t9006-run-hygiene (the live process under gdb, like t9002).
ASAN_B ?= build-asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ASAN_LOGS = $(abspath $(ASAN_B))/sanitizer-logs
SAN_SKIP := t4003-verify-scale=scale_test_not_run_under_sanitizers \
	t9001-fuzz=fuzzers_are_sanitizer_builds_already \
	t9002-secret-hygiene=inspects_the_live_process:_not_meaningful_under_sanitizers \
	t9004-crash=kills_the_real_binary_under_gdb:_state_on_disk,_the_normal_run_has_it \
	t9006-run-hygiene=inspects_the_live_process_under_gdb:_not_meaningful_under_sanitizers
MEMCHECK_LOGS = $(abspath $(B))/memcheck-logs

NODEEPBIND_SO = $(abspath $(ASAN_B))/tests/libnodeepbind.so

.PHONY: check-asan check-memcheck

# Built without sanitizers (tests/sanitizers/nodeepbind.c says why).
$(B)/tests/libnodeepbind.so: tests/sanitizers/nodeepbind.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

check-asan:
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	@$(MAKE) --no-print-directory B=$(ASAN_B) SAN_FLAGS="$(ASAN_FLAGS)" \
		CFLAGS="-O1 -g" $(ASAN_B)/ceremony $(ASAN_B)/tests/libnodeepbind.so
	@LD_PRELOAD=$(NODEEPBIND_SO) \
	ASAN_OPTIONS=suppressions=$(abspath tests/sanitizers/asan.supp):verify_asan_link_order=0:detect_leaks=1:fast_unwind_on_malloc=0:log_path=$(ASAN_LOGS)/asan:exitcode=199:strict_string_checks=1:detect_stack_use_after_return=1 \
	LSAN_OPTIONS=suppressions=$(abspath tests/sanitizers/lsan.supp):print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(ASAN_LOGS)/ubsan \
	SANITIZER_LOG_DIR=$(ASAN_LOGS) TESTS_SKIP="$(SAN_SKIP)" \
		$(MAKE) --no-print-directory B=$(ASAN_B) SAN_FLAGS="$(ASAN_FLAGS)" CFLAGS="-O1 -g" test

# (TEST_TARGETS is complete only once every mk/*.mk is read: expand it late)
check-memcheck:
	@$(MAKE) -s --no-print-directory $(TEST_TARGETS)
	@rm -rf $(MEMCHECK_LOGS) && mkdir -p $(MEMCHECK_LOGS)/wrap
	@ln -sf $(abspath tests/sanitizers/ceremony-valgrind) $(MEMCHECK_LOGS)/wrap/ceremony
	@t0=$$(date +%s); \
	CEREMONY_REAL=$(abspath $(B))/ceremony CEREMONY_WRAP_DIR=$(MEMCHECK_LOGS)/wrap \
	SANITIZER_LOG_DIR=$(MEMCHECK_LOGS)/reports TESTS_SKIP="$(SAN_SKIP)" \
	TEST_WRAPPER="sh $(abspath tests/sanitizers/ceremony-valgrind) --unit" \
	TESTS_KIND=$(if $(MEMCHECK_UNITS),all,e2e) \
	CEREMONY_BUILD=$(B) sh tests/run.sh; rc=$$?; \
	echo "check-memcheck: $$(( $$(date +%s) - t0 )) s"; exit $$rc
