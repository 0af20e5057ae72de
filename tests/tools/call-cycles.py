#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Calls go one way between files: list each pair of object files of which
each uses a symbol the other defines (functions or data), read with nm.

usage: call-cycles.py OBJ...   (prints one line per pair; exit 1 if any)"""
import subprocess
import sys


def symbols(obj):
    defined, used = set(), set()
    for line in subprocess.check_output(["nm", obj], text=True).splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRCV":
            defined.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            used.add(f[1])
    return defined, used


def main(objs):
    defs, uses, owner = {}, {}, {}
    for o in objs:
        defs[o], uses[o] = symbols(o)
        for s in defs[o]:
            owner[s] = o
    edges = {}
    for o in objs:
        for s in uses[o]:
            t = owner.get(s)
            if t is not None and t != o:
                edges.setdefault((o, t), []).append(s)
    pairs = sorted((a, b) for (a, b) in edges if (b, a) in edges and a < b)
    for a, b in pairs:
        print("%s <-> %s: %s / %s" % (a, b, ",".join(sorted(edges[(a, b)])[:3]),
                                      ",".join(sorted(edges[(b, a)])[:3])))
    return 1 if pairs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
