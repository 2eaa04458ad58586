/* devices.c - the node of a device, for the device forms of node lists
 * (netdev:, pci:, block:, file:, ip:): read from sysfs, the file's block
 * device, or the routing table (see devices.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "fmt.h"
#include "sysinfo.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A hex number of 1..maxdigits digits at *s, ended by one of the characters
 * of stop (or the end of the text). Returns 0 and the value, or -1. */
static int hex_field(const char **s, int maxdigits, const char *stop, unsigned long *v)
{
	int n = 0;

	*v = 0;
	while (hexval(**s) >= 0) {
		if (++n > maxdigits)
			return -1;
		*v = *v * 16 + (unsigned long)hexval(**s);
		(*s)++;
	}
	if (n == 0 || (**s && !strchr(stop, **s)))
		return -1;
	return 0;
}

int pci_addr_parse(const char *s, char *canon, size_t len)
{
	unsigned long f[4] = { 0, 0, 0, 0 }; /* domain, bus, device, function */
	int colons = 0;

	for (const char *p = s; *p; p++)
		colons += *p == ':';
	if (colons < 1 || colons > 2)
		return -1;
	if (colons == 2 && hex_field(&s, 8, ":", &f[0]) < 0)
		return -1;
	if (colons == 2)
		s++;
	if (hex_field(&s, 2, ":", &f[1]) < 0)
		return -1;
	s++;
	if (hex_field(&s, 2, ".", &f[2]) < 0 || f[2] > 0x1f)
		return -1;
	if (*s == '.') {
		s++;
		if (hex_field(&s, 1, "", &f[3]) < 0 || f[3] > 7)
			return -1;
	}
	fmt(canon, len, "%04lx:%02lx:%02lx.%lx", f[0], f[1], f[2], f[3]);
	return 0;
}

/* The target of a sysfs link, e.g. "../../devices/pci0000:00/.../net/eth0",
 * as an absolute path "/sys/devices/...". Returns 0, or -1 with errno. */
static int sys_link(const char *link, char *path, size_t len)
{
	char buf[4096];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	const char *d;

	if (n < 0)
		return -1;
	buf[n] = 0;
	/* (a loop, not strstr: musl's brings in 1.3 KB of two-way search) */
	for (d = buf; *d && strncmp(d, "/devices/", 9) != 0; d++)
		;
	if (!*d || fmt(path, len, "/sys%s", d) >= len) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The reason a sysfs link could not be read (errno from sys_link): the
 * device is missing (the phrase absent), or sysfs is not there at all. */
static void link_error(const char *link, const char *absent, char *why, size_t whylen)
{
	if (errno != ENOENT)
		fmt(why, whylen, "cannot read %s: %s", link, strerror(errno));
	else if (access("/sys/devices", F_OK) < 0)
		fmt(why, whylen, "no /sys/devices to look it up in (is sysfs mounted?)");
	else
		fmt(why, whylen, "%s", absent);
}

/* From a device directory in /sys/devices up to the first one with a
 * numa_node file: most buses (virtio, ATA, SCSI, NVMe namespaces) have none
 * of their own and sit below the PCI device that has it. dev names the device
 * in messages. Returns the node, or -1 with why. */
static int walk_numa_node(char *path, const char *dev, char *why, size_t whylen)
{
	const size_t top = strlen("/sys/devices");
	size_t len = strlen(path);
	char file[4200], buf[32];

	while (len > top) {
		long n;
		fmt(file, sizeof(file), "%.*s/numa_node", (int)len, path);
		n = read_small(file, buf, sizeof(buf));
		if (n >= 0) {
			const char *p = buf;
			unsigned long long v = 0;
			int neg = *p == '-', digits;
			p += neg;
			digits = dec_scan(&p, NULL, 100000, &v);
			if (!digits || (*p && *p != '\n')) {
				fmt(why, whylen, "cannot read a node number in %s", file);
				return -1;
			}
			if (neg) {
				fmt(why, whylen, "the kernel does not know the node of %s "
				    "(numa_node is -1 in %.*s)", dev, (int)len, path);
				return -1;
			}
			if (digits < 0 || v >= MP_MAXNODES) {
				fmt(why, whylen, "%s names node %llu, out of range", file, v);
				return -1;
			}
			return (int)v;
		}
		while (len > top && path[len - 1] != '/')
			len--;
		len--;
	}
	fmt(why, whylen, "%s is not attached to a node (no numa_node on its sysfs path %s)",
	    dev, path);
	return -1;
}

/* The node of the device a sysfs link names (dev names it in messages;
 * absent: the phrase for a link that is not there). */
static int link_node(const char *link, const char *absent, const char *dev, char *why,
		     size_t whylen)
{
	char path[4096];

	if (sys_link(link, path, sizeof(path)) < 0) {
		link_error(link, absent, why, whylen);
		return -1;
	}
	return walk_numa_node(path, dev, why, whylen);
}

/* The node of /sys/class/CLS/NAME (a network or block device). */
static int class_node(const char *cls, const char *name, const char *kind,
		      char *why, size_t whylen)
{
	char link[300], absent[40];

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) > 255) {
		fmt(why, whylen, "not a %s device name", kind);
		return -1;
	}
	fmt(link, sizeof(link), "/sys/class/%s/%s", cls, name);
	fmt(absent, sizeof(absent), "no such %s device", kind);
	return link_node(link, absent, name, why, whylen);
}

