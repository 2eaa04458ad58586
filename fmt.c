/* fmt.c - a small snprintf, the decimal reader, and the formatters of
 * messages: quoted user text and sizes (see fmt.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include <string.h>

#include "fmt.h"

struct sink {
	char *buf;
	size_t len, n; /* room, and characters produced so far */
};

static void put(struct sink *s, char c)
{
	if (s->n + 1 < s->len)
		s->buf[s->n] = c;
	s->n++;
}

static void pad(struct sink *s, char c, long count)
{
	while (count-- > 0)
		put(s, c);
}

static void field(struct sink *s, const char *text, size_t tlen, long width, int left, char padc)
{
	long room = width - (long)tlen;

	if (!left) {
		/* zero padding goes after a sign */
		if (padc == '0' && tlen && text[0] == '-') {
			put(s, '-');
			text++;
			tlen--;
		}
		pad(s, padc, room);
	}
	for (size_t i = 0; i < tlen; i++)
		put(s, text[i]);
	if (left)
		pad(s, ' ', room);
}

/* One conversion's flags, width, precision and length modifier. */
struct spec {
	long width, prec;
	int left, lng;
	char padc;
};

/* Reads "%[-0][width][.prec][l|ll|z]" after the '%' at *f; leaves *f at the
 * conversion letter. */
static void read_spec(const char **f, va_list *ap, struct spec *sp)
{
	const char *p = *f;

	sp->width = 0;
	sp->prec = -1;
	sp->left = sp->lng = 0;
	sp->padc = ' ';
	for (; *p == '-' || *p == '0'; p++) {
		if (*p == '-')
			sp->left = 1;
		else
			sp->padc = '0';
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		p++;
	} else {
		while (*p >= '0' && *p <= '9')
			sp->width = sp->width * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		p++;
		sp->prec = 0;
		if (*p == '*') {
			sp->prec = va_arg(*ap, int);
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				sp->prec = sp->prec * 10 + (*p++ - '0');
		}
	}
	for (; *p == 'l' || *p == 'z'; p++)
		sp->lng += *p == 'z' ? 10 : 1;
	if (sp->left)
		sp->padc = ' ';
	*f = p;
}

/* %d %i %u %x: the number, in base 10 or 16. */
static void number(struct sink *s, char conv, const struct spec *sp, va_list *ap)
{
	char num[24], *e = num + sizeof(num), *p = e;
	unsigned long long v;
	unsigned base = conv == 'x' ? 16 : 10;
	int neg = 0;

	if (conv == 'd' || conv == 'i') {
		long long x = sp->lng >= 10 ? (long long)va_arg(*ap, size_t)
			      : sp->lng >= 2 ? va_arg(*ap, long long)
			      : sp->lng == 1 ? va_arg(*ap, long) : va_arg(*ap, int);
		neg = x < 0;
		v = neg ? 0ULL - (unsigned long long)x : (unsigned long long)x;
	} else {
		v = sp->lng >= 10 ? va_arg(*ap, size_t)
		    : sp->lng >= 2 ? va_arg(*ap, unsigned long long)
		    : sp->lng == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned);
	}
	do {
		*--p = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		*--p = '-';
	field(s, p, (size_t)(e - p), sp->width, sp->left, sp->padc);
}

size_t fmt_v(char *buf, size_t len, const char *f, va_list ap)
{
	struct sink s = { buf, len, 0 };
	va_list aq;

	va_copy(aq, ap);
	for (; *f; f++) {
		const char *start = f;
		struct spec sp;

		if (*f != '%') {
			put(&s, *f);
			continue;
		}
		f++;
		read_spec(&f, &aq, &sp);
		switch (*f) {
		case '%':
			put(&s, '%');
			break;
		case 'c': {
			char ch = (char)va_arg(aq, int);
			field(&s, &ch, 1, sp.width, sp.left, ' ');
			break;
		}
		case 's': {
			const char *str = va_arg(aq, const char *);
			size_t n = 0;
			if (!str)
				str = "(null)";
			while (str[n] && (sp.prec < 0 || n < (size_t)sp.prec))
				n++;
			field(&s, str, n, sp.width, sp.left, ' ');
			break;
		}
		case 'd': case 'i': case 'u': case 'x':
			number(&s, *f, &sp, &aq);
			break;
		default: /* not a conversion of ours: copy it */
			for (; start <= f && *start; start++)
				put(&s, *start);
			if (!*f)
				f--;
		}
	}
	va_end(aq);
	if (len)
		buf[s.n < len ? s.n : len - 1] = 0;
	return s.n;
}

size_t fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = fmt_v(buf, len, f, ap);
	va_end(ap);
	return n;
}

int dec_scan(const char **s, const char *end, unsigned long long max, unsigned long long *v)
{
	const char *p = *s;
	unsigned long long x = 0;
	int n = 0, over = 0;

	if (!p)
		return 0;
	for (; (!end || p < end) && *p >= '0' && *p <= '9'; p++, n++) {
		unsigned d = (unsigned)(*p - '0');
		if (!over && (x > (max - d) / 10 || x * 10 + d > max))
			over = 1;
		if (!over)
			x = x * 10 + d;
	}
	if (n == 0)
		return 0;
	*s = p;
	*v = over ? (max < ~0ULL ? max + 1 : max) : x;
	return over ? -1 : n;
}

int dec_strict(const char *s, size_t len, unsigned long long min, unsigned long long max,
	       unsigned long long *v)
{
	const char *p = s;
	int n;

	if (len == 0)
		return DEC_EMPTY;
	n = dec_scan(&p, s + len, max, v);
	if (n == 0 || p != s + len)
		return DEC_NOT_A_NUMBER;
	if (s[0] == '0' && len > 1)
		return DEC_LEADING_ZERO;
	if (n < 0 || *v < min)
		return DEC_RANGE;
	return DEC_OK;
}

char *fmt_clean(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < len; p++) {
		if (*p >= 0x20 && *p < 0x7f) {
			buf[o++] = (char)*p;
		} else {
			if (o + 5 > len)
				break;
			o += fmt(buf + o, len - o, "\\x%02x", (unsigned)*p);
		}
	}
	buf[o] = 0;
	return buf;
}

const char *human(uint64_t b, char *buf, size_t len)
{
	static const char unit[][4] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t whole, tenths;

	while (u < 6 && b >> (10 * (u + 1)))
		u++;
	if (u == 0) {
		fmt(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	whole = b >> (10 * u);
	tenths = ((b & ((1ULL << (10 * u)) - 1)) * 10 + (1ULL << (10 * u - 1))) >> (10 * u);
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	fmt(buf, len, "%llu.%llu %s", (unsigned long long)whole, (unsigned long long)tenths,
	    unit[u]);
	return buf;
}

/* The user's text, quoted for a message: its first n characters, at most 40,
 * anything that is not printable ASCII escaped, so that an error stays one
 * readable line. */
const char *quote_max(const char *text, size_t n, size_t max, char *buf, size_t len)
{
	size_t o = 0;
	const unsigned char *s = (const unsigned char *)text;
	const size_t room = len - 8; /* for an escape, "...'" and the NUL */

	buf[o++] = '\'';
	for (size_t shown = 0; *s && shown < n && o < room; s++, shown++) {
		if (shown == max)
			break;
		if (*s >= 0x20 && *s < 0x7f && *s != '\\' && *s != '\'')
			buf[o++] = (char)*s;
		else
			o += fmt(buf + o, len - o, "\\x%02x", (unsigned)*s);
	}
	if (*s && (size_t)(s - (const unsigned char *)text) < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = 0;
	return buf;
}
