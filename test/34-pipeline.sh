#!/usr/bin/env bash
# The pipeline from a node list and a set of pids to the calls, where it met
# the world: --cgroup over many cgroups, down a path longer than PATH_MAX and
# past a subtree it cannot read, a pid reused while the tool is held, a
# process leaving its cgroup, the mover and a /proc of another pid namespace
# or none, hugetlbfs at a misleading path, a + list on a dead pid (JSON), a
# security module's refusal named, a second stop signal, control bytes
# escaped, a write error after a mover run, a pid and its thread id, --jobs
# with leading zeros, the --chunk default in --help and the man page (1.2.0
# failed each). On this one-node host every move is 0 -> 0: every page is
# already in place, and every check and every call is still made. Root-only
# parts SKIP when not root; tools that are missing SKIP too. The refusals in
# every mode: test/36-refusals.sh.
set -u
cd "$TOP" || exit 1
mkdir -p build
cc=${HOST_CC:-gcc}
$cc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c &&
$cc -O2 -Wall -Wextra -Werror -o build/landlock_exec test/helpers/landlock_exec.c || {
  echo "FAIL build the helpers"; exit 1; }
tmp=$(mktemp -d); chmod 755 "$tmp"
pids=() cgs=() deep=() mounts=() hugepages_old=
cleanup() {
  [ "$BASHPID" = "$$" ] || return
  exec 2>/dev/null
  for x in "${pids[@]}"; do kill "$x" && wait "$x"; done
  for m in "${mounts[@]}"; do umount "$m"; done
  [ -n "$hugepages_old" ] && echo "$hugepages_old" >/proc/sys/vm/nr_hugepages
  # a cgroup is removed once its last process is gone: a few tries
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    for d in "${deep[@]}"; do deep_rm "$d"; done
    for ((i=${#cgs[@]}-1; i>=0; i--)); do [ -d "${cgs[$i]}" ] && rmdir "${cgs[$i]}"; done
    left=0
    for d in "${deep[@]}" "${cgs[@]}"; do [ -d "$d" ] && left=1; done
    [ $left = 0 ] && break
    sleep 0.2
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
root=0; [ "$(id -u)" = 0 ] && root=1

# shellcheck source=lib.sh
. test/lib.sh
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
have() { command -v "$1" >/dev/null 2>&1; }
have_strace=0; have strace && strace -qq -o /dev/null true 2>/dev/null && have_strace=1
# (the system's python3: another user may not reach one under /root)
py=/usr/bin/python3; [ -x $py ] || py=$(command -v python3)
have_py=0; [ -n "$py" ] && have_py=1
v2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# until_file FILE: wait (up to 20 s: a loaded machine) until FILE is not empty
until_file() {
  for _ in $(seq 400); do [ -s "$1" ] && return 0; sleep 0.05; done
  return 1
}
# oneline: lines joined with ' | ' (a failure's detail stays on its FAIL line)
oneline() { sed ':a;N;$!ba;s/\n/ | /g'; }
# JSON objects of stdout ($out) whose status is ok
oks() { grep -c '"status":"ok"' <<<"$out"; }
# deep_rm DIR LEVELS NAME: a chain of LEVELS cgroups NAME below DIR, removed
# from the bottom up through relative paths (the whole path is too long for
# one system call); then DIR
deep_rm() {
  local top=${1%%:*} rest=${1#*:}
  local n=${rest%%:*} name=${rest#*:}
  [ -d "$top" ] || return 0
  (cd "$top" || exit
   for ((k=0; k<n; k++)); do cd "$name" 2>/dev/null || break; done
   while [ "$PWD" != "$top" ] && [ "${#PWD}" -gt "${#top}" ]; do
     here=${PWD##*/}; cd .. && rmdir "$here" 2>/dev/null || exit
   done)
  rmdir "$top" 2>/dev/null
}

bg sleep 600; p=$last
bg true; dead=$last; wait "$dead" 2>/dev/null

# --- --cgroup over many stored paths (1.2.0: SIGSEGV past 16 KiB) -------
if [ $root = 1 ] && [ -n "$v2" ] && mkdir "$v2/mp34-wide-$$" 2>/dev/null; then
  w=$v2/mp34-wide-$$; cgs+=("$w")
  for i in $(seq 350); do mkdir "$w/svc-$i.service" && cgs+=("$w/svc-$i.service"); done
  for i in 7 170 350; do bg sh -c "echo \$\$ > $w/svc-$i.service/cgroup.procs; exec sleep 600"; done
  for _ in $(seq 100); do [ "$(cat "$w"/svc-{7,170,350}.service/cgroup.procs | grep -c .)" = 3 ] && break; sleep 0.05; done
  for j in "" "--jobs 1"; do
    # shellcheck disable=SC2086
    run "$MP" --json $j --cgroup "$w" 0 0
    ok "--cgroup over 350 sibling cgroups${j:+ ($j)}: exit 0, one ok object per process (3)" \
      '[ $rc = 0 ] && [ "$(oks)" = 3 ] && [ "$(grep -c . <<<"$out")" = 3 ] && [ -z "$err" ]' "exit $rc, $(oks) ok objects, stderr: $(head -c 300 "$tmp/err")"
  done
  run "$MP" --cgroup "$w" 0 0
  expect "--cgroup over 350 sibling cgroups, no flags: exit 0, silent" 0 "" ""
else
  echo "SKIP --cgroup over 350 cgroups: needs root and a writable cgroup v2 hierarchy"
fi

# --- a cgroup path longer than PATH_MAX; a subtree that cannot be read ----
if [ $root = 1 ] && [ -n "$v2" ] && mkdir "$v2/mp34-deep-$$" 2>/dev/null; then
  top=$v2/mp34-deep-$$
  name=$(printf 'd%.0s' $(seq 250))
  # levels of 251 bytes until the bottom's path passes 4,300 bytes (one level
  # before it passes 4,096): depth 17 or so, far from any cgroup.max.depth
  levels=$(( (4300 - ${#top}) / 251 + 1 ))
  deep+=("$top:$levels:$name")
  made=$(cd "$top" && for ((k=0; k<levels; k++)); do mkdir "$name" && cd "$name" || break; echo x; done | grep -c .)
  bottom_len=$(( ${#top} + levels * 251 ))
  if [ "$made" = "$levels" ]; then
    bg bash -c 'cd "$1" || exit 1; for ((k=0; k<$2; k++)); do cd "$3" || exit 1; done; echo $$ > cgroup.procs; exec sleep 600' sh "$top" "$levels" "$name"
    bot=$last
    bg sh -c "echo \$\$ > $top/cgroup.procs; exec sleep 600"; tp=$last
    for _ in $(seq 100); do grep -q "$name/$name" "/proc/$bot/cgroup" 2>/dev/null && grep -q mp34-deep "/proc/$tp/cgroup" && break; sleep 0.05; done
    for j in "" "--jobs 1"; do
      # shellcheck disable=SC2086
      run "$MP" --json $j --cgroup "$top" 0 0
      ok "--cgroup down to a path of $bottom_len bytes ($levels levels)${j:+ ($j)}: exit 0, the process at the bottom and the one at the top moved" \
        '[ $rc = 0 ] && [ "$(oks)" = 2 ] && grep -q "\"pid\":$bot,\"status\":\"ok\"" <<<"$out" && grep -q "\"pid\":$tp,\"status\":\"ok\"" <<<"$out" && [ -z "$err" ]' \
        "exit $rc, $(oks) ok objects, stderr: $(head -c 300 "$tmp/err")"
    done
  else
    echo "FAIL a chain of $levels cgroups: only $made could be made"
  fi
else
  echo "SKIP a cgroup path over PATH_MAX: needs root and a writable cgroup v2 hierarchy"
fi

# a subtree the caller cannot read: said in one line, the rest moved, exit 1
if [ $root = 1 ] && [ -n "$v2" ] && have setpriv && mkdir "$v2/mp34-part-$$" 2>/dev/null; then
  u=$v2/mp34-part-$$; cgs+=("$u" "$u/open" "$u/closed")
  mkdir "$u/open" "$u/closed"
  chown -R 65534:65534 "$u"
  chown 0:0 "$u/closed"; chmod 0700 "$u/closed"
  bg sh -c "echo \$\$ > $u/open/cgroup.procs; exec setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600"; up=$last
  bg sh -c "echo \$\$ > $u/closed/cgroup.procs; exec sleep 600"
  for _ in $(seq 100); do grep -q . "$u/open/cgroup.procs" && grep -q . "$u/closed/cgroup.procs" &&
    grep -q '^Uid:.65534' "/proc/$up/status" && break; sleep 0.05; done
  if nobody ls "$u/closed" >/dev/null 2>&1; then
    echo "SKIP an unreadable subtree: this kernel lets another user read a 0700 cgroup directory of root"
  else
    for j in "" "--jobs 1"; do
      # shellcheck disable=SC2086
      run nobody "$MP" --json $j --cgroup "$u" 0 0
      ok "a subtree the caller cannot read${j:+ ($j)}: one line, exit 1, the readable part moved" \
        '[ $rc = 1 ] && [ "$err" = "migratepages: --cgroup: cannot read '"'$u/closed'"': Permission denied; the processes below it were not moved" ] && grep -q "\"pid\":$up,\"status\":\"ok\"" <<<"$out" && [ "$(grep -c . <<<"$out")" = 1 ]' \
        "exit $rc, stderr '$err', stdout $(head -c 300 "$tmp/out")"
    done
  fi
else
  echo "SKIP an unreadable subtree: needs root, setpriv and a writable cgroup v2 hierarchy"
fi

# --- a pid reused while the tool is held (strace), in a pid namespace ----
# where no other process takes numbers. The kill comes while the call on B
# is held (2 s); C takes A's number before that call returns.
reuse() {  # reuse MODE: runs test/helpers/pid_reuse.sh, up to 3 tries; $a $b $c $rc $tk set
  local tc tb
  for _ in 1 2 3; do
    rm -f "$tmp/reuse/"*; mkdir -p "$tmp/reuse"
    timeout 300 unshare -p -f --mount-proc bash test/helpers/pid_reuse.sh "$MP" "$1" "$tmp/reuse" 2000000 >/dev/null 2>&1
    [ -s "$tmp/reuse/facts" ] || continue
    jlog "$tmp/reuse/out"
    # shellcheck disable=SC2034 # b: read by ok's condition
    read -r a b c rc tk tc tb <"$tmp/reuse/facts"
    out=$(cat "$tmp/reuse/out"); err=$(cat "$tmp/reuse/err")
    # C ran under A's number before the held call returned: the rest of the
    # run met it
    [ "$c" = "$a" ] && awk -v c="$tc" -v b="$tb" 'BEGIN { exit !(b > 0 && c < b + 1.9) }' && return 0
  done
  return 1
}
# calls NAME NUMBER AFTER: calls of NAME in the log naming NUMBER, made after AFTER
calls_after() {
  awk -v call="$1(" -v n="$2" -v t="$3" 'index($3, call) == 1 { split(substr($3, length(call) + 1), f, ","); if (f[1] == n && $2 > t) c++ } END { print c + 0 }' "$tmp/reuse/log"
}
if [ $root = 1 ] && [ $have_strace = 1 ] && have unshare && unshare -p -f --mount-proc true 2>/dev/null; then
  if reuse mover; then
    ok "pid reuse under the mover (--jobs 1): the killed process is not reported ok (ESRCH), no move_pages call names its number after the kill, B ok, exit 1" \
      '[ $rc = 1 ] && grep -q "\"pid\":$a,\"status\":\"error\".*\"errno\":\"ESRCH\"" <<<"$out" && grep -q "\"pid\":$b,\"status\":\"ok\"" <<<"$out" && [ "$(calls_after move_pages "$a" "$tk")" = 0 ]' \
      "exit $rc, $(calls_after move_pages "$a" "$tk") move_pages calls named $a after the kill, stdout $(head -c 400 <<<"$out" | oneline)"
    expect "pid reuse under the mover: the process is said to have exited during the move" 1 '*' \
      "migratepages: $a: the process exited during the move, after 0 B had moved; no call named its pid after that"
  else
    echo "FAIL pid reuse under the mover: the number was not given back in time in 3 tries ($(cat "$tmp/reuse/facts" 2>/dev/null))"
  fi
  if reuse single; then
    ok "pid reuse, one migrate_pages call: 'no such process', no call names its number after the kill, B ok, exit 1" \
      '[ $rc = 1 ] && [ "$err" = "migratepages: $a: no such process" ] && grep -q "\"pid\":$b,\"status\":\"ok\"" <<<"$out" && [ "$(calls_after migrate_pages "$a" "$tk")" = 0 ]' \
      "exit $rc, stderr '$err', $(calls_after migrate_pages "$a" "$tk") migrate_pages calls named $a after the kill"
  else
    echo "FAIL pid reuse, one call: the number was not given back in time in 3 tries ($(cat "$tmp/reuse/facts" 2>/dev/null))"
  fi
  # a call held before it enters the kernel, while A is reaped and C takes its
  # number: the call reaches C; the pidfd polled after it says A is gone
  succ="the process exited during a call that named its pid: the call may have reached a new process given the same pid, and what it moved is not known"
  for m in successor successor-mover; do
    if reuse $m; then
      ok "pid reuse during the call ($m): the call that may have reached the successor is an error (ESRCH, the man page's words), B ok, exit 1" \
        '[ $rc = 1 ] && [ "$err" = "migratepages: $a: $succ" ] && grep -q "\"pid\":$a,\"status\":\"error\".*\"errno\":\"ESRCH\"" <<<"$out" && grep -q "\"pid\":$b,\"status\":\"ok\"" <<<"$out"' \
        "exit $rc, stderr '$err', stdout $(head -c 400 <<<"$out" | oneline)"
    else
      echo "FAIL pid reuse during the call ($m): the number was not given back in time in 3 tries ($(cat "$tmp/reuse/facts" 2>/dev/null))"
    fi
  done
else
  echo "SKIP pid reuse: needs root, strace and unshare -p"
fi

# --- a process that leaves the cgroup between the listing and the move --
# (strace holds the tool at its first getdents64, right after the cgroup's
# processes are read: it lists the cgroups below, in both versions)
if [ $root = 1 ] && [ -n "$v2" ] && [ $have_strace = 1 ] && mkdir "$v2/mp34-leave-$$" 2>/dev/null; then
  d=$v2/mp34-leave-$$; cgs+=("$d")
  bg sh -c "echo \$\$ > $d/cgroup.procs; exec sleep 600"; lv=$last
  bg sh -c "echo \$\$ > $d/cgroup.procs; exec sleep 600"
  # shellcheck disable=SC2034 # read by ok's condition
  st=$last
  for _ in $(seq 100); do [ "$(grep -c . "$d/cgroup.procs")" = 2 ] && break; sleep 0.05; done
  strace -f -qq -e trace=getdents64,move_pages -e inject=getdents64:delay_exit=2000000:when=1 \
    -o "$tmp/strace" "$MP" --jobs 1 -v --cgroup "$d" 0 0 >"$tmp/out" 2>"$tmp/err" & sp=$!
  for _ in $(seq 1000); do grep -q 'getdents64(' "$tmp/strace" 2>/dev/null && break; kill -0 $sp 2>/dev/null || break; sleep 0.02; done
  echo "$lv" >"$v2/cgroup.procs"
  wait $sp; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  ok "--cgroup --jobs 1: a process that left the cgroup meanwhile is passed over (-v says so), exit 0" \
    '[ $rc = 0 ] && [ -z "$err" ] && grep -qx "pid $lv: skipped (it left the cgroup)" <<<"$out" && ! grep -q "move_pages($lv," "$tmp/strace" && grep -q "move_pages($st," "$tmp/strace"' \
    "exit $rc, stderr '$err', stdout: $(head -c 300 "$tmp/out" | oneline) / move_pages calls naming it: $(grep -c "move_pages($lv," "$tmp/strace")"
  run "$MP" --jobs 1 --json --cgroup "$d" 0 0
  ok "... the one still there: moved" '[ $rc = 0 ] && grep -q "\"pid\":$st,\"status\":\"ok\"" <<<"$out" && [ "$(grep -c . <<<"$out")" = 1 ]' "exit $rc: $out $err"
else
  echo "SKIP a process that leaves the cgroup: needs root, strace and a writable cgroup v2 hierarchy"
fi

# --- the mover and a /proc that is not this pid namespace's, or none ----
refusal="the chunked mover reads each process's memory map there; mount a /proc of this pid namespace, or leave out --jobs, --rate, --chunk and --progress (one migrate_pages call needs no /proc)"
if [ $root = 1 ] && have unshare && unshare -p -f true 2>/dev/null; then
  for n in "" "-n "; do
    run unshare -p -f sh -c "sleep 600 & s=\$!; '$MP' $n--jobs 1 \$s 0 0; r=\$?; kill \$s; exit \$r"
    expect "a /proc of another pid namespace: ${n}--jobs 1 refuses" 1 "" "migratepages: 2: /proc belongs to another pid namespace: $refusal"
  done
  run unshare -p -f sh -c "sleep 600 & s=\$!; '$MP' \$s 0 0; r=\$?; kill \$s; exit \$r"
  expect "... the single call needs no /proc: exit 0" 0 "" ""
else
  echo "SKIP a /proc of another pid namespace: needs root and unshare -p"
fi
static=0
LC_ALL=C readelf -l "$MP" 2>/dev/null | grep -q INTERP || static=1
if [ $root = 1 ] && have chroot && [ $static = 1 ]; then
  mkdir -p "$tmp/root"; cp "$MP" "$tmp/root/migratepages"
  for n in "" "-n "; do
    # shellcheck disable=SC2086
    run chroot "$tmp/root" /migratepages $n--jobs 1 "$p" 0 0
    expect "no /proc: ${n}--jobs 1 refuses, naming what to do" 1 "" "migratepages: $p: /proc is not mounted: $refusal"
  done
  run chroot "$tmp/root" /migratepages "$p" 0 0
  expect "... no /proc, the single call: exit 0" 0 "" ""
else
  echo "SKIP no /proc: needs root, chroot and a static binary (this one has a program interpreter)"
fi

# --- the page size of a hugetlbfs mount at a directory named pagesize=1G --
nr=/proc/sys/vm/nr_hugepages
hp_mnt=$tmp/hp/pagesize=1G
if [ $root = 1 ] && [ $have_py = 1 ] && [ -w $nr ] && [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] &&
   grep -qw hugetlbfs /proc/filesystems && mkdir -p "$hp_mnt" && mount -t hugetlbfs -o pagesize=2M none "$hp_mnt"; then
  mounts+=("$hp_mnt")
  hugepages_old=$(cat $nr)
  echo $((hugepages_old + 6)) >$nr 2>/dev/null
  free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
  if [ "$free" -lt 4 ]; then
    echo "SKIP hugetlbfs at .../pagesize=1G: no 4 free 2 MiB huge pages could be reserved ($free free)"
  else
    bg "$py" -c '
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)
os.ftruncate(fd, 8 << 20)
m = mmap.mmap(fd, 8 << 20)
for i in range(0, 8 << 20, 4096):
    m[i] = 1
open(sys.argv[2], "w").write("ready\n")
time.sleep(600)' "$hp_mnt/buf" "$tmp/hp.ready"
    hp=$last
    if until_file "$tmp/hp.ready"; then
      want=$(awk '{kb=4; for(i=1;i<=NF;i++) if ($i ~ /^kernelpagesize_kB=/) {split($i,a,"="); kb=a[2]}
                   for(i=1;i<=NF;i++) if ($i ~ /^N[0-9]+=/) {split($i,a,"="); s+=a[2]*kb*1024}} END{print s+0}' "/proc/$hp/numa_maps")
      run "$MP" --jobs 1 --json "$hp" 0 0
      got=$(grep -o '"in_place_bytes":[0-9]*' <<<"$out" | cut -d: -f2)
      ok "hugetlbfs (pagesize=2M) mounted at .../pagesize=1G: in place ${got:-?} bytes, numa_maps $want (within 16 pages)" \
        '[ $rc = 0 ] && [ -n "$got" ] && [ $(( got > want ? got - want : want - got )) -le 65536 ] && grep -q "\"status\":\"ok\"" <<<"$out"' \
        "exit $rc, in_place_bytes ${got:-none}, numa_maps says $want: $(head -c 300 <<<"$out") $err"
    else
      echo "FAIL the process mapping 8 MiB of hugetlbfs did not start"
    fi
    kill "$hp"; wait "$hp" 2>/dev/null
  fi
else
  echo "SKIP hugetlbfs at .../pagesize=1G: needs root, python3, 2 MiB huge pages and hugetlbfs"
fi

# (a zombie under the mover: test/36-refusals.sh, in every mode)

# --- a + list on a pid that is gone ------------------------------------------
for j in "" "--jobs 1"; do
  # shellcheck disable=SC2086
  run "$MP" --json $j "$dead" +0 +0
  ok "--json${j:+ $j} DEAD +0 +0: errno ESRCH, no such process, exit 1" \
    '[ $rc = 1 ] && [ "$err" = "migratepages: $dead: no such process" ] && grep -q "\"error\":{\"errno\":\"ESRCH\",\"message\":\"no such process\"}" <<<"$out"' \
    "exit $rc, stderr '$err', stdout $out"
done

# --- an EPERM that no check explains ---------------------------------------
# A security module refusing: a Landlock domain of the tool's own (the tool
# may read the process and its cpuset allows the nodes, but the process is
# outside the domain). pid 1 is not asked: on these machines it is not the
# project's.
sec="permission denied, although the process may be read by you and its cpuset allows the to-nodes: probably a security module (Landlock, AppArmor, SELinux) refused it"
if abi=$(build/landlock_exec -p 2>/dev/null); then
  for j in "" "--jobs 1"; do
    # shellcheck disable=SC2086
    run build/landlock_exec "$MP" $j "$p" 0 0
    expect "refused by a security module (Landlock ABI $abi)${j:+ ($j)}: named as such" 1 "" "migratepages: $p: $sec"
  done
  run build/landlock_exec sh -c "sleep 600 & s=\$!; '$MP' --jobs 1 \$s 0 0; r=\$?; kill \$s; exit \$r"
  expect "... a process of the same Landlock domain: moved (the control)" 0 "" ""
else
  echo "SKIP a security module refusing: this kernel has no Landlock"
fi

# --- a second stop signal of another kind ends the tool at once ---------
# strace holds the 4th to 6th move_pages calls 2 s each (the 4th is made once
# the signal handlers are set, in 1.2.0 too); SIGINT then SIGTERM come during
# the first held call. (env: a background job of a script starts with SIGINT
# ignored, and an ignored SIGINT stays ignored.)
if [ $have_strace = 1 ] && env --default-signal=INT true 2>/dev/null; then
  bg sleep 600; q=$last; bg sleep 600; r=$last
  : >"$tmp/strace"
  env --default-signal=INT strace -qq -f -o "$tmp/strace" -e trace=move_pages \
    -e inject=move_pages:delay_exit=2000000:when=4..6 "$MP" --jobs 1 "$p,$q,$r" 0 0 >"$tmp/out" 2>"$tmp/err" & sp=$!
  for _ in $(seq 1000); do [ "$(grep -c DELAYED "$tmp/strace")" -ge 1 ] && break; kill -0 $sp 2>/dev/null || break; sleep 0.02; done
  tool=$(pgrep -P $sp | head -n 1)
  kill -INT "$tool"; sleep 0.3; kill -TERM "$tool"
  wait $sp; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  ok "SIGINT then SIGTERM: dies of SIGTERM at once (exit 143), no interrupted report" \
    '[ $rc = 143 ] && ! grep -q interrupted <<<"$err"' "exit $rc, stderr '$(oneline <<<"$err")'"
else
  echo "SKIP a second stop signal: needs strace and env --default-signal"
fi

# --- control bytes never reach the terminal ------------------------------
run "$MP" --rate=$'\e[2J\nX' "$p" 0 0
expect "--rate with ESC and a newline: escaped, two lines" 1 "" "migratepages: --rate: '\\x1b[2J\\x0aX' is not a rate (bytes per second, e.g. 200M)
Try 'migratepages --help' for more information."
zone="'%' must be followed by an interface name (1 to 15 bytes, no '/')"
run "$MP" "$p" 0 'ip:fe80::1%'
expect "ip: with an empty zone" 1 "" "migratepages: to-nodes: 'ip:fe80::1%': $zone"
long=ip:fe80::1%$(printf 'x%.0s' $(seq 40))
run "$MP" "$p" 0 "$long"
expect "ip: with a zone of 40 bytes" 1 "" "migratepages: to-nodes: '${long:0:40}...': $zone"
if [ $root = 1 ] && have ip && have unshare && unshare -n true 2>/dev/null; then
  # an interface whose name holds ESC, routing 192.0.2.0/24 (TEST-NET-1) in a
  # private network namespace: dummy if the kernel has it, else a bridge
  run unshare -n sh -c 'n=$(printf "mp\033x"); { ip link add name "$n" type dummy 2>/dev/null || ip link add name "$n" type bridge; } &&
    ip link set "$n" up && ip addr add 192.0.2.1/24 dev "$n" && exec "$0" -n "$1" 0 ip:192.0.2.7' "$MP" "$p"
  ok "an interface name with ESC from the routing table: escaped as \\x1b, no raw byte" \
    '[ $rc = 1 ] && grep -q "routed through mp\\\\x1bx" "$tmp/err" && ! grep -qP "\\x1b" "$tmp/err"' "exit $rc, stderr: $(od -c "$tmp/err" | head -5 | oneline)"
else
  echo "SKIP an interface name with ESC: needs root, ip and unshare -n"
fi

# --- a write error on stdout after a mover run ---------------------------
if [ -w /dev/full ]; then
  "$MP" --jobs 1 -v "$p" 0 0 >/dev/full 2>"$tmp/err"; rc=$?; err=$(cat "$tmp/err"); out=""
  expect "--jobs 1 -v >/dev/full: the error, and that the migration went on" 1 "" \
    "migratepages: cannot write to standard output: No space left on device (the migration went on regardless; exit status 1)"
else
  echo "SKIP --jobs 1 -v >/dev/full: no writable /dev/full"
fi

# --- a pid and one of its threads in the same list ------------------------
if [ $have_py = 1 ]; then
  bg "$py" -c '
import os, sys, threading, time
def idle():
    open(sys.argv[1], "w").write("%d %d\n" % (os.getpid(), threading.get_native_id()))
    time.sleep(600)
threading.Thread(target=idle, daemon=True).start()
time.sleep(600)' "$tmp/thr"
  until_file "$tmp/thr"; read -r tp tt <"$tmp/thr"
  for j in "" "--jobs 1"; do
    # shellcheck disable=SC2086
    run "$MP" --json $j "$tp,$tt" 0 0
    ok "--json${j:+ $j} PID,TID: one object" '[ $rc = 0 ] && [ "$(grep -c . <<<"$out")" = 1 ] && grep -q "\"pid\":$tp,\"status\":\"ok\"" <<<"$out"' \
      "exit $rc, $(grep -c . <<<"$out") objects: $(cut -c1-60 <<<"$out" | oneline) $err"
  done
  if [ $have_strace = 1 ]; then
    strace -f -qq -e trace=migrate_pages -o "$tmp/strace" "$MP" "$tp,$tt" 0 0 >/dev/null 2>&1; rc=$?
    ok "PID,TID: one migrate_pages call" '[ $rc = 0 ] && [ "$(grep -c "migrate_pages(" "$tmp/strace")" = 1 ]' "exit $rc: $(cut -c1-80 "$tmp/strace" | oneline)"
    strace -f -qq -e trace=move_pages -o "$tmp/strace" "$MP" --jobs 1 "$tp,$tt" 0 0 >/dev/null 2>&1; rc=$?
    ok "--jobs 1 PID,TID: one check (move_pages of no page) of the process" \
      '[ $rc = 0 ] && [ "$(grep -Ec "move_pages\(($tp|$tt), 0, NULL" "$tmp/strace")" = 1 ]' "exit $rc: $(grep -E "move_pages\(($tp|$tt), 0" "$tmp/strace" | cut -c1-80 | oneline)"
  else
    echo "SKIP PID,TID call counts: no strace"
  fi
else
  echo "SKIP PID,TID: no python3 (for a process with a second thread)"
fi

# --- --jobs with leading zeros ---------------------------------------------
run "$MP" --jobs 0064 "$p" 0 0
expect "--jobs 0064: refused" 1 "" "migratepages: --jobs: '0064' is not a number of workers (1-64)
Try 'migratepages --help' for more information."
run "$MP" -j064 "$p" 0 0
expect "-j064: refused" 1 "" "migratepages: --jobs: '064' is not a number of workers (1-64)
Try 'migratepages --help' for more information."

# --- the --chunk default under --rate, in --help and the man page -------
help=$("$MP" --help | sed -n '/^ *--chunk/,/^ *--progress/p' | sed '$d' | tr -s ' \n' '  ')
ok "--help: --chunk under --rate defaults to 512 to 4096 pages" \
  'grep -Eq "with --rate .*(512 to 4096|at least 512 and at most 4096)" <<<"$help"' "$help"
man=$(sed -n '/^\.BI \\-\\-chunk/,/^\.TP/p' man/migratepages.8 | sed 's/^\.[A-Z]* //; s/\\-/-/g; s/\\&//g; s/"//g' | tr -s ' \n' '  ')
ok "man page: --chunk under --rate defaults to 512 to 4096 pages" \
  'grep -Eq "With --rate .*(512 to 4096|at least 512 and at most 4096) pages" <<<"$man"' "$man"
