#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# token.init with reinit: true (scripts/token-init.yaml with the step saying
# so): a token initialised already is re-initialised with its current SO PIN
# typed at the console without echo (at a terminal made by script(1); a
# rehearsal without a terminal reads it from standard input; never the
# script, the answer file, argv or the environment), the
# transcript says reinit (never the PIN), a new SO PIN comes from the RNG as
# on a blank token. Three tokens: a factory card whose C_InitToken wants its
# SO PIN (the fault module's init-needs-so-pin), a token made by
# softhsm2-util with a known SO PIN, and a token whose token-init failed after
# C_InitToken (the fault module fails C_InitPIN, then C_SetPIN; then an abort
# at the transcript key's words): the failed
# run records token.initialised and issues the SO PIN shares, and a second
# token-init with reinit recovers the token; each then completes root-ca and
# verifies. Failing twins: a failure at C_InitToken itself issues no share;
# without reinit the initialised token is refused naming reinit: true; a
# wrong current SO PIN is refused naming CKR_PIN_INCORRECT and the tries
# left, with nothing else done; reinit on a blank token and an empty SO PIN
# are refused (by the preflight, before attendance, saying what the step
# would); lint refuses reinit: maybe; verify --script refuses a
# token.initialised whose reinit disagrees with its step. The SO PIN of a
# failed run is recovered as the runbook says: ceremony shares combine
# --pin-derivation with the failed transcript pin_derivation, cross-checked
# by tests/e2e/pin-derive.py.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
run_scripts_setup
TOK=$TEST_TMP/softhsm/tokens
FAULTMOD=$TEST_BUILD/tests/libfaultmod.so
sed "s/with: {token: root, label: Root CA 2026, so-pin/with: {token: root, label: Root CA 2026, reinit: true, so-pin/" \
	"$TEST_TOP/scripts/token-init.yaml" >"$TEST_TMP/scripts/token-reinit.yaml"

# ceremony run in rehearsal through the fault module (FAULTMOD_QUIRKS=Q, and
# FAULTMOD_FUNC/NTH when F and N are given); standard input: the caller's.
fm_rehearsal() { # Q F N SCRIPT ANSWERS OUTDIR [ARG...]
	fr_q=$1 fr_f=$2 fr_n=$3 fr_script=$4 fr_answers=$5 fr_out=$6
	shift 6
	mkdir -p "$fr_out" &&
	run_pinned env FAULTMOD_MODULE="$SOFTHSM_MODULE" FAULTMOD_QUIRKS="$fr_q" \
		${fr_f:+FAULTMOD_FUNC=$fr_f FAULTMOD_NTH=$fr_n} \
		ceremony run "$TEST_TMP/scripts/$fr_script" --rehearsal --today "$RUN_TODAY" \
		--module "$FAULTMOD" --input "$fr_answers" --outdir "$fr_out" "$@"
}

# A transcript as transcript-sample --from events (persons "id:role"), with
# PY (python on the event e) applied to each event: re-chained and re-signed
# for the script S, into OUT.
resample() { # TRANSCRIPT PY S OUT
	python3 -c '
import json, sys
out = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    n = {"type": e["type"], "details": e.get("details", {})}
    if e["type"] == "ceremony.start":  # the hashes of S and the roster, made anew
        n["details"].pop("script_sha256", None)
        n["details"].pop("roster_sha256", None)
    if e.get("step"):
        n["step"] = e["step"]
    for k in ("persons", "witnesses"):
        if e.get(k):
            n[k] = [x["id"] + (":" + x["roles"][0] if x.get("roles") else "") for x in e[k]]
    exec(sys.argv[2], {"e": n})
    out.append(json.dumps(n))
open("re.events", "w").write("\n".join(out) + "\n")' "$1" "$2" &&
	"$TEST_BUILD/tests/transcript-sample" --from re.events --script "$3" \
		--roster "$TEST_TMP/scripts/example-roster.yaml" --date "$RUN_TODAY" "$4"
}

blank_slots() { softhsm2-util --show-slots | grep -c "Initialized: *no"; }

