#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/bench/run.sh - `make bench`: performance shown against peers measured
# in the same run. Never a pass/fail on time.
#
# Framework: each section measures something and prints its own detail; every
# figure also lands in ONE summary table printed at the end, with the machine
# it ran on. A row of that table is appended to the file $BENCH_ROWS (exported,
# so the section scripts tests/bench/bench_hsm.sh and bench_verify.sh write
# there too) as tab-separated fields:
#   SECTION MEASURE VALUE UNIT AGAINST RATIO
# AGAINST names the peer or the limit the ratio is taken against ("-" if none);
# RATIO is ours relative to it, > 1 meaning ours is better (faster, or more
# throughput) except where the unit says otherwise.
#   bench_row SECTION MEASURE NS_PER_OP [NOTE] prints a detail row (ns/op) and
# keeps it with no ratio; summary_row SECTION MEASURE VALUE UNIT AGAINST RATIO
# adds one to the summary. bench_time_ns N CMD runs the shell command CMD N times and prints
# the mean ns per run (the command's failure stops the bench: a broken tool is
# not a fast one). bench_ratio A B prints A/B to two decimals. Add a section as
# a function below and call it from the list at the bottom, before the summary.
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
B=$TOP/build
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ceremony-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT
BENCH_ROWS=$BENCH_TMP/rows
export BENCH_ROWS
: >"$BENCH_ROWS"

summary_row() { # SECTION MEASURE VALUE UNIT AGAINST RATIO
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:--}" "${6:--}" >>"$BENCH_ROWS"
}

bench_row() { # SECTION MEASURE NS [NOTE]
	printf '  %-44s %14s ns/op  %s\n' "$2" "$3" "${4:-}"
}

bench_time_ns() { # N CMD
	local n=$1 cmd=$2 i=0 t0 t1
	t0=$(date +%s%N)
	while [ $i -lt "$n" ]; do
		if ! (cd "$BENCH_TMP" && eval "$cmd") >/dev/null 2>&1; then
			echo "bench: command failed: $cmd" >&2
			exit 1
		fi
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / n))
}

ms() { # NS -> milliseconds, 3 decimals
	awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e6 }'
}

bench_ratio() { # A B
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else if (a / b < 0.1) printf "%.4f", a / b; else printf "%.2f", a / b }'
}

bench_need() { # TOOL...: 0 if all present, else a note row and 1
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "  (skipped: $t not installed; run make deps)"
			return 1
		fi
	done
	return 0
}

# ---- section: shares (SLIP-39 split + combine, 32-byte secret, 3-of-5) ----
section_shares() {
	local out shamir e0 e1 ours0 ours1 ssss
	echo "shares: split + combine of a 32-byte secret, 3-of-5"
	out=$("$B/bench/bench_shares") || exit 1
	shamir=$(echo "$out" | awk -F'\t' '$1 == "shamir" { print $2 }')
	e0=$(echo "$out" | awk -F'\t' '$1 == "slip39_e0" { print $2 }')
	e1=$(echo "$out" | awk -F'\t' '$1 == "slip39_e1" { print $2 }')
	bench_row shares "in process: Shamir GF(256) only" "$shamir" "split 5 + recover 3, digest checked"
	bench_row shares "in process: SLIP-39, iteration exp. 0" "$e0" "+ 2x PBKDF2 10000 it., mnemonics"
	bench_row shares "in process: SLIP-39, iteration exp. 1" "$e1" "default work factor"
	summary_row shares "SLIP-39 e=0 split+combine, in process" "$(ms "$e0")" "ms/op" "- (no peer in process)" "-"
	summary_row shares "SLIP-39 e=1 split+combine, in process" "$(ms "$e1")" "ms/op" "- (no peer in process)" "-"

	openssl rand -hex 32 >"$BENCH_TMP/secret.hex"
	ours0=$(bench_time_ns 10 '"$B/ceremony" shares split --batch --group 3/5 --iteration-exponent 0 <secret.hex >s.txt && head -n 3 s.txt | "$B/ceremony" shares combine --batch >got.hex && cmp -s got.hex secret.hex')
	ours1=$(bench_time_ns 10 '"$B/ceremony" shares split --batch --group 3/5 <secret.hex >s.txt && head -n 3 s.txt | "$B/ceremony" shares combine --batch >got.hex && cmp -s got.hex secret.hex')
	bench_row shares "processes: ceremony CLI, iteration exp. 0" "$ours0" "split + combine, 2 processes"
	bench_row shares "processes: ceremony CLI, iteration exp. 1" "$ours1" "default"
	if bench_need ssss-split ssss-combine; then
		ssss=$(bench_time_ns 10 'ssss-split -t 3 -n 5 -q -x -s 256 <secret.hex >ss.txt && head -n 3 ss.txt | ssss-combine -t 3 -q -x 2>got.txt && grep -q "$(cat secret.hex)" got.txt')
		bench_row shares "processes: ssss-split + ssss-combine" "$ssss" "no checksum, digest or KDF"
		echo "  ratio ceremony CLI / ssss: e=0 $(bench_ratio "$ours0" "$ssss")x," \
		     "e=1 $(bench_ratio "$ours1" "$ssss")x; in-process Shamir / ssss processes:" \
		     "$(bench_ratio "$shamir" "$ssss")x"
		summary_row shares "Shamir split+combine, in process" "$(ms "$shamir")" "ms/op" \
			"ssss-split+ssss-combine" "$(bench_ratio "$ssss" "$shamir")"
		summary_row shares "CLI split+combine e=0" "$(ms "$ours0")" "ms/op" \
			"ssss-split+ssss-combine" "$(bench_ratio "$ssss" "$ours0")"
		summary_row shares "CLI split+combine e=1 (default)" "$(ms "$ours1")" "ms/op" \
			"ssss-split+ssss-combine" "$(bench_ratio "$ssss" "$ours1")"
	else
		summary_row shares "CLI split+combine e=0" "$(ms "$ours0")" "ms/op" "ssss not installed" "-"
		summary_row shares "CLI split+combine e=1 (default)" "$(ms "$ours1")" "ms/op" "ssss not installed" "-"
	fi
}

