#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Untrusted text never reaches a terminal raw (common/esc.h): control
# sequences (ESC[2J, ESC]0;title BEL, a CR overwrite, the C1 CSI U+009B, a
# bidi override) and invalid UTF-8 in a transcript, a script, a roster and a
# token label are shown escaped (\x1b, \u009b) by verify, replay, run, lint,
# roster check and hsm list. Twins: the checker below does see raw bytes, and
# plain UTF-8 (é, ü, 日本) is printed unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-softhsm.sh"
. "$(dirname "$0")/lib-run.sh"

softhsm_setup
SAMPLE=$TEST_BUILD/tests/transcript-sample
H=$TEST_TMP/hostile
mkdir -p "$H"

# clean FILE: valid UTF-8 with no C0 control but TAB and LF, no DEL, no C1
# control and no bidi control: nothing a terminal would act on.
clean() {
	python3 -c 'import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bidi = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
bad = [c for c in t if (ord(c) < 32 and c not in "\t\n") or 0x7f <= ord(c) <= 0x9f or c in bidi]
sys.exit(1 if bad else 0)' "$1" 2>/dev/null && ! grep -qaP "[\x00-\x08\x0b-\x1f\x7f]" "$1" || {
		echo "raw control characters in $1:" >&2
		od -c "$1" | head -40 >&2
		return 1
	}
}

# hostile_field FILE N: a field named "x ESC[2J U+009B" added to line N
# (the signature no longer matches; the frame check fails first).
hostile_field() {
	python3 -c 'import sys
p, n = sys.argv[1], int(sys.argv[2])
ls = open(p, "rb").read().split(b"\n")
ls[n - 1] = ls[n - 1].replace(b"{", b"{\"x\\u001b[2J\\u009b\":1,", 1)
open(p, "wb").write(b"\n".join(ls))' "$@"
}

# Events for transcript-sample --from: hostile strings in the ceremony name,
# a step title, a key label and an abort reason (JSON escapes: the transcript
# holds the decoded characters).
python3 - "$H" <<'EOF'
import json, sys
E = "\x1b"
evs = [
    {"type": "ceremony.start", "persons": ["carol:system-operator"],
     "details": {"ceremony": "root " + E + "[2J" + E + "]0;pwned\x07 CA"}},
    {"type": "transcript.key"},
    {"type": "step.start", "step": "keygen", "persons": ["dave:hsm-administrator"],
     "details": {"title": "Generate\r    OK " + E + "[31m \u009b2J"}},
    {"type": "key.generated", "step": "keygen",
     "details": {"key_type": "EC P-384", "label": "lab" + E + "[2Jel", "id": "01",
                 "public_key_sha256": "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"}},
    {"type": "abort", "step": "keygen", "persons": ["dave:hsm-administrator"],
     "details": {"reason": "fire\nalarm " + E + "[1A\u202eevil"}},
]
plain = [{"type": "ceremony.start", "persons": ["carol:system-operator"],
          "details": {"ceremony": "Clé racine ü 日本"}},
         {"type": "transcript.key"},
         {"type": "abort", "persons": ["carol:system-operator"],
          "details": {"reason": "arrêt: ü 日本"}}]
for name, lst in (("hostile.events", evs), ("plain.events", plain)):
    with open(sys.argv[1] + "/" + name, "w") as f:
        for e in lst:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
EOF
touch "$H/s.yaml" "$H/r.yaml"

# The scripts and roster of a rehearsal with a hostile ceremony name, step
# title and person name (YAML escapes: \e is ESC, \x9b is U+009B).
run_scripts_setup
python3 - "$TEST_TMP/scripts" <<'EOF'
import sys
d = sys.argv[1]
s = open(d + "/token-init.yaml").read()
s = s.replace("name: Root CA token initialisation", 'name: "Root \\e[2J\\e]0;pwned\\a CA"')
s = s.replace("title: Take the HSM out of its tamper-evident bag",
              'title: "Unbag\\rOK \\x9b2J \\u202Eevil"')
open(d + "/token-init-hostile.yaml", "w").write(s)
open(d + "/lint-hostile.yaml", "w").write(
    s.replace("action: checklist", 'action: "check\\e[2Jlist"', 1))
r = open(d + "/example-roster.yaml").read()
open(d + "/example-roster.yaml", "w").write(
    r.replace("name: Alice Martin", 'name: "Alice \\e[31mMartin"', 1))
open(d + "/roster-plain.yaml", "w").write(r.replace("name: Alice Martin", "name: Zoë Müller 日本", 1))
EOF

test_expect_success 'failing twin: the checker sees raw control bytes and invalid UTF-8' '
	printf "a\033[2Jb\n" >esc && ! clean esc &&
	printf "a\rb\n" >cr && ! clean cr &&
	printf "a\302\233b\n" >c1 && ! clean c1 &&
	printf "a\233b\n" >raw && ! clean raw &&
	printf "a\342\200\256b\n" >bidi && ! clean bidi &&
	printf "Clé ü 日本\tx\n" >plain && clean plain
