# SPDX-License-Identifier: Apache-2.0
# Transcript tools for tests and benchmarks (not installed).
$(B)/tests/transcript-sample: tests/tools/transcript_sample.c $(CE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< $(CE_LIBS) $(LIBS)

$(B)/tests/vmhwm: tests/tools/vmhwm.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

TEST_TARGETS += $(B)/tests/transcript-sample $(B)/tests/vmhwm
BENCH_TARGETS += $(B)/tests/transcript-sample
