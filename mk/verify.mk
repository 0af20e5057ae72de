# SPDX-License-Identifier: Apache-2.0
# ceremony-verify: the auditor's program (ceremony/cli/main_verify.c), the
# verbs verify and replay only. Linked against libcrypto, jansson and libyaml
# ONLY: no p11-kit, cairo or qrencode, and not libpkcs11.a. If anything the
# verify code pulls from libceremony.a reaches PKCS#11 code, this link fails:
# that failure is the proof the verifier does not depend on pkcs11/.
# tests/e2e/t4005-ceremony-verify.sh checks ldd and that it answers as
# `ceremony verify` does. `make verify-loc` counts its lines of code.

VERIFY_PKGS := libcrypto jansson yaml-0.1
VERIFY_LIBS = $(shell $(PKG_CONFIG) --libs $(VERIFY_PKGS))
VERIFY_ARCHIVES := $(B)/libceremony.a $(B)/libshares.a $(B)/libcommon.a
VERIFY_BIN := $(B)/ceremony-verify

$(VERIFY_BIN): $(B)/obj/ceremony/cli/main_verify.o $(VERIFY_ARCHIVES)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(B)/obj/ceremony/cli/main_verify.o \
		$(VERIFY_ARCHIVES) $(VERIFY_LIBS)

all: $(VERIFY_BIN)
TEST_TARGETS += $(VERIFY_BIN)

.PHONY: verify-loc
# Lines of code of the repository's .c files ceremony-verify links (the
# compile units in its debug information: what the linker pulled in).
verify-loc: $(VERIFY_BIN)
	@sh mk/verify-loc.sh $(VERIFY_BIN)

-include $(B)/obj/ceremony/cli/main_verify.d

# `make bench`, verify section: the verifier's reader (tjson) against jansson
# on the same transcript lines (tests/bench/bench_verify.sh prints the ratio).
$(B)/bench/bench_tjson: tests/bench/bench_tjson.c $(VERIFY_ARCHIVES)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(VERIFY_ARCHIVES) $(VERIFY_LIBS)

BENCH_TARGETS += $(B)/bench/bench_tjson
