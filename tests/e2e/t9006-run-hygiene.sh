#!/bin/bash
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
# Failing twin: the same search finds a PIN and a share triple planted in a
# log and in an environment.
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

# Stop a fresh root-ca (on a fresh token-init) after the login event, run
# PEEK (a script) with OUT as $1, then kill the run.
peek_run() { # OUT PEEK
	O=$1 && mkdir -p "$O" &&
	hit=$(( $(grep -n "\"type\":\"login\"" "$TEST_TMP/root/transcript.jsonl" | cut -d: -f1) + 1 )) &&
	gdb -q -nx -batch -ex "set confirm off" -ex "break transcript_append" -ex "ignore 1 $((hit - 1))" \
		-ex "run run $TEST_TMP/scripts/root-ca.yaml --rehearsal --today $RUN_TODAY \
			--module $SOFTHSM_MODULE --input $(run_answers root-ca) --outdir $O \
			--issued-in $INIT/transcript.jsonl >$O.log 2>&1 </dev/null" \
		-ex "shell sh $2 $O" \
		-ex "kill" "$(command -v ceremony)" >"$O.gdb" 2>&1
	cat "$O.peek"
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
	peek_run "$PWD/o" "$PWD/peek.sh" &&
	test_grep "^pid [0-9]" o.peek && test_grep "^children: \.$" o.peek &&
	lck=$(awk "/^VmLck:/ { print \$2 }" o.peek) && test "$lck" -gt 0 &&
	test_grep -x -- "--issued-in" argv && test -s env &&
	! grep -F -f "$TEST_TMP/secrets" argv env &&
	test "$(wc -l <o/transcript.jsonl)" -ge 20
'

test_expect_success 'twin: a secret in a process environment is found by the same check' '
	env CE_PLANTED="$(head -n 1 "$TEST_TMP/secrets")" sh -c "tr \"\\\\0\" \"\\\\n\" </proc/\$\$/environ" >env2 &&
	grep -F -f "$TEST_TMP/secrets" env2
'

test_done
