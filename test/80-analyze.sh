#!/usr/bin/env bash
# test/80-analyze.sh - static analysis of the tool's sources (migratepages.c,
# bitmap.c, sysinfo.c). Each analyser is one test; any finding fails it, and
# the findings are printed. An analyser that is not installed is a SKIP.
#
#  gcc -fanalyzer   every -Wanalyzer-* warning, plus -Wall -Wextra, as errors;
#                   against glibc's headers and, if present, musl's (musl-gcc).
#  cppcheck         --enable=warning,style,performance,portability, all as
#                   findings, except two style ids the code does not follow on
#                   purpose (below) and the false positives listed in FP_CPPCHECK.
#  clang-tidy       clang-analyzer-*, bugprone-*, cert-*, misc-*, portability-*,
#                   performance-*, less the checks in TIDY_OFF (reasons there).
#                   One file per run: clang-tidy 14 carries the va_list state of
#                   one file into the next and then reports a va_start'ed list in
#                   bitmap.c's fail() as uninitialised.
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
srcs=$(./build.sh sources)
out=$top/build/analyze
mkdir -p "$out"

# ---- gcc -fanalyzer ----
for cc in gcc musl-gcc; do
  name="gcc -fanalyzer${cc#gcc}"
  [ "$cc" = musl-gcc ] && name="gcc -fanalyzer (musl headers)"
  if ! command -v $cc >/dev/null 2>&1; then
    echo "SKIP $name: no $cc"
    continue
  fi
  if ! $cc -fanalyzer -x c -c /dev/null -o /dev/null 2>/dev/null; then
    echo "SKIP $name: $cc has no -fanalyzer (GCC 10 or later)"
    continue
  fi
  : >"$out/$cc-fanalyzer.log"
  rc=0
  for f in $srcs; do
    $cc -std=c11 -O2 -fanalyzer -Wall -Wextra -Werror -c "$f" -o "$out/$cc-${f%.c}.o" \
      >>"$out/$cc-fanalyzer.log" 2>&1 || rc=1
  done
  if [ $rc = 0 ] && ! grep -q 'warning:' "$out/$cc-fanalyzer.log"; then
    echo "PASS $name"
  else
    echo "FAIL $name: $(grep -c -e 'warning:' -e 'error:' "$out/$cc-fanalyzer.log") findings"
    grep -e 'warning:' -e 'error:' "$out/$cc-fanalyzer.log" | head -20
  fi
done

# ---- cppcheck ----
# Style ids off on purpose:
#   variableScope       asks to move declarations into inner blocks; the code
#                       declares at the top of a function, which is a choice.
#   unusedStructMember  flags the fields of structs the kernel fills in
#                       (capget's header and data): they are the ABI.
# False positives, matched by message (line numbers move):
#   "Variable 'sep' is assigned a value that is never used": report_json's
#   separator is read in the loop's printf; cppcheck 2.10 misses the comma
#   expression in the for's increment.
FP_CPPCHECK=(
  "Variable 'sep' is assigned a value that is never used"
)
if ! command -v cppcheck >/dev/null 2>&1; then
  echo "SKIP cppcheck: not installed"
else
  # shellcheck disable=SC2086
  cppcheck --enable=warning,style,performance,portability --std=c11 -q \
    --suppress=variableScope --suppress=unusedStructMember \
    --template='{file}:{line}: {severity}: {message} [{id}]' \
    -D__linux__ -D__x86_64__ -D__GNUC__ $srcs >"$out/cppcheck.log" 2>&1
  cp "$out/cppcheck.log" "$out/cppcheck.findings"
  for fp in "${FP_CPPCHECK[@]}"; do
    grep -v -F -- "$fp" "$out/cppcheck.findings" >"$out/cppcheck.tmp"
    mv "$out/cppcheck.tmp" "$out/cppcheck.findings"
  done
  grep -E '^[^ ]+:[0-9]+: ' "$out/cppcheck.findings" >"$out/cppcheck.tmp"
  mv "$out/cppcheck.tmp" "$out/cppcheck.findings"
  n=$(wc -l <"$out/cppcheck.findings")
  if [ "$n" = 0 ]; then
    echo "PASS cppcheck ($(cppcheck --version))"
  else
    echo "FAIL cppcheck: $n findings"
    head -20 "$out/cppcheck.findings"
  fi
fi

# ---- clang-tidy ----
# Checks off, and why:
#   clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling:
#       wants C11 Annex K (snprintf_s, memset_s), which neither glibc nor musl has.
#   bugprone-easily-swappable-parameters: about API shape (two ints side by side),
#       not a defect.
#   bugprone-reserved-identifier, cert-dcl37-c, cert-dcl51-cpp: flag the
#       _GNU_SOURCE feature-test macro, which must be spelled that way.
#   cert-err33-c: every printf/fprintf/snprintf result unchecked. Output errors
#       are checked once, at exit (finish(): fflush + ferror, exit 1), and
#       snprintf truncates on purpose into bounded buffers.
TIDY_ON='clang-analyzer-*,bugprone-*,cert-*,misc-*,portability-*,performance-*'
TIDY_OFF='clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,bugprone-easily-swappable-parameters,bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp,cert-err33-c'
if ! command -v clang-tidy >/dev/null 2>&1; then
  echo "SKIP clang-tidy: not installed"
else
  checks="-*,$TIDY_ON,-${TIDY_OFF//,/,-}"
  : >"$out/clang-tidy.log"
  for f in $srcs; do
    clang-tidy --quiet -checks="$checks" "$f" -- -std=c11 >>"$out/clang-tidy.log" 2>/dev/null
  done
  # a diagnostic in a header, or one check under two names, can repeat
  grep -e ': warning:' -e ': error:' "$out/clang-tidy.log" | sed "s#^$top/##" | sort -u \
    >"$out/clang-tidy.findings"
  n=$(wc -l <"$out/clang-tidy.findings")
  if [ "$n" = 0 ]; then
    echo "PASS clang-tidy ($(clang-tidy --version | grep -o 'version [0-9.]*'))"
  else
    echo "FAIL clang-tidy: $n findings"
    head -20 "$out/clang-tidy.findings"
  fi
fi
exit 0
