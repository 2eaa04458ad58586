#!/usr/bin/env bash
# test/85-valgrind.sh - the tool under valgrind's memcheck.
#
# 1. The CLI suite (test/20-cli.sh) with RUN_PREFIX set to valgrind, against a
#    static musl build with debug information (build/vg/migratepages-musl; a
#    glibc build if there is no musl-gcc): its own checks must pass, and
#    valgrind must report no error (exit status 99 and the per-process logs in
#    build/vg/logs/ are both checked). Static, because valgrind starts a static
#    binary about five times faster than a dynamic one (no ld.so, no libc.so to
#    instrument); the tool allocates nothing with malloc, so memcheck loses
#    nothing without its malloc replacement.
# 2. The paths the CLI suite does not reach, on a live process of ours: --dry-run
#    with --verbose and --json, pid lists, tier forms (the tier map read from
#    sysfs), --cgroup (a directory holding a
#    cgroup.procs file), run against a glibc build (build/vg/migratepages,
#    with valgrind's malloc replacement) and the shipped static binary ($MP). Valgrind 3.19 does not know migrate_pages (x86_64 syscall
#    256) and answers ENOSYS with a warning, so a real migration cannot be
#    checked here; the ENOSYS report path is checked instead.
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
export TOP=$top
out=$top/build/vg
if ! command -v valgrind >/dev/null 2>&1; then
  echo "SKIP valgrind: not installed"
  exit 0
fi
if ! valgrind -q --error-exitcode=99 /bin/true >/dev/null 2>&1; then
  echo "SKIP valgrind: valgrind does not run here ($(valgrind -q /bin/true 2>&1 | head -1))"
  exit 0
fi
mkdir -p "$out"
rm -rf "$out/logs"
mkdir -p "$out/logs"
# shellcheck disable=SC2046
if ! gcc -std=c11 -O1 -g -Wall -Wextra -o "$out/migratepages" $(./build.sh sources) \
     2>"$out/build.log"; then
  echo "FAIL valgrind build: $(head -1 "$out/build.log")"
  exit 0
fi
cli_bin=$out/migratepages
# shellcheck disable=SC2046
if command -v musl-gcc >/dev/null 2>&1 &&
   musl-gcc -std=c11 -O1 -g -static -Wall -Wextra -o "$out/migratepages-musl" \
     $(./build.sh sources) 2>>"$out/build.log"; then
  cli_bin=$out/migratepages-musl
fi

# Valgrind's own notice about migrate_pages (256) is not an error of the tool,
# nor the one about pidfd_open (434, newer than valgrind 3.19): valgrind answers
# ENOSYS, and --cgroup then goes on without its pid-reuse guard, as on a kernel
# before 5.3.
vg_errors() { # LOGDIR: prints the lines that report an error
  cat "$1"/vg.* 2>/dev/null | grep -v -e 'WARNING: unhandled amd64-linux syscall: 25[69]' \
    -e 'WARNING: unhandled amd64-linux syscall: 434' \
    -e 'You may be able to write your own handler' -e 'README_MISSING_SYSCALL_OR_IOCTL' \
    -e 'Nevertheless we consider this a bug' -e 'it at http://valgrind.org/support/bug_reports' \
    | grep .
}
vg="valgrind -q --error-exitcode=99 --track-origins=yes --log-file=$out/logs/vg.%p"

# ---- 1. the CLI suite ----
if [ ! -x test/20-cli.sh ]; then
  echo "SKIP valgrind 20-cli: test/20-cli.sh is not there"
else
  MP=$cli_bin RUN_PREFIX=$vg test/20-cli.sh >"$out/20-cli.out" 2>&1
  rc=$?
  pass=$(grep -c '^PASS' "$out/20-cli.out")
  fail=$(grep -c '^FAIL' "$out/20-cli.out")
  nlogs=$(find "$out/logs" -name 'vg.*' | wc -l)
  if errs=$(vg_errors "$out/logs"); then
    echo "FAIL valgrind 20-cli: valgrind reported errors:"
    head -30 <<<"$errs"
  elif [ "$fail" != 0 ] || [ "$rc" != 0 ]; then
    echo "FAIL valgrind 20-cli: $fail CLI checks failed under valgrind (exit $rc):"
    grep '^FAIL' "$out/20-cli.out" | head -10
  elif [ "$pass" = 0 ] || [ "$nlogs" = 0 ]; then
    echo "FAIL valgrind 20-cli: nothing ran under valgrind ($pass checks, $nlogs runs)"
  else
    echo "valgrind 20-cli: $pass CLI checks, $nlogs runs of $(basename "$cli_bin") under valgrind"
    echo "PASS valgrind 20-cli"
  fi
fi

# ---- 2. reporting paths on a live process ----
sleep 300 & target=$!
sleep 300 & target2=$!
tmp=$(mktemp -d)
trap 'kill $target $target2 2>/dev/null; rm -rf "$tmp"' EXIT
printf '%s\n%s\n' "$target" "$target2" >"$tmp/cgroup.procs"
# case NAME WANT-EXIT ARGS...
vcase() {
  local name=$1 want=$2 rc d
  shift 2
  for bin in "$out/migratepages" "$MP"; do
    d=$out/logs/case
    rm -rf "$d"
    mkdir -p "$d"
    valgrind -q --error-exitcode=99 --track-origins=yes --log-file="$d/vg.%p" \
      "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    # (the glibc build's lines too: the same sources, the same schema)
    [ -n "${MP_JSON_LOG:-}" ] && grep -ah '^{' "$tmp/out" >>"$MP_JSON_LOG"
    local which=glibc
    [ "$bin" = "$MP" ] && which=static
    if errs=$(vg_errors "$d"); then
      echo "FAIL valgrind $name ($which): valgrind reported errors:"
      head -20 <<<"$errs"
    elif [ "$rc" != "$want" ]; then
      echo "FAIL valgrind $name ($which): exit $rc, want $want ($(head -c 300 "$tmp/err"))"
    else
      echo "PASS valgrind $name ($which)"
    fi
  done
}
vcase "dry run, verbose" 0 -n -v "$target" all all
vcase "dry run, json" 0 --dry-run --json "$target,$target2" 0 0
vcase "dry run, relative lists" 0 -n -v "$target" +0 +0
vcase "dry run, tier forms (the tier map read), verbose" 0 -n -v "$target" fast,tier:0 "near:$target"
vcase "dry run, tier forms, json" 0 -n --json "$target,$target2" all,fast "near:$target2"
vcase "dry run, --cgroup" 0 -n --json --cgroup "$tmp" all 0
vcase "dry run, a process that is gone" 1 -n -v 2147483646 0 0
vcase "migrate, verbose (ENOSYS under valgrind)" 1 -v "$target" 0 0
vcase "migrate, json, pid list (ENOSYS under valgrind)" 1 --json "$target,$target2" all all
vcase "migrate, --cgroup (ENOSYS under valgrind)" 1 -v --cgroup "$tmp" 0 all
exit 0
