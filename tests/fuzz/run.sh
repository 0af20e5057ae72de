#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/run.sh - run every libFuzzer target in $FUZZ_B for $FUZZ_SECONDS
# seconds each, starting from the seed corpus tests/fuzz/corpus/<target>/
# (read only: new inputs go to $FUZZ_B/corpus/<target>/, which persists between
# runs). Prints one line per target and exits 1 if any target crashed; the
# crashing inputs are kept in $FUZZ_B/findings/<target>/.
#
# FUZZ_TARGETS="slip39 verify" restricts the run. FUZZ_JOBS is not used: one
# target at a time keeps the 2-core machine usable.
cd "$(dirname "$0")/../.." || exit 1
FUZZ_B=${FUZZ_B:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
# transcripts are kilobytes; the rest is short
max_len() {
	case "$1" in
	verify*) echo 65536 ;;
	script|roster|backup|slip39_text|answers) echo 16384 ;;
	entry) echo 2048 ;; # a refused share costs its single-word fixes: 59 x 1,023 candidates
	*) echo 8192 ;;
	esac
}
status=0
for bin in "$FUZZ_B"/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	name=$(basename "$bin" | sed 's/^fuzz_//')
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
	fi
	seeds=tests/fuzz/corpus/$name
	work=$FUZZ_B/corpus/$name
	found=$FUZZ_B/findings/$name
	log=$FUZZ_B/$name.log
	mkdir -p "$work" "$found"
	t0=$(date +%s)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 \
		-max_len="$(max_len "$name")" -artifact_prefix="$found/" -print_final_stats=1 \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	t1=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		status=1
		echo "FAIL fuzz $name (exit $rc, $((t1 - t0)) s; log $log; inputs in $found)"
		grep -E 'ERROR:|runtime error|SUMMARY' "$log" | head -n 5
	else
		echo "ok   fuzz $name (${runs:-?} runs in $((t1 - t0)) s)"
	fi
done
exit $status
