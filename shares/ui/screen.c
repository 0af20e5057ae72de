/* SPDX-License-Identifier: Apache-2.0 */
#include "shares/ui/screen.h"
#include "common/err.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int shares_screen_emit(FILE *out, const char *p, size_t len)
{
	int fd;

	if (fflush(out) != 0)
		return ce_err_set(CE_ERR_IO, "writing the screen: %s", strerror(errno));
	fd = fileno(out);
	if (fd < 0) {
		if (fwrite(p, 1, len, out) != len || fflush(out) != 0)
			return ce_err_set(CE_ERR_IO, "writing the screen: %s", strerror(errno));
		return 0;
	}
	while (len > 0) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ce_err_set(CE_ERR_IO, "writing the screen: %s",
					  k < 0 ? strerror(errno) : "short write");
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

FILE *shares_screen_open(char *buf, size_t cap)
{
	FILE *f = fmemopen(buf, cap, "w");

	if (f == NULL) {
		ce_err_set(CE_ERR_NOMEM, "screen buffer: %s", strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}
