#!/bin/sh
# test/fuzz/build.sh - builds the libFuzzer harnesses into build/fuzz/ (or $FUZZ_OUT).
#   test/fuzz/build.sh            all harnesses
#   test/fuzz/build.sh nodespec   one (nodespec, nodelist, numamaps, fmt)
# Needs clang with libFuzzer (Debian: clang, libclang-rt-dev). CC overrides clang.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-$top/build/fuzz}
cc=${CC:-clang}
mkdir -p "$out"
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined"
flags="$flags -fno-sanitize-recover=all -Wall -Wextra -std=gnu11"
names=${*:-nodespec nodelist numamaps fmt}
for h in $names; do
  case $h in
    nodespec|nodelist) extra="$top/test/fuzz/ref_nodespec.c $top/bitmap.c $top/tiers.c $top/fmt.c" ;;
    numamaps) extra="$top/sysinfo.c $top/bitmap.c $top/tiers.c $top/fmt.c $top/mem.c" ;;
    fmt) extra="$top/fmt.c" ;;
    *) echo "test/fuzz/build.sh: no harness '$h'" >&2; exit 1 ;;
  esac
  # shellcheck disable=SC2086
  $cc $flags -I"$top" -o "$out/fuzz_$h" "$top/test/fuzz/fuzz_$h.c" $extra
done
