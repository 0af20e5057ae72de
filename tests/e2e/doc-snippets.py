#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build ceremony scripts from docs/script-format.md, so what the format
document shows is what lint accepts.

usage: doc-snippets.py DOC OUTDIR ROSTER
Writes OUTDIR/actions.yaml (every step example of section 5 as one
ceremony, in the document's order) and OUTDIR/example-N.yaml (each complete
example of section 8, roster path replaced by ROSTER).
"""
import re
import sys

doc, outdir, roster = sys.argv[1:4]
text = open(doc).read()
blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
steps = [b for b in blocks if b.startswith("- id:")]
complete = [b for b in blocks if b.lstrip().startswith("#") and "format: 1" in b and "steps:" in b]

head = """format: 1
name: Every action of the format document
version: "1"
roster: %s
tokens:
  root: "pkcs11:token=Root%%20CA%%202026"
  sub: "pkcs11:token=Sub%%20CA%%202026"
  backup: "pkcs11:token=Root%%20CA%%202026%%20backup"
roles: {security-officer: 1, system-auditor: 1, hsm-administrator: 1, key-holder: 5}
secrets:
  user-pin: {kind: pin, token: root, groups: [{threshold: 3, count: 5}], group-threshold: 1}
  so-pin:   {kind: so-pin, token: root, groups: [{threshold: 2, count: 3}], group-threshold: 1}
  wrap-key: {kind: aes-256, groups: [{threshold: 2, count: 3}], group-threshold: 1}
  sub-pin: {kind: pin, token: sub, groups: [{threshold: 3, count: 5}], group-threshold: 1}
  backup-pin: {kind: pin, token: backup, groups: [{threshold: 3, count: 5}], group-threshold: 1}
steps:
""" % roster
# Glue after attendance (the first example): sessions on the other two tokens,
# which the examples of csr.create and key.restore use.
glue = """  - id: login-sub
    title: Log in to the sub-CA token
    action: quorum.login
    with: {token: sub, secret: sub-pin}
    actors: {key-holder: 3}
    witnesses: [security-officer, hsm-administrator]
  - id: login-backup
    title: Log in to the backup token
    action: quorum.login
    with: {token: backup, secret: backup-pin}
    actors: {key-holder: 3}
    witnesses: [security-officer, hsm-administrator]
"""
with open("%s/actions.yaml" % outdir, "w") as f:
    f.write(head)
    for k, b in enumerate(steps):
        f.write("".join("  " + line + "\n" for line in b.rstrip("\n").split("\n")))
        if k == 0:
            f.write(glue)
for i, b in enumerate(complete):
    with open("%s/example-%d.yaml" % (outdir, i + 1), "w") as f:
        f.write(re.sub(r"^roster: .*$", "roster: %s" % roster, b, flags=re.M))
print(len(steps), len(complete))
