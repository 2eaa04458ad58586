#!/usr/bin/env bash
# The refusals, one table run in every mode: each case (a pid that is gone, a
# zombie, a kernel thread, another user's process, one not dumpable, missing
# capabilities, hidepid, a user namespace, a seccomp filter, a security
# module, ...) runs with the single call (plain), the chunked mover (jobs1,
# jobs2), and as a dry run of each (dry, dry-jobs1, dry-jobs2); the result
# line names the mode: "refusal a zombie[jobs2]". The plain run must give the
# case's exit status and words (so that each case is the case it says it is);
# every other real run the same status and the same stderr, byte for byte
# (NORM=1: the seccomp sentence names the system call refused, move_pages
# under the mover); every dry run what the plain dry run gives (a dry run consults
# neither a seccomp filter nor a security module: man page, -n); with --json
# (json, json-jobs2, dry-json) the exit status and stderr of the run without
# it, and JSON lines that say what stderr says (a process's error object, or
# the run's error event). On this
# one-node host every move is 0 -> 0. A new mode is one more entry in MODES; a
# new case one more line of the table. Root-only cases SKIP when not root.
set -u
cd "$TOP" || exit 1
mkdir -p build
cc=${HOST_CC:-gcc}
$cc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c &&
$cc -O2 -Wall -Wextra -Werror -pthread -o build/leader_exit test/helpers/leader_exit.c &&
$cc -O2 -Wall -Wextra -Werror -o build/zombie test/helpers/zombie.c &&
$cc -O2 -Wall -Wextra -Werror -o build/landlock_exec test/helpers/landlock_exec.c || {
  echo "FAIL build the helpers"; exit 1; }
