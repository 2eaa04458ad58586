#!/usr/bin/env bash
# test/60-arch.sh - every architecture in test/arch/targets:
#  numbers  syscall_arch.h's own table (MP_FORCE_TABLE) against __NR_migrate_pages
#           and __NR_move_pages from the target's kernel headers (Debian's
#           linux-libc-dev-*-cross),
#           compiled by the target's cross gcc; plus a negative control
#  dist     ./build.sh dist: every binary static and of the right machine;
#           a second dist from a copy of the tree at another path is byte-identical
#  qemu     each foreign binary under qemu-user (qemu-ARCH-static): --help, --version,
#           bad input and a real call (which qemu-user answers with ENOSYS) give the
#           same stdout, stderr and exit status as the native binary $MP (for ENOSYS:
#           $MP under strace fault injection); qemu's -strace names the binary's
#           call migrate_pages (a second check of the number, on the shipped binary)
#  i386     the i386 build on this x86_64 kernel: strace sees the call arrive as
#           migrate_pages in the 32-bit (compat) table
# A target whose cross gcc or qemu is not installed is a SKIP naming the package.
# TEST_QUICK=1: no second dist for the reproducibility check.
set -u
cd "$TOP" || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
targets=test/arch/targets

# rows NAME PREFIX FLAGS DIST RUN MUSL, tab-separated, comments dropped
rows() {
  awk -F'|' '/^[^#]/ { for (i = 1; i <= NF; i++) gsub(/^ +| +$/, "", $i)
                       if ($3 == "") $3 = "-"
                       print $1 "\t" $2 "\t" $3 "\t" $4 "\t" $8 "\t" $9 }' "$targets"
}
cc_of() { [ "$1" = - ] && echo gcc || echo "${1}gcc"; }
pkg_of() { [ "$1" = - ] && echo gcc-multilib || echo "gcc-${1%-}"; }

# ---- numbers --------------------------------------------------------------------
# check_nr CC FLAGS HEADER-DIR: prints "migrate_pages=N move_pages=N" (table
# and kernel agree) or the first disagreement / the compiler's error
check_nr() {
  local cc=$1 flags=$2 inc=$3 e t k p out=""
  [ "$flags" = - ] && flags=
  # shellcheck disable=SC2086
  e=$($cc $flags -E -P -DMP_PRINT -I"$inc" test/arch/nr.c 2>&1) || { echo "preprocessing failed: $(grep -m1 error <<<"$e")"; return 1; }
  for p in mp:migrate_pages mv:move_pages; do
    t=$(sed -n "s/^${p%%:*}_table=//p" <<<"$e" | sed 's/\([0-9]\)[uUlL]*/\1/g')
    k=$(sed -n "s/^${p%%:*}_kernel=//p" <<<"$e" | sed 's/\([0-9]\)[uUlL]*/\1/g')
    { [ -n "$t" ] && [ -n "$k" ]; } || { echo "no ${p#*:} numbers in the preprocessed output"; return 1; }
    t=$((t)) k=$((k))
    [ "$t" = "$k" ] || { echo "${p#*:}: table $t, kernel $k"; return 1; }
    out="$out${out:+ }${p#*:}=$t"
  done
  # shellcheck disable=SC2086
  e=$($cc $flags -fsyntax-only -I"$inc" test/arch/nr.c 2>&1) || { echo "static_assert failed: $(grep -m1 -o 'disagrees[^"]*' <<<"$e")"; return 1; }
  echo "$out"
}

nchecked=0
while IFS=$'\t' read -r name prefix flags _dist _run _musl; do
  cc=$(cc_of "$prefix")
  if ! command -v "$cc" >/dev/null 2>&1; then
    echo "SKIP numbers $name: no $cc (Debian package $(pkg_of "$prefix"))"
    continue
  fi
  if r=$(check_nr "$cc" "$flags" .); then
    echo "PASS numbers $name ($r)"
    nchecked=$((nchecked + 1))
  else
    echo "FAIL numbers $name: $r"
  fi
