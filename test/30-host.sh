#!/usr/bin/env bash
# Real calls on this host (one NUMA node): migrations 0->0 and all->all, pid lists,
# reports, and every error path the host can produce for real. Root-only parts
# print SKIP when not root.
set -u
cd "$TOP" || exit 1
mkdir -p build
gcc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c || {
  echo "FAIL build seccomp_exec"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() { [ "$BASHPID" = "$$" ] || return; exec 2>/dev/null; [ -s "$tmp/many" ] && xargs kill <"$tmp/many"; for x in "${pids[@]}"; do kill "$x" 2>/dev/null && wait "$x"; done 2>/dev/null; rm -rf "$tmp"
            [ -n "${cg:-}" ] && rmdir "$cg" 2>/dev/null; }
trap cleanup EXIT
root=0; [ "$(id -u)" = 0 ] && root=1
online=$(cat /sys/devices/system/node/online)

# spawn: a target process, its pid in $last (no subshell: the pid must be kept,
# and the process must not hold any pipe of ours open)
# shellcheck source=lib.sh
. test/lib.sh
spawn() { bg sleep 600; }
run() { "$MP" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }

spawn; p=$last; spawn; q=$last
run "$p" 0 0;        expect "0 -> 0 on a live process" 0 "" ""
run "$p" all all;    expect "all -> all" 0 "" ""
run "$p" "$online" "$online"; expect "online -> online ($online)" 0 "" ""
run "$p,$q" 0 0;     expect "a pid list" 0 "" ""
run "$p,$p" 0 0;     expect "a pid twice" 0 "" ""
run -- "$p" 0 0;     expect "-- before the arguments" 0 "" ""
# a pid list longer than the 64 pids kept inline (the list grows into mmap'd
# memory): every one of 150 processes is reached, once, in the order given.
# (Started by a separate sh that exits at once, so they are not jobs of this
# shell; cleanup kills them from the list if the script stops early.)
sh -c 'for i in $(seq 150); do sleep 600 </dev/null >/dev/null 2>&1 & echo $!; done' >"$tmp/many"
mapfile -t many <"$tmp/many"
list=$(IFS=,; echo "${many[*]}")
run --json "$list" 0 0
# shellcheck disable=SC2034 # read by ok's condition
got=$(sed -n 's/^{"schema":"migratepages\/1","event":"process","pid":\([0-9]*\),"status":"ok".*/\1/p' "$tmp/out" | paste -sd, -)
ok "a pid list of 150 processes: each moved once, in order" '[ $rc = 0 ] && [ "${#many[@]}" = 150 ] && [ "$got" = "$list" ] && [ -z "$err" ]' "exit $rc, $(wc -l <"$tmp/out") objects, stderr: $err"
kill "${many[@]}" 2>/dev/null
run "$p" 0 0 -v;     expect "an option after the arguments" 0 '*' ""

# --verbose: mapping line, a table on stdout, nothing on stderr
run -v "$p" 0 0
expect "--verbose exit and stderr" 0 '*' ""
ok "--verbose mapping line" '[ "$(head -1 <<<"$out")" = "pid $p: 0 stays" ]' "$(head -1 <<<"$out")"
ok "--verbose table" 'grep -Eq "^ +node +before +after$" <<<"$out" && grep -Eq "^ +0 +[0-9.]+ (KiB|MiB) +[0-9.]+ (KiB|MiB)$" <<<"$out" && grep -Eq "^ +total " <<<"$out"' "$out"
ok "--verbose timing" 'grep -Eq "^  migrate_pages took [0-9]+\.[0-9]{3} s$" <<<"$out"' "$out"
# --- tier forms on this host (one node, one tier): fast, tier:0 and near:PID
# resolve to node 0; slow is refused with its sentence (20-cli checks the words)
tiers=$(ls -d /sys/devices/virtual/memory_tiering/memory_tier* 2>/dev/null | wc -l)
if [ "$online" != 0 ]; then
  echo "SKIP tier forms on the host: it has nodes $online (the guests check several)"
else
  for f in fast tier:0 "near:$p" "near:$$" "fast,tier:0,near:$p"; do
    run --json "$p" "$f" "$f"
    ok "$f resolves to node 0" '[ $rc = 0 ] && grep -q "\"from\":\[0\],\"to\":\[0\]" <<<"$out" && [ -z "$err" ]' "exit $rc: $out $err"
  done
  run --json "$p" fast 0
  if [ "$tiers" = 1 ]; then
    ok "--json names the kernel's one tier" 'grep -q "\"tiers\":{\"source\":\"kernel\",\"guess\":false,\"tiers\":\[{\"nodes\":\[0\],\"kernel_tier\":[0-9]*}\]" <<<"$out"' "$out"
  else
    ok "--json names the distance table's guess (no memory tiers here)" 'grep -q "\"tiers\":{\"source\":\"distance\",\"guess\":true" <<<"$out"' "$out"
  fi
  run --json "$p" 0 0
  ok "--json: tiers null without a tier form" 'grep -q "\"tiers\":null" <<<"$out"' "$out"
  run -v "$p" fast 0
  ok "-v prints the tier map" '[ $rc = 0 ] && grep -q "^tiers: " <<<"$out" && grep -Eq "^  tier 0: node 0 \(" <<<"$out" && [ "$(grep -c "^pid $p: 0 stays" <<<"$out")" = 1 ]' "$out"
  run -v -n "$p" "near:$p" 0
  ok "-v says how near:PID was answered" 'grep -Eq "^  near:$p: CPUs on node 0; nearest memory: 0 \(by (distance|rated latency)\)$" <<<"$out"' "$out"
  run --json -n "$p" "near:$p" 0
  ok "--json says how near:PID was answered" 'grep -Eq "\"near\":\[\{\"pid\":$p,\"cpu_nodes\":\[0\],\"nodes\":\[0\],\"by\":\"(distance|rated latency)\"\}\]" <<<"$out"' "$out"
  run -n "$p" tier:0 0
  ok "--dry-run prints the tier map" '[ $rc = 0 ] && grep -q "^tiers: " <<<"$out"' "$out"
  run -v "$p" 0 0
  ok "-v without a tier form prints no tier map" '! grep -q "^tiers" <<<"$out"' "$out"
  run "$p" 0 slow
  expect "slow refused on one tier" 1 "" "*"
fi
# the plain numeric path opens no tier file; a tier form does (strace)
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
  strace -f -e trace=%file -o "$tmp/st" "$MP" "$p" 0 0 >/dev/null 2>&1
  ok "a plain move opens no tier file" '! grep -Eq "memory_tiering|access0|/distance|has_cpu|cpulist" "$tmp/st"' "$(grep -E "memory_tiering|access0|distance|has_cpu|cpulist" "$tmp/st" | head -3)"
  strace -f -e trace=%file -o "$tmp/st" "$MP" -v --json "$p" all '!1' >"$tmp/out" 2>&1; jlog "$tmp/out"
  ok "-v --json with numbers opens no tier file" '! grep -Eq "memory_tiering|access0|/distance|has_cpu|cpulist" "$tmp/st"' "$(grep -E "memory_tiering|access0|distance|has_cpu|cpulist" "$tmp/st" | head -3)"
  strace -f -e trace=%file -o "$tmp/st" "$MP" "$p" fast 0 >/dev/null 2>&1
  if [ "$tiers" -ge 1 ]; then
    ok "a tier form reads the kernel's tiers" 'grep -q "memory_tiering" "$tmp/st"' "$(head -5 "$tmp/st")"
  fi
else
  echo "SKIP tier files under strace: strace missing or not allowed here"
fi

# the figures are the process's numa_maps (sum of N0= pages x page size)
want=$(awk '{kb=4; for(i=1;i<=NF;i++) if ($i ~ /^kernelpagesize_kB=/) {split($i,a,"="); kb=a[2]}
            for(i=1;i<=NF;i++) if ($i ~ /^N0=/) {split($i,a,"="); s+=a[2]*kb*1024}} END{print s}' "/proc/$p/numa_maps")
run --json "$p" 0 0
expect "--json exit and stderr" 0 '*' ""
if command -v python3 >/dev/null; then
  res=$(python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
assert o["pid"] == int(sys.argv[1]) and o["status"] == "ok" and o["dry_run"] is False, o
assert o["from"] == [0] and o["to"] == [0] and o["mapping"] == [[0, 0]], o
assert o["not_moved"] == 0 and o["left_bytes"] == 0 and o["error"] is None, o
assert o["before"]["0"] == int(sys.argv[2]), (o["before"], sys.argv[2])
assert o["after"]["0"] == o["before"]["0"], o
print("ok")' "$p" "$want" <<<"$out" 2>&1)
  ok "--json parses and matches numa_maps ($want bytes)" '[ "$res" = ok ]' "$res"
else
  echo "SKIP --json parse: no python3"
fi

# --dry-run: reports, and makes no migrate_pages call (killed if it did)
build/seccomp_exec kill "$MP" --dry-run "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
expect "--dry-run makes no migrate_pages call" 0 '*' ""
ok "--dry-run says so" '[ "$(head -1 <<<"$out")" = "pid $p: 0 stays (dry run: nothing moved)" ] && grep -Eq "^ +node +now$" <<<"$out"' "$out"
build/seccomp_exec kill "$MP" -n --json "$p" 0 0 >"$tmp/out" 2>&1; rc=$?; jlog "$tmp/out"
ok "--dry-run --json makes no call" '[ $rc = 0 ] && grep -q "\"status\":\"dry-run\",\"dry_run\":true" "$tmp/out"' "exit $rc: $(cat "$tmp/out")"

# automatic NUMA balancing: --verbose notes it, --json carries it
nb=/proc/sys/kernel/numa_balancing
if [ $root = 1 ] && [ -w $nb ] && old=$(cat $nb) && echo 1 2>/dev/null >$nb; then
  run -v "$p" 0 0
  expect "--verbose notes NUMA balancing" 0 '*' "migratepages: note: automatic NUMA balancing is on (/proc/sys/kernel/numa_balancing = 1); it may move pages back"
  run --json "$p" 0 0
  ok "--json says numa_balancing true" '[ $rc = 0 ] && grep -q "\"numa_balancing\":true" <<<"$out" && [ -z "$err" ]' "$out $err"
  run "$p" 0 0; expect "a plain run says nothing of NUMA balancing" 0 "" ""
  echo "$old" >$nb
  run -v "$p" 0 0; expect "no note when NUMA balancing is off" 0 '*' ""
else
  echo "SKIP NUMA balancing note: cannot set $nb (needs root)"
fi

# dead and missing processes
# (a process that ends by itself: one killed at once may not have run its
# 'trap - EXIT' yet, and would run our cleanup as it dies)
bg true; dead=$last; wait "$dead" 2>/dev/null
run "$dead" 0 0;     expect "a process that exited" 1 "" "migratepages: $dead: no such process"
big=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
run "$big" 0 0;      expect "a pid above pid_max" 1 "" "migratepages: $big: no such process"
run -v "$p,$dead,$q" 0 0
expect "a pid list with a dead pid: exit 1, named" 1 '*' "migratepages: $dead: no such process"
ok "a pid list with a dead pid: the others still move" 'grep -q "^pid $p: 0 stays" <<<"$out" && grep -q "^pid $q: 0 stays" <<<"$out"' "$out"
run --dry-run "$dead" 0 0; expect "--dry-run on a process that exited" 1 "" "migratepages: $dead: no such process"

# what the kernel (or a filter) answers, in words
build/seccomp_exec eperm "$MP" "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
expect "a seccomp filter answering EPERM is named" 1 "" "migratepages: $p: migrate_pages was refused by a seccomp filter (Seccomp: 2 in /proc/self/status), not by the kernel: container runtimes' default profiles block it whatever the capabilities; run with --security-opt seccomp=unconfined or a profile that allows migrate_pages"
build/seccomp_exec enosys "$MP" "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
expect "ENOSYS (a kernel without NUMA)" 1 "" "migratepages: $p: this kernel has no page migration (it needs CONFIG_NUMA and CONFIG_MIGRATION), or this environment does not provide migrate_pages"
build/seccomp_exec eacces "$MP" "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
expect "EACCES (a security module)" 1 "" "migratepages: $p: denied by a security module (SELinux, AppArmor, ...)"
build/seccomp_exec eperm "$MP" --json "$p" 0 0 >"$tmp/out" 2>/dev/null; rc=$?; jlog "$tmp/out"
ok "--json carries the errno and the cause" '[ $rc = 1 ] && grep -q "\"status\":\"error\"" "$tmp/out" && grep -q "\"errno\":\"EPERM\",\"message\":\"migrate_pages was refused by a seccomp filter" "$tmp/out"' "$(cat "$tmp/out")"

# a kernel thread has no memory of its own: EINVAL, in words
kt=""
for s in /proc/[0-9]*/status; do
  if grep -q '^Kthread:[[:space:]]*1' "$s" 2>/dev/null; then kt=${s#/proc/}; kt=${kt%/status}; break; fi
done
if [ -n "$kt" ] && [ $root = 1 ]; then
  run "$kt" 0 0; expect "a kernel thread (pid $kt)" 1 "" "migratepages: $kt: a kernel thread: it has no user memory to move"
else
  echo "SKIP a kernel thread: none visible in this pid namespace, or not root"
fi

if [ $root = 1 ] && command -v setpriv >/dev/null; then
  nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  # another user's process, as an unprivileged user
  nobody "$MP" "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "another user's process (EPERM cause named)" 1 "" "migratepages: $p: permission denied: the process runs as uid 0 gid 0 and you are uid 65534 gid 65534; run as its user, or with CAP_SYS_PTRACE"
  nobody "$MP" --dry-run "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "--dry-run on another user's process" 1 '*' "migratepages: $p: permission denied: the process runs as uid 0 gid 0 and you are uid 65534 gid 65534; run as its user, or with CAP_SYS_PTRACE"
  # its own process, as an unprivileged user
  bg setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600; np=$last; sleep 0.2
  nobody "$MP" "$np" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an unprivileged user's own process" 0 "" ""
  nobody "$MP" -v "$np" all all >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an unprivileged user's own process, --verbose" 0 '*' ""
else
  echo "SKIP another user's process: needs root and setpriv"
fi

# an empty root: no /proc, no /sys, nothing but the binary
if [ $root = 1 ] && command -v chroot >/dev/null && [ -z "${MP_SANITIZED:-}" ]; then
  mkdir -p "$tmp/root"; cp "$MP" "$tmp/root/migratepages"
  chroot "$tmp/root" /migratepages "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an empty root without /proc and /sys: migrates" 0 "" ""
  chroot "$tmp/root" /migratepages "$p" all all >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an empty root: all -> all from get_mempolicy" 0 "" ""
  chroot "$tmp/root" /migratepages "$p" 0 1000 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an empty root: nodes still validated" 1 "" "migratepages: to-nodes: node 1000 does not exist (nodes: $online)"
  chroot "$tmp/root" /migratepages "$p" 0 +0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an empty root: + says /proc is needed" 1 "" "migratepages: $p: to-nodes: '+0': relative node numbers ('+') need the nodes process $p may use, from /proc/$p/status, which could not be read"
  chroot "$tmp/root" /migratepages -v "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an empty root: --verbose without numa_maps" 0 "pid $p: 0 stays
  migrate_pages took $(grep -o '[0-9]*\.[0-9]* s' <<<"$out")
  note: per-node figures not shown: /proc is not mounted" ""
  chroot "$tmp/root" /migratepages "$big" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  expect "an empty root: no such process" 1 "" "migratepages: $big: no such process"
else
  echo "SKIP an empty root: needs root and chroot, and a static binary (not a sanitizer build)"
fi

# --cgroup: every process of a cgroup directory (v2, else a v1 hierarchy)
cgroot=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
[ -n "$cgroot" ] || cgroot=$(awk '$3 == "cgroup" {print $2; exit}' /proc/self/mounts)
if [ $root = 1 ] && [ -n "$cgroot" ] && mkdir "$cgroot/mptest-$$" 2>/dev/null; then
  cg=$cgroot/mptest-$$
  run --cgroup "$cg" 0 0; expect "--cgroup with no processes" 0 "" "migratepages: note: --cgroup: no processes in '$cg' or below it"
  for _ in 1 2 3; do bg sh -c "echo \$\$ > $cg/cgroup.procs; exec sleep 600"; done
  sleep 0.3
  run --cgroup "$cg" all all; expect "--cgroup moves every process" 0 "" ""
  run --json --cgroup="$cg" 0 0
  ok "--cgroup --json: one object per process" '[ $rc = 0 ] && [ "$(grep -c "\"status\":\"ok\"" <<<"$out")" = 3 ]' "exit $rc: $out"
  cgp=("${pids[@]: -3}"); kill "${cgp[@]}" 2>/dev/null; wait "${cgp[@]}" 2>/dev/null
else
  echo "SKIP --cgroup: needs root and a writable cgroup v2 hierarchy"
fi

# the i386 build, through the kernel's compat path (if this kernel runs i386
# programs at all: a probe; 61-arch-vm runs the i386 build in a guest anyway)
. test/helpers/probe.sh
if ! probe_i386; then
  echo "SKIP i386 build: $probe_why"
else
  if CROSS_COMPILE=i686-linux-gnu- OUT=build/migratepages-i386 ./build.sh 2>/dev/null; then
    m32=build/migratepages-i386
    "$m32" "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
    expect "i386 build: 0 -> 0 through the compat path" 0 "" ""
    "$m32" -v "$p" all all >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
    expect "i386 build: --verbose" 0 '*' ""
    "$m32" "$big" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
    expect "i386 build: no such process" 1 "" "migratepages: $big: no such process"
    (build/seccomp_exec kill "$m32" "$p" 0 0 >/dev/null 2>&1; echo $? >"$tmp/rc") 2>/dev/null; rc=$(cat "$tmp/rc")
    ok "i386 build: calls migrate_pages as i386 syscall 294" '[ $rc = 159 ]' "exit $rc under a filter that kills on 294"
    build/seccomp_exec eperm "$m32" "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?
    ok "i386 build: seccomp EPERM named" '[ $rc = 1 ] && grep -q "refused by a seccomp filter" "$tmp/err"' "$(cat "$tmp/err")"
  else
    echo "FAIL i386 build: CROSS_COMPILE=i686-linux-gnu- ./build.sh failed"
  fi
fi
