#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run of an SO-only ceremony in rehearsal (after token-init): key
# holders log in to the root token with the SO PIN, then rotate it (new SO
# PIN shares, C_SetPIN in the SO session). No step logs in as user, so the
# transcript is signed by the ephemeral software key (key_store "software"):
# "Ceremony completed.", exit 0, and `ceremony verify` says OK. The new SO
# PIN opens the token as SO, the old one does not. Failing twins: lint
# refuses a key.generate after the SO-only login before the token is
# touched; a signature file already in the output directory is refused
# before anything is written; a transcript key that cannot sign its test
# message right after it is made stops the run there (exit 1) and
# ceremony.end never claims "destroyed-after-signing"; a
# transcript signature failing at the end fails the run too, and its
# ceremony.end says destroyed-unsigned (the end is signed in memory before it
# is written); a ceremony stopped
# before its transcript key says it is not signed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
SO=$TEST_TMP/so
INIT=$TEST_TMP/root-init/transcript.jsonl
TOK=$TEST_TMP/softhsm/tokens
FAULTMOD=$TEST_BUILD/tests/libfaultmod.so

cat >"$TEST_TMP/scripts/so-rotate.yaml" <<'YAML'
format: 1
name: Root token SO PIN rotation
version: "1.0"
roster: example-roster.yaml
tokens:
  root: "pkcs11:token=Root%20CA%202026"
roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 3}
secrets:
  so-pin: {kind: so-pin, token: root, groups: [{threshold: 2, count: 3}], group-threshold: 1}
steps:
  - id: attendance
    title: Attendance and identity check
    action: attendance
    actors: [security-officer]
    witnesses: [system-auditor]
  - id: so-login
    title: Key holders log in to the root token as SO
    action: quorum.login
    with: {token: root, secret: so-pin}
    actors: {key-holder: 2}
    witnesses: [security-officer, hsm-administrator]
  - id: rotate
    title: Rotate the SO PIN and issue new shares
    action: pin.rotate
    with: {token: root, secret: so-pin}
    actors: {key-holder: 3}
    witnesses: [security-officer, hsm-administrator]
YAML

cat >"$TEST_TMP/so-rotate.answers" <<'ANS'
operator = hugo
seat.security-officer.1 = alice
seat.system-auditor.1 = sam
seat.hsm-administrator.1 = hugo
seat.key-holder.1 = bob
seat.key-holder.2 = carol
seat.key-holder.3 = dave
present.alice = alice
present.sam = sam
present.hugo = hugo
present.bob = bob
present.carol = carol
present.dave = dave
identity.attendance.alice = confirm
transcript-key.sam = confirm
witness.attendance.sam = confirm
actor-of.so-login.key-holder.1 = bob
actor-of.so-login.key-holder.2 = carol
holder.so-login.1 = bob
holder.so-login.2 = carol
witness.so-login.alice = confirm
witness.so-login.hugo = confirm
holder.rotate.1 = bob
holder.rotate.2 = carol
issue.rotate.so-pin.bob = bob
issue.rotate.so-pin.carol = carol
issue.rotate.so-pin.dave = dave
witness.rotate.alice = confirm
witness.rotate.hugo = confirm
ANS

# A later SO-only ceremony: the SO login alone, by holders H1 H2.
later_so_login() { # DIR H1 H2 [--issued-in ...]
	ls_dir=$1
	sed '/- id: rotate/,$d' "$TEST_TMP/scripts/so-rotate.yaml" >"$TEST_TMP/scripts/so-login.yaml" &&
	sed -e "/rotate/d" -e "s/^\(holder\|actor-of\)\(.so-login.*\.1\) = bob/\1\2 = $2/" \
	    -e "s/^\(holder\|actor-of\)\(.so-login.*\.2\) = carol/\1\2 = $3/" \
	    "$TEST_TMP/so-rotate.answers" >"$ls_dir.answers" &&
	shift 3 &&
	run_rehearsal so-login.yaml "$ls_dir.answers" "$ls_dir" "$@"
}

