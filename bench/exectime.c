/*
 * exectime — exec-to-exit wall time of programs, measured alternately.
 *
 *   exectime RUNS PROG_A [PROG_B ...]
 *
 * Runs each program RUNS times, interleaved (A B A B ...) so that drift of
 * a shared machine hits all of them alike, with stdout and stderr sent to
 * /dev/null and no file descriptors beyond 0-2. Prints, per program, the
 * median and the minimum in microseconds, and every program's median as a
 * ratio to the first one's. Exits non-zero if any run fails.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double run_once(const char *prog)
{
	double t0 = now_us();
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		/* Images refuse to start with file descriptors they did not
		 * declare: pass only 0-2. */
		close_range(3, ~0u, 0);
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(1);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "exectime: %s failed (status 0x%x)\n", prog, status);
		exit(1);
	}
	return now_us() - t0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: exectime RUNS PROG [PROG ...]\n");
		return 2;
	}
	int runs = atoi(argv[1]);
	int nprog = argc - 2;

	if (runs < 1 || runs > 100000) {
		fprintf(stderr, "exectime: RUNS must be 1..100000\n");
		return 2;
	}
	double *t = calloc((size_t)runs * nprog, sizeof(*t));
	double *median = calloc(nprog, sizeof(*median));

	if (!t || !median)
		return 1;
	for (int p = 0; p < nprog; p++) /* warm the page cache */
		run_once(argv[2 + p]);
	for (int r = 0; r < runs; r++)
		for (int p = 0; p < nprog; p++)
			t[p * runs + r] = run_once(argv[2 + p]);
	for (int p = 0; p < nprog; p++) {
		double *s = &t[p * runs];

		qsort(s, runs, sizeof(*s), cmp_double);
		median[p] = runs % 2 ? s[runs / 2] : (s[runs / 2 - 1] + s[runs / 2]) / 2;
		printf("%-40s median %9.1f us  min %9.1f us  ratio %.2f  (%d runs)\n", argv[2 + p],
		       median[p], s[0], median[p] / median[0], runs);
	}
	return 0;
}
