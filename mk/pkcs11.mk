# SPDX-License-Identifier: Apache-2.0
# PKCS#11 layer: the shared suite header is a dependency of every backend's test.
$(B)/tests/test_p11_softhsm $(B)/tests/test_p11_nss $(B)/tests/test_p11_remote: tests/unit/p11_suite.h