# scripts/root-ca.yaml (a token transcript key) on the token as token-init
# left it, through the fault module (FUNC failed at its NTH call).
faulty_root_ca() { # OUT [FUNC NTH]
	rm -rf "$TOK" && cp -a "$TEST_TMP/tokens.init" "$TOK" && mkdir -p "$1" &&
	env FAULTMOD_MODULE=$SOFTHSM_MODULE ${2:+FAULTMOD_FUNC=$2 FAULTMOD_NTH=$3} \
		FAULTMOD_RV=CKR_DEVICE_ERROR FAULTMOD_LOG="$1.calls" \
		ceremony run "$TEST_TMP/scripts/root-ca.yaml" --rehearsal --today "$RUN_TODAY" \
		--module "$FAULTMOD" --input "$(run_answers root-ca)" --outdir "$1" \
		--issued-in "$INIT" --issued-in-key "$(run_signer_hex "$INIT")" >"$1.log" 2>&1 </dev/null
}

test_expect_success 'set-up: root token (token-init)' '
	run_rehearsal token-init.yaml "$(run_answers token-init)" "$TEST_TMP/root-init" \
		>log 2>&1 &&
	test_grep "Ceremony completed" log &&
	cp -a "$TOK" "$TEST_TMP/tokens.init"
'

test_expect_success 'the SO-only ceremony lints clean' '
	ceremony lint "$TEST_TMP/scripts/so-rotate.yaml" --today $RUN_TODAY --outdir . >log &&
	test_grep " 0 errors" log
'

test_expect_success 'an SO-only ceremony runs end to end, signed by the software key' '
	run_rehearsal so-rotate.yaml "$TEST_TMP/so-rotate.answers" "$SO" --issued-in "$INIT" \
		>"$TEST_TMP/so.log" 2>&1 &&
	test_grep "logs in to no token as user" "$TEST_TMP/so.log" &&
	test_grep "Logged in to .root. as so" "$TEST_TMP/so.log" &&
	test_grep "Transcript signed: " "$TEST_TMP/so.log" &&
	test_grep "Ceremony completed" "$TEST_TMP/so.log" &&
	grep "\"type\":\"transcript.key\"" "$SO/transcript.jsonl" >tk &&
	test_grep "\"key_store\":\"software\"" tk &&
	grep "\"type\":\"login\"" "$SO/transcript.jsonl" >login &&
	test $(grep -c "\"user\":\"so\"" login) = 2 && ! grep -q "\"user\":\"user\"" login &&
	grep "\"type\":\"pin.changed\"" "$SO/transcript.jsonl" | grep -q "\"user\":\"so\"" &&
	tail -n 1 "$SO/transcript.jsonl" | grep -q "\"transcript_key\":\"destroyed-after-signing\"" &&
	test -s "$SO/transcript.jsonl.p7s"
'

test_expect_success 'its transcript verifies OK (with --script and --roster too)' '
	run_verified "$SO" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out
'

