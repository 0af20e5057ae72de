# SPDX-License-Identifier: Apache-2.0
# `make bench`, HSM section: build/bench/bench_hsm (tests/bench/bench_hsm.c),
# driven by tests/bench/bench_hsm.sh.
BENCH_HSM := $(B)/bench/bench_hsm

$(BENCH_HSM): tests/bench/bench_hsm.c $(CE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CE_LIBS) $(LIBS)

BENCH_TARGETS += $(BENCH_HSM)
