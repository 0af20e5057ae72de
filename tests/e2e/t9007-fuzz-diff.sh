#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Differential checks on the checked-in fuzz corpora (a few seconds): the
# transcript line reader (tjson.c, through build/tests/tjson-dump) against
# Python's json with the documented rules (tests/tools/tjson-diff.py), and
# SLIP-39 share decoding (slip39.c, through build/tests/slip39-dump) against
# a reference decoder written from the specification with the official
# wordlist (tests/tools/slip39-diff.py). Any disagreement fails. The twins
# prove the checks can fail. On the long-run corpora: make fuzz-diff.
. "$(dirname "$0")/lib.sh"

TJ=$TEST_BUILD/tests/tjson-dump
SD=$TEST_BUILD/tests/slip39-dump
C=$TEST_TOP/tests/fuzz/corpus
VEC=$TEST_TOP/../shared/vectors/slip39

test_expect_success 'the reader and Python json agree on every tjson and transcript seed' '
	python3 "$TEST_TOP/tests/tools/tjson-diff.py" "$TJ" "$C/tjson" "$C/verify" >out &&
	cat out && test_grep "0 disagreements" out && test_grep "inputs, [1-9][0-9]* accepted" out
'

test_expect_success 'twin: a reader that refuses everything is caught' '
	printf "#!/bin/sh\nwhile read -r f; do echo REJECT; done\n" >reject-all &&
	chmod +x reject-all &&
	test_must_fail python3 "$TEST_TOP/tests/tools/tjson-diff.py" ./reject-all "$C/tjson" >out &&
	test_grep "^DIFFER .*tjson rejects, python accepts" out
'

test_expect_success 'twin: a value read differently is caught (strings compared by their bytes)' '
	printf "{\"a\":\"\\\\u00e9\"}" >one.json &&
	printf "#!/bin/sh\nwhile read -r f; do echo \"ACCEPT {\\\\\"o\\\\\":[[\\\\\"61\\\\\",{\\\\\"s\\\\\":\\\\\"65\\\\\"}]]}\"; done\n" >wrong-value &&
	chmod +x wrong-value &&
	python3 "$TEST_TOP/tests/tools/tjson-diff.py" "$TJ" one.json >ok.out &&
	test_grep "0 disagreements" ok.out &&
	test_must_fail python3 "$TEST_TOP/tests/tools/tjson-diff.py" ./wrong-value one.json >out &&
	test_grep "^DIFFER .*tjson accepts, python accepts" out
'

test_expect_success 'SLIP-39 decoding agrees with the reference decoder on every seed' '
	python3 "$TEST_TOP/tests/tools/slip39-diff.py" "$SD" "$C/slip39_text" "$C/entry" "$C/slip39_decode" >out &&
	cat out && test_grep "0 disagreements" out && test_grep "inputs, [1-9][0-9]* accepted" out
'

test_expect_success 'twin: a reference with two words swapped disagrees (the check reads the words)' '
	mkdir -p vec &&
	sed -e "1s/.*/acid/;2s/.*/academic/" "$VEC/wordlist.txt" >vec/wordlist.txt &&
	test_must_fail python3 "$TEST_TOP/tests/tools/slip39-diff.py" --vectors vec "$SD" "$C/slip39_text" >out &&
	test_grep "^DIFFER " out
'

test_done
