#!/bin/sh
# make bench section: ceremony verify throughput on a 100,000-event
# transcript beside sha256sum of the same file (hashing is the limit: verify
# hashes every line and the whole file for the signature, and parses each
# line). Best of 3 runs each; prints MB/s and the ratio verify / sha256sum.
# The row for the summary table of tests/bench/run.sh goes to $BENCH_ROWS if set.
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ceremony-bench-verify.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
events=${BENCH_VERIFY_EVENTS:-100000}

"$top/build/tests/transcript-sample" --no-fsync --events "$events" "$tmp/t.jsonl" || exit 1
bytes=$(wc -c <"$tmp/t.jsonl")

best() { # CMD...: best wall time of 3 runs, in nanoseconds
	b=0
	for i in 1 2 3; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; exit 1; }
		e=$(date +%s%N)
		d=$((e - s))
		if [ $b = 0 ] || [ $d -lt $b ]; then b=$d; fi
	done
	echo $b
}

t_verify=$(best "$top/build/ceremony" verify "$tmp/t.jsonl") || exit 1
t_sha=$(best sha256sum "$tmp/t.jsonl") || exit 1
awk -v rows="${BENCH_ROWS:-}" -v b="$bytes" -v tv="$t_verify" -v ts="$t_sha" -v n="$events" 'BEGIN {
	mv = b / (tv / 1e9) / 1e6; ms = b / (ts / 1e9) / 1e6
	printf "verify: %d events, %.1f MB\n", n, b / 1e6
	printf "  ceremony verify  %8.1f MB/s  (%.3f s)\n", mv, tv / 1e9
	printf "  sha256sum        %8.1f MB/s  (%.3f s)\n", ms, ts / 1e9
	printf "  ratio verify/sha256sum: %.2f (aim >= 0.5)\n", mv / ms
	if (rows != "")
		printf "verify\tceremony verify, %d events\t%.1f\tMB/s\tsha256sum, same file (aim >= 0.5)\t%.2f\n",
			n, mv, mv / ms >>rows
}'