static int pci_node(const char *addr, char *why, size_t whylen)
{
	char canon[32], link[64], absent[64];

	if (pci_addr_parse(addr, canon, sizeof(canon)) < 0) {
		fmt(why, whylen, "not a PCI address (write [DOMAIN:]BUS:DEVICE[.FUNCTION] in "
		    "hex, e.g. 0000:80:00.0)");
		return -1;
	}
	fmt(link, sizeof(link), "/sys/bus/pci/devices/%s", canon);
	fmt(absent, sizeof(absent), "no such PCI device (%s)", canon);
	return link_node(link, absent, canon, why, whylen);
}

static int file_node(const char *name, char *why, size_t whylen)
{
	struct stat st;
	char link[64], dev[40], absent[160];
	const char *cls = "block";
	dev_t d;

	if (stat(name, &st) < 0) {
		fmt(why, whylen, "cannot stat it: %s", strerror(errno));
		return -1;
	}
	d = st.st_dev;
	if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
		d = st.st_rdev;
		cls = S_ISBLK(st.st_mode) ? "block" : "char";
	}
	fmt(dev, sizeof(dev), "%s device %u:%u", cls, major(d), minor(d));
	fmt(link, sizeof(link), "/sys/dev/%s/%u:%u", cls, major(d), minor(d));
	if (d == st.st_dev)
		fmt(absent, sizeof(absent), "its file system (device %u:%u) is not on a block "
		    "device", major(d), minor(d));
	else
		fmt(absent, sizeof(absent), "%s is not in %s", dev, link);
	return link_node(link, absent, dev, why, whylen);
}

void route_init(struct route_pick *r)
{
	memset(r, 0, sizeof(*r));
	r->plen = -1;
}

#define RTF_UP_ 0x0001
#define RTF_REJECT_ 0x0200

/* The next blank-separated field of a line. */
static const char *next_field(const char **s, size_t *n)
{
	const char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	*n = 0;
	while (p[*n] && p[*n] != ' ' && p[*n] != '\t' && p[*n] != '\n')
		(*n)++;
	*s = p + *n;
	return p;
}

static int hex_word(const char *p, size_t n, unsigned long *v)
{
	const char *q = p;
	if (n == 0 || n > 8 || hex_field(&q, 8, " \t\n", v) < 0 || (size_t)(q - p) != n)
		return -1;
	return 0;
}

static void route_take(struct route_pick *r, int plen, unsigned long metric,
		       const char *dev, size_t devlen)
{
	if (devlen == 0 || devlen >= sizeof(r->dev))
		return;
	if (plen < r->plen || (plen == r->plen && metric >= r->metric))
		return;
	r->plen = plen;
	r->metric = metric;
	memcpy(r->dev, dev, devlen);
	r->dev[devlen] = 0;
}

void route4_line(const char *line, const unsigned char addr[4], struct route_pick *r)
{
	/* Iface Destination Gateway Flags RefCnt Use Metric Mask ...: addresses
	 * as the kernel's 32-bit words in hex, so read into native words */
	const char *s = line, *f[8];
	size_t n[8];
	unsigned long dest, flags, mask, metric = 0;
	uint32_t a;
	int plen = 0;

	for (int i = 0; i < 8; i++)
		f[i] = next_field(&s, &n[i]);
	if (hex_word(f[1], n[1], &dest) < 0 || hex_word(f[3], n[3], &flags) < 0 ||
	    hex_word(f[7], n[7], &mask) < 0)
		return;
	{
		const char *m = f[6];
		unsigned long long v;
		if (dec_scan(&m, f[6] + n[6], ~0UL, &v) != (int)n[6])
			return;
		metric = (unsigned long)v;
	}
	if (!(flags & RTF_UP_) || (flags & RTF_REJECT_))
		return;
	memcpy(&a, addr, 4);
	if ((a & (uint32_t)mask) != ((uint32_t)dest & (uint32_t)mask))
		return;
	for (unsigned long m = mask; m; m >>= 1)
		plen += (int)(m & 1);
	route_take(r, plen, metric, f[0], n[0]);
}

