#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ceremony x509 self-sign|csr|issue|crl on throwaway tokens: SoftHSM, and
# SoftHSM through p11-kit server (NSS softokn: tests/unit/test_x509_nss.c); outputs
# checked with the openssl CLI. Failing twins: wrong PIN, existing output,
# missing key, no terminal for the PIN, tampered CSR, a failing or lying
# token (tests/faultmod): each exits 1 with a clear error and writes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"

FAULTMOD=$TEST_BUILD/tests/libfaultmod.so
softhsm_setup
softhsm_token CA
softhsm_token Other
printf '%s\n' "$TEST_USER_PIN" >"$TEST_TMP/pin"
printf 'wrong-pin\n' >"$TEST_TMP/badpin"
keygen() { # TOKEN TYPE LABEL ID
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "$1" --login --pin $TEST_USER_PIN \
		--keypairgen --key-type "$2" --label "$3" --id "$4" >/dev/null 2>&1
}
keygen CA EC:prime256v1 root 01 &&
keygen CA EC:secp384r1 sub 02 &&
keygen CA rsa:3072 rsaroot 03 &&
keygen Other EC:prime256v1 k 01 || exit 1
M="--module $SOFTHSM_MODULE"
ROOT="pkcs11:token=CA;object=root"
P="--pin-fd 3"
count_objects() { # TOKEN: objects visible after login
	pkcs11-tool --module $SOFTHSM_MODULE --token-label "$1" --login --pin $TEST_USER_PIN \
		--list-objects 2>/dev/null | grep -c "Object;"
}

test_expect_success 'x509 self-sign makes a CA certificate that openssl verifies' '
	ceremony x509 self-sign --key "$ROOT" $M $P --subject "/C=FR/O=Example TSP/CN=Example Root CA" \
		--days 3650 --pathlen 1 --out root.pem 3<"$TEST_TMP/pin" >out &&
	openssl verify -CAfile root.pem root.pem &&
	openssl x509 -in root.pem -noout -text >text &&
	test_grep "ecdsa-with-SHA256" text &&
	test_grep -A1 "Basic Constraints: critical" text | test_grep "CA:TRUE, pathlen:1" &&
	test_grep -A1 "Key Usage: critical" text | test_grep "Certificate Sign, CRL Sign" &&
	test_grep "Subject Key Identifier" text &&
	fp=$(openssl x509 -in root.pem -noout -fingerprint -sha256 | sed "s/.*=//; s/://g" | tr A-F a-f) &&
	test_grep "^sha256:$fp  root.pem$" out
'

test_expect_success 'x509 self-sign with RSA-3072 signs sha256WithRSAEncryption' '
	ceremony x509 self-sign --key "pkcs11:token=CA;object=rsaroot" $M $P --subject "/CN=RSA Root" \
		--days 30 --out rsa.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl verify -CAfile rsa.pem rsa.pem &&
	openssl x509 -in rsa.pem -noout -text | test_grep "sha256WithRSAEncryption"
'

test_expect_success 'x509 csr + issue: a sub-CA that chains to the root; CRL verifies' '
	ceremony x509 self-sign --key "$ROOT" $M $P --subject "/CN=Root" --days 3650 \
		--out root.pem 3<"$TEST_TMP/pin" >/dev/null &&
	ceremony x509 csr --key "pkcs11:token=CA;object=sub" $M $P --subject "/O=Example TSP/CN=Sub CA" \
		--out sub.csr 3<"$TEST_TMP/pin" >/dev/null &&
	openssl req -in sub.csr -noout -verify 2>&1 | test_grep "verify OK" &&
	ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr sub.csr --days 1825 \
		--ca --pathlen 0 --out sub.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl verify -CAfile root.pem sub.pem &&
	openssl x509 -in sub.pem -noout -text | test_grep "CA:TRUE, pathlen:0" &&
	ceremony x509 crl --key "$ROOT" $M $P --issuer-cert root.pem --days 7 --number 3 \
		--revoke 0abc:1 --revoke 0def --out root.crl 3<"$TEST_TMP/pin" >/dev/null &&
	openssl crl -in root.crl -CAfile root.pem -noout -verify 2>&1 | test_grep "verify OK" &&
	openssl crl -in root.crl -noout -text >crl.txt &&
	test_grep "Serial Number: 0ABC" crl.txt &&
	test_grep "Key Compromise" crl.txt &&
	! openssl verify -CAfile sub.pem sub.pem 2>/dev/null
'

