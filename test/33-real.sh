#!/usr/bin/env bash
# Real layouts on this host (one NUMA node): the exit status comes from the
# kernel's answer, never from the reporting flags; a dry run refuses what the
# real run refuses, with the same words; cgroup trees (parents, threaded
# cgroups, pid namespaces, processes that leave); write errors; processes
# whose main thread exited; user and pid namespaces; hidepid. Root-only parts
# SKIP when not root; tools that are missing SKIP too.
set -u
cd "$TOP" || exit 1
mkdir -p build
cc=${HOST_CC:-gcc}
$cc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c &&
$cc -O2 -Wall -Wextra -Werror -pthread -o build/leader_exit test/helpers/leader_exit.c &&
$cc -O2 -Wall -Wextra -Werror -pthread -o build/two_threads test/helpers/two_threads.c &&
$cc -O2 -Wall -Wextra -Werror -o build/zombie test/helpers/zombie.c || {
  echo "FAIL build the helpers"; exit 1; }
tmp=$(mktemp -d); chmod 755 "$tmp"
pids=() cgs=()
cleanup() {
  [ "$BASHPID" = "$$" ] || return
  exec 2>/dev/null
  for x in "${pids[@]}"; do kill "$x" && wait "$x"; done
  [ -s "$tmp/many" ] && xargs kill <"$tmp/many"
  sleep 0.1
  for ((i=${#cgs[@]}-1; i>=0; i--)); do rmdir "${cgs[$i]}"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
root=0; [ "$(id -u)" = 0 ] && root=1

# shellcheck source=lib.sh
. test/lib.sh
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
# same_as_real NAME ARGS...: the dry run gives the exit status and stderr of
# the real run (run first, as the caller set it up: $PRE before the tool)
same_as_real() {
  local name=$1; shift
  ${PRE:-} "$MP" "$@" >/dev/null 2>"$tmp/real.err"; local rrc=$?
  ${PRE:-} "$MP" -n "$@" >/dev/null 2>"$tmp/dry.err"; local drc=$?
  ok "$name: --dry-run says what the real run says" '[ $rrc = $drc ] && cmp -s "$tmp/real.err" "$tmp/dry.err"' \
    "real: exit $rrc '$(cat "$tmp/real.err")'; dry run: exit $drc '$(cat "$tmp/dry.err")'"
}
count_calls() {  # count_calls ARGS...: migrate_pages calls the tool makes ($calls), its exit ($rc)
  strace -f -qq -e trace=migrate_pages -o "$tmp/strace" "$MP" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  calls=$(grep -c 'migrate_pages(' "$tmp/strace")
}
# until_zombie FILE-OF-PID | PID: wait (up to 10 s: a loaded machine) until the process is a zombie
until_zombie() {
  local p
  for _ in $(seq 100); do
    p=$1; [ -f "$1" ] && p=$(cat "$1" 2>/dev/null)
    [ -n "$p" ] && grep -q '^State:.Z' "/proc/$p/status" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL $2: pid ${p:-?} did not become a zombie in 10 s"; return 1
}
have_strace=0; command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null && have_strace=1

bg sleep 600; p=$last; sleep 0.1

# --- 1. exit status: the kernel's answer, whatever is reported --------------
for f in "" -v --json "-v --json"; do
  # shellcheck disable=SC2086
  run "$MP" $f "$p" 0 0; expect "exit 0 with '${f:-no flag}'" 0 '*' ""
done
ok "--json: status ok, no note on one node" 'grep -q "\"status\":\"ok\".*\"note\":null" "$tmp/out"' "$out"
# a write error after the pages moved: exit 1, said, the migration done
if [ -w /dev/full ]; then
  "$MP" -v "$p" 0 0 >/dev/full 2>"$tmp/err"; rc=$?; err=$(cat "$tmp/err"); out=""
  expect "-v >/dev/full: exit 1, the error named, the migration not undone" 1 "" \
    "migratepages: cannot write to standard output: No space left on device (the migration went on regardless; exit status 1)"
else
  echo "SKIP -v >/dev/full: no writable /dev/full"
fi
"$MP" --json "$p" 0 0 >&- 2>"$tmp/err"; rc=$?; err=$(cat "$tmp/err"); out=""
expect "--json with stdout closed: exit 1, the error named" 1 "" \
  "migratepages: cannot write to standard output: Bad file descriptor (the migration went on regardless; exit status 1)"
"$MP" "$p" 0 0 >&- 2>"$tmp/err"; rc=$?; err=$(cat "$tmp/err"); out=""
expect "a plain run with stdout closed writes nothing: exit 0" 0 "" ""

# SIGPIPE: every target of a list is processed, whatever happens to stdout
sh -c 'for i in $(seq 200); do sleep 600 </dev/null >/dev/null 2>&1 & echo $!; done' >"$tmp/many"
list=$(paste -sd, "$tmp/many")
if [ $have_strace = 1 ]; then
  strace -f -qq -e trace=migrate_pages -o "$tmp/strace" "$MP" -v "$list" 0 0 2>"$tmp/err" | head -1 >/dev/null
  rc=${PIPESTATUS[0]}; calls=$(grep -c 'migrate_pages(' "$tmp/strace")
  ok "-v PIDS | head -1: all 200 targets processed, exit 1 (not killed by SIGPIPE)" \
    '[ $rc = 1 ] && [ $calls = 200 ] && grep -q "cannot write to standard output: Broken pipe" "$tmp/err"' \
    "exit $rc, $calls calls, stderr: $(cat "$tmp/err")"
else
  # without strace the calls are not counted: the exit status and the words
  "$MP" -v "$list" 0 0 2>"$tmp/err" | head -1 >/dev/null; rc=${PIPESTATUS[0]}
  ok "-v PIDS | head -1: exit 1 with the error named (calls not counted: no strace)" '[ $rc = 1 ] && grep -q "Broken pipe" "$tmp/err"' "exit $rc"
fi
xargs kill <"$tmp/many" 2>/dev/null; : >"$tmp/many"

# duplicates are moved once
if [ $have_strace = 1 ]; then
  count_calls "$p,$p,$p" 0 0
  ok "a pid given three times is moved once" '[ $rc = 0 ] && [ "$calls" = 1 ]' "exit $rc, $calls calls"
fi

# --- 2. the dry run refuses what the real run refuses -------------------------
bg true; dead=$last; wait "$dead" 2>/dev/null
same_as_real "a process that exited" "$dead" 0 0
# a zombie: a child its parent never reaps (test/helpers/zombie.c writes the
# pid once the child is one)
bg build/zombie "$tmp/zpid"
until_zombie "$tmp/zpid" "a zombie"
z=$(cat "$tmp/zpid")
run "$MP" "$z" 0 0; expect "a zombie: exit 1, said" 1 "" "migratepages: $z: the process has exited (a zombie): its memory is gone"
same_as_real "a zombie" "$z" 0 0
kt=""
for s in /proc/[0-9]*/stat; do
  f=$(sed 's/.*) //' "$s" 2>/dev/null | cut -d' ' -f7)
  [ -n "$f" ] && (( f & 0x200000 )) && { kt=${s#/proc/}; kt=${kt%/stat}; break; }
done
if [ -n "$kt" ] && [ $root = 1 ]; then
  same_as_real "a kernel thread (pid $kt)" "$kt" 0 0
  ok "a kernel thread: --dry-run exit 1" '[ "$(cat "$tmp/dry.err")" = "migratepages: $kt: a kernel thread: it has no user memory to move" ]' "$(cat "$tmp/dry.err")"
else
  echo "SKIP a kernel thread: none visible here, or not root"
fi
# no /proc: existence still checked (kill(pid, 0))
if [ $root = 1 ] && command -v chroot >/dev/null && [ -z "${MP_SANITIZED:-}" ]; then
  mkdir -p "$tmp/root"; cp "$MP" "$tmp/root/migratepages"
  big=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
  run chroot "$tmp/root" /migratepages -n "$big" 0 0
  expect "no /proc: --dry-run on a pid that does not exist" 1 "" "migratepages: $big: no such process"
  run chroot "$tmp/root" /migratepages -n --json "$big" 0 0
  ok "no /proc: --dry-run --json carries ESRCH" '[ $rc = 1 ] && grep -q "\"errno\":\"ESRCH\"" "$tmp/out"' "$out"
  run chroot "$tmp/root" /migratepages -n "$p" 0 0
  ok "no /proc: --dry-run on a live process says what it could not check" \
    '[ $rc = 0 ] && grep -q "note: /proc is not mounted: permissions and the process.s cpuset were not checked" "$tmp/out"' "exit $rc: $out $err"
else
  echo "SKIP no /proc: needs root, chroot and a static binary"
fi

if [ $root = 1 ] && command -v setpriv >/dev/null; then
  nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  PRE=nobody same_as_real "another user's process" "$p" 0 0
  # a process that is not dumpable (it cleared PR_SET_DUMPABLE), of the same user
  py=/usr/bin/python3; [ -x $py ] || py=$(command -v python3)
  if [ -n "$py" ]; then
    bg setpriv --reuid=65534 --regid=65534 --clear-groups "$py" -c \
      'import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(600)'
    nd=$last; sleep 0.5
    run nobody "$MP" "$nd" 0 0
    expect "a process that is not dumpable: named" 1 "" "migratepages: $nd: permission denied: the process is not dumpable (setuid or setgid, or it cleared PR_SET_DUMPABLE); CAP_SYS_PTRACE is needed"
    PRE=nobody same_as_real "a process that is not dumpable" "$nd" 0 0
    # one that becomes not dumpable during the run (after the checks and the
    # probe, which strace holds): the EACCES that follows is named as such,
    # not blamed on a security module
    if command -v strace >/dev/null; then
      bg setpriv --reuid=65534 --regid=65534 --clear-groups "$py" -c \
        'import ctypes, signal, time; l = ctypes.CDLL(None); signal.signal(signal.SIGUSR1, lambda *a: l.prctl(4, 0, 0, 0, 0)); time.sleep(600)'
      nd2=$last; sleep 0.5
      strace -f -qq -o /dev/null -e trace=move_pages -e inject=move_pages:delay_exit=1500000:when=1 \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$MP" --jobs 1 "$nd2" 0 0 >"$tmp/out" 2>"$tmp/err" & sp=$!
      sleep 0.7; kill -USR1 "$nd2"
      wait $sp; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
      expect "a process that becomes not dumpable during the move: named, not a security module" 1 "" \
        "migratepages: $nd2: permission denied: the process is not dumpable (setuid or setgid, or it cleared PR_SET_DUMPABLE); CAP_SYS_PTRACE is needed"
    else
      echo "SKIP a process that becomes not dumpable during the move: no strace"
    fi
  else
    echo "SKIP not dumpable: no python3"
  fi
  # root without CAP_SYS_PTRACE, against a root process holding it: the
  # capability rule, not "not dumpable"
  dropped=(setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace)
  if "${dropped[@]}" true 2>/dev/null; then
    run "${dropped[@]}" "$MP" "$p" 0 0
    expect "root without CAP_SYS_PTRACE: the capability rule named" 1 "" "migratepages: $p: permission denied: the process holds capabilities you do not have (cap_sys_ptrace), and the kernel then requires CAP_SYS_PTRACE (in a container: --cap-add SYS_PTRACE)"
    PRE="${dropped[*]}" same_as_real "root without CAP_SYS_PTRACE" "$p" 0 0
  else
    echo "SKIP root without CAP_SYS_PTRACE: setpriv cannot drop it here"
  fi
else
  echo "SKIP another user, not dumpable, capabilities: needs root and setpriv"
fi

# --- a main thread that exited while another thread runs ---------------------
"build/leader_exit" 4 >"$tmp/le" 2>/dev/null & le=$!; pids+=("$le")
until_zombie "$le" "a main thread that exited"
for _ in $(seq 100); do [ -s "$tmp/le" ] && break; sleep 0.1; done
read -r lp ltid <"$tmp/le"
run "$MP" "$lp" 0 0;   expect "a process whose main thread exited: moved through a live thread" 0 "" ""
run "$MP" -n "$lp" 0 0
ok "... --dry-run agrees, and names the thread" '[ $rc = 0 ] && grep -q "note: its main thread has exited; moved through thread $ltid" "$tmp/out"' "exit $rc: $out $err"
run "$MP" -v "$lp" 0 0
ok "... --verbose shows its memory" '[ $rc = 0 ] && grep -Eq "^ +0 +[4-9]\.[0-9] MiB" "$tmp/out"' "exit $rc: $out $err"

# --- 3. cgroup trees ------------------------------------------------------------
v2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ {print $2; exit}' /proc/self/mounts)
# cgtree ROOT NAME: a slice with two services, two processes each, in $slice
# (not in a $(...): its processes must reach this shell's pids, to be killed)
cgtree() {
  slice=$1/mp-$2-$$.slice
  mkdir "$slice" "$slice/a.service" "$slice/b.service" || return 1
  cgs+=("$slice" "$slice/a.service" "$slice/b.service")
  for svc in a b a b; do bg sh -c "echo \$\$ > $slice/$svc.service/cgroup.procs; exec sleep 600"; done
  sleep 0.3
}
for h in "v2:$v2" "v1:$v1"; do
  kind=${h%%:*} base=${h#*:}
  if [ $root = 0 ] || [ -z "$base" ] || ! cgtree "$base" "$kind"; then
    echo "SKIP $kind cgroup tree: needs root and a writable $kind hierarchy"; continue
  fi
  run "$MP" --json --cgroup "$slice" 0 0
  ok "$kind: a slice holding processes only in its services: all 4 moved" \
    '[ $rc = 0 ] && [ "$(grep -c "\"status\":\"ok\"" "$tmp/out")" = 4 ] && [ -z "$err" ]' "exit $rc: $out $err"
  run "$MP" -n --cgroup "$slice" 0 0; expect "$kind: --dry-run on the slice" 0 '*' ""
done

if [ $root = 1 ] && [ -n "$v2" ] && mkdir "$v2/mp-thr-$$" 2>/dev/null; then
  d=$v2/mp-thr-$$; cgs+=("$d")
  if mkdir "$d/t" && cgs+=("$d/t") && echo threaded >"$d/t/cgroup.type" 2>/dev/null; then
    bg sh -c "echo \$\$ > $d/cgroup.procs; echo \$\$ > $d/t/cgroup.threads; exec sleep 600"; tp=$last
    sleep 0.3
    run "$MP" --json --cgroup "$d/t" 0 0
    ok "a threaded cgroup: its process found from its threads" \
      '[ $rc = 0 ] && grep -q "\"pid\":$tp,\"status\":\"ok\"" "$tmp/out" && [ -z "$err" ]' "exit $rc: $out $err"
    run "$MP" --json --cgroup "$d" 0 0
    ok "its domain-threaded parent: the process once" \
      '[ $rc = 0 ] && [ "$(grep -c "\"pid\":$tp," "$tmp/out")" = 1 ]' "exit $rc: $out $err"
    # a process of two threads, its main thread in one threaded cgroup and
    # the other thread in another: --cgroup on the second finds the process
    # from its thread, and the second reading (once it is held) finds it again
    if mkdir "$d/t1" "$d/t2" && cgs+=("$d/t1" "$d/t2") && echo threaded >"$d/t1/cgroup.type" &&
       echo threaded >"$d/t2/cgroup.type"; then
      build/two_threads 4 >"$tmp/tt" 2>/dev/null & tt=$!; pids+=("$tt")
      for _ in $(seq 100); do [ -s "$tmp/tt" ] && break; sleep 0.1; done
      read -r _ ttid <"$tmp/tt"
      echo "$tt" >"$d/cgroup.procs" && echo "$tt" >"$d/t1/cgroup.procs" && echo "$ttid" >"$d/t2/cgroup.threads"
      for m in "" "--jobs 1"; do
        # shellcheck disable=SC2086
        run "$MP" --json $m --cgroup "$d/t2" 0 0
        ok "a threaded cgroup holding a thread, not the main thread, of a process${m:+ ($m)}: the process moved" \
          '[ $rc = 0 ] && grep -q "\"pid\":$tt,\"status\":\"ok\"" "$tmp/out" && [ -z "$err" ]' "exit $rc: $out $err"
      done
    else
      echo "SKIP a threaded cgroup holding another thread: cannot make two threaded cgroups here"
    fi
  else
    echo "SKIP a threaded cgroup: cannot make one here"
  fi
else
  echo "SKIP a threaded cgroup: needs root and cgroup v2"
fi

# (a zombie in a cgroup: the kernel lists none in cgroup.procs, so one is met
# only when a process dies between the listing and the call: the guest's
# cgtree scenario kills a hog during the run)
# the whole tree from the root, as a dry run (the real run of every process of
# this host would meet a process that a security module here protects): kernel
# threads are passed over, not errors
if [ $root = 1 ] && [ -n "$v2" ]; then
  run "$MP" -n -v --cgroup "$v2" 0 0
  ok "--cgroup on the root: kernel threads skipped, exit 0" \
    '[ $rc = 0 ] && [ -z "$err" ] && grep -q "skipped (a kernel thread)" "$tmp/out"' "exit $rc: $(head -c 600 "$tmp/err")"
fi

# a process that leaves the cgroup between the listing and its migration is not
# moved (strace holds the tool right after pidfd_open; the test moves it away)
if [ $root = 1 ] && [ -n "$v2" ] && [ $have_strace = 1 ] && mkdir "$v2/mp-leave-$$" 2>/dev/null; then
  d=$v2/mp-leave-$$; cgs+=("$d")
  bg sh -c "echo \$\$ > $d/cgroup.procs; exec sleep 600"; lv=$last
  bg sh -c "echo \$\$ > $d/cgroup.procs; exec sleep 600"; st=$last
  sleep 0.3
  strace -f -qq -e trace=migrate_pages,pidfd_open -e inject=pidfd_open:delay_exit=1500000:when=1 \
    -o "$tmp/strace" "$MP" -v --cgroup "$d" 0 0 >"$tmp/out" 2>"$tmp/err" & sp=$!
  sleep 0.7; echo "$lv" >"$v2/cgroup.procs"
  wait $sp; rc=$?
  if grep -q 'pidfd_open(' "$tmp/strace"; then
    ok "a process that left the cgroup meanwhile is not moved" \
      '[ $rc = 0 ] && grep -q "^pid $lv: skipped (it left the cgroup)" "$tmp/out" && ! grep -q "migrate_pages($lv," "$tmp/strace" && grep -q "migrate_pages($st," "$tmp/strace"' \
      "exit $rc: $(cat "$tmp/out") / $(grep -v '^ *$' "$tmp/strace" | head -5)"
  else
    echo "SKIP a process that leaves the cgroup: no pidfd_open here"
  fi
fi

# a cgroup below the one named, renamed between the listing and the second
# reading: who is still in it is not known, so its processes are not moved,
# and that is an error (the one named is held open: renaming it changes
# nothing). cgroup v2 refuses renames: a v1 hierarchy.
if [ $root = 1 ] && [ -n "$v1" ] && [ $have_strace = 1 ] && mkdir "$v1/mp-ren-$$" "$v1/mp-ren-$$/c" 2>/dev/null; then
  d=$v1/mp-ren-$$; cgs+=("$d" "$d/c" "$d/c.new")
  bg sh -c "echo \$\$ > $d/c/cgroup.procs; exec sleep 600"; r1=$last
  bg sh -c "echo \$\$ > $d/c/cgroup.procs; exec sleep 600"; r2=$last
  sleep 0.3
  strace -f -qq -e trace=migrate_pages,pidfd_open -e inject=pidfd_open:delay_exit=1500000:when=1 \
    -o "$tmp/strace" "$MP" --cgroup "$d" 0 0 >"$tmp/out" 2>"$tmp/err" & sp=$!
  sleep 0.7; mv "$d/c" "$d/c.new"
  wait $sp; rc=$?; err=$(cat "$tmp/err")
  want=""
  for x in $r1 $r2; do want+="migratepages: $x: not moved: its cgroup '$d/c' could not be read again to see that it is still in it: the cgroup is gone (removed or renamed)"$'\n'; done
  ok "a cgroup renamed meanwhile: its processes not moved, an error (exit 1), not 'left the cgroup'" \
    '[ $rc = 1 ] && [ "$err" = "${want%$'"'"'\n'"'"'}" ] && ! grep -q "migrate_pages(" "$tmp/strace"' \
    "exit $rc, stderr '$err' / $(grep -c 'migrate_pages(' "$tmp/strace") calls"
else
  echo "SKIP a cgroup renamed meanwhile: needs root, strace and a writable cgroup v1 hierarchy"
fi

# a pid namespace: the cgroup lists processes outside it as 0
if [ $root = 1 ] && [ -n "$v2" ] && command -v unshare >/dev/null && mkdir "$v2/mp-pidns-$$" 2>/dev/null; then
  d=$v2/mp-pidns-$$; cgs+=("$d")
  bg sh -c "echo \$\$ > $d/cgroup.procs; exec sleep 600"
  sleep 0.2
  run unshare -p -f --mount-proc sh -c "sleep 600 & s=\$!; echo \$s > $d/cgroup.procs; sleep 0.2; '$MP' --json --cgroup '$d' 0 0; r=\$?; kill \$s; exit \$r"
  ok "a pid namespace: the outside process skipped with a note, the inside one moved" \
    '[ $rc = 0 ] && [ "$(grep -c "\"status\":\"ok\"" "$tmp/out")" = 1 ] && [ "$err" = "migratepages: note: --cgroup: 1 process outside this pid namespace (listed as 0) skipped" ]' "exit $rc: $out $err"
  # a /proc left from the parent namespace: the tool notices, shows no one else's numbers
  run unshare -p -f sh -c "sleep 600 & s=\$!; '$MP' -v \$s 0 0; r=\$?; kill \$s; exit \$r"
  ok "a stale /proc after unshare -p: no figures of another process" \
    '[ $rc = 0 ] && ! grep -q "before" "$tmp/out" && grep -q "note: per-node figures not shown: /proc belongs to another pid namespace" "$tmp/out"' "exit $rc: $out $err"
else
  echo "SKIP pid namespaces: needs root, cgroup v2 and unshare"
fi

# --- 4. user namespaces, hidepid, escapes, numa_balancing ------------------------
if command -v unshare >/dev/null && unshare -r true 2>/dev/null; then
  run unshare -r "$MP" "$p" 0 0
  expect "in a user namespace, against a process outside it: the namespace named" 1 "" "migratepages: $p: permission denied: the process is outside your user namespace (you run in one of your own), and CAP_SYS_PTRACE in its namespace is needed"
  run unshare -r sh -c "sleep 600 & s=\$!; '$MP' --json \$s 0 0; r=\$?; kill \$s; exit \$r"
  ok "in a user namespace, its own process: exit 0" '[ $rc = 0 ] && grep -q "\"status\":\"ok\"" "$tmp/out"' "exit $rc: $out $err"
else
  echo "SKIP user namespaces: unshare -r is not allowed here"
fi
if [ $root = 1 ] && command -v unshare >/dev/null && command -v setpriv >/dev/null; then
  run unshare -m sh -c "mount -t proc -o hidepid=invisible proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups '$MP' '$p' 0 0"
  expect "hidepid=invisible: the real run" 1 "" "migratepages: $p: permission denied: /proc hides the process (hidepid), as it hides processes you may not inspect; CAP_SYS_PTRACE or its user is needed"
  run unshare -m sh -c "mount -t proc -o hidepid=invisible proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups '$MP' -n '$p' 0 0"
  expect "hidepid=invisible: the dry run says the same" 1 "" "migratepages: $p: permission denied: /proc hides the process (hidepid), as it hides processes you may not inspect; CAP_SYS_PTRACE or its user is needed"
else
  echo "SKIP hidepid: needs root, unshare and setpriv"
fi
nl='
'
run "$MP" "--bad${nl}option" "$p" 0 0
expect "an unknown option with a newline: one escaped line" 1 "" "migratepages: unknown option '--bad\\x0aoption'
Try 'migratepages --help' for more information."
run "$MP" --cgroup "$tmp/no${nl}where" 0 0
expect "a --cgroup path with a newline: escaped" 1 "" "migratepages: --cgroup: cannot read '$tmp/no\\x0awhere': no such cgroup (cgroup.procs not found)"
nb=/proc/sys/kernel/numa_balancing
if [ $root = 1 ] && [ -w $nb ] && old=$(cat $nb) && echo 2 2>/dev/null >$nb; then
  run "$MP" -v "$p" 0 0
  expect "numa_balancing=2 (memory tiering) is on" 0 '*' "migratepages: note: automatic NUMA balancing is on (/proc/sys/kernel/numa_balancing = 2, memory tiering); it may move pages back"
  run "$MP" --json "$p" 0 0
  ok "--json: numa_balancing true for 2" 'grep -q "\"numa_balancing\":true" "$tmp/out"' "$out"
  echo "$old" >$nb
else
  echo "SKIP numa_balancing=2: cannot set $nb"
fi
