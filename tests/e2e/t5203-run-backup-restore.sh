#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run scripts/backup-restore.yaml in rehearsal: the root key wrapped
# under a split AES-256 key (docs/backup-format.md), restored on a second
# token; the restored key signs and the signature verifies with the ORIGINAL
# public key; transcript verified (ceremony verify, openssl cms -verify).
# Failing twins: a tampered blob is refused and nothing is left on the target
# token (the same blob untampered then restores there); a blob whose public
# key was swapped is refused before any share is asked; an existing output is
# refused before anything happens; a non-extractable key cannot be backed up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
BR=$TEST_TMP/br
ISSUED="--issued-in $TEST_TMP/root-init/transcript.jsonl"

# A restore-only ceremony on the spare token, from a blob in its outdir.
cat >"$TEST_TMP/scripts/restore-only.yaml" <<'YAML'
format: 1
name: Root key restore on the spare token
version: "1.0"
roster: example-roster.yaml
tokens:
  spare: "pkcs11:token=Root%20CA%202026%20spare"
roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 5}
secrets:
  spare-user-pin: {kind: pin, token: spare, groups: [{threshold: 3, count: 5}], group-threshold: 1}
  wrap-key: {kind: aes-256, groups: [{threshold: 2, count: 3}], group-threshold: 1}
steps:
  - id: attendance
    title: Attendance and identity check
    action: attendance
    actors: [security-officer]
    witnesses: [system-auditor]
  - id: backup-login
    title: Key holders log in to the spare token
    action: quorum.login
    with: {token: spare, secret: spare-user-pin}
    actors: {key-holder: 3}
    witnesses: [security-officer, hsm-administrator]
  - id: restore
    title: Restore the root key on the spare token
    action: key.restore
    with: {token: spare, input: root-ca-2026.wrapped, wrap-key: wrap-key}
    actors: {hsm-administrator: 1, key-holder: 2}
    witnesses: [security-officer, system-auditor]
YAML
sed -e '/^# Step login/,/^witness\.login\.hugo/d' -e '/^# Step backup:/,/^witness\.backup\.sam/d' \
    -e '/^fingerprint\./d' -e '/^witness\.fingerprint/d' \
    -e 's/^actor-of\.backup-login\.key-holder\.1 = carol/&\ntranscript-key.alice = confirm\ntranscript-key.hugo = confirm/' \
    "$(run_answers backup-restore)" >"$TEST_TMP/restore-only.answers"
objects_on() { # LABEL PIN: objects labelled root-ca-2026 on the token (login must work)
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "$1" --login --pin "$2" \
		--list-objects >"$TEST_TMP/objects" 2>&1 || { echo "login failed" && return 1; }
	grep -c "label: *root-ca-2026" "$TEST_TMP/objects"
}
restore_only() { # DIR
	run_rehearsal restore-only.yaml "$TEST_TMP/restore-only.answers" "$1" \
		--issued-in "$TEST_TMP/spare-init/transcript.jsonl" --issued-in "$BR/transcript.jsonl"
}

test_expect_success 'set-up: root token, backup and spare tokens initialised' '
	run_root_setup &&
	run_rehearsal backup-token-init.yaml "$(run_answers backup-token-init)" \
		"$TEST_TMP/backup-init" >log 2>&1 &&
	run_token_variant spare "Root CA 2026 spare" spare &&
	run_rehearsal token-init-spare.yaml "$TEST_TMP/spare.answers" "$TEST_TMP/spare-init" \
		>>log 2>&1
'

test_expect_success 'failing twin: an existing output is refused before anything happens' '
	mkdir -p out && echo x >out/root-ca-2026.wrapped &&
	test_exit_code 1 run_rehearsal backup-restore.yaml "$(run_answers backup-restore)" \
		"$PWD/out" $ISSUED --issued-in "$TEST_TMP/backup-init/transcript.jsonl" >log 2>&1 &&
	test_grep "root-ca-2026.wrapped" log &&
	test ! -e out/transcript.jsonl
