#!/usr/bin/env bash
# The pure code (bitmap.c, the numa_maps parser of sysinfo.c) through test/unit.c:
# the node-list table test/nodespec.cases and unit checks; built once plainly and
# once under AddressSanitizer and UndefinedBehaviorSanitizer.
set -u
cd "$TOP" || exit 1
mkdir -p build
cc=${HOSTCC:-gcc}
src="test/unit.c bitmap.c tiers.c sysinfo.c devices.c fmt.c mem.c"
# shellcheck disable=SC2086
if ! $cc -std=c11 -O2 -Wall -Wextra -Werror -o build/unit $src; then
  echo "FAIL unit build: $cc could not build test/unit.c"; exit 1
fi
build/unit test/nodespec.cases || true
# shellcheck disable=SC2086
if $cc -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
     -Wall -Wextra -Werror -o build/unit-san $src 2>build/unit-san.log; then
  out=$(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        build/unit-san test/nodespec.cases 2>&1)
  rc=$?
  n=$(grep -c '^PASS' <<<"$out")
  if [ $rc -eq 0 ] && ! grep -q 'runtime error\|AddressSanitizer' <<<"$out"; then
    echo "PASS unit tests under ASan/UBSan ($n checks)"
  else
    echo "FAIL unit tests under ASan/UBSan: exit $rc"
    grep -v '^PASS' <<<"$out" | head -20
  fi
else
  echo "SKIP unit tests under ASan/UBSan: $cc cannot build with -fsanitize ($(head -1 build/unit-san.log))"
fi
