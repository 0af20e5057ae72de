#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony run: scripts/token-init.yaml then scripts/root-ca.yaml in rehearsal
# on a throwaway SoftHSM token, answered from scripts/demo/*.answers; both
# transcripts verified by `ceremony verify` and `openssl cms -verify`, the
# root certificate by `openssl verify`, the key's attributes by pkcs11-tool,
# and no share or PIN anywhere but the rehearsal share files.
# Failing twins: lint error, k-1 holders, a share presented by the wrong
# holder, a share of another set, a stale person seated at attendance, an
# actor chosen as their own witness, an abort half-way (exit 3, INCOMPLETE),
# --input in production, an existing transcript or output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
S=$TEST_TOP/scripts
A=$TEST_TOP/scripts/demo
V=$TEST_TOP/tests/vectors/run
RUN="run_pinned ceremony run --rehearsal --today 2026-11-27 --module $SOFTHSM_MODULE"
TI=$TEST_TMP/ti
mkdir -p "$TI"

# A copy of token-init's outdir whose rehearsal files can be changed.
ti_copy() { # DIR
	cp -r "$TI" "$1"
}
# root-ca in a fresh outdir OUT with answers ANSWERS, shares from TIDIR.
rootca() { # OUT TIDIR ANSWERS
	mkdir -p "$1" &&
	$RUN "$S/root-ca.yaml" --input "$3" --outdir "$1" --issued-in "$2/transcript.jsonl"
}
# The user PIN, recovered from three rehearsal shares (test only).
user_pin() {
	run_pin "$TI" user-pin bob carol dave
}

test_expect_success 'token-init in rehearsal completes, transcript verifies' '
	$RUN "$S/token-init.yaml" --input "$A/token-init.answers" --outdir "$TI" >"$TI.log" 2>&1 &&
	test_grep "Ceremony completed" "$TI.log" &&
	ceremony verify "$TI/transcript.jsonl" >out &&
	test_grep "^.*transcript.jsonl: OK" out &&
	run_verified_semantics "$TI" >out2 &&
	test_grep "transcript.jsonl: OK" out2 &&
	test_grep "REHEARSAL" out &&
	openssl cms -verify -binary -inform PEM -in "$TI/transcript.jsonl.p7s" \
		-content "$TI/transcript.jsonl" -CAfile "$TI/transcript-signer.pem" \
		-purpose any -out /dev/null
'

test_expect_success 'token-init issued 3 SO PIN and 5 user PIN shares, each checked back' '
	test $(grep -c "\"type\":\"share.issued\"" "$TI/transcript.jsonl") = 8 &&
	test $(grep "\"type\":\"share.verified\"" "$TI/transcript.jsonl" | grep -c "\"result\":\"ok\"") = 8 &&
	test_grep "\"secret\":\"so-pin\"" "$TI/transcript.jsonl" &&
	for h in bob carol dave frank grace; do
		head -n 1 "$TI/rehearsal/$h.shares" | grep -q "REHEARSAL ONLY" || exit 1
		test "$(stat -c %a "$TI/rehearsal/$h.shares")" = 600 || exit 1
	done &&
	test $(grep -c "^so-pin " "$TI/rehearsal/dave.shares") = 1 &&
	test $(grep -c "^so-pin " "$TI/rehearsal/frank.shares") = 0
'

