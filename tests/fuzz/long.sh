#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/long.sh - make fuzz-long: run every libFuzzer target in $FUZZ_B to
# $FUZZ_RUNS executions (default 10,000,000), one at a time, niced
# (nice -n 19), one worker (-jobs=1 -workers=1), on the kept corpus
# $FUZZ_CORPUS/<target>/ (make fuzz-seed fills it; what a run finds stays for
# the next). FUZZ_TARGETS="a b" restricts; FUZZ_MAX_SECONDS=N stops a target
# after N seconds (then the table gives the count it reached and the command
# that goes on to FUZZ_RUNS). Appends one row per target to $FUZZ_B/fuzz-long.md:
#   target | build | executions | exec/s | exec/CPU-s | edges | crashes | seconds
# build is the sanitizers the binary carries: ASan+UBSan (make fuzz-build)
# or UBSan (built with B=build/ub FUZZ_SAN='-fsanitize=undefined
# -fno-sanitize-recover=undefined': about twice the rate, no memory checks).
# exec/s is wall-clock (what the shared, niced machine gave); exec/CPU-s is
# executions per second of CPU the target used (user + system): what it does
# on a core of its own. edges is libFuzzer's `cov:` (edges of the instrumented
# code reached). A crash stops the target; its input is kept in
# $FUZZ_B/findings/<target>/ and the exit status is 1.
# ASan runs with a 16 MiB quarantine (default 256 MiB) and 4-frame
# allocation stacks: the transcript targets allocate per line, and with the
# default every allocation touched fresh memory (a third of their time in
# page faults). A use after free is still caught within the last 16 MiB
# freed; replaying a finding (build/fuzz/fuzz_T FILE) gives the full stacks.
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
FUZZ_B=${FUZZ_B:-build/fuzz}
FUZZ_RUNS=${FUZZ_RUNS:-10000000}
FUZZ_CORPUS=${FUZZ_CORPUS:-build/fuzz-corpus}
table=$FUZZ_B/fuzz-long.md
[ -f "$table" ] || {
	echo "| target | build | executions | exec/s | exec/CPU-s | edges | crashes | seconds | date (UTC) |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
} >"$table"
max_len() { # transcripts are kilobytes; the rest is short
	case "$1" in
	verify*) echo 65536 ;;
	script|roster|backup|slip39_text|answers) echo 16384 ;;
	entry) echo 2048 ;; # a refused share costs its single-word fixes: 59 x 1,023 candidates
	*) echo 4096 ;;
	esac
}
status=0
for bin in "$FUZZ_B"/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	name=$(basename "$bin" | sed 's/^fuzz_//')
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
	fi
	corpus=$top/$FUZZ_CORPUS/$name
	found=$top/$FUZZ_B/findings/$name
	work=$top/$FUZZ_B/long/$name
	mkdir -p "$corpus" "$found" "$work"
	rm -f "$work"/fuzz-*.log
	limit=
	[ -n "${FUZZ_MAX_SECONDS:-}" ] && limit=-max_total_time=$FUZZ_MAX_SECONDS
	t0=$(date +%s)
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:quarantine_size_mb=16:malloc_context_size=4 UBSAN_OPTIONS=print_stacktrace=1 \
		/usr/bin/time -f '%U %S' -o "$work/cpu" nice -n 19 "$top/$bin" -runs="$FUZZ_RUNS" $limit \
		-jobs=1 -workers=1 -timeout=20 -rss_limit_mb=2048 -max_len="$(max_len "$name")" \
		-artifact_prefix="$found/" -print_final_stats=1 "$corpus" >"$work/parent.log" 2>&1)
	rc=$?
	t1=$(date +%s)
	log=$work/fuzz-0.log
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ -z "$runs" ]; then # killed before its final stats: the last status line
		runs=$(grep -aoE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	fi
	edges=$(grep -aoE 'cov: [0-9]+' "$log" | tail -n 1 | sed 's/cov: //')
	crashes=$(ls "$found" | grep -cE '^(crash|leak|timeout|oom|slow-unit)-')
	secs=$((t1 - t0))
	[ "$secs" -gt 0 ] || secs=1
	runs=${runs:-0}
	# the last line: time(1) writes "Command exited with non-zero status N" first
	cpu_rate=$(awk -v r="$runs" 'END { c = $1 + $2; printf "%d", (c > 0 ? r / c : r) }' "$work/cpu" 2>/dev/null)
	build=UBSan
	nm "$bin" 2>/dev/null | grep -q ' __asan_init$' && build=ASan+UBSan
	row="| $name | $build | $runs | $((runs / secs)) | ${cpu_rate:-?} | ${edges:-?} | $crashes | $secs | $(date -u +%Y-%m-%dT%H:%MZ) |"
	echo "$row" >>"$table"
	if [ "$runs" -lt "$FUZZ_RUNS" ] && [ "$crashes" = 0 ]; then
		echo "note $name: $runs of $FUZZ_RUNS; to go on: make fuzz-long FUZZ_TARGETS=$name FUZZ_RUNS=$((FUZZ_RUNS - runs))" >>"$FUZZ_B/fuzz-long.notes"
	fi
	if [ "$crashes" != 0 ] || { [ $rc -ne 0 ] && [ "$runs" -lt "$FUZZ_RUNS" ] && [ -z "$limit" ]; }; then
		status=1
		echo "FAIL fuzz-long $name (exit $rc; log $log; inputs in $found)"
		grep -aE 'ERROR:|runtime error|SUMMARY' "$log" | head -n 5
	else
		echo "ok   fuzz-long $name: $runs runs, $((runs / secs))/s (${cpu_rate:-?}/CPU-s), $edges edges, $secs s"
	fi
done
echo "table: $table"
exit $status
