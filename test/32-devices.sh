#!/usr/bin/env bash
# test/32-devices.sh - the device forms of node lists (netdev:, pci:, block:,
# file:, ip:) against this host's real devices. For each device the expected
# answer is worked out here, independently of the tool, from sysfs: the
# numa_node of the device's directory or of the first parent that has one. A
# device with a node is used as both lists (N -> N moves nothing) and must
# give the same --dry-run report as the number N; a device with numa_node -1
# or none must give the exact error, without calling migrate_pages (a seccomp
# filter kills the tool if it does). When numactl's migratepages is
# installed, it must reach the same verdict (both accept or both refuse).
# Multi-node proof with real moves: test/50-vm.sh, boot x86_64-devices.
set -u
cd "$TOP" || exit 1
mkdir -p build
gcc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c || {
  echo "FAIL build seccomp_exec"; exit 1; }
# shellcheck source=lib.sh
. test/lib.sh
tmp=$(mktemp -d)
pids=()
bg sleep 600; p=$last
trap 'kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
numactl_mp=
if command -v migratepages >/dev/null && [ "$(command -v migratepages)" != "$MP" ] &&
   ! migratepages --version >/dev/null 2>&1; then
  numactl_mp=$(command -v migratepages)   # numactl's has no --version
fi
[ -n "$numactl_mp" ] || echo "SKIP devices side by side: numactl's migratepages is not installed (package numactl)"

# where DIR: "NODE" (>= 0), "-1 DIR" (numa_node -1 in DIR) or "none" (no numa_node up to /sys/devices)
where() {
  local d; d=$(readlink -f "$1")
  while [ "${d#/sys/devices/}" != "$d" ]; do
    if [ -r "$d/numa_node" ]; then
      local n; n=$(cat "$d/numa_node")
      if [ "$n" -ge 0 ]; then echo "$n"; else echo "-1 $d"; fi
      return
    fi
    d=${d%/*}
  done
  echo none
}

# check NAME ARG SYSDIR DEVNAME [ERRPREFIX]: ARG (netdev:eth0 ...) resolves as sysfs says
check() {
  local name=$1 arg=$2 dir=$3 dev=$4 pre=${5:-} w want rc out err shown
  w=$(where "$dir")
  # the tool shows an argument of more than 40 bytes as its first 40 and "..."
  # (file:$MP is longer in a checkout at a long path)
  shown=$arg; [ ${#arg} -gt 40 ] && shown="${arg:0:40}..."
  build/seccomp_exec kill "$MP" --dry-run "$p" "$arg" "$arg" >"$tmp/out" 2>"$tmp/err"
  rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  case $w in
    none) want="migratepages: from-nodes: '$shown': $pre$dev is not attached to a node (no numa_node on its sysfs path $(readlink -f "$dir"))" ;;
    -1\ *) want="migratepages: from-nodes: '$shown': ${pre}the kernel does not know the node of $dev (numa_node is -1 in ${w#-1 })" ;;
    *) want= ;;
  esac
  if [ -n "$want" ]; then
    if [ $rc = 1 ] && [ -z "$out" ] && [ "$err" = "$want" ]; then
      echo "PASS $name: refused, ${w%% *} ($arg)"
    else
      echo "FAIL $name: exit $rc, stderr '$err', want exit 1 and '$want'"
    fi
  else
    "$MP" --dry-run "$p" "$w" "$w" >"$tmp/ref" 2>&1
    if [ $rc = 0 ] && [ -z "$err" ] && [ "$out" = "$(cat "$tmp/ref")" ]; then
      echo "PASS $name: node $w ($arg)"
    else
      echo "FAIL $name: exit $rc, stdout '$out', stderr '$err'; the number $w gives '$(cat "$tmp/ref")'"
    fi
  fi
  if [ -n "$numactl_mp" ]; then
    local nrc
    "$numactl_mp" "$p" "$arg" "$arg" >/dev/null 2>&1; nrc=$?
    [ $nrc != 0 ] && nrc=1
    if [ "$nrc" = "$rc" ]; then
      echo "PASS $name beside numactl: both exit $rc"
    else
      echo "FAIL $name beside numactl: numactl's tool exits $nrc, ours $rc"
    fi
  fi
}

n=0
for d in /sys/class/net/*; do
  [ -e "$d/device" ] || continue
  dev=${d##*/}
  check "netdev $dev" "netdev:$dev" "$d" "$dev"
  n=$((n + 1))
  [ $n -ge 3 ] && break
done
[ $n -gt 0 ] || echo "SKIP netdev of a real device: no network device with a device link in /sys/class/net"
check "netdev lo" "netdev:lo" /sys/class/net/lo lo

n=0
for d in /sys/bus/pci/devices/*; do
  [ -e "$d" ] || continue
  a=${d##*/}
  check "pci $a" "pci:$a" "$d" "$a"
  # the short form without the domain names the same device
  [ "${a%%:*}" = 0000 ] && check "pci ${a#0000:} (no domain)" "pci:${a#0000:}" "$d" "$a"
  n=$((n + 1))
  [ $n -ge 3 ] && break
done
[ $n -gt 0 ] || echo "SKIP pci: no PCI devices in /sys/bus/pci/devices"

n=0
for d in /sys/class/block/*; do
  [ -e "$d" ] || continue
  case $(readlink -f "$d") in /sys/devices/virtual/*) continue ;; esac
  dev=${d##*/}
  check "block $dev" "block:$dev" "$d" "$dev"
  n=$((n + 1))
  [ $n -ge 3 ] && break
done
[ $n -gt 0 ] || echo "SKIP block of a real disk: every block device here is virtual"
[ -e /sys/class/block/loop0 ] && check "block loop0 (virtual)" "block:loop0" /sys/class/block/loop0 loop0

