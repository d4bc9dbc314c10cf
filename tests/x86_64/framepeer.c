/*
 * framepeer — the host's side of tests/x86_64/net.t: sends frames of
 * ethertype 0x88b5 out of a network interface (the TAP QEMU holds) and
 * counts the echoes the image (tests/x86_64/netecho) sends back.
 *
 *   framepeer IFNAME COUNT WINDOW TIMEOUT_MS [quit]
 *
 * Keeps at most WINDOW frames unanswered; stops when COUNT echoes are in
 * or nothing came back for TIMEOUT_MS. Prints "sent S echoed E ms T" (T:
 * from the first frame out to the last echo in). With "quit", then sends
 * one frame that ends the image. Needs CAP_NET_RAW (root).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETHERTYPE 0x88b5
#define FRAME_LEN 64

static const unsigned char own[6] = { 0x02, 0, 0, 0x88, 0xb5, 0x01 };

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_frame(int fd, const struct sockaddr_ll *to, const char *payload, unsigned seq)
{
	unsigned char f[FRAME_LEN] = { 0 };

	memset(f, 0xff, 6);
	memcpy(f + 6, own, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	if (payload)
		memcpy(f + 14, payload, strlen(payload));
	else
		memcpy(f + 14, &seq, sizeof(seq));
	return sendto(fd, f, sizeof(f), 0, (const struct sockaddr *)to, sizeof(*to)) ==
	               (ssize_t)sizeof(f)
	           ? 0
	           : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll addr = { 0 };
	unsigned long count, window, timeout_ms, sent = 0, echoed = 0;
	long long start, last;
	int fd;

	if (argc < 5) {
		fprintf(stderr, "usage: framepeer IFNAME COUNT WINDOW TIMEOUT_MS [quit]\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	window = strtoul(argv[3], NULL, 10);
	timeout_ms = strtoul(argv[4], NULL, 10);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE));
	if (fd < 0) {
		perror("framepeer: socket");
		return 1;
	}
	addr.sll_family = AF_PACKET;
	addr.sll_protocol = htons(ETHERTYPE);
	addr.sll_ifindex = (int)if_nametoindex(argv[1]);
	addr.sll_halen = 6;
	memset(addr.sll_addr, 0xff, 6);
	if (!addr.sll_ifindex || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("framepeer: bind");
		return 1;
	}
	start = last = now_ms();
	while (echoed < count && now_ms() - last < (long long)timeout_ms) {
		struct pollfd p = { fd, POLLIN, 0 };
		unsigned char buf[2048];
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t n;

		while (sent < count && sent - echoed < window) {
			if (send_frame(fd, &addr, NULL, (unsigned)sent) < 0) {
				perror("framepeer: send");
				return 1;
			}
			sent++;
		}
		if (poll(&p, 1, 10) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
		             &fromlen);
		if (n < 14 || from.sll_pkttype == PACKET_OUTGOING || !memcmp(buf + 6, own, 6))
			continue;
		if (!memcmp(buf, own, 6)) {
			echoed++;
			last = now_ms();
		}
	}
	printf("sent %lu echoed %lu ms %lld\n", sent, echoed, last - start);
	if (argc > 5 && !strcmp(argv[5], "quit"))
		send_frame(fd, &addr, "quit", 0);
	close(fd);
	return 0;
}
