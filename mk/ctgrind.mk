# SPDX-License-Identifier: Apache-2.0
# `make ctgrind`, second part: secret comparisons outside shares/
# (tests/ctgrind/ctgrind_secrets.c), run before the shares part (mk/shares.mk).
CTGRIND_SECRETS_SRC := common/ct.c common/err.c common/esc.c common/hex.c

$(B)/ctgrind/ctgrind_secrets: tests/ctgrind/ctgrind_secrets.c $(CTGRIND_SECRETS_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CTGRIND_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/ctgrind/ctgrind_secrets_control: tests/ctgrind/ctgrind_secrets.c $(CTGRIND_SECRETS_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CTGRIND_CFLAGS) -DCTGRIND_CONTROL $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

.PHONY: ctgrind-secrets
ctgrind-secrets: $(B)/ctgrind/ctgrind_secrets $(B)/ctgrind/ctgrind_secrets_control
	@echo "ctgrind: commitment check, hex, ct_memeq; secrets undefined (expect 0 errors)"
	@$(CTGRIND_VALGRIND) $(B)/ctgrind/ctgrind_secrets
	@echo "ctgrind: negative control, memcmp on a secret (expect errors)"
	@if $(CTGRIND_VALGRIND) --log-file=$(B)/ctgrind/secrets-control.log \
		$(B)/ctgrind/ctgrind_secrets_control; then \
		echo "ctgrind: FAIL: the memcmp control went unreported"; exit 1; \
	else \
		n=$$(grep -c "depends on uninitialised" $(B)/ctgrind/secrets-control.log); \
		echo "ctgrind: control reported ($$n secret-dependent jumps/indices)"; \
		test "$$n" -gt 0; \
	fi

ctgrind: ctgrind-secrets
