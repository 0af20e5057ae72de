# SPDX-License-Identifier: Apache-2.0
# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang into $(B)/fuzz/:
# the whole library is rebuilt there with -fsanitize=fuzzer-no-link,address,
# undefined by a sub-make (B=$(B)/fuzz), each target linked with
# -fsanitize=fuzzer,address,undefined. Seed corpora: tests/fuzz/corpus/<target>/.
#
#   make fuzz FUZZ_SECONDS=N   run every target N seconds (default 60)
#   make fuzz-build            build them only
# Crash inputs land in $(B)/fuzz/findings/<target>/; the run fails on any.
# `make check` runs every target briefly through tests/e2e/t9001-fuzz.sh.

FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_B := $(B)/fuzz
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_B)/%)
FUZZ_SECONDS ?= 60

.PHONY: fuzz fuzz-build fuzz-lib

# The sub-make decides itself whether the library is stale.
fuzz-lib:
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_B)/libceremony.a $(FUZZ_B)/libpkcs11.a $(FUZZ_B)/libshares.a $(FUZZ_B)/libcommon.a

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c fuzz-lib
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -I. $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
		$(PKG_CFLAGS) -o $@ $< $(FUZZ_B)/libceremony.a $(FUZZ_B)/libpkcs11.a $(FUZZ_B)/libshares.a $(FUZZ_B)/libcommon.a $(LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_B=$(FUZZ_B) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

$(FUZZ_B)/control/fuzz_control: tests/fuzz/control/fuzz_control.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $<

fuzz-build: $(FUZZ_B)/control/fuzz_control