'

test_expect_success 'verify and replay show a hostile transcript escaped' '
	"$SAMPLE" --from "$H/hostile.events" --script "$H/s.yaml" --roster "$H/r.yaml" \
		--date 2026-06-01 t.jsonl &&
	test_exit_code 3 ceremony verify t.jsonl >v.out &&
	clean v.out &&
	test_grep -F "ceremony:    root \\x1b[2J\\x1b]0;pwned\\x07 CA, id" v.out &&
	ceremony replay t.jsonl >r.out &&
	clean r.out &&
	test_grep -F "ceremony root \\x1b[2J\\x1b]0;pwned\\x07 CA started" r.out &&
	test_grep -F "== step keygen: Generate\\x0d    OK \\x1b[31m \\u009b2J ==" r.out &&
	test_grep -F "label lab\\x1b[2Jel, id 01" r.out &&
	test_grep -F "fire\\x0aalarm \\x1b[1A\\u202eevil" r.out &&
	ceremony-verify replay t.jsonl >r2.out && test_cmp r.out r2.out
'

test_expect_success 'a FAILED reason quoting a hostile field name is escaped' '
	"$SAMPLE" --from "$H/hostile.events" --script "$H/s.yaml" --roster "$H/r.yaml" \
		--date 2026-06-01 t.jsonl &&
	hostile_field t.jsonl 4 &&
	test_exit_code 4 ceremony verify t.jsonl >v.out &&
	clean v.out &&
	test_grep -F "line 4: unknown field \"x\\x1b[2J\\u009b\"" v.out &&
	test_exit_code 4 ceremony-verify verify t.jsonl >v2.out && test_cmp v.out v2.out &&
	ceremony replay t.jsonl >r.out && clean r.out &&
	test_grep -F "FAILED: line 4: unknown field \"x\\x1b[2J\\u009b\"" r.out
'

test_expect_success 'a rehearsal with a hostile title, step title and name: run, verify, replay' '
	run_rehearsal token-init-hostile.yaml "$(run_answers token-init)" o >run.out 2>&1 &&
	clean run.out &&
	test_grep -F "Ceremony: Root \\x1b[2J\\x1b]0;pwned\\x07 CA (version 1.0)" run.out &&
	test_grep -F "[unseal] Unbag\\x0dOK \\u009b2J \\u202eevil - acting" run.out &&
	test_grep -F "Alice \\x1b[31mMartin (security-officer)" run.out &&
	ceremony verify o/transcript.jsonl --script "$TEST_TMP/scripts/token-init-hostile.yaml" \
		--roster "$TEST_TMP/scripts/example-roster.yaml" >v.out &&
	clean v.out && test_grep "^o/transcript.jsonl: OK" v.out &&
	ceremony replay o/transcript.jsonl >r.out &&
	clean r.out &&
	test_grep -F "alice (Alice \\x1b[31mMartin; security-officer): present" r.out &&
	test_grep -F "== step unseal: Unbag\\x0dOK \\u009b2J \\u202eevil ==" r.out
'

test_expect_success 'lint and roster check quote hostile file text escaped' '
	test_exit_code 1 ceremony lint "$TEST_TMP/scripts/lint-hostile.yaml" --today 2026-11-27 >l.out &&
	clean l.out &&
	test_grep -F "error: unknown action" l.out &&
	test_grep -F "check\\x1b[2Jlist" l.out &&
	ceremony roster check "$TEST_TMP/scripts/example-roster.yaml" --today 2026-11-27 >ro.out &&
	clean ro.out &&
	test_grep -F "alice        Alice \\x1b[31mMartin   security-officer" ro.out
'

test_expect_success 'hsm list shows a hostile token label escaped (C1 byte, invalid UTF-8)' '
	softhsm_token "$(printf "HSM\033]0;t\007\233\377")" &&
	ceremony hsm list --module "$SOFTHSM_MODULE" >h.out &&
	clean h.out &&
	test_grep -F "\\x9b\\xff" h.out
'

test_expect_success 'twin: plain UTF-8 is printed unchanged everywhere' '
	"$SAMPLE" --from "$H/plain.events" --script "$H/s.yaml" --roster "$H/r.yaml" \
		--date 2026-06-01 t.jsonl &&
	test_exit_code 3 ceremony verify t.jsonl >v.out &&
	test_grep "ceremony:    Clé racine ü 日本, id" v.out &&
	ceremony replay t.jsonl >r.out &&
	test_grep "ceremony Clé racine ü 日本 started" r.out &&
	test_grep "ABORTED by carol (system-operator): arrêt: ü 日本$" r.out &&
	ceremony roster check "$TEST_TMP/scripts/roster-plain.yaml" --today 2026-11-27 >ro.out &&
	test_grep "^alice  *Zoë Müller 日本 " ro.out &&
	softhsm_token "Clé ü 日本" &&
	ceremony hsm list --module "$SOFTHSM_MODULE" >h.out &&
	test_grep "token         Clé ü 日本$" h.out
'

test_done