'

test_expect_success 'backup-restore.yaml runs end to end; transcript verifies OK' '
	run_rehearsal backup-restore.yaml "$(run_answers backup-restore)" "$BR" $ISSUED \
		--issued-in "$TEST_TMP/backup-init/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$BR" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	test_grep "CMS Verification successful" out
'

test_expect_success 'the backup file: format 1, mode 0600, no secret; three wrap-key shares' '
	f=$BR/root-ca-2026.wrapped &&
	test "$(stat -c %a "$f")" = 600 &&
	test_grep "\"format\": \"ceremony-key-backup\"" "$f" &&
	test_grep "\"version\": 1" "$f" &&
	test_grep "\"wrap_mechanism\": \"CKM_AES_KEY_WRAP_PAD\"" "$f" &&
	test_grep "\"label\": \"root-ca-2026\"" "$f" &&
	test_grep "\"id\": \"01\"" "$f" &&
	test $(grep "\"type\":\"share.issued\"" "$BR/transcript.jsonl" | grep -c "\"secret\":\"wrap-key\"") = 3 &&
	! grep -q "^wrap-key" "$TEST_TMP/root-init/rehearsal/carol.shares" &&
	test $(grep -c "^wrap-key " "$BR/rehearsal/frank.shares") = 1 &&
	! grep -q "ceremony-wrapping-key" "$BR/transcript.jsonl"
'

test_expect_success 'the restored key signs; the signature verifies with the original public key' '
	pin=$(run_pin "$TEST_TMP/backup-init" backup-user-pin bob carol dave) &&
	echo "restored key check" >msg &&
	openssl dgst -sha384 -binary msg >h &&
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "Root CA 2026 backup" --login \
		--pin "$pin" --sign -m ECDSA --label root-ca-2026 -i h -o sig \
		--signature-format openssl >/dev/null 2>&1 &&
	openssl pkeyutl -verify -pubin -inkey "$TEST_TMP/root/root-ca-2026.pub.pem" -in h \
		-sigfile sig &&
	echo "something else" | openssl dgst -sha384 -binary >h2 &&
	! openssl pkeyutl -verify -pubin -inkey "$TEST_TMP/root/root-ca-2026.pub.pem" -in h2 \
		-sigfile sig >/dev/null 2>&1 &&
	grep "\"type\":\"key.generated\"" "$BR/transcript.jsonl" | grep "\"restore\"" >ev &&
	test_grep "\"restored_from\":\"root-ca-2026.wrapped\"" ev &&
	orig=$(openssl pkey -pubin -in "$TEST_TMP/root/root-ca-2026.pub.pem" -outform DER | sha256sum | cut -d" " -f1) &&
	test_grep "\"public_key_sha256\":\"$orig\"" ev
'

test_expect_success 'failing twin: a tampered blob is refused, nothing left on the spare token' '
	spin=$(run_pin "$TEST_TMP/spare-init" spare-user-pin bob carol dave) &&
	mkdir -p bad &&
	python3 - "$BR/root-ca-2026.wrapped" bad/root-ca-2026.wrapped <<-"PY" &&
	import json, sys, base64
	d = json.load(open(sys.argv[1]))
	b = bytearray(base64.b64decode(d["wrapped_key"]))
	b[40] ^= 0x01
	d["wrapped_key"] = base64.b64encode(bytes(b)).decode()
	open(sys.argv[2], "w").write(json.dumps(d, indent=2))
	PY
	test_exit_code 1 restore_only "$PWD/bad" >log 2>&1 &&
	test_grep "C_UnwrapKey" log &&
	test "$(objects_on "Root CA 2026 spare" "$spin")" = 0 &&
	tail -n 1 bad/transcript.jsonl | grep -q "\"status\":\"failed\""
'