so_login() { # PIN: log in to Root CA 2026 as SO with it (SoftHSM itself; an
	# SO login needs a read-write session: the SO PIN is set to itself)
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "Root CA 2026" --login \
		--login-type so --so-pin "$1" --change-pin --new-pin "$1" >/dev/null 2>&1
}

test_expect_success 'lint: reinit: true lints clean, reinit: maybe is refused' '
	ceremony lint "$TEST_TMP/scripts/token-reinit.yaml" --today $RUN_TODAY --outdir . >log &&
	test_grep " 0 errors" log &&
	sed "s/reinit: true/reinit: maybe/" "$TEST_TMP/scripts/token-reinit.yaml" >bad.yaml &&
	test_must_fail ceremony lint bad.yaml --today $RUN_TODAY --outdir . >log 2>&1 &&
	test_grep "parameter .reinit. must be true or false" log
'

# ---- a factory card: C_InitToken wants its SO PIN ----------------------------

test_expect_success 'init-needs-so-pin: token-init without reinit is refused, naming reinit: true, nothing touched' '
	rm -rf "$TOK" && mkdir -p "$TOK" && test $(blank_slots) = 1 &&
	test_must_fail fm_rehearsal init-needs-so-pin "" "" token-init.yaml \
		"$(run_answers token-init)" out </dev/null >log 2>&1 &&
	test_grep "no blank token for .root." log &&
	test_grep "the step says reinit: true" log &&
	test_grep "refusing to start; nothing was written to the token" log &&
	! grep -q "\"type\":\"token.initialised\"" out/transcript.jsonl &&
	test $(blank_slots) = 1
'

test_expect_success 'failing twin: a wrong current SO PIN names CKR_PIN_INCORRECT and the tries left, nothing else done' '
	echo 99999999 >pin &&
	test_must_fail fm_rehearsal init-needs-so-pin "" "" token-reinit.yaml \
		"$(run_answers token-init)" out <pin >log 2>&1 &&
	test_grep "current SO PIN" log &&
	test_grep "C_InitToken on token .*CKR_PIN_INCORRECT" log &&
	test_grep "\[few tries left\]" log &&
	test_grep "nothing else was done" log &&
	! grep -q "\"type\":\"token.initialised\"" out/transcript.jsonl &&
	! grep -q "\"type\":\"share.issued\"" out/transcript.jsonl &&
	! grep -q 99999999 out/transcript.jsonl &&
	test $(blank_slots) = 1
'

test_expect_success 'failing twin: an empty current SO PIN is refused before C_InitToken' '
	test_must_fail fm_rehearsal init-needs-so-pin "" "" token-reinit.yaml \
		"$(run_answers token-init)" out </dev/null >log 2>&1 &&
	test_grep "no current SO PIN typed" log &&
	test $(blank_slots) = 1
'

test_expect_success 'init-needs-so-pin: reinit with the factory SO PIN typed completes; the transcript says reinit, never the PIN' '
	echo "$TEST_SO_PIN" >pin &&
	fm_rehearsal init-needs-so-pin "" "" token-reinit.yaml "$(run_answers token-init)" \
		"$TEST_TMP/card-init" <pin >"$TEST_TMP/card-init.log" 2>&1 &&
	test_grep "Ceremony completed" "$TEST_TMP/card-init.log" &&
	grep "\"type\":\"token.initialised\"" "$TEST_TMP/card-init/transcript.jsonl" >ev &&
	test_grep "\"reinit\":true" ev &&
	test_grep "\"previous_label\":\"\"" ev &&
	! grep -q "$TEST_SO_PIN" "$TEST_TMP/card-init/transcript.jsonl" "$TEST_TMP/card-init.log" &&
	test $(blank_slots) = 1
'

