/* Declares the net device "service"; main must never run on x86_64. */
#include <stdio.h>

#include <keel/manifest.h>

KEEL_NET_DEVICE(service);

int main(int argc, char **argv)
{
	printf("netdev: main ran\n");
	return 0;
}
