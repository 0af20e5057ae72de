#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fuzzing in `make check`: every libFuzzer target (tests/fuzz/fuzz_*.c, built
# with clang, ASan+UBSan) runs FUZZ_SECONDS (default 6) seconds from its seed
# corpus with no crash, sanitizer report, leak or timeout; every input that
# once crashed a target (tests/fuzz/regress/<target>/) is replayed. A planted
# bug (tests/fuzz/control) must be reported, or the harness proves nothing.
# The reduced SLIP-39 KDF of the fuzz build (CE_FUZZ_FAST_KDF) must be in the
# fuzz libraries and nowhere in the product: the product binaries and
# libraries carry no trace of it, the Makefile refuses its define outside
# the fuzz build, and slip39.c refuses it without the fuzz build's second
# define. Longer runs: make fuzz FUZZ_SECONDS=N, make fuzz-long FUZZ_RUNS=N.
. "$(dirname "$0")/lib.sh"

FUZZ_B=$TEST_BUILD/fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-6}
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

for dir in "$TEST_TOP"/tests/fuzz/regress/*/; do
	name=$(basename "$dir")
	test_expect_success "fuzz $name: every regression input (tests/fuzz/regress/$name) runs clean" '
		test -x "$FUZZ_B/fuzz_'"$name"'" &&
		"$FUZZ_B/fuzz_'"$name"'" "$TEST_TOP"/tests/fuzz/regress/'"$name"'/* >out 2>&1 ||
		{ tail -n 30 out; false; }
	'
done

# Found by fuzz_verify_script (make fuzz-long): a transcript FAILED for its
# step order, with a line after it that is not JSON, lost its verdict to the
# reader error of the reason refinement (exit 1 instead of FAILED).
test_expect_success 'verify --script: steps out of order, then a line not JSON: FAILED (exit 4), the order named' '
	R=$TEST_TOP/tests/fuzz/regress/verify-script-order-then-bad-line.jsonl &&
	{ "$TEST_BUILD/ceremony" verify "$R" --script "$TEST_TOP/scripts/root-ca.yaml" \
		--roster "$TEST_TOP/scripts/example-roster.yaml" >out 2>&1; test $? = 4; } &&
	test_grep "line 14: step keygen .* steps out of the script.s order" out
'

test_expect_success 'twin: without the script the same file FAILED at its bad line (the reader does refuse it)' '
	R=$TEST_TOP/tests/fuzz/regress/verify-script-order-then-bad-line.jsonl &&
	{ "$TEST_BUILD/ceremony" verify "$R" >out 2>&1; test $? = 4; } &&
	test_grep "line 16" out
'

MARK="CE_FUZZ_FAST_KDF: SLIP-39 KDF reduced"
test_expect_success 'the reduced SLIP-39 KDF is in the fuzz build (the check below can see it)' '
	grep -q -a "$MARK" "$FUZZ_B/libshares.a" &&
	grep -q -a "$MARK" "$FUZZ_B/fuzz_slip39_combine"
'

test_expect_success 'the product carries no trace of the reduced KDF (binaries and libraries)' '
	make -C "$TEST_TOP" --no-print-directory B="$TEST_BUILD" "$TEST_BUILD/ceremony" >build.log 2>&1 &&
	for f in "$TEST_BUILD/ceremony" "$TEST_BUILD/ceremony-verify" "$TEST_BUILD/libshares.a" 		"$TEST_BUILD/obj/shares/slip39.o"; do
		test -f "$f" || continue
		echo "checked $f" &&
		! grep -q -a "$MARK" "$f" || { echo "fast KDF in $f"; false; }
	done >checked &&
	test_grep "checked .*/ceremony$" checked
'

test_expect_success 'twin: the product build refuses the fuzz-only defines' '
	for def in EXTRA_CFLAGS=-DCE_FUZZ_FAST_KDF CPPFLAGS=-DCE_FUZZ_FAST_KDF 		"CFLAGS=-O2 -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"; do
		test_must_fail make -C "$TEST_TOP" --no-print-directory -n B="$TEST_BUILD" "$def" all 			>out 2>&1 &&
		test_grep "for the fuzz build only" out || exit 1
	done
'

test_expect_success 'twin: slip39.c does not compile with the fast KDF alone' '
	test_must_fail cc -std=c11 -D_GNU_SOURCE -I"$TEST_TOP" -DCE_FUZZ_FAST_KDF -fsyntax-only 		"$TEST_TOP/shares/slip39.c" >out 2>&1 &&
	test_grep "CE_FUZZ_FAST_KDF is for the fuzz build only" out
'

test_expect_success 'the harness reports a planted heap overflow (negative control)' '
	rm -rf "$FUZZ_B/control/findings" &&
	test_must_fail env FUZZ_B="$FUZZ_B/control" FUZZ_SECONDS=5 \
		sh "$TEST_TOP/tests/fuzz/run.sh" >out &&
	cat out && test_grep "^FAIL fuzz control" out &&
	test_grep "heap-buffer-overflow" "$FUZZ_B/control/control.log" &&
	test -n "$(ls "$FUZZ_B/control/findings/control/")"
'

test_done
