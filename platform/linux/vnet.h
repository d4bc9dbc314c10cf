/*
 * vnet.h — the virtio headers of a TAP with IFF_VNET_HDR (vnet.c): what
 * the image writes in front of a frame it sends, and the checks of what
 * the host writes in front of one it receives.
 *
 * Kept free of system calls, so the host unit tests can run every case
 * (tests/linux/vnet_test.c).
 */
#ifndef KEEL_LINUX_VNET_H
#define KEEL_LINUX_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/platform.h>

#include "abi.h"

/*
 * The header for a frame of `total` bytes in pieces `frags`, as `meta`
 * (NULL: none) describes it, on a device with `mtu` and `offloads`.
 * false: the description is not one platform.h allows (a flag not
 * offered, a checksum range outside the frame or before the IP header, a
 * TSO4 frame without gso_size or TCP header, too long).
 */
bool linux_vnet_out(size_t mtu, uint32_t offloads, const struct kp_net_frag *frags, unsigned n,
                    size_t total, const struct kp_net_meta *meta, struct linux_vnet_hdr *h);

/*
 * What header `h` says of a received frame of `len` bytes, checked
 * against the device's `mtu` and `offloads`; false: drop the frame.
 * *partial: its checksum is only partial (meta->csum_start, csum_offset).
 */
bool linux_vnet_in(size_t mtu, uint32_t offloads, const struct linux_vnet_hdr *h, size_t len,
                   struct kp_net_meta *meta, bool *partial);

/* Fills in the partial checksum of a frame: the sum from `start` to the
 * end, complemented, stored at start + offset (checked by linux_vnet_in
 * to lie within the frame). */
void linux_csum_complete(uint8_t *frame, size_t len, uint16_t start, uint16_t offset);

#endif
