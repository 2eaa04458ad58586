/* output.c - standard output and standard error (see output.h).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "output.h"
#include "report.h"

static char obuf[4096];
static size_t olen;
static int oerr;   /* the errno of the first failed write to stdout */
static int moved;  /* out_moved was called */

void write_all(int fd, const char *s, size_t n, int *errp)
{
	while (n) {
		ssize_t r = write(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (errp && !*errp)
				*errp = r < 0 ? errno : EIO;
			return;
		}
		s += r;
		n -= (size_t)r;
	}
}

void out_flush(void)
{
	if (!oerr) /* after a failed write, the rest of the output is dropped */
		write_all(1, obuf, olen, &oerr);
	olen = 0;
}

void out_mem(const char *s, size_t n)
{
	if (olen + n > sizeof(obuf)) {
		out_flush();
		if (n > sizeof(obuf)) {
			if (!oerr)
				write_all(1, s, n, &oerr);
			return;
		}
	}
	memcpy(obuf + olen, s, n);
	olen += n;
}

void out_char(char c)
{
	out_mem(&c, 1);
}

void out(const char *f, ...)
{
	static char line[16 * 1024];
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = fmt_v(line, sizeof(line), f, ap);
	va_end(ap);
	out_mem(line, n < sizeof(line) ? n : sizeof(line) - 1);
}

static char text[16 * 1024]; /* the last line said, as formatted */

static void say_v(const char *f, va_list ap)
{
	static const char prefix[] = "migratepages: ";
	static char line[sizeof(prefix) + 4 * sizeof(text)];
	size_t n;

	out_flush();
	fmt_v(text, sizeof(text), f, ap);
	memcpy(line, prefix, sizeof(prefix) - 1);
	fmt_clean(text, line + sizeof(prefix) - 1, sizeof(line) - sizeof(prefix));
	n = strlen(line);
	line[n++] = '\n';
	write_all(2, line, n, NULL);
}

void say(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	say_v(f, ap);
	va_end(ap);
}

void die(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	say_v(f, ap);
	va_end(ap);
	report_fatal(text);
	exit(finish(EX_FAIL));
}

void die_usage(const char *f, ...)
{
	static const char try_help[] = "Try 'migratepages --help' for more information.\n";
	va_list ap;

	va_start(ap, f);
	say_v(f, ap);
	va_end(ap);
	write_all(2, try_help, sizeof(try_help) - 1, NULL);
	report_fatal(text);
	exit(finish(EX_FAIL));
}

void out_moved(void)
{
	moved = 1;
}

/* A failed write to stdout (a full disk, a closed pipe: SIGPIPE is ignored,
 * so that every target is still processed) makes the exit status 1, whatever
 * moved: the report is lost, the migration is not undone. */
int finish(int status)
{
	out_flush();
	if (oerr) {
		say("cannot write to standard output: %s%s", strerror(oerr),
		    moved ? " (the migration went on regardless; exit status 1)" : "");
		return EX_FAIL;
	}
	return status;
}
