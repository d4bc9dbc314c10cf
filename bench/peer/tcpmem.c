/*
 * tcpmem — what a TCP connection of the direct stack costs in memory,
 * from the structures themselves (compiled on the host against lib/net's
 * private headers; nothing runs but sizeof). Prints one "name value" per
 * line for bench/tcp.sh.
 */
#include <stdio.h>

#include "tcp_impl.h"

int main(void)
{
	/* Payload per send buffer: the MSS on a 1500-byte MTU with timestamps. */
	const unsigned mss = 1500 - 40 - 12;
	const unsigned snd_bufs = (TCP_DEFAULT_SNDBUF + mss - 1) / mss;
	const unsigned rcv_bufs = (TCP_DEFAULT_RCVBUF + mss - 1) / mss;
	const unsigned long conn = (unsigned long)sizeof(struct tcp_conn);
	const unsigned long nb = (unsigned long)sizeof(struct netbuf);

	printf("sizeof_tcp_conn %lu\n", conn);
	printf("sizeof_listener %lu\n", (unsigned long)sizeof(struct keel_listener));
	printf("sizeof_netbuf %lu\n", nb);
	printf("table_slot_per_conn %lu\n", (unsigned long)sizeof(struct tcp_conn *));
	printf("idle_conn_bytes %lu\n", conn + sizeof(struct tcp_conn *));
	printf("sndbuf_bytes %u\n", TCP_DEFAULT_SNDBUF);
	printf("rcvbuf_bytes %u\n", TCP_DEFAULT_RCVBUF);
	printf("full_send_buffers %u\n", snd_bufs);
	printf("full_recv_buffers %u\n", rcv_bufs);
	printf("full_conn_bytes %lu\n", conn + (unsigned long)(snd_bufs + rcv_bufs) * nb);
	printf("out_of_order_bound_buffers %u\n", TCP_DEFAULT_RCVBUF / 1024 + 8);
	return 0;
}
