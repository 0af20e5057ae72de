#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The PIN derivation of docs/share-format.md ("PINs derived from an activation
# secret"), written again from the document alone, for the e2e tests: an
# independent reading of the spec that the tool's PINs must match.
# usage: pin-derive.py "hkdf-sha256-v1 ALPHABET LENGTH" < secret-hex
#        pin-derive.py "" < secret-hex   (a set issued before derived PINs:
#                                          the secret is the PIN as text)
# Prints the PIN without a newline. Tests only: a PIN never goes to a file.
import hashlib
import hmac
import sys

ALPHABETS = {
    "typeable": "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ",
    "digits": "0123456789",
}


def hkdf_sha256(ikm, info, length):
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def derive(secret, alphabet, length):
    chars = ALPHABETS[alphabet]
    limit = 256 - 256 % len(chars)
    info = ("ceremony pin v1 %s %d" % (alphabet, length)).encode()
    stream = hkdf_sha256(secret, info, 1024)
    pin = "".join(chars[b % len(chars)] for b in stream if b < limit)[:length]
    if len(pin) != length:
        sys.exit("pin-derive: the stream ran out")
    return pin


def main():
    secret = bytes.fromhex(sys.stdin.read().strip())
    spec = sys.argv[1] if len(sys.argv) > 1 else ""
    if spec == "":
        sys.stdout.write(secret.decode())
        return
    scheme, alphabet, length = spec.split(" ")
    if scheme != "hkdf-sha256-v1" or alphabet not in ALPHABETS:
        sys.exit("pin-derive: unknown derivation %r" % spec)
    sys.stdout.write(derive(secret, alphabet, int(length)))


main()