test_expect_success 'x509 issue refuses a tampered CSR or a validity beyond the issuer, writes nothing' '
	ceremony x509 self-sign --key "$ROOT" $M $P --subject "/CN=Root" --days 60 \
		--out root.pem 3<"$TEST_TMP/pin" >/dev/null &&
	ceremony x509 csr --key "pkcs11:token=CA;object=sub" $M $P --subject "/CN=Sub CA" \
		--out sub.csr 3<"$TEST_TMP/pin" >/dev/null &&
	openssl req -in sub.csr -outform DER -out sub.der &&
	python3 -c "import sys; d=bytearray(open(\"sub.der\",\"rb\").read()); i=d.find(b\"Sub CA\"); d[i]^=1; open(\"bad.der\",\"wb\").write(d)" &&
	openssl req -inform DER -in bad.der -out bad.csr &&
	test_must_fail ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr bad.csr \
		--days 30 --ca --out sub.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep "CSR.s signature does not verify" err &&
	test ! -e sub.pem &&
	ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr sub.csr \
		--days 30 --ca --out sub.pem 3<"$TEST_TMP/pin" >/dev/null &&
	openssl verify -CAfile root.pem sub.pem &&
	test_exit_code 1 ceremony x509 issue --key "$ROOT" $M $P --issuer-cert root.pem --csr sub.csr \
		--days 61 --ca --out sub2.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep "after its issuer" err &&
	test ! -e sub2.pem
'

test_expect_success 'x509 with a wrong PIN fails naming CKR_PIN_INCORRECT, writes nothing' '
	test_exit_code 1 ceremony x509 self-sign --key "$ROOT" $M $P --subject "/CN=x" --days 1 \
		--out x.pem 3<"$TEST_TMP/badpin" 2>err &&
	test_grep "CKR_PIN_INCORRECT" err &&
	test ! -e x.pem
'

test_expect_success 'x509 never overwrites an output' '
	echo precious >x.pem &&
	test_exit_code 1 ceremony x509 self-sign --key "$ROOT" $M $P --subject "/CN=x" --days 1 \
		--out x.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep "already exists" err &&
	test "$(cat x.pem)" = precious
'

test_expect_success 'x509 with a key that does not exist names it' '
	test_exit_code 1 ceremony x509 self-sign --key "pkcs11:token=CA;object=nope" $M $P \
		--subject "/CN=x" --days 1 --out x.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep "object=nope" err &&
	test ! -e x.pem
'

test_expect_success 'x509 without --pin-fd and without a terminal fails at once (no prompt, no hang)' '
	test_exit_code 1 timeout 30 setsid ceremony x509 self-sign --key "$ROOT" $M --subject "/CN=x" \
		--days 1 --out x.pem </dev/null 2>err &&
	test_grep "no terminal" err &&
	test ! -e x.pem
'

test_expect_success 'x509 refuses a key URI carrying a PIN' '
	test_exit_code 1 ceremony x509 self-sign --key "pkcs11:token=CA;object=root?pin-value=1234" $M $P \
		--subject "/CN=x" --days 1 --out x.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep "pin-value" err &&
	test ! -e x.pem
'

test_expect_success 'x509 usage errors exit 2' '
	test_exit_code 2 ceremony x509 2>err &&
	test_exit_code 2 ceremony x509 self-sign --key "$ROOT" --out x.pem 2>err &&
	test_grep "needs --subject" err &&
	test_exit_code 2 ceremony x509 issue --key "$ROOT" --csr a --issuer-cert b --days 1 --pathlen 1 --out x 2>err &&
	test_grep "pathlen needs --ca" err &&
	test_exit_code 2 ceremony x509 frob 2>err
'

test_expect_success 'a failing C_Sign (fault module): exit 1 naming the CKR, no output, no new object' '
	before=$(count_objects CA) &&
	FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_FUNC=C_Sign FAULTMOD_RV=CKR_DEVICE_ERROR \
		test_exit_code 1 ceremony x509 self-sign --key "$ROOT" --module "$FAULTMOD" $P \
		--subject "/CN=x" --days 1 --out x.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep "CKR_DEVICE_ERROR" err &&
	test ! -e x.pem &&
	test "$(count_objects CA)" = "$before"
'

test_expect_success 'a token that returns a wrong signature with CKR_OK is caught' '
	FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_FUNC=C_Sign FAULTMOD_MODE=corrupt \
		test_exit_code 1 ceremony x509 self-sign --key "$ROOT" --module "$FAULTMOD" $P \
		--subject "/CN=x" --days 1 --out x.pem 3<"$TEST_TMP/pin" 2>err &&
	test_grep "object=root: the token signed a CA certificate that does not verify" err &&
	test ! -e x.pem
'

test_expect_success 'a failing C_Login (fault module) is reported with the function and CKR' '
	FAULTMOD_MODULE=$SOFTHSM_MODULE FAULTMOD_FUNC=C_Login FAULTMOD_RV=CKR_PIN_LOCKED \
		test_exit_code 1 ceremony x509 csr --key "$ROOT" --module "$FAULTMOD" $P \
		--subject "/CN=x" --out x.csr 3<"$TEST_TMP/pin" 2>err &&
	test_grep "C_Login.*CKR_PIN_LOCKED" err &&
	test ! -e x.csr
'

