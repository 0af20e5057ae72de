/* SPDX-License-Identifier: Apache-2.0 */
#include "common/harden.h"
#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int harden_process(void)
{
	struct rlimit rl = { 0, 0 };
	int fd;

	/* Standard fds first: nothing else may be opened before they are sane. */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
			if (n != fd)
				return CE_ERR_INTERNAL;
		}
	}
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return ce_err_set(CE_ERR_INTERNAL, "setrlimit(RLIMIT_CORE): %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return ce_err_set(CE_ERR_INTERNAL, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
	umask(077);
	return 0;
}
