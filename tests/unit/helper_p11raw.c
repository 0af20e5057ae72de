/* Test-only PKCS#11 access and throwaway SoftHSM tokens (helper_p11raw.h). */
#include "tests/unit/helper_p11raw.h"

#include <dlfcn.h>
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

static int label_is(const CK_UTF8CHAR *field, const char *label)
{
	size_t n = strlen(label), i;

	if (n > 32 || memcmp(field, label, n) != 0)
		return 0;
	for (i = n; i < 32; i++)
		if (field[i] != ' ')
			return 0;
	return 1;
}

CK_RV p11raw_open(struct p11raw *p, const char *module, const char *token, const char *pin)
{
	CK_C_GetFunctionList gfl;
	CK_C_INITIALIZE_ARGS args;
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	memset(p, 0, sizeof(*p));
	p->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	if (p->dl == NULL)
		return CKR_GENERAL_ERROR;
	gfl = (CK_C_GetFunctionList)dlsym(p->dl, "C_GetFunctionList");
	if (gfl == NULL || gfl(&p->f) != CKR_OK)
		return CKR_GENERAL_ERROR;
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	rv = p->f->C_Initialize(&args);
	if (rv == CKR_OK)
		p->initialized = 1;
	else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
		return rv;
	rv = p->f->C_GetSlotList(CK_TRUE, slots, &n);
	if (rv != CKR_OK)
		return rv;
	for (i = 0; i < n; i++) {
		if (p->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (label_is(ti.label, token))
			break;
	}
	if (i == n)
		return CKR_TOKEN_NOT_PRESENT;
	rv = p->f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				 &p->session);
	if (rv != CKR_OK)
		return rv;
	p->have_session = 1;
	if (pin != NULL) {
		rv = p->f->C_Login(p->session, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			return rv;
	}
	return CKR_OK;
}

void p11raw_close(struct p11raw *p)
{
	if (p->f != NULL && p->have_session)
		p->f->C_CloseSession(p->session);
	if (p->f != NULL && p->initialized)
		p->f->C_Finalize(NULL);
	if (p->dl != NULL)
		dlclose(p->dl);
	memset(p, 0, sizeof(*p));
}
