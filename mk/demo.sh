#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make demo: the token-init and root-CA ceremonies in rehearsal on a throwaway
# SoftHSM token under var/demo/, answered from scripts/demo/*.answers, then
# verified (ceremony verify, openssl cms -verify, openssl verify).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
demo=$top/var/demo
C=$top/build/ceremony
MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
# The date the example roster is valid on (vetting and training dates).
TODAY=2026-11-27

rm -rf "$demo"
mkdir -p "$demo/softhsm/tokens" "$demo/token-init" "$demo/out"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$demo/softhsm/tokens" >"$demo/softhsm/softhsm2.conf"
SOFTHSM2_CONF=$demo/softhsm/softhsm2.conf
export SOFTHSM2_CONF
echo "== ceremony $($C --version | cut -d' ' -f2): demo under $demo (throwaway SoftHSM)"

echo "== 1. token initialisation (rehearsal): scripts/token-init.yaml"
$C run "$top/scripts/token-init.yaml" --rehearsal --today "$TODAY" --module "$MODULE" \
	--input "$top/scripts/demo/token-init.answers" --outdir "$demo/token-init"

# The paper log of step 1 (in a real ceremony the witnesses' handwriting): the
# words of token-init's transcript key, which pin that transcript from now on.
WORDS=$(grep '"type":"transcript.key"' "$demo/token-init/transcript.jsonl" |
	sed -n 's/.*"fingerprint":"\([a-z ]*\)".*/\1/p')

echo "== 2. root CA key and certificate (rehearsal): scripts/root-ca.yaml"
$C run "$top/scripts/root-ca.yaml" --rehearsal --today "$TODAY" --module "$MODULE" \
	--input "$top/scripts/demo/root-ca.answers" --outdir "$demo/out" \
	--issued-in "$demo/token-init/transcript.jsonl" --issued-in-key "$WORDS"

echo "== 3. the auditor's checks"
$C verify "$demo/token-init/transcript.jsonl" --expect-key "$WORDS"
$C verify "$demo/out/transcript.jsonl" --outputs "$demo/out"
openssl cms -verify -binary -inform PEM -in "$demo/out/transcript.jsonl.p7s" \
	-content "$demo/out/transcript.jsonl" -CAfile "$demo/out/transcript-signer.pem" \
	-purpose any -out /dev/null
openssl verify -CAfile "$demo/out/root-ca.pem" "$demo/out/root-ca.pem"

echo "== done. Files:"
for f in transcript.jsonl transcript.jsonl.p7s transcript-signer.pem root-ca.pem \
	root-ca-2026.pub.pem; do
	echo "  $demo/out/$f"
done
echo "  $demo/token-init/transcript.jsonl (token initialisation)"
echo "  $demo/token-init/rehearsal/*.shares (REHEARSAL shares of the key holders)"
echo "Replay it: $C replay $demo/out/transcript.jsonl"
