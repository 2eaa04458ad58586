/* test/arch/nr.c - compiled by test/60-arch.sh once per target ABI.
 * syscall_arch.h's own table (MP_FORCE_TABLE: the libc header's value is thrown
 * away) against __NR_migrate_pages and __NR_move_pages from the target's kernel
 * headers. */
#define MP_FORCE_TABLE 1
#include "syscall_arch.h"
#include <asm/unistd.h>
#ifndef __NR_migrate_pages
# error "no __NR_migrate_pages in this target's <asm/unistd.h>"
#endif
#ifndef __NR_move_pages
# error "no __NR_move_pages in this target's <asm/unistd.h>"
#endif
#ifdef MP_PRINT
mp_table=SYS_migrate_pages
mp_kernel=__NR_migrate_pages
mv_table=SYS_move_pages
mv_kernel=__NR_move_pages
#else
_Static_assert(SYS_migrate_pages == __NR_migrate_pages,
               "syscall_arch.h disagrees with the kernel headers (migrate_pages)");
_Static_assert(SYS_move_pages == __NR_move_pages,
               "syscall_arch.h disagrees with the kernel headers (move_pages)");
#endif
