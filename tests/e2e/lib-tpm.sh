# SPDX-License-Identifier: Apache-2.0
# tests/e2e/lib-tpm.sh - tpm2-pkcs11 on a software TPM, for end-to-end tests.
# Source after lib.sh. Nothing listens on the network: swtpm and the private
# D-Bus bus listen on unix sockets in $TEST_TMP/tpm, and every daemon is
# stopped by its PID when the test file exits (pass, fail or signal), or by a
# watcher if the test shell itself is killed.
#
#   tpm_missing          prints what is not installed (empty: all there)
#   tpm_start            swtpm + a private session bus + tpm2-abrmd on it;
#                        exports TPM2_PKCS11_TCTI, TPM2TOOLS_TCTI,
#                        TPM2_PKCS11_STORE, DBUS_SESSION_BUS_ADDRESS
#   tpm_stop             stops them (fails if one outlives SIGTERM)
#   TPM2_PKCS11_MODULE   the library path (for --module); the Debian package's
#                        p11-kit module file is moved aside by mk/deps.sh, so
#                        the module is used only through --module
#
# A resource manager (tpm2-abrmd) is needed: tpm2-pkcs11 alone on the TPM
# leaves transient objects loaded and the TPM runs out of object slots.
TPM2_PKCS11_MODULE=$(for d in /usr/lib/x86_64-linux-gnu/pkcs11 /usr/lib/x86_64-linux-gnu \
	/usr/lib64/pkcs11 /usr/lib/pkcs11; do
	[ -f "$d/libtpm2_pkcs11.so" ] && echo "$d/libtpm2_pkcs11.so" && break; done)
TPM_DIR=$TEST_TMP/tpm
TPM_PIDS=""

tpm_missing() {
	tm=""
	[ -n "$TPM2_PKCS11_MODULE" ] || tm="$tm libtpm2-pkcs11-1"
	command -v swtpm >/dev/null 2>&1 || tm="$tm swtpm"
	command -v tpm2-abrmd >/dev/null 2>&1 || tm="$tm tpm2-abrmd"
	command -v tpm2_getrandom >/dev/null 2>&1 || tm="$tm tpm2-tools"
	command -v dbus-daemon >/dev/null 2>&1 || tm="$tm dbus"
	tm_tcti=""
	for f in /usr/lib/*/libtss2-tcti-tabrmd.so.0 /usr/lib64/libtss2-tcti-tabrmd.so.0 \
		/usr/lib/libtss2-tcti-tabrmd.so.0; do
		[ -f "$f" ] && tm_tcti=$f
	done
	[ -n "$tm_tcti" ] || tm="$tm libtss2-tcti-tabrmd0"
	echo "${tm# }"
}

tpm_wait() { # TEST-COMMAND...: up to 10 s
	tw=0
	until "$@" >/dev/null 2>&1; do
		[ $tw -lt 100 ] || return 1
		sleep 0.1
		tw=$((tw + 1))
	done
}

tpm_start() {
	mkdir -p "$TPM_DIR/state" "$TPM_DIR/store" || return 1
	# Stop everything when this shell exits, whatever the reason (lib.sh's
	# cleanup runs after), and a watcher for a shell killed by SIGKILL.
	trap 'tpm_stop; test_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	swtpm socket --tpm2 --tpmstate dir="$TPM_DIR/state" \
		--server type=unixio,path="$TPM_DIR/swtpm.sock" \
		--ctrl type=unixio,path="$TPM_DIR/swtpm.sock.ctrl" \
		--flags not-need-init,startup-clear --log file="$TPM_DIR/swtpm.log" \
		>"$TPM_DIR/swtpm.out" 2>&1 </dev/null &
	TPM_SWTPM_PID=$!
	TPM_PIDS="$TPM_SWTPM_PID"
	tpm_wait test -S "$TPM_DIR/swtpm.sock" || { echo "tpm: swtpm did not start" >&2; return 1; }
	cat >"$TPM_DIR/bus.conf" <<-EOF
	<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
	 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
	<busconfig>
	  <type>session</type>
	  <listen>unix:path=$TPM_DIR/bus.sock</listen>
	  <auth>EXTERNAL</auth>
	  <policy context="default">
	    <allow send_destination="*" eavesdrop="true"/>
	    <allow eavesdrop="true"/>
	    <allow own="*"/>
	  </policy>
	</busconfig>
	EOF
	dbus-daemon --config-file="$TPM_DIR/bus.conf" --nofork \
		>"$TPM_DIR/dbus.out" 2>&1 </dev/null &
	TPM_DBUS_PID=$!
	TPM_PIDS="$TPM_DBUS_PID $TPM_PIDS"
	tpm_wait test -S "$TPM_DIR/bus.sock" || { echo "tpm: dbus-daemon did not start" >&2; return 1; }
	DBUS_SESSION_BUS_ADDRESS=unix:path=$TPM_DIR/bus.sock
	export DBUS_SESSION_BUS_ADDRESS
	tpm_root=""
	[ "$(id -u)" != 0 ] || tpm_root=--allow-root
	tpm2-abrmd --session $tpm_root --flush-all --tcti="swtpm:path=$TPM_DIR/swtpm.sock" \
		>"$TPM_DIR/abrmd.out" 2>&1 </dev/null &
	TPM_ABRMD_PID=$!
	TPM_PIDS="$TPM_ABRMD_PID $TPM_PIDS"
	TPM2TOOLS_TCTI=tabrmd:bus_type=session
	TPM2_PKCS11_TCTI=tabrmd:bus_type=session
	TPM2_PKCS11_STORE=$TPM_DIR/store
	export TPM2TOOLS_TCTI TPM2_PKCS11_TCTI TPM2_PKCS11_STORE
	tpm_wait tpm2_getrandom 8 || {
		echo "tpm: tpm2-abrmd does not answer on the session bus:" >&2
		cat "$TPM_DIR/abrmd.out" >&2
		return 1
	}
	# The watcher: when this shell dies without running its EXIT trap (a
	# SIGKILL), it stops the daemons itself.
	# Its sleep is waited for, so that tpm_stop's SIGTERM ends the sleep too.
	(
		tw_sleep=""
		trap 'kill $tw_sleep 2>/dev/null; exit 0' TERM
		while kill -0 $$ 2>/dev/null; do
			sleep 1 &
			tw_sleep=$!
			wait $tw_sleep
		done
		kill $TPM_PIDS 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	TPM_WATCH_PID=$!
}

tpm_stop() { # every daemon by its PID, the last started first
	ts_rc=0
	[ -z "${TPM_WATCH_PID:-}" ] || kill "$TPM_WATCH_PID" 2>/dev/null
	for p in $TPM_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		if kill -0 "$p" 2>/dev/null; then
			kill -9 "$p" 2>/dev/null
			echo "tpm: process $p outlived SIGTERM" >&2
			ts_rc=1
		fi
	done
	[ -z "${TPM_WATCH_PID:-}" ] || wait "$TPM_WATCH_PID" 2>/dev/null
	TPM_PIDS=""
	TPM_WATCH_PID=""
	return $ts_rc
}
