#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Secret hygiene over whole ceremonies (issue 6 section 6): token-init then
# root-ca in rehearsal. The known secrets - both PINs (recovered in the test
# from the rehearsal shares with `ceremony shares combine --batch`) and every
# triple of consecutive words of every share in the holders' rehearsal files -
# are never in the transcripts, the outputs, the runs' stdout/stderr, the
# token-init answers echo or anywhere under the test's directory but
# OUTDIR/rehearsal. `ceremony` spawns no child process (no fork/exec/popen/
# system in its source; checked here on the live process: no children), so
# the live process itself is inspected: stopped mid-run under gdb just after
# the quorum login (PIN combined, token logged in), its argv and environment
# hold no secret, its secret memory is locked (VmLck > 0), it has no child.
# Stopped again as the login event is about to be written (issue 11 part 8),
# the user PIN is nowhere in its readable memory: quorum.login wiped it on
# the line after C_Login.
# Failing twins: the same search finds a PIN and a share triple planted in a
# log and in an environment, and the memory scan finds the PIN in a process
# holding it (and in ceremony itself when the PIN is kept past C_Login).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
INIT=$TEST_TMP/root-init

# Every secret of the token-init rehearsal, one fixed string a line.
secrets() {
	for s in so-pin user-pin; do
		run_pin "$INIT" $s bob carol dave && echo
	done
	cat "$INIT"/rehearsal/*.shares | grep -v "^#" | cut -d" " -f4- |
		awk "{ for (i = 1; i + 2 <= NF; i++) print \$i \" \" \$(i+1) \" \" \$(i+2) }"
}

test_expect_success 'set-up: token-init and root-ca in rehearsal; the secrets collected' '
	run_root_setup &&
	secrets | grep . | sort -u >"$TEST_TMP/secrets" &&
	test "$(head -n 2 "$TEST_TMP/secrets" | wc -l)" = 2 &&
	grep -c . "$TEST_TMP/secrets" && test "$(grep -c . "$TEST_TMP/secrets")" -gt 100 &&
	test "$(grep -c "^[0-9a-zA-Z]*$" "$TEST_TMP/secrets")" -ge 2
'

test_expect_success 'no secret in transcripts, outputs, run logs: only in the rehearsal files' '
	! grep -rlF -f "$TEST_TMP/secrets" --exclude-dir=rehearsal --exclude=secrets \
		--exclude-dir=softhsm "$TEST_TMP" &&
	grep -rlF -f "$TEST_TMP/secrets" "$INIT/rehearsal" | grep -q . &&
	! grep -rlaF -f "$TEST_TMP/secrets" "$TEST_TMP/softhsm"
'

test_expect_success 'twin: the search finds a planted PIN and a planted share triple' '
	head -n 1 "$TEST_TMP/secrets" >planted.log && tail -n 1 "$TEST_TMP/secrets" >>planted.log &&
	test "$(grep -cF -f "$TEST_TMP/secrets" planted.log)" = 2
'

# Stop a fresh root-ca (on a fresh token-init) with gdb: by default as the
# line after its login event is written (hit = that line's number + 1);
# else at the SKIP+1-th call of BREAK, then gdb command AFTER (e.g. finish).
# Run PEEK (a script) with OUT as $1, then kill the run.
peek_run() { # OUT PEEK [BREAK SKIP AFTER]
	O=$1 && mkdir -p "$O" &&
	hit=$(( $(grep -n "\"type\":\"login\"" "$TEST_TMP/root/transcript.jsonl" | cut -d: -f1) + 1 )) &&
	gdb -q -nx -batch -ex "set confirm off" -ex "break ${3:-transcript_append}" \
		-ex "ignore 1 ${4:-$((hit - 1))}" \
		-ex "run run $TEST_TMP/scripts/root-ca.yaml --rehearsal --today $RUN_TODAY \
			--module $SOFTHSM_MODULE --input $(run_answers root-ca) --outdir $O \
			--issued-in $INIT/transcript.jsonl \
			--issued-in-key $(run_signer_hex $INIT/transcript.jsonl) >$O.log 2>&1 </dev/null" \
		-ex "${5:-info frame}" -ex "shell sh $2 $O" \
		-ex "kill" "$(command -v ceremony)" >"$O.gdb" 2>&1
	cat "$O.peek"
}
# The transcript line number of root-ca's login event.
login_line() {
	grep -n "\"type\":\"login\"" "$TEST_TMP/root/transcript.jsonl" | cut -d: -f1
}

test_expect_success 'mid-run (logged in): no secret in argv or environment, memory locked, no child' '
	cat >peek.sh <<-PEEK &&
	for p in \$(pgrep -f -- "--outdir \$1"); do
		[ "\$(cat /proc/\$p/comm)" = ceremony ] && pid=\$p
	done
	test -n "\$pid" || { echo "no ceremony process" >$PWD/o.peek; exit; }
	tr "\\\\0" "\\\\n" </proc/\$pid/cmdline >$PWD/argv
	tr "\\\\0" "\\\\n" </proc/\$pid/environ >$PWD/env
	{ echo "pid \$pid"; grep "^VmLck" /proc/\$pid/status; echo "children: \$(cat /proc/\$pid/task/*/children | tr -d " ")."; } >$PWD/o.peek
	PEEK
	peek_run "$PWD/o" "$PWD/peek.sh" p11_session_login 0 finish &&
	test_grep "^pid [0-9]" o.peek && test_grep "^children: \.$" o.peek &&
	lck=$(awk "/^VmLck:/ { print \$2 }" o.peek) && test "$lck" -gt 0 &&
	test_grep -x -- "--issued-in" argv && test -s env &&
	! grep -F -f "$TEST_TMP/secrets" argv env &&
	test "$(wc -l <o/transcript.jsonl)" -ge 20
