#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony-verify, the auditor's program: the same verdict, output and exit
# code as `ceremony verify` (and `ceremony replay`) on a genuine transcript
# and on forgeries (a tampered byte, re-ordered lines, a truncated file), and
# no PKCS#11, cairo or qrencode in the process (ldd), where ceremony has them.
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_BUILD/tests/transcript-sample

mkdir -p "$TEST_TMP/g" &&
(cd "$TEST_TMP/g" && "$SAMPLE" --outputs out t.jsonl) ||
	echo "could not make the sample transcript" >&2

# fresh copy of the genuine sample into the test directory
genuine() { cp -r "$TEST_TMP/g/t.jsonl" "$TEST_TMP/g/t.jsonl.p7s" "$TEST_TMP/g/t-signer.pem" "$TEST_TMP/g/out" .; }

# same VERB ARGS...: both programs give the same stdout, stderr (but for the
# program's name) and exit code; that exit code is left in ./code
same() {
	ceremony "$@" >a.out 2>a.err; a=$?
	ceremony-verify "$@" >b.out 2>b.err; b=$?
	echo "$a" >code
	test "$a" = "$b" || { echo "exit codes differ: ceremony $a, ceremony-verify $b" >&2; return 1; }
	test_cmp a.out b.out && test_cmp a.err b.err
}

test_expect_success 'a genuine transcript: the same OK, output and exit code' '
	genuine &&
	same verify t.jsonl --outputs out && test "$(cat code)" = 0 &&
	test_grep "^t.jsonl: OK" b.out &&
	same verify --json t.jsonl && test_grep "\"verdict\":\"OK\"" b.out
'

test_expect_success 'a tampered byte: the same FAILED, line and reason' '
	genuine &&
	python3 -c "import sys
b = bytearray(open(\"t.jsonl\", \"rb\").read()); b[len(b) // 2] ^= 1; open(\"t.jsonl\", \"wb\").write(b)" &&
	same verify t.jsonl && test "$(cat code)" = 4 &&
	test_grep "FAILED" b.out && test_grep "line [0-9]*:" b.out
'

test_expect_success 'two lines swapped: the same FAILED' '
	genuine &&
	awk "NR == 4 { keep = \$0; next } NR == 5 { print; print keep; next } { print }" t.jsonl >s.jsonl &&
	mv s.jsonl t.jsonl &&
	same verify t.jsonl && test "$(cat code)" = 4 &&
	test_grep "line 4: seq" b.out
'

test_expect_success 'a truncated transcript: the same verdict (signed: FAILED), and unsigned INCOMPLETE' '
	genuine &&
	head -c $(($(wc -c <t.jsonl) / 2)) t.jsonl >c.jsonl && mv c.jsonl t.jsonl &&
	same verify t.jsonl && test "$(cat code)" = 4 &&
	rm t.jsonl.p7s t-signer.pem &&
	same verify --json t.jsonl && test "$(cat code)" = 3 &&
	test_grep "\"verdict\":\"INCOMPLETE\"" b.out
'

DATA=$TEST_TOP/tests/data/verify
S=$DATA/script.yaml
R=$DATA/roster.yaml

test_expect_success 'with --script and --roster: the same OK, and the same refined FAILED' '
	"$SAMPLE" --from "$DATA/ok.events" --script "$S" --roster "$R" --date 2026-06-01 t.jsonl &&
	same verify t.jsonl --script "$S" --roster "$R" && test "$(cat code)" = 0 &&
	python3 -c "import sys
L = [l for l in open(sys.argv[1]).read().split(chr(10)) if l and not l.startswith(\"#\")]
L[22:29] = L[26:29] + L[22:26]
open(\"e.events\", \"w\").write(chr(10).join(L) + chr(10))" "$DATA/ok.events" &&
	rm t.jsonl* t-signer.pem &&
	"$SAMPLE" --from e.events --script "$S" --roster "$R" --date 2026-06-01 t.jsonl &&
	same verify t.jsonl --script "$S" --roster "$R" && test "$(cat code)" = 4 &&
	test_grep "which runs later at line 26" b.out
'

test_expect_success 'replay: the same narrative, genuine and tampered' '
	genuine &&
	same replay t.jsonl && test "$(cat code)" = 0 && test_grep "== step" b.out &&
	sed -i "3s/\"seq\":2/\"seq\":7/" t.jsonl &&
	same replay t.jsonl && test_grep "FAILED" b.out
'

test_expect_success 'usage, help and version' '
	test_exit_code 2 ceremony-verify 2>err && test_grep "usage: ceremony-verify" err &&
	test_exit_code 2 ceremony-verify lint x.yaml 2>err && test_grep "unknown verb" err &&
	ceremony-verify --help >out && test_grep "^  verify " out && test_grep "^  replay " out &&
	ceremony-verify --version >out && test_grep "^ceremony-verify [0-9]" out &&
	same verify --help && same verify nonexistent.jsonl && test "$(cat code)" = 1 &&
	test_exit_code 2 ceremony-verify verify 2>err &&
	printf "%s\n" "ceremony-verify: verify: no transcript given" \
		"Try \"ceremony-verify verify --help\"." | tr "\"" "\047" >expect &&
	test_cmp expect err &&
	test_exit_code 2 ceremony-verify frob 2>err &&
	printf "%s\n" "ceremony-verify: unknown verb \"frob\"" \
		"Try \"ceremony-verify --help\"." | tr "\"" "\047" >expect &&
	test_cmp expect err
'

test_expect_success 'ceremony-verify links no PKCS#11, cairo or qrencode, nor opens them' '
	ldd "$TEST_BUILD/ceremony-verify" >ldd.txt &&
	test_grep "libcrypto" ldd.txt &&
	! grep -E "libp11-kit|libcairo|libqrencode" ldd.txt &&
	! grep -c -a -E "libcairo|libp11-kit|C_GetFunctionList" "$TEST_BUILD/ceremony-verify"
'

# cairo is opened with dlopen when a card is printed (shares/ui), so ceremony
# names it instead of linking it.
test_expect_success 'failing twin: ceremony does link p11-kit and qrencode, and names cairo' '
	ldd "$TEST_BUILD/ceremony" >ldd.txt &&
	test_grep "libp11-kit" ldd.txt && test_grep "libqrencode" ldd.txt &&
	grep -c -a "libcairo" "$TEST_BUILD/ceremony"
'

test_expect_success 'it hardens the process as ceremony does (common/harden.h)' '
	nm "$TEST_BUILD/ceremony-verify" >syms.txt &&
	test_grep " T harden_process$" syms.txt &&
	test_grep " T main$" syms.txt
'

test_done
