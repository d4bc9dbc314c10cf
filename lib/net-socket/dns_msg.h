/*
 * dns_msg.h — private to lib/net-socket: the two DNS messages the socket
 * stack's resolver needs (RFC 1035): a query for the A record of a name,
 * and reading the answer. Pure functions of their arguments, bounded and
 * validating: the answer comes from the network (host unit tests and
 * known-answer vectors in tests/net-socket/).
 */
#ifndef KEEL_NSOCK_DNS_MSG_H
#define KEEL_NSOCK_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <keel/net.h>

/* The longest query: header, a name of 255 bytes, type and class. */
#define NSOCK_DNS_QUERY_MAX (12 + 255 + 4)
/* Answers are read from one UDP datagram of at most this many bytes (no
 * EDNS is asked for, so a server sends at most 512). */
#define NSOCK_DNS_ANSWER_MAX 1500

/*
 * Writes a recursive query (RD set) with identifier `id` for the A record
 * of `name` ("example.com", one trailing dot allowed; labels of 1..63
 * letters, digits, '-' or '_'; 253 characters at most) into buf. Returns
 * its length, or KEEL_EINVAL for a bad name, KEEL_ERANGE when `size` is too
 * small.
 */
int nsock_dns_query(const char *name, uint16_t id, uint8_t *buf, size_t size);

/*
 * Reads `msg`, an answer to the query nsock_dns_query() wrote for `name`
 * with identifier `id`. Returns:
 *   KEEL_OK      *out holds an IPv4 address of `name` (the first A record
 *                of it, or of the name its CNAME chain in the answer leads
 *                to);
 *   KEEL_ENOENT  no such name (NXDOMAIN), or it has no A record;
 *   KEEL_EIO     the server failed (SERVFAIL, REFUSED, ...);
 *   KEEL_EAGAIN  not an answer to this query (another id or question):
 *                ignore it and keep waiting;
 *   KEEL_EINVAL  malformed.
 */
int nsock_dns_answer(const uint8_t *msg, size_t len, uint16_t id, const char *name,
                     struct keel_addr *out);

#endif
