#!/bin/sh
# build.sh - builds the static migratepages binary, and runs the tests.
#
#   ./build.sh            build ./migratepages (static, stripped, reproducible)
#   ./build.sh test [S..] build, then run the test suites (test/run) [only suites S]
#   ./build.sh sources    print the source files (for scripts that compile them)
#   ./build.sh demo       boot a 4-node qemu guest and watch a process's memory move
#   ./build.sh dist       one static binary per architecture (test/arch/targets) in
#                         dist/migratepages-<arch>, and dist/SHA256SUMS
#   ./build.sh install    build, then copy the binary to $DESTDIR$PREFIX/bin and the
#                         man page to $DESTDIR$PREFIX/share/man/man8 (PREFIX=/usr/local)
#   ./build.sh clean      remove what the build and the tests wrote (not the kernel
#                         cache test/vm/cache/: `rm -rf test/vm/cache` drops it)
#
# test and demo first install the Debian packages they need (apt-get update, then
# apt-get install) when run as root and some are missing; otherwise they print
# the command to run and stop. NO_INSTALL=1: never install, run with what is there.
#
# Environment: CC, CFLAGS, LDFLAGS, CROSS_COMPILE (a prefix such as
# aarch64-linux-gnu-), OUT (output file, default ./migratepages in this folder; a
# relative OUT is taken from the caller's directory), WERROR=1 (or CI=true) turns
# warnings into errors.
# Compiler choice: $CC if set; else ${CROSS_COMPILE}musl-gcc, or musl-gcc for a
# native build; else ${CROSS_COMPILE}gcc -static against glibc, with a notice.
# dist: DIST (output folder, default dist), ARCHES (names to build, default all);
# it fetches Debian's musl-dev for foreign architectures (test/arch/musl-cross.sh).
set -eu
caller=$PWD
cd "$(dirname "$0")"

SRCS="migratepages.c cli.c run.c stop.c target.c kerndat.c checks.c single.c mover.c mover_walk.c mover_chunk.c mover_engine.c watch.c tracker.c track_softdirty.c track_idle.c track_damon.c frames.c report.c metrics.c output.c cgroup.c sysinfo.c devices.c tiers.c tiers_sys.c bitmap.c fmt.c mem.c"
# OUT and DIST: relative to the caller's directory when given
if [ -n "${OUT:-}" ]; then
  case $OUT in /*) ;; *) OUT=$caller/$OUT ;; esac
else
  OUT=./migratepages
fi
if [ -n "${DIST:-}" ]; then
  case $DIST in /*) ;; *) DIST=$caller/$DIST ;; esac
fi
CROSS_COMPILE=${CROSS_COMPILE:-}

pick_cc() {
  if [ -n "${CC:-}" ]; then
    return
  fi
  if command -v "${CROSS_COMPILE}musl-gcc" >/dev/null 2>&1; then
    CC=${CROSS_COMPILE}musl-gcc
  elif [ -z "$CROSS_COMPILE" ] && command -v musl-gcc >/dev/null 2>&1; then
    CC=musl-gcc
  else
    CC=${CROSS_COMPILE}gcc
    echo "build.sh: notice: no musl-gcc for this target; linking statically against glibc with $CC" >&2
  fi
}

build() {
  pick_cc
  warn="-Wall -Wextra"
  if [ "${WERROR:-}" = 1 ] || [ "${CI:-}" = true ]; then
    warn="$warn -Werror"
  fi
  # Size: -Os, one section per function so the linker can drop what is unused,
  # no unwind tables. Reproducibility: no build id, no source paths, stripped.
  cflags=${CFLAGS:--Os -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-stack-protector}
  # shellcheck disable=SC2086
  $CC -std=c11 $warn $cflags -ffunction-sections -fdata-sections \
      -ffile-prefix-map="$PWD"=. \
      -static -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,--build-id=none -s ${LDFLAGS:-} \
      -o "$OUT" $SRCS
  readelf=readelf
  command -v "${CROSS_COMPILE}readelf" >/dev/null 2>&1 && readelf=${CROSS_COMPILE}readelf
  if ! LC_ALL=C $readelf -l "$OUT" >/dev/null 2>&1; then
    echo "build.sh: cannot inspect $OUT with $readelf" >&2
    exit 1
  fi
  if LC_ALL=C $readelf -l "$OUT" | grep -q INTERP; then
    echo "build.sh: $OUT is not static (it has a program interpreter)" >&2
    rm -f "$OUT"
    exit 1
  fi
}

# dist: every "dist y" row of test/arch/targets, each checked for its ELF class,
# byte order and machine. A target whose cross gcc is missing is skipped, loudly.
dist() {
  dist=${DIST:-dist}
  mkdir -p "$dist"
  rm -f "$dist"/migratepages-* "$dist/SHA256SUMS"
  test/arch/musl-cross.sh
  musl=${MUSL_CROSS_DIR:-build/musl}
  case $musl in /*) ;; *) musl=$PWD/$musl ;; esac
  PATH=$musl/bin:$PATH
  built='' skipped=''
  tab=$(printf '\t')
  while IFS=$tab read -r name prefix flags class data machine; do
    if [ -n "${ARCHES:-}" ]; then
      case " $ARCHES " in *" $name "*) ;; *) continue ;; esac
    fi
    [ "$prefix" = - ] && prefix=
    if ! command -v "${prefix}gcc" >/dev/null 2>&1; then
      echo "build.sh: dist: skipping $name: no ${prefix}gcc (Debian package gcc-${prefix%-})" >&2
      skipped="$skipped $name"
      continue
    fi
    f=$dist/migratepages-$name
    if [ "$flags" = - ]; then
      (unset CC; CROSS_COMPILE=$prefix OUT=$f; build)
    else
      # An ABI flag (e.g. -mabi=n32): that multilib's glibc, no musl for it.
      echo "build.sh: notice: $name: linking statically against glibc with ${prefix}gcc $flags" >&2
      (CC="${prefix}gcc $flags" CROSS_COMPILE=$prefix OUT=$f; build)
    fi
    h=$(LC_ALL=C readelf -h "$f")
    got="$(echo "$h" | sed -n 's/^ *Class: *//p') | $(echo "$h" | sed -n 's/^ *Data: *2.s complement, //p') | $(echo "$h" | sed -n 's/^ *Machine: *//p')"
    if [ "$got" != "$class | $data | $machine" ]; then
      echo "build.sh: dist: $f is '$got', not '$class | $data | $machine'" >&2
      rm -f "$f"
      exit 1
    fi
    built="$built $name"
  done <<EOF
