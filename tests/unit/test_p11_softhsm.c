/* SPDX-License-Identifier: Apache-2.0 */
/* The PKCS#11 suite on SoftHSMv2: three throwaway tokens in a temporary
 * directory (A and B made by softhsm2-util, a blank one that the suite
 * initialises through our API). */
#include "tests/unit/p11_suite.h"

#include <sys/wait.h>

#define SOFTHSM_LIB "/usr/lib/softhsm/libsofthsm2.so"

static struct p11_backend softhsm = {
	.name = "softhsm",
	.uri_a = "pkcs11:token=A",
	.label_a = "A",
	.uri_b = "pkcs11:token=B",
	.ambiguous_uri = "pkcs11:model=SoftHSM%20v2",
	.user_pin = "87654321",
	.so_pin = "12345678",
	.can_init = 1,
};

int main(void)
{
	char conf[4200], tmpl[] = "/tmp/ceremony-p11-softhsm.XXXXXX";
	FILE *f;
	int r;

	if (mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(softhsm.tmp, sizeof(softhsm.tmp), "%s", tmpl);
	snprintf(softhsm.module, sizeof(softhsm.module), "%s", SOFTHSM_LIB);
	snprintf(softhsm.tool_module, sizeof(softhsm.tool_module), "%s", SOFTHSM_LIB);
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", tmpl);
	f = fopen(conf, "w");
	if (f == NULL)
		return 1;
	fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n",
		tmpl);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	B = &softhsm;
	if (sh("softhsm2-util --init-token --free --label A --so-pin %s --pin %s >/dev/null && "
	       "softhsm2-util --init-token --free --label B --so-pin %s --pin %s >/dev/null",
	       softhsm.so_pin, softhsm.user_pin, softhsm.so_pin, softhsm.user_pin) != 0)
		return 1;
	r = p11_suite_run(&softhsm);
	if (getenv("TEST_KEEP") == NULL)
		sh("rm -rf '%s'", tmpl);
	return r;
}
