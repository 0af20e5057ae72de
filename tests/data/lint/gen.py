#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerate the lint cases in this directory from ok-base.yaml and roster.yaml.

Each case is the valid base with a small change. The expected place of each
error is computed here, independently of ceremony, as the 1-based line and
column where a given text starts in the changed file, and written at the top of
the case as '# expect: FILE:LINE:COL: fragment'. t3001-lint.sh checks that
`ceremony lint` reports exactly that place with that fragment.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = open(os.path.join(HERE, "ok-base.yaml")).read()
ROSTER = open(os.path.join(HERE, "roster.yaml")).read()


def pos(text, needle, nth=1):
    i = -1
    for _ in range(nth):
        i = text.find(needle, i + 1)
        if i < 0:
            raise SystemExit("needle not found: %r" % needle)
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, col


def sub(text, old, new):
    if text.count(old) < 1:
        raise SystemExit("old text not found: %r" % old)
    return text.replace(old, new, 1)


# name: (script changes, roster changes or None, [(where, needle, nth, fragment)])
# where is "script" or "roster".
S, R = "script", "roster"
CASES = {
    # --- YAML level
    "yaml-syntax": ([("  main: \"pkcs11:token=Main\"", "  main: [\"pkcs11:token=Main\"")], None,
                    [(S, "roles:", 1, "YAML:")]),
    "yaml-alias": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]",
                     "    actors: &a [hsm-administrator]\n    witnesses: *a")], None,
                   [(S, "&a", 1, "anchors are not allowed")]),
    "yaml-alias-only": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]",
                          "    actors: [hsm-administrator]\n    witnesses: *a")], None,
                        [(S, "*a", 1, "aliases are not allowed")]),
    "yaml-duplicate-key": ([("    title: Keygen\n", "    title: Keygen\n    title: Again\n")], None,
                           [(S, "title: Again", 1, "duplicate key 'title'")]),
    "yaml-two-documents": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n---\nformat: 1\n")], None,
                           [(S, "---", 1, "more than one YAML document")]),
    "yaml-not-a-map": ([(BASE, "- just\n- a list\n")], None, [(S, "- just", 1, "must be a mapping")]),
    # --- top level
    "unknown-key-top": ([("version: \"1\"\n", "version: \"1\"\ncolour: blue\n")], None,
                        [(S, "colour", 1, "unknown key 'colour'")]),
    "missing-name": ([("name: Lint case\n", "")], None, [(S, "format", 1, "missing required key 'name'")]),
    "missing-steps": ([(BASE[BASE.index("steps:"):], "")], None,
                      [(S, "format", 1, "missing required key 'steps'")]),
    "format-unsupported": ([("format: 1", "format: 2")], None, [(S, "2", 1, "unsupported format 2")]),
    "format-not-int": ([("format: 1", "format: one")], None, [(S, "one", 1, "must be an integer")]),
    "wrong-type-name": ([("name: Lint case", "name: [a, b]")], None,
                        [(S, "[a, b]", 1, "name must be a scalar, not a sequence")]),
    "steps-empty": ([(BASE[BASE.index("steps:"):], "steps: []\n")], None,
                    [(S, "[]", 1, "at least one step")]),
    "roster-empty-path": ([("roster: roster.yaml", "roster: \"\"")], None, [(S, "\"\"", 1, "roster path is empty")]),
    # --- tokens
    "tokens-empty": ([("tokens:\n  main: \"pkcs11:token=Main\"\n", "tokens: {}\n")], None,
                     [(S, "{}", 1, "at least one token")]),
    "token-name-invalid": ([("  main: \"pkcs11", "  Main: \"pkcs11")], None,
                           [(S, "Main:", 1, "not a valid name")]),
    "uri-not-pkcs11": ([("\"pkcs11:token=Main\"", "\"file:token=Main\"")], None,
                       [(S, "\"file:", 1, "does not start with 'pkcs11:'")]),
    "uri-pin-value": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main?pin-value=1234\"")], None,
                      [(S, "\"pkcs11:", 1, "carries a PIN")]),
    "uri-pin-source": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main?pin-source=file:/p\"")], None,
                       [(S, "\"pkcs11:", 1, "carries a PIN")]),
    "uri-no-token": ([("\"pkcs11:token=Main\"", "\"pkcs11:slot-description=Main\"")], None,
                     [(S, "\"pkcs11:", 1, "does not name a token")]),
    "uri-slot-id": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main;slot-id=1\"")], None,
                    [(S, "\"pkcs11:", 1, "names a slot-id: slot numbers change")]),
    "uri-object": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main;object=k1\"")], None,
                   [(S, "\"pkcs11:", 1, "names an object")]),
    "uri-unknown-attr": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main;colour=red\"")], None,
                         [(S, "\"pkcs11:", 1, "unknown attribute")]),
    "uri-bad-encoding": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main CA\"")], None,
                         [(S, "\"pkcs11:", 1, "badly encoded")]),
    "uri-bad-percent": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main%2\"")], None,
                        [(S, "\"pkcs11:", 1, "badly encoded")]),
    "uri-no-equals": ([("\"pkcs11:token=Main\"", "\"pkcs11:token\"")], None,
                      [(S, "\"pkcs11:", 1, "without 'name=value'")]),
    "uri-unknown-query": ([("\"pkcs11:token=Main\"", "\"pkcs11:token=Main?colour=red\"")], None,
                          [(S, "\"pkcs11:", 1, "unknown query attribute")]),
    # --- roles
    "role-unknown": ([("  key-holder: 3\n", "  key-holder: 3\n  janitor: 1\n")], None,
                     [(S, "janitor", 1, "unknown role 'janitor'")]),
    "role-count-zero": ([("  key-holder: 3", "  key-holder: 0")], None,
                        [(S, "0\n", 1, "between 1 and 32")]),
    "role-count-type": ([("  key-holder: 3", "  key-holder: three")], None,
                        [(S, "three", 1, "must be an integer")]),
    "roles-not-map": ([("roles:\n  security-officer: 1\n", "roles: [security-officer]\nxroles:\n  security-officer: 1\n")], None,
                      [(S, "[security-officer]", 1, "roles must be a mapping")]),
    # --- secrets
    "secret-unknown-key": ([("group-threshold: 1}", "group-threshold: 1, colour: red}")], None,
                           [(S, "colour", 1, "unknown key 'colour'")]),
    "secret-missing-kind": ([("{kind: pin, token: main, ", "{token: main, ")], None,
                            [(S, "{token: main", 1, "missing required key 'kind'")]),
    "secret-unknown-kind": ([("kind: pin", "kind: password")], None, [(S, "password", 1, "unknown kind 'password'")]),
    "secret-pin-no-token": ([("{kind: pin, token: main, ", "{kind: pin, ")], None,
                            [(S, "{kind: pin", 1, "needs 'token'")]),
    "secret-wrap-with-token": ([("{kind: pin, token: main, ", "{kind: aes-256, token: main, ")], None,
                               [(S, "main, groups", 1, "belongs to no token")]),
    "secret-unknown-token": ([("{kind: pin, token: main, ", "{kind: pin, token: other, ")], None,
                             [(S, "other", 1, "unknown token 'other'")]),
    "secret-threshold-over-count": ([("{threshold: 2, count: 3}", "{threshold: 4, count: 3}")], None,
                                    [(S, "4, count", 1, "larger than count")]),
    "secret-threshold-one": ([("{threshold: 2, count: 3}", "{threshold: 1, count: 3}")], None,
                             [(S, "1, count", 1, "threshold 1 needs count 1")]),
    "secret-count-too-big": ([("{threshold: 2, count: 3}", "{threshold: 2, count: 17}")], None,
                             [(S, "17", 1, "between 1 and 16")]),
    "secret-group-threshold-over": ([("group-threshold: 1}", "group-threshold: 2}")], None,
                                    [(S, "2}", 1, "larger than the 1 groups")]),
    "secret-groups-empty": ([("groups: [{threshold: 2, count: 3}]", "groups: []")], None,
                            [(S, "[]", 1, "1 to 16 entries")]),
    "secret-group-unknown-key": ([("{threshold: 2, count: 3}", "{threshold: 2, count: 3, size: 4}")], None,
                                 [(S, "size", 1, "unknown key 'size'")]),
    # --- steps
    "step-unknown-key": ([("    title: Keygen\n", "    title: Keygen\n    colour: red\n")], None,
                         [(S, "colour", 1, "unknown key 'colour' in step 'keygen'")]),
    "step-missing-title": ([("    title: Keygen\n", "")], None,
                           [(S, "id: keygen", 1, "missing required key 'title'")]),
    "step-missing-id": ([("  - id: keygen\n    title: Keygen\n", "  - title: Keygen\n")], None,
                        [(S, "title: Keygen", 1, "missing required key 'id'")]),
    "step-missing-action": ([("    action: key.generate\n", "")], None,
                            [(S, "id: keygen", 1, "missing required key 'action'")]),
    "step-missing-actors": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    witnesses: [system-auditor]\n")], None,
                            [(S, "id: keygen", 1, "missing required key 'actors'")]),
    "step-missing-witnesses": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [hsm-administrator]\n")], None,
                               [(S, "id: keygen", 1, "missing required key 'witnesses'")]),
    "step-no-witness": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [hsm-administrator]\n    witnesses: []\n")], None,
                        [(S, "[]", 1, "has no witness (policy 5.2.1)")]),
    "step-no-actor": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: []\n    witnesses: [system-auditor]\n")], None,
                      [(S, "[]", 1, "has no actor")]),
    "step-duplicate-id": ([("  - id: cert\n", "  - id: keygen\n")], None,
                          [(S, "keygen", 2, "duplicate step id 'keygen'")]),
    "step-id-invalid": ([("  - id: cert\n", "  - id: Cert!\n")], None, [(S, "Cert!", 1, "not a valid name")]),
    "step-not-map": ([("steps:\n", "steps:\n  - just a string\n")], None, [(S, "just a string", 1, "a step must be a mapping")]),
    "step-unknown-action": ([("action: key.generate", "action: key.levitate")], None,
                            [(S, "key.levitate", 1, "unknown action 'key.levitate'")]),
    "step-actor-unknown-role": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [hsm-admin]\n    witnesses: [system-auditor]\n")], None,
                                [(S, "hsm-admin]", 1, "unknown role 'hsm-admin'")]),
    "step-actors-scalar": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: hsm-administrator\n    witnesses: [system-auditor]\n")], None,
                           [(S, "hsm-administrator\n    witnesses: [system", 1, "sequence of roles or a mapping")]),
    "step-role-not-declared": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [hsm-administrator]\n    witnesses: [system-operator]\n")], None,
                               [(S, "[system-operator]", 1, "witness role system-operator is not in roles")]),
    "step-actor-not-declared": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [system-administrator]\n    witnesses: [system-auditor]\n")], None,
                                [(S, "[system-administrator]", 1, "actor role system-administrator is not in roles")]),
    "step-output-absolute": ([("    outputs: [ca.pem]", "    outputs: [ca.pem, /etc/x.pem]")], None,
                             [(S, "/etc/x.pem", 1, "relative path")]),
    "step-output-twice": ([("    outputs: [ca.pem]", "    outputs: [ca.pem, ca.pem]")], None,
                          [(S, "ca.pem]", 1, "listed twice")]),
    "step-output-not-listed": ([("    outputs: [ca.pem]", "    outputs: [other.pem]")], None,
                               [(S, "ca.pem}", 1, "not listed in the step's outputs")]),
    "step-output-dotdot": ([("output: ca.pem}", "output: ../ca.pem}"), ("    outputs: [ca.pem]", "    outputs: [ca.pem, ../ca.pem]")], None,
                           [(S, "../ca.pem}", 1, "relative path without '..'"), (S, "../ca.pem]", 1, "without '..'")]),
    "step-outputs-two-steps": ([("    witnesses: [system-auditor]\n  - id: cert", "    witnesses: [system-auditor]\n    outputs: [ca.pem]\n  - id: cert")], None,
                               [(S, "ca.pem]", 2, "also written by step 'keygen'")]),
    "step-attendance-not-first": ([("    action: attendance\n", "    action: checklist\n    with: {items: [x]}\n"),
                                   ("    action: key.generate\n    with: {token: main, type: ec, curve: p-256, label: k1, id: \"01\"}\n",
                                    "    action: attendance\n")], None,
                                  [(S, "id: keygen", 1, "attendance must be the first step")]),
    # --- parameters
    "param-unknown": ([("label: k1, id: \"01\"}", "label: k1, id: \"01\", colour: red}")], None,
                      [(S, "colour", 1, "unknown key 'colour' in 'with' of key.generate")]),
    "param-missing": ([("label: k1, id: \"01\"}", "id: \"01\"}")], None,
                      [(S, "{token: main, type: ec", 1, "key.generate needs parameter 'label'")]),
    "param-missing-no-with": ([("    with: {token: main, type: ec, curve: p-256, label: k1, id: \"01\"}\n", "")], None,
                              [(S, "id: keygen", 1, "key.generate needs parameter 'token'")]),
    "param-with-not-map": ([("    with: {token: main, type: ec, curve: p-256, label: k1, id: \"01\"}\n", "    with: [token]\n")], None,
                           [(S, "[token]", 1, "with must be a mapping")]),
    "param-enum": ([("type: ec", "type: dsa")], None, [(S, "dsa", 1, "'dsa' is not one of rsa|ec|ed25519")]),
    "param-int-type": ([("validity-days: 365", "validity-days: a year")], None,
                       [(S, "a year", 1, "must be an integer")]),
    "param-int-range": ([("validity-days: 365", "validity-days: 0")], None,
                        [(S, "0, output", 1, "between 1 and 18250")]),
    "param-int-quoted": ([("validity-days: 365", "validity-days: \"365\"")], None,
                         [(S, "\"365\"", 1, "must be an integer")]),
    "param-bool": ([("label: k1, id: \"01\"}", "label: k1, id: \"01\", extractable: maybe}")], None,
                   [(S, "maybe", 1, "must be true or false")]),
    "param-hex": ([("id: \"01\"}", "id: \"0g\"}")], None, [(S, "\"0g\"", 1, "hex digits of even length")]),
    "param-hex-odd": ([("id: \"01\"}", "id: \"012\"}")], None, [(S, "\"012\"", 1, "hex digits of even length")]),
    "param-empty": ([("label: k1,", "label: \"\",")], None, [(S, "\"\",", 1, "is empty")]),
    "param-wrong-type": ([("label: k1,", "label: [k1],")], None, [(S, "[k1]", 1, "must be a scalar")]),
    "param-unknown-token": ([("with: {token: main, type: ec", "with: {token: spare, type: ec")], None,
                            [(S, "spare", 1, "unknown token 'spare'")]),
    "param-unknown-secret": ([("secret: user-pin}", "secret: so-pin}")], None,
                             [(S, "so-pin}", 1, "unknown secret 'so-pin'")]),
    "param-secret-kind": ([("  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n",
                            "  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"
                            "  wrap: {kind: aes-256, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"),
                           ("secret: user-pin}", "secret: wrap}")], None,
                          [(S, "wrap}", 1, "is a aes-256, expected pin|so-pin")]),
    "param-rsa-no-size": ([("type: ec, curve: p-256,", "type: rsa,")], None, [(S, "rsa", 1, "needs 'size'")]),
    "param-rsa-size": ([("type: ec, curve: p-256,", "type: rsa, size: 2500,")], None,
                       [(S, "2500", 1, "between 2048 and 4096")] if False else [(S, "2500", 1, "2048, 3072 or 4096")]),
    "param-rsa-curve": ([("type: ec, curve: p-256,", "type: rsa, size: 3072, curve: p-256,")], None,
                        [(S, "p-256", 1, "takes no 'curve'")]),
    "param-ec-no-curve": ([("type: ec, curve: p-256,", "type: ec,")], None, [(S, "ec,", 1, "needs 'curve'")]),
    "param-ec-size": ([("type: ec, curve: p-256,", "type: ec, curve: p-256, size: 2048,")], None,
                      [(S, "2048", 1, "takes no 'size'")]),
    "param-ed25519-curve": ([("type: ec, curve: p-256,", "type: ed25519, curve: p-256,")], None,
                            [(S, "p-256", 1, "takes no 'curve'")]),
    "param-fingerprint-none": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: fp\n    title: Fp\n    action: fingerprint\n    with: {token: main}\n    actors: [system-auditor]\n    witnesses: [security-officer]\n")], None,
                               [(S, "{token: main}", 1, "exactly one of 'key' or 'file'")]),
    "param-fingerprint-both": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: fp\n    title: Fp\n    action: fingerprint\n    with: {token: main, key: k1, file: ca.pem}\n    actors: [system-auditor]\n    witnesses: [security-officer]\n")], None,
                               [(S, "{token: main, key: k1, file", 1, "exactly one of 'key' or 'file'")]),
    "param-fingerprint-key-no-token": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: fp\n    title: Fp\n    action: fingerprint\n    with: {key: k1}\n    actors: [system-auditor]\n    witnesses: [security-officer]\n")], None,
                                       [(S, "k1}", 1, "of a key needs 'token'")]),
    "param-fingerprint-file-token": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: fp\n    title: Fp\n    action: fingerprint\n    with: {token: main, file: ca.pem}\n    actors: [system-auditor]\n    witnesses: [security-officer]\n")], None,
                                     [(S, "main, file", 1, "of a file takes no 'token'")]),
    "param-checklist-empty": ([("    witnesses: [system-auditor]\n  - id: login", "    witnesses: [system-auditor]\n  - id: check\n    title: Check\n    action: checklist\n    with: {items: []}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n  - id: login")], None,
                              [(S, "[]", 1, "at least one item")]),
    "param-checklist-item-key": ([("    witnesses: [system-auditor]\n  - id: login", "    witnesses: [system-auditor]\n  - id: check\n    title: Check\n    action: checklist\n    with: {items: [{text: Bag, serial: x}]}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n  - id: login")], None,
                                 [(S, "serial", 1, "unknown key 'serial' in a checklist item")]),
    "param-checklist-item-no-text": ([("    witnesses: [system-auditor]\n  - id: login", "    witnesses: [system-auditor]\n  - id: check\n    title: Check\n    action: checklist\n    with: {items: [{record: bag}]}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n  - id: login")], None,
                                     [(S, "{record", 1, "missing required key 'text'")]),
    "param-checklist-record-name": ([("    witnesses: [system-auditor]\n  - id: login", "    witnesses: [system-auditor]\n  - id: check\n    title: Check\n    action: checklist\n    with: {items: [{text: Bag, record: Bag Serial}]}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n  - id: login")], None,
                                    [(S, "Bag Serial", 1, "not a valid name")]),
    "param-crl-revoked": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: crl\n    title: Crl\n    action: crl.sign\n    with: {token: main, key: k1, issuer-cert: ca.pem, crl-number: 1, next-update-days: 30, output: ca.crl,\n           revoked: [{serial: \"zz\", date: 2026-02-30, reason: bored}]}\n    actors: [hsm-administrator]\n    witnesses: [security-officer]\n    outputs: [ca.crl]\n")], None,
                          [(S, "\"zz\"", 1, "serial must be hex"), (S, "2026-02-30", 1, "date must be YYYY-MM-DD"),
                           (S, "bored", 1, "reason 'bored' is not one of")]),
    "param-role": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: change\n    title: Change\n    action: roster.change\n    with: {change: add, person: kate, role: keyholder}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n")], None,
                   [(S, "keyholder", 1, "unknown role 'keyholder'")]),
    "param-reshare-group-threshold": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: reshare\n    title: Reshare\n    action: shares.reshare\n    with: {secret: user-pin, group-threshold: 2}\n    actors: {key-holder: 3}\n    witnesses: [security-officer]\n")], None,
                                      [(S, "2}\n    actors: {key-holder: 3}", 1, "group-threshold 2 is larger than the 1 groups")]),
    # --- policy against the roster
    "quorum-actors-short": ([("    actors: {key-holder: 2}", "    actors: {key-holder: 1}")], None,
                            [(S, "{key-holder: 1}", 1, "needs a quorum of 2 key holders, actors give 1")]),
    "quorum-infeasible": ([("{threshold: 2, count: 3}", "{threshold: 4, count: 5}"), ("    actors: {key-holder: 2}", "    actors: {key-holder: 3}")], None,
                          [(S, "user-pin:", 1, "a quorum needs 4 distinct key holders, the roster has 3 eligible")]),
    "issue-short": ([("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: rotate\n    title: Rotate\n    action: pin.rotate\n    with: {token: main, secret: user-pin}\n    actors: {key-holder: 2}\n    witnesses: [security-officer]\n")], None,
                    [(S, "{key-holder: 2}\n    witnesses: [security-officer]\n", 2, "issues 3 shares of 'user-pin', one per key holder, but actors give 2")]),
    "issue-roster-short": ([("  key-holder: 3", "  key-holder: 3\n  system-operator: 1"),
                            ("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: reshare\n    title: Reshare\n    action: shares.reshare\n    with: {secret: user-pin, groups: [{threshold: 2, count: 4}]}\n    actors: {key-holder: 4}\n    witnesses: [security-officer]\n")], None,
                           [(S, "id: reshare", 1, "4 shares of 'user-pin' need 4 distinct key holders, the roster has 3 eligible")]),
    "role-slots-short": ([("  key-holder: 3", "  key-holder: 4")], None,
                         [(S, "key-holder: 4", 1, "key-holder needs 4 persons, the roster has 3 eligible (kate, ken, kim)")]),
    "actor-own-witness": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [hsm-administrator]\n    witnesses: [hsm-administrator]\n")], None,
                          [(S, "[hsm-administrator]\n  - id: cert", 1, "hsm-administrator both acts and witnesses: needs 2 distinct")]),
    "actor-own-witness-roster": ([("  hsm-administrator: 1", "  hsm-administrator: 2"),
                                  ("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [hsm-administrator]\n    witnesses: [hsm-administrator]\n")], None,
                                 [(S, "hsm-administrator: 2", 1, "hsm-administrator needs 2 persons, the roster has 1 eligible (hugo)")]),
    "step-too-many": ([("    actors: {key-holder: 2}", "    actors: {key-holder: 4}")], None,
                      [(S, "{key-holder: 4}", 1, "needs 4 key-holder persons, roles has 3")]),
    "no-distinct-persons": ([],
                            [("roles: [security-officer]", "roles: [security-officer, system-auditor]"),
                             ("roles: [system-auditor]", "roles: [hsm-administrator]")],
                            [(S, "id: attendance", 1, "step 'attendance': no choice of attending persons gives distinct actors and witnesses")]),
    "forbidden-pair-assignment": ([("  key-holder: 3\n", "  key-holder: 3\n  system-operator: 1\n")],
                                  [("roles: [hsm-administrator]", "roles: [hsm-administrator, system-auditor]"),
                                   ("roles: [key-holder]\n    vetting: 2026-01-10\n    training: 2026-11-20\n  - id: ken",
                                    "roles: [key-holder, system-auditor]\n    vetting: 2026-01-10\n    training: 2026-11-20\n  - id: ken"),
                                   ("  - id: kim\n", "  - id: otto\n    name: Otto\n    roles: [system-operator]\n    vetting: 2026-01-10\n    training: 2026-11-20\n  - id: kim\n")],
                                  []),
    # --- roster file
    "roster-stale-vetting": ([], [("vetting: 2026-01-10\n    training: 2026-11-20\n  - id: sam", "vetting: 2024-11-26\n    training: 2026-11-20\n  - id: sam")],
                             [(R, "2024-11-26", 1, "policy 4.3.2: alice's vetting is older than 2y (valid until 2026-11-26)")]),
    "roster-stale-training": ([], [("training: 2026-11-20\n  - id: hugo", "training: 2025-11-26\n  - id: hugo")],
                              [(R, "2025-11-26", 1, "policy 4.3.4: sam's training is older than 1y (valid until 2026-11-26)")]),
    "roster-future-vetting": ([], [("vetting: 2026-01-10\n    training: 2026-11-20\n  - id: kate", "vetting: 2026-12-01\n    training: 2026-11-20\n  - id: kate")],
                              [(R, "2026-12-01", 1, "policy 4.3.2: hugo's vetting date is in the future")]),
    "roster-future-training": ([], [("training: 2026-11-20\n  - id: ken", "training: 2027-01-01\n  - id: ken")],
                               [(R, "2027-01-01", 1, "policy 4.3.4: kate's training date is in the future")]),
    "roster-pair-so-sysadmin": ([], [("roles: [security-officer]", "roles: [security-officer, system-administrator]")],
                                [(R, "[security-officer, system-administrator]", 1, "policy 4.2.4: alice (Alice) holds security-officer and system-administrator")]),
    "roster-pair-so-hsm": ([], [("roles: [security-officer]", "roles: [security-officer, hsm-administrator]")],
                           [(R, "[security-officer, hsm-administrator]", 1, "policy 4.2.4: alice (Alice) holds security-officer and hsm-administrator")]),
    "roster-pair-op-sysadmin": ([], [("roles: [hsm-administrator]", "roles: [hsm-administrator, system-operator, system-administrator]")],
                                [(R, "[hsm-administrator, system-operator", 1, "holds system-operator and system-administrator")]),
    "roster-pair-op-hsm": ([], [("roles: [hsm-administrator]", "roles: [hsm-administrator, system-operator]")],
                           [(R, "[hsm-administrator, system-operator]", 1, "policy 4.2.4: hugo (Hugo) holds system-operator and hsm-administrator")]),
    "roster-pair-extra": ([], [("format: 1\n", "format: 1\npolicy:\n  forbidden-pairs:\n    - [system-auditor, key-holder]\n"),
                               ("roles: [key-holder]", "roles: [key-holder, system-auditor]")],
                          [(R, "[key-holder, system-auditor]", 1, "holds system-auditor and key-holder")]),
    "roster-unknown-key": ([], [("    name: Alice\n", "    name: Alice\n    phone: 123\n")],
                           [(R, "phone", 1, "unknown key 'phone' in person 'alice'")]),
    "roster-missing-vetting": ([], [("    vetting: 2026-01-10\n    training: 2026-11-20\n  - id: sam", "    training: 2026-11-20\n  - id: sam")],
                               [(R, "id: alice", 1, "missing required key 'vetting'")]),
    "roster-bad-date": ([], [("vetting: 2026-01-10\n    training: 2026-11-20\n  - id: sam", "vetting: 2026-13-10\n    training: 2026-11-20\n  - id: sam")],
                        [(R, "2026-13-10", 1, "vetting must be a date YYYY-MM-DD")]),
    "roster-duplicate-id": ([], [("  - id: ken\n", "  - id: kate\n")], [(R, "kate", 2, "duplicate person id 'kate'")]),
    "roster-unknown-role": ([], [("roles: [security-officer]", "roles: [security-officer, boss]")],
                            [(R, "boss", 1, "unknown role 'boss'")]),
    "roster-role-twice": ([], [("roles: [security-officer]", "roles: [security-officer, security-officer]")],
                          [(R, "security-officer]", 1, "listed twice")]),
    "roster-no-roles": ([], [("roles: [security-officer]", "roles: []")], [(R, "[]", 1, "at least one role")]),
    "roster-format": ([], [("format: 1", "format: 3")], [(R, "3", 1, "unsupported format 3")]),
    "roster-age-loose": ([], [("format: 1\n", "format: 1\npolicy:\n  max-vetting-age: 3y\n")],
                         [(R, "3y", 1, "longer than the policy's 2y")]),
    "roster-age-loose-days": ([], [("format: 1\n", "format: 1\npolicy:\n  max-training-age: 400d\n")],
                              [(R, "400d", 1, "longer than the policy's 1y")]),
    "roster-age-bad": ([], [("format: 1\n", "format: 1\npolicy:\n  max-vetting-age: two years\n")],
                       [(R, "two years", 1, "positive number followed by y, m or d")]),
    "roster-pair-bad": ([], [("format: 1\n", "format: 1\npolicy:\n  forbidden-pairs:\n    - [key-holder]\n")],
                        [(R, "[key-holder]", 1, "a forbidden pair is [role, role]")]),
    "roster-pair-same": ([], [("format: 1\n", "format: 1\npolicy:\n  forbidden-pairs:\n    - [key-holder, key-holder]\n")],
                         [(R, "[key-holder, key-holder]", 1, "two different roles")]),
    "roster-policy-unknown": ([], [("format: 1\n", "format: 1\npolicy:\n  max-age: 2y\n")],
                              [(R, "max-age", 1, "unknown key 'max-age' in policy")]),
    "roster-tightened-training": ([], [("format: 1\n", "format: 1\npolicy:\n  max-training-age: 6m\n"),
                                       ("training: 2026-11-20\n  - id: kim", "training: 2026-05-26\n  - id: kim")],
                                  [(R, "2026-05-26", 1, "policy 4.3.4: ken's training is older than 6m (valid until 2026-11-26)")]),
}