'

# Count the occurrences of the bytes of file NEEDLE in the readable memory of
# process PID (guard pages and unreadable mappings skipped).
cat >"$TEST_TMP/memscan.py" <<'PY'
import re, sys
pid, needle = sys.argv[1], open(sys.argv[2], "rb").read()
n = 0
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        try:
            mem.seek(lo)
            c = mem.read(hi - lo).count(needle); n += c
            if c and len(sys.argv) > 3: print(line.strip(), file=sys.stderr)
        except (OSError, OverflowError, ValueError):
            pass
print("found %d" % n)
PY

test_expect_success 'mid-run, at the login event: the user PIN is already wiped from memory' '
	run_pin "$INIT" user-pin bob carol dave >"$TEST_TMP/upin" &&
	test "$(wc -c <"$TEST_TMP/upin")" -ge 16 &&
	cat >peek2.sh <<-PEEK &&
	for p in \$(pgrep -f -- "--outdir \$1"); do
		[ "\$(cat /proc/\$p/comm)" = ceremony ] && pid=\$p
	done
	test -n "\$pid" || { echo "no ceremony process" >$PWD/m.peek; exit; }
	python3 $TEST_TMP/memscan.py \$pid $TEST_TMP/upin v >$PWD/m.peek 2>&1
	PEEK
	peek_run "$PWD/m" "$PWD/peek2.sh" transcript_append $(( $(login_line) - 1 )) &&
	test_grep -x "found 0" m.peek &&
	test "$(wc -l <m/transcript.jsonl)" = $(( $(login_line) - 1 )) &&
	tail -n 1 m/transcript.jsonl | grep -q "\"type\":\"quorum.met\"" &&
	grep -q "type=.*\"login\"" m.gdb

'

test_expect_success 'twin: the same scan finds the PIN in a process that holds it' '
	python3 -c "import sys, time; s = sys.stdin.read(); print(\"ready\", flush=True); time.sleep(60)" \
		<"$TEST_TMP/upin" >holder.out &
	holder=$! &&
	for _ in $(seq 50); do grep -q ready holder.out && break; sleep 0.1; done &&
	python3 "$TEST_TMP/memscan.py" $holder "$TEST_TMP/upin" >h.peek; kill $holder;
	! test_grep -x "found 0" h.peek 2>/dev/null && test_grep "^found [1-9]" h.peek
'

test_expect_success 'twin: a secret in a process environment is found by the same check' '
	env CE_PLANTED="$(head -n 1 "$TEST_TMP/secrets")" sh -c "tr \"\\\\0\" \"\\\\n\" </proc/\$\$/environ" >env2 &&
	grep -F -f "$TEST_TMP/secrets" env2
'

test_done
