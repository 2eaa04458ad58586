/* fmt.h - a small snprintf, so that the static binary needs no stdio: musl's
 * printf family brings in floating-point formatting (about 12 KB) that this
 * tool never uses.
 *
 * Conversions: %% %c %s %d %i %u %x, with the flags '-' and '0', a width
 * (digits or a non-negative *), and the length modifiers l, ll and z. A
 * precision (digits or *) limits %s only; on numbers it is read and ignored,
 * and a negative * width is not turned into '-'. The tool uses none of those.
 * Anything else is copied as it stands. The compiler checks every call's format.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_FMT_H
#define MP_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: writes at most len - 1 characters and a NUL (when len > 0),
 * and returns the length the whole text needs. */
size_t fmt_v(char *buf, size_t len, const char *fmt, va_list ap);
size_t fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