void route6_line(const char *line, const unsigned char addr[16], struct route_pick *r)
{
	/* dest plen src src_plen nexthop metric refcnt use flags dev, hex */
	const char *s = line, *f[10];
	size_t n[10];
	unsigned long plen, metric, flags;
	unsigned char dest[16];

	for (int i = 0; i < 10; i++)
		f[i] = next_field(&s, &n[i]);
	if (n[0] != 32 || hex_word(f[1], n[1], &plen) < 0 || plen > 128 ||
	    hex_word(f[5], n[5], &metric) < 0 || hex_word(f[8], n[8], &flags) < 0)
		return;
	for (size_t i = 0; i < 16; i++) {
		int hi = hexval(f[0][2 * i]), lo = hexval(f[0][2 * i + 1]);
		if (hi < 0 || lo < 0)
			return;
		dest[i] = (unsigned char)(hi * 16 + lo);
	}
	if (!(flags & RTF_UP_) || (flags & RTF_REJECT_))
		return;
	for (unsigned long b = 0; b < plen; b++) {
		unsigned bit = 0x80u >> (b % 8);
		if ((addr[b / 8] & bit) != (dest[b / 8] & bit))
			return;
	}
	route_take(r, (int)plen, metric, f[9], n[9]);
}

/* Feeds each line of a file (lines longer than 511 bytes cut) to a route
 * parser. Returns 0, or -1 with errno. */
static int route_scan(const char *path, int v6, const unsigned char *addr,
		      struct route_pick *r)
{
	char buf[4096], line[512];
	size_t ll = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		for (ssize_t i = 0; i <= got; i++) {
			if (i < got && buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			if (i == got && got > 0)
				break;
			line[ll] = 0;
			if (ll)
				(v6 ? route6_line : route4_line)(line, addr, r);
			ll = 0;
		}
		if (got == 0)
			break;
	}
	close(fd);
	return 0;
}

static int ip_node(const char *text, char *why, size_t whylen)
{
	unsigned char addr[16];
	char host[64], sub[400];
	const char *zone = strchr(text, '%');
	struct route_pick r;
	int v6, n;

	route_init(&r);
	fmt(host, sizeof(host), "%.*s", zone ? (int)(zone - text) : (int)strlen(text), text);
	v6 = inet_pton(AF_INET6, host, addr) == 1;
	if (!v6 && (zone || inet_pton(AF_INET, host, addr) != 1)) {
		fmt(why, whylen, "not an IPv4 or IPv6 address (host names are not looked up)");
		return -1;
	}
	if (zone) {
		/* fe80::1%eth0: the interface is named (an interface name has 1
		 * to 15 bytes, no '/') */
		size_t zl = strlen(zone + 1);
		if (zl == 0 || zl >= 16 || strchr(zone + 1, '/')) {
			fmt(why, whylen, "'%%' must be followed by an interface name (1 to 15 "
			    "bytes, no '/')");
			return -1;
		}
		route_take(&r, 128, 0, zone + 1, zl);
	} else if (!v6 && addr[0] == 127) {
		/* the loopback net lives in the local table, not in /proc/net/route */
		route_take(&r, 8, 0, "lo", 2);
	} else {
		const char *path = v6 ? "/proc/net/ipv6_route" : "/proc/net/route";
		if (route_scan(path, v6, addr, &r) < 0) {
			fmt(why, whylen, "cannot read %s: %s", path, strerror(errno));
			return -1;
		}
		if (r.plen < 0) {
			fmt(why, whylen, "no route to it in %s", path);
			return -1;
		}
	}
	n = class_node("net", r.dev, "network", sub, sizeof(sub));
	if (n < 0)
		fmt(why, whylen, "routed through %s: %s", r.dev, sub);
	return n;
}

int device_node(int kind, const char *name, char *why, size_t whylen)
{
	switch (kind) {
	case DEV_NETDEV:
		return class_node("net", name, "network", why, whylen);
	case DEV_BLOCK:
		return class_node("block", name, "block", why, whylen);
	case DEV_PCI:
		return pci_node(name, why, whylen);
	case DEV_FILE:
		return file_node(name, why, whylen);
	case DEV_IP:
		return ip_node(name, why, whylen);
	}
	fmt(why, whylen, "unknown device form");
	return -1;
}
