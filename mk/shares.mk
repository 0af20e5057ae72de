# SPDX-License-Identifier: Apache-2.0
# shares/: constant-time check under valgrind, and the share benchmark.

CTGRIND_LIB_SRC := common/ct.c common/err.c common/esc.c common/hex.c common/secmem.c \
	shares/gf256.c shares/rs1024.c shares/shamir.c shares/slip39.c \
	shares/wordlist.c shares/wordlist_lookup.c
CTGRIND_CFLAGS = $(ALL_CFLAGS) -DCE_CTGRIND -Wno-missing-prototypes
CTGRIND_VALGRIND := valgrind -q --error-exitcode=1 --track-origins=yes

$(B)/ctgrind/ctgrind_shares: tests/ctgrind/ctgrind_shares.c $(CTGRIND_LIB_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CTGRIND_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/ctgrind/ctgrind_shares_control: tests/ctgrind/ctgrind_shares.c $(CTGRIND_LIB_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CTGRIND_CFLAGS) -DCTGRIND_CONTROL $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The real code must show no error; the control (a leaky multiply added) must
# show some, or the check proves nothing.
ctgrind: $(B)/ctgrind/ctgrind_shares $(B)/ctgrind/ctgrind_shares_control
	@echo "ctgrind: shares code, secrets undefined (expect 0 errors)"
	@$(CTGRIND_VALGRIND) $(B)/ctgrind/ctgrind_shares
	@echo "ctgrind: negative control, a leaky multiply (expect errors)"
	@if $(CTGRIND_VALGRIND) --log-file=$(B)/ctgrind/control.log \
		$(B)/ctgrind/ctgrind_shares_control; then \
		echo "ctgrind: FAIL: the leaky control went unreported"; exit 1; \
	else \
		n=$$(grep -c "depends on uninitialised" $(B)/ctgrind/control.log); \
		echo "ctgrind: control reported ($$n secret-dependent jumps/indices)"; \
		test "$$n" -gt 0; \
	fi
	@echo "ctgrind: ok"

BENCH_TARGETS += $(B)/bench/bench_shares

$(B)/bench/bench_shares: tests/bench/bench_shares.c $(CE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< $(CE_LIBS) $(LIBS)

# Interoperability with an independent SLIP-39 implementation (npm slip39,
# pinned). Not part of `make test`: it needs node, npm and the npm registry.
INTEROP_SLIP39_JS := slip39@0.1.9

interop: $(B)/ceremony
	@command -v node >/dev/null && command -v npm >/dev/null || \
		{ echo "interop: needs node and npm (apt-get install nodejs npm)"; exit 1; }
	@mkdir -p $(B)/interop
	@test -d $(B)/interop/node_modules/slip39 || \
		(cd $(B)/interop && npm install --no-save --silent $(INTEROP_SLIP39_JS))
	NODE_PATH=$(B)/interop/node_modules node tests/interop/slip39-js.js $(abspath $(B)/ceremony) $(B)/interop

.PHONY: interop
