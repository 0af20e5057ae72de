#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages ceremony needs to build and test.
# Idempotent: when everything is present it only runs dpkg-query and exits.
# pkcs11-provider comes from <codename>-backports; the backports source is made by
# copying this machine's own Debian source entry with only the suite changed, so no
# host name is ever written here.
# tpm2-pkcs11 (tests/e2e/lib-tpm.sh) is used only through --module: its Debian
# package registers a p11-kit module file system-wide, which would make every
# p11-kit user of the machine load it, so that file is diverted aside
# (dpkg-divert, before the package is installed, and kept across upgrades).
set -eu

BUILD_PKGS="build-essential pkg-config libp11-kit-dev p11-kit libssl-dev openssl libyaml-dev
libjansson-dev libqrencode-dev libcairo2-dev libcmocka-dev"
TEST_PKGS="softhsm2 opensc libnss3 libnss3-tools poppler-utils zbar-tools tmux expect
valgrind gdb clang ssss python3"
TPM_PKGS="libtpm2-pkcs11-1 libtpm2-pkcs11-tools libtss2-tcti-tabrmd0 swtpm swtpm-tools
tpm2-abrmd tpm2-tools dbus"
BACKPORT_PKGS="pkcs11-provider"
TPM_MODULE_FILE=/usr/share/p11-kit/modules/tpm2_pkcs11.module
TPM_MODULE_ASIDE=/usr/share/p11-kit/tpm2_pkcs11.module.ceremony-disabled

missing=""
for p in $BUILD_PKGS $TEST_PKGS $TPM_PKGS $BACKPORT_PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && [ ! -e "$TPM_MODULE_FILE" ] && exit 0

[ -z "$missing" ] || echo "deps: missing packages:$missing"
[ ! -e "$TPM_MODULE_FILE" ] || echo "deps: $TPM_MODULE_FILE registers tpm2-pkcs11 system-wide"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; run this, then make again:" >&2
	echo "  sudo sh mk/deps.sh" >&2
	exit 1
fi

. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
bp=/etc/apt/sources.list.d/ceremony-backports.sources
bpl=/etc/apt/sources.list.d/ceremony-backports.list

need_bp=0
for p in $missing; do
	case " $BACKPORT_PKGS " in *" $p "*) need_bp=1 ;; esac
done

if [ "$need_bp" = 1 ] && ! grep -rqs -- "$codename-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		# deb822: take the first stanza whose Suites has the bare codename and
		# whose URIs is not the security archive; replace its Suites line.
		awk -v cn="$codename" '
			BEGIN { RS=""; ORS="\n\n" }
			{
				if (done) next
				if ($0 ~ ("Suites:[^\n]*(^|[ \t])" cn "([ \t]|\n|$)") && $0 !~ /debian-security/) {
					n = split($0, lines, "\n"); out = ""
					for (i = 1; i <= n; i++) {
						if (lines[i] ~ /^Suites:/) lines[i] = "Suites: " cn "-backports"
						if (lines[i] ~ /^#/) continue
						out = out lines[i] "\n"
					}
					printf "%s\n", out; done = 1
				}
			}' /etc/apt/sources.list.d/debian.sources > "$bp.tmp"
		if [ -s "$bp.tmp" ]; then mv "$bp.tmp" "$bp"; else rm -f "$bp.tmp"; fi
	fi
	if [ ! -f "$bp" ] && [ -f /etc/apt/sources.list ]; then
		grep -E "^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+$codename[[:space:]]" /etc/apt/sources.list \
			| grep -v security | head -n 1 \
			| sed -E "s/[[:space:]]$codename[[:space:]]/ $codename-backports /" > "$bpl.tmp" || true
		if [ -s "$bpl.tmp" ]; then mv "$bpl.tmp" "$bpl"; else rm -f "$bpl.tmp"; fi
	fi
	if [ ! -f "$bp" ] && [ ! -f "$bpl" ]; then
		echo "deps: found no Debian source entry for $codename to copy for $codename-backports" >&2
		exit 1
	fi
	echo "deps: added $codename-backports (copied from this machine's Debian source entry)"
fi

# Divert first, so that the package never registers its module file.
if [ ! -e "$TPM_MODULE_ASIDE" ] || [ -e "$TPM_MODULE_FILE" ]; then
	dpkg-divert --local --rename --divert "$TPM_MODULE_ASIDE" --add "$TPM_MODULE_FILE" >/dev/null
	echo "deps: $TPM_MODULE_FILE diverted to $TPM_MODULE_ASIDE (tpm2-pkcs11 only through --module)"
fi
[ -z "$missing" ] && exit 0

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
plain=""
bpk=""
for p in $missing; do
	case " $BACKPORT_PKGS " in *" $p "*) bpk="$bpk $p" ;; *) plain="$plain $p" ;; esac
done
[ -n "$plain" ] && apt-get install -y -qq --no-install-recommends $plain
[ -n "$bpk" ] && apt-get install -y -qq --no-install-recommends -t "$codename-backports" $bpk
echo "deps: installed:$missing"