$(awk -F'|' '/^[^#]/ { for (i = 1; i <= NF; i++) gsub(/^ +| +$/, "", $i)
                       if ($3 == "") $3 = "-"
                       if ($4 == "y") print $1 "\t" $2 "\t" $3 "\t" $5 "\t" $6 "\t" $7 }' test/arch/targets)
EOF
  [ -n "$built" ] || { echo "build.sh: dist: nothing built" >&2; exit 1; }
  (cd "$dist" && sha256sum migratepages-* >SHA256SUMS)
  echo "build.sh: dist: built$built in $dist/" >&2
  [ -z "$skipped" ] || echo "build.sh: dist: skipped (no cross gcc):$skipped" >&2
}

# need PACKAGE...: Debian packages that must be installed. Missing ones are
# installed (root) or named with the command to run (not root), unless
# NO_INSTALL=1 or this is not a dpkg system.
need() {
  [ "${NO_INSTALL:-}" = 1 ] && return 0
  command -v dpkg-query >/dev/null 2>&1 || {
    echo "build.sh: notice: not a Debian/Ubuntu system; install the equivalents of: $*" >&2
    return 0; }
  have=" $(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' "$@" 2>/dev/null |
           sed -n 's/^ii *//p' | tr '\n' ' ') "
  missing=''
  for p in "$@"; do
    case $have in *" $p "*) ;; *) missing="$missing $p" ;; esac
  done
  missing=${missing# }
  [ -n "$missing" ] || return 0
  cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
  if [ "$(id -u)" != 0 ]; then
    echo "build.sh: these Debian packages are missing: $missing" >&2
    echo "build.sh: as root, run:  $cmd" >&2
    echo "build.sh: (or NO_INSTALL=1 ./build.sh ${cmdname:-test}: the tests that need them say SKIP)" >&2
    exit 1
  fi
  echo "build.sh: installing $(echo "$missing" | wc -w) missing Debian packages: $cmd" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 $missing >/dev/null
}
# the packages of each part (the tests: all of .ci/packages)
DEMO_PKGS="gcc libc6-dev musl-tools qemu-system-x86 cpio busybox-static xz-utils"
test_pkgs() { sed 's/#.*//' .ci/packages | tr -s ' \n' '  '; }

install() {
  prefix=${PREFIX:-/usr/local}
  bindir=${DESTDIR:-}$prefix/bin
  mandir=${DESTDIR:-}$prefix/share/man/man8
  mkdir -p "$bindir" "$mandir"
  cp "$OUT" "$bindir/migratepages.tmp" && chmod 755 "$bindir/migratepages.tmp" &&
    mv -f "$bindir/migratepages.tmp" "$bindir/migratepages"
  cp man/migratepages.8 "$mandir/migratepages.8" && chmod 644 "$mandir/migratepages.8"
  echo "build.sh: installed $bindir/migratepages and $mandir/migratepages.8" >&2
}

cmdname=${1:-build}
case ${1:-build} in
  build)
    build ;;
  test)
    shift
    # shellcheck disable=SC2046
    need $(test_pkgs)
    build
    exec test/run "$@" ;;
  install)
    build
    install ;;
  sources)
    echo "$SRCS" ;;
  demo)
    # shellcheck disable=SC2086
    need $DEMO_PKGS
    build
    exec test/vm/demo.sh ;;
  dist)
    dist ;;
  clean)
    rm -rf ./migratepages build dist test/out
    [ ! -d test/vm/cache ] ||
      echo "build.sh: clean: kept the guests' kernel cache test/vm/cache/ ($(du -sh test/vm/cache | cut -f1)); rm -rf test/vm/cache drops it" >&2 ;;
  -h|--help|help)
    sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//p;}' "$0" ;;
  *)
    echo "build.sh: unknown command '$1' (try ./build.sh --help)" >&2
    exit 1 ;;
esac
