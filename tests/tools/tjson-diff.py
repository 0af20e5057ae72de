#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential check: the transcript line reader (ceremony/transcript/tjson.c)
against Python's json, on a corpus.

Usage: tjson-diff.py TJSON_DUMP PATH... [--max N]

Every file under the PATHs is one input (its whole content, as the fuzz
target tjson reads it); a file of several lines (a transcript) also gives
each of its first 256 lines as an input (as the verifier reads them). Each
input goes through build/tests/tjson-dump (tests/tools/tjson_dump.c) and
through the reference below: Python's json with the rules of
docs/transcript-format.md section 1 added (strict UTF-8, no duplicate keys,
no \\u0000, no lone surrogate, integers in the 64-bit signed range, no
NaN/Infinity, at most 32 levels of nesting, 1,024 keys per object and
65,536 values). Accept/reject and, when both accept, the parsed values
(strings as their decoded bytes, integers exactly, reals as "a real") must
agree; any disagreement is printed and the exit status is 1 (there is no
list of known exceptions: INT64_MIN, the last one, is read since the
reader's fix).
"""
import json
import os
import subprocess
import sys
import tempfile

DEPTH_MAX, KEYS_MAX, TOKENS_MAX = 32, 1024, 65536
INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1

class Reject(Exception):
    pass


def no_dup(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise Reject("duplicate key")
        seen.add(k)
    return pairs


def bad_constant(name):
    raise Reject("not JSON: " + name)


class Real:
    pass


def neutral(v, depth, count):
    """The value in tjson_dump's form; raises Reject on a documented rule."""
    count[0] += 1
    if count[0] > TOKENS_MAX:
        raise Reject("too many values")
    if isinstance(v, Obj):
        if depth >= DEPTH_MAX:
            raise Reject("too deep")
        if len(v) > KEYS_MAX:
            raise Reject("too many keys")
        out = []
        for k, x in v:
            count[0] += 1
            out.append([string(k), neutral(x, depth + 1, count)])
        return {"o": out}
    if isinstance(v, list):
        if depth >= DEPTH_MAX:
            raise Reject("too deep")
        return {"a": [neutral(x, depth + 1, count) for x in v]}
    if isinstance(v, str):
        return {"s": string(v)}
    if v is True:
        return {"t": 1}
    if v is False:
        return {"f": 1}
    if v is None:
        return {"n": 1}
    if isinstance(v, Real):
        return {"r": 1}
    if isinstance(v, int):
        if not INT_MIN <= v <= INT_MAX:
            raise Reject("integer out of range")
        return {"i": str(v)}
    raise Reject("unexpected %r" % (v,))


class Obj(list):
    pass


def string(s):
    if "\0" in s:
        raise Reject("NUL in a string")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        raise Reject("lone surrogate")
    return s.encode("utf-8").hex()


def reference(data):
    """None (reject) or the neutral form."""
    try:
        text = data.decode("utf-8")
        v = json.loads(text, object_pairs_hook=lambda p: Obj(no_dup(p)),
                       parse_constant=bad_constant, parse_float=lambda _: Real())
        return neutral(v, 0, [0])
    except (Reject, ValueError, RecursionError):
        return None


def inputs(paths, tmp):
    n = 0
    for p in paths:
        files = [p] if os.path.isfile(p) else sorted(
            os.path.join(r, f) for r, _, fs in os.walk(p) for f in fs)
        for f in files:
            yield f
            data = open(f, "rb").read()
            lines = data.split(b"\n")
            if len(lines) > 2 or (len(lines) == 2 and lines[1]):
                for i, line in enumerate(lines[:256]):
                    n += 1
                    q = os.path.join(tmp, "%06d" % n)
                    with open(q, "wb") as fh:
                        fh.write(line)
                    yield q


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    tool, paths = args[0], args[1:]
    with tempfile.TemporaryDirectory() as tmp:
        names = list(inputs(paths, tmp))
        if not names:
            print("tjson-diff: no inputs in %s" % " ".join(paths), file=sys.stderr)
            return 2
        out = subprocess.run([tool], input=("\n".join(names) + "\n").encode(),
                             stdout=subprocess.PIPE, check=True).stdout.decode().splitlines()
        if len(out) != len(names):
            print("tjson-diff: %s answered %d lines for %d inputs" % (tool, len(out), len(names)))
            return 1
        bad = accepted = 0
        for name, got in zip(names, out):
            data = open(name, "rb").read()
            ref = reference(data)
            if got == "ERROR":
                print("ERROR %s: the tool could not read it" % name)
                bad += 1
                continue
            mine = json.loads(got[7:]) if got.startswith("ACCEPT ") else None
            accepted += mine is not None
            if mine == ref:
                continue
            bad += 1
            print("DIFFER %s: tjson %s, python %s; input %r" % (
                name, "accepts" if mine is not None else "rejects",
                "accepts" if ref is not None else "rejects", data[:200]))
        print("tjson-diff: %d inputs, %d accepted by tjson, %d disagreements" % (
            len(names), accepted, bad))
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
