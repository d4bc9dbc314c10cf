/* Declares the net device "service" and never calls kp_net_*: main runs
 * only when the machine has a virtio-net device for it. */
#include <stdio.h>

#include <keel/manifest.h>

KEEL_NET_DEVICE(service);

int main(int argc, char **argv)
{
	printf("netdev: main ran\n");
	return 0;
}
