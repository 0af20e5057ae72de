#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/bench/bench_hsm.sh - `make bench`, HSM section: signatures per second
# on a throwaway SoftHSM token (ECDSA P-256, RSA-3072), measured in one run:
#
#   in one process (build/bench/bench_hsm):
#     raw        C_SignInit + C_Sign loop: the limit
#     ours       p11_key_sign: hash + sign + DER + software verification
#     provider   p11_ossl_sign: EVP_DigestSign via pkcs11-provider + verify
#     verify     the software verification alone (cached EVP_PKEY)
#   one process per signature (what people script today):
#     pkcs11-tool --sign
#     openssl dgst -sign with pkcs11-provider (OPENSSL_CONF: a temporary
#     config whose pkcs11-module-token-pin names a PIN file; test token only)
#
# Prints every figure (signatures/s) and every ratio. Never fails on time.
# Rows for the summary table of tests/bench/run.sh go to $BENCH_ROWS if set.
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
B=$TOP/build
MODULE=${BENCH_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
SECONDS_PER_WAY=${BENCH_SECONDS:-1.5}
PROCS=${BENCH_PROCS:-20}
T=$(mktemp -d "${TMPDIR:-/tmp}/ceremony-bench-hsm.XXXXXX")
trap 'rm -rf "$T"' EXIT
PIN=1234

per_s() { # NS_PER_OP -> ops/s
	awk -v ns="$1" 'BEGIN { if (ns > 0) printf "%.0f", 1e9 / ns; else print "-" }'
}
ratio() { # A B -> A/B
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
time_procs() { # N CMD -> ns per run (exit 1 if CMD fails)
	local n=$1 cmd=$2 i=0 t0 t1
	t0=$(date +%s%N)
	while [ $i -lt "$n" ]; do
		if ! (cd "$T" && eval "$cmd") >/dev/null 2>&1; then
			echo "bench_hsm: command failed: $cmd" >&2
			return 1
		fi
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / n))
}
summary() { # MEASURE NS AGAINST AGAINST_NS: signatures/s, ratio = throughput ours / against
	[ -n "${BENCH_ROWS:-}" ] || return 0
	printf 'hsm\t%s\t%s\tsig/s\t%s\t%s\n' "$1" "$(per_s "$2")" "$3" \
		"$([ -n "$4" ] && ratio "$4" "$2" || echo -)" >>"$BENCH_ROWS"
}
row() { # WAY NS NOTE
	printf '  %-34s %9s sig/s  %s\n' "$1" "$(per_s "$2")" "$3"
}

cat >"$T/softhsm2.conf" <<EOC
directories.tokendir = $T
objectstore.backend = file
log.level = ERROR
EOC
export SOFTHSM2_CONF=$T/softhsm2.conf
softhsm2-util --init-token --free --label Bench --so-pin 12345678 --pin $PIN >/dev/null || exit 1
pkcs11-tool --module "$MODULE" --token-label Bench --login --pin $PIN --keypairgen \
	--key-type EC:prime256v1 --label p256 --id 01 >/dev/null 2>&1 || exit 1
pkcs11-tool --module "$MODULE" --token-label Bench --login --pin $PIN --keypairgen \
	--key-type rsa:3072 --label rsa3072 --id 02 >/dev/null 2>&1 || exit 1
printf '%s' $PIN >"$T/pin"
head -c 64 /dev/urandom >"$T/msg"
openssl dgst -sha256 -binary "$T/msg" >"$T/msg.sha256"
cat >"$T/openssl.cnf" <<EOC
openssl_conf = init
[init]
providers = providers
[providers]
default = default_sect
pkcs11 = pkcs11_sect
[default_sect]
activate = 1
[pkcs11_sect]
pkcs11-module-path = $MODULE
pkcs11-module-token-pin = file:$T/pin
pkcs11-module-quirks = no-deinit no-operation-state
activate = 1
EOC

section() { # LABEL KEY-LABEL KEY-ID PKCS11-TOOL-MECH PKCS11-TOOL-INPUT
	local label=$1 key=$2 id=$3 mech=$4 input=$5 out raw ours prov ver tool dgst
	echo "hsm: $label on SoftHSM ($SECONDS_PER_WAY s per way in process, $PROCS processes per tool)"
	out=$(echo $PIN | "$B/bench/bench_hsm" "$MODULE" Bench "$key" "$SECONDS_PER_WAY") || {
		echo "  bench_hsm failed"; return 1; }
	# Best of the two interleaved runs (the machine is shared).
	raw=$(echo "$out" | awk -F'\t' '$1 == "raw" { if (m == "" || $2 < m) m = $2 } END { print m }')
	ours=$(echo "$out" | awk -F'\t' '$1 == "ours" { if (m == "" || $2 < m) m = $2 } END { print m }')
	prov=$(echo "$out" | awk -F'\t' '$1 == "provider" { print $2 }')
	ver=$(echo "$out" | awk -F'\t' '$1 == "verify_cached" { print $2 }')
	tool=$(time_procs "$PROCS" "pkcs11-tool --module '$MODULE' --token-label Bench --login --pin $PIN --sign -m $mech --id $id -i '$input' -o sig") || return 1
	dgst=$(OPENSSL_CONF=$T/openssl.cnf time_procs "$PROCS" "openssl dgst -sha256 -sign 'pkcs11:token=Bench;object=$key;type=private' -out sig '$T/msg'") || return 1
	row "raw C_Sign loop (the limit)" "$raw" "in process"
	row "ours: p11_key_sign + verify" "$ours" "in process"
	row "ours: provider EVP sign + verify" "$prov" "in process, pkcs11-provider"
	row "software verification alone" "$ver" "OpenSSL, key and context cached"
	row "pkcs11-tool --sign" "$tool" "one process per signature"
	row "openssl dgst -sign (provider)" "$dgst" "one process per signature"
	summary "$key: raw C_Sign loop" "$raw" "- (the limit)" ""
	summary "$key: p11_key_sign + verify" "$ours" "raw C_Sign loop (limit, >= 0.90)" "$raw"
	summary "$key: provider EVP sign + verify" "$prov" "raw C_Sign loop (limit)" "$raw"
	summary "$key: p11_key_sign + verify" "$ours" "pkcs11-tool --sign, 1 proc/sig" "$tool"
	summary "$key: p11_key_sign + verify" "$ours" "openssl dgst -sign, 1 proc/sig" "$dgst"
	echo "  ratios (throughput): ours/raw $(ratio "$raw" "$ours")x (target >= 0.90)," \
	     "provider/raw $(ratio "$raw" "$prov")x," \
	     "ours/pkcs11-tool $(ratio "$tool" "$ours")x, ours/openssl-dgst $(ratio "$dgst" "$ours")x;" \
	     "verify cost $(ratio "$ver" "$raw") of a raw signature"
}

status=0
# pkcs11-tool 0.23 selects by --id (with --label it fails ECDSA signing).
section "ECDSA P-256" p256 01 ECDSA "$T/msg.sha256" || status=1
section "RSA-3072 PKCS#1 v1.5 SHA-256" rsa3072 02 SHA256-RSA-PKCS "$T/msg" || status=1
exit $status
