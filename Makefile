# SPDX-License-Identifier: Apache-2.0
# ceremony - GNU Makefile. `make demo` and `make check` are the two set-up commands.
#
# Layers, one static library each, lowest first:
#
#   common/    -> $(B)/libcommon.a     includes only common/
#   shares/    -> $(B)/libshares.a     includes common/ and shares/
#   pkcs11/    -> $(B)/libpkcs11.a     includes common/ and pkcs11/
#   ceremony/  -> $(B)/libceremony.a   includes everything
#
# Each layer compiles against an include root ($(B)/inc/LAYER) that holds only
# the layers below it, so an upward #include does not build; each library is
# linked whole (--whole-archive) against only the libraries below it
# ($(B)/layers/LAYER), so an upward call does not link. tests/e2e/t0002-layering.sh
# proves both refusals. `make layer-cflags LAYER=x` prints a layer's flags.
#
# Unit tests: tests/unit/test_*.c, each its own cmocka binary. End-to-end tests:
# tests/e2e/t*.sh (tests/README.md). tests/run.sh runs them all and prints
# "N passed, N failed".

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/ceremony
DATADIR ?= $(PREFIX)/share/ceremony
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := p11-kit-1 libcrypto yaml-0.1 jansson libqrencode cairo

# A distribution's CFLAGS, CPPFLAGS and LDFLAGS are honoured; the defaults
# below apply only when they are not given. _FORTIFY_SOURCE is added only when
# CPPFLAGS and CFLAGS do not already choose a level.
CFLAGS ?= -O2 -g
CPPFLAGS ?=
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wconversion -Wno-sign-conversion -Wvla -Wno-unused-parameter
FORTIFY := $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN := -fstack-protector-strong -fstack-clash-protection -fPIE $(FORTIFY)
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# cairo is compiled against but not linked: shares/ui/card.c opens
# libcairo.so.2 when a card is printed, so no other verb maps it at exec.
PKGS_COMPILE_ONLY := cairo
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(filter-out $(PKGS_COMPILE_ONLY),$(PKGS)) 2>/dev/null)
# SAN_FLAGS: sanitizer flags for a whole build (make check-asan, mk/sanitize.mk).
SAN_FLAGS ?=
# BASE_CFLAGS has no include root: each layer adds its own (LAYER_INC).
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(CPPFLAGS) $(WARN) $(HARDEN) $(PKG_CFLAGS) $(CFLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS)
# Tests, tools and the ceremony layer see the whole tree.
ALL_CFLAGS = -I. $(BASE_CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SAN_FLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS = $(PKG_LIBS) -ldl

B ?= build

# Sources by layer. ceremony/cli/main*.c are the programs, not the library.
COMMON_SRC := $(wildcard common/*.c)
SHARES_SRC := $(wildcard shares/*.c shares/*/*.c)
PKCS11_SRC := $(wildcard pkcs11/*.c pkcs11/*/*.c)
CEREMONY_SRC := $(filter-out ceremony/cli/main%.c,$(wildcard ceremony/*.c ceremony/*/*.c))
LIB_SRC := $(COMMON_SRC) $(SHARES_SRC) $(PKCS11_SRC) $(CEREMONY_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
LAYERS := common shares pkcs11 ceremony
# Each layer's libraries, highest first (link order); what a program links.
LIB_common := $(B)/libcommon.a
LIB_shares := $(B)/libshares.a $(LIB_common)
LIB_pkcs11 := $(B)/libpkcs11.a $(LIB_common)
LIB_ceremony := $(B)/libceremony.a $(B)/libpkcs11.a $(B)/libshares.a $(LIB_common)
CE_LIBS := $(LIB_ceremony)
# The layers a layer may include (its include root holds links to these).
BELOW_common := common
BELOW_shares := common shares
BELOW_pkcs11 := common pkcs11

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TEST_HELPER_SRC := $(wildcard tests/unit/helper_*.c)

.PHONY: all deps demo check test bench ctgrind install uninstall clean layers layer-cflags layer-ldflags layer-libs pkgcheck

all: pkgcheck $(B)/ceremony layers

# Name a missing build dependency instead of failing on a missing header.
pkgcheck:
	@for p in $(PKGS); do $(PKG_CONFIG) --exists $$p || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "ceremony: build needs the pkg-config package(s):$$missing" >&2; \
		echo "ceremony: 'make deps' (as root) installs them on Debian" >&2; exit 1; fi

deps:
	@sh mk/deps.sh

# Include roots: $(B)/inc/LAYER/<dir> -> the source folder, for the layers below.
INC_MADE := $(B)/inc/common/.made $(B)/inc/shares/.made $(B)/inc/pkcs11/.made
.SECONDARY: $(INC_MADE)
$(B)/inc/%/.made:
	@rm -rf $(B)/inc/$* && mkdir -p $(B)/inc/$*
	@for d in $(BELOW_$*); do ln -s $(abspath $$d) $(B)/inc/$*/$$d; done
	@touch $@

$(B)/obj/common/%.o: LAYER_INC = -I$(B)/inc/common
$(B)/obj/shares/%.o: LAYER_INC = -I$(B)/inc/shares
$(B)/obj/pkcs11/%.o: LAYER_INC = -I$(B)/inc/pkcs11
LAYER_INC ?= -I.

$(B)/obj/%.o: %.c | $(INC_MADE)
	@mkdir -p $(dir $@)
	$(CC) $(LAYER_INC) $(BASE_CFLAGS) -MMD -MP -c -o $@ $<

define layer_lib
$(B)/lib$(1).a: $$(patsubst %.c,$(B)/obj/%.o,$$(filter $(1)/%,$$(LIB_SRC)))
	@mkdir -p $$(dir $$@)
	rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_lib,$(l))))

