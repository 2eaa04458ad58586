# test/helpers/probe.sh - host limits found by trying, sourced by the suites.
# Each probe returns 0 when this host can do the thing; otherwise 1, with the
# reason (a host limit, in words) in $probe_why.

# probe_i386: does this kernel run 32-bit x86 programs? (IA32 emulation can be
# left out of the kernel, or switched off with ia32_emulation=0: execve then
# answers ENOEXEC and a shell says "Exec format error", exit 126.) A static
# canary built with i686-linux-gnu-gcc must exit 42.
probe_i386() {
  probe_why=
  local d rc
  if ! command -v i686-linux-gnu-gcc >/dev/null 2>&1; then
    probe_why="no i686-linux-gnu-gcc (Debian package gcc-i686-linux-gnu)"; return 1
  fi
  d=$(mktemp -d)
  printf 'int main(void) { return 42; }\n' >"$d/c.c"
  if ! i686-linux-gnu-gcc -static -o "$d/c" "$d/c.c" 2>"$d/err"; then
    probe_why="i686-linux-gnu-gcc cannot build a static program: $(head -1 "$d/err")"
    rm -rf "$d"; return 1
  fi
  # (exec'd by bash itself, which never feeds an ELF file to a shell)
  rc=$( { "$d/c" >/dev/null 2>&1; echo $?; } 2>/dev/null )
  rm -rf "$d"
  [ "$rc" = 42 ] && return 0
  if [ "$rc" = 126 ]; then
    probe_why="this kernel does not run 32-bit x86 programs (execve: Exec format error; no IA32 emulation, or ia32_emulation=0)"
  else
    probe_why="a static i386 program exits $rc instead of 42"
  fi
  return 1
}
