# tests/e2e/lib-run.sh - rehearsal ceremonies for end-to-end tests. Source
# after lib.sh and lib-softhsm.sh (softhsm_setup first).
#
#   run_scripts_setup            copy scripts/*.yaml to $TEST_TMP/scripts
#   run_token_variant NAME LABEL PREFIX
#                                scripts/token-init-NAME.yaml: token-init for a
#                                token labelled LABEL, secrets PREFIX-so-pin and
#                                PREFIX-user-pin; answers in $TEST_TMP/NAME.answers
#   run_rehearsal SCRIPT ANSWERS OUTDIR [ARG...]
#                                ceremony run in rehearsal (--today fixed to a
#                                day the example roster is valid), OUTDIR made
#   run_verified OUTDIR          ceremony verify OK (outputs too) and stock
#                                openssl cms -verify of its transcript
#   run_answers NAME             the answer file scripts/demo/NAME.answers
RUN_TODAY=2026-11-27

run_scripts_setup() {
	mkdir -p "$TEST_TMP/scripts" &&
	cp "$TEST_TOP"/scripts/*.yaml "$TEST_TMP/scripts/"
}

run_answers() {
	echo "$TEST_TOP/scripts/demo/$1.answers"
}

run_token_variant() { # NAME LABEL PREFIX
	uri=$(printf '%s' "$2" | sed 's/ /%20/g')
	sed -e "s/Root%20CA%202026/$uri/g" -e "s/label: Root CA 2026/label: $2/" \
	    -e "s/^  so-pin:/  $3-so-pin:/" -e "s/^  user-pin:/  $3-user-pin:/" \
	    -e "s/so-pin: so-pin, user-pin: user-pin/so-pin: $3-so-pin, user-pin: $3-user-pin/" \
	    "$TEST_TOP/scripts/token-init.yaml" >"$TEST_TMP/scripts/token-init-$1.yaml" &&
	sed -e "s/^issue\.init\.so-pin\./issue.init.$3-so-pin./" \
	    -e "s/^issue\.init\.user-pin\./issue.init.$3-user-pin./" \
	    "$(run_answers token-init)" >"$TEST_TMP/$1.answers"
}

run_rehearsal() { # SCRIPT ANSWERS OUTDIR [ARG...]
	rr_script=$1 rr_answers=$2 rr_out=$3
	shift 3
	mkdir -p "$rr_out" &&
	ceremony run "$TEST_TMP/scripts/$rr_script" --rehearsal --today "$RUN_TODAY" \
		--module "$SOFTHSM_MODULE" --input "$rr_answers" --outdir "$rr_out" "$@"
}

run_verified() { # OUTDIR
	ceremony verify "$1/transcript.jsonl" --outputs "$1" &&
	openssl cms -verify -binary -inform PEM -in "$1/transcript.jsonl.p7s" \
		-content "$1/transcript.jsonl" -CAfile "$1/transcript-signer.pem" \
		-purpose any -out /dev/null
}
