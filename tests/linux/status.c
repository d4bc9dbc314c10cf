/*
 * status — runs a command and reports how it ended, for the test scripts.
 *
 *   status [--close-from N] CMD [ARGS...]
 *
 * Prints "exit N" or "signal SIGNAME" (SIGSYS, SIGABRT...) on stderr as
 * its last line and itself exits 0, so a script compares the verdict
 * exactly instead of guessing from 128 + N. With --close-from N, every
 * descriptor >= N is closed before CMD runs, so a test controls exactly
 * which descriptors an image starts with (whatever the caller leaked).
 * Core dumps are off for CMD (test images are killed on purpose), and CMD
 * is killed by SIGALRM after 30 seconds, so it cannot hang a test.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };
	int status, first = 1, close_from = -1;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "--close-from")) {
		close_from = atoi(argv[2]);
		first = 3;
	}
	if (first >= argc || (first == 3 && close_from < 3)) {
		fputs("usage: status [--close-from N>=3] CMD [ARGS...]\n", stderr);
		return 2;
	}
	setrlimit(RLIMIT_CORE, &no_core);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("status: fork");
		return 2;
	}
	if (pid == 0) {
		if (close_from >= 3 && close_range((unsigned)close_from, ~0u, 0) < 0) {
			perror("status: close_range");
			_exit(127);
		}
		alarm(30); /* survives execve */
		execvp(argv[first], argv + first);
		fprintf(stderr, "status: cannot run %s: %s\n", argv[first], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("status: waitpid");
		return 2;
	}
	if (WIFSIGNALED(status)) {
		const char *name = sigabbrev_np(WTERMSIG(status));

		fprintf(stderr, "signal SIG%s\n", name ? name : "?");
	} else {
		fprintf(stderr, "exit %d\n", WEXITSTATUS(status));
	}
	return 0;
}