test_expect_success 'the recovered user PIN logs in; the transcript key is gone' '
	pin=$(user_pin) && test ${#pin} = 24 &&
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "Root CA 2026" --login --pin "$pin" \
		--list-objects >objs 2>&1 &&
	! grep -q "ceremony-transcript" objs
'

test_expect_success 'failing twin: lint error -> refused, nothing written' '
	sed "s/action: key.generate/action: key.genrate/" "$S/root-ca.yaml" >bad.yaml &&
	cp "$S/example-roster.yaml" . &&
	mkdir out &&
	test_exit_code 1 $RUN bad.yaml --input "$A/root-ca.answers" --outdir out \
		--issued-in "$TI/transcript.jsonl" >log 2>&1 &&
	test_grep "unknown action" log &&
	test_grep "refusing to run" log &&
	test -z "$(ls -A out)"
'

test_expect_success 'failing twin: production run refuses --input without --allow-scripted-input' '
	mkdir out &&
	test_exit_code 2 ceremony run "$S/root-ca.yaml" --module $SOFTHSM_MODULE \
		--input "$A/root-ca.answers" --outdir out 2>log &&
	test_grep "allow-scripted-input" log &&
	test -z "$(ls -A out)" &&
	test_exit_code 2 ceremony run "$S/root-ca.yaml" --today 2026-11-27 --outdir out 2>log &&
	test_grep "rehearsals only" log
'

test_expect_success 'failing twin: quorum with k-1 holders (dave has no share) fails, INCOMPLETE' '
	ti_copy ti && rm ti/rehearsal/dave.shares &&
	test_exit_code 1 rootca out ti "$A/root-ca.answers" >log 2>&1 &&
	test_grep "quorum not met for user-pin: 2 shares accepted, at least 3 needed" log &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >v &&
	test_grep "INCOMPLETE" v &&
	test_grep "\"type\":\"error\"" out/transcript.jsonl &&
	test_grep "\"status\":\"failed\"" out/transcript.jsonl &&
	! test -e out/root-ca.pem
'

test_expect_success 'failing twin: a share presented by the wrong holder is refused, naming the holders' '
	ti_copy ti &&
	mv ti/rehearsal/bob.shares tmp && mv ti/rehearsal/carol.shares ti/rehearsal/bob.shares &&
	mv tmp ti/rehearsal/carol.shares &&
	test_exit_code 1 rootca out ti "$A/root-ca.answers" >log 2>&1 &&
	test_grep "was issued to carol, not bob" log &&
	test_grep "\"accepted\":false" out/transcript.jsonl &&
	test_grep "issued to carol, not bob" out/transcript.jsonl &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >/dev/null
'

test_expect_success 'failing twin: a share of another set is refused' '
	ti_copy ti &&
	split_line=$(printf "%032x\n" 7 | ceremony shares split --batch --group 3/5 | head -n 1) &&
	test -n "$split_line" &&
	echo "user-pin 1 1/1 $split_line" >>ti/rehearsal/bob.shares &&
	test_exit_code 1 rootca out ti "$A/root-ca.answers" >log 2>&1 &&
	test_grep "set [0-9]* is not a share set of user-pin (its shares are of set [0-9]*)" log &&
	test_grep "\"accepted\":false" out/transcript.jsonl
'

test_expect_success 'failing twin: a stale person seated at attendance is refused' '
	sed "/id: oscar/,/training/ s/vetting: 2026-02-24/vetting: 2020-02-24/" \
		"$S/example-roster.yaml" >roster.yaml &&
	test_grep "2020-02-24" roster.yaml &&
	sed "s/^seat.key-holder.3 = dave/seat.key-holder.3 = oscar/; s/^present.dave = dave/present.oscar = oscar/" \
		"$A/root-ca.answers" >answers &&
	mkdir out &&
	test_exit_code 1 $RUN "$S/root-ca.yaml" --roster roster.yaml --input answers --outdir out \
		--issued-in "$TI/transcript.jsonl" >log 2>&1 &&
	test_grep "policy 4.3.2: oscar" log &&
	test_grep "attendance refused" log &&
	! grep -q "step.start" out/transcript.jsonl &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >/dev/null
'

test_expect_success 'failing twin: an actor chosen as their own witness is refused' '
	cat >answers <<-EOF &&
	operator = alice
	seat.security-officer.1 = alice
	seat.system-auditor.1 = olivia
	seat.key-holder.1 = olivia
	seat.key-holder.2 = bob
	present.alice = alice
	present.olivia = olivia
	present.bob = bob
	identity.attendance.alice = confirm
	transcript-key.olivia = confirm
	witness.attendance.olivia = confirm
	actor-of.check.key-holder.1 = olivia
	actor-of.check.key-holder.1 = olivia
	witness-of.check.system-auditor.1 = olivia
	EOF
	mkdir out &&
	test_exit_code 1 $RUN "$V/witness.yaml" --input answers --outdir out >log 2>&1 &&
	test_grep "olivia cannot witness a step they act in (policy 5.2.1)" log &&
	test_grep "step check refused" log &&
	! grep -q "\"step\":\"check\"" out/transcript.jsonl
'

test_expect_success 'positive twin: the operator then chooses another actor, the step runs' '
	cat >answers <<-EOF &&
	operator = alice
	seat.security-officer.1 = alice
	seat.system-auditor.1 = olivia
	seat.key-holder.1 = olivia
	seat.key-holder.2 = bob
	present.alice = alice
	present.olivia = olivia
	present.bob = bob
	identity.attendance.alice = confirm
	transcript-key.olivia = confirm
	witness.attendance.olivia = confirm
	actor-of.check.key-holder.1 = olivia
	actor-of.check.key-holder.1 = bob
	witness-of.check.system-auditor.1 = olivia
	record.check.envelopes = 5
	witness.check.olivia = confirm
	EOF
	mkdir out &&
	$RUN "$V/witness.yaml" --input answers --outdir out >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified out >vout 2>&1 &&
	test_grep "transcript.jsonl: OK" vout &&
	test_grep "\"records\":{\"envelopes\":\"5\"}" out/transcript.jsonl
'

test_expect_success 'abort half-way: exit 3, reason recorded, signed, verify says INCOMPLETE' '
	sed "s/^witness.login.alice = confirm/witness.login.alice = abort\nabort.reason = the HSM bag serial does not match/" \
		"$A/root-ca.answers" >answers &&
	test_exit_code 3 rootca out "$TI" answers >log 2>&1 &&
	test_grep "ABORTED: the HSM bag serial does not match" log &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >v &&
	test_grep "INCOMPLETE" v &&
	test_grep "the HSM bag serial does not match" v &&
	test_grep "signature:   valid" v &&
	tail -n 1 out/transcript.jsonl | test_grep "\"status\":\"aborted\"" &&
	openssl cms -verify -binary -inform PEM -in out/transcript.jsonl.p7s \
		-content out/transcript.jsonl -CAfile out/transcript-signer.pem -purpose any -out /dev/null
'

test_expect_success 'a missing answer aborts, naming the key and the file' '
	grep -v "^witness.login.hugo" "$A/root-ca.answers" >answers &&
	test_exit_code 3 rootca out "$TI" answers >log 2>&1 &&
	test_grep "no answer for \[witness.login.hugo\] in answers" log &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >/dev/null
'

FAULTMOD=$TEST_TOP/build/tests/libfaultmod.so
test_expect_success 'failing twin: the HSM fails key generation -> error event with function and CKR' '
	mkdir out &&
	FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_FUNC=C_GenerateKeyPair FAULTMOD_NTH=2 \
	FAULTMOD_RV=CKR_DEVICE_ERROR test_exit_code 1 run_pinned ceremony run "$S/root-ca.yaml" --rehearsal \
		--today 2026-11-27 --module "$FAULTMOD" --input "$A/root-ca.answers" --outdir out \
		--issued-in "$TI/transcript.jsonl" >log 2>&1 &&
	test_grep "CKR_DEVICE_ERROR" log &&
	grep "\"type\":\"error\"" out/transcript.jsonl >err &&
	test_grep "\"function\":\"C_GenerateKeyPair\"" err &&
	test_grep "\"ckr\":\"CKR_DEVICE_ERROR\"" err &&
	test_grep "\"step\":\"keygen\"" err &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >v &&
	test_grep "failed at step keygen" v &&
	test_grep "signature:   valid" v
'

test_expect_success 'failing twin: a refused login is recorded as login.failed with its CKR' '
	mkdir out &&
	FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_FUNC=C_Login FAULTMOD_RV=CKR_PIN_INCORRECT \
		test_exit_code 1 run_pinned ceremony run "$S/root-ca.yaml" --rehearsal \
		--today 2026-11-27 --module "$FAULTMOD" --input "$A/root-ca.answers" --outdir out \
		--issued-in "$TI/transcript.jsonl" >log 2>&1 &&
	test_grep "CKR_PIN_INCORRECT" log &&
	grep "\"type\":\"login.failed\"" out/transcript.jsonl >lf &&
	test_grep "\"ckr\":\"CKR_PIN_INCORRECT\"" lf &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >/dev/null
'

# --issued-in without the auto-pinning of $RUN: the words of token-init's key
# as its paper log has them.
RUN_BARE="ceremony run --rehearsal --today 2026-11-27 --module $SOFTHSM_MODULE"
ti_words() {
	grep "\"type\":\"transcript.key\"" "$TI/transcript.jsonl" |
		sed -n "s/.*\"fingerprint\":\"\([a-z ]*\)\".*/\1/p"
}

test_expect_success 'failing twin: --issued-in pinned to another key is refused before any token is touched' '
	"$TEST_BUILD/tests/transcript-sample" other.jsonl &&
	other=$(grep "\"type\":\"transcript.key\"" other.jsonl | sed -n "s/.*\"spki_sha256\":\"\([0-9a-f]*\)\".*/\1/p") &&
	mkdir out &&
	FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_LOG=$PWD/calls test_exit_code 1 ceremony run \
		"$S/root-ca.yaml" --rehearsal --today 2026-11-27 --module "$FAULTMOD" \
		--input "$A/root-ca.answers" --outdir out \
		--issued-in "$TI/transcript.jsonl" --issued-in-key "$other" >log 2>&1 &&
	test_grep "issued-in .*transcript.jsonl: FAILED: signed by key $(ti_words) (.*) is not an expected key" log &&
	test ! -e calls &&
	test ! -e out/transcript.jsonl
'

test_expect_success 'failing twin: --issued-in-key without its --issued-in, or twice, is a usage error' '
	test_exit_code 2 $RUN_BARE "$S/root-ca.yaml" --issued-in-key "$(ti_words)" \
		--issued-in "$TI/transcript.jsonl" 2>err &&
	test_grep "issued-in-key follows the --issued-in it pins" err &&
	test_exit_code 2 $RUN_BARE "$S/root-ca.yaml" --issued-in "$TI/transcript.jsonl" \
		--issued-in-key "$(ti_words)" --issued-in-key "$(ti_words)" 2>err &&
	test_grep "one key each" err
'

test_expect_success 'unpinned --issued-in: the words typed from the paper log are checked and recorded' '
	{ echo "issued-in-key.1 = $(ti_words | tr a-z A-Z)" &&
	  sed "s/^witness.login.alice = confirm/witness.login.alice = abort\nabort.reason = rehearsal stops here/" \
		"$A/root-ca.answers"; } >answers &&
	mkdir out &&
	test_exit_code 3 $RUN_BARE "$S/root-ca.yaml" --input answers --outdir out \
		--issued-in "$TI/transcript.jsonl" >log 2>&1 &&
	test_grep "signer confirmed from the paper log" log &&
	! grep "$(ti_words)" log &&
	head -n 1 out/transcript.jsonl >start &&
	h=$(sha256sum "$TI/transcript.jsonl" | cut -d" " -f1) &&
	test_grep "\"issued_in\":\[{\"path\":\"$TI/transcript.jsonl\",\"pinned\":\"paper-log-at-console\",\"sha256\":\"$h\",\"signer_spki_sha256\":\"[0-9a-f]\{64\}\"}\]" start &&
	test_exit_code 3 ceremony verify out/transcript.jsonl >v &&
	test_grep "INCOMPLETE" v
'

test_expect_success 'failing twin: unpinned, other words typed -> refused, naming the signer; nothing written' '
	{ echo "issued-in-key.1 = academic acid acne acquire acrobat activity actress adapt" &&
	  cat "$A/root-ca.answers"; } >answers &&
	mkdir out &&
	test_exit_code 1 $RUN_BARE "$S/root-ca.yaml" --input answers --outdir out \
		--issued-in "$TI/transcript.jsonl" >log 2>&1 &&
	test_grep "the words typed are not those of the key that signed it ($(ti_words), SPKI" log &&
	test ! -e out/transcript.jsonl &&
	grep -v "^issued-in-key" answers >answers2 &&
	mkdir out2 &&
	test_must_fail $RUN_BARE "$S/root-ca.yaml" --input answers2 --outdir out2 \
		--issued-in "$TI/transcript.jsonl" >log 2>&1 &&
	test_grep "no answer for \[issued-in-key.1\]" log &&
	test ! -e out2/transcript.jsonl
'

test_expect_success 'root-ca in rehearsal completes: transcript, signature, certificate verify' '
	rootca "$TEST_TMP/rc" "$TI" "$A/root-ca.answers" >"$TEST_TMP/rc.log" 2>&1 &&
	R=$TEST_TMP/rc &&
	test_grep "Ceremony completed" "$TEST_TMP/rc.log" &&
	ceremony verify "$R/transcript.jsonl" --outputs "$R" >out &&
	test_grep "transcript.jsonl: OK" out &&
	run_verified_semantics "$R" >out2 &&
	test_grep "transcript.jsonl: OK" out2 &&
	test_exit_code 4 ceremony verify "$R/transcript.jsonl" --script "$S/token-init.yaml" \
		--roster "$S/example-roster.yaml" >out3 &&
	test_grep FAILED out3 &&
	test_grep "outputs:     3 checked" out &&
	openssl cms -verify -binary -inform PEM -in "$R/transcript.jsonl.p7s" \
		-content "$R/transcript.jsonl" -CAfile "$R/transcript-signer.pem" \
		-purpose any -out /dev/null &&
	openssl verify -CAfile "$R/root-ca.pem" "$R/root-ca.pem" &&
	openssl x509 -in "$R/root-ca.pem" -noout -subject | test_grep "Example Root CA 2026" &&
	test_grep "\"type\":\"quorum.met\"" "$R/transcript.jsonl" &&
	test_grep "\"type\":\"key.generated\"" "$R/transcript.jsonl"
'

test_expect_success 'ceremony.start records the --issued-in transcript it relied on, pinned by its key' '
	h=$(sha256sum "$TI/transcript.jsonl" | cut -d" " -f1) &&
	head -n 1 "$TEST_TMP/rc/transcript.jsonl" >start &&
	test_grep "\"issued_in\":\[{\"path\":\"$TI/transcript.jsonl\",\"pinned\":\"issued-in-key\",\"sha256\":\"$h\"" start
'

test_expect_success 'logins last until signing: logout written before ceremony.end, done after' '
	R=$TEST_TMP/rc &&
	tail -n 2 "$R/transcript.jsonl" | head -n 1 >lo &&
	test_grep "\"type\":\"logout\"" lo &&
	test_grep "\"when\":\"after-signing\"" lo &&
	test_grep "\"token\":\"root\"" lo &&
	grep "\"type\":\"login\"" "$R/transcript.jsonl" | tail -n 1 >li &&
	test "$(sed "s/.*\"persons\":\(\[[^]]*\]\).*/\1/" li)" = "$(sed "s/.*\"persons\":\(\[[^]]*\]\).*/\1/" lo)" &&
	sed -n "/Transcript signed/,\$p" "$TEST_TMP/rc.log" | test_grep "Logged out of .root." &&
	ceremony replay "$R/transcript.jsonl" >replay &&
	test_grep "logged out (token root) \[after-signing\]" replay &&
	ceremony verify "$R/transcript.jsonl" >out &&
	test_grep "transcript.jsonl: OK" out
