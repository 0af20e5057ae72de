/* SPDX-License-Identifier: Apache-2.0 */
/* The PKCS#11 suite through p11-kit server: SoftHSM tokens A and B exported
 * on a unix socket by `p11-kit server`, reached with p11-kit-client.so and
 * P11_KIT_SERVER_ADDRESS, the way a remote HSM is reached. The server is
 * killed at the end. No blank token is exported (no token init here).
 * p11-kit 0.24's RPC forwards only mechanisms whose parameters it can
 * marshal: CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_AES_KEY_WRAP_PAD do not cross,
 * so Ed25519 and wrapping are refused cleanly here (the suite checks that). */
#include "tests/unit/p11_suite.h"

#include <signal.h>
#include <sys/wait.h>

#define SOFTHSM_LIB "/usr/lib/softhsm/libsofthsm2.so"

static struct p11_backend remote = {
	.name = "remote",
	.uri_a = "pkcs11:token=A",
	.label_a = "A",
	.uri_b = "pkcs11:token=B",
	.ambiguous_uri = "pkcs11:model=SoftHSM%20v2",
	.user_pin = "87654321",
	.so_pin = "12345678",
	.can_init = 0,
};

static const char *client_module(void)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu/pkcs11", "/usr/lib64/pkcs11",
					    "/usr/lib/pkcs11" };
	static char path[512];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/p11-kit-client.so", dirs[i]);
		if (access(path, R_OK) == 0)
			return path;
	}
	return NULL;
}

int main(void)
{
	char conf[4200], sock[4200], addr[4300], tmpl[] = "/tmp/ceremony-p11-remote.XXXXXX";
	FILE *f;
	pid_t server;
	int r, i, st;

	if (client_module() == NULL || mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(remote.tmp, sizeof(remote.tmp), "%s", tmpl);
	snprintf(remote.module, sizeof(remote.module), "%s", client_module());
	snprintf(remote.tool_module, sizeof(remote.tool_module), "%s", client_module());
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", tmpl);
	f = fopen(conf, "w");
	if (f == NULL)
		return 1;
	fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n",
		tmpl);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	B = &remote;
	if (sh("softhsm2-util --init-token --free --label A --so-pin %s --pin %s >/dev/null && "
	       "softhsm2-util --init-token --free --label B --so-pin %s --pin %s >/dev/null",
	       remote.so_pin, remote.user_pin, remote.so_pin, remote.user_pin) != 0)
		return 1;
	snprintf(sock, sizeof(sock), "%s/server.sock", tmpl);
	server = fork();
	if (server < 0)
		return 1;
	if (server == 0) {
		/* -f prints shell variable settings on stdout: not wanted here. */
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execlp("p11-kit", "p11-kit", "server", "-f", "--provider", SOFTHSM_LIB, "-n", sock,
		       "pkcs11:token=A", "pkcs11:token=B", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		usleep(50000);
	snprintf(addr, sizeof(addr), "unix:path=%s", sock);
	setenv("P11_KIT_SERVER_ADDRESS", addr, 1);
	r = access(sock, F_OK) == 0 ? p11_suite_run(&remote) : 1;
	kill(server, SIGTERM);
	waitpid(server, &st, 0);
	if (getenv("TEST_KEEP") == NULL)
		sh("rm -rf '%s'", tmpl);
	return r;
}
