/* output.h - standard output and standard error, without stdio.
 *
 * stdout goes through a buffer that is flushed before anything is written to
 * stderr (so that the two stay in order) and at exit, where a failed write is
 * an error (finish). stderr gets one line at a time, "migratepages: TEXT",
 * with any control byte in TEXT shown as \xNN: a message built from what a
 * user typed, or from a file name, stays one line of text.
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_OUTPUT_H
#define MP_OUTPUT_H

#include <stddef.h>

/* Exit statuses (man page, EXIT STATUS). With several targets the worst one
 * wins, in this order: EX_FAIL, then EX_PARTIAL, then EX_OK. */
enum { EX_OK = 0, EX_FAIL = 1, EX_PARTIAL = 2 };

void out_mem(const char *s, size_t n);
void out_char(char c);
void out(const char *f, ...) __attribute__((format(printf, 1, 2)));
void out_flush(void);

/* One line on stderr: "migratepages: " TEXT "\n". */
void say(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* A failure of the whole run, before or instead of any target's report (a
 * bad command line, a node list, a tracker that cannot be used): the line on
 * stderr, then report_fatal (report.h: --json's error object, --metrics'
 * file), exit 1. die_usage adds "Try 'migratepages --help' ..." to stderr. */
void die(const char *f, ...) __attribute__((format(printf, 1, 2), noreturn));
void die_usage(const char *f, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Writes all of s to fd (EINTR retried); the first error into *errp. */
void write_all(int fd, const char *s, size_t n, int *errp);

/* Something was moved, or may have been: a later write error on stdout says
 * that the migration went on regardless. */
void out_moved(void);

/* Flushes stdout. Returns status, or EX_FAIL after a failed write (said). */
int finish(int status);

#endif
