#!/bin/sh
# build.sh - builds the static migratepages binary, and runs the tests.
#
#   ./build.sh            build ./migratepages (static, stripped, reproducible)
#   ./build.sh test [S..] build, then run the test suites (test/run) [only suites S]
#   ./build.sh demo       boot a 4-node qemu guest and watch a process's memory move
#   ./build.sh clean      remove what the build and the tests wrote
#
# Environment: CC, CFLAGS, LDFLAGS, CROSS_COMPILE (a prefix such as
# aarch64-linux-gnu-), OUT (output file, default ./migratepages), WERROR=1 (or
# CI=true) turns warnings into errors.
# Compiler choice: $CC if set; else ${CROSS_COMPILE}musl-gcc, or musl-gcc for a
# native build; else ${CROSS_COMPILE}gcc -static against glibc, with a notice.
set -eu
cd "$(dirname "$0")"

SRCS="migratepages.c bitmap.c sysinfo.c"
OUT=${OUT:-./migratepages}
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

case ${1:-build} in
  build)
    build ;;
  test)
    shift
    build
    exec test/run "$@" ;;
  demo)
    build
    exec test/vm/demo.sh ;;
  clean)
    rm -rf ./migratepages build dist test/out ;;
  -h|--help|help)
    sed -n '2,14s/^# \{0,1\}//p' "$0" ;;
  *)
    echo "build.sh: unknown command '$1' (try ./build.sh --help)" >&2
    exit 1 ;;
esac
