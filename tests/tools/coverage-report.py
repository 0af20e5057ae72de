#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Line and branch coverage of a --coverage build (make coverage, mk/coverage.mk).

Usage: coverage-report.py BUILD_DIR [--files] [--uncovered FILE...]

Runs gcov (JSON output, gcc >= 9) on every .gcno under BUILD_DIR/obj (a file
with no .gcda counts as never run), merges the counts of each source line
over every object that compiled it (a header's inline functions), and prints
line and branch coverage per folder of the product (common/, shares/,
shares/ui/, pkcs11/, pkcs11/key/, pkcs11/x509/, ceremony/*/), the transcript
writer (ceremony/transcript/) and the verifier (ceremony/verify/) on their
own, and the total. Only product sources count (not tests/). Branches are
gcov's (each outcome of each condition the compiler emits). --files adds
the per-file figures (also written to BUILD_DIR/coverage-files.txt);
--uncovered FILE prints FILE's lines never run, with their function.
"""
import json
import os
import subprocess
import sys

PRODUCT = ("common/", "shares/", "pkcs11/", "ceremony/")
GROUPS = [
    ("common/", lambda f: f.startswith("common/")),
    ("shares/", lambda f: f.startswith("shares/") and f.count("/") == 1),
    ("shares/ui/", lambda f: f.startswith("shares/ui/")),
    ("pkcs11/", lambda f: f.startswith("pkcs11/") and f.count("/") == 1),
    ("pkcs11/key/", lambda f: f.startswith("pkcs11/key/")),
    ("pkcs11/x509/", lambda f: f.startswith("pkcs11/x509/")),
]
CEREMONY_DIRS = ["actions", "cli", "model", "policy", "run", "transcript", "verify"]
for d in CEREMONY_DIRS:
    GROUPS.append(("ceremony/%s/" % d, (lambda p: lambda f: f.startswith(p))("ceremony/%s/" % d)))
SPECIAL = [
    ("transcript writer (ceremony/transcript/)", lambda f: f.startswith("ceremony/transcript/")),
    ("verifier (ceremony/verify/)", lambda f: f.startswith("ceremony/verify/")),
]


def gcov_json(build, top):
    """Yield gcov's per-file JSON for every .gcno under build/obj."""
    obj = os.path.join(build, "obj")
    for root, _, files in os.walk(obj):
        notes = sorted(f for f in files if f.endswith(".gcno"))
        if not notes:
            continue
        out = subprocess.run(
            ["gcov", "--json-format", "--stdout", "--branch-probabilities", "-o", root]
            + [os.path.join(root, n) for n in notes],
            cwd=top, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        for line in out.stdout.decode("utf-8", "replace").splitlines():
            line = line.strip()
            if line.startswith("{"):
                yield json.loads(line)


def collect(build, top):
    # lines[file][lineno] = (count, [branch counts])
    lines = {}
    funcs = {}
    for doc in gcov_json(build, top):
        for f in doc.get("files", []):
            name = os.path.relpath(os.path.join(top, f["file"]), top) if not os.path.isabs(f["file"]) \
                else os.path.relpath(f["file"], top)
            if not name.startswith(PRODUCT) or not name.endswith((".c", ".h")):
                continue
            fl = lines.setdefault(name, {})
            for ln in f["lines"]:
                n = ln["line_number"]
                br = [b["count"] for b in ln.get("branches", [])]
                funcs.setdefault(name, {})[n] = ln.get("function_name", "")
                if n in fl:
                    c0, b0 = fl[n]
                    if len(b0) == len(br):
                        br = [x + y for x, y in zip(b0, br)]
                    elif len(b0) > len(br):
                        br = b0
                    fl[n] = (c0 + ln["count"], br)
                else:
                    fl[n] = (ln["count"], br)
    return lines, funcs


def totals(lines, pred):
    lt = lh = bt = bh = 0
    for f, fl in lines.items():
        if not pred(f):
            continue
        for c, br in fl.values():
            lt += 1
            lh += c > 0
            bt += len(br)
            bh += sum(1 for b in br if b > 0)
    return lt, lh, bt, bh


def pct(h, t):
    return "%5.1f%%" % (100.0 * h / t) if t else "   - "


def row(name, t):
    lt, lh, bt, bh = t
    return "%-44s %s (%5d/%5d)  %s (%5d/%5d)" % (name, pct(lh, lt), lh, lt, pct(bh, bt), bh, bt)


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    build = args[0]
    top = os.getcwd()
    lines, funcs = collect(build, top)
    if not lines:
        print("coverage-report: no coverage data under %s/obj (make coverage)" % build,
              file=sys.stderr)
        return 1
    if "--uncovered" in args:
        for want in args[args.index("--uncovered") + 1:]:
            fl = lines.get(want, {})
            src = open(os.path.join(top, want), encoding="utf-8", errors="replace").read().splitlines()
            for n in sorted(fl):
                if fl[n][0] == 0:
                    print("%s:%d: [%s] %s" % (want, n, funcs[want].get(n, ""), src[n - 1].strip()))
        return 0
    head = rev = ""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=top,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              check=False).stdout.decode().strip()
        rev = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=top,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             check=False).stdout.decode().strip()
    except OSError:
        pass
    print("coverage of %s (commit %s%s), gcov %s" % (build, head or "?", "+changes" if rev else "",
                                                   "lines / branches"))
    print("%-44s %-21s  %s" % ("folder", "lines", "branches"))
    for name, pred in GROUPS:
        t = totals(lines, pred)
        if t[0]:
            print(row(name, t))
    print()
    for name, pred in SPECIAL:
        print(row(name, totals(lines, pred)))
    print(row("total (product sources)", totals(lines, lambda f: True)))
    per_file = []
    for f in sorted(lines):
        per_file.append(row(f, totals(lines, (lambda x: lambda g: g == x)(f))))
    with open(os.path.join(build, "coverage-files.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(per_file) + "\n")
    if "--files" in args:
        print()
        print("\n".join(per_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