test_expect_success 'failing twin: lint refuses a key.generate after the SO-only login, before the token is touched' '
	cp "$TEST_TMP/scripts/so-rotate.yaml" "$TEST_TMP/scripts/so-keygen.yaml" &&
	cat >>"$TEST_TMP/scripts/so-keygen.yaml" <<-\YAML &&
	  - id: keygen
	    title: Generate a key in the SO session
	    action: key.generate
	    with: {token: root, type: ec, curve: p-256, label: so-made, id: "0f"}
	    actors: [hsm-administrator]
	    witnesses: [security-officer, system-auditor]
	YAML
	test_must_fail ceremony lint "$TEST_TMP/scripts/so-keygen.yaml" --today $RUN_TODAY \
		--outdir . >lint.log &&
	test_grep "so-keygen.yaml:31:19: error: step .keygen.: key.generate on token .root. needs a user login, but step .so-login. logged in to it as SO" lint.log &&
	test_exit_code 1 run_rehearsal so-keygen.yaml "$TEST_TMP/so-rotate.answers" "$PWD/kg" \
		--issued-in "$INIT" --issued-in "$SO/transcript.jsonl" >log 2>&1 &&
	test_grep "needs a user login, but step .so-login. logged in to it as SO" log &&
	test_grep "lint errors\{0,1\}: refusing to run" log &&
	test ! -e kg/transcript.jsonl &&
	! grep -q "^so-pin " kg/rehearsal/*.shares 2>/dev/null
'

test_expect_success 'the new SO PIN opens the token as SO (a later SO-only ceremony)' '
	old=$(run_pin "$TEST_TMP/root-init" so-pin bob carol) &&
	new=$(run_pin "$SO" so-pin carol dave) &&
	test ${#new} = 24 && test "$old" != "$new" &&
	later_so_login "$PWD/new" carol dave --issued-in "$INIT" --issued-in "$SO/transcript.jsonl" \
		>log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$PWD/new"
'

test_expect_success 'failing twin: the old SO PIN shares are refused by the token' '
	test_exit_code 1 later_so_login "$PWD/old" bob carol --issued-in "$INIT" >log 2>&1 &&
	grep "\"type\":\"login.failed\"" old/transcript.jsonl | grep -q CKR_PIN_INCORRECT &&
	tail -n 1 old/transcript.jsonl | grep -q "\"status\":\"failed\""
'

test_expect_success 'failing twin: a signature file already in the output directory is refused first' '
	mkdir out && echo old >out/transcript.jsonl.p7s &&
	test_exit_code 1 run_rehearsal so-rotate.yaml "$TEST_TMP/so-rotate.answers" "$PWD/out" \
		--issued-in "$INIT" >log 2>&1 &&
	test_grep "transcript.jsonl.p7s: already exists; a transcript signature is never overwritten" log &&
	test ! -e out/transcript.jsonl && test "$(cat out/transcript.jsonl.p7s)" = old
'

# The token transcript key signs three times: its signer certificate and a
# test message through OpenSSL CMS right after it is made (the first two
# C_Sign calls, at the login step, before anything else is done), then the
# transcript (the last C_Sign).
test_expect_success 'set-up: a clean root-ca through the fault module counts its C_Sign calls' '
	faulty_root_ca "$TEST_TMP/clean" &&
	test_grep "Ceremony completed" "$TEST_TMP/clean.log" &&
	test_grep "The transcript key signed a test message (OpenSSL CMS through pkcs11-provider), verified" "$TEST_TMP/clean.log" &&
	grep -c "^C_Sign " "$TEST_TMP/clean.calls" >"$TEST_TMP/nsign" &&
	test "$(cat "$TEST_TMP/nsign")" -ge 3
'

test_expect_success 'failing twin: a transcript key that cannot sign its test message stops the run at once, never claiming a signature' '
	test_exit_code 1 faulty_root_ca "$PWD/k" C_Sign 2 &&
	test_grep "the transcript key cannot sign the transcript (OpenSSL CMS through pkcs11-provider): stopping before the shares are issued" k.log &&
	test_grep "CKR_DEVICE_ERROR" k.log &&
	! grep -q "Ceremony completed" k.log &&
	test_grep "Transcript key destroyed on .root." k.log &&
	! grep -q "\"step\":\"keygen\"" k/transcript.jsonl &&
	tail -n 1 k/transcript.jsonl >end &&
	test_grep "\"status\":\"failed\"" end &&
	test_grep "\"transcript_key\":\"destroyed-unsigned\"" end &&
	! grep -q "after-signing" k/transcript.jsonl &&
	grep "\"type\":\"logout\"" k/transcript.jsonl | grep -q "\"when\":\"at-end\"" &&
	test ! -e k/transcript.jsonl.p7s &&
	test_exit_code 3 ceremony verify k/transcript.jsonl >out &&
	test_grep INCOMPLETE out
'

test_expect_success 'failing twin: a transcript signature that fails at the end fails the run, and ceremony.end never claims it' '
	n=$(cat "$TEST_TMP/nsign") &&
	test_exit_code 1 faulty_root_ca "$PWD/s" C_Sign $n &&
	test_grep "is NOT signed: the ceremony is not completed" s.log &&
	test_grep "destroyed-unsigned" s.log &&
	tail -n 1 s/transcript.jsonl >end &&
	test_grep "\"status\":\"failed\"" end &&
	test_grep "\"transcript_key\":\"destroyed-unsigned\"" end &&
	! grep -q "after-signing" s/transcript.jsonl &&
	grep "\"type\":\"error\"" s/transcript.jsonl | grep -q "transcript signature failed" &&
	! grep -q "Ceremony completed" s.log &&
	test_grep "Transcript key destroyed on .root." s.log &&
	test ! -e s/transcript.jsonl.p7s &&
	test_exit_code 3 ceremony verify s/transcript.jsonl >out &&
	test_grep "not signed" out
'

test_expect_success 'failing twin: a ceremony stopped before its transcript key says it is not signed' '
	test_exit_code 1 faulty_root_ca "$PWD/l" C_Login 1 &&
	test_grep "NOT signed: the ceremony stopped before its transcript key was made" l.log &&
	! grep -q "Ceremony completed" l.log &&
	tail -n 1 l/transcript.jsonl | grep -q "\"transcript_key\":\"none\"" &&
	test ! -e l/transcript.jsonl.p7s
'

test_done
