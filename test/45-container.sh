#!/usr/bin/env bash
# Real containers (podman with runc, from Debian): a FROM scratch image holding
# only the binary, run against a process of the host
#  - with the runtime's default seccomp profile: the seccomp sentence, exit 1,
#    and the kernel never sees a migrate_pages call (syscall trace);
#  - with the README's command line (--pid=host, SYS_NICE + SYS_PTRACE, seccomp
#    unconfined): the call reaches the kernel for that pid and returns 0, exit 0;
#    without SYS_PTRACE (a root target holds capabilities the container lacks):
#    exit 1, naming CAP_SYS_PTRACE;
#  - against another user's process: refused without SYS_PTRACE (its uid named),
#    moved with --user of that uid;
#  - in a user namespace (--uidmap, what rootless podman gives): exit 1, and the
#    explanation says the namespace's capabilities do not reach the host;
#  - contrib/seccomp.json in place of the default profile, under runc and crun
#    (each scenario: as with seccomp=unconfined; with the default profile the
#    seccomp sentence), and a table scenario x runtime x profile;
#  - contrib/kubernetes/migratepages-pod.yaml with `podman kube play`.
# This host has one NUMA node: "moves" means migrate_pages(PID, 0, 0) returned 0
# in the kernel; pages crossing nodes is proven in the qemu guests (50-vm).
# A host limit (no podman or runc, not root, the runtime refuses to start a
# container) is a SKIP with the reason.
# Podman runs with its own storage in a temporary folder (vfs), runc and
# cgroupfs, and rlimits within the host's hard limits (podman raises them for
# root containers otherwise). crun (1.8) refuses a hybrid cgroup layout whose
# v2 tree offers a controller ("cgroups in hybrid mode not supported, drop all
# controllers from cgroupv2"); where it does, crun runs in a private mount
# namespace with a tmpfs over /sys/fs/cgroup/unified: it then sees a v1
# (legacy) host, as many are, and places the container in the v1 controllers.
# The tool's JSON lines go to the schema check (test/lib.sh: jlog).
set -u
cd "$TOP" || exit 1
# shellcheck source=lib.sh
. test/lib.sh
tmp=$(mktemp -d)
pids=() trace='' mounted=''
cleanup() {
  [ ${#pids[@]} = 0 ] || kill "${pids[@]}" 2>/dev/null
  [ -z "$trace" ] || { echo 0 >"$trace/tracing_on"; rmdir "$trace"; } 2>/dev/null
  [ -z "$mounted" ] || umount "$mounted" 2>/dev/null
  [ ! -d "$tmp/root" ] || { "${P[@]}" pod rm -af; "${P[@]}" rm -af; } >/dev/null 2>&1
  rm -rf "$tmp" 2>/dev/null
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then echo "SKIP containers: podman as root is needed here"; exit 0; fi
for c in podman runc; do
  command -v $c >/dev/null 2>&1 || { echo "SKIP containers: no $c (Debian packages podman, runc)"; exit 0; }
done
P=(podman --root "$tmp/root" --runroot "$tmp/run" --tmpdir "$tmp/libpod" --storage-driver vfs
   --runtime runc --cgroup-manager cgroupfs --events-backend file)
LIM=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
img=localhost/migratepages:test

# the image: FROM scratch, the binary and nothing else; built from a local folder
mkdir -p "$tmp/ctx"
cp "$MP" "$tmp/ctx/migratepages"
printf 'FROM scratch\nCOPY migratepages /migratepages\nENTRYPOINT ["/migratepages"]\n' >"$tmp/ctx/Containerfile"
if ! "${P[@]}" build -q -t "$img" "$tmp/ctx" >"$tmp/build.log" 2>&1; then
  echo "SKIP containers: podman build fails here: $(grep -m1 -i error "$tmp/build.log" || tail -1 "$tmp/build.log")"; exit 0
fi
layers=$("${P[@]}" image inspect --format '{{len .RootFS.Layers}}' "$img" 2>/dev/null)
files=$("${P[@]}" image save "$img" 2>/dev/null | tar -xO --wildcards '*.tar' 2>/dev/null | tar -t 2>/dev/null | tr '\n' ' ')
if [ "$layers" = 1 ] && [ "$files" = "migratepages " ]; then
  echo "PASS image: FROM scratch, one layer holding only migratepages"
else
  echo "FAIL image: $layers layers, files: $files"
fi
# probe: can this host start a container at all?
if ! "${P[@]}" run --rm "${LIM[@]}" "$img" --version >"$tmp/probe.out" 2>&1; then
  echo "SKIP containers: the runtime cannot start a container here: $(grep -m1 -i 'error' "$tmp/probe.out" || tail -1 "$tmp/probe.out")"; exit 0
fi
ok() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1: $3"; fi; }
ok "the binary runs in the image" '[ "$(cut -d" " -f1 "$tmp/probe.out")" = migratepages ]' "$(head -1 "$tmp/probe.out")"

# targets on the host: root's, and another user's (uid 1000)
bg() { ("$@" </dev/null >/dev/null 2>&1) & last=$!; pids+=("$last"); }
bg sleep 600; rp=$last
bg setpriv --reuid=1000 --regid=1000 --clear-groups sleep 600; up=$last
sleep 0.3

# The kernel's own record of migrate_pages calls: a private ftrace instance
# with the syscall events (a call a seccomp filter refuses never enters).
tr=/sys/kernel/tracing
if [ ! -d $tr/events ] && mount -t tracefs nodev $tr 2>/dev/null; then mounted=$tr; fi
if [ -d $tr/events/syscalls/sys_enter_migrate_pages ] && mkdir "$tr/instances/mp45-$$" 2>/dev/null; then
  trace=$tr/instances/mp45-$$
  echo 1 >"$trace/events/syscalls/sys_enter_migrate_pages/enable"
  echo 1 >"$trace/events/syscalls/sys_exit_migrate_pages/enable"
else
  echo "SKIP kernel trace of the calls: no tracefs with syscall events here (the exit status and messages are still checked)"
fi
# calls PID: what the kernel saw since the last look, "ENTER RET" per call on PID
calls() {
  [ -n "$trace" ] || return 0
  local hex; hex=$(printf '%x' "$1")
  awk -v want="pid: 0x$hex," '
    /sys_migrate_pages\(/ { split($1, c, "-"); t = c[length(c)]; if (index($0, want)) mine[t] = 1; next }
    /sys_migrate_pages ->/ { split($1, c, "-"); t = c[length(c)]; if (mine[t]) { print "call", $NF; delete mine[t] } }' "$trace/trace"
  : >"$trace/trace"
}
[ -z "$trace" ] || : >"$trace/trace"

# crun NAME WANT-EXIT PODMAN-OPTIONS... -- TOOL-ARGS...: a container run
crun() {
  local name=$1 want=$2; shift 2
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done; shift
  "${P[@]}" run --rm "${LIM[@]}" "${opts[@]}" "$img" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  ok "$name: exit $want" '[ $rc = '"$want"' ]' "exit $rc: $err"
}
# traced NAME PID EXPECT: EXPECT is 'none' or the return value (hex) of one call
traced() {
  [ -n "$trace" ] || return 0
  local got want="call $3"; got=$(calls "$2")
  if [ "$3" = none ]; then
    ok "$1: the kernel saw no migrate_pages call" '[ -z "$got" ]' "$got"
  else
    ok "$1: the kernel ran migrate_pages($2, ...) = $3" '[ "$got" = "$want" ]' "saw: ${got:-nothing}"
  fi
}
EPERM=0xffffffffffffffff

# 1. the default seccomp profile
crun "default seccomp profile" 1 --pid=host -- "$rp" 0 0
ok "default seccomp profile: the seccomp sentence" 'grep -q "refused by a seccomp filter" <<<"$err" && grep -q "seccomp=unconfined" <<<"$err"' "$err"
traced "default seccomp profile" "$rp" none

# 2. the documented command line, against root's process
doc=(--pid=host --cap-add SYS_NICE --cap-add SYS_PTRACE --security-opt seccomp=unconfined)
crun "README's command line, root's process" 0 "${doc[@]}" -- "$rp" 0 0
ok "README's command line: nothing on stderr" '[ -z "$err" ]' "$err"
traced "README's command line" "$rp" 0x0
crun "README's command line, --json" 0 "${doc[@]}" -- --json "$rp" 0 0
ok "README's command line, --json: status ok" 'grep -q "\"pid\":$rp,\"status\":\"ok\"" <<<"$out"' "$out"
calls "$rp" >/dev/null
# (negative control: the command line documented before, without SYS_PTRACE)
crun "without SYS_PTRACE, root's process" 1 --pid=host --cap-add SYS_NICE --security-opt seccomp=unconfined -- "$rp" 0 0
ok "without SYS_PTRACE: CAP_SYS_PTRACE named" 'grep -q "CAP_SYS_PTRACE" <<<"$err"' "$err"
traced "without SYS_PTRACE" "$rp" $EPERM

# 3. another user's process
crun "another user's process, no SYS_PTRACE" 1 --pid=host --security-opt seccomp=unconfined -- "$up" 0 0
ok "another user's process: its uid and CAP_SYS_PTRACE named" 'grep -q "uid 1000" <<<"$err" && grep -q "CAP_SYS_PTRACE" <<<"$err"' "$err"
calls "$up" >/dev/null
crun "another user's process, --user 1000:1000" 0 --pid=host --user 1000:1000 --security-opt seccomp=unconfined -- "$up" 0 0
traced "--user 1000:1000" "$up" 0x0

# 4. a user namespace (as rootless podman runs containers): capabilities there
# do not count for the host's processes
crun "user namespace, root's process" 1 --uidmap 0:100000:65536 --gidmap 0:100000:65536 "${doc[@]}" -- "$rp" 0 0
ok "user namespace: the explanation names the user namespace" 'grep -q "user namespace" <<<"$err"' "$err"
traced "user namespace" "$rp" $EPERM

# 5. contrib/seccomp.json, the profile that allows what the tool calls and
# nothing else, in place of the runtime's default, under runc and crun; with
# no-new-privileges, so that the runtime installs the filter just before it
# starts the binary (without it runc drops capabilities under the filter,
# which would need capset, prctl, setgroups, ... allowed as well). Each
# scenario runs with seccomp=unconfined for reference: with our profile the
# same exit status and stderr (the pid in a message blanked); with the
# runtime's default, the scenarios that call migrate_pages/move_pages get the
# seccomp sentence (exit 1), the others the reference's answer.
prof=$TOP/contrib/seccomp.json
cgroot=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
scg=
if [ -n "$cgroot" ] && mkdir "$cgroot/mp45-$$" 2>/dev/null; then
  scg=$cgroot/mp45-$$
  bg sh -c "echo \$\$ > $scg/cgroup.procs; exec sleep 600"
  bg sh -c "echo \$\$ > $scg/cgroup.procs; exec sleep 600"
fi
sh -c 'exit 0' & dead=$!; wait $dead
mkdir -p "$tmp/metrics"
sleep 0.3
# NAME | MOVES (1: it calls migrate_pages or move_pages) | podman options | tool arguments
scenarios=(
  "plain|1|--pid=host|$rp 0 0"
  "verbose|1|--pid=host|-v $rp 0 0"
  "json|1|--pid=host|--json $rp 0 0"
  "dry run|0|--pid=host|-n -v $rp 0 0"
  "mover|1|--pid=host|--jobs 2 --rate 1G --chunk 64 --progress=always --json $rp 0 0"
  "metrics|1|--pid=host -v $tmp/metrics:/out|--metrics /out/m.prom $rp 0 0"
  "another user|1|--pid=host --user 1000:1000|$up 0 0"
  "dead pid|0|--pid=host|$dead 0 0"
  "bad node list|0|--pid=host|$rp 0 1000"
  "cold (the tracker probe)|0|--pid=host|--cold 1s $rp 0 0"
)
[ -n "$scg" ] && scenarios+=("cgroup|1|--pid=host -v $scg:/cg:ro|--json --cgroup /cg 0 0")
runtimes=(runc)
# crun: as it is, else in a private mount namespace with the v2 tree covered
# (the cgroup scenario's folder bound back in place); crun_pre is the command
# that runs podman for crun
crun_pre=()
unified_covered() {  # CMD...: CMD in a mount namespace where /sys/fs/cgroup/unified is a tmpfs
  SCG=$scg T=$tmp unshare -m --propagation private sh -c '
    set -e
    [ -z "$SCG" ] || { mkdir -p "$T/scg-bind"; mount --bind "$SCG" "$T/scg-bind"; }
    mount -t tmpfs -o mode=755 mp45 /sys/fs/cgroup/unified
    [ -z "$SCG" ] || { mkdir -p "$SCG"; mount --bind "$T/scg-bind" "$SCG"; }
    exec "$@"' sh "$@"
}
crun_probe() {
  "${crun_pre[@]}" podman --root "$tmp/root" --runroot "$tmp/run" --tmpdir "$tmp/libpod" --storage-driver vfs --runtime crun \
    --cgroup-manager cgroupfs --events-backend file run --rm "${LIM[@]}" "$img" --version >"$tmp/crun.out" 2>&1
}
if type -P crun >/dev/null; then
  if crun_probe; then
    runtimes+=(crun)
  elif grep -q 'hybrid mode not supported' "$tmp/crun.out" && [ -d /sys/fs/cgroup/unified ] &&
       crun_hybrid=$(grep -m1 'hybrid mode' "$tmp/crun.out") && crun_pre=(unified_covered) && crun_probe; then
    echo "crun: $(command crun --version | head -1): on this host as it is: ${crun_hybrid#Error: }; run in a private mount namespace with /sys/fs/cgroup/unified covered by a tmpfs (a v1 host to crun)"
    runtimes+=(crun)
  else
    crun_skip="crun cannot start a container here: $(grep -m1 -iE 'error|crun' "$tmp/crun.out" || tail -1 "$tmp/crun.out")"
  fi
else
  crun_skip="no crun (Debian package crun)"
fi
# srun RUNTIME PROFILE OPTIONS TOOL-ARGS: $rc, $err (pids blanked), $out
srun() {
  local o=() a=()
  read -ra o <<<"$3"; read -ra a <<<"$4"
  local pre=(); [ "$1" = crun ] && pre=("${crun_pre[@]}")
  "${pre[@]}" podman --root "$tmp/root" --runroot "$tmp/run" --tmpdir "$tmp/libpod" --storage-driver vfs --runtime "$1" \
    --cgroup-manager cgroupfs --events-backend file run --rm "${LIM[@]}" --cap-add SYS_NICE --cap-add SYS_PTRACE \
    --security-opt no-new-privileges ${2:+--security-opt "seccomp=$2"} "${o[@]}" "$img" "${a[@]}" >"$tmp/out" 2>"$tmp/err"
  rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(sed 's/[0-9][0-9]*/N/g' "$tmp/err")
}
table=()
for rt in runc crun; do
  for sc in "${scenarios[@]}"; do
    IFS='|' read -r name moves opts args <<<"$sc"
    if [ "$rt" = crun ] && [ -n "${crun_skip:-}" ]; then
      table+=("$name|$rt|both|SKIP: ${crun_skip:0:60}"); continue
    fi
    srun "$rt" unconfined "$opts" "$args"; ref_rc=$rc ref_err=$err
    srun "$rt" "$prof" "$opts" "$args"
    cell="exit $rc"; [ -n "$err" ] && [ $rc != 0 ] && cell="$cell: ${err:0:50}"
    ok "seccomp.json, $rt, $name: as unconfined (exit $ref_rc)" '[ "$rc" = "$ref_rc" ] && [ "$err" = "$ref_err" ] && ! grep -q seccomp <<<"$err"' \
      "exit $rc, stderr '$err'; unconfined: exit $ref_rc, stderr '$ref_err'"
    [ "$name" = metrics ] && ok "seccomp.json, $rt, metrics: the file written" '[ -s "$tmp/metrics/m.prom" ] && grep -q "^migratepages_exit_status 0$" "$tmp/metrics/m.prom"' "$(ls "$tmp/metrics")"
    table+=("$name|$rt|ours|exit $rc${rc:+$( [ "$rc" = "$ref_rc" ] && echo ', as unconfined')}")
    srun "$rt" "" "$opts" "$args"
    if [ "$moves" = 1 ]; then
      ok "default profile, $rt, $name: the seccomp sentence, exit 1" '[ $rc = 1 ] && grep -q "refused by a seccomp filter" <<<"$err"' "exit $rc: $err"
      table+=("$name|$rt|default|exit $rc, seccomp named")
    else
      ok "default profile, $rt, $name: as unconfined (exit $ref_rc)" '[ "$rc" = "$ref_rc" ] && [ "$err" = "$ref_err" ]' "exit $rc: $err"
      table+=("$name|$rt|default|exit $rc, as unconfined")
    fi
  done
done
[ -n "${crun_skip:-}" ] && echo "SKIP seccomp.json under crun: $crun_skip"
echo "seccomp profiles: scenario x runtime x profile"
printf '  %-26s %-5s %-8s %s\n' scenario runtime profile result
for row in "${table[@]}"; do
  IFS='|' read -r a b c d <<<"$row"
  printf '  %-26s %-5s %-8s %s\n' "$a" "$b" "$c" "$d"
done
if [ -n "$scg" ]; then
  kill "${pids[@]: -2}" 2>/dev/null; wait "${pids[@]: -2}" 2>/dev/null; rmdir "$scg" 2>/dev/null
fi

# 6. the Kubernetes pod spec, with podman kube play (a local image, no pull)
spec=contrib/kubernetes/migratepages-pod.yaml
if ! command -v catatonit >/dev/null 2>&1; then
  echo "SKIP kube play: no catatonit, podman's pod pause process (Debian package catatonit)"
else
  "${P[@]}" tag "$img" localhost/migratepages:latest
  mkdir -p "$tmp/ctx-empty"
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >"$tmp/containers.conf"
  kube() {  # kube SPEC-FILE: plays it, waits; $rc, $out, $pidmode
    pidmode=''
    # (from an empty folder: kube play builds an image from a folder of the
    # image's name, and this tree has a file "migratepages")
    (cd "$tmp/ctx-empty" && CONTAINERS_CONF=$tmp/containers.conf timeout 120 "${P[@]}" kube play "$1") >"$tmp/kube.log" 2>&1 || {
      rc=play; out=$(cat "$tmp/kube.log"); return; }
    rc=$(timeout 60 "${P[@]}" wait migratepages-migratepages 2>&1)
    out=$("${P[@]}" logs migratepages-migratepages 2>&1)
    pidmode=$("${P[@]}" inspect --format '{{.HostConfig.PidMode}}' migratepages-migratepages 2>&1)
    "${P[@]}" kube down "$1" >/dev/null 2>&1
  }
  sed "s/\"PID\", \"0\", \"1\"/\"$rp\", \"0\", \"0\"/" "$spec" >"$tmp/pod.yaml"
  ok "kube play: the spec's args were set" 'grep -q "\"$rp\", \"0\", \"0\"" "$tmp/pod.yaml"' "$(grep args "$spec")"
  kube "$tmp/pod.yaml"
  if [ "$rc" = 0 ] && [ "$pidmode" = host ]; then
    ok "kube play: the pod moves root's process" 'grep -q "^pid $rp: 0 stays" <<<"$out"' "$out"
    traced "kube play" "$rp" 0x0
  elif [ "$pidmode" = private ]; then
    # podman 4.3 (Debian 12) ignores hostPID. The rest of the spec (capabilities,
    # seccomp) is still proven: in a shared pid namespace the pod's pause
    # process (root, pid 1) is the target.
    echo "SKIP kube play hostPID: podman $("${P[@]}" version --format '{{.Client.Version}}' 2>/dev/null) ignores hostPID in kube play (later podman supports it: containers/podman pull request 17168, 2023)"
    calls "$rp" >/dev/null
    sed 's/^  hostPID: true/  shareProcessNamespace: true/; s/"--verbose", "PID", "0", "1"/"--verbose", "1", "0", "0"/' "$spec" >"$tmp/pod1.yaml"
    kube "$tmp/pod1.yaml"
    ok "kube play: capabilities and seccomp of the spec let it move the pod's pid 1" '[ "$rc" = 0 ] && grep -q "^pid 1: 0 stays" <<<"$out"' "exit $rc: $out"
    # negative control: the same spec without the seccomp annotation is refused
    grep -v 'seccomp.security.alpha.kubernetes.io' "$tmp/pod1.yaml" | sed '/^  annotations:$/d' >"$tmp/pod2.yaml"
    kube "$tmp/pod2.yaml"
    ok "kube play: without the seccomp setting it is refused" '[ "$rc" = 1 ] && grep -q "refused by a seccomp filter" <<<"$out"' "exit $rc: $out"
  else
    echo "FAIL kube play: exit $rc, pid mode $pidmode: $out"
  fi
fi
exit 0