# The link check: every object of a layer, linked against the layers below
# it only. An upward call leaves an undefined symbol and this fails.
$(B)/layers/stub.o: mk/layer-stub.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

define layer_check
$(B)/layers/$(1): $(B)/layers/stub.o $$(LIB_$(1))
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $(B)/layers/stub.o -Wl,--whole-archive $(B)/lib$(1).a \
		-Wl,--no-whole-archive $$(filter-out $(B)/lib$(1).a,$$(LIB_$(1))) $$(LIBS)
endef
$(foreach l,$(LAYERS),$(eval $(call layer_check,$(l))))

layers: $(LAYERS:%=$(B)/layers/%)

layer-cflags:
	@echo $(if $(filter ceremony,$(LAYER)),-I$(CURDIR),-I$(abspath $(B))/inc/$(LAYER)) $(BASE_CFLAGS)

# What the layer link check links with (tests/e2e/t0002-layering.sh).
layer-ldflags:
	@echo $(ALL_LDFLAGS)

layer-libs:
	@echo $(LIBS)

$(B)/ceremony: $(B)/obj/ceremony/cli/main.o $(LIB_ceremony)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/%: tests/unit/%.c $(TEST_HELPER_SRC) $(LIB_ceremony)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_SRC) \
		$(CE_LIBS) $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

-include mk/*.mk

TEST_TARGETS += $(B)/ceremony $(UNIT_BIN) layers

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

# `make install` puts exactly these; `make uninstall` removes exactly these
# (then the package's own directories, when empty). DESTDIR and PREFIX (or
# BINDIR, MANDIR, DOCDIR, DATADIR, BASHCOMPDIR) are honoured.
# tests/e2e/t0003-install.sh checks the list both ways.
INSTALL ?= install
INSTALL_MAN1 := $(wildcard docs/*.1)
INSTALL_DOCS := README.md LICENSE NOTICE $(wildcard docs/*.md)
INSTALL_SCRIPTS := $(wildcard scripts/*.yaml)
INSTALL_ANSWERS := $(wildcard scripts/demo/*.answers)
INSTALL_COMPLETION := docs/completion/ceremony.bash
# The second program (mk/verify.mk), installed when it is built.
INSTALL_VERIFY := $(B)/ceremony-verify
INSTALL_OWN_DIRS = $(DESTDIR)$(DATADIR)/scripts/demo $(DESTDIR)$(DATADIR)/scripts \
	$(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(DATADIR)/scripts/demo $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 0755 $(B)/ceremony $(DESTDIR)$(BINDIR)/ceremony
	$(INSTALL) -m 0644 $(INSTALL_MAN1) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(INSTALL_SCRIPTS) $(DESTDIR)$(DATADIR)/scripts/
	$(INSTALL) -m 0644 $(INSTALL_ANSWERS) $(DESTDIR)$(DATADIR)/scripts/demo/
	$(INSTALL) -m 0644 $(INSTALL_COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/ceremony
	if [ -f $(INSTALL_VERIFY) ]; then \
		$(INSTALL) -m 0755 $(INSTALL_VERIFY) $(DESTDIR)$(BINDIR)/ceremony-verify && \
		ln -sf ceremony $(DESTDIR)$(BASHCOMPDIR)/ceremony-verify; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ceremony
	if [ -f $(INSTALL_VERIFY) ] || [ -f mk/verify.mk ]; then \
		rm -f $(DESTDIR)$(BINDIR)/ceremony-verify $(DESTDIR)$(BASHCOMPDIR)/ceremony-verify; fi
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(INSTALL_MAN1)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS)))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/scripts/,$(notdir $(INSTALL_SCRIPTS)))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/scripts/demo/,$(notdir $(INSTALL_ANSWERS)))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/ceremony
	@for d in $(INSTALL_OWN_DIRS); do if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || :; fi; done

clean:
	rm -rf $(B) build-asan var

-include $(LIB_OBJ:.o=.d) $(B)/obj/ceremony/cli/main.d