# file: the block device of the file system holding it
for f in / "$MP"; do
  maj=$(stat -c '%Hd' "$f") min=$(stat -c '%Ld' "$f")
  if [ -e "/sys/dev/block/$maj:$min" ]; then
    check "file $f" "file:$f" "/sys/dev/block/$maj:$min" "block device $maj:$min"
  else
    echo "SKIP file $f: its file system (device $maj:$min) is not on a block device here"
  fi
done
# a block device node names its own device
for b in /dev/vda /dev/sda /dev/nvme0n1; do
  [ -b "$b" ] || continue
  maj=$(stat -c '%t' "$b") min=$(stat -c '%T' "$b")
  maj=$((16#$maj)) min=$((16#$min))
  check "file $b (a block device node)" "file:$b" "/sys/dev/block/$maj:$min" "block device $maj:$min"
  break
done

# ip: the interface the main routing table picks; the default gateway and an
# address of the interface itself (numactl's tool asks the kernel, which
# routes an own address through lo: compared only where that cannot differ)
gw=$(awk 'NR > 1 && $2 == "00000000" && $4 ~ /3$/ { print $1, $3; exit }' /proc/net/route)
if [ -n "$gw" ]; then
  ifc=${gw%% *} hex=${gw#* }
  addr=$(printf '%d.%d.%d.%d' $((16#${hex:6:2})) $((16#${hex:4:2})) $((16#${hex:2:2})) $((16#${hex:0:2})))
  check "ip $addr (the default gateway)" "ip:$addr" "/sys/class/net/$ifc" "$ifc" "routed through $ifc: "
  check "ip 192.0.2.77 (a TEST-NET address, through the default route)" "ip:192.0.2.77" "/sys/class/net/$ifc" "$ifc" "routed through $ifc: "
else
  echo "SKIP ip through the default route: no IPv4 default route in /proc/net/route"
fi
if command -v ip >/dev/null; then
  own=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print $2, a[1]; exit }')
  if [ -n "$own" ]; then
    save=$numactl_mp numactl_mp=
    check "ip ${own#* } (an address of ${own%% *})" "ip:${own#* }" "/sys/class/net/${own%% *}" "${own%% *}" "routed through ${own%% *}: "
    numactl_mp=$save
  else
    echo "SKIP ip of an own address: no global IPv4 address"
  fi
else
  echo "SKIP ip of an own address: no ip command"
fi
check "ip 127.0.0.1" "ip:127.0.0.1" /sys/class/net/lo lo "routed through lo: "
if [ -e /proc/net/ipv6_route ] && grep -q ' lo$' /proc/net/ipv6_route; then
  check "ip ::1" "ip:::1" /sys/class/net/lo lo "routed through lo: "
else
  echo "SKIP ip ::1: no IPv6 here"
fi

# without sysfs (an initramfs before its mounts): the error says so
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null && [ -z "${MP_SANITIZED:-}" ]; then
  mkdir -p "$tmp/root" && cp "$MP" "$tmp/root/migratepages"
  for a in netdev:eth0 pci:0000:00:00.0 block:sda file:/ ip:10.1.1.1; do
    chroot "$tmp/root" /migratepages "$p" "$a" 0 >"$tmp/out" 2>"$tmp/err"; rc=$?
    want="migratepages: from-nodes: '$a': no /sys/devices to look it up in (is sysfs mounted?)"
    [ "$a" = ip:10.1.1.1 ] && want="migratepages: from-nodes: '$a': cannot read /proc/net/route: No such file or directory"
    if [ $rc = 1 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$want" ]; then
      echo "PASS $a without sysfs"
    else
      echo "FAIL $a without sysfs: exit $rc, stderr '$(cat "$tmp/err")', want '$want'"
    fi
  done
else
  echo "SKIP devices without sysfs: needs root, chroot and an unsanitized binary"
fi

# a network namespace of its own has no routes: ip: finds none
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  for a in ip:10.1.1.1 ip:2001:db8::1; do
    t=/proc/net/route; [ "$a" = ip:2001:db8::1 ] && t=/proc/net/ipv6_route
    unshare -n "$MP" "$p" 0 "$a" >"$tmp/out" 2>"$tmp/err"; rc=$?
    want="migratepages: to-nodes: '$a': no route to it in $t"
    if [ $rc = 1 ] && [ "$(cat "$tmp/err")" = "$want" ]; then
      echo "PASS $a in a network namespace without routes"
    elif [ ! -e "$t" ]; then
      echo "SKIP $a in a network namespace without routes: no $t"
    else
      echo "FAIL $a in a network namespace without routes: exit $rc, stderr '$(cat "$tmp/err")', want '$want'"
    fi
  done
else
  echo "SKIP ip: without routes: needs root and unshare -n (a network namespace)"
fi

# a block device node that sysfs does not know (a made-up major:minor)
if [ "$(id -u)" = 0 ] && mknod "$tmp/fakeblk" b 250 77 2>/dev/null; then
  build/seccomp_exec kill "$MP" "$p" "file:$tmp/fakeblk" 0 >"$tmp/out" 2>"$tmp/err"; rc=$?
  want="migratepages: from-nodes: 'file:$tmp/fakeblk': block device 250:77 is not in /sys/dev/block/250:77"
  if [ -e /sys/dev/block/250:77 ]; then
    echo "SKIP file: of an unknown block device: 250:77 exists here"
  elif [ $rc = 1 ] && [ "$(cat "$tmp/err")" = "$want" ]; then
    echo "PASS file: of a block device node sysfs does not know"
  else
    echo "FAIL file: of a block device node sysfs does not know: exit $rc, stderr '$(cat "$tmp/err")', want '$want'"
  fi
else
  echo "SKIP file: of an unknown block device: needs root and mknod"
fi
