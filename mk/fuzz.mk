# SPDX-License-Identifier: Apache-2.0
# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang into $(B)/fuzz/:
# the whole library is rebuilt there with -fsanitize=fuzzer-no-link,address,
# undefined by a sub-make (B=$(B)/fuzz), each target linked with
# -fsanitize=fuzzer,address,undefined. Seed corpora: tests/fuzz/corpus/<target>/.
#
#   make fuzz FUZZ_SECONDS=N   run every target N seconds (default 60)
#   make fuzz-build            build them only
#   make fuzz-long FUZZ_RUNS=N run every target to N executions (default
#                              10,000,000), niced, one worker, keeping the
#                              corpus in build/fuzz-corpus/<target>/ (seeded
#                              by tests/fuzz/seed.sh from every test file the
#                              suite has); writes the table (target,
#                              executions, exec/s, edges, crashes) to
#                              $(B)/fuzz/fuzz-long.md. FUZZ_TARGETS="a b"
#                              restricts, FUZZ_MAX_SECONDS=N stops a target
#                              earlier (the table then says the count reached).
#   make fuzz-long B=build/ub FUZZ_SAN='-fsanitize=undefined -fno-sanitize-recover=undefined'
#                              the same without ASan (about twice the rate of
#                              the transcript targets; no memory checks): its
#                              own build in build/ub/fuzz/, the same corpus;
#                              the table's build column says which.
# Crash inputs land in $(B)/fuzz/findings/<target>/; the run fails on any.
# `make check` runs every target briefly through tests/e2e/t9001-fuzz.sh.
#
# The fuzz build alone defines CE_FUZZ_FAST_KDF (shares/slip39.c: one PBKDF2
# iteration per Feistel round, so SLIP-39 combine runs at thousands of inputs
# a second) together with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, without
# which slip39.c refuses to compile. Any other build given either define is
# refused here, and t9001 checks the product binaries carry no trace of it.

FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_ONLY_DEFS := -DCE_FUZZ_FAST_KDF -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
FUZZ_B := $(B)/fuzz
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_HDR := $(wildcard tests/fuzz/*.h)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_B)/%)
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 10000000
FUZZ_CORPUS ?= build/fuzz-corpus

ifneq ($(findstring CE_FUZZ_FAST_KDF,$(CFLAGS) $(CPPFLAGS) $(EXTRA_CFLAGS) $(SAN_FLAGS))$(findstring FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION,$(CFLAGS) $(CPPFLAGS) $(EXTRA_CFLAGS) $(SAN_FLAGS)),)
ifneq ($(CE_FUZZ_BUILD)/$(notdir $(B)),1/fuzz)
$(error CE_FUZZ_FAST_KDF / FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION are for the fuzz build only (make fuzz-build): refused in $(B))
endif
endif

.PHONY: fuzz fuzz-build fuzz-lib fuzz-long fuzz-seed

# The sub-make decides itself whether the library is stale.
fuzz-lib:
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) CE_FUZZ_BUILD=1 \
		CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_ONLY_DEFS)" $(FUZZ_B)/libceremony.a $(FUZZ_B)/libpkcs11.a $(FUZZ_B)/libshares.a $(FUZZ_B)/libcommon.a

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDR) fuzz-lib
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -I. $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
		$(FUZZ_ONLY_DEFS) -DFUZZ_TOP='"$(CURDIR)"' \
		$(PKG_CFLAGS) -o $@ $< $(FUZZ_B)/libceremony.a $(FUZZ_B)/libpkcs11.a $(FUZZ_B)/libshares.a $(FUZZ_B)/libcommon.a $(LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_B=$(FUZZ_B) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

# the transcripts the real writer makes are seeds too: transcript-sample first
fuzz-seed: $(B)/tests/transcript-sample
	@SAMPLE=$(B)/tests/transcript-sample sh tests/fuzz/seed.sh $(FUZZ_CORPUS)

fuzz-long: fuzz-build fuzz-seed
	@FUZZ_B=$(FUZZ_B) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_CORPUS=$(FUZZ_CORPUS) sh tests/fuzz/long.sh

$(FUZZ_B)/control/fuzz_control: tests/fuzz/control/fuzz_control.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $<

fuzz-build: $(FUZZ_B)/control/fuzz_control

# In the fuzz build's own sub-make: the constant-time word lookup
# (shares/wordlist_lookup.c) compares every input word with all 1,024 words
# by masks, a fixed scan of a constant table. Tracing those compares
# (trace-cmp) and checking each byte read (ASan) cost most of a SLIP-39
# input's time (perf: 75%) and find nothing there (the compares are
# data-independent by design; the table bounds are constants): that one file
# keeps edge coverage only. ct.o keeps ASan and loses trace-cmp alone.
# The normal suite's check-asan still runs the lookup under ASan.
ifeq ($(CE_FUZZ_BUILD),1)
$(B)/obj/shares/wordlist_lookup.o: EXTRA_CFLAGS += -O2 -fno-sanitize-coverage=trace-cmp -fno-sanitize=address,undefined
$(B)/obj/common/ct.o: EXTRA_CFLAGS += -fno-sanitize-coverage=trace-cmp
endif

# Differential checks (tests/tools/tjson-diff.py, slip39-diff.py): the
# product's readers as filters, in the normal build, against Python
# references. t9007 runs them on the checked-in corpora; make fuzz-diff on
# the long-run corpora.
DIFF_TOOLS := $(B)/tests/tjson-dump $(B)/tests/slip39-dump
$(B)/tests/tjson-dump: tests/tools/tjson_dump.c $(LIB_ceremony)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CE_LIBS) $(LIBS)
$(B)/tests/slip39-dump: tests/tools/slip39_dump.c $(LIB_shares)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_shares) $(LIBS)
TEST_TARGETS += $(DIFF_TOOLS)

.PHONY: fuzz-diff
fuzz-diff: $(DIFF_TOOLS)
	python3 tests/tools/tjson-diff.py $(B)/tests/tjson-dump $(FUZZ_CORPUS)/tjson $(FUZZ_CORPUS)/verify
	python3 tests/tools/slip39-diff.py $(B)/tests/slip39-dump $(FUZZ_CORPUS)/slip39_text $(FUZZ_CORPUS)/entry $(FUZZ_CORPUS)/slip39_decode
