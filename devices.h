/* devices.h - the node of a device named in a node list (nodedev_fn,
 * bitmap.h): from sysfs (numa_node of the device or of the first parent that
 * has one), the file's block device (stat, /sys/dev/block), or the network
 * device that the main routing table (/proc/net/route, /proc/net/ipv6_route)
 * picks for an address.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_DEVICES_H
#define MP_DEVICES_H

#include <stddef.h>

/* Returns the node, or -1 with one phrase in why. */
int device_node(int kind, const char *name, char *why, size_t whylen);

/* [DOMAIN:]BUS:DEVICE[.FUNCTION] in hex, as sysfs names it: "0000:80:00.0".
 * Returns 0, or -1 when s is not such an address. */
int pci_addr_parse(const char *s, char *canon, size_t len);

/* The route an address takes: the longest matching prefix, then the lowest
 * metric, of the routes that are up and not reject routes. Fed one line of
 * /proc/net/route (addr: 4 bytes, network order) or /proc/net/ipv6_route (16
 * bytes) at a time; plen is -1 while nothing matched. */
struct route_pick {
	int plen;
	unsigned long metric;
	char dev[32];
};
void route_init(struct route_pick *r);
void route4_line(const char *line, const unsigned char addr[4], struct route_pick *r);
void route6_line(const char *line, const unsigned char addr[16], struct route_pick *r);

#endif