test_expect_success 'the new SO PIN (from its shares) opens the token as SO, the factory one no longer' '
	P=$(run_pin "$TEST_TMP/card-init" so-pin bob carol) &&
	test ${#P} -ge 16 &&
	so_login "$P" &&
	! so_login "$TEST_SO_PIN"
'

test_expect_success 'its transcript verifies; root-ca then completes on the card and verifies' '
	run_verified "$TEST_TMP/card-init" >out 2>&1 && test_grep "transcript.jsonl: OK" out &&
	fm_rehearsal init-needs-so-pin "" "" root-ca.yaml "$(run_answers root-ca)" \
		"$TEST_TMP/card-root" --issued-in "$TEST_TMP/card-init/transcript.jsonl" \
		</dev/null >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$TEST_TMP/card-root" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

# At a terminal (script(1) gives the run one): PIN typed once the prompt shows.
tty_reinit() { # PIN OUTDIR LOG
	(for _ in $(seq 300); do grep -q "(not shown): " "$3" 2>/dev/null && break; sleep 0.1; done
	 printf "%s\r" "$1"; sleep 1) |
	env FAULTMOD_MODULE="$SOFTHSM_MODULE" FAULTMOD_QUIRKS=init-needs-so-pin \
		script -qec "ceremony run $TEST_TMP/scripts/token-reinit.yaml --rehearsal \
		--today $RUN_TODAY --module $FAULTMOD --input $(run_answers token-init) \
		--outdir $2" /dev/null >"$3" 2>&1
}

test_expect_success 'at a terminal the current SO PIN is asked without echo; a wrong one is refused there too' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	tty_reinit 87878787 tty-bad log.bad;
	test_grep "Current SO PIN of token .root. (not shown): " log.bad &&
	test_grep "CKR_PIN_INCORRECT" log.bad &&
	! grep -q 87878787 log.bad &&
	test $(blank_slots) = 1 &&
	tty_reinit "$TEST_SO_PIN" tty-ok log.ok &&
	test_grep "Current SO PIN of token .root. (not shown): " log.ok &&
	test_grep "Ceremony completed" log.ok &&
	! grep -q "$TEST_SO_PIN" log.ok tty-ok/transcript.jsonl
'

# ---- a token initialised by softhsm2-util with a known SO PIN ----------------

test_expect_success 'softhsm2-util token: reinit with a wrong SO PIN is refused by SoftHSM itself, its key kept' '
	rm -rf "$TOK" && mkdir -p "$TOK" && softhsm_token "Previous owner" 11112222 44445555 &&
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "Previous owner" --login \
		--pin 44445555 --keypairgen --key-type EC:prime256v1 --label old >/dev/null 2>&1 &&
	echo 11112223 >pin &&
	test_must_fail run_rehearsal token-reinit.yaml "$(run_answers token-init)" out <pin \
		>log 2>&1 &&
	test_grep "CKR_PIN_INCORRECT" log &&
	test_grep "tries left" log &&
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "Previous owner" --login \
		--pin 44445555 --list-objects 2>/dev/null | grep -q "label: *old"
'

test_expect_success 'softhsm2-util token: reinit with its SO PIN completes, the old key is gone, verifies' '
	echo 11112222 >pin &&
	run_rehearsal token-reinit.yaml "$(run_answers token-init)" "$TEST_TMP/util-init" <pin \
		>log 2>&1 &&
	test_grep "Ceremony completed" log &&
	grep "\"type\":\"token.initialised\"" "$TEST_TMP/util-init/transcript.jsonl" >ev &&
	test_grep "\"previous_label\":\"Previous owner\"" ev &&
	P=$(run_pin "$TEST_TMP/util-init" user-pin bob carol dave) &&
	! pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "Root CA 2026" --login \
		--pin "$P" --list-objects 2>/dev/null | grep -q "label: *old" &&
	run_verified "$TEST_TMP/util-init" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

# A label in Latin-1 (as a vendor tool may have written it, or one cut at 32
# bytes inside a character) is not UTF-8: jansson alone refuses it, and the
# run stopped with "out of memory" at its start, or after C_InitToken had
# wiped the token (ceremony/transcript/jtext.h records it escaped). So did
# an answer typed (here read from the answer file) in Latin-1.
test_expect_success 'a token whose label is not UTF-8 (Latin-1): reinit completes, the old label (and a Latin-1 answer) recorded escaped, verifies' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	softhsm_token "$(printf "Schl\374ssel \303")" 11112222 44445555 &&
	ceremony hsm list --module "$SOFTHSM_MODULE" --json >h.json &&
	python3 -c "import json, sys
t = [t for m in json.load(open(sys.argv[1])) for s in m.get(\"slots\", [])
     for t in [s.get(\"token\")] if t and t[\"label\"]]
assert [x[\"label\"] for x in t] == [\"Schl\\\\xfcssel \\\\xc3\"], t" h.json &&
	sed "s/^record.unseal.hsm-bag-serial = .*/record.unseal.hsm-bag-serial = TEB $(printf "\260")417/" \
		"$(run_answers token-init)" >latin1.answers &&
	LC_ALL=C grep -q "TEB .417" latin1.answers &&
	echo 11112222 >pin &&
	run_rehearsal token-reinit.yaml latin1.answers "$TEST_TMP/latin1" <pin >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	! grep -q "out of memory" log &&
	T=$TEST_TMP/latin1/transcript.jsonl &&
	grep "\"type\":\"token.initialised\"" "$T" >ev &&
	test_grep -F "\"previous_label\":\"Schl\\\\xfcssel \\\\xc3\"" ev &&
	grep -F "\"hsm-bag-serial\":\"TEB \\\\xb0417\"" "$T" &&
	run_verified "$TEST_TMP/latin1" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

test_expect_success 'failing twin: reinit: true on a blank token is refused, nothing touched' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	echo 11112222 >pin &&
	test_must_fail run_rehearsal token-reinit.yaml "$(run_answers token-init)" out <pin \
		>log 2>&1 &&
	test_grep "is blank, but the step says reinit: true" log &&
	test_grep "refusing to start; nothing was written to the token" log &&
	test $(blank_slots) = 1
'

# ---- a token-init that fails after C_InitToken, then recovered -------------

test_expect_success 'failing twin: a token-init failing at C_InitToken itself issues no share, the token stays blank' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	test_must_fail fm_rehearsal "" C_InitToken 1 token-init.yaml "$(run_answers token-init)" \
		out </dev/null >log 2>&1 &&
	test_grep "C_InitToken on token .*CKR_DEVICE_ERROR" log &&
	! grep -q "issued now as shares" log &&
	! grep -q "\"type\":\"token.initialised\"" out/transcript.jsonl &&
	! grep -q "\"type\":\"share.issued\"" out/transcript.jsonl &&
	test $(blank_slots) = 1
'

for fault in C_InitPIN C_SetPIN; do

test_expect_success "a token-init failing at $fault (after C_InitToken) records the init and issues the SO PIN shares" '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	test_must_fail fm_rehearsal "" $fault 1 token-init.yaml "$(run_answers token-init)" \
		"$TEST_TMP/fail-$fault" </dev/null >log 2>&1 &&
	test_grep "$fault on token .Root CA 2026.*CKR_DEVICE_ERROR" log &&
	test_grep "its SO PIN shares were issued" log &&
	test_grep "reinit: true" log &&
	T=$TEST_TMP/fail-$fault/transcript.jsonl &&
	grep -q "\"type\":\"token.initialised\"" "$T" &&
	test $(grep "\"type\":\"share.issued\"" "$T" | grep -c "\"secret\":\"so-pin\"") = 3 &&
	! grep "\"type\":\"share.issued\"" "$T" | grep -q "\"secret\":\"user-pin\"" &&
	tail -n 1 "$T" | grep -q "\"status\":\"failed\"" &&
	test $(blank_slots) = 1
'

test_expect_success "failing twin: after the $fault failure, token-init without reinit is refused (already initialised)" '
	test_must_fail run_rehearsal token-init.yaml "$(run_answers token-init)" out \
		</dev/null >log 2>&1 &&
	test_grep "is already initialised" log &&
	test_grep "unless the step says reinit: true" log &&
	test_grep "refusing to start; nothing was written to the token" log
'

test_expect_success "after the $fault failure, a token-init with reinit and the recovered SO PIN completes and verifies" '
	F=$TEST_TMP/fail-$fault &&
	D=$(run_pin_derivation "$F" so-pin) && test -n "$D" &&
	grep "\"type\":\"token.initialised\"" "$F/transcript.jsonl" |
		grep -q "\"pin_derivation\":\"$D\"" &&
	for h in bob carol; do
		grep "^so-pin " "$F/rehearsal/$h.shares" | tail -n 1 | cut -d" " -f4-
	done | ceremony shares combine --batch --pin-derivation "$D" >pin &&
	run_pin "$F" so-pin bob carol >py && echo >>py && test_cmp py pin &&
	run_rehearsal token-reinit.yaml "$(run_answers token-init)" "$TEST_TMP/re-$fault" \
		<pin >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	grep "\"type\":\"token.initialised\"" "$TEST_TMP/re-$fault/transcript.jsonl" >ev &&
	test_grep "\"reinit\":true" ev &&
	test_grep "\"previous_label\":\"Root CA 2026\"" ev &&
	run_verified "$TEST_TMP/re-$fault" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

done

test_expect_success 'an abort in token.init after C_InitToken (at the transcript key words) still issues the SO PIN shares' '
	rm -rf "$TOK" && mkdir -p "$TOK" &&
	sed "s/^transcript-key.sam = confirm/transcript-key.sam = abort\nabort.reason = the words do not match/" \
		"$(run_answers token-init)" >abort.answers &&
	grep -q "^abort.reason" abort.answers &&
	{ run_rehearsal token-init.yaml abort.answers "$TEST_TMP/fail-abort" </dev/null >log 2>&1
	  test $? = 3; } &&
	test_grep "Its new SO PIN is issued now as shares" log &&
	T=$TEST_TMP/fail-abort/transcript.jsonl &&
	grep -q "\"type\":\"token.initialised\"" "$T" &&
	test $(grep "\"type\":\"share.issued\"" "$T" | grep -c "\"secret\":\"so-pin\"") = 3 &&
	grep -q "\"type\":\"abort\"" "$T" &&
	run_pin "$TEST_TMP/fail-abort" so-pin carol dave >pin && echo >>pin &&
	run_rehearsal token-reinit.yaml "$(run_answers token-init)" "$TEST_TMP/re-abort" \
		<pin >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$TEST_TMP/re-abort" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

test_expect_success 'verify --script: token.initialised says reinit exactly when its step does' '
	S=$TEST_TMP/scripts/token-reinit.yaml &&
	resample "$TEST_TMP/re-C_SetPIN/transcript.jsonl" "pass" "$S" same.jsonl &&
	ceremony verify same.jsonl --script "$S" >out &&
	test_grep "same.jsonl: OK" out &&
	resample "$TEST_TMP/re-C_SetPIN/transcript.jsonl" \
		"e[\"details\"].pop(\"reinit\", None)" "$S" noreinit.jsonl &&
	test_must_fail ceremony verify noreinit.jsonl --script "$S" >out &&
	test_grep "token.initialised is no re-initialisation, but the script.s step says reinit: true" out &&
	S=$TEST_TMP/scripts/token-init.yaml &&
	resample "$TEST_TMP/util-init/transcript.jsonl" "pass" "$S" plain.jsonl &&
	test_must_fail ceremony verify plain.jsonl --script "$S" >out &&
	test_grep "step init: token.initialised says reinit: true, but the script.s step initialises a blank token" out
'

test_expect_success 'root-ca completes on the recovered token and verifies' '
	run_rehearsal root-ca.yaml "$(run_answers root-ca)" "$TEST_TMP/re-root" \
		--issued-in "$TEST_TMP/re-abort/transcript.jsonl" </dev/null >log 2>&1 &&
	test_grep "Ceremony completed" log &&
	run_verified "$TEST_TMP/re-root" >out 2>&1 && test_grep "transcript.jsonl: OK" out
'

test_done
