#!/usr/bin/env bash
# contrib/systemd and contrib/kubernetes/migratepages-daemonset.yaml:
#  - `systemd-analyze verify` of the timer and service, instantiated with an
#    escaped cgroup path (a copy whose ExecStart names the built binary, since
#    verify wants the executable); a warning counts as a failure (verify exits
#    0 on a directive it cannot parse), and a negative control shows it does;
#  - `systemd-escape --path` round trip of a deep cgroup path;
#  - the service's ExecStart, expanded as systemd would (%i, %I, the
#    Environment= defaults, with WINDOW=1s, FROM=TO=0 and OPTIONS=--dry-run as
#    an EnvironmentFile would set them), run for real against a cgroup of this
#    host holding a sleep: exit 0, or where the kernel has no tracker the
#    documented refusal (exit 1); either way the metrics file is written where
#    the unit says, passes `promtool check metrics` and holds the exit status;
#  - the DaemonSet parses (python3 yaml), and its pod template, made a Pod, is
#    played with `podman kube play` (the image of test/45-container.sh) with
#    contrib/seccomp.json as its Localhost profile, a short window and a
#    temporary textfile folder: the container's exit status is the tool's
#    (0, or 1 with the no-tracker reason) and the metrics file appears on the
#    host path. podman cannot prove: the DaemonSet kind itself (scheduling,
#    one pod per node, restarts with the kubelet's back-off), and hostPID in
#    podman 4.3 (ignored there: test/45-container.sh). Timers firing are not
#    run (no systemd as pid 1 in CI).
set -u
cd "$TOP" || exit 1
tmp=$(mktemp -d)
pids=() cg='' P=()
cleanup() {
  [ "$BASHPID" = "$$" ] || return
  exec 2>/dev/null
  for x in "${pids[@]}"; do kill "$x" && wait "$x"; done
  [ -z "$cg" ] || rmdir "$cg"
  [ ${#P[@]} = 0 ] || { "${P[@]}" pod rm -af; "${P[@]}" rm -af; } >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
ok() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1: $3"; fi; }
svc=contrib/systemd/migratepages-cold@.service
tim=contrib/systemd/migratepages-cold@.timer
ds=contrib/kubernetes/migratepages-daemonset.yaml

# ---- systemd-escape: a deep cgroup path there and back
deep=/system.slice/system-postgresql.slice/postgresql@15-main.service/db\ x
if ! command -v systemd-escape >/dev/null 2>&1; then
  echo "SKIP systemd-escape: not installed (Debian package systemd)"; esc=''
else
  esc=$(systemd-escape --path "$deep")
  back=$(systemd-escape --unescape --path "$esc")
  ok "systemd-escape --path round trip of a deep cgroup path" '[ "$back" = "$deep" ] && [ "${esc#*/}" = "$esc" ]' "$deep -> $esc -> $back"
fi

# ---- systemd-analyze verify, instantiated
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP systemd-analyze verify: not installed (Debian package systemd)"
elif [ -z "$esc" ]; then
  echo "SKIP systemd-analyze verify: no systemd-escape for the instance name"
else
  mkdir "$tmp/units" "$tmp/neg"
  sed "s#^ExecStart=/usr/local/bin/migratepages #ExecStart=$MP #" "$svc" >"$tmp/units/migratepages-cold@.service"
  cp "$tim" "$tmp/units/"
  ln -s migratepages-cold@.service "$tmp/units/migratepages-cold@$esc.service"
  ln -s migratepages-cold@.timer "$tmp/units/migratepages-cold@$esc.timer"
  verify() { (cd "$1" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "${@:2}") >"$tmp/verify.out" 2>&1; vrc=$?; vout=$(cat "$tmp/verify.out"); }
  verify "$tmp/units" "./migratepages-cold@$esc.timer" "./migratepages-cold@$esc.service"
  if [ $vrc != 0 ] && grep -qi 'Failed to \(initialize\|setup\|connect\|create\)\|Permission denied' <<<"$vout"; then
    echo "SKIP systemd-analyze verify: it cannot run here: $(head -1 <<<"$vout")"
  else
    ok "systemd-analyze verify: timer and service of instance $esc, no warning" '[ $vrc = 0 ] && [ -z "$vout" ]' "exit $vrc: $vout"
    # negative control: a directive verify cannot parse is a warning, exit 0
    sed 's/^Type=oneshot/Type=oneshott/' "$tmp/units/migratepages-cold@.service" >"$tmp/neg/migratepages-cold@x.service"
    verify "$tmp/neg" ./migratepages-cold@x.service
    ok "systemd-analyze verify: a bad directive is seen (control)" '[ -n "$vout" ]' "exit $vrc, nothing printed"
  fi
fi

# ---- the service's ExecStart, run for real against a cgroup of this host
cgroot=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
if [ "$(id -u)" != 0 ]; then
  echo "SKIP ExecStart: root is needed (a cgroup, and the unit runs as root)"
elif [ -z "$esc" ]; then
  echo "SKIP ExecStart: no systemd-escape"
elif [ "${cgroot#/sys/fs/cgroup}" = "$cgroot" ] || ! mkdir "$cgroot/mptest-contrib-$$" 2>/dev/null; then
  echo "SKIP ExecStart: no cgroup v2 below /sys/fs/cgroup to create a cgroup in"
else
  cg=$cgroot/mptest-contrib-$$
  (sh -c "echo \$\$ >$cg/cgroup.procs; exec sleep 600" </dev/null >/dev/null 2>&1) & pids+=($!)
  sleep 0.3
  # %I: the instance unescaped, "-" to "/" and no leading "/"
  inst=$(systemd-escape --path "${cg#/sys/fs/cgroup}")
  unesc=$(systemd-escape --unescape "$inst")
  # the unit's Environment= defaults, then what an EnvironmentFile sets
  declare -A env=()
  for kv in $(sed -n 's/^Environment=//p' "$svc"); do env[${kv%%=*}]=${kv#*=}; done
  ok "ExecStart: the unit's defaults name WINDOW RATE FROM TO OPTIONS" '[ -n "${env[WINDOW]}" ] && [ -n "${env[RATE]}" ] && [ -n "${env[FROM]}" ] && [ -n "${env[TO]}" ] && [ -n "${env[OPTIONS]+set}" ]' "$(grep ^Environment= "$svc")"
  env[WINDOW]=1s env[FROM]=0 env[TO]=0 env[OPTIONS]=--dry-run
  line=$(sed -n 's/^ExecStart=//p' "$svc")
  line=${line//%i/$inst} line=${line//%I/$unesc}
  for k in "${!env[@]}"; do line=${line//\$\{$k\}/${env[$k]}} line=${line//\$$k/${env[$k]}}; done
  line=${line/#\/usr\/local\/bin\/migratepages /$MP }
  line=${line//\/var\/lib\/node_exporter\/textfile_collector/$tmp/textfile}
  mkdir "$tmp/textfile"
  ok "ExecStart: fully expanded, no quoting" '! grep -q "[%\$\"'"'"']" <<<"$line"' "$line"
  read -ra argv <<<"$line"
  "${argv[@]}" >"$tmp/out" 2>"$tmp/err"; rc=$?
  err=$(cat "$tmp/err")
  m=$tmp/textfile/migratepages-$inst.prom
  if [ $rc = 1 ] && grep -q "^migratepages: --cold: no way to see which pages are touched here" <<<"$err"; then
    echo "PASS ExecStart: refused as documented, exit 1 (this kernel has no tracker: $(cut -c1-80 <<<"$err")...)"
  else
    ok "ExecStart: exit 0 (--dry-run over /sys/fs/cgroup/$unesc)" '[ $rc = 0 ]' "exit $rc: $err"
  fi
  ok "ExecStart: the metrics file migratepages-$inst.prom written" '[ -s "$m" ] && [ "$(ls "$tmp/textfile")" = "migratepages-$inst.prom" ]' "$(ls "$tmp/textfile")"
  ok "ExecStart: its exit status in the metrics" 'grep -qx "migratepages_exit_status $rc" "$m"' "$(grep exit_status "$m" 2>/dev/null)"
  if command -v promtool >/dev/null 2>&1; then
    promtool check metrics <"$m" >"$tmp/prom" 2>&1; prc=$?
    ok "ExecStart: promtool check metrics" '[ $prc = 0 ]' "$(cat "$tmp/prom")"
  else
    echo "SKIP ExecStart: promtool check metrics: no promtool (Debian package prometheus)"
  fi
fi

# ---- the DaemonSet
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "SKIP DaemonSet: no python3 yaml module (Debian package python3-yaml)"; exit 0
fi
python3 - "$ds" "$tmp/pod.yaml" "$tmp/tf" "${cg#/sys/fs/cgroup/}" >"$tmp/ds.out" 2>&1 <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["apiVersion"] == "apps/v1" and d["kind"] == "DaemonSet", "kind"
t = d["spec"]["template"]
assert d["spec"]["selector"]["matchLabels"].items() <= t["metadata"]["labels"].items(), "selector"
s = t["spec"]; c = s["containers"][0]; sc = c["securityContext"]
assert s["hostPID"] is True, "hostPID"
assert sc["privileged"] is False, "privileged"
assert sorted(sc["capabilities"]["add"]) == ["SYS_NICE", "SYS_PTRACE"], "capabilities"
assert sc["seccompProfile"] == {"type": "Localhost", "localhostProfile": "migratepages.json"}, "seccomp"
vols = {v["name"]: v for v in s["volumes"]}
mounts = {m["name"]: m for m in c["volumeMounts"]}
assert vols["cgroup"]["hostPath"]["path"] == "/sys/fs/cgroup" and mounts["cgroup"].get("readOnly") is True, "cgroup ro"
assert vols["textfile"]["hostPath"]["path"] == "/var/lib/node_exporter/textfile_collector", "textfile"
a = c["args"]
assert a[a.index("--metrics") + 1].startswith(mounts["textfile"]["mountPath"] + "/"), "metrics path"
assert a[a.index("--cgroup") + 1].startswith(mounts["cgroup"]["mountPath"] + "/"), "cgroup path"
print(" ".join(a))
# the Pod podman plays: a 1 s window, nodes 0 0 (this host has one node and
# one tier), the textfile folder a temporary one, the cgroup the one made
# above (where there is one)
a[a.index("--cold") + 1] = "1s"; a[-2:] = ["0", "0"]
if sys.argv[4]:
    a[a.index("--cgroup") + 1] = mounts["cgroup"]["mountPath"] + "/" + sys.argv[4]
vols["textfile"]["hostPath"]["path"] = sys.argv[3]
pod = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "migratepages", "annotations": t["metadata"]["annotations"]},
       "spec": dict(s, restartPolicy="Never")}
yaml.safe_dump(pod, open(sys.argv[2], "w"), sort_keys=False)
PY
ok "DaemonSet: parses; hostPID, not privileged, SYS_NICE+SYS_PTRACE, seccomp Localhost, cgroup read-only, textfile folder" '[ -s "$tmp/pod.yaml" ]' "$(tail -1 "$tmp/ds.out")"
[ -s "$tmp/pod.yaml" ] || exit 0

# its pod template with podman kube play (the image of test/45-container.sh)
if [ "$(id -u)" != 0 ]; then echo "SKIP DaemonSet kube play: podman as root is needed here"; exit 0; fi
for c in podman runc catatonit; do
  command -v $c >/dev/null 2>&1 || { echo "SKIP DaemonSet kube play: no $c (Debian packages podman, runc, catatonit)"; exit 0; }
done
P=(podman --root "$tmp/root" --runroot "$tmp/run" --tmpdir "$tmp/libpod" --storage-driver vfs
   --runtime runc --cgroup-manager cgroupfs --events-backend file)
mkdir -p "$tmp/ctx" "$tmp/ctx-empty" "$tmp/seccomp" "$tmp/tf"
cp "$MP" "$tmp/ctx/migratepages"
printf 'FROM scratch\nCOPY migratepages /migratepages\nENTRYPOINT ["/migratepages"]\n' >"$tmp/ctx/Containerfile"
if ! "${P[@]}" build -q -t localhost/migratepages:latest "$tmp/ctx" >"$tmp/build.log" 2>&1; then
  echo "SKIP DaemonSet kube play: podman build fails here: $(grep -m1 -i error "$tmp/build.log" || tail -1 "$tmp/build.log")"; exit 0
fi
cp contrib/seccomp.json "$tmp/seccomp/migratepages.json"
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >"$tmp/containers.conf"
(cd "$tmp/ctx-empty" && CONTAINERS_CONF=$tmp/containers.conf timeout 120 "${P[@]}" kube play --seccomp-profile-root "$tmp/seccomp" "$tmp/pod.yaml") >"$tmp/kube.log" 2>&1
krc=$?
if [ $krc != 0 ]; then
  echo "FAIL DaemonSet kube play: exit $krc: $(tail -3 "$tmp/kube.log")"; exit 0
fi
rc=$(timeout 60 "${P[@]}" wait migratepages-migratepages 2>&1)
out=$("${P[@]}" logs migratepages-migratepages 2>&1)
"${P[@]}" kube down "$tmp/pod.yaml" >/dev/null 2>&1
if [ "$rc" = 1 ] && grep -q "no way to see which pages are touched here" <<<"$out"; then
  echo "PASS DaemonSet kube play: refused as documented, exit 1 (no tracker on this kernel)"
else
  ok "DaemonSet kube play: exit 0" '[ "$rc" = 0 ]' "exit $rc: $out"
fi
ok "DaemonSet kube play: the metrics file on the host path, its exit status in it" '[ -s "$tmp/tf/migratepages.prom" ] && grep -qx "migratepages_exit_status $rc" "$tmp/tf/migratepages.prom"' "$(ls -l "$tmp/tf"; cat "$tmp/tf/migratepages.prom" 2>/dev/null | grep exit)"
# control: the Localhost profile is the file podman reads (a broken one
# stops the play); podman's inspect does not show a profile's path
echo '{' >"$tmp/seccomp/migratepages.json"
(cd "$tmp/ctx-empty" && CONTAINERS_CONF=$tmp/containers.conf timeout 120 "${P[@]}" kube play --seccomp-profile-root "$tmp/seccomp" "$tmp/pod.yaml") >"$tmp/kube.log" 2>&1
krc=$?
"${P[@]}" kube down "$tmp/pod.yaml" >/dev/null 2>&1
ok "DaemonSet kube play: the seccomp profile at ROOT/migratepages.json is the one loaded (a broken one is refused)" '[ $krc != 0 ] && grep -qi seccomp "$tmp/kube.log"' "exit $krc: $(tail -2 "$tmp/kube.log")"
exit 0
