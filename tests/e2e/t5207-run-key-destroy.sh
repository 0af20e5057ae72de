#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# key.destroy in a rehearsal ceremony: the operator types the key's label
# twice, then the private key, public key and certificate with its id are
# destroyed (key.destroyed). Failing twins: a wrong label typed three times
# refuses and the key is still there (and still signs); an unknown label,
# and a transcript-key label of no key, are refused (t9004-crash destroys a
# left-over transcript key).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
INIT=$TEST_TMP/root-init/transcript.jsonl

# crl.yaml's people and login; one step destroys KEY.
destroy_script() { # NAME KEY
	sed -e '/^  - id: crl$/,$d' "$TEST_TMP/scripts/crl.yaml" >"$TEST_TMP/scripts/$1.yaml" &&
	cat >>"$TEST_TMP/scripts/$1.yaml" <<-YAML
	  - id: destroy
	    title: Destroy the retired key
	    action: key.destroy
	    with: {token: root, key: $2}
	    actors: [hsm-administrator]
	    witnesses: [security-officer, system-auditor]
	YAML
}
answers() { # LABEL1 LABEL2 > FILE
	grep -v "^witness\.crl\|^fingerprint\|^witness\.fingerprint" "$(run_answers crl)" &&
	printf "destroy.destroy.1 = %s\ndestroy.destroy.2 = %s\nwitness.destroy.alice = confirm\nwitness.destroy.sam = confirm\n" "$1" "$2"
}
objects() { # LABEL: objects with that label on the root token (login must work)
	pin=$(run_pin "$TEST_TMP/root-init" user-pin bob carol dave) &&
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "Root CA 2026" --login --pin "$pin" \
		--list-objects >"$TEST_TMP/objs" 2>&1 || { echo "login failed" && return 1; }
	grep -c "label: *$1\$" "$TEST_TMP/objs"
}

test_expect_success 'set-up: root token with root-ca-2026, and a certificate with its id' '
	run_root_setup &&
	destroy_script destroy-root root-ca-2026 &&
	destroy_script destroy-other root-ca-2099 &&
	destroy_script destroy-tk ceremony-transcript-0123abcd &&
	pin=$(run_pin "$TEST_TMP/root-init" user-pin bob carol dave) &&
	openssl x509 -in "$TEST_TMP/root/root-ca.pem" -outform DER -out root.der &&
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "Root CA 2026" --login --pin "$pin" \
		--write-object root.der --type cert --id 01 --label root-ca-2026 >/dev/null 2>&1 &&
	test "$(objects root-ca-2026)" = 3
'

test_expect_success 'failing twin: a wrong label typed three times is refused; the key stays' '
	answers root-ca-2062 root-ca-2026 >a &&
	printf "destroy.destroy.1 = root-ca-2062\ndestroy.destroy.1 = root-ca\n" >>a &&
	test_exit_code 1 run_rehearsal destroy-root.yaml a "$PWD/w" --issued-in "$INIT" >log 2>&1 &&
	test_grep "destroy.destroy.1" log &&
	! grep -q "\"type\":\"key.destroyed\"" w/transcript.jsonl &&
	test "$(objects root-ca-2026)" = 3
'

test_expect_success 'failing twin: the second typing must match too' '
	answers root-ca-2026 root-ca-2062 >a &&
	printf "destroy.destroy.2 = x\ndestroy.destroy.2 = y\n" >>a &&
	test_exit_code 1 run_rehearsal destroy-root.yaml a "$PWD/w2" --issued-in "$INIT" >log 2>&1 &&
	test "$(objects root-ca-2026)" = 3
'

test_expect_success 'failing twins: an unknown label, a transcript key that is not there: refused' '
	answers root-ca-2099 root-ca-2099 >a &&
	test_exit_code 1 run_rehearsal destroy-other.yaml a "$PWD/u" --issued-in "$INIT" >log 2>&1 &&
	test_grep "root-ca-2099" log &&
	answers x x >b &&
	test_exit_code 1 run_rehearsal destroy-tk.yaml b "$PWD/tk" --issued-in "$INIT" >log 2>&1 &&
	test_grep "ceremony-transcript-0123abcd" log && ! test_grep "Ceremony completed" log &&
	test "$(objects root-ca-2026)" = 3
'

test_expect_success 'the label typed twice destroys key pair and certificate; transcript OK' '
	answers root-ca-2026 root-ca-2026 >a &&
	run_rehearsal destroy-root.yaml a "$PWD/ok" --issued-in "$INIT" >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	test "$(objects root-ca-2026)" = 0 &&
	grep "\"type\":\"key.destroyed\"" ok/transcript.jsonl >ev &&
	test_grep "\"label\":\"root-ca-2026\"" ev &&
	test_grep "\"id\":\"01\"" ev &&
	test_grep "\"objects\":\[\"certificate\",\"public-key\",\"private-key\"\]" ev &&
	run_verified "$PWD/ok"
'

test_done
