/*
 * The glibc peer of examples/hello, doing the same work with the host's
 * own means: a greeting, three threads sleeping 30/10/20 ms at once, the
 * wall clock and eight random bytes. Linked statically.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

static void *sleeper(void *arg)
{
	long ms = (long)(intptr_t)arg;
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
	printf("thread slept %ld ms\n", ms);
	return NULL;
}

int main(void)
{
	static const long delays_ms[] = {30, 10, 20};
	pthread_t th[3];
	unsigned char rnd[8];
	struct timespec wall;

	printf("Hello from glibc\n");
	for (int i = 0; i < 3; i++)
		if (pthread_create(&th[i], NULL, sleeper, (void *)(intptr_t)delays_ms[i]))
			return 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_REALTIME, &wall);
	printf("wall clock: %lld.%06ld s\n", (long long)wall.tv_sec, wall.tv_nsec / 1000);
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return 1;
	printf("random:");
	for (unsigned i = 0; i < sizeof(rnd); i++)
		printf(" %02x", rnd[i]);
	printf("\n");
	return 0;
}
