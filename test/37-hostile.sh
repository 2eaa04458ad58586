#!/usr/bin/env bash
# Hostile and absurd node lists and pids (test/hostile.cases), given after
# "--" as a program passing untrusted text should give them: the parser is
# built for untrusted input. Each case, run against a live process of this
# suite:
#   - under strace: exit 1, one line on stderr, no migrate_pages/move_pages,
#     no file opened for writing, no write but to stdout and stderr, nothing
#     created, renamed or removed (so nothing in /proc or /sys is written);
#   - under build/maxrss with --json: the same exit and line, within 100 ms
#     of CPU time (user and system, the helper's and the tool's together; the
#     wall clock is shown, not judged: other jobs share the machine) and 4 MiB of peak RSS
#     (VmHWM at the exit), and one JSON line on stdout: an error object, all
#     of them validated against contrib/migratepages.schema.json at the end.
set -u
cd "$TOP" || exit 1
tmp=$(mktemp -d)
pids=()
cleanup() { [ "$BASHPID" = "$$" ] || return; exec 2>/dev/null; for x in "${pids[@]}"; do kill "$x" && wait "$x"; done; rm -rf "$tmp"; }
trap cleanup EXIT
# shellcheck source=lib.sh
. test/lib.sh
mkdir -p build
if [ -n "${MP_SANITIZED:-}" ]; then
  echo "SKIP hostile strings: time and RSS bounds are for the release binary, not a sanitizer build"
  exit 0
fi
command -v strace >/dev/null || { echo "SKIP hostile strings: no strace"; exit 0; }
if ! { musl-gcc -static -O2 -Wall -Wextra -Werror -o build/maxrss test/helpers/maxrss.c 2>/dev/null ||
       gcc -static -O2 -Wall -Wextra -Werror -o build/maxrss test/helpers/maxrss.c 2>/dev/null; }; then
  echo "FAIL build maxrss"; exit 1
fi
bg sleep 600; live=$last
sleep 0.1

# expand TEXT: {N*T} replaced by N copies of T, then printf %b; the result in x
expand() {
  local s=$1 o='' r k
  while [[ $s =~ ^([^{]*)\{([0-9]+)\*([^}]*)\}(.*)$ ]]; do
    o+=${BASH_REMATCH[1]}
    r=${BASH_REMATCH[3]} k=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]}
    while [ "$k" -gt 0 ]; do # by doubling: N copies in log N steps
      [ $((k & 1)) = 1 ] && o+=$r
      r+=$r k=$((k >> 1))
    done
  done
  o+=$s
  [ "$o" = @ ] && o=$live
  printf -v x '%b' "$o"
}

mutating='migrate_pages|move_pages|creat|truncate|ftruncate|unlink|unlinkat|rename|renameat|renameat2|mkdir|mkdirat|rmdir|symlink|symlinkat|link|linkat|chmod|fchmod|fchmodat|chown|fchown|fchownat|mknod|mknodat|mount|umount2|set_mempolicy|mbind'
n=0 slowest=0 slowest_wall=0 biggest=0
TIMEFORMAT='%3U %3S'
: >"$tmp/all.json"
while IFS= read -r line; do
  case $line in ''|'#'*) continue ;; esac
  name=${line%% | *}; rest=${line#* | }
  f_pid=${rest%% | *}; rest=${rest#* | }
  f_from=${rest%% | *}; f_to=${rest#* | }
  expand "$f_pid"; a_pid=$x
  expand "$f_from"; a_from=$x
  expand "$f_to"; a_to=$x
  n=$((n + 1))
  # 1. under strace
  strace -f -qq -s 64 -o "$tmp/calls" -e trace="${mutating//|/,},open,openat,openat2,write,writev,pwrite64,pwritev,pwritev2,sendfile" \
    "$MP" -- "$a_pid" "$a_from" "$a_to" >"$tmp/out" 2>"$tmp/err"; rc=$?
  why=''
  [ $rc = 1 ] || why="exit $rc"
  [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q '^migratepages: ' "$tmp/err" || why="$why; stderr not one line: $(head -c 200 "$tmp/err")"
  [ -s "$tmp/out" ] && why="$why; stdout: $(head -c 100 "$tmp/out")"
  bad=$(grep -E "^[0-9]+ +($mutating)\(|open(at2?)?\(.*O_(WRONLY|RDWR|CREAT|TRUNC)|^[0-9]+ +(write|writev|pwrite64|pwritev2?|sendfile)\(([03-9]|[12][0-9])" "$tmp/calls" | head -3)
  [ -n "$bad" ] && why="$why; calls: $bad"
  # 2. --json, time and memory
  # CPU time (user + system) of the tool and the helper: the wall clock of a
  # machine shared with other jobs says more about them than about the tool
  t0=$(date +%s%N)
  { time build/maxrss "$MP" --json -- "$a_pid" "$a_from" "$a_to" >"$tmp/jout" 2>"$tmp/jerr"; } 2>"$tmp/time"
  wall=$(( ($(date +%s%N) - t0) / 1000000 ))
  ms=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$tmp/time")
  read -r jrc kb < <(tail -n 1 "$tmp/jout")
  head -n -1 "$tmp/jout" >"$tmp/json"
  [ "$jrc" = 1 ] || why="$why; --json: exit $jrc"
  cmp -s "$tmp/err" "$tmp/jerr" || why="$why; --json: stderr differs: $(head -c 200 "$tmp/jerr")"
  if [ "$(wc -l <"$tmp/json")" != 1 ] || ! grep -q '^{"schema":"migratepages/1","event":"error",' "$tmp/json"; then
    why="$why; --json: not one error object: $(head -c 200 "$tmp/json")"
  fi
  [ "$ms" -le 100 ] || why="$why; took $ms ms of CPU ($wall ms wall clock)"
  [ "${kb:--1}" -ge 1 ] && [ "$kb" -le 4096 ] || why="$why; peak RSS ${kb:-?} KiB"
  [ "$ms" -gt "$slowest" ] && slowest=$ms
  [ "$wall" -gt "$slowest_wall" ] && slowest_wall=$wall
  [ "${kb:-0}" -gt "$biggest" ] && biggest=$kb
  cat "$tmp/json" >>"$tmp/all.json"
  jlog "$tmp/json"
  if [ -n "$why" ]; then echo "FAIL hostile: $name: ${why#; }"; else echo "PASS hostile: $name"; fi
done <test/hostile.cases
echo "hostile: $n cases; most CPU $slowest ms (longest wall clock $slowest_wall ms), largest peak RSS $biggest KiB (with --json, under build/maxrss)"
[ "$n" -ge 50 ] && echo "PASS hostile: at least 50 cases ($n)" || echo "FAIL hostile: at least 50 cases: $n"
if python3 -c 'import jsonschema' 2>/dev/null; then
  if python3 test/helpers/check_schema.py contrib/migratepages.schema.json "$tmp/all.json" >"$tmp/v" 2>&1 &&
     grep -q "^checked $n lines" "$tmp/v"; then
    echo "PASS hostile: every --json error object is valid ($(tail -1 "$tmp/v"))"
  else
    echo "FAIL hostile: every --json error object is valid: $(head -c 600 "$tmp/v")"
  fi
else
  echo "SKIP hostile: the error objects against the schema: no python3-jsonschema"
fi
exit 0
