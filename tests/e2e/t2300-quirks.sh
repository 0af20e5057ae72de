#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Token quirks of real modules (docs/pkcs11.md, "Token quirks"), emulated by
# the fault module's FAULTMOD_QUIRKS over SoftHSM: the ready ceremonies
# (token-init, then root-ca) complete and verify through them. nul-padding:
# fixed-width fields padded with NULs are trimmed, so no URI carries %00 and
# pkcs11-provider finds the keys; same-serial: every token reports serial
# 0000000000000000, and the token initialised is found again without the
# serial; latin1: a manufacturer and model in ISO 8859-1 are recorded
# escaped. Failing twins: a URI carrying %00 padding finds no token; two
# tokens with the same label and the same serial are refused by name (they
# report the same serial) with the blank token left blank.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
TOK=$TEST_TMP/softhsm/tokens
FAULTMOD=$TEST_BUILD/tests/libfaultmod.so

# ceremony run in rehearsal through the fault module with FAULTMOD_QUIRKS=Q.
quirk_rehearsal() { # Q SCRIPT ANSWERS OUTDIR [ARG...]
	qr_q=$1 qr_script=$2 qr_answers=$3 qr_out=$4
	shift 4
	mkdir -p "$qr_out" &&
	run_pinned env FAULTMOD_MODULE="$SOFTHSM_MODULE" FAULTMOD_QUIRKS="$qr_q" \
		ceremony run "$TEST_TMP/scripts/$qr_script" --rehearsal --today "$RUN_TODAY" \
		--module "$FAULTMOD" --input "$qr_answers" --outdir "$qr_out" "$@" </dev/null
}

quirk_list() { # Q: ceremony hsm list through the fault module
	env FAULTMOD_MODULE="$SOFTHSM_MODULE" FAULTMOD_QUIRKS="$1" \
		ceremony hsm list --module "$FAULTMOD"
}

blank_slots() { # how many blank slots SoftHSM itself shows
	softhsm2-util --show-slots | grep -c "Initialized: *no"
}

# ---- nul-padding -----------------------------------------------------------

test_expect_success 'nul-padding: hsm list through the shim prints the fields trimmed, no %00' '
	rm -rf "$TOK" && mkdir -p "$TOK" && softhsm_token "Padded" &&
	quirk_list nul-padding >list &&
	test_grep "uri *pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=[0-9a-f]*;token=Padded$" list &&
	! grep -q "%00" list
'

test_expect_success 'nul-padding: token-init then root-ca complete through the shim, no URI carries %00' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	quirk_rehearsal nul-padding token-init.yaml "$(run_answers token-init)" \
		"$TEST_TMP/nul-init" >"$TEST_TMP/nul-init.log" 2>&1 &&
	test_grep "Ceremony completed" "$TEST_TMP/nul-init.log" &&
	quirk_rehearsal nul-padding root-ca.yaml "$(run_answers root-ca)" "$TEST_TMP/nul-root" \
		--issued-in "$TEST_TMP/nul-init/transcript.jsonl" >"$TEST_TMP/nul-root.log" 2>&1 &&
	test_grep "Ceremony completed" "$TEST_TMP/nul-root.log" &&
	! grep -q "%00" "$TEST_TMP/nul-init.log" "$TEST_TMP/nul-root.log" \
		"$TEST_TMP/nul-init/transcript.jsonl" "$TEST_TMP/nul-root/transcript.jsonl" &&
	grep -q "pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=" \
		"$TEST_TMP/nul-root/transcript.jsonl" &&
	openssl verify -CAfile "$TEST_TMP/nul-root/root-ca.pem" "$TEST_TMP/nul-root/root-ca.pem"
'

test_expect_success 'nul-padding: both transcripts verify OK' '
	run_verified "$TEST_TMP/nul-init" >out 2>&1 && test_grep "transcript.jsonl: OK" out &&
	run_verified "$TEST_TMP/nul-root" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

test_expect_success 'failing twin: a URI carrying %00 padding finds no token, nothing touched' '
	sed "s/Root%20CA%202026\"/Root%20CA%202026%00%00\"/" "$TEST_TMP/scripts/root-ca.yaml" \
		>"$TEST_TMP/scripts/root-ca-nul.yaml" &&
	grep -q "%00" "$TEST_TMP/scripts/root-ca-nul.yaml" &&
	cp -a "$TOK" tokens.before &&
	test_must_fail quirk_rehearsal nul-padding root-ca-nul.yaml "$(run_answers root-ca)" \
		out --issued-in "$TEST_TMP/nul-init/transcript.jsonl" >log 2>&1 &&
	test_grep "no initialised token matches" log &&
	! grep -q "Ceremony completed" log &&
	diff -r tokens.before "$TOK"
'

# ---- same-serial -----------------------------------------------------------

test_expect_success 'same-serial: every token reports 0000000000000000 through the shim' '
	rm -rf "$TOK" && mkdir -p "$TOK" && softhsm_token "Other" &&
	quirk_list same-serial >list &&
	test $(grep -c "serial *0000000000000000" list) = 2
'

test_expect_success 'same-serial: token-init beside another token with that serial finds its token again' '
	quirk_rehearsal same-serial token-init.yaml "$(run_answers token-init)" \
		"$TEST_TMP/ss-init" >"$TEST_TMP/ss-init.log" 2>&1 &&
	test_grep "Ceremony completed" "$TEST_TMP/ss-init.log" &&
	grep "\"type\":\"token.initialised\"" "$TEST_TMP/ss-init/transcript.jsonl" >ev &&
	test_grep "\"serial\":\"0000000000000000\"" ev &&
	softhsm2-util --show-slots >slots &&
	test_grep "Label: *Other *$" slots &&
	test_grep "Label: *Root CA 2026 *$" slots
