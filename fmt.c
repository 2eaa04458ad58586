/* fmt.c - a small snprintf and the decimal reader (see fmt.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
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

size_t fmt_v(char *buf, size_t len, const char *f, va_list ap)
{
	struct sink s = { buf, len, 0 };

	for (; *f; f++) {
		char num[24], *e = num + sizeof(num), *p = e;
		unsigned long long v;
		long width = 0, prec = -1;
		int left = 0, lng = 0, neg = 0;
		char padc = ' ';
		const char *start = f;

		if (*f != '%') {
			put(&s, *f);
			continue;
		}
		for (f++; *f == '-' || *f == '0'; f++) {
			if (*f == '-')
				left = 1;
			else
				padc = '0';
		}
		if (*f == '*') {
			width = va_arg(ap, int);
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				width = width * 10 + (*f++ - '0');
		}
		if (*f == '.') {
			f++;
			prec = 0;
			if (*f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else {
				while (*f >= '0' && *f <= '9')
					prec = prec * 10 + (*f++ - '0');
			}
		}
		for (; *f == 'l' || *f == 'z'; f++)
			lng += *f == 'z' ? 10 : 1;
		if (left)
			padc = ' ';
		switch (*f) {
		case '%':
			put(&s, '%');
			continue;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			field(&s, num, 1, width, left, ' ');
			continue;
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t n = 0;
			if (!str)
				str = "(null)";
			while (str[n] && (prec < 0 || n < (size_t)prec))
				n++;
			field(&s, str, n, width, left, ' ');
			continue;
		}
		case 'd':
		case 'i': {
			long long x = lng >= 10 ? (long long)va_arg(ap, size_t)
				      : lng >= 2 ? va_arg(ap, long long)
				      : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			neg = x < 0;
			v = neg ? 0ULL - (unsigned long long)x : (unsigned long long)x;
			break;
		}
		case 'u':
		case 'x':
			v = lng >= 10 ? va_arg(ap, size_t)
			    : lng >= 2 ? va_arg(ap, unsigned long long)
			    : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			break;
		default: /* not a conversion of ours: copy it */
			for (; start <= f && *start; start++)
				put(&s, *start);
			if (!*f)
				f--;
			continue;
		}
		do {
			*--p = "0123456789abcdef"[v % (*f == 'x' ? 16 : 10)];
			v /= *f == 'x' ? 16 : 10;
		} while (v);
		if (neg)
			*--p = '-';
		field(&s, p, (size_t)(e - p), width, left, padc);
	}
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
