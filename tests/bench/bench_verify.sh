#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make bench section: ceremony verify throughput on a 100,000-event
# transcript beside sha256sum of the same file (hashing is the limit: verify
# hashes every line and the whole file for the signature, and parses each
# line). Best of 3 runs each; prints MB/s and the ratio verify / sha256sum.
# Then the reader question: the same lines parsed by the verifier's tjson and
# by jansson (json_loadb, what replay and archive use), in process
# (build/bench/bench_tjson), with the ratio jansson / tjson.
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

# ---- one reader: tjson against jansson on the same lines ----
"$top/build/bench/bench_tjson" "$tmp/t.jsonl" >"$tmp/tj.txt" || { echo "bench: bench_tjson failed" >&2; exit 1; }
awk -F'\t' -v rows="${BENCH_ROWS:-}" '{ v[$1] = $2 } END {
	b = v["bytes"]; n = v["lines"]
	printf "reader: parsing the %d lines of the same transcript, in process (best of 3)\n", n
	printf "  tjson (verifier)      %8.1f MB/s  (%.3f s, %.0f ns/line)\n", b / (v["tjson"] / 1e9) / 1e6, v["tjson"] / 1e9, v["tjson"] / n
	printf "  jansson json_loadb    %8.1f MB/s  (%.3f s, %.0f ns/line)\n", b / (v["jansson"] / 1e9) / 1e6, v["jansson"] / 1e9, v["jansson"] / n
	printf "  SHA-256 of each line  %8.1f MB/s  (%.3f s: the chain, for scale)\n", b / (v["sha256"] / 1e9) / 1e6, v["sha256"] / 1e9
	printf "  ratio jansson/tjson: %.2f (tjson is that many times faster)\n", v["jansson"] / v["tjson"]
	if (rows != "")
		printf "verify\tparse transcript lines, tjson\t%.1f\tMB/s\tjansson json_loadb, same lines\t%.2f\n",
			b / (v["tjson"] / 1e9) / 1e6, v["jansson"] / v["tjson"] >>rows
}' "$tmp/tj.txt"
