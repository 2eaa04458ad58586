#!/usr/bin/env bash
# test/70-fuzz.sh - the libFuzzer harnesses of test/fuzz/, for a bounded time.
#
# For each harness (nodespec, nodelist, numamaps, fmt): replay the committed seed
# corpus (test/fuzz/corpus/<harness>/, every input once), then fuzz for
# FUZZ_SECONDS (default 15; 5 with TEST_QUICK=1) from a scratch copy of it,
# and print the executions done. Also runs the parser checks, reference model
# included, over every short node list (test/fuzz/enumerate.c, gcc + ASan/UBSan,
# no libFuzzer needed). A crash leaves its input in build/fuzz/artifacts/.
# Needs clang with libFuzzer (Debian: clang, libclang-rt-dev); without it the
# libFuzzer checks SKIP. How to fuzz longer: test/fuzz/README.md.
# shellcheck disable=SC2086 # $san and $libsrcs are lists of words
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
out=$top/build/fuzz
secs=${FUZZ_SECONDS:-15}
enum_len=${ENUM_LEN:-4}
if [ "${TEST_QUICK:-0}" = 1 ]; then
  secs=${FUZZ_SECONDS:-5}
fi
mkdir -p "$out/artifacts" "$out/work"

# the tool's sources but its main()
libsrcs=$(./build.sh sources | tr ' ' '\n' | grep -v '^migratepages\.c$' | tr '\n' ' ')

# --- the exhaustive differential check (gcc, sanitizers, no libFuzzer) ---
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
if ! command -v gcc >/dev/null 2>&1; then
  echo "SKIP fuzz-enumerate: no gcc"
elif ! gcc -O1 -g $san -std=gnu11 -I. -Itest/fuzz -o "$out/enumerate" test/fuzz/enumerate.c \
       test/fuzz/fuzz_nodespec.c test/fuzz/ref_nodespec.c $libsrcs 2>"$out/enumerate.log"; then
  if grep -q -e 'cannot find -lasan' -e 'cannot find -lubsan' -e 'libasan' "$out/enumerate.log"; then
    echo "SKIP fuzz-enumerate: gcc has no ASan/UBSan runtime ($(head -1 "$out/enumerate.log"))"
  else
    echo "FAIL fuzz-enumerate: does not build: $(grep -m1 error "$out/enumerate.log")"
  fi
elif msg=$("$out/enumerate" "$enum_len" 2>"$out/enumerate.log"); then
  echo "$msg"
  echo "PASS fuzz-enumerate"
else
  echo "FAIL fuzz-enumerate: $(grep -m1 -e 'check failed' -e 'ERROR' "$out/enumerate.log") (log: $out/enumerate.log)"
fi

# --- libFuzzer ---
cc=${FUZZ_CC:-clang}
probe=$out/probe
if ! command -v "$cc" >/dev/null 2>&1; then
  for h in nodespec nodelist numamaps fmt; do echo "SKIP fuzz-$h: no $cc (install clang and libclang-rt-dev)"; done
  exit 0
fi
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" 2>"$probe.log"; then
  for h in nodespec nodelist numamaps fmt; do
    echo "SKIP fuzz-$h: $cc cannot link libFuzzer ($(head -1 "$probe.log"); install libclang-rt-dev)"
  done
  exit 0
fi

for h in nodespec nodelist numamaps fmt; do
  if ! CC=$cc FUZZ_OUT=$out test/fuzz/build.sh "$h" >"$out/build-$h.log" 2>&1; then
    echo "FAIL fuzz-$h: harness does not build: $(grep -m1 error "$out/build-$h.log")"
    continue
  fi
  bin=$out/fuzz_$h
  dict=()
  [ -f "test/fuzz/$h.dict" ] && dict=(-dict="test/fuzz/$h.dict")
  # 1. the seed corpus, every input once: a regression test
  if ! "$bin" -runs=0 -artifact_prefix="$out/artifacts/$h-" test/fuzz/corpus/"$h" \
       >"$out/replay-$h.log" 2>&1; then
    echo "FAIL fuzz-$h: a committed seed fails: $(grep -m1 -e 'check failed' -e 'ERROR:' "$out/replay-$h.log") (reproduce: $(grep -m1 -o 'Test unit written to .*' "$out/replay-$h.log" | sed 's/Test unit written to /build\/fuzz\/fuzz_'"$h"' /'))"
    continue
  fi
  # 2. fuzz for a while from a scratch copy (the committed corpus stays as it is)
  work=$out/work/$h
  rm -rf "$work"
  mkdir -p "$work"
  cp test/fuzz/corpus/"$h"/* "$work"/
  start=$SECONDS
  "$bin" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$h-" "$work" >"$out/fuzz-$h.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz-$h.log")
  echo "fuzz-$h: ${execs:-?} executions in $((SECONDS - start)) s, corpus $(ls "$work" | wc -l) inputs"
  if [ $rc -ne 0 ]; then
    art=$(grep -m1 -o 'Test unit written to .*' "$out/fuzz-$h.log" | sed 's/Test unit written to //')
    echo "FAIL fuzz-$h: $(grep -m1 -e 'check failed' -e 'ERROR:' "$out/fuzz-$h.log") (reproduce: build/fuzz/fuzz_$h $art)"
  elif [ -z "$execs" ] || [ "$execs" -lt 1 ]; then
    echo "FAIL fuzz-$h: no executions reported (log: $out/fuzz-$h.log)"
  else
    echo "PASS fuzz-$h"
  fi
done
exit 0