# ---- section: HSM signatures (tests/bench/bench_hsm.sh prints its own table) ----
section_hsm() {
	echo
	bash tests/bench/bench_hsm.sh || exit 1
}

# ---- section: transcript verification (tests/bench/bench_verify.sh) ----
section_verify() {
	echo
	bash tests/bench/bench_verify.sh || exit 1
}

# ---- section: start-up (exec to exit of a verb that does no work) ----
# Every verb pays this before it does anything: the dynamic loader mapping
# the linked libraries, then main. cairo is not among them (shares/ui/card.c
# opens it only to print a card). /bin/true is the floor: a fork and an exec
# of a program that links libc only. The commands run in turn, one run of
# each per round, so a change in the machine's load hits all of them alike,
# with no subshell per run (bench_time_ns's would dwarf a 1 ms exec); the
# median of the N runs is shown (bash's $EPOCHREALTIME, microseconds).
startup_medians() { # N CMD...: prints the median ns of each CMD, one a line
	local n=$1 i cmd t0 t1
	shift
	for ((i = 0; i < n; i++)); do
		for cmd in "$@"; do
			t0=$EPOCHREALTIME
			if ! eval "$cmd" >/dev/null 2>&1; then
				echo "bench: command failed: $cmd" >&2
				return 1
			fi
			t1=$EPOCHREALTIME
			echo "$cmd	$t0	$t1"
		done
	done >"$BENCH_TMP/startup.samples" || return 1
	for cmd in "$@"; do
		awk -F'\t' -v c="$cmd" '$1 == c { printf "%d\n", ($3 - $2) * 1e9 }' \
			"$BENCH_TMP/startup.samples" | sort -n |
			awk '{ d[NR] = $1 } END { print (NR % 2 ? d[(NR + 1) / 2] : int((d[NR / 2] + d[NR / 2 + 1]) / 2)) }'
	done
}

section_startup() {
	local n=${BENCH_STARTUP_N:-200} res floor ours_v ours_h ossl=0 have_ossl=0 cmds
	echo
	echo "start-up: $n runs each of a command that does no work (median)"
	cmds=("/bin/true" "\"\$B/ceremony\" version" "\"\$B/ceremony\" help")
	if bench_need openssl; then
		have_ossl=1
		cmds+=("openssl version")
	fi
	res=$(cd "$BENCH_TMP" && startup_medians "$n" "${cmds[@]}") || exit 1
	{ read -r floor; read -r ours_v; read -r ours_h; read -r ossl; } <<<"$res"
	bench_row startup "/bin/true (the fork + exec floor)" "$floor"
	bench_row startup "ceremony version" "$ours_v" \
		"$(ldd "$B/ceremony" | grep -c '=>') libraries linked"
	bench_row startup "ceremony help" "$ours_h"
	if [ "$have_ossl" = 1 ]; then
		bench_row startup "openssl version" "$ossl" \
			"$(ldd "$(command -v openssl)" | grep -c '=>') libraries linked"
		echo "  ratio ceremony version / openssl version: $(bench_ratio "$ours_v" "$ossl")x;" \
		     "ceremony help / openssl version: $(bench_ratio "$ours_h" "$ossl")x" \
		     "(<= 1: no slower than openssl)"
		summary_row startup "ceremony version, exec to exit" "$(ms "$ours_v")" "ms/op" \
			"openssl version" "$(bench_ratio "$ossl" "$ours_v")"
		summary_row startup "ceremony help, exec to exit" "$(ms "$ours_h")" "ms/op" \
			"openssl version" "$(bench_ratio "$ossl" "$ours_h")"
	else
		summary_row startup "ceremony version, exec to exit" "$(ms "$ours_v")" "ms/op" \
			"openssl not installed" "-"
	fi
	summary_row startup "/bin/true, exec to exit (the floor)" "$(ms "$floor")" "ms/op" "-" "-"
}

# ---- the sections, in order (append new ones here) ----
# BENCH_SECTIONS="startup shares" runs only those (default: all).
for section in ${BENCH_SECTIONS:-shares hsm verify startup}; do
	"section_$section"
done

# ---- summary: one table, and the machine ----
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
echo
echo "summary (ratio: against the peer or the limit named; > 1 = ours better)"
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores, $(uname -s) $(uname -r) $(uname -m)," \
     "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; $(date -u +%Y-%m-%dT%H:%MZ)"
awk -F'\t' '
	BEGIN { printf "  %-8s %-42s %12s %-6s  %-34s %7s\n", "section", "measure", "value", "unit", "against", "ratio"
		printf "  %-8s %-42s %12s %-6s  %-34s %7s\n", "-------", "-------", "-----", "----", "-------", "-----" }
	{ r = ($6 == "-" ? "-" : $6 "x")
	  printf "  %-8s %-42s %12s %-6s  %-34s %7s\n", $1, $2, $3, $4, $5, r }' "$BENCH_ROWS"