'

test_expect_success 'ceremony.start records the p11-kit (built with) and pkcs11-provider versions' '
	R=$TEST_TMP/rc &&
	head -n 1 "$R/transcript.jsonl" >start &&
	v=$(pkg-config --modversion p11-kit-1) &&
	test_grep "\"p11kit_version\":\"$v (built with)\"" start &&
	prov=$(openssl version -m | sed "s/^MODULESDIR: \"\(.*\)\"$/\1/")/pkcs11.so &&
	pv=$(dpkg-query -W -f "\${Version}" pkcs11-provider) &&
	test -n "$pv" &&
	test_grep "\"pkcs11_provider_version\":\"$pv\"" start &&
	test_grep "\"sha256\":\"$(sha256sum <"$prov" | cut -d" " -f1)\"" start &&
	test_grep "\"version_source\":\"dpkg package\"" start
'

test_expect_success 'the root key is on the token, sensitive, extractable as scripted' '
	pin=$(user_pin) &&
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "Root CA 2026" --login --pin "$pin" \
		--list-objects --type privkey >objs 2>&1 &&
	test_grep -A8 "label: *root-ca-2026" objs >attrs &&
	test_grep "Access:.*sensitive" attrs &&
	! grep -q "never extractable" attrs &&
	! grep -q "ceremony-transcript" objs
