#!/usr/bin/env bash
# pid_reuse.sh MP MODE DIR DELAY_US - a process killed and its number given to
# a new process while the tool is held by strace. Run as root inside a new pid
# namespace (unshare -p -f --mount-proc): no other process takes numbers
# there, so the number is given back at once (ns_last_pid), and the namespace
# ends with this script (its pid 1), which takes every process of it along.
#   MODE mover:  MP --jobs 1 --json A,B 0 0; each move_pages call is held
#                DELAY_US microseconds (on a one-node host the tool's only ones
#                are its check of each process and of itself); A is killed
#                during B's check.
#   MODE single: MP --json B,A 0 0; the first migrate_pages call (B's) is held,
#                A is killed during it.
#   MODE successor, successor-mover: MP --json [--jobs 1] A,B 0 0; the first
#                call naming A is held before it enters the kernel (strace's
#                delay_enter), A is killed and reaped and C given its number
#                meanwhile: the held call then reaches C.
# A is then reaped and its number given to a new process C. Writes DIR/log
# (strace -ttt), DIR/out, DIR/err and DIR/facts: "a b c rc tk tc tb", tk the
# time of the kill, tc the time C was running, tb the time of the held call
# on B (seconds since the epoch).
set -u
mp=$1 mode=$2 d=$3 delay=$4
sleep 600 & a=$!
sleep 600 & b=$!
at=exit
case $mode in
  mover) call=move_pages list=$a,$b opts=(--jobs 1 --json) when=1..2 held="move_pages($b, 0," ;;
  single) call=migrate_pages list=$b,$a opts=(--json) when=1 held="migrate_pages($b," ;;
  successor) call=migrate_pages list=$a,$b opts=(--json) when=1 held="migrate_pages($a," at=enter ;;
  successor-mover) call=move_pages list=$a,$b opts=(--jobs 1 --json) when=1 held="move_pages($a," at=enter ;;
esac
strace -qq -f -ttt -o "$d/log" -e trace=$call -e inject=$call:delay_$at=$delay:when=$when \
  "$mp" "${opts[@]}" "$list" 0 0 >"$d/out" 2>"$d/err" &
sp=$!
# the held call on B is in the log as soon as it is held (strace writes the
# line, then waits)
for _ in $(seq 3000); do
  grep -qF "$held" "$d/log" 2>/dev/null && break
  kill -0 $sp 2>/dev/null || break
  sleep 0.01
done
kill $a; wait $a 2>/dev/null
tk=$(date +%s.%N)
c=0
for _ in 1 2 3 4 5; do
  echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
  sleep 600 & c=$!
  [ "$c" = "$a" ] && break
  kill $c; wait $c 2>/dev/null
done
tc=$(date +%s.%N)
wait $sp; rc=$?
tb=$(grep -F "$held" "$d/log" | awk '{print $2; exit}')
echo "$a $b $c $rc $tk $tc ${tb:-0}" >"$d/facts"
kill $b $c 2>/dev/null
