#!/usr/bin/env bash
# The defects of issue 17, each where it showed (1.2.0 fails every item here;
# "17.N" in a name is the item's number), and the checks run both ways: the
# plain path (one migrate_pages call) and the chunked mover (--jobs 1) give
# the same exit status and the same words for every case of a table. On this
# one-node host every move is 0 -> 0: every page is already in place, and
# every check and every call is still made. Root-only parts SKIP when not
# root; tools that are missing SKIP too.
set -u
cd "$TOP" || exit 1
mkdir -p build
cc=${HOST_CC:-gcc}
$cc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c &&
$cc -O2 -Wall -Wextra -Werror -pthread -o build/leader_exit test/helpers/leader_exit.c &&
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
# until_zombie PID
until_zombie() {
  for _ in $(seq 400); do grep -q '^State:.Z' "/proc/$1/status" 2>/dev/null && return 0; sleep 0.05; done
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

# --- 17.1: --cgroup over many stored paths (1.2.0: SIGSEGV past 16 KiB) -------
if [ $root = 1 ] && [ -n "$v2" ] && mkdir "$v2/mp34-wide-$$" 2>/dev/null; then
  w=$v2/mp34-wide-$$; cgs+=("$w")
  for i in $(seq 350); do mkdir "$w/svc-$i.service" && cgs+=("$w/svc-$i.service"); done
  for i in 7 170 350; do bg sh -c "echo \$\$ > $w/svc-$i.service/cgroup.procs; exec sleep 600"; done
  for _ in $(seq 100); do [ "$(cat "$w"/svc-{7,170,350}.service/cgroup.procs | grep -c .)" = 3 ] && break; sleep 0.05; done
  for j in "" "--jobs 1"; do
    # shellcheck disable=SC2086
    run "$MP" --json $j --cgroup "$w" 0 0
    ok "17.1 --cgroup over 350 sibling cgroups${j:+ ($j)}: exit 0, one ok object per process (3)" \
      '[ $rc = 0 ] && [ "$(oks)" = 3 ] && [ "$(grep -c . <<<"$out")" = 3 ] && [ -z "$err" ]' "exit $rc, $(oks) ok objects, stderr: $(head -c 300 "$tmp/err")"
  done
  run "$MP" --cgroup "$w" 0 0
  expect "17.1 --cgroup over 350 sibling cgroups, no flags: exit 0, silent" 0 "" ""
else
  echo "SKIP 17.1 --cgroup over 350 cgroups: needs root and a writable cgroup v2 hierarchy"
fi

# --- 17.2: a cgroup path longer than PATH_MAX; a subtree that cannot be read ----
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
      ok "17.2 --cgroup down to a path of $bottom_len bytes ($levels levels)${j:+ ($j)}: exit 0, the process at the bottom and the one at the top moved" \
        '[ $rc = 0 ] && [ "$(oks)" = 2 ] && grep -q "\"pid\":$bot,\"status\":\"ok\"" <<<"$out" && grep -q "\"pid\":$tp,\"status\":\"ok\"" <<<"$out" && [ -z "$err" ]' \
        "exit $rc, $(oks) ok objects, stderr: $(head -c 300 "$tmp/err")"
    done
  else
    echo "FAIL 17.2 a chain of $levels cgroups: only $made could be made"
  fi
else
  echo "SKIP 17.2 a cgroup path over PATH_MAX: needs root and a writable cgroup v2 hierarchy"
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
    echo "SKIP 17.2 an unreadable subtree: this kernel lets another user read a 0700 cgroup directory of root"
  else
    for j in "" "--jobs 1"; do
      # shellcheck disable=SC2086
      run nobody "$MP" --json $j --cgroup "$u" 0 0
      ok "17.2 a subtree the caller cannot read${j:+ ($j)}: one line, exit 1, the readable part moved" \
        '[ $rc = 1 ] && [ "$err" = "migratepages: --cgroup: cannot read '"'$u/closed'"': Permission denied; the processes below it were not moved" ] && grep -q "\"pid\":$up,\"status\":\"ok\"" <<<"$out" && [ "$(grep -c . <<<"$out")" = 1 ]' \
        "exit $rc, stderr '$err', stdout $(head -c 300 "$tmp/out")"
    done
  fi
else
  echo "SKIP 17.2 an unreadable subtree: needs root, setpriv and a writable cgroup v2 hierarchy"
fi

# --- 17.3: a pid reused while the tool is held (strace), in a pid namespace ----
# where no other process takes numbers. The kill comes while the call on B
# is held (2 s); C takes A's number before that call returns.
reuse() {  # reuse MODE: runs test/helpers/pid_reuse.sh, up to 3 tries; $a $b $c $rc $tk set
  local tc tb
  for _ in 1 2 3; do
    rm -f "$tmp/reuse/"*; mkdir -p "$tmp/reuse"
    timeout 300 unshare -p -f --mount-proc bash test/helpers/pid_reuse.sh "$MP" "$1" "$tmp/reuse" 2000000 >/dev/null 2>&1
    [ -s "$tmp/reuse/facts" ] || continue
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
    ok "17.3 pid reuse under the mover (--jobs 1): the killed process is not reported ok (ESRCH), no move_pages call names its number after the kill, B ok, exit 1" \
      '[ $rc = 1 ] && grep -q "\"pid\":$a,\"status\":\"error\".*\"errno\":\"ESRCH\"" <<<"$out" && grep -q "\"pid\":$b,\"status\":\"ok\"" <<<"$out" && [ "$(calls_after move_pages "$a" "$tk")" = 0 ]' \
      "exit $rc, $(calls_after move_pages "$a" "$tk") move_pages calls named $a after the kill, stdout $(head -c 400 <<<"$out" | oneline)"
    expect "17.3 pid reuse under the mover: the process is said to have exited during the move" 1 '*' \
      "migratepages: $a: the process exited during the move, after 0 B had moved; no call named its pid after that"
  else
    echo "FAIL 17.3 pid reuse under the mover: the number was not given back in time in 3 tries ($(cat "$tmp/reuse/facts" 2>/dev/null))"
  fi
  if reuse single; then
    ok "17.3 pid reuse, one migrate_pages call: 'no such process', no call names its number after the kill, B ok, exit 1" \
      '[ $rc = 1 ] && [ "$err" = "migratepages: $a: no such process" ] && grep -q "\"pid\":$b,\"status\":\"ok\"" <<<"$out" && [ "$(calls_after migrate_pages "$a" "$tk")" = 0 ]' \
      "exit $rc, stderr '$err', $(calls_after migrate_pages "$a" "$tk") migrate_pages calls named $a after the kill"
  else
    echo "FAIL 17.3 pid reuse, one call: the number was not given back in time in 3 tries ($(cat "$tmp/reuse/facts" 2>/dev/null))"
  fi
else
  echo "SKIP 17.3 pid reuse: needs root, strace and unshare -p"
fi

# --- 17.4: a process that leaves the cgroup between the listing and the move --
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
  ok "17.4 --cgroup --jobs 1: a process that left the cgroup meanwhile is passed over (-v says so), exit 0" \
    '[ $rc = 0 ] && [ -z "$err" ] && grep -qx "pid $lv: skipped (it left the cgroup)" <<<"$out" && ! grep -q "move_pages($lv," "$tmp/strace" && grep -q "move_pages($st," "$tmp/strace"' \
    "exit $rc, stderr '$err', stdout: $(head -c 300 "$tmp/out" | oneline) / move_pages calls naming it: $(grep -c "move_pages($lv," "$tmp/strace")"
  run "$MP" --jobs 1 --json --cgroup "$d" 0 0
  ok "17.4 ... the one still there: moved" '[ $rc = 0 ] && grep -q "\"pid\":$st,\"status\":\"ok\"" <<<"$out" && [ "$(grep -c . <<<"$out")" = 1 ]' "exit $rc: $out $err"
else
  echo "SKIP 17.4 a process that leaves the cgroup: needs root, strace and a writable cgroup v2 hierarchy"
fi

# --- 17.5: the mover and a /proc that is not this pid namespace's, or none ----
refusal="the chunked mover reads each process's memory map there; mount a /proc of this pid namespace, or leave out --jobs, --rate, --chunk and --progress (one migrate_pages call needs no /proc)"
if [ $root = 1 ] && have unshare && unshare -p -f true 2>/dev/null; then
  for n in "" "-n "; do
    run unshare -p -f sh -c "sleep 600 & s=\$!; '$MP' $n--jobs 1 \$s 0 0; r=\$?; kill \$s; exit \$r"
    expect "17.5 a /proc of another pid namespace: ${n}--jobs 1 refuses" 1 "" "migratepages: 2: /proc belongs to another pid namespace: $refusal"
  done
  run unshare -p -f sh -c "sleep 600 & s=\$!; '$MP' \$s 0 0; r=\$?; kill \$s; exit \$r"
  expect "17.5 ... the single call needs no /proc: exit 0" 0 "" ""
else
  echo "SKIP 17.5 a /proc of another pid namespace: needs root and unshare -p"
fi
static=0
LC_ALL=C readelf -l "$MP" 2>/dev/null | grep -q INTERP || static=1
if [ $root = 1 ] && have chroot && [ $static = 1 ]; then
  mkdir -p "$tmp/root"; cp "$MP" "$tmp/root/migratepages"
  for n in "" "-n "; do
    # shellcheck disable=SC2086
    run chroot "$tmp/root" /migratepages $n--jobs 1 "$p" 0 0
    expect "17.5 no /proc: ${n}--jobs 1 refuses, naming what to do" 1 "" "migratepages: $p: /proc is not mounted: $refusal"
  done
  run chroot "$tmp/root" /migratepages "$p" 0 0
  expect "17.5 ... no /proc, the single call: exit 0" 0 "" ""
else
  echo "SKIP 17.5 no /proc: needs root, chroot and a static binary (this one has a program interpreter)"
fi

# --- 17.6: the page size of a hugetlbfs mount at a directory named pagesize=1G --
nr=/proc/sys/vm/nr_hugepages
hp_mnt=$tmp/hp/pagesize=1G
if [ $root = 1 ] && [ $have_py = 1 ] && [ -w $nr ] && [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] &&
   grep -qw hugetlbfs /proc/filesystems && mkdir -p "$hp_mnt" && mount -t hugetlbfs -o pagesize=2M none "$hp_mnt"; then
  mounts+=("$hp_mnt")
  hugepages_old=$(cat $nr)
  echo $((hugepages_old + 6)) >$nr 2>/dev/null
  free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
  if [ "$free" -lt 4 ]; then
    echo "SKIP 17.6 hugetlbfs at .../pagesize=1G: no 4 free 2 MiB huge pages could be reserved ($free free)"
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
      ok "17.6 hugetlbfs (pagesize=2M) mounted at .../pagesize=1G: in place ${got:-?} bytes, numa_maps $want (within 16 pages)" \
        '[ $rc = 0 ] && [ -n "$got" ] && [ $(( got > want ? got - want : want - got )) -le 65536 ] && grep -q "\"status\":\"ok\"" <<<"$out"' \
        "exit $rc, in_place_bytes ${got:-none}, numa_maps says $want: $(head -c 300 <<<"$out") $err"
    else
      echo "FAIL 17.6 the process mapping 8 MiB of hugetlbfs did not start"
    fi
    kill "$hp"; wait "$hp" 2>/dev/null
  fi
else
  echo "SKIP 17.6 hugetlbfs at .../pagesize=1G: needs root, python3, 2 MiB huge pages and hugetlbfs"
fi

# --- 17.7: a zombie under the mover ---------------------------------------------
bg sh -c 'sleep 0 & echo $! >'"$tmp/zpid"'; exec sleep 600'
until_file "$tmp/zpid"; z=$(cat "$tmp/zpid")
if until_zombie "$z"; then
  for a in "--jobs 1" "-n --jobs 1" ""; do
    # shellcheck disable=SC2086
    run "$MP" $a "$z" 0 0
    expect "17.7 a zombie${a:+ ($a)}: said so, exit 1" 1 "" "migratepages: $z: the process has exited (a zombie): its memory is gone"
  done
else
  echo "FAIL 17.7 pid $z did not become a zombie in 20 s"
fi

# --- 17.8: a + list on a pid that is gone ------------------------------------------
for j in "" "--jobs 1"; do
  # shellcheck disable=SC2086
  run "$MP" --json $j "$dead" +0 +0
  ok "17.8 --json${j:+ $j} DEAD +0 +0: errno ESRCH, no such process, exit 1" \
    '[ $rc = 1 ] && [ "$err" = "migratepages: $dead: no such process" ] && grep -q "\"error\":{\"errno\":\"ESRCH\",\"message\":\"no such process\"}" <<<"$out"' \
    "exit $rc, stderr '$err', stdout $out"
done

# --- 17.10: an EPERM that no check explains ---------------------------------------
# A security module refusing: a Landlock domain of the tool's own (the tool
# may read the process and its cpuset allows the nodes, but the process is
# outside the domain). pid 1 is not asked: on these machines it is not the
# project's.
sec="permission denied, although the process may be read by you and its cpuset allows the to-nodes: probably a security module (Landlock, AppArmor, SELinux, Yama) refused it"
if abi=$(build/landlock_exec -p 2>/dev/null); then
  for j in "" "--jobs 1"; do
    # shellcheck disable=SC2086
    run build/landlock_exec "$MP" $j "$p" 0 0
    expect "17.10 refused by a security module (Landlock ABI $abi)${j:+ ($j)}: named as such" 1 "" "migratepages: $p: $sec"
  done
  run build/landlock_exec sh -c "sleep 600 & s=\$!; '$MP' --jobs 1 \$s 0 0; r=\$?; kill \$s; exit \$r"
  expect "17.10 ... a process of the same Landlock domain: moved (the control)" 0 "" ""
else
  echo "SKIP 17.10 a security module refusing: this kernel has no Landlock"
fi

# --- 17.11: a second stop signal of another kind ends the tool at once ---------
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
  ok "17.11 SIGINT then SIGTERM: dies of SIGTERM at once (exit 143), no interrupted report" \
    '[ $rc = 143 ] && ! grep -q interrupted <<<"$err"' "exit $rc, stderr '$(oneline <<<"$err")'"
else
  echo "SKIP 17.11 a second stop signal: needs strace and env --default-signal"
fi

# --- 17.12: control bytes never reach the terminal ------------------------------
run "$MP" --rate=$'\e[2J\nX' "$p" 0 0
expect "17.12 --rate with ESC and a newline: escaped, two lines" 1 "" "migratepages: --rate: '\\x1b[2J\\x0aX' is not a rate (bytes per second, e.g. 200M)
Try 'migratepages --help' for more information."
zone="'%' must be followed by an interface name (1 to 15 bytes, no '/')"
run "$MP" "$p" 0 'ip:fe80::1%'
expect "17.12 ip: with an empty zone" 1 "" "migratepages: to-nodes: 'ip:fe80::1%': $zone"
long=ip:fe80::1%$(printf 'x%.0s' $(seq 40))
run "$MP" "$p" 0 "$long"
expect "17.12 ip: with a zone of 40 bytes" 1 "" "migratepages: to-nodes: '${long:0:40}...': $zone"
if [ $root = 1 ] && have ip && have unshare && unshare -n true 2>/dev/null; then
  # an interface whose name holds ESC, routing 192.0.2.0/24 (TEST-NET-1) in a
  # private network namespace: dummy if the kernel has it, else a bridge
  run unshare -n sh -c 'n=$(printf "mp\033x"); { ip link add name "$n" type dummy 2>/dev/null || ip link add name "$n" type bridge; } &&
    ip link set "$n" up && ip addr add 192.0.2.1/24 dev "$n" && exec "$0" -n "$1" 0 ip:192.0.2.7' "$MP" "$p"
  ok "17.12 an interface name with ESC from the routing table: escaped as \\x1b, no raw byte" \
    '[ $rc = 1 ] && grep -q "routed through mp\\\\x1bx" "$tmp/err" && ! grep -qP "\\x1b" "$tmp/err"' "exit $rc, stderr: $(od -c "$tmp/err" | head -5 | oneline)"
else
  echo "SKIP 17.12 an interface name with ESC: needs root, ip and unshare -n"
fi

# --- 17.13: a write error on stdout after a mover run ---------------------------
if [ -w /dev/full ]; then
  "$MP" --jobs 1 -v "$p" 0 0 >/dev/full 2>"$tmp/err"; rc=$?; err=$(cat "$tmp/err"); out=""
  expect "17.13 --jobs 1 -v >/dev/full: the error, and that the migration went on" 1 "" \
    "migratepages: cannot write to standard output: No space left on device (the migration went on regardless; exit status 1)"
else
  echo "SKIP 17.13 --jobs 1 -v >/dev/full: no writable /dev/full"
fi

# --- 17.15: a pid and one of its threads in the same list ------------------------
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
    ok "17.15 --json${j:+ $j} PID,TID: one object" '[ $rc = 0 ] && [ "$(grep -c . <<<"$out")" = 1 ] && grep -q "\"pid\":$tp,\"status\":\"ok\"" <<<"$out"' \
      "exit $rc, $(grep -c . <<<"$out") objects: $(cut -c1-60 <<<"$out" | oneline) $err"
  done
  if [ $have_strace = 1 ]; then
    strace -f -qq -e trace=migrate_pages -o "$tmp/strace" "$MP" "$tp,$tt" 0 0 >/dev/null 2>&1; rc=$?
    ok "17.15 PID,TID: one migrate_pages call" '[ $rc = 0 ] && [ "$(grep -c "migrate_pages(" "$tmp/strace")" = 1 ]' "exit $rc: $(cut -c1-80 "$tmp/strace" | oneline)"
    strace -f -qq -e trace=move_pages -o "$tmp/strace" "$MP" --jobs 1 "$tp,$tt" 0 0 >/dev/null 2>&1; rc=$?
    ok "17.15 --jobs 1 PID,TID: one check (move_pages of no page) of the process" \
      '[ $rc = 0 ] && [ "$(grep -Ec "move_pages\(($tp|$tt), 0, NULL" "$tmp/strace")" = 1 ]' "exit $rc: $(grep -E "move_pages\(($tp|$tt), 0" "$tmp/strace" | cut -c1-80 | oneline)"
  else
    echo "SKIP 17.15 PID,TID call counts: no strace"
  fi
else
  echo "SKIP 17.15 PID,TID: no python3 (for a process with a second thread)"
fi

# --- 17.16: --jobs with leading zeros ---------------------------------------------
run "$MP" --jobs 0064 "$p" 0 0
expect "17.16 --jobs 0064: refused" 1 "" "migratepages: --jobs: '0064' is not a number of workers (1-64)
Try 'migratepages --help' for more information."
run "$MP" -j064 "$p" 0 0
expect "17.16 -j064: refused" 1 "" "migratepages: --jobs: '064' is not a number of workers (1-64)
Try 'migratepages --help' for more information."

# --- 17.17: the --chunk default under --rate, in --help and the man page -------
help=$("$MP" --help | sed -n '/^ *--chunk/,/^ *--progress/p' | sed '$d' | tr -s ' \n' '  ')
ok "17.17 --help: --chunk under --rate defaults to 512 to 4096 pages" \
  'grep -Eq "with --rate .*(512 to 4096|at least 512 and at most 4096)" <<<"$help"' "$help"
man=$(sed -n '/^\.BI \\-\\-chunk/,/^\.TP/p' man/migratepages.8 | sed 's/^\.[A-Z]* //; s/\\-/-/g; s/\\&//g; s/"//g' | tr -s ' \n' '  ')
ok "17.17 man page: --chunk under --rate defaults to 512 to 4096 pages" \
  'grep -Eq "With --rate .*(512 to 4096|at least 512 and at most 4096) pages" <<<"$man"' "$man"

# --- the same checks on both paths ----------------------------------------------
# Each case runs four times: plain and --jobs 1, real run and dry run. The
# plain and the --jobs 1 run must give the same exit status and the same
# stderr, byte for byte (NORM=1: the seccomp sentence, which names the
# system call refused, may say move_pages where the plain run says
# migrate_pages); the plain real run must give WANT-EXIT and stderr matching
# WANT-ERE (so that each case is the case it says it is). A dry run
# consults neither a seccomp filter nor a security module (man page, -n):
# both ways it must agree all the same.
#   both NAME WANT-EXIT WANT-ERE PREFIX ARGS...   (PREFIX: a command or function run before the tool)
plain() { "$@"; }
nocap() { setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace "$@"; }
hidepid() { unshare -m sh -c 'mount -t proc -o hidepid=invisible proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "$@"; }
userns() { unshare -r "$@"; }
sc_eperm() { build/seccomp_exec eperm "$@"; }
landlock() { build/landlock_exec "$@"; }
both() {
  local name=$1 want=$2 ere=$3 pre=$4 dry r1 r2 e1 e2; shift 4
  for dry in "" "-n"; do
    # shellcheck disable=SC2086
    $pre "$MP" $dry "$@" >"$tmp/out1" 2>"$tmp/err1"; r1=$?
    # shellcheck disable=SC2086
    $pre "$MP" $dry --jobs 1 "$@" >"$tmp/out2" 2>"$tmp/err2"; r2=$?
    e1=$(cat "$tmp/err1"); e2=$(cat "$tmp/err2")
    [ "${NORM:-0}" = 1 ] && e2=${e2//move_pages/migrate_pages}
    if [ -z "$dry" ] && { [ "$r1" != "$want" ] || ! grep -Eq -- "$ere" <<<"$e1"; }; then
      echo "FAIL both ways: $name: the plain run gave exit $r1, stderr '$e1' (want exit $want, stderr matching /$ere/)"
    elif [ "$r1" = "$r2" ] && [ "$e1" = "$e2" ]; then
      echo "PASS both ways: $name${dry:+, --dry-run}: exit $r1, the same words"
    else
      echo "FAIL both ways: $name${dry:+, --dry-run}: plain exit $r1 '$e1'; --jobs 1 exit $r2 '$(cat "$tmp/err2")'"
    fi
  done
}
big=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
kt=""
for s in /proc/[0-9]*/stat; do
  f=$(sed 's/.*) //' "$s" 2>/dev/null | cut -d' ' -f7)
  [ -n "$f" ] && (( f & 0x200000 )) && { kt=${s#/proc/}; kt=${kt%/stat}; break; }
done
"build/leader_exit" 4 >"$tmp/le" 2>/dev/null & le=$!; pids+=("$le")
until_zombie "$le"; until_file "$tmp/le"; read -r lp _ <"$tmp/le"

both "a pid that does not exist" 1 "^migratepages: $big: no such process\$" plain "$big" 0 0
both "a dead pid in a list with a live one" 1 "^migratepages: $dead: no such process\$" plain "$p,$dead" 0 0
if [ -n "${z:-}" ] && grep -q '^State:.Z' "/proc/$z/status" 2>/dev/null; then
  both "a zombie" 1 "^migratepages: $z: the process has exited \\(a zombie\\): its memory is gone\$" plain "$z" 0 0
else
  echo "FAIL both ways: a zombie: none to ask"
fi
if [ -n "$kt" ]; then
  both "a kernel thread (pid $kt)" 1 "^migratepages: $kt: a kernel thread: it has no user memory to move\$" plain "$kt" 0 0
else
  echo "SKIP both ways: a kernel thread: none visible in /proc here"
fi
if [ $root = 1 ] && have setpriv; then
  both "another user's process" 1 "^migratepages: $p: permission denied: the process runs as uid 0 gid 0 and you are uid 65534 gid 65534; " nobody "$p" 0 0
  if [ $have_py = 1 ]; then
    mkdir -m 777 "$tmp/nd"
    bg setpriv --reuid=65534 --regid=65534 --clear-groups "$py" -c \
      'import ctypes, sys, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); open(sys.argv[1], "w").write("ok\n"); time.sleep(600)' "$tmp/nd/ready"
    nd=$last; until_file "$tmp/nd/ready"
    both "a process that is not dumpable" 1 "^migratepages: $nd: permission denied: the process is not dumpable " nobody "$nd" 0 0
  else
    echo "SKIP both ways: not dumpable: no python3"
  fi
  if nocap true 2>/dev/null; then
    both "root without CAP_SYS_PTRACE, a process holding it" 1 "^migratepages: $p: permission denied: the process holds capabilities you do not have \\(cap_sys_ptrace\\)" nocap "$p" 0 0
  else
    echo "SKIP both ways: root without CAP_SYS_PTRACE: setpriv cannot drop it here"
  fi
  if have unshare; then
    both "hidepid=invisible" 1 "^migratepages: $p: permission denied: /proc hides the process \\(hidepid\\)" hidepid "$p" 0 0
  else
    echo "SKIP both ways: hidepid: no unshare"
  fi
else
  echo "SKIP both ways: another user, not dumpable, capabilities, hidepid: needs root and setpriv"
fi
both "a + list on a dead pid" 1 "^migratepages: $dead: no such process\$" plain "$dead" +0 +0
both "a node that does not exist" 1 "^migratepages: to-nodes: node 1000 does not exist \\(nodes: $(cat /sys/devices/system/node/online)\\)\$" plain "$p" 0 1000
if [ -n "${tt:-}" ] && [ -d "/proc/$tp/task/$tt" ]; then
  both "a thread id" 0 "^\$" plain "$tt" 0 0
else
  echo "SKIP both ways: a thread id: no python3 (for a process with a second thread)"
fi
both "a process whose main thread has exited" 0 "^\$" plain "$lp" 0 0
if have unshare && unshare -r true 2>/dev/null; then
  both "in a user namespace, a process outside it" 1 "^migratepages: $p: permission denied: the process is outside your user namespace" userns "$p" 0 0
else
  echo "SKIP both ways: a user namespace: unshare -r is not allowed here"
fi
NORM=1 both "a seccomp filter answering EPERM" 1 "^migratepages: $p: migrate_pages was refused by a seccomp filter" sc_eperm "$p" 0 0
if build/landlock_exec -p >/dev/null 2>&1; then
  both "a security module (Landlock) refusing" 1 "^migratepages: $p: $(sed 's/[()]/\\&/g' <<<"$sec")\$" landlock "$p" 0 0
else
  echo "SKIP both ways: a security module: this kernel has no Landlock"
fi