'

test_expect_success 'no share or PIN text in transcripts, outputs or logs' '
	pin=$(user_pin) &&
	cat "$TI"/rehearsal/*.shares | grep -v "^#" | cut -d" " -f4- >mnemonics &&
	test $(wc -l <mnemonics) = 8 &&
	files=$(find "$TI" "$TEST_TMP/rc" -type f ! -path "*/rehearsal/*") &&
	for f in $files "$TI.log" "$TEST_TMP/rc.log"; do
		! grep -q -F -f mnemonics "$f" || { echo "share in $f"; exit 1; }
		! grep -q -F "$pin" "$f" || { echo "PIN in $f"; exit 1; }
		# no four consecutive words of any share either
		while read -r m; do
			w=$(echo "$m" | cut -d" " -f8-11)
			! grep -q -F "$w" "$f" || { echo "share words in $f"; exit 1; }
		done <mnemonics
	done
'

test_expect_success 'failing twin: an existing transcript or output is never overwritten' '
	cp "$TI/transcript.jsonl" before &&
	test_exit_code 1 $RUN "$S/token-init.yaml" --input "$A/token-init.answers" \
		--outdir "$TI" >log 2>&1 &&
	test_grep "transcript.jsonl: already exists" log &&
	test_cmp before "$TI/transcript.jsonl" &&
	mkdir out && echo "mine" >out/root-ca.pem &&
	test_exit_code 1 rootca out "$TI" "$A/root-ca.answers" >log 2>&1 &&
	test_grep "root-ca.pem.* already exists" log &&
	test "$(cat out/root-ca.pem)" = mine &&
	! test -e out/transcript.jsonl
'

test_done