test_expect_success 'failing twin: a blob whose public key was swapped is refused before shares' '
	mkdir -p swap &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out other.key &&
	python3 - "$BR/root-ca-2026.wrapped" swap/root-ca-2026.wrapped <<-"PY" &&
	import json, sys, subprocess
	d = json.load(open(sys.argv[1]))
	d["public_key_pem"] = subprocess.run(["openssl", "pkey", "-in", "other.key", "-pubout"],
	                                     capture_output=True, text=True).stdout
	open(sys.argv[2], "w").write(json.dumps(d, indent=2))
	PY
	test_exit_code 1 restore_only "$PWD/swap" >log 2>&1 &&
	test_grep "public_key_sha256 is not the SHA-256 of public_key_pem" log &&
	! grep "\"step\":\"restore\"" swap/transcript.jsonl | grep -q "\"type\":\"quorum.share\""
'

test_expect_success 'the untampered blob restores on the spare token' '
	spin=$(run_pin "$TEST_TMP/spare-init" spare-user-pin bob carol dave) &&
	mkdir -p good && cp "$BR/root-ca-2026.wrapped" good/ &&
	restore_only "$PWD/good" >log 2>&1 &&
	run_verified "$PWD/good" &&
	test "$(objects_on "Root CA 2026 spare" "$spin")" = 2
'

test_expect_success 'failing twin: a non-extractable key cannot be backed up' '
	sed -e "s/extractable: true/extractable: false/" -e "s/root-ca-2026/root-ca-ne/g" \
	    -e "s/id: \"01\"/id: \"0e\"/" -e "s/root-ca.pem/root-ca-ne.pem/g" \
	    "$TEST_TMP/scripts/root-ca.yaml" >"$TEST_TMP/scripts/root-ca-ne.yaml" &&
	mkdir -p ne && run_rehearsal root-ca-ne.yaml "$(run_answers root-ca)" "$PWD/ne" $ISSUED \
		>log 2>&1 &&
	sed -e "s/root-ca-2026/root-ca-ne/g" "$TEST_TMP/scripts/backup-restore.yaml" \
		>"$TEST_TMP/scripts/backup-ne.yaml" &&
	mkdir -p ne2 &&
	test_exit_code 1 run_rehearsal backup-ne.yaml "$(run_answers backup-restore)" "$PWD/ne2" \
		$ISSUED --issued-in "$TEST_TMP/backup-init/transcript.jsonl" >log 2>&1 &&
	test_grep "not extractable" log &&
	test ! -e ne2/root-ca-ne.wrapped
'

test_expect_success 'an aes-128 wrapping key: backup and restore onto a third token' '
	run_token_variant b128 "Root CA 2026 b128" backup &&
	run_rehearsal token-init-b128.yaml "$TEST_TMP/b128.answers" "$PWD/b128-init" >log 2>&1 &&
	sed -e "s/kind: aes-256/kind: aes-128/" -e "s/Root%20CA%202026%20backup/Root%20CA%202026%20b128/" \
	    "$TEST_TMP/scripts/backup-restore.yaml" >"$TEST_TMP/scripts/br128.yaml" &&
	run_rehearsal br128.yaml "$(run_answers backup-restore)" "$PWD/b128" $ISSUED \
		--issued-in "$PWD/b128-init/transcript.jsonl" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	test_grep "under a new AES-128 key" log &&
	test_grep "\"wrap_key_kind\": \"aes-128\"" b128/root-ca-2026.wrapped &&
	test $(grep -c "^wrap-key " b128/rehearsal/frank.shares) = 1 &&
	run_verified "$PWD/b128" >out 2>&1 &&
	test_grep "transcript.jsonl: OK" out &&
	pin=$(run_pin "$PWD/b128-init" backup-user-pin bob carol dave) &&
	test "$(objects_on "Root CA 2026 b128" "$pin")" = 2
'

test_done
