# Transcript tools for tests and benchmarks (not installed).
$(B)/tests/transcript-sample: tests/tools/transcript_sample.c $(B)/libceremony.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< $(B)/libceremony.a $(LIBS)

$(B)/tests/vmhwm: tests/tools/vmhwm.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

TEST_TARGETS += $(B)/tests/transcript-sample $(B)/tests/vmhwm
BENCH_TARGETS += $(B)/tests/transcript-sample
