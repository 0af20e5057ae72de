#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The layering is enforced by the build (Makefile: include roots and link
# checks): common <- shares, pkcs11 <- ceremony. An upward (or sideways)
# #include does not compile, an upward call does not link. Each refusal has
# a twin that builds, so the test fails if the refusal comes from elsewhere.
. "$(dirname "$0")/lib.sh"

mk() { make -s --no-print-directory -C "$TEST_TOP" B="$TEST_BUILD" "$@"; }
CC=${CC:-cc}

# probe_include LAYER HEADER: compile a file of LAYER that includes HEADER.
probe_include() {
	printf '#include "%s"\nint layer_probe(void);\nint layer_probe(void) { return 0; }\n' "$2" >probe.c &&
	$CC $(mk layer-cflags LAYER="$1") -c -o probe.o probe.c
}

for pair in common:shares/slip39.h common:pkcs11/p11.h common:ceremony/run/run.h \
	shares:pkcs11/p11.h shares:ceremony/transcript/transcript.h \
	pkcs11:shares/slip39.h pkcs11:ceremony/model/script.h; do
	layer=${pair%%:*} header=${pair#*:}
	test_expect_success "$layer/ may not include $header" '
		test_must_fail probe_include '"$layer $header"' 2>err &&
		test_grep "No such file" err
	'
done

for pair in common:common/err.h shares:common/secmem.h shares:shares/slip39.h \
	pkcs11:common/err.h pkcs11:pkcs11/p11.h ceremony:pkcs11/p11.h ceremony:shares/slip39.h; do
	layer=${pair%%:*} header=${pair#*:}
	test_expect_success "twin: $layer/ may include $header" '
		probe_include '"$layer $header"'
	'
done

# probe_link LAYER SYMBOL: add an object calling SYMBOL to a copy of LAYER's
# library and link it the way the build's link check does.
probe_link() {
	layer=$1 sym=$2
	printf 'int %s();\nint layer_probe_call(void);\nint layer_probe_call(void) { return %s(); }\n' \
		"$sym" "$sym" >call.c &&
	$CC $(mk layer-cflags LAYER="$layer") -Wno-strict-prototypes -c -o call.o call.c &&
	cp "$TEST_BUILD/lib$layer.a" lib.a && ar rcs lib.a call.o &&
	below= &&
	case $layer in
	common) ;;
	*) below="$TEST_BUILD/libcommon.a" ;;
	esac &&
	$CC $(mk layer-ldflags) -o check "$TEST_BUILD/layers/stub.o" \
		-Wl,--whole-archive lib.a -Wl,--no-whole-archive $below $(mk layer-libs)
}

test_expect_success 'the layer link checks were built' '
	for l in common shares pkcs11 ceremony; do test -x "$TEST_BUILD/layers/$l" || exit 1; done
'

test_expect_success 'common/ may not call into shares/ (upward call does not link)' '
	test_must_fail probe_link common slip39_combine 2>err &&
	test_grep "undefined reference to .slip39_combine" err
'

test_expect_success 'shares/ may not call into pkcs11/ (sideways call does not link)' '
	test_must_fail probe_link shares p11_ctx_open 2>err &&
	test_grep "undefined reference to .p11_ctx_open" err
'

test_expect_success 'pkcs11/ may not call into ceremony/ (upward call does not link)' '
	test_must_fail probe_link pkcs11 cli_fail 2>err &&
	test_grep "undefined reference to .cli_fail" err
'

test_expect_success 'twin: pkcs11/ calling common/ links' '
	probe_link pkcs11 ce_strerror
'

test_expect_success 'twin: shares/ calling common/ links' '
	probe_link shares ce_strerror
'

test_expect_success 'no source reaches around the include roots with ../' '
	cd "$TEST_TOP" &&
	! git grep -n "#include \"\.\./" -- common shares pkcs11 ceremony
'

# Calls go one way between files too: no two objects of the product use
# each other's symbols (tests/tools/call-cycles.py reads them with nm).
test_expect_success 'no two product files call each other both ways' '
	find "$TEST_BUILD/obj/common" "$TEST_BUILD/obj/shares" "$TEST_BUILD/obj/pkcs11" \
		"$TEST_BUILD/obj/ceremony" -name "*.o" >objs &&
	test "$(wc -l <objs)" -gt 100 &&
	python3 "$TEST_TOP/tests/tools/call-cycles.py" $(cat objs) >cycles ||
	{ cat cycles; false; }
'

test_expect_success 'failing twin: two files calling each other are named' '
	printf "int pong(void);\nint ping(void);\nint ping(void) { return pong(); }\n" >a.c &&
	printf "int ping(void);\nint pong(void);\nint pong(void) { return 0 * ping(); }\n" >b.c &&
	printf "int ping(void);\nint lone(void);\nint lone(void) { return ping(); }\n" >c.c &&
	$CC -c a.c b.c c.c &&
	test_must_fail python3 "$TEST_TOP/tests/tools/call-cycles.py" a.o b.o c.o >cycles &&
	test_grep "a.o <-> b.o: pong / ping" cycles &&
	test "$(wc -l <cycles)" = 1
'

test_done
