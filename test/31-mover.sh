#!/usr/bin/env bash
# The chunked mover (--jobs, --chunk, --rate, --progress) for real on this host
# (one NUMA node, so every page is already in place): the report's figures
# against numa_maps, pid lists, a dead pid, other users' processes, the
# progress line, and the tool's own memory with a large target. The moves
# themselves, page by page, are checked in the multi-node guests (50-vm,
# scenarios mover_*).
set -u
cd "$TOP" || exit 1
mkdir -p build
gcc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c || {
  echo "FAIL build seccomp_exec"; exit 1; }
gcc -O2 -Wall -Wextra -pthread -Itest/vm/helpers -o build/hog test/vm/helpers/hog.c || {
  echo "FAIL build hog"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() { [ "$BASHPID" = "$$" ] || return; exec 2>/dev/null; for x in "${pids[@]}"; do kill "$x" 2>/dev/null && wait "$x"; done 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
root=0; [ "$(id -u)" = 0 ] && root=1

# bg, expect, ok
# shellcheck source=lib.sh
. test/lib.sh
run() { "$MP" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
# hog MIB [ARGS]: a process holding MIB MiB of written memory; pid in $last
hog() {
  local n=$1; shift
  bg build/hog -o "$tmp/hog$n" -s "$n" "$@"
  for _ in $(seq 100); do [ -s "$tmp/hog$n.ready" ] && return 0; sleep 0.05; done
  echo "FAIL hog of $n MiB did not start: $(cat "$tmp/hog$n.ready" 2>/dev/null)"
  return 1
}
nm_bytes() {  # bytes of process $1 on node 0, from numa_maps
  awk '{kb=4; for(i=1;i<=NF;i++) if ($i ~ /^kernelpagesize_kB=/) {split($i,a,"="); kb=a[2]}
        for(i=1;i<=NF;i++) if ($i ~ /^N0=/) {split($i,a,"="); s+=a[2]*kb*1024}} END{print s+0}' "/proc/$1/numa_maps"
}

bg sleep 600; p=$last
hog 64 || exit 1; h=$last
sleep 0.1

# --- plain runs: everything is in place, nothing to say
run --jobs 2 "$p" 0 0;             expect "--jobs 2, 0 -> 0" 0 "" ""
run -j1 --chunk 1 "$p" all all;    expect "-j1 --chunk 1 (a call per page), all -> all" 0 "" ""
run --rate 1M --chunk 16M "$h" 0 0; expect "--rate and --chunk SIZE on a 64 MiB process" 0 "" ""
run --jobs 2 --dry-run "$h" 0 0;   expect "--dry-run with mover options" 0 '*' ""

# --- the report: every page found, counted once, in place
want=$(nm_bytes "$h")
run --json --jobs 2 --chunk 64 "$h" 0 0
expect "--json exit and stderr" 0 '*' ""
if command -v python3 >/dev/null; then
  res=$(python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
m = o["mover"]; nm = int(sys.argv[2])
assert o["pid"] == int(sys.argv[1]) and o["status"] == "ok" and o["error"] is None, o
assert m["jobs"] == 2 and m["chunk_pages"] == 64 and m["rate"] == 0, m
assert m["moved_bytes"] == 0, m
assert all(m[k] == 0 for k in ("shared_bytes", "busy_bytes", "no_memory_bytes", "other_bytes")), m
assert m["in_place_bytes"] >= 64 << 20, m
assert o["before"] == o["after"] and o["before"]["0"] == m["in_place_bytes"], o
# numa_maps, read a moment before: the same pages, give or take a stack page
assert abs(m["in_place_bytes"] - nm) <= 16 * 4096, (m["in_place_bytes"], nm)
print("ok")' "$h" "$want" <<<"$out" 2>&1)
  ok "--json: every page in place, as numa_maps counts them ($want bytes)" '[ "$res" = ok ]' "$res"
else
  echo "SKIP --json figures: no python3"
fi
run -v --jobs 3 --rate 200M "$h" 0 0
ok "--verbose names the mover, its jobs and its rate" \
  'grep -Eq "^  moved 0 B in [0-9]+\.[0-9]{3} s \(move_pages, 3 jobs, chunks of 4096 pages, at most 200.0 MiB/s\); 6[4-9]\.[0-9] MiB already in place$" <<<"$out"' "$out"

# --- a file mapped from a path longer than the line reader's buffer: its
# numa_maps line (the path comes before the N<node>= counts) is read whole
# enough that the mapping is counted (it was cut, and the mapping skipped)
deep=$tmp/deep; mkdir "$deep"
seg=$(printf 'd%.0s' $(seq 250))
(cd "$deep" && for _ in $(seq 80); do mkdir "$seg" && cd "$seg" || exit 1; done)
(cd "$deep" && for _ in $(seq 80); do cd "$seg" || exit 1; done; trap - EXIT
 exec "$TOP/build/hog" -o "$tmp/hogdeep" -s 8 -F file </dev/null >/dev/null 2>&1) &
dp=$!; pids+=("$dp")
for _ in $(seq 100); do [ -s "$tmp/hogdeep.ready" ] && break; sleep 0.05; done
want=$(nm_bytes "$dp")
run --json --jobs 1 "$dp" 0 0
got=$(grep -o '"in_place_bytes":[0-9]*' <<<"$out" | cut -d: -f2)
ok "a file mapped from a path of 20,000 bytes: counted as numa_maps counts it ($want bytes)" \
  '[ $rc = 0 ] && [ -n "$got" ] && [ "$want" -ge $((8 << 20)) ] && [ $((got - want)) -le 65536 ] && [ $((want - got)) -le 65536 ]' \
  "exit $rc, in_place_bytes ${got:-none}, stderr $err"
kill "$dp" 2>/dev/null

# --- under --rate a move_pages call is 1/32 s worth, a chunk 1/8 s worth:
# --help and the man page say both (they said a chunk was a call)
help=$("$MP" --help | sed -n '/^ *--chunk/,/^ *--progress/p' | sed '$d' | tr -s ' \n' '  ')
man=$(sed -n '/^\.BI \\-\\-chunk/,/^\.TP/p' man/migratepages.8 | sed 's/^\.[A-Z]* //; s/\\-/-/g; s/\\&//g; s/"//g' | tr -s ' \n' '  ')
ok "--help and the man page: under --rate each move_pages call is 1/32 s worth, a chunk 1/8 s" \
  'grep -q "with --rate 1/8 s worth (512 to 4096), each call 1/32 s worth" <<<"$help" && grep -q "each move_pages call moves at most 1/32 of a second.s worth" <<<"$man"' \
  "help: $help / man: $man"

# --- pid lists and processes that are gone
bg sleep 600; q=$last
sh -c 'exit 0' & dead=$!; wait "$dead"
run --jobs 2 "$p,$q,$h" 0 0;         expect "a pid list, 2 workers" 0 "" ""
run --json --jobs 3 "$p,$dead,$h" 0 0
ok "a dead pid in a list: exit 1, named, the others moved" \
  '[ $rc = 1 ] && [ "$err" = "migratepages: $dead: no such process" ] && [ "$(grep -c "\"status\":\"ok\"" <<<"$out")" = 2 ] && [ "$(grep -c "\"errno\":\"ESRCH\"" <<<"$out")" = 1 ]' \
  "exit $rc, stderr '$err', stdout $out"
run --jobs 2 "$dead" 0 0;             expect "a dead pid" 1 "" "migratepages: $dead: no such process"
run --jobs 2 "$p" 0 1000;             expect "a node that does not exist" 1 "" "migratepages: to-nodes: node 1000 does not exist (nodes: $(cat /sys/devices/system/node/online))"

# --- a low limit on open files: the targets are held in batches the limit
# allows (the mover holds more descriptors per process than the single call),
# and a limit too low for even one is said as such
for _ in $(seq 80); do bg sleep 600; done
many=$(IFS=,; echo "${pids[*]: -80}")
for lim in "40" "40 --jobs 1" "20 --jobs 1" "20 --jobs 2"; do
  n=${lim%% *} m=${lim#"$n"}
  # shellcheck disable=SC2086
  (ulimit -n "$n" && exec "$MP" --json $m "$many" 0 0) >"$tmp/out" 2>"$tmp/err"; rc=$?; err=$(cat "$tmp/err"); jlog "$tmp/out"
  ok "ulimit -n $n, 80 processes${m:+,$m}: every one moved" \
    '[ $rc = 0 ] && [ "$(grep -c "\"status\":\"ok\"" "$tmp/out")" = 80 ] && [ -z "$err" ]' \
    "exit $rc, $(grep -c '"status":"ok"' "$tmp/out") ok, stderr: $(sort "$tmp/err" | uniq -c | head -3)"
done
(ulimit -n 6 && exec "$MP" --jobs 1 "$p" 0 0) >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
expect "ulimit -n 6: too few descriptors for one process, said so" 1 "" \
  "migratepages: $p: too many open files: the limit on open files (ulimit -n) is 6, too low for this run"

# --- a refusal of the mover's own (no /proc to read maps from): no system
# call failed, so the JSON's errno is null, as the man page says
if [ $root = 1 ] && command -v chroot >/dev/null && ! readelf -l "$MP" 2>/dev/null | grep -q INTERP; then
  mkdir -p "$tmp/root"; cp "$MP" "$tmp/root/migratepages"
  chroot "$tmp/root" /migratepages --json --jobs 1 "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out")
  ok "no /proc: the mover's own refusal has errno null in the JSON" \
    '[ $rc = 1 ] && grep -q "\"status\":\"error\".*\"error\":{\"errno\":null,\"message\":\"/proc is not mounted: the chunked mover" <<<"$out"' \
    "exit $rc: $out"
else
  echo "SKIP the mover's own refusal in the JSON: needs root, chroot and a static binary"
fi

# --- a cgroup: its processes shared out among the workers
cgroot=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
if [ $root = 1 ] && [ -n "$cgroot" ] && mkdir "$cgroot/mvtest-$$" 2>/dev/null; then
  cg=$cgroot/mvtest-$$
  for _ in 1 2 3; do bg sh -c "echo \$\$ > $cg/cgroup.procs; exec sleep 600"; done
  sleep 0.3
  run --jobs 2 --json --cgroup "$cg" 0 0
  ok "--cgroup --jobs 2: one object per process, all ok" '[ $rc = 0 ] && [ "$(grep -c "\"status\":\"ok\"" <<<"$out")" = 3 ] && [ -z "$err" ]' "exit $rc: $out $err"
  cgp=("${pids[@]: -3}"); kill "${cgp[@]}" 2>/dev/null; wait "${cgp[@]}" 2>/dev/null
  rmdir "$cg" 2>/dev/null
else
  echo "SKIP --cgroup with --jobs: needs root and a writable cgroup v2 hierarchy"
fi

# --- other users
if [ $root = 1 ] && command -v setpriv >/dev/null; then
  nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  nobody "$MP" --jobs 2 "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "another user's process: refused before any move" 1 "" "migratepages: $p: permission denied: the process runs as uid 0 gid 0 and you are uid 65534 gid 65534; run as its user, or with CAP_SYS_PTRACE"
  bg setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600; np=$last; sleep 0.2
  nobody "$MP" --jobs 2 --json "$np" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  ok "an unprivileged user's own process" '[ $rc = 0 ] && [ -z "$err" ] && grep -q "\"status\":\"ok\"" <<<"$out" && ! grep -q "\"in_place_bytes\":0," <<<"$out"' "exit $rc, stderr '$err', $out"
else
  echo "SKIP other users: needs root and setpriv"
fi

# --- the seccomp filter: a mover run calls move_pages (and dies of it)
(build/seccomp_exec kill "$MP" --jobs 2 "$p" 0 0 >/dev/null 2>&1; echo $? >"$tmp/rc") 2>/dev/null; rc=$(cat "$tmp/rc")
ok "the mover calls move_pages (killed by the filter)" '[ $rc = 159 ]' "exit $rc under a filter that kills on move_pages"
build/seccomp_exec kill "$MP" --jobs 2 -n "$p" 0 0 >/dev/null 2>&1; rc=$?
ok "--dry-run with mover options calls neither" '[ $rc = 0 ]' "exit $rc"
build/seccomp_exec eperm "$MP" --jobs 2 "$p" 0 0 >/dev/null 2>"$tmp/err"; rc=$?
ok "a filter answering EPERM to move_pages is named as such" \
  '[ $rc = 1 ] && grep -q "move_pages was refused by a seccomp filter .*allows move_pages$" "$tmp/err"' "exit $rc: $(cat "$tmp/err")"

# --- progress
run --progress "$h" 0 0
expect "--progress on a non-terminal: nothing" 0 "" ""
run --progress=never --jobs 2 "$h" 0 0
expect "--progress=never" 0 "" ""
run --progress=always "$h" 0 0
ok "--progress=always on a non-terminal: plain lines, the last one final" \
  '[ $rc = 0 ] && [ -z "$out" ] && [ "$(tail -n 1 <<<"$err" | sed "s/; [0-9.]* [KMG]*i*B\/s$//")" = "migratepages: moved 0 B" ] && ! grep -q $'"'"'\r'"'"' <<<"$err"' "exit $rc, stderr '$err'"
if command -v script >/dev/null; then
  script -qec "$MP --progress $h 0 0" /dev/null >"$tmp/tty" 2>&1; rc=$?
  ok "--progress on a terminal: a rewritten line, kept at the end" \
    '[ $rc = 0 ] && grep -q $'"'"'\rmigratepages: moved 0 B; '"'"' "$tmp/tty" && grep -q $'"'"'\e\[K'"'"' "$tmp/tty"' "exit $rc: $(od -c "$tmp/tty" | head -3)"
else
  echo "SKIP --progress on a terminal: no script(1) (Debian package bsdutils)"
fi

# --- the chunk size the reports give is the one used: under a cap without
# --chunk, 1/8 s worth (8 MiB/s: 256 pages, raised to the 512 minimum)
run --rate 8M --json "$h" 0 0
ok "--rate 8M: the JSON gives the chunk used (512 pages)" '[ $rc = 0 ] && grep -q "\"chunk_pages\":512," <<<"$out"' "exit $rc: $out"
run --rate 8M --chunk 100 -v "$h" 0 0
ok "--rate 8M --chunk 100: -v gives the chunk asked for" '[ $rc = 0 ] && grep -q "chunks of 100 pages, at most 8.0 MiB/s)" <<<"$out"' "exit $rc: $out"

# --- stopped by a signal. On this one-node host every mapping is skipped
# whole (nothing is on a node to be emptied), so the only move_pages calls are
# the checks of each process (move_pages of no page); strace holds each 0.3 s,
# and the signal comes during the second of three. Nothing is to move here,
# so each stops "before any of its pages moved", and no call is made after
# the signal. A signal ignored when the tool started (nohup, a background job
# of a script) stays ignored.
child_of() {  # the pid of a child of $1 (waits up to 2 s for it)
  local c
  for _ in $(seq 40); do
    c=$(pgrep -P "$1" | head -n 1)
    [ -n "$c" ] && { echo "$c"; return; }
    sleep 0.05
  done
}
if command -v strace >/dev/null; then
  slow=(strace -qq -f -o "$tmp/calls" -e trace=move_pages -e inject=move_pages:delay_exit=300000)
  "${slow[@]}" "$MP" --jobs 1 --chunk 2048 --json "$p,$q,$h" 0 0 >"$tmp/out" 2>"$tmp/err" &
  sp=$!
  c=$(child_of $sp)
  sleep 0.5
  kill -TERM "$c"
  wait $sp; rc=$?
  err=$(cat "$tmp/err"); jlog "$tmp/out"
  want=""
  for x in $p $q $h; do want+="migratepages: $x: interrupted by SIGTERM before any of its pages moved; the rest of its memory stays where it is"$'\n'; done
  ok "SIGTERM stops the mover: each process reported, then it dies of the signal" \
    '[ $rc = 143 ] && [ "$err" = "${want%$'"'"'\n'"'"'}" ] && [ "$(grep -c "\"status\":\"error\".*\"errno\":\"EINTR\"" "$tmp/out")" = 3 ]' \
    "exit $rc, stderr '$err', stdout $(head -c 300 "$tmp/out")"
  after=$(awk '/--- SIGTERM/ { s = 1 } s && /move_pages\(/ { n++ } END { print n + 0 }' "$tmp/calls")
  ok "no move_pages call after the signal" '[ "$after" = 0 ] && grep -q -- "--- SIGTERM" "$tmp/calls"' "$(cat "$tmp/calls")"
  (trap "" INT; exec "${slow[@]}" "$MP" --jobs 1 --chunk 2048 "$p,$q,$h" 0 0 >"$tmp/out" 2>"$tmp/err") &
  sp=$!
  c=$(child_of $sp)
  sleep 0.5
  kill -INT "$c"
  wait $sp; rc=$?
  ok "a SIGINT ignored when it started stays ignored: the mover goes on to the end" \
    '[ $rc = 0 ] && [ ! -s "$tmp/err" ]' "exit $rc, stderr $(cat "$tmp/err")"
else
  echo "SKIP a mover stopped by a signal: no strace (Debian package strace)"
fi

# --- reserved address space (issue 18): a JVM's heap or ASan's shadow beside
# the memory a process holds. The mover's work follows what numa_maps counts,
# not the address space: move_pages is passed no more pages than the process
# holds (1.2.0 asked about every page of the reservation), the report counts
# the memory held, and the run ends well. strace counts the pages passed in
# the calls that name the process (the tool's own probe names pid 0).
if command -v strace >/dev/null && gcc -O2 -Wall -Wextra -Werror -o build/reserve test/helpers/bench_reserve.c; then
  for spec in "4 256 0:4 MiB written beside 256 GiB PROT_NONE" "64 0 16384:64 MiB written beside 16 TiB MAP_NORESERVE"; do
    read -r wmib pn nr <<<"${spec%%:*}"
    bg build/reserve "$wmib" "$pn" "$nr"; r=$last
    want_kb=$(( (pn + nr) * 1024 * 1024 ))
    for _ in $(seq 100); do
      vm=$(awk '/^VmSize/ { print $2 }' "/proc/$r/status" 2>/dev/null)
      rss=$(awk '/^RssAnon/ { print $2 }' "/proc/$r/status" 2>/dev/null)
      [ "${vm:-0}" -ge "$want_kb" ] && [ "${rss:-0}" -ge $((wmib * 1024)) ] && break
      sleep 0.05
    done
    held=$(nm_bytes "$r")
    strace -qq -f -o "$tmp/calls" -e trace=move_pages "$MP" --json --jobs 1 "$r" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"
    asked=$(awk -v p="$r" -F'[(,]' '$0 ~ "move_pages\(" p "," { n += $3 } END { print n + 0 }' "$tmp/calls")
    # the pages held (4 KiB each), and the process's own text and stack: the bound
    bound=$(( held / 4096 + 1024 ))
    ok "--jobs 1 on ${spec#*:}: exit 0, the bytes before are numa_maps' $held, move_pages passed $asked pages (at most $bound)" \
      '[ $rc = 0 ] && grep -q "\"status\":\"ok\"" "$tmp/out" && grep -q "\"before\":{\"0\":$held}" "$tmp/out" && [ "$asked" -le "$bound" ] && [ ! -s "$tmp/err" ]' \
      "exit $rc, stderr $(head -c 200 "$tmp/err"), stdout $(head -c 300 "$tmp/out"), $(grep -c move_pages "$tmp/calls") calls"
    kill "$r" 2>/dev/null
  done
else
  echo "SKIP the mover beside reserved address space: no strace (Debian package strace) or no gcc"
fi

# --- the tool's own memory does not grow with the target's
# (build/maxrss: the tool's VmHWM at its exit, read under ptrace; wait4's
# ru_maxrss reads 0 for a small process on Linux 6.2 and later, so a figure of
# 0 is a broken measurement, not a small tool)
if [ -z "${MP_SANITIZED:-}" ] && { musl-gcc -static -O2 -Wall -Wextra -Werror -o build/maxrss test/helpers/maxrss.c 2>/dev/null ||
   gcc -static -O2 -Wall -Wextra -Werror -o build/maxrss test/helpers/maxrss.c 2>/dev/null; }; then
  hog 512 -N || exit 1; big=$last
  small=$(build/maxrss "$MP" --jobs 2 "$h" 0 0)
  large=$(build/maxrss "$MP" --jobs 2 "$big" 0 0)
  ok "peak RSS with 2 workers: ${small#* } KiB for 64 MiB, ${large#* } KiB for 512 MiB (both under 4 MiB)" \
    '[ "${small% *}" = 0 ] && [ "${large% *}" = 0 ] && [ "${small#* }" -gt 0 ] && [ "${large#* }" -gt 0 ] && [ "${small#* }" -lt 4096 ] && [ "${large#* }" -lt 4096 ]' \
    "exit and KiB: $small and $large"
else
  echo "SKIP peak RSS: a sanitizer build (its shadow memory), or no static helper (musl-gcc or static glibc)"
fi
