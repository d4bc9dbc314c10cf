/* The glibc peer of bench/startup: one line, exit 0. Linked statically. */
#include <stdio.h>

int main(void)
{
	puts("started");
	return 0;
}
