/* SPDX-License-Identifier: Apache-2.0 */
/* Test-only PKCS#11 access and throwaway SoftHSM tokens (helper_p11raw.h). */
#include "tests/unit/helper_p11raw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int p11raw_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int p11raw_token_new(const char *label, char *dir, size_t cap)
{
	char conf[512];
	FILE *f;
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, cap, "%s/ceremony-p11raw.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	f = fopen(conf, "w");
	if (f == NULL) {
		perror(conf);
		return -1;
	}
	fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n",
		dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	if (p11raw_sh("softhsm2-util --init-token --free --label '%s' --so-pin %s --pin %s "
		      ">/dev/null",
		      label, P11RAW_SO_PIN, P11RAW_USER_PIN) != 0) {
		fprintf(stderr, "softhsm2-util --init-token failed\n");
		return -1;
	}
	return 0;
}

void p11raw_token_rm(const char *dir)
{
	if (dir != NULL && *dir != '\0')
		p11raw_sh("rm -rf '%s'", dir);
}

int p11raw_keygen(const char *module, const char *token, const char *type, const char *label,
		  const char *id_hex)
{
	return p11raw_sh("pkcs11-tool --module '%s' --token-label '%s' --login --pin %s "
			 "--keypairgen --key-type %s --label '%s' --id %s >/dev/null 2>&1",
			 module, token, P11RAW_USER_PIN, type, label, id_hex);
}
