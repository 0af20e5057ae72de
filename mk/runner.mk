# SPDX-License-Identifier: Apache-2.0
# ceremony run records in ceremony.start the p11-kit version it was BUILT
# with. p11-kit has no runtime version call, and its headers before 0.25 carry
# no P11_KIT_VERSION_* macros: the version pkg-config reports for the headers
# compiled against is passed in (ceremony/run/start.c prefers the macros when
# they exist).
P11KIT_BUILD_VERSION := $(shell $(PKG_CONFIG) --modversion p11-kit-1 2>/dev/null)
$(B)/obj/ceremony/run/start.o: EXTRA_CFLAGS += -DCE_P11KIT_BUILD_VERSION='"$(P11KIT_BUILD_VERSION)"'
