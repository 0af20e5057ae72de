/* SPDX-License-Identifier: Apache-2.0 */
/* vmhwm OUT CMD [ARGS...]: run CMD, write its peak resident set size in KiB
 * (getrusage of the child) to OUT, exit with CMD's status. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;
	int status = 0;
	struct rusage ru;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: vmhwm OUT CMD [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return 1;
	f = fopen(argv[1], "w");
	if (f == NULL)
		return 1;
	fprintf(f, "%ld\n", ru.ru_maxrss);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
