/* fmt.h - numbers to text and text to numbers.
 *
 * A small snprintf, so that the static binary needs no stdio: musl's printf
 * family brings in floating-point formatting (about 12 KB) that this tool
 * never uses. And the one decimal reader every parser of the tool uses.
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
#include <stdint.h>

/* Like vsnprintf: writes at most len - 1 characters and a NUL (when len > 0),
 * and returns the length the whole text needs. */
size_t fmt_v(char *buf, size_t len, const char *fmt, va_list ap);
size_t fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads the decimal digits at *s, up to end (NULL: up to the first
 * non-digit). Returns how many digits there were (0: none, *s unmoved), and
 * in *v their value; a value above max gives -1 (*v = max + 1 when that fits,
 * and the digits are skipped all the same). *s is left after the digits. */
int dec_scan(const char **s, const char *end, unsigned long long max, unsigned long long *v);

/* A whole text that must be a decimal number from min to max, written the
 * way a user writes one: digits only, no sign, no blank, no leading zero.
 * Returns 0, or why not: DEC_EMPTY, DEC_NOT_A_NUMBER, DEC_LEADING_ZERO,
 * DEC_RANGE (above max or below min). */
enum { DEC_OK = 0, DEC_EMPTY = -1, DEC_NOT_A_NUMBER = -2, DEC_LEADING_ZERO = -3, DEC_RANGE = -4 };
int dec_strict(const char *s, size_t len, unsigned long long min, unsigned long long max,
	       unsigned long long *v);

/* Copies s into buf (len bytes, always terminated) with every byte that is a
 * control character or not ASCII written as \xNN, so that a message stays
 * one line and sends the terminal nothing but text. Returns buf. */
char *fmt_clean(const char *s, char *buf, size_t len);

/* The user's text quoted for a message: 'TEXT', at most n bytes of it and
 * at most max shown ("..." after), anything outside printable ASCII as \xNN. */
const char *quote_max(const char *text, size_t n, size_t max, char *buf, size_t len);

/* Bytes in binary units with one decimal ("1.5 GiB"). */
const char *human(uint64_t b, char *buf, size_t len);

#endif
