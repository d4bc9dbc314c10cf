/* Holds 6 MiB of zeroed data; main only runs when memory suffices. */
#include <stdio.h>

static unsigned char huge[6 << 20];

int main(int argc, char **argv)
{
	(void)argv;
	huge[argc] = 1;
	printf("main ran (%u)\n", huge[1]);
	return 0;
}
