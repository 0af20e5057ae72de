# ceremony - GNU Makefile. `make demo` and `make check` are the two set-up commands.
#
# Layout: common/ <- shares/, pkcs11/ <- ceremony/. Every .c under those four
# directories (but ceremony/main.c) goes into build/libceremony.a; tests link it.
# Unit tests: tests/unit/test_*.c, each its own cmocka binary. End-to-end tests:
# tests/e2e/t*.sh. tests/run.sh runs them all and prints "N passed, N failed".

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := p11-kit-1 libcrypto yaml-0.1 jansson libqrencode cairo

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wconversion -Wno-sign-conversion -Wvla -Wno-unused-parameter
HARDEN := -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=2
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# SAN_FLAGS: sanitizer flags for a whole build (make check-asan, mk/sanitize.mk).
SAN_FLAGS ?=
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -I. $(WARN) $(HARDEN) $(PKG_CFLAGS) $(CFLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SAN_FLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS = $(PKG_LIBS) -ldl

B ?= build
LIB_SRC := $(filter-out ceremony/main.c,$(wildcard common/*.c shares/*.c pkcs11/*.c ceremony/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TEST_HELPER_SRC := $(wildcard tests/unit/helper_*.c)

.PHONY: all deps demo check test bench ctgrind install clean

all: $(B)/ceremony

deps:
	@sh mk/deps.sh

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libceremony.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(B)/ceremony: $(B)/obj/ceremony/main.o $(B)/libceremony.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/%: tests/unit/%.c $(TEST_HELPER_SRC) $(B)/libceremony.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_SRC) \
		$(B)/libceremony.a $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

-include mk/*.mk

TEST_TARGETS += $(B)/ceremony $(UNIT_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh mk/demo.sh

test: $(TEST_TARGETS)
	@CEREMONY_BUILD=$(B) sh tests/run.sh

# Everything CI runs: the suite (with a short fuzz of every target), the
# constant-time check, then the whole suite again under ASan+UBSan+LSan.
# The last line adds up every run: "N passed, N failed" (ctgrind counts as one).
CHECK_RESULTS_FILE = $(abspath $(B))/check-results
check: deps
	@mkdir -p $(B) && rm -f $(CHECK_RESULTS_FILE)
	@CHECK_RESULTS=$(CHECK_RESULTS_FILE) $(MAKE) --no-print-directory test
	@if $(MAKE) --no-print-directory ctgrind; then echo "1 0" >>$(CHECK_RESULTS_FILE); \
		else echo "0 1" >>$(CHECK_RESULTS_FILE); exit 1; fi
	@CHECK_RESULTS=$(CHECK_RESULTS_FILE) $(MAKE) --no-print-directory check-asan
	@echo
	@awk '{ p += $$1; f += $$2 } END { printf "make check: normal suite, ctgrind and sanitizer suite\n%d passed, %d failed\n", p, f; exit f > 0 }' $(CHECK_RESULTS_FILE)

bench: deps
	@$(MAKE) --no-print-directory $(TEST_TARGETS) $(BENCH_TARGETS)
	@sh tests/bench/run.sh

install: $(B)/ceremony
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/ceremony $(DESTDIR)$(BINDIR)/ceremony
	install -m 0644 docs/ceremony.1 $(DESTDIR)$(MANDIR)/man1/ceremony.1

clean:
	rm -rf $(B) build-asan var

-include $(LIB_OBJ:.o=.d) $(B)/obj/ceremony/main.d
