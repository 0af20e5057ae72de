#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run every test: the cmocka unit binaries in build/tests/ and the end-to-end
# shell tests in tests/e2e/. Each reports its own counts; the last line is the
# total, "N passed, N failed". Exit status 1 if anything failed.
#
# TESTS="pattern ..." restricts to files whose name contains a pattern.
# TESTS_SKIP="pattern=reason ..." skips files whose name contains a pattern,
# saying why (used by the sanitizer and memcheck runs for the scale test).
# TEST_WRAPPER (e.g. "valgrind -q --error-exitcode=99") wraps unit binaries.
# TESTS_KIND=unit or e2e runs only that kind (default: both).
# CEREMONY_BUILD is the build directory under test (default build).
# SANITIZER_LOG_DIR, when set, is where ASan/UBSan/LSan/valgrind write their
# reports: any file there at the end is a failure, even if the test that
# provoked it passed (a report inside a test_must_fail still counts).
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
build=${CEREMONY_BUILD:-build}
export CEREMONY_BUILD=$build
log_dir=$build/test-logs
case "$log_dir" in /*) ;; *) log_dir=$top/$log_dir ;; esac
mkdir -p "$log_dir"
passed=0
failed=0
failed_names=""

skipped() { # prints the reason and returns 0 if $1 is in TESTS_SKIP
	for s in ${TESTS_SKIP:-}; do
		case "$1" in *"${s%%=*}"*) echo "skip $1 (${s#*=})" | tr '_' ' '; return 0 ;; esac
	done
	return 1
}

selected() {
	skipped "$1" && return 1
	[ -z "${TESTS:-}" ] && return 0
	for pat in $TESTS; do
		case "$1" in *"$pat"*) return 0 ;; esac
	done
	return 1
}

count_cmocka() { # $1 log: adds to passed/failed from cmocka's summary lines
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | tail -n 1)
	echo "${p:-0} ${f:-0}"
}

for t in "$build"/tests/test_*; do
	[ "${TESTS_KIND:-all}" = e2e ] && break
	[ -x "$t" ] && [ -f "$t" ] || continue
	case "$t" in *.so|*.o|*.d) continue ;; esac
	name=$(basename "$t")
	selected "$name" || continue
	log=$log_dir/$name.log
	${TEST_WRAPPER:-} "$t" >"$log" 2>&1
	rc=$?
	set -- $(count_cmocka "$log")
	p=$1 f=$2
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then f=1; fi         # crashed before its summary
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi        # exit status disagrees
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" != 0 ]; then
		failed_names="$failed_names $name"
		echo "FAIL $name ($f failed; log: $log)"
		grep -E '^\[  (FAILED|  ERROR) \]|^\[  ERROR   \]|error:|Failure!' "$log" | head -n 20
	else
		echo "ok   $name ($p)"
	fi
done

for t in tests/e2e/t*.sh; do
	[ "${TESTS_KIND:-all}" = unit ] && break
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	selected "$name" || continue
	log=$log_dir/$name.log
	bash "$t" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^# [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^# \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	p=${p:-0}
	f=${f:-0}
	if [ -z "$line" ]; then f=$((f + 1)); fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" != 0 ]; then
		failed_names="$failed_names $name"
		echo "FAIL $name ($f failed; log: $log)"
		grep -E '^not ok' "$log" | head -n 20
	else
		echo "ok   $name ($p)"
	fi
done

if [ -n "${SANITIZER_LOG_DIR:-}" ] && [ -d "$SANITIZER_LOG_DIR" ]; then
	for r in "$SANITIZER_LOG_DIR"/*; do
		[ -s "$r" ] || continue
		failed=$((failed + 1))
		failed_names="$failed_names $(basename "$r")"
		echo "FAIL sanitizer report $r:"
		grep -E 'ERROR|SUMMARY|runtime error|definitely lost|Invalid|uninitialised' "$r" | head -n 10
	done
fi

[ -n "$failed_names" ] && echo "failed:$failed_names"
# make check adds up its runs (normal, ctgrind, sanitizers) in CHECK_RESULTS
[ -n "${CHECK_RESULTS:-}" ] && echo "$passed $failed" >>"$CHECK_RESULTS"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
