# SPDX-License-Identifier: Apache-2.0
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
#   run_verified OUTDIR          ceremony verify OK (outputs too), again with
#                                --script/--roster (run_verified_semantics),
#                                and stock openssl cms -verify of its transcript
#   run_answers NAME             the answer file scripts/demo/NAME.answers
#   run_signer_hex TRANSCRIPT    the SPKI SHA-256 its transcript.key announces
#   run_pinned CMD [ARG...]      CMD with each --issued-in X followed by
#                                --issued-in-key (X's announced key): the tests'
#                                stand-in for the paper log (run_rehearsal does it)
#   run_root_setup, run_pin, run_crl_answers: see below
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

run_signer_hex() { # TRANSCRIPT
	grep "\"type\":\"transcript.key\"" "$1" 2>/dev/null |
		sed -n "s/.*\"spki_sha256\":\"\([0-9a-f]\{64\}\)\".*/\1/p" | head -n 1
}

run_pinned() { # CMD [ARG...]
	rp_args=()
	while [ $# -gt 0 ]; do
		rp_args+=("$1")
		if [ "$1" = --issued-in ] && [ $# -gt 1 ]; then
			rp_args+=("$2")
			rp_hex=$(run_signer_hex "$2")
			[ -z "$rp_hex" ] || rp_args+=(--issued-in-key "$rp_hex")
			shift
		fi
		shift
	done
	"${rp_args[@]}"
}

run_rehearsal() { # SCRIPT ANSWERS OUTDIR [ARG...]
	rr_script=$1 rr_answers=$2 rr_out=$3
	shift 3
	mkdir -p "$rr_out" &&
	run_pinned ceremony run "$TEST_TMP/scripts/$rr_script" --rehearsal --today "$RUN_TODAY" \
		--module "$SOFTHSM_MODULE" --input "$rr_answers" --outdir "$rr_out" "$@"
}

run_verified() { # OUTDIR
	ceremony verify "$1/transcript.jsonl" --outputs "$1" &&
	run_verified_semantics "$1" &&
	openssl cms -verify -binary -inform PEM -in "$1/transcript.jsonl.p7s" \
		-content "$1/transcript.jsonl" -CAfile "$1/transcript-signer.pem" \
		-purpose any -out /dev/null
}

# ceremony verify --script S --roster R (the semantic checks) on OUTDIR's
# transcript, S being the script ceremony.start names and R the roster that
# script names (beside it).
run_verified_semantics() { # OUTDIR
	rv_s=$(head -n 1 "$1/transcript.jsonl" | sed -n 's/.*"script":"\([^"]*\)".*/\1/p') &&
	rv_r=$(sed -n 's/^roster: *//p' "$rv_s") &&
	ceremony verify "$1/transcript.jsonl" --outputs "$1" --script "$rv_s" \
		--roster "$(dirname "$rv_s")/$rv_r"
}

# The root token as the ready scripts leave it: token-init in $TEST_TMP/root-init,
# root-ca (key root-ca-2026, root-ca.pem) in $TEST_TMP/root.
run_root_setup() {
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$TEST_TMP/root-init" \
		>"$TEST_TMP/root-init.log" 2>&1 &&
	run_rehearsal root-ca.yaml "$(run_answers root-ca)" "$TEST_TMP/root" \
		--issued-in "$TEST_TMP/root-init/transcript.jsonl" >"$TEST_TMP/root.log" 2>&1
}

# A PIN recovered from three holders' rehearsal files (tests only: this is
# what the quorum does in locked memory): the secret combined, then the PIN
# derived as the last share.issued of SECRET in DIR's transcript records
# (pin_derivation; none: the secret is the PIN, sets issued before derived
# PINs), by tests/e2e/pin-derive.py, written from docs/share-format.md alone.
run_pin() { # DIR SECRET HOLDER HOLDER HOLDER
	rp_dir=$1 rp_sec=$2
	shift 2
	rp_der=$(run_pin_derivation "$rp_dir" "$rp_sec")
	for h in "$@"; do
		grep "^$rp_sec " "$rp_dir/rehearsal/$h.shares" | tail -n 1 | cut -d' ' -f4-
	done | ceremony shares combine --batch | python3 "$TEST_TOP/tests/e2e/pin-derive.py" "$rp_der"
}
# The pin_derivation of the last share.issued of SECRET in DIR's transcript.
run_pin_derivation() { # DIR SECRET
	grep '"type":"share.issued"' "$1/transcript.jsonl" | grep "\"secret\":\"$2\"" |
		tail -n 1 | sed -n 's/.*"pin_derivation":"\([^"]*\)".*/\1/p'
}

# Answers for scripts/crl.yaml with key holders H1 H2 H3 instead of bob,
# carol, dave: a later ceremony whose quorum.login uses the current shares.
run_crl_answers() { # H1 H2 H3 > FILE
	sed -e 's/= bob$/= @1/; s/^present\.bob /present.@1 /' \
	    -e 's/= carol$/= @2/; s/^present\.carol /present.@2 /' \
	    -e 's/= dave$/= @3/; s/^present\.dave /present.@3 /' \
	    -e "s/@1/$1/g; s/@2/$2/g; s/@3/$3/g" "$(run_answers crl)"
}
