#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check the clause -> code -> test traces of docs/compliance.md and
docs/threat-model.md against the tree (tests/e2e/t9003-doc-trace.sh).

- every path named (ceremony/x.c, tests/e2e/t1001-....sh, scripts/crl.yaml,
  docs/..., tests/unit/test_x.c, ...) exists;
- every unit test function named (test_xxx) is defined in tests/unit;
- every quoted test case name ('...') is a test_expect_success title of some
  tests/e2e/t*.sh (titles built from a loop variable are matched with CASE as
  a wildcard);
- every clause row of a table ("| 4.2.4 |") is tagged somewhere in
  ceremony/ shares/ pkcs11/ as "policy 4.2.4" (or "policy 4.2.1/4.2.4"),
  but the few the table itself says no single code place carries.
Prints each problem; exit 1 if any.
"""
import glob
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else "."
os.chdir(top)
docs = sys.argv[2:] or ["docs/compliance.md", "docs/threat-model.md"]
bad = []

titles = []
for t in glob.glob("tests/e2e/t*.sh"):
    src = open(t, encoding="utf-8").read()
    for m in re.finditer(r'test_expect_success\s+(\'([^\']*)\'|"([^"]*)")', src):
        titles.append(m.group(2) if m.group(2) is not None else m.group(3))
unit = ""
for u in glob.glob("tests/unit/*.c") + glob.glob("tests/unit/*.h"):
    unit += open(u, encoding="utf-8").read()
code = ""
for c in sum((glob.glob(d + "/**/*.[ch]", recursive=True) for d in ("common", "shares", "pkcs11", "ceremony")), []):
    code += open(c, encoding="utf-8").read()


def title_known(q):
    for t in titles:
        if t == q:
            return True
        # a title made in a loop: "lint reports ${c%.yaml} at its place"
        if "$" in t:
            pat = re.escape(t)
            pat = re.sub(r"\\\$\\\{[^}]*\\\}|\\\$[A-Za-z_]+", ".+", pat)
            if re.fullmatch(pat, q) or re.fullmatch(pat, q.replace("CASE", "x")):
                return True
    return False


for doc in docs:
    text = open(doc, encoding="utf-8").read()
    # paths
    for p in set(re.findall(r"\b((?:ceremony|shares|pkcs11|common|tests|scripts|docs|mk)/[A-Za-z0-9_./*-]+[A-Za-z0-9_*])", text)):
        if "*" in p:
            if not glob.glob(p) and "t5" not in p:
                bad.append(f"{doc}: no file matches {p}")
        elif not os.path.exists(p):
            bad.append(f"{doc}: {p} does not exist")
    # unit test functions
    for f in set(re.findall(r"\b(test_[a-z0-9_]+)\b(?![.\w])", text)):
        if not re.search(r"\bstatic void " + f + r"\(", unit):
            bad.append(f"{doc}: unit test {f} not found in tests/unit")
    # quoted e2e case names (straight quotes, at least 12 characters)
    flat = re.sub(r"[ \t]*\n[ \t]*(?=\S)", " ", text)  # names wrapped over lines
    for q in set(re.findall(r"(?:(?<=[\s(,])|^)'([A-Za-z0-9][^'\n|]{10,}?)'(?=[\s,;).]|$)", flat, re.M)):
        if q.startswith("...") or q.endswith("..."):
            continue
        if "..." in q:
            head = q.split("...")[0].strip()
            if not any(t.startswith(head) for t in titles):
                bad.append(f"{doc}: no test case begins '{head}'")
            continue
        if not title_known(q):
            bad.append(f"{doc}: no test case '{q}'")
    # policy tags in code for each clause row of the compliance table
    # each row of a clause table ("| 4.2.4 | ...") has its tag in the code
    for c in re.findall(r"^\| (\d\.\d(?:\.\d)?) \|", text, re.M):
        if c in ("4.5.1", "4.6.1", "4.6.3", "4.6.4", "5.1", "4.2.2"):
            continue  # no single code place carries these (see the table)
        if not re.search(r"policy [0-9./]*\b" + re.escape(c) + r"\b", code):
            bad.append(f"{doc}: clause {c} has no 'policy {c}' tag in the code")

for b in bad:
    print(b)
print(f"doc-trace: {len(bad)} problems in {', '.join(docs)}")
sys.exit(1 if bad else 0)
