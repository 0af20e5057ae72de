#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fuzzing in `make check`: every libFuzzer target (tests/fuzz/fuzz_*.c, built
# with clang, ASan+UBSan) runs FUZZ_SECONDS (default 15) seconds from its seed
# corpus with no crash, sanitizer report, leak or timeout. A planted bug
# (tests/fuzz/control) must be reported, or the harness proves nothing.
# Longer runs: make fuzz FUZZ_SECONDS=N.
. "$(dirname "$0")/lib.sh"

FUZZ_B=$TEST_BUILD/fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
export FUZZ_SECONDS

test_expect_success 'the fuzz targets build with clang' '
	make -C "$TEST_TOP" --no-print-directory -j2 B="$TEST_BUILD" fuzz-build >build.log 2>&1 ||
		{ tail -n 30 build.log; false; }
'

for src in "$TEST_TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	test_expect_success "fuzz $name for $FUZZ_SECONDS s: no crash, leak or sanitizer report" '
		test -d "$TEST_TOP/tests/fuzz/corpus/'"$name"'" &&
		test -n "$(ls "$TEST_TOP/tests/fuzz/corpus/'"$name"'")" &&
		FUZZ_B="$FUZZ_B" FUZZ_TARGETS='"$name"' sh "$TEST_TOP/tests/fuzz/run.sh" >out &&
		cat out && test_grep "^ok   fuzz '"$name"' " out
	'
done

test_expect_success 'the harness reports a planted heap overflow (negative control)' '
	rm -rf "$FUZZ_B/control/findings" &&
	test_must_fail env FUZZ_B="$FUZZ_B/control" FUZZ_SECONDS=5 \
		sh "$TEST_TOP/tests/fuzz/run.sh" >out &&
	cat out && test_grep "^FAIL fuzz control" out &&
	test_grep "heap-buffer-overflow" "$FUZZ_B/control/control.log" &&
	test -n "$(ls "$FUZZ_B/control/findings/control/")"
'

test_done