# Staffing forced into a forbidden pair: alice is the only security officer and
# the only HSM administrator (the roster error is reported too).
CASES["forbidden-pair-assignment"] = (
    [],
    [("roles: [security-officer]", "roles: [security-officer, hsm-administrator]"),
     ("roles: [hsm-administrator]", "roles: [system-auditor]")],
    [(R, "[security-officer, hsm-administrator]", 1, "policy 4.2.4: alice (Alice) holds security-officer and hsm-administrator"),
     (S, "security-officer: 1", 1, "no assignment of the roster's eligible persons fills every role slot without one person holding a forbidden pair")])

# More cases: one per remaining error of the schema and the policy.
def step_after_cert(text):
    """A step appended after the last one of the base."""
    return [("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n" + text)]


CASES.update({
    "login-missing": ([("  - id: login\n    title: Login\n    action: quorum.login\n    with: {token: main, secret: user-pin}\n    actors: {key-holder: 2}\n    witnesses: [security-officer]\n", "")], None,
                      [(S, "main, type: ec", 1, "step 'keygen': key.generate on token 'main' needs an earlier quorum.login step on it"),
                       (S, "main, key: k1", 1, "step 'cert': cert.self-sign on token 'main' needs an earlier quorum.login")]),
    "login-after-use": ([("  - id: login\n    title: Login\n    action: quorum.login\n    with: {token: main, secret: user-pin}\n    actors: {key-holder: 2}\n    witnesses: [security-officer]\n", ""),
                         ("    outputs: [ca.pem]\n", "    outputs: [ca.pem]\n  - id: login\n    title: Login\n    action: quorum.login\n    with: {token: main, secret: user-pin}\n    actors: {key-holder: 2}\n    witnesses: [security-officer]\n")], None,
                        [(S, "main, type: ec", 1, "needs an earlier quorum.login step on it")]),
    # the login state per token (script_flow.c check_logins)
    "login-so-key-operation": ([("  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n",
                                 "  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n  so-pin: {kind: so-pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"),
                                ("with: {token: main, secret: user-pin}", "with: {token: main, secret: so-pin}")], None,
                               [(S, "main, type: ec", 1, "step 'keygen': key.generate on token 'main' needs a user login, but step 'login' logged in to it as SO"),
                                (S, "main, key: k1", 1, "step 'cert': cert.self-sign on token 'main' needs a user login, but step 'login' logged in to it as SO")]),
    "login-so-after-init": ([("  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n",
                              "  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n  so-pin: {kind: so-pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"),
                             ("  - id: login\n", "  - id: init\n    title: Init\n    action: token.init\n    with: {token: main, label: Main, so-pin: so-pin, user-pin: user-pin}\n    actors: {hsm-administrator: 1, key-holder: 3}\n    witnesses: [security-officer]\n  - id: login\n"),
                             ("with: {token: main, secret: user-pin}", "with: {token: main, secret: so-pin}")], None,
                            [(S, "main, secret: so-pin", 1, "step 'login': quorum.login logs in to token 'main' as SO after step 'init' logged in to it as user (one login kind per token per ceremony")]),
    "login-user-after-so": ([("  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n",
                              "  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n  so-pin: {kind: so-pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}\n"),
                             ("  - id: login\n", "  - id: login-so\n    title: SO login\n    action: quorum.login\n    with: {token: main, secret: so-pin}\n    actors: {key-holder: 2}\n    witnesses: [security-officer]\n  - id: login\n")], None,
                            [(S, "main, secret: user-pin", 1, "step 'login': quorum.login logs in to token 'main' as user after step 'login-so' logged in to it as SO"),
                             (S, "main, type: ec", 1, "step 'keygen': key.generate on token 'main' needs a user login, but step 'login-so' logged in to it as SO")]),
    # a key label or id names one key on its token
    "key-label-twice": (step_after_cert("  - id: keygen2\n    title: Keygen again\n    action: key.generate\n    with: {token: main, type: ec, curve: p-256, label: k1, id: \"02\"}\n    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n"), None,
                        [(S, "k1, id: \"02\"", 1, "step 'keygen2': key label 'k1' on token 'main' is already used by step 'keygen' (line ")]),
    "key-id-twice": (step_after_cert("  - id: keygen2\n    title: Keygen again\n    action: key.generate\n    with: {token: main, type: ec, curve: p-256, label: k2, id: \"01\"}\n    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n"), None,
                     [(S, "\"01\"}", 2, "step 'keygen2': key id '01' on token 'main' is already used by step 'keygen' (line ")]),
    "attendance-missing": ([("  - id: attendance\n    title: Attendance\n    action: attendance\n    actors: [security-officer]\n    witnesses: [system-auditor]\n", "")], None,
                           [(S, "id: login", 1, "the first step must be an attendance step")]),
    "secret-wrong-token": ([("  main: \"pkcs11:token=Main\"\n", "  main: \"pkcs11:token=Main\"\n  spare: \"pkcs11:token=Spare\"\n"),
                            ("with: {token: main, secret: user-pin}", "with: {token: spare, secret: user-pin}")], None,
                           [(S, "user-pin}", 1, "secret 'user-pin' is a PIN of token 'main', not of 'spare'")]),
    "yaml-too-deep": ([("name: Lint case\n", "name: Lint case\ndescription: " + "[" * 40 + "]" * 40 + "\n")], None,
                      [(S, "description: [", 1, "nested more than 32 levels", 13 + 31)]),
    "yaml-nul": ([("name: Lint case", "name: \"Lint\\0case\"")], None, [(S, "\"Lint", 1, "NUL byte")]),
    "yaml-key-not-scalar": ([("version: \"1\"\n", "version: \"1\"\n? [a, b]\n: c\n")], None,
                            [(S, "[a, b]", 1, "a key must be a scalar")]),
    "description-not-scalar": ([("name: Lint case\n", "name: Lint case\ndescription: {a: b}\n")], None,
                               [(S, "{a: b}", 1, "description must be a scalar, not a mapping")]),
    "tokens-not-map": ([("tokens:\n  main: \"pkcs11:token=Main\"\n", "tokens: [\"pkcs11:token=Main\"]\n")], None,
                       [(S, "[\"pkcs11", 1, "tokens must be a mapping")]),
    "token-uri-not-scalar": ([("  main: \"pkcs11:token=Main\"", "  main: [\"pkcs11:token=Main\"]")], None,
                             [(S, "[\"pkcs11", 1, "a token URI must be a scalar")]),
    "secrets-not-map": ([("secrets:\n  user-pin:", "secrets: []\nxsecrets:\n  user-pin:")], None,
                        [(S, "[]", 1, "secrets must be a mapping")]),
    "secret-not-map": ([("  user-pin: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}",
                         "  user-pin: pin\n  other: {kind: pin, token: main, groups: [{threshold: 2, count: 3}], group-threshold: 1}")], None,
                       [(S, "pin\n", 1, "secret 'user-pin' must be a mapping")]),
    "secret-groups-not-seq": ([("groups: [{threshold: 2, count: 3}]", "groups: 3")], None,
                              [(S, "3, group", 1, "groups must be a sequence")]),
    "secret-group-not-map": ([("groups: [{threshold: 2, count: 3}]", "groups: [3]")], None,
                             [(S, "3]", 1, "a group must be a mapping")]),
    "secret-group-missing-threshold": ([("groups: [{threshold: 2, count: 3}]", "groups: [{count: 3}]")], None,
                                       [(S, "{count", 1, "missing required key 'threshold'")]),
    "secret-name-invalid": ([("  user-pin: {kind", "  User_PIN: {kind"), ("secret: user-pin}", "secret: User_PIN}")], None,
                            [(S, "User_PIN: {", 1, "not a valid name")]),
    "step-actors-item-not-scalar": ([("    actors: [hsm-administrator]\n    witnesses: [system-auditor]\n", "    actors: [[hsm-administrator]]\n    witnesses: [system-auditor]\n")], None,
                                    [(S, "[hsm-administrator]]", 1, "actors must be a scalar, not a sequence")]),
    "step-title-not-scalar": ([("    title: Keygen", "    title: [Keygen]")], None, [(S, "[Keygen]", 1, "title must be a scalar")]),
    "step-note-not-scalar": ([("    title: Keygen\n", "    title: Keygen\n    note: {a: 1}\n")], None, [(S, "{a: 1}", 1, "note must be a scalar")]),
    "step-action-not-scalar": ([("action: key.generate", "action: [key.generate]")], None, [(S, "[key.generate]", 1, "action must be a scalar")]),
    "step-outputs-not-seq": ([("    outputs: [ca.pem]", "    outputs: ca.pem")], None,
                             [(S, "ca.pem\n", 1, "outputs must be a sequence")]),
    "step-output-not-scalar": ([("    outputs: [ca.pem]", "    outputs: [ca.pem, [x]]")], None,
                               [(S, "[x]", 1, "an output must be a scalar")]),
    "param-output-absolute": ([("output: ca.pem}", "output: /tmp/ca.pem}")], None,
                              [(S, "/tmp/ca.pem", 1, "must be a relative path")]),
    "param-items-not-seq": (step_after_cert("  - id: check\n    title: Check\n    action: checklist\n    with: {items: read it}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n"), None,
                            [(S, "read it", 1, "'items' must be a sequence")]),
    "param-item-not-map": (step_after_cert("  - id: check\n    title: Check\n    action: checklist\n    with: {items: [[a]]}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n"), None,
                           [(S, "[a]]", 1, "a checklist item must be a mapping")]),
    "param-revoked-not-seq": (step_after_cert("  - id: crl\n    title: Crl\n    action: crl.sign\n    with: {token: main, key: k1, issuer-cert: ca.pem, crl-number: 1, next-update-days: 30, output: ca.crl, revoked: none}\n    actors: [hsm-administrator]\n    witnesses: [security-officer]\n    outputs: [ca.crl]\n"), None,
                              [(S, "none}", 1, "'revoked' must be a sequence")]),
    "param-revoked-entry": (step_after_cert("  - id: crl\n    title: Crl\n    action: crl.sign\n    with: {token: main, key: k1, issuer-cert: ca.pem, crl-number: 1, next-update-days: 30, output: ca.crl, revoked: [x, {serial: \"01\", date: 2026-01-01, reason: superseded, why: x}, {serial: \"02\"}]}\n    actors: [hsm-administrator]\n    witnesses: [security-officer]\n    outputs: [ca.crl]\n"), None,
                            [(S, "x, {serial", 1, "a revoked entry must be a mapping"),
                             (S, "why", 1, "unknown key 'why' in a revoked entry"),
                             (S, "{serial: \"02\"}", 1, "missing required key 'date'"),
                             (S, "{serial: \"02\"}", 1, "missing required key 'reason'")]),
    "param-name-invalid": (step_after_cert("  - id: change\n    title: Change\n    action: roster.change\n    with: {change: add, person: Kate!, role: key-holder}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n"), None,
                           [(S, "Kate!", 1, "not a valid name")]),
    "roster-change-unknown-person": (step_after_cert("  - id: change\n    title: Change\n    action: roster.change\n    with: {change: add, person: zoe, role: key-holder}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n"), None,
                                     [(S, "zoe", 1, "'zoe' is not in the roster")]),
    "roster-change-retire-not-held": (step_after_cert("  - id: change\n    title: Change\n    action: roster.change\n    with: {change: retire, person: sam, role: key-holder}\n    actors: [security-officer]\n    witnesses: [system-auditor]\n"), None,
                                      [(S, "sam,", 1, "sam does not hold the role key-holder to retire")]),
    "roster-people-not-seq": ([], [("people:\n  - id: alice", "people: {}\nx:\n  - id: alice")], [(R, "{}", 1, "people must be a sequence")]),
    "roster-people-empty": ([], [("people:\n  - id: alice", "people: []\nx:\n  - id: alice")], [(R, "[]", 1, "at least one person")]),
    "roster-person-not-map": ([], [("people:\n", "people:\n  - alice\n")], [(R, "alice\n", 1, "a person must be a mapping")]),
    "roster-id-invalid": ([], [("id: alice", "id: Alice Martin")], [(R, "Alice Martin", 1, "person id 'Alice Martin' is not a valid name")]),
    "roster-format-not-int": ([], [("format: 1", "format: \"1\"")], [(R, "\"1\"", 1, "format must be an integer")]),
    "roster-missing-format": ([], [("format: 1\n", "")], [(R, "people", 1, "missing required key 'format'")]),
    "roster-unknown-top": ([], [("format: 1\n", "format: 1\nstaff: []\n")], [(R, "staff", 1, "unknown key 'staff' in the roster")]),
    "roster-policy-not-map": ([], [("format: 1\n", "format: 1\npolicy: strict\n")], [(R, "strict", 1, "policy must be a mapping")]),
    "roster-pairs-not-seq": ([], [("format: 1\n", "format: 1\npolicy: {forbidden-pairs: none}\n")], [(R, "none", 1, "forbidden-pairs must be a sequence")]),
    "roster-pair-not-seq": ([], [("format: 1\n", "format: 1\npolicy: {forbidden-pairs: [key-holder]}\n")], [(R, "key-holder]", 1, "a forbidden pair must be a sequence")]),
    "roster-pair-unknown-role": ([], [("format: 1\n", "format: 1\npolicy: {forbidden-pairs: [[key-holder, janitor]]}\n")], [(R, "janitor", 1, "unknown role 'janitor'")]),
    "roster-too-many-pairs": ([], [("format: 1\n", "format: 1\npolicy:\n  forbidden-pairs:\n" + "    - [key-holder, system-auditor]\n" * 33)],
                              [(R, "- [key-holder", 1, "at most 32 pairs")]),
    "roster-training-age-bad": ([], [("format: 1\n", "format: 1\npolicy: {max-training-age: 1w}\n")], [(R, "1w", 1, "positive number followed by y, m or d")]),
    "roster-name-not-scalar": ([], [("name: Alice", "name: [Alice]")], [(R, "[Alice]", 1, "name must be a scalar")]),
    "roster-email-not-scalar": ([], [("    name: Alice\n", "    name: Alice\n    email: [a@b]\n")], [(R, "[a@b]", 1, "email must be a scalar")]),
    "roster-roles-not-seq": ([], [("roles: [security-officer]", "roles: security-officer")], [(R, "security-officer\n", 1, "roles must be a sequence")]),
})