# p11-kit-client.so gives each loader its own connection to the server, so
# the provider cannot share our login: the verb signs through our layer
# instead (and says so). The output is verified the same way.
test_expect_success 'x509 through p11-kit server signs through our layer, verified' '
	p11kit_server_start "pkcs11:token=CA" &&
	timeout 60 ceremony x509 self-sign --key "$ROOT" --module "$P11KIT_CLIENT" $P \
		--subject "/CN=Remote Root" --days 30 --out remote.pem 3<"$TEST_TMP/pin" </dev/null 2>err &&
	timeout 60 ceremony x509 crl --key "$ROOT" --module "$P11KIT_CLIENT" $P --issuer-cert remote.pem \
		--days 7 --number 1 --revoke 01:4 --out remote.crl 3<"$TEST_TMP/pin" </dev/null 2>>err;
	rc=$?; p11kit_server_stop; cat err; test $rc = 0 &&
	test_grep "signing through ceremony.s PKCS#11 layer" err &&
	openssl verify -CAfile remote.pem remote.pem &&
	openssl crl -in remote.crl -CAfile remote.pem -noout -verify 2>&1 | test_grep "verify OK"
'

# The PIN typed at a terminal (tmux): echo off under the share-entry guard,
# and the terminal given back on every signal. The pane runs ceremony as the
# foreground process group under fg.py, a minimal job-control parent that
# touches no terminal setting (a shell would restore the terminal itself
# after a job dies or stops, hiding what ceremony left), and keeps the
# group from being orphaned so that SIGTSTP really stops it.
cat >"$TEST_TMP/fg.py" <<'PY'
import os, signal, sys
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    os.tcsetpgrp(0, os.getpid())
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    os.execvp(sys.argv[1], sys.argv[1:])
_, st = os.waitpid(pid, 0)
print("EXIT=%d" % (os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)), flush=True)
signal.pause()
PY
T() { tmux -S "$TEST_TMP/tmux.$test_count.sock" "$@"; }
kill_terms() {
	for s in "$TEST_TMP"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	test_cleanup
}
trap kill_terms EXIT
pin_term() { # OUT: ceremony x509 self-sign asking the PIN at the terminal
	T new-session -d -s t -x 100 -y 30 -c "$PWD" \
		"env PATH='$PATH' SOFTHSM2_CONF='$SOFTHSM2_CONF' python3 $TEST_TMP/fg.py ceremony \
		x509 self-sign --key '$ROOT' $M --subject /CN=Tty --days 1 --out $1" &&
	T set-option -t t remain-on-exit on >/dev/null &&
	pin_wait "User PIN:" && pin_echo off
}
pin_wait() { # PATTERN (20 s at most)
	for _ in $(seq 200); do
		T capture-pane -p -t t | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "no '$1' on the screen:" >&2
	T capture-pane -p -t t >&2
	return 1
}
pin_echo() { # on|off: the pane's terminal has echo (and icanon) so, within 5 s
	for _ in $(seq 50); do
		m=$(stty -a -F "$(T display -p -t t "#{pane_tty}")" | tr " ;" "\n\n")
		if [ "$1" = off ]; then
			echo "$m" | grep -q -x -e -echo && return 0
		else
			echo "$m" | grep -q -x -e echo && echo "$m" | grep -q -x -e icanon && return 0
		fi
		sleep 0.1
	done
	echo "the terminal's echo is not $1" >&2
	return 1
}
pin_pid() { # OUT: the ceremony process writing OUT
	for p in $(pgrep -f -- "--out $1"); do
		[ "$(cat /proc/$p/comm)" = ceremony ] && echo $p && return 0
	done
	return 1
}

for sig in INT TERM HUP QUIT; do
	test_expect_success "x509 PIN prompt: SIG$sig gives the terminal back with echo on" '
		pin_term sig.pem && pid=$(pin_pid sig.pem) &&
		kill -s '$sig' $pid &&
		pin_wait "EXIT=" && pin_echo on && test ! -e sig.pem
	'
done

test_expect_success 'x509 PIN prompt: SIGTSTP gives echo back while stopped, takes it again on SIGCONT' '
	pin_term tstp.pem && pid=$(pin_pid tstp.pem) &&
	kill -s TSTP $pid &&
	pin_echo on && grep -q "^State:.*T" /proc/$pid/status &&
	kill -s CONT $pid && pin_echo off &&
	T send-keys -t t -l "$TEST_USER_PIN" && T send-keys -t t Enter &&
	pin_wait "EXIT=0" && pin_echo on &&
	! T capture-pane -p -t t | grep -q "$TEST_USER_PIN" &&
	openssl verify -CAfile tstp.pem tstp.pem
'

test_expect_success 'twin: SIGKILL, which no handler sees, leaves echo off, and the check says so' '
	pin_term kill.pem && pid=$(pin_pid kill.pem) &&
	kill -s KILL $pid && pin_wait "EXIT=137" &&
	! pin_echo on 2>err && test_grep "echo is not on" err
'

test_done
