/* SPDX-License-Identifier: Apache-2.0 */
/* The PKCS#11 suite on NSS softokn, loaded through a p11-kit module file whose
 * x-init-reserved line gives softokn its database directory. One token only
 * ("NSS Certificate DB", initialised in place with an empty SO PIN, the user
 * PIN set by C_InitPIN), no blank token, no
 * Ed25519 in NSS 3.87: the suite adapts by the mechanism list. pkcs11-tool
 * cannot pass softokn's init string, so NSS's own `certutil -K` cross-checks
 * the keys here (pkcs11-tool runs on SoftHSM and through p11-kit server). */
#include "tests/unit/p11_suite.h"

#include <sys/wait.h>

static struct p11_backend nss = {
	.name = "nss",
	.uri_a = "pkcs11:token=NSS%20Certificate%20DB",
	.label_a = "NSS Certificate DB",
	.uri_b = NULL,
	.ambiguous_uri = "pkcs11:model=NSS%203",
	.user_pin = "nss-test-PIN-1",
	.so_pin = "",
	.can_init = 0,
	.init_in_place = 1,
};

static const char *softokn(void)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib" };
	static char path[512];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/libsoftokn3.so", dirs[i]);
		if (access(path, R_OK) == 0)
			return path;
	}
	return NULL;
}

int main(void)
{
	char path[4200], tmpl[] = "/tmp/ceremony-p11-nss.XXXXXX";
	FILE *f;
	int r;

	if (softokn() == NULL || mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(nss.tmp, sizeof(nss.tmp), "%s", tmpl);
	B = &nss;
	/* An empty database; the suite's first test sets the PIN through our API. */
	if (sh("mkdir db && certutil -N -d sql:db --empty-password >/dev/null") != 0)
		return 1;
	/* certutil -K cross-checks the keys (the PIN file is test data). */
	if (sh("printf '%%s\\n' '%s' >pw", nss.user_pin) != 0)
		return 1;
	snprintf(nss.native_list, sizeof(nss.native_list), "certutil -K -d sql:db -f pw");
	snprintf(nss.module, sizeof(nss.module), "%s/nss.module", tmpl);
	f = fopen(nss.module, "w");
	if (f == NULL)
		return 1;
	fprintf(f, "# NSS softokn for ceremony's tests\nmodule: %s\n"
		   "x-init-reserved: configdir='sql:%s/db' certPrefix='' keyPrefix='' "
		   "secmod='secmod.db' flags=\n", softokn(), tmpl);
	fclose(f);
	(void)path;
	r = p11_suite_run(&nss);
	if (getenv("TEST_KEEP") == NULL)
		sh("rm -rf '%s'", tmpl);
	return r;
}