def main():
    for name in sorted(os.listdir(HERE)):
        if name.startswith("case-") or name.startswith("roster-case-"):
            os.unlink(os.path.join(HERE, name))
    for name, (schanges, rchanges, expects) in sorted(CASES.items()):
        if not expects:
            continue
        body = BASE
        for old, new in schanges:
            body = sub(body, old, new)
        rfile = "roster.yaml"
        rbody = None
        if rchanges is not None:
            rbody = ROSTER
            for old, new in rchanges:
                rbody = sub(rbody, old, new)
            rfile = "roster-case-%s.yaml" % name
            body = sub(body, "roster: roster.yaml", "roster: %s" % rfile) if "roster: roster.yaml" in body else body
        header = []
        for exp in expects:
            where, needle, nth, frag = exp[:4]
            text = body if where == S else rbody
            line, col = pos(text, needle, nth)
            col += exp[4] if len(exp) > 4 else 0
            fname = "case-%s.yaml" % name if where == S else rfile
            header.append((where, fname, line, col, frag))
        h = len(header) + 1
        lines = ["# lint case %s (generated by gen.py)\n" % name]
        for where, fname, line, col, frag in header:
            if where == S:
                line += h
            lines.append("# expect: %s:%d:%d: %s\n" % (fname, line, col, frag))
        with open(os.path.join(HERE, "case-%s.yaml" % name), "w") as f:
            f.write("".join(lines) + body)
        if rbody is not None:
            with open(os.path.join(HERE, rfile), "w") as f:
                f.write(rbody)


main()
