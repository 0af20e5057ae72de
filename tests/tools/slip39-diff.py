#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential check: SLIP-39 share decoding (shares/slip39.c) against a
reference decoder written here from the specification (SLIP-0039, "Format
of the share mnemonic" and "Checksum"), with the official wordlist
(../shared/vectors/slip39/wordlist.txt).

Usage: slip39-diff.py SLIP39_DUMP PATH... [--vectors DIR]

Every file under the PATHs is one input. A text input is decoded whole (as
fuzz_slip39_text reads it); a file of several lines also gives each line;
an input of the slip39_decode corpus (word indices, two bytes a word, the
first byte below 0x20) is turned into its words first. Each goes through
build/tests/slip39-dump (slip39_mnemonic_decode) and through decode()
below; accept/reject and every field of an accepted share (identifier,
extendable, iteration exponent, group index/threshold/count, member
index/threshold, the share value) must agree, else the exit status is 1.

The input rules are the tool's (shares/slip39.h, docs): words separated by
ASCII whitespace, any case, a word given whole or by its 4-letter prefix;
20 to 59 words (the tool's shares hold 16 to 64 bytes).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
VECTORS = os.path.join(os.path.dirname(TOP), "shared", "vectors", "slip39")
MIN_WORDS, MAX_WORDS = 20, 59
BLANK = b" \t\n\r\x0b\x0c"

GEN = (0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
       0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120)


def polymod(values):
    chk = 1
    for v in values:
        b = chk >> 20
        chk = (chk & 0xFFFFF) << 10 ^ v
        for i in range(10):
            if (b >> i) & 1:
                chk ^= GEN[i]
    return chk


def checksum_ok(ext, words):
    cs = b"shamir_extendable" if ext else b"shamir"
    return polymod(list(cs) + list(words)) == 1


def load_words(vectors):
    words = [w.strip() for w in open(os.path.join(vectors, "wordlist.txt")) if w.strip()]
    assert len(words) == 1024
    return words


def word_index(words, prefixes, w):
    """The tool's rule: whole word or unique 4-letter prefix, ASCII letters, any case."""
    if not 4 <= len(w) <= 8 or not all(65 <= c <= 90 or 97 <= c <= 122 for c in w):
        return None
    w = w.lower().decode()
    if len(w) == 4:
        return prefixes.get(w)
    try:
        return words.index(w)
    except ValueError:
        return None


def decode_words(idx):
    """Spec decoding of word indices: None or the fields."""
    n = len(idx)
    if n < MIN_WORDS or n > MAX_WORDS:
        return None
    nvw = n - 4 - 3
    pad = (nvw * 10) % 16
    if pad > 8:
        return None
    ext = (idx[1] >> 4) & 1
    if not checksum_ok(ext, idx):
        return None
    ident = (idx[0] << 5) | (idx[1] >> 5)
    e = idx[1] & 15
    gi = idx[2] >> 6
    gt = ((idx[2] >> 2) & 15) + 1
    gc = (((idx[2] & 3) << 2) | (idx[3] >> 8)) + 1
    mi = (idx[3] >> 4) & 15
    mt = (idx[3] & 15) + 1
    if gt > gc:
        return None
    acc = 0
    for w in idx[4:4 + nvw]:
        acc = (acc << 10) | w
    bits = nvw * 10
    if acc >> (bits - pad):
        return None  # padding bits not zero
    vlen = (bits - pad) // 8
    value = (acc & ((1 << (bits - pad)) - 1)).to_bytes(vlen, "big")
    if vlen < 16 or vlen % 2:
        return None
    return "%d %d %d %d %d %d %d %d %s" % (ident, ext, e, gi, gt, gc, mi, mt, value.hex())


def decode(words, prefixes, data):
    toks = data.split()  # bytes.split(): exactly the ASCII whitespace BLANK
    if len(toks) > MAX_WORDS:
        return None
    idx = []
    for t in toks:
        i = word_index(words, prefixes, t)
        if i is None:
            return None
        idx.append(i)
    return decode_words(idx)


def inputs(paths, tmp, words):
    n = 0
    for p in paths:
        files = [p] if os.path.isfile(p) else sorted(
            os.path.join(r, f) for r, _, fs in os.walk(p) for f in fs)
        for f in files:
            data = open(f, "rb").read()
            if data and data[0] < 0x20 and data[0] not in BLANK:
                # word indices (the slip39_decode corpus): as text
                idx = [(data[i] << 8 | data[i + 1]) & 0x3FF for i in range(0, len(data) - 1, 2)]
                n += 1
                q = os.path.join(tmp, "w%06d" % n)
                with open(q, "wb") as fh:
                    fh.write(" ".join(words[i] for i in idx).encode())
                yield q
                continue
            yield f
            lines = data.split(b"\n")
            if len(lines) > 2 or (len(lines) == 2 and lines[1]):
                for line in lines[:64]:
                    n += 1
                    q = os.path.join(tmp, "l%06d" % n)
                    with open(q, "wb") as fh:
                        fh.write(line)
                    yield q


def main():
    args = sys.argv[1:]
    vectors = VECTORS
    if "--vectors" in args:
        i = args.index("--vectors")
        vectors = args[i + 1]
        del args[i:i + 2]
    if len(args) < 2:
        print(__doc__)
        return 2
    tool, paths = args[0], args[1:]
    words = load_words(vectors)
    prefixes = {w[:4]: i for i, w in enumerate(words)}
    assert len(prefixes) == 1024
    with tempfile.TemporaryDirectory() as tmp:
        names = list(inputs(paths, tmp, words))
        if not names:
            print("slip39-diff: no inputs in %s" % " ".join(paths), file=sys.stderr)
            return 2
        out = subprocess.run([tool], input=("\n".join(names) + "\n").encode(),
                             stdout=subprocess.PIPE, check=True).stdout.decode().splitlines()
        if len(out) != len(names):
            print("slip39-diff: %s answered %d lines for %d inputs" % (tool, len(out), len(names)))
            return 1
        bad = accepted = 0
        for name, got in zip(names, out):
            data = open(name, "rb").read()
            ref = decode(words, prefixes, data)
            mine = got[7:] if got.startswith("ACCEPT ") else None
            accepted += mine is not None
            if got == "ERROR" or mine != ref:
                bad += 1
                print("DIFFER %s: tool %s, reference %s; input %r" % (
                    name, mine or got, ref or "REJECT", data[:120]))
        print("slip39-diff: %d inputs, %d accepted by the tool, %d disagreements" % (
            len(names), accepted, bad))
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
