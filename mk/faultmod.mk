# SPDX-License-Identifier: Apache-2.0
# The fault-injection PKCS#11 module (tests/faultmod/faultmod.c): a shared
# object that forwards to a real module and fails a chosen call.
FAULTMOD_SO := $(B)/tests/libfaultmod.so

$(FAULTMOD_SO): tests/faultmod/faultmod.c tests/faultmod/quirks.c tests/faultmod/quirks.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -I. $(WARN) -fPIC -shared -fvisibility=hidden \
		$(shell $(PKG_CONFIG) --cflags p11-kit-1) $(CFLAGS) $(EXTRA_CFLAGS) \
		-Wl,-z,relro,-z,now -o $@ $(filter %.c,$^) -ldl -lpthread

TEST_TARGETS += $(FAULTMOD_SO)