tmp=$(mktemp -d); chmod 755 "$tmp"
pids=()
cleanup() {
  [ "$BASHPID" = "$$" ] || return
  exec 2>/dev/null
  for x in "${pids[@]}"; do kill "$x" && wait "$x"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
root=0; [ "$(id -u)" = 0 ] && root=1
# shellcheck source=lib.sh
. test/lib.sh
have() { command -v "$1" >/dev/null 2>&1; }
py=/usr/bin/python3; [ -x $py ] || py=$(command -v python3)
until_file() { for _ in $(seq 400); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
until_zombie() { for _ in $(seq 400); do grep -q '^State:.Z' "/proc/$1/status" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# --- the modes: NAME and the tool's options -------------------------------------
# (json modes: the run of their base mode, byte for byte on stderr, and the
# JSON lines say what stderr says: test/helpers/json_agrees.py)
MODES=(plain "" jobs1 "--jobs 1" jobs2 "--jobs 2" dry "-n" dry-jobs1 "-n --jobs 1" dry-jobs2 "-n --jobs 2"
       json "--json" json-jobs2 "--json --jobs 2" dry-json "-n --json")

# --- the targets ------------------------------------------------------------------
bg sleep 600; p=$last
bg true; dead=$last; wait "$dead" 2>/dev/null
big=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
bg build/zombie "$tmp/zpid"            # the pid, once the child is a zombie
until_file "$tmp/zpid" && z=$(cat "$tmp/zpid")
kt=""
for s in /proc/[0-9]*/stat; do
  f=$(sed 's/.*) //' "$s" 2>/dev/null | cut -d' ' -f7)
  [ -n "$f" ] && (( f & 0x200000 )) && { kt=${s#/proc/}; kt=${kt%/stat}; break; }
done
"build/leader_exit" 4 >"$tmp/le" 2>/dev/null & le=$!; pids+=("$le")
until_zombie "$le"; until_file "$tmp/le"; read -r lp _ <"$tmp/le"
tp="" tt="" nd=""
if [ -n "$py" ]; then
  "$py" -c '
import os, sys, threading, time
def idle():
    open(sys.argv[1], "w").write("%d %d\n" % (os.getpid(), threading.get_native_id()))
    time.sleep(600)
threading.Thread(target=idle, daemon=True).start()
time.sleep(600)' "$tmp/thr" </dev/null >/dev/null 2>&1 & pids+=($!)
  until_file "$tmp/thr"; read -r tp tt <"$tmp/thr"
  if [ $root = 1 ] && have setpriv; then
    mkdir -m 777 "$tmp/nd"
    bg setpriv --reuid=65534 --regid=65534 --clear-groups "$py" -c \
      'import ctypes, sys, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); open(sys.argv[1], "w").write("ok\n"); time.sleep(600)' "$tmp/nd/ready"
    nd=$last; until_file "$tmp/nd/ready"
  fi
fi
sec="permission denied, although the process may be read by you and its cpuset allows the to-nodes: probably a security module (Landlock, AppArmor, SELinux) refused it"

# --- how a case runs: a command or function before the tool ----------------------
plain() { "$@"; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nocap() { setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace "$@"; }
hidepid() { unshare -m sh -c 'mount -t proc -o hidepid=invisible proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "$@"; }
userns() { unshare -r "$@"; }
sc_eperm() { build/seccomp_exec eperm "$@"; }
landlock() { build/landlock_exec "$@"; }

# --- the table ----------------------------------------------------------------------
# case_ NAME WANT-EXIT WANT-ERE PREFIX ARGS...: one case, run in every mode (the
# plain real run's stderr must match WANT-ERE; the plain dry run must say what
# it says, or with DRY=ok, for a refusal only the system call meets, exit 0
# silently); skip NAME REASON: a case this host cannot set up
case_() {
  local name=$1 want=$2 ere=$3 pre=$4 i m o r e r0="" e0="" rd="" ed=""; shift 4
  for ((i = 0; i < ${#MODES[@]}; i += 2)); do
    m=${MODES[i]} o=${MODES[i+1]}
    # shellcheck disable=SC2086
    $pre "$MP" $o "$@" >"$tmp/out" 2>"$tmp/err"; r=$?
    jlog "$tmp/out"
    e=$(cat "$tmp/err")
    [ "${NORM:-0}" = 1 ] && [ -z "${o##*--jobs*}" ] && e=${e//move_pages/migrate_pages}
    case $m in
      plain)
        r0=$r e0=$e
        if [ "$r" = "$want" ] && grep -Eq -- "$ere" <<<"$e"; then
          echo "PASS refusal ${name}[$m]: exit $r, said"
        else
          echo "FAIL refusal ${name}[$m]: exit $r, stderr '$e' (want exit $want, stderr matching /$ere/)"
        fi ;;
      dry)
        # the real run's refusal, but for what only the system call meets
        rd=$r ed=$e
        if [ "${DRY:-same}" = same ] && [ "$r" = "$r0" ] && [ "$e" = "$e0" ]; then
          echo "PASS refusal ${name}[$m]: exit $r, the words of the plain run"
        elif [ "${DRY:-same}" = ok ] && [ "$r" = 0 ] && [ -z "$e" ]; then
          echo "PASS refusal ${name}[$m]: exit 0 (no system call to refuse)"
        else
          echo "FAIL refusal ${name}[$m]: exit $r '$e'; the plain run: exit $r0 '$e0'${DRY:+ (want: $DRY)}"
        fi ;;
      json*|dry-json)
        local br=$r0 be=$e0 j
        [ "$m" = dry-json ] && br=$rd be=$ed
        if [ "$r" != "$br" ] || [ "$e" != "$be" ]; then
          echo "FAIL refusal ${name}[$m]: exit $r '$(cat "$tmp/err")'; without --json: exit $br '$be'"
        elif [ -n "$py" ] && ! j=$("$py" test/helpers/json_agrees.py --exit "$r" "$tmp/out" "$tmp/err"); then
          echo "FAIL refusal ${name}[$m]: the JSON does not say what stderr says: $j"
        else
          echo "PASS refusal ${name}[$m]: exit $r, the words of the run without --json, and the JSON says them"
        fi ;;
      dry-*)
        if [ "$r" = "$rd" ] && [ "$e" = "$ed" ]; then
          echo "PASS refusal ${name}[$m]: exit $r, the words of the plain dry run"
        else
          echo "FAIL refusal ${name}[$m]: exit $r '$(cat "$tmp/err")'; the plain dry run: exit $rd '$ed'"
        fi ;;
      *)
        if [ "$r" = "$r0" ] && [ "$e" = "$e0" ]; then
          echo "PASS refusal ${name}[$m]: exit $r, the words of the plain run"
        else
          echo "FAIL refusal ${name}[$m]: exit $r '$(cat "$tmp/err")'; the plain run: exit $r0 '$e0'"
        fi ;;
    esac
  done
}
skip() { echo "SKIP refusal $1: $2"; }

case_ "a pid that does not exist" 1 "^migratepages: $big: no such process\$" plain "$big" 0 0
case_ "a dead pid in a list with a live one" 1 "^migratepages: $dead: no such process\$" plain "$p,$dead" 0 0
case_ "a + list on a dead pid" 1 "^migratepages: $dead: no such process\$" plain "$dead" +0 +0
if [ -n "${z:-}" ] && grep -q '^State:.Z' "/proc/$z/status" 2>/dev/null; then
  case_ "a zombie" 1 "^migratepages: $z: the process has exited \\(a zombie\\): its memory is gone\$" plain "$z" 0 0
else
  echo "FAIL refusal a zombie: test/helpers/zombie.c gave none (${z:-no pid})"
fi
if [ -n "$kt" ]; then
  case_ "a kernel thread" 1 "^migratepages: $kt: a kernel thread: it has no user memory to move\$" plain "$kt" 0 0
else
  skip "a kernel thread" "none visible in /proc here"
fi
case_ "a node that does not exist" 1 "^migratepages: to-nodes: node 1000 does not exist \\(nodes: $(cat /sys/devices/system/node/online)\\)\$" plain "$p" 0 1000
if [ -n "$tt" ] && [ -d "/proc/$tp/task/$tt" ]; then
  case_ "a thread id" 0 "^\$" plain "$tt" 0 0
else
  skip "a thread id" "no python3 (for a process with a second thread)"
fi
case_ "a process whose main thread has exited" 0 "^\$" plain "$lp" 0 0
if [ $root = 1 ] && have setpriv; then
  case_ "another user's process" 1 "^migratepages: $p: permission denied: the process runs as uid 0 gid 0 and you are uid 65534 gid 65534; " nobody "$p" 0 0
  if [ -n "$nd" ]; then
    case_ "a process that is not dumpable" 1 "^migratepages: $nd: permission denied: the process is not dumpable " nobody "$nd" 0 0
  else
    skip "a process that is not dumpable" "no python3"
  fi
  if nocap true 2>/dev/null; then
    case_ "root without CAP_SYS_PTRACE, a process holding it" 1 "^migratepages: $p: permission denied: the process holds capabilities you do not have \\(cap_sys_ptrace\\)" nocap "$p" 0 0
  else
    skip "root without CAP_SYS_PTRACE" "setpriv cannot drop it here"
  fi
  if have unshare; then
    case_ "hidepid=invisible" 1 "^migratepages: $p: permission denied: /proc hides the process \\(hidepid\\)" hidepid "$p" 0 0
  else
    skip "hidepid" "no unshare"
  fi
else
  skip "another user, not dumpable, capabilities, hidepid" "needs root and setpriv"
fi
if have unshare && unshare -r true 2>/dev/null; then
  case_ "in a user namespace, a process outside it" 1 "^migratepages: $p: permission denied: the process is outside your user namespace" userns "$p" 0 0
else
  skip "a user namespace" "unshare -r is not allowed here"
fi
NORM=1 DRY=ok case_ "a seccomp filter answering EPERM" 1 "^migratepages: $p: migrate_pages was refused by a seccomp filter" sc_eperm "$p" 0 0
if build/landlock_exec -p >/dev/null 2>&1; then
  DRY=ok case_ "a security module (Landlock) refusing" 1 "^migratepages: $p: $(sed 's/[()]/\\&/g' <<<"$sec")\$" landlock "$p" 0 0
else
  skip "a security module" "this kernel has no Landlock"
fi
