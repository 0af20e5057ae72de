# SPDX-License-Identifier: Apache-2.0
# Line and branch coverage of the whole suite (gcc --coverage, gcov).
#
#   make coverage        everything built into $(COV_B) with --coverage -O0,
#                        the suite run there (stale counts removed first), then
#                        tests/tools/coverage-report.py prints line and branch
#                        coverage per folder, the transcript writer and the
#                        verifier; the table is kept in $(COV_B)/coverage.txt
#                        and per-file figures in $(COV_B)/coverage-files.txt.
#   make coverage-report the report again from the counts already there
#                        (e.g. after running one more test in $(COV_B)).
#
# Skipped, with the reason printed: t4003-verify-scale (1,000,000 events: the
# counts it adds are the ones t4001 already has, at 20x the time instrumented)
# and t9001-fuzz (clang libFuzzer builds in their own tree: nothing they run is
# counted here). COV_SKIP="" runs them too. Run it niced on a shared machine:
# nice -n 19 make coverage.
COV_B ?= build-cov
COV_FLAGS := --coverage
COV_SKIP ?= t4003-verify-scale=scale_test:_same_lines_as_t4001,_20x_slower_instrumented \
	t9001-fuzz=libFuzzer_builds_are_clang,_not_counted_here

.PHONY: coverage coverage-report

# Some end-to-end tests make their inputs with the normal build's tools
# (build/tests/transcript-sample, the fault module): built first, not counted.
coverage:
	@$(MAKE) --no-print-directory $(TEST_TARGETS)
	@$(MAKE) --no-print-directory B=$(COV_B) SAN_FLAGS="$(COV_FLAGS)" CFLAGS="-O0 -g" \
		FORTIFY= $(COV_B)/ceremony
	@find $(COV_B) -name '*.gcda' -delete
	@-TESTS_SKIP="$(COV_SKIP)" $(MAKE) --no-print-directory B=$(COV_B) \
		SAN_FLAGS="$(COV_FLAGS)" CFLAGS="-O0 -g" FORTIFY= test
	@$(MAKE) --no-print-directory B=$(COV_B) coverage-report

coverage-report:
	@python3 tests/tools/coverage-report.py $(COV_B) | tee $(COV_B)/coverage.txt