'

test_expect_success 'same-serial: root-ca completes on it and both transcripts verify' '
	quirk_rehearsal same-serial root-ca.yaml "$(run_answers root-ca)" "$TEST_TMP/ss-root" \
		--issued-in "$TEST_TMP/ss-init/transcript.jsonl" >"$TEST_TMP/ss-root.log" 2>&1 &&
	test_grep "Ceremony completed" "$TEST_TMP/ss-root.log" &&
	run_verified "$TEST_TMP/ss-init" >out 2>&1 && test_grep "transcript.jsonl: OK" out &&
	run_verified "$TEST_TMP/ss-root" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

# ---- latin1 ----------------------------------------------------------------
# A token whose manufacturer and model are ISO 8859-1, not UTF-8: jansson
# alone refuses them, and the run stopped at its start with "out of memory"
# (so did `ceremony check --json`, also for a module in a Latin-1 directory).
# They are recorded escaped (ceremony/transcript/jtext.h), as a terminal shows them.

test_expect_success 'latin1: token-init and root-ca complete, the token strings recorded escaped (check --json too), both verify' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	env FAULTMOD_MODULE="$SOFTHSM_MODULE" FAULTMOD_QUIRKS=latin1 \
		ceremony hsm list --module "$FAULTMOD" --json >h.json &&
	grep -F "\"model\": \"Cl\\\\xe9 \\\\xb5HSM\"" h.json &&
	quirk_rehearsal latin1 token-init.yaml "$(run_answers token-init)" \
		"$TEST_TMP/l1-init" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	L1=$(printf "m\366d") && mkdir "$L1" && cp "$FAULTMOD" "$L1/" &&
	env FAULTMOD_MODULE="$SOFTHSM_MODULE" FAULTMOD_QUIRKS=latin1 \
		ceremony check "$TEST_TMP/scripts/root-ca.yaml" --module "$PWD/$L1/libfaultmod.so" \
		--json >c.json &&
	grep -F "\"module\": \"$PWD/m\\\\xf6d/libfaultmod.so\"" c.json &&
	grep -F "model Cl\\\\xe9 \\\\xb5HSM, manufacturer" c.json &&
	quirk_rehearsal latin1 root-ca.yaml "$(run_answers root-ca)" "$TEST_TMP/l1-root" \
		--issued-in "$TEST_TMP/l1-init/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	! grep -q "out of memory" log &&
	head -n 1 "$TEST_TMP/l1-root/transcript.jsonl" >start &&
	test_grep -F "\"manufacturer\":\"Soci\\\\xe9t\\\\xe9 g\\\\xe9n\\\\xe9rale\"" start &&
	test_grep -F "\"model\":\"Cl\\\\xe9 \\\\xb5HSM\"" start &&
	run_verified "$TEST_TMP/l1-init" >out 2>&1 && test_grep "transcript.jsonl: OK" out &&
	run_verified "$TEST_TMP/l1-root" >out 2>&1 && test_grep "transcript.jsonl: OK" out &&
	ceremony replay "$TEST_TMP/l1-root/transcript.jsonl" >r.out
'

test_expect_success 'failing twin: two tokens with the label and the same serial are refused by name, the blank left blank' '
	rm -rf "$TOK" && mkdir -p "$TOK" && softhsm_token "Root CA 2026" && softhsm_token "Root CA 2026" &&
	test $(blank_slots) = 1 &&
	test_must_fail quirk_rehearsal same-serial token-init.yaml "$(run_answers token-init)" \
		out >log 2>&1 &&
	test_grep "2 tokens match .pkcs11:token=Root%20CA%202026." log &&
	test_grep "they report the same serial" log &&
	test_grep "serial= cannot tell them apart: give each token its own label, or add model= or manufacturer= to the URI" log &&
	test_grep "^MISSING init (token) token .root.: no token yet for pkcs11:token=Root%20CA%202026, and a blank one" log &&
	test_grep "refusing to start; nothing was written to the token" log &&
	! grep -q "Ceremony completed" log &&
	test $(blank_slots) = 1
'

test_expect_success 'twin of the twin: without the quirk the same two tokens are told apart by serial' '
	test_must_fail run_rehearsal token-init.yaml "$(run_answers token-init)" out2 >log 2>&1 &&
	test_grep "2 tokens match" log &&
	test_grep "add serial= to the URI" log &&
	test_grep "refusing to start; nothing was written to the token" log &&
	test $(blank_slots) = 1 &&
	! grep -q "they report the same serial" log
'

test_expect_success 'refuse-attr: a token refusing CKA_EXTRACTABLE=TRUE on EC keys stops root-ca at its key, naming the attributes asked' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	quirk_rehearsal "" token-init.yaml "$(run_answers token-init)" "$TEST_TMP/ra-init" \
		>"$TEST_TMP/ra-init.log" 2>&1 &&
	test_must_fail quirk_rehearsal refuse-attr=CKA_EXTRACTABLE:EC root-ca.yaml \
		"$(run_answers root-ca)" "$TEST_TMP/ra-root" \
		--issued-in "$TEST_TMP/ra-init/transcript.jsonl" >log 2>&1 &&
	test_grep "C_GenerateKeyPair" log &&
	test_grep "CKA_EXTRACTABLE=TRUE" log &&
	test_grep "a script without extractable: true may fit this token" log &&
	! grep -q "Ceremony completed" log
'

test_expect_success 'twin: the same token without the quirk runs root-ca to the end' '
	quirk_rehearsal "" root-ca.yaml "$(run_answers root-ca)" "$TEST_TMP/ra-root2" \
		--issued-in "$TEST_TMP/ra-init/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log
'

test_done
