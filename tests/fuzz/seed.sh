#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/seed.sh DIR - seed the long-run corpora DIR/<target>/ (make
# fuzz-long) from every test file the suite has, on top of the checked-in
# seeds tests/fuzz/corpus/<target>/: transcripts (tests/data, the corpora),
# scripts and rosters (scripts/, tests/data/lint, tests/data/verify), answer
# files (scripts/demo), the official SLIP-39 vectors (../shared/vectors,
# tests/vectors), PKCS#11 URIs and subjects found in scripts, tests and docs,
# and every ```json / ```yaml example of docs/, and the transcripts the
# end-to-end tests make with build/tests/transcript-sample (complete, signed,
# aborted, cut, production, each rule violation, and every *.events file of
# tests/ against its script and roster; skipped when the tool is not built:
# SAMPLE=path overrides). Files already there are kept
# (what earlier runs found stays); a seed is named by its SHA-1, as libFuzzer
# names its own.
cd "$(dirname "$0")/../.." || exit 1
out=${1:-build/fuzz-corpus}
vectors=../shared/vectors/slip39
mkdir -p "$out"
for d in tests/fuzz/corpus/*/; do
	t=$(basename "$d")
	[ "$t" = control ] && continue
	mkdir -p "$out/$t"
	for f in "$d"*; do [ -f "$f" ] && cp -n "$f" "$out/$t/$(sha1sum <"$f" | cut -c1-40)"; done
done
# transcripts written by the real writer, as the e2e tests write them
SAMPLE=${SAMPLE:-build/tests/transcript-sample}
gen=$(mktemp -d "${TMPDIR:-/tmp}/ceremony-seed.XXXXXX") || exit 1
trap 'rm -rf "$gen"' EXIT
if [ -x "$SAMPLE" ]; then
	n=0
	for opts in "" "--no-sign" "--abort" "--no-end" "--production" "--events 20" \
		"--violation quorum-twice" "--violation witness-actor" "--violation step-twice" \
		"--violation forbidden-pair" "--violation quorum-short"; do
		n=$((n + 1))
		mkdir -p "$gen/o$n"
		# shellcheck disable=SC2086 # the options are words
		"$SAMPLE" $opts --outputs "$gen/o$n" "$gen/s$n.jsonl" >/dev/null 2>&1 || true
	done
	for ev in $(find tests -name '*.events' | sort); do
		n=$((n + 1))
		d=$(dirname "$ev")
		if [ -f "$d/script.yaml" ] && [ -f "$d/roster.yaml" ]; then
			"$SAMPLE" --from "$ev" --script "$d/script.yaml" --roster "$d/roster.yaml" \
				"$gen/s$n.jsonl" >/dev/null 2>&1 || true
		else
			"$SAMPLE" --from "$ev" "$gen/s$n.jsonl" >/dev/null 2>&1 || true
		fi
	done
else
	echo "seed: $SAMPLE not built (make): no generated transcripts" >&2
fi
python3 - "$out" "$vectors" "$gen" <<'PY'
import glob, hashlib, json, os, re, sys
out, vectors, gen = sys.argv[1], sys.argv[2], sys.argv[3]
def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > 1 << 20:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(p):
        open(p, "wb").write(data)
def files(*pats):
    for pat in pats:
        for f in sorted(glob.glob(pat, recursive=True)):
            if os.path.isfile(f):
                yield f
texts = list(files("tests/**/*", "scripts/**/*", "docs/**/*"))
# transcripts: whole files for the verifiers, lines for the reader
for f in files("tests/**/*.jsonl", "tests/fuzz/corpus/verify/*", os.path.join(gen, "*.jsonl")):
    b = open(f, "rb").read()
    for t in ("verify", "verify_signed", "verify_script"):
        put(t, b)
    for line in b.split(b"\n")[:64]:
        put("tjson", line)
# scripts and rosters
for f in files("scripts/*.yaml", "tests/data/**/*.yaml", "tests/**/*.yaml"):
    b = open(f, "rb").read()
    put("roster" if b"people:" in b or "roster" in os.path.basename(f) else "script", b)
for f in files("scripts/demo/*.answers", "tests/**/*.answers"):
    put("answers", open(f, "rb").read())
# docs examples
for f in files("docs/*.md", "README.md", "tests/README.md"):
    s = open(f, encoding="utf-8", errors="replace").read()
    for lang, body in re.findall(r"```(json|jsonl|yaml)\n(.*?)```", s, re.S):
        if lang == "yaml":
            put("roster" if "people:" in body else "script", body)
        else:
            put("backup" if "ceremony-key-backup" in body else "tjson", body.strip())
            for line in body.splitlines():
                put("tjson", line)
# SLIP-39: official vectors as text (one share a line, and all shares of a
# vector), as word indices (slip39_decode), and the shares for entry
try:
    v = json.load(open(os.path.join(vectors, "vectors.json")))
    words = [w.strip() for w in open(os.path.join(vectors, "wordlist.txt")) if w.strip()]
except OSError:
    v, words = [], []
idx = {w: i for i, w in enumerate(words)}
for t in v:
    ms = t[1]
    put("slip39_text", "\n".join(ms) + "\n")
    put("entry", "\n".join(ms) + "\n")
    for m in ms:
        put("slip39_text", m)
        ws = m.split()
        if all(w in idx for w in ws):
            put("slip39_decode", b"".join(idx[w].to_bytes(2, "big") for w in ws))
for f in files("tests/vectors/*.json"):
    try:
        for t in json.load(open(f)):
            put("slip39_text", "\n".join(t[1]) + "\n")
    except (ValueError, TypeError, IndexError, KeyError):
        pass
# PKCS#11 URIs and subjects found anywhere in the tree's text
uri = re.compile(r"pkcs11:[^\s\"'`<>)]*")
subj = re.compile(r"/(?:C|O|OU|CN|L|ST)=[^\"'\n`]*")
for f in texts:
    try:
        s = open(f, encoding="utf-8", errors="strict").read()
    except (UnicodeDecodeError, OSError, IsADirectoryError):
        continue
    for u in set(uri.findall(s)):
        put("p11uri", u)
    for d in set(subj.findall(s)):
        put("dn", d.rstrip(",;"))
PY
for t in "$out"/*/; do printf '%s %s\n' "$(basename "$t")" "$(ls "$t" | wc -l)"; done
