#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fault-injection sweep (issue 6 section 5): scripts/root-ca.yaml in rehearsal
# (after token-init) through the fault module (build/tests/libfaultmod.so over
# SoftHSM). A clean run's FAULTMOD_LOG lists every PKCS#11 call it makes; each
# distinct (function, nth) is failed in turn with CKR_DEVICE_ERROR, bounded:
# the first FAULT_CAP (default 3) calls of each function and its last one.
# For every fault, either the run fails cleanly:
#  - exit 1 or 3 (never a crash: < 128), the message names the C_ function
#    and CKR_DEVICE_ERROR;
#  - the transcript (when the run got that far) ends with an `error` event
#    naming the function and the CKR, and `ceremony verify` says INCOMPLETE
#    (exit 3), never OK; no temporary output (*.tmp-*) left;
# or the call was one the runner may survive (exit 0): then the transcript
# verifies OK; such calls are listed in the log. Calls pkcs11-provider makes
# for OpenSSL fail with OpenSSL's message (no C_ name): still exit 1/3 and
# INCOMPLETE. One known third-party crash is listed, not hidden. Under check-asan every run is
# also leak-checked (any sanitizer report fails the suite).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
TOK=$TEST_TMP/softhsm/tokens
FAULTMOD=$TEST_BUILD/tests/libfaultmod.so
INIT=$TEST_TMP/root-init/transcript.jsonl
# Under check-asan / check-memcheck (SANITIZER_LOG_DIR set): the first and last
# call of each function only, and two known pkcs11-provider faults left out
# (they would be reported against the suite; the normal run lists them): its
# double free after a failed C_GetMechanismList, and a 1-byte leak of its own
# when a C_GetAttributeValue fails while it loads the transcript key
# (allocated by the provider, under p11_ossl_key_load; exit 1 without ASan).
CAP=${FAULT_CAP:-${SANITIZER_LOG_DIR:+1}}
CAP=${CAP:-3}

faulty_run() { # OUT [FUNC NTH]
	rm -rf "$TOK" && cp -a "$TEST_TMP/tokens.init" "$TOK" && mkdir -p "$1" &&
	env FAULTMOD_MODULE=$SOFTHSM_MODULE ${2:+FAULTMOD_FUNC=$2 FAULTMOD_NTH=$3} \
		FAULTMOD_RV=CKR_DEVICE_ERROR FAULTMOD_LOG="$1.calls" \
		ceremony run "$TEST_TMP/scripts/root-ca.yaml" --rehearsal --today "$RUN_TODAY" \
		--module "$FAULTMOD" --input "$(run_answers root-ca)" --outdir "$1" \
		--issued-in "$INIT" --issued-in-key "$(run_signer_hex "$INIT")" >"$1.log" 2>&1 </dev/null
}

test_expect_success 'set-up: token-init; a clean root-ca through the module lists its calls' '
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$TEST_TMP/root-init" \
		>"$TEST_TMP/root-init.log" 2>&1 &&
	cp -a "$TOK" "$TEST_TMP/tokens.init" &&
	faulty_run "$TEST_TMP/clean" &&
	ceremony verify "$TEST_TMP/clean/transcript.jsonl" >/dev/null &&
	cut -d" " -f1 "$TEST_TMP/clean.calls" | awk -v cap=$CAP "
		{ n[\$1]++; if (n[\$1] <= cap) print \$1, n[\$1] }
		END { for (f in n) if (n[f] > cap) print f, n[f] }" | sort -u |
		if [ -n "${SANITIZER_LOG_DIR:-}" ]; then
			grep -v -e "^C_GetMechanismList " -e "^C_GetAttributeValue [0-9]*[02-9]$" \
				-e "^C_GetAttributeValue [0-9][0-9]"
		else cat; fi \
		>"$TEST_TMP/points" &&
	echo "$(wc -l <"$TEST_TMP/clean.calls") calls, $(wc -l <"$TEST_TMP/points") fault points" &&
	test "$(wc -l <"$TEST_TMP/points")" -gt 10
'

test_expect_success 'each PKCS#11 call failed in turn: clean error, transcript INCOMPLETE, no crash' '
	rm -f "$TEST_TMP/failures" && i=0 &&
	while read -r f n; do
		i=$((i + 1)) o=$TEST_TMP/f$i p="$f #$n"
		bad() { echo "$p: $*" >>"$TEST_TMP/failures"; }
		faulty_run "$o" "$f" "$n"; rc=$?
		grep -q "$f 0x.* injected" "$o.calls" || bad "the fault was not injected"
		if [ $rc = 0 ]; then
			ceremony verify "$o/transcript.jsonl" >/dev/null 2>&1 || bad "exit 0 but verify fails"
			echo "$p: tolerated (exit 0, transcript OK)" >>"$TEST_TMP/results"
			continue
		fi
		# Known, third-party: pkcs11-provider double-frees at OSSL_LIB_CTX_free
		# when its own C_GetMechanismList failed during provider init (after
		# the ceremony completed and signed); reported, not fixed here.
		if [ "$f" = C_GetMechanismList ] && [ $rc = 134 ] && grep -q "double free" "$o.log"; then
			echo "$p: KNOWN third-party crash at exit (pkcs11-provider double free)" >>"$TEST_TMP/results"
			continue
		fi
		[ $rc = 1 -o $rc = 3 ] || bad "exit $rc"
		via=""
		if ! grep -q "$f" "$o.log"; then
			# A call pkcs11-provider makes for OpenSSL: the OpenSSL error has no
			# C_ name or CKR; the failure must still be clean and unproven.
			via=" (via pkcs11-provider: OpenSSL error without the C_ name)"
		else
			grep -q "CKR_DEVICE_ERROR" "$o.log" || bad "no CKR_DEVICE_ERROR in the message"
		fi
		if [ -s "$o/transcript.jsonl" ]; then
			ceremony verify "$o/transcript.jsonl" >"$o.verify" 2>&1; vrc=$?
			[ $vrc = 3 ] || bad "verify exit $vrc: $(head -n 2 "$o.verify" | tr "\n" " ")"
			if [ -z "$via" ] && [ $rc = 1 ]; then
				grep "\"type\":\"error\"" "$o/transcript.jsonl" | grep -q "CKR_DEVICE_ERROR" ||
					bad "no error event with the CKR"
			fi
		fi
		find "$o" -name "*.tmp-*" | grep -q . && bad "temporary file left"
		echo "$p: exit $rc$via, $(grep -m 1 "C_\|rror" "$o.log" | cut -c1-120)" >>"$TEST_TMP/results"
	done <"$TEST_TMP/points" &&
	cat "$TEST_TMP/results" &&
	test "$(wc -l <"$TEST_TMP/results")" = "$(wc -l <"$TEST_TMP/points")" &&
	if test -e "$TEST_TMP/failures"; then cat "$TEST_TMP/failures"; false; fi
'

test_expect_success 'twin: a fault on a call the run never makes changes nothing (exit 0, OK)' '
	faulty_run "$TEST_TMP/never" C_Sign 1000 &&
	ceremony verify "$TEST_TMP/never/transcript.jsonl" >/dev/null &&
	! grep -q injected "$TEST_TMP/never.calls"
'

test_done
