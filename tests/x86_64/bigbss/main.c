/* Holds 600 KiB of zeroed data; main only runs when memory suffices. */
#include <stdio.h>

static unsigned char big[600 << 10];

int main(int argc, char **argv)
{
	big[argc] = 1;
	printf("main ran (%u)\n", big[1]);
	return 0;
}
