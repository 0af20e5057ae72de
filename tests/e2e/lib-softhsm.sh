# SPDX-License-Identifier: Apache-2.0
# tests/e2e/lib-softhsm.sh - throwaway PKCS#11 tokens for end-to-end tests.
# Source after lib.sh. Test PINs appear on softhsm2-util's argv here: that is
# acceptable ONLY because these tokens are throwaway test tokens.
#
#   softhsm_setup                 SOFTHSM2_CONF in $TEST_TMP, empty token dir
#   softhsm_token LABEL [SO USER] initialise a token with that label
#   SOFTHSM_MODULE                the library path (for --module)
#   nss_setup DIR PIN             an NSS softokn database; writes DIR/nss.module
#   p11kit_server_start URI       p11-kit server over SoftHSM; sets P11_KIT_SERVER_ADDRESS
#   p11kit_server_stop
SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so
P11KIT_CLIENT=$(for d in /usr/lib/x86_64-linux-gnu/pkcs11 /usr/lib64/pkcs11 /usr/lib/pkcs11; do
	[ -f "$d/p11-kit-client.so" ] && echo "$d/p11-kit-client.so" && break; done)
NSS_SOFTOKN=$(for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
	[ -f "$d/libsoftokn3.so" ] && echo "$d/libsoftokn3.so" && break; done)
TEST_SO_PIN=12345678
TEST_USER_PIN=87654321

softhsm_setup() {
	mkdir -p "$TEST_TMP/softhsm/tokens" &&
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$TEST_TMP/softhsm/tokens" >"$TEST_TMP/softhsm/softhsm2.conf" &&
	SOFTHSM2_CONF=$TEST_TMP/softhsm/softhsm2.conf &&
	export SOFTHSM2_CONF
}

softhsm_token() { # LABEL [SO-PIN USER-PIN]
	softhsm2-util --init-token --free --label "$1" \
		--so-pin "${2:-$TEST_SO_PIN}" --pin "${3:-$TEST_USER_PIN}" >/dev/null
}

nss_setup() { # DIR PIN: a softokn database with that password, and DIR/nss.module
	mkdir -p "$1" &&
	printf '%s\n' "$2" >"$1/.pw" &&
	certutil -N -d "sql:$1" -f "$1/.pw" >/dev/null &&
	rm -f "$1/.pw" &&
	printf 'module: %s\nx-init-reserved: configdir='"'"'sql:%s'"'"' certPrefix='"'"''"'"' keyPrefix='"'"''"'"' secmod='"'"'secmod.db'"'"' flags=\n' \
		"$NSS_SOFTOKN" "$1" >"$1/nss.module"
}

p11kit_server_start() { # TOKEN-URI: export SoftHSM's token on a unix socket
	P11KIT_SERVER_DIR=$TEST_TMP/p11kit-server
	mkdir -p "$P11KIT_SERVER_DIR" || return 1
	# A simple command in the background, so that $! is the server itself
	# (an `a && b &` list would give the pid of a subshell, and kill would
	# leave the server running).
	p11-kit server --provider "$SOFTHSM_MODULE" -n "$P11KIT_SERVER_DIR/sock" -f "$1" \
		>"$P11KIT_SERVER_DIR/out" 2>&1 &
	P11KIT_SERVER_PID=$!
	i=0
	while [ ! -S "$P11KIT_SERVER_DIR/sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$P11KIT_SERVER_DIR/sock" ] || return 1
	P11_KIT_SERVER_ADDRESS=unix:path=$P11KIT_SERVER_DIR/sock
	export P11_KIT_SERVER_ADDRESS
}

p11kit_server_stop() { # fails if the server was not running or outlives SIGTERM
	[ -n "${P11KIT_SERVER_PID:-}" ] || return 1
	kill "$P11KIT_SERVER_PID" || return 1
	wait "$P11KIT_SERVER_PID" 2>/dev/null
	! kill -0 "$P11KIT_SERVER_PID" 2>/dev/null || return 1
	P11KIT_SERVER_PID=
}
