#!/usr/bin/env bash
# --metrics FILE on this host: the file each kind of run writes passes
# `promtool check metrics` (Debian's prometheus package) and holds the figures
# the run's --json object holds; it replaces FILE by a rename (a collector
# never sees half a file; no temporary file is left); a path that cannot be
# written is refused before anything moves (a seccomp filter kills on
# migrate_pages/move_pages); a plain move without --metrics makes none of its
# calls. Runs: a plain move, a mover run over a pid list with a dead pid,
# --cgroup (the cgroup label), --cold --dry-run over a cgroup (where the kernel
# has a tracker; else SKIP with the tool's reason, and that refusal is the
# error run), a node-list error and a dead pid. Real moves between nodes and
# a watched window are the guests' (50-vm x86_64-tier, scenario metrics: the
# files of a plain move, a mover run and --cold --dry-run over a cgroup, under
# promtool and against the JSON); here every move is 0 -> 0.
set -u
cd "$TOP" || exit 1
tmp=$(mktemp -d)
pids=()
cleanup() { [ "$BASHPID" = "$$" ] || return; exec 2>/dev/null; for x in "${pids[@]}"; do kill "$x" && wait "$x"; done; [ -n "${cg:-}" ] && rmdir "$cg"; rm -rf "$tmp"; }
trap cleanup EXIT
# shellcheck source=lib.sh
. test/lib.sh
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
root=0; [ "$(id -u)" = 0 ] && root=1
mkdir -p build
gcc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c || {
  echo "FAIL build seccomp_exec"; exit 1; }
havepromtool=1
command -v promtool >/dev/null || havepromtool=0

# promcheck NAME FILE: promtool's verdict on FILE (lint included)
promcheck() {
  if [ $havepromtool = 0 ]; then
    echo "SKIP $1: promtool check metrics: no promtool (Debian package prometheus)"
  elif promtool check metrics <"$2" >"$tmp/prom" 2>&1; then
    echo "PASS $1: promtool check metrics"
  else
    echo "FAIL $1: promtool check metrics: $(head -c 300 "$tmp/prom")"
  fi
}
# val FILE SAMPLE: the value of the sample (name and labels as written)
val() { awk -v s="$2" '$1 == s {print $2}' "$1"; }

bg sleep 600; p=$last
bg sleep 600; q=$last
sh -c 'exit 0' & dead=$!; wait $dead
sleep 0.2

# ---- a plain move (one migrate_pages call)
m=$tmp/plain.prom
echo stale >"$m"; ino=$(stat -c %i "$m")
run "$MP" --json --metrics "$m" "$p" 0 0
promcheck "plain move" "$m"
b=$(sed -n 's/.*"before":{"0":\([0-9]*\)}.*/\1/p' <<<"$out")
ok "plain move: exit 0, figures as --json's" \
  '[ $rc = 0 ] && [ -n "$b" ] && [ "$(val "$m" "migratepages_process_before_bytes{pid=\"$p\",node=\"0\"}")" = "$b" ] && [ -n "$(val "$m" "migratepages_process_after_bytes{pid=\"$p\",node=\"0\"}")" ] && [ "$(val "$m" "migratepages_process_moved_bytes{pid=\"$p\"}")" = 0 ] && [ "$(val "$m" "migratepages_process_left_bytes{pid=\"$p\"}")" = 0 ] && [ "$(val "$m" migratepages_exit_status)" = 0 ] && [ "$(val "$m" migratepages_processes)" = 1 ] && grep -q "^migratepages_duration_seconds [0-9]*\.[0-9]\{6\}$" "$m"' \
  "exit $rc: json $b; $(tr '\n' ' ' <"$m" | head -c 600)"
ok "plain move: FILE replaced by a rename, no temporary file left" \
  '[ "$(stat -c %i "$m")" != "$ino" ] && ! grep -q stale "$m" && [ "$(ls "$tmp" | grep -c "plain.prom")" = 1 ]' "$(ls "$tmp")"
# without --metrics: none of its calls (the file, its rename, the pid for its name)
if command -v strace >/dev/null; then
  strace -f -qq -o "$tmp/plain.calls" "$MP" "$p" 0 0 >/dev/null 2>&1; rc=$?
  ok "plain move without --metrics: no call of the metrics (rename, getpid, a .tmp file)" \
    '[ $rc = 0 ] && ! grep -Eq "^[0-9]+ +(rename|renameat2?|getpid)\(|\.tmp\"" "$tmp/plain.calls"' "exit $rc: $(grep -E "rename|getpid|\.tmp" "$tmp/plain.calls")"
  strace -f -qq -o "$tmp/m.calls" "$MP" --metrics "$tmp/x.prom" "$p" 0 0 >/dev/null 2>&1
  ok "with --metrics: the temporary file in FILE's folder, renamed over FILE" \
    'grep -Eq "open(at)?\(.*\"$tmp/x.prom.[0-9]+.tmp\", O_WRONLY\|O_CREAT\|O_EXCL" "$tmp/m.calls" && grep -Eq "rename(at2?)?\(.*\"$tmp/x.prom.[0-9]+.tmp\".*\"$tmp/x.prom\"" "$tmp/m.calls"' \
    "$(grep -E "x.prom" "$tmp/m.calls" | head -5)"