done < <(rows)
echo "info: migrate_pages and move_pages numbers checked for $nchecked ABIs against their kernel headers"
echo "info: in syscall_arch.h but not checkable here (no Debian 12 cross gcc or kernel headers):" \
     "loongarch64, riscv32, csky, openrisc, hexagon, nios2, xtensa, microblaze"

# Negative controls: a table with one wrong number must fail the check.
mkdir -p "$tmp/bad"
for plant in migrate_pages:256:257 move_pages:279:280; do
  IFS=: read -r call good wrong <<<"$plant"
  sed "s/define SYS_${call} ${good}\$/define SYS_${call} ${wrong}/" syscall_arch.h >"$tmp/bad/syscall_arch.h"
  if cmp -s syscall_arch.h "$tmp/bad/syscall_arch.h"; then
    echo "FAIL numbers negative control $call: could not plant a wrong x86_64 number"
  elif r=$(check_nr gcc - "$tmp/bad"); then
    echo "FAIL numbers negative control $call: a table with $wrong for x86_64 passed ($r)"
  else
    echo "PASS numbers negative control $call (a wrong x86_64 number is caught: $r)"
  fi
done

# ---- dist -----------------------------------------------------------------------
# Both dists build from snapshots of the tree (the sources may change while the
# suite runs), at two different paths.
snap() {
  mkdir -p "$1/test"
  cp -p build.sh ./*.c ./*.h "$1/" && cp -pr test/arch "$1/test/"
}
musl=${MUSL_CROSS_DIR:-$TOP/build/musl}
srca=$tmp/a/src srcb=$tmp/another/path/src
snap "$srca"; snap "$srcb"
dista=$tmp/dist-a
if ! (cd "$srca" && MUSL_CROSS_DIR=$musl DIST=$dista ./build.sh dist) >"$tmp/dist.log" 2>&1; then
  echo "FAIL dist: ./build.sh dist failed: $(grep -v notice "$tmp/dist.log" | tail -3 | tr '\n' ' ')"
else
  echo "PASS dist builds"
  grep -q 'skipped (no cross gcc)' "$tmp/dist.log" && grep 'skipped' "$tmp/dist.log" | sed 's/^/info: /'
fi

while IFS=$'\t' read -r name prefix _flags dist _run musl; do
  [ "$dist" = y ] || continue
  f=$dista/migratepages-$name
  if [ ! -f "$f" ]; then
    command -v "$(cc_of "$prefix")" >/dev/null 2>&1 \
      && echo "FAIL dist $name: not built" \
      || echo "SKIP dist $name: no $(cc_of "$prefix") (Debian package $(pkg_of "$prefix"))"
    continue
  fi
  if LC_ALL=C readelf -lW "$f" | grep -q 'INTERP\|DYNAMIC'; then
    echo "FAIL dist $name: not static: $(LC_ALL=C readelf -lW "$f" | grep -m1 'INTERP\|DYNAMIC')"
    continue
  fi
  case $name in
    *n32*) if ! LC_ALL=C readelf -h "$f" | grep -q 'Flags:.*abi2'; then
             echo "FAIL dist $name: not an n32 binary (no abi2 flag)"; continue
           fi ;;
  esac
  # musl or glibc: static glibc carries its messages ("Fatal glibc error").
  if grep -aq 'glibc' "$f"; then libc=glibc; else libc=musl; fi
  want=musl; [ "$musl" = - ] && want=glibc
  if [ "$libc" != "$want" ]; then
    # musl for a foreign arch depends on the download in test/arch/musl-cross.sh
    echo "info: dist $name: linked against $libc, expected $want (see test/arch/musl-cross.sh)"
  fi
  echo "PASS dist $name: static, $libc, $(stat -c %s "$f") bytes, $(LC_ALL=C readelf -h "$f" | sed -n 's/^ *Machine: *//p')"
done < <(rows)

# The README's cross-build recipe (musl-cross.sh's wrapper on PATH, then a plain
# cross build) gives the release binary of dist, byte for byte.
mdir=${MUSL_CROSS_DIR:-$TOP/build/musl}
if [ -f "$dista/migratepages-aarch64" ] && [ -x "$mdir/bin/aarch64-linux-gnu-musl-gcc" ]; then
  (cd "$srca" && PATH=$mdir/bin:$PATH CROSS_COMPILE=aarch64-linux-gnu- OUT=$tmp/cross-aarch64 ./build.sh) 2>"$tmp/cross.log"
  if cmp -s "$tmp/cross-aarch64" "$dista/migratepages-aarch64"; then
    echo "PASS cross-build recipe: CROSS_COMPILE=aarch64-linux-gnu- with musl-cross.sh's musl-gcc gives dist's binary"
  else
    echo "FAIL cross-build recipe: not dist's binary ($(stat -c %s "$tmp/cross-aarch64" 2>/dev/null) bytes, dist $(stat -c %s "$dista/migratepages-aarch64")): $(head -1 "$tmp/cross.log")"
  fi
else
  echo "SKIP cross-build recipe: no aarch64 musl in this dist (aarch64-linux-gnu-gcc or the musl-dev:arm64 download missing)"
fi

if [ ! -s "$dista/SHA256SUMS" ]; then
  echo "FAIL dist SHA256SUMS: missing"
elif (cd "$dista" && sha256sum --quiet -c SHA256SUMS); then
  echo "PASS dist SHA256SUMS ($(wc -l <"$dista/SHA256SUMS") files)"
else
  echo "FAIL dist SHA256SUMS: does not match the files"
fi

if [ "${TEST_QUICK:-0}" = 1 ]; then
  echo "SKIP dist reproducible: TEST_QUICK=1"
elif [ -s "$dista/SHA256SUMS" ]; then
  # The same sources at another path, built again: the same bytes.
  if ! (cd "$srcb" && MUSL_CROSS_DIR=$musl DIST=$tmp/dist-b ./build.sh dist) >"$tmp/dist-b.log" 2>&1; then
    echo "FAIL dist reproducible: the second build failed: $(tail -2 "$tmp/dist-b.log" | tr '\n' ' ')"
  elif d=$(diff "$dista/SHA256SUMS" "$tmp/dist-b/SHA256SUMS"); then
    echo "PASS dist reproducible ($(wc -l <"$dista/SHA256SUMS") binaries identical when built from another path)"
  else
    echo "FAIL dist reproducible: $(grep -c '^<' <<<"$d") binaries differ: $(grep '^<' <<<"$d" | awk '{print $3}' | tr '\n' ' ')"
  fi
fi

# ---- qemu-user --------------------------------------------------------------------
# Expected output is the native binary's. For the real call, $MP under strace with
# migrate_pages answering ENOSYS, as qemu-user answers every NUMA call.
# The target of the real calls: a sleep of our own, once it has exec'd and settled.
sleep 600 & pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break
  sleep 0.1
done
sleep 0.3
# case-name|arguments (the pid of this shell stands for a live process)
cases=(
  "help|--help"
  "version|--version"
  "no arguments|"
  "bad pid|abc 0 1"
  "bad node list|$pid 0-x 1"
  "node that does not exist|$pid 0 1000"
  "dry run|--dry-run $pid 0 0"
  "json dry run|--json --dry-run $pid 0 0"
)
mkdir -p "$tmp/want"
i=0
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  "$MP" ${c#*|} >"$tmp/want/$i.out" 2>"$tmp/want/$i.err"; echo $? >"$tmp/want/$i.rc"
  # the reference's JSON to the schema check (each architecture's output is
  # compared with it byte for byte below)
  [ -n "${MP_JSON_LOG:-}" ] && grep -ah '^{' "$tmp/want/$i.out" >>"$MP_JSON_LOG"
  i=$((i + 1))
done
enosys_ok=0
if command -v strace >/dev/null 2>&1 &&
   strace -f -o /dev/null -e trace=migrate_pages -e inject=migrate_pages:error=ENOSYS \
     "$MP" "$pid" 0 0 >"$tmp/want/enosys.out" 2>"$tmp/want/enosys.err"; then
  echo "FAIL enosys reference: $MP exited 0 although migrate_pages answered ENOSYS"
else
  echo $? >"$tmp/want/enosys.rc"
  if [ -s "$tmp/want/enosys.err" ] && grep -qi 'numa\|migration' "$tmp/want/enosys.err"; then
    enosys_ok=1
    echo "info: ENOSYS message: $(cat "$tmp/want/enosys.err")"
  else
    echo "SKIP qemu enosys: no ENOSYS reference (strace fault injection gave: $(head -c 200 "$tmp/want/enosys.err"))"
  fi
fi

# same NAME CMD...: run, compare with want/N
compare() {
  local label=$1 n=$2; shift 2
  timeout 60 "$@" >"$tmp/got.out" 2>"$tmp/got.err"; echo $? >"$tmp/got.rc"
  if ! cmp -s "$tmp/got.rc" "$tmp/want/$n.rc"; then
    echo "FAIL $label: exit $(cat "$tmp/got.rc"), want $(cat "$tmp/want/$n.rc") (stderr: $(head -c 200 "$tmp/got.err"))"
  elif ! cmp -s "$tmp/got.err" "$tmp/want/$n.err"; then
    echo "FAIL $label: stderr '$(head -c 200 "$tmp/got.err")', want '$(head -c 200 "$tmp/want/$n.err")'"
  elif ! cmp -s "$tmp/got.out" "$tmp/want/$n.out"; then
    echo "FAIL $label: stdout differs: $(diff "$tmp/want/$n.out" "$tmp/got.out" | head -3 | tr '\n' ' ')"
  else
    echo "PASS $label"
  fi
}

printf 'int main(void) { return 42; }\n' >"$tmp/canary.c"
PATH=${MUSL_CROSS_DIR:-$TOP/build/musl}/bin:$PATH
while IFS=$'\t' read -r name prefix flags dist run _musl; do
  [ "$dist" = y ] || continue
  f=$dista/migratepages-$name
  case $run in
    none*) echo "SKIP qemu $name: ${run#none: }"; continue ;;
    native) [ "$name" = x86_64 ] && continue; q=() ;;
    *) read -r -a q <<<"$run" ;;
  esac
  [ -f "$f" ] || { echo "SKIP qemu $name: not built"; continue; }
  if [ ${#q[@]} -gt 0 ] && ! command -v "${q[0]}" >/dev/null 2>&1; then
    echo "SKIP qemu $name: no ${q[0]} (Debian package qemu-user-static)"; continue
  fi
  # Canary: a static program built the same way must run, or the emulator (not
  # the tool) is at fault. qemu 7.2 cannot start static glibc for sh4 and alpha.
  ccn=$(cc_of "$prefix")
  if [ "$flags" != - ]; then
    ccn="$ccn $flags"
  elif [ "$prefix" != - ] && command -v "${prefix}musl-gcc" >/dev/null 2>&1; then
    ccn=${prefix}musl-gcc
  fi
  # shellcheck disable=SC2086
  if ! $ccn -static -o "$tmp/canary" "$tmp/canary.c" 2>"$tmp/canary.err"; then
    echo "FAIL qemu $name: cannot build the canary with $ccn: $(head -1 "$tmp/canary.err")"; continue
  fi
  # (native: run by bash, not by timeout, whose execvp would hand a file the kernel
  # refuses to /bin/sh as a script)
  if [ ${#q[@]} = 0 ]; then
    rc=$( { "$tmp/canary" >/dev/null 2>&1; echo $?; } 2>/dev/null )
  else
    rc=$( { timeout 10 "${q[@]}" "$tmp/canary" >/dev/null 2>&1; echo $?; } 2>/dev/null )
  fi
  # A "native" foreign build (i386) the kernel refuses: through qemu-user instead.
  if [ "$rc" != 42 ] && [ ${#q[@]} = 0 ] && command -v "qemu-$name-static" >/dev/null 2>&1; then
    echo "info: qemu $name: this kernel does not run it (exit $rc); compared under qemu-$name-static instead"
    q=("qemu-$name-static")
    rc=$( { timeout 10 "${q[@]}" "$tmp/canary" >/dev/null 2>&1; echo $?; } 2>/dev/null )
  fi
  if [ "$rc" != 42 ]; then
    echo "SKIP qemu $name: ${q[*]:-the host} cannot run a static $(basename "${ccn%% *}") program (exit $rc: $(case $rc in 124) echo hangs ;; 126) echo "Exec format error: the kernel refuses it" ;; *) echo crashes ;; esac)); not the tool's fault"
    continue
  fi
  i=0
  for c in "${cases[@]}"; do
    # shellcheck disable=SC2086
    compare "qemu $name: ${c%%|*}" "$i" "${q[@]}" "$f" ${c#*|}
    i=$((i + 1))
  done
  if [ ${#q[@]} -gt 0 ] && [ $enosys_ok = 1 ]; then
    compare "qemu $name: ENOSYS message" enosys "${q[@]}" "$f" "$pid" 0 0
  fi
  if [ ${#q[@]} -gt 0 ]; then
    # The shipped binary (libc header or table, whichever it was built with) makes
    # the call qemu's own syscall table calls migrate_pages.
    timeout 60 "${q[@]}" -strace "$f" "$pid" 0 0 >/dev/null 2>"$tmp/qstrace"
    if l=$(grep -m1 -o '[0-9]* migrate_pages([^)]*) = [^(]*' "$tmp/qstrace"); then
      l=${l#* }; echo "PASS qemu $name: qemu -strace names the call migrate_pages (${l% })"
    else
      echo "FAIL qemu $name: qemu -strace shows no migrate_pages call: $(grep -m2 -i 'unknown syscall' "$tmp/qstrace" | tr '\n' ' ')"
    fi
  fi
done < <(rows)

# ---- i386 through the compat path ------------------------------------------------
f=$dista/migratepages-i386
. test/helpers/probe.sh
if [ ! -f "$f" ]; then
  echo "SKIP i386 compat: not built"
elif ! command -v strace >/dev/null 2>&1; then
  echo "SKIP i386 compat: no strace"
elif ! probe_i386; then
  echo "SKIP i386 compat: $probe_why"
else
  # strace names a call by its number in the table of the process's personality:
  # a wrong number in syscall_arch.h would show up as another call (or none).
  strace -f -o "$tmp/strace" -e trace=migrate_pages "$f" "$pid" 0 0 >"$tmp/o" 2>"$tmp/e"; rc=$?
  # (The masks show as pairs of 32-bit words: strace decodes the compat layout.)
  if grep -q '^[0-9]* *migrate_pages(' "$tmp/strace"; then
    echo "PASS i386 compat: the kernel took syscall 294 as migrate_pages (exit $rc): $(grep -m1 'migrate_pages(' "$tmp/strace" | sed 's/^[0-9]* *//')"
  else
    echo "FAIL i386 compat: strace did not see a 32-bit migrate_pages: $(head -3 "$tmp/strace" | tr '\n' ' ')"
  fi
  "$MP" "$pid" 0 0 >"$tmp/want/native.out" 2>"$tmp/want/native.err"; echo $? >"$tmp/want/native.rc"
  compare "i386 compat: same result as the native binary ($pid 0 0)" native "$f" "$pid" 0 0
  # the 32-bit mover cannot reach a 64-bit process (move_pages takes 32-bit
  # addresses there): refused before any move_pages call that names pages
  # (the existence check asks for none), the dry run alike
  strace -f -o "$tmp/strace" -e trace=move_pages "$f" --jobs 1 "$pid" 0 0 >"$tmp/o" 2>"$tmp/e"; rc=$?
  "$f" --dry-run --jobs 1 "$pid" 0 0 >/dev/null 2>"$tmp/e2"; rc2=$?
  if [ $rc = 1 ] && [ $rc2 = 1 ] && grep -q "out of reach of this 32-bit build's move_pages" "$tmp/e" &&
     cmp -s "$tmp/e" "$tmp/e2" && ! grep -q 'move_pages([0-9]*, [1-9]' "$tmp/strace"; then
    echo "PASS i386 compat: the mover refuses a 64-bit process before moving or asking for any page, the dry run alike (exit 1)"
  else
    echo "FAIL i386 compat: mover on a 64-bit process: exit $rc, dry run $rc2, calls naming pages $(grep -c 'move_pages([0-9]*, [1-9]' "$tmp/strace"): $(head -c 300 "$tmp/e")"
  fi
fi
exit 0
