/*
 * status N [TEXT] — prints "status: N", then TEXT with no newline after
 * it (so the platform's status line must start a line of its own), and
 * returns N from main.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: status N [TEXT]\n");
		return 2;
	}
	printf("status: %s\n", argv[1]);
	if (argc > 2)
		printf("%s", argv[2]);
	return atoi(argv[1]);
}