else
  echo "SKIP plain move without --metrics: no strace"
fi

# ---- the chunked mover over a pid list with a dead pid (exit 1)
m=$tmp/mover.prom
run "$MP" --jobs 2 --json --metrics "$m" "$p,$dead,$q" 0 0
promcheck "mover run" "$m"
ok "mover run: per process, moved_bytes as --json's, the dead pid's status 1, exit 1" \
  '[ $rc = 1 ] && [ "$(val "$m" "migratepages_process_moved_bytes{pid=\"$p\"}")" = "$(sed -n "s/.*\"pid\":$p,.*\"moved_bytes\":\([0-9]*\).*/\1/p" <<<"$out")" ] && [ -n "$(val "$m" "migratepages_process_moved_bytes{pid=\"$q\"}")" ] && [ "$(val "$m" "migratepages_process_status{pid=\"$dead\"}")" = 1 ] && [ "$(val "$m" "migratepages_process_status{pid=\"$q\"}")" = 0 ] && [ "$(val "$m" migratepages_exit_status)" = 1 ] && [ "$(val "$m" migratepages_processes)" = 3 ]' \
  "exit $rc: $(tr '\n' ' ' <"$m" | head -c 800)"

# ---- errors: a node list (before any target), a dead pid
m=$tmp/err.prom
run "$MP" --metrics "$m" "$p" 0 1000
promcheck "node-list error" "$m"
ok "node-list error: exit 1, the file says exit status 1 and no process" \
  '[ $rc = 1 ] && [ "$(val "$m" migratepages_exit_status)" = 1 ] && [ "$(val "$m" migratepages_processes)" = 0 ]' "exit $rc: $(cat "$m")"
m=$tmp/dead.prom
run "$MP" --metrics "$m" "$dead" 0 0
promcheck "dead pid" "$m"
ok "dead pid: exit 1, its status 1" '[ $rc = 1 ] && [ "$(val "$m" "migratepages_process_status{pid=\"$dead\"}")" = 1 ] && [ "$(val "$m" migratepages_exit_status)" = 1 ]' "exit $rc: $(cat "$m")"
# a folder that does not exist: refused before any move (killed if it moved)
build/seccomp_exec kill "$MP" --metrics "$tmp/none/m.prom" "$p" 0 0 >"$tmp/out" 2>"$tmp/err"; rc=$?
ok "--metrics into a missing folder: exit 1 before any move, one line" \
  '[ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -Eq "^migratepages: --metrics: cannot create $tmp/none/m\.prom\.[0-9]+\.tmp: No such file or directory$" "$tmp/err"' \
  "exit $rc: $(cat "$tmp/err")"
run "$MP" --metrics "" "$p" 0 0
expect "--metrics with an empty path" 1 "" "migratepages: option '--metrics' needs a file
Try 'migratepages --help' for more information."

# ---- --cgroup: the cgroup label; --cold --dry-run over it (the working set)
cgroot=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
cg=
if [ $root = 1 ] && [ -n "$cgroot" ] && mkdir "$cgroot/mptest-metrics-$$" 2>/dev/null; then
  cg=$cgroot/mptest-metrics-$$
  for _ in 1 2; do bg sh -c "echo \$\$ > $cg/cgroup.procs; exec sleep 600"; done
  sleep 0.3
  m=$tmp/cg.prom
  run "$MP" --metrics "$m" --cgroup "$cg" 0 0
  promcheck "--cgroup move" "$m"
  ok "--cgroup: every sample of a process carries its cgroup" \
    '[ $rc = 0 ] && [ "$(grep -c "^migratepages_process_status{pid=\"[0-9]*\",cgroup=\"$cg\"} 0$" "$m")" = 2 ]' "exit $rc: $(grep status "$m")"
  m=$tmp/cold.prom
  run "$MP" --cold 2s --dry-run --json --metrics "$m" --cgroup "$cg" 0 0
  if [ $rc = 1 ] && grep -q "no way to see" <<<"$err"; then
    echo "SKIP --cold --dry-run over a cgroup: ${err#migratepages: } (proven in a guest with a tracker: 50-vm x86_64-tier, scenario metrics)"
    promcheck "--cold refused (an error run)" "$m"
    ok "--cold refused: exit status 1 in the file" '[ "$(val "$m" migratepages_exit_status)" = 1 ]' "$(cat "$m")"
  else
    promcheck "--cold --dry-run over a cgroup" "$m"
    ok "--cold --dry-run: touched and untouched per node, the window" \
      '[ $rc = 0 ] && [ "$(grep -c "^migratepages_process_touched_bytes{pid=\"[0-9]*\",cgroup=\"$cg\",node=\"0\"} [0-9]*$" "$m")" = 2 ] && [ "$(grep -c "^migratepages_process_untouched_bytes{" "$m")" = 2 ] && [ "$(val "$m" migratepages_watch_seconds)" = 2.000000 ] && [ "$(val "$m" migratepages_dry_run)" = 1 ]' \
      "exit $rc: $err $(tr '\n' ' ' <"$m" | head -c 600)"
  fi
else
  echo "SKIP --cgroup metrics: needs root and a writable cgroup v2 hierarchy"
fi
exit 0
