#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerate shares/wordlist.c from a SLIP-39 wordlist.txt (argv[1])."""
import sys

words = [w.strip() for w in open(sys.argv[1]) if w.strip()]
assert len(words) == 1024 and words == sorted(words)
assert len({w[:4] for w in words}) == 1024, "4-letter prefixes must be unique"
out = ['/* SPDX-License-Identifier: Apache-2.0 AND MIT */',
       '/* shares/wordlist.c - the SLIP-39 wordlist (1024 words, sorted), compiled in.',
       ' * The words are SatoshiLabs\' SLIP-0039 wordlist (MIT; credited in NOTICE).',
       " * Generated from the SLIP-39 specification's wordlist.txt by mk/gen-wordlist.py. */",
       '#include "shares/wordlist.h"', '',
       'const char *const slip39_wordlist[SLIP39_WORDS] = {']
for i in range(0, 1024, 8):
    out.append('\t' + ' '.join('"%s",' % w for w in words[i:i + 8]))
out.append('};')
open('shares/wordlist.c', 'w').write('\n'.join(out) + '\n')
