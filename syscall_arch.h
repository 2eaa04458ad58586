/* syscall_arch.h - the system call numbers migratepages needs.
 *
 * The libc header's SYS_migrate_pages and SYS_move_pages win where they exist. Otherwise the number
 * comes from the table below, one row per kernel ABI; an unknown architecture
 * stops the build rather than guess. Define MP_FORCE_TABLE to ignore the libc
 * header (the cross-architecture test compiles the table that way and compares
 * it with each target's kernel headers).
 *
 * SPDX-License-Identifier: GPL-2.0-only
 */
#ifndef MP_SYSCALL_ARCH_H
#define MP_SYSCALL_ARCH_H

#include <sys/syscall.h>

#ifdef MP_FORCE_TABLE
#undef SYS_migrate_pages
#undef SYS_move_pages
#endif

#ifndef SYS_migrate_pages
# if defined(__x86_64__) && defined(__ILP32__)          /* x32 */
#  define SYS_migrate_pages (0x40000000 + 256)
# elif defined(__x86_64__)
#  define SYS_migrate_pages 256
# elif defined(__i386__)
#  define SYS_migrate_pages 294
# elif defined(__arm__) && (defined(__ARM_EABI__) || defined(__thumb__))
#  define SYS_migrate_pages 400
# elif defined(__aarch64__) || defined(__riscv) || defined(__loongarch__) || \
       defined(__arc__) || defined(__csky__) || defined(__or1k__) || \
       defined(__hexagon__) || defined(__nios2__)       /* the generic table */
#  define SYS_migrate_pages 238
# elif defined(__powerpc__) || defined(__powerpc64__)
#  define SYS_migrate_pages 258
# elif defined(__s390__) || defined(__s390x__)
#  define SYS_migrate_pages 287
# elif defined(__mips__)
#  if !defined(_MIPS_SIM)
#   error "mips: _MIPS_SIM is not defined, cannot tell o32, n32 and n64 apart"
#  elif _MIPS_SIM == _ABIO32
#   define SYS_migrate_pages 4287
#  elif _MIPS_SIM == _ABIN32
#   define SYS_migrate_pages 6250
#  elif _MIPS_SIM == _ABI64
#   define SYS_migrate_pages 5246
#  else
#   error "mips: unknown _MIPS_SIM"
#  endif
# elif defined(__sparc__)
#  define SYS_migrate_pages 302
# elif defined(__hppa__)
#  define SYS_migrate_pages 272
# elif defined(__alpha__)
#  define SYS_migrate_pages 449
# elif defined(__m68k__)
#  define SYS_migrate_pages 287
# elif defined(__sh__)
#  define SYS_migrate_pages 294
# elif defined(__xtensa__)
#  define SYS_migrate_pages 262
# elif defined(__microblaze__)                         /* wired to sys_ni_syscall */
#  define SYS_migrate_pages 294
# else
#  error "unknown architecture: add its migrate_pages number to syscall_arch.h"
# endif
#endif

/* move_pages(2), the page-list call of the chunked mover (mover.c). Its number
 * sits next to migrate_pages' in each table, but not at a fixed distance. */
#ifndef SYS_move_pages
# if defined(__x86_64__) && defined(__ILP32__)          /* x32 */
#  define SYS_move_pages (0x40000000 + 533)
# elif defined(__x86_64__)
#  define SYS_move_pages 279
# elif defined(__i386__)
#  define SYS_move_pages 317
# elif defined(__arm__) && (defined(__ARM_EABI__) || defined(__thumb__))
#  define SYS_move_pages 344
# elif defined(__aarch64__) || defined(__riscv) || defined(__loongarch__) || \
       defined(__arc__) || defined(__csky__) || defined(__or1k__) || \
       defined(__hexagon__) || defined(__nios2__)       /* the generic table */
#  define SYS_move_pages 239
# elif defined(__powerpc__) || defined(__powerpc64__)
#  define SYS_move_pages 301
# elif defined(__s390__) || defined(__s390x__)
#  define SYS_move_pages 310
# elif defined(__mips__)
#  if !defined(_MIPS_SIM)
#   error "mips: _MIPS_SIM is not defined, cannot tell o32, n32 and n64 apart"
#  elif _MIPS_SIM == _ABIO32
#   define SYS_move_pages 4308
#  elif _MIPS_SIM == _ABIN32
#   define SYS_move_pages 6271
#  elif _MIPS_SIM == _ABI64
#   define SYS_move_pages 5267
#  else
#   error "mips: unknown _MIPS_SIM"
#  endif
# elif defined(__sparc__)
#  define SYS_move_pages 307
# elif defined(__hppa__)
#  define SYS_move_pages 295
# elif defined(__alpha__)
#  define SYS_move_pages 472
# elif defined(__m68k__)
#  define SYS_move_pages 310
# elif defined(__sh__)
#  define SYS_move_pages 317
# elif defined(__xtensa__)
#  define SYS_move_pages 267
# elif defined(__microblaze__)                         /* wired to sys_ni_syscall */
#  define SYS_move_pages 317
# else
#  error "unknown architecture: add its move_pages number to syscall_arch.h"
# endif
#endif

/* get_mempolicy and capget are only used for diagnostics and for the fallback
 * when /sys is not mounted; without a number they answer ENOSYS. */
#ifndef SYS_get_mempolicy
# define SYS_get_mempolicy (-1)
#endif
#ifndef SYS_capget
# define SYS_capget (-1)
#endif

#endif
