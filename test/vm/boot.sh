#!/usr/bin/env bash
# test/vm/boot.sh ARCH TOPOLOGY INITRD LOG [KERNEL-ARGS...]
# Boots a qemu guest (TCG) of ARCH with the NUMA TOPOLOGY, the initramfs INITRD
# and the extra kernel command line words, writes the serial console to LOG, and
# returns: 0 the guest printed "GUEST END"; 124 timeout (a hung guest); else 1.
#
# ARCH: x86_64 (qemu64, PVH vmlinux), aarch64 (virt, cortex-a57); another
# architecture is one more entry in test/vm/arches.sh, nothing else.
# TOPOLOGY: a name below, or a list of node sizes in MiB, each followed by "c"
# when the node has a CPU: "512c 512c" (2 nodes), "384c 384c 64" (a
# memory-only third node). "fake4:1024" is one node of 1024 MiB split by
# numa=fake=4. "devices" is 2node plus a PCIe expander bus (pxb-pcie) on node 1
# with two root ports, 0000:80:00.0 and 0000:80:01.0, and behind them a
# virtio-net (0000:81:00.0) and a virtio-blk (0000:82:00.0, a blank 16 MiB
# disk, LOG.disk); and a virtio-net on the main bus (0000:00:05.0), which has
# no node. Their drivers are modules (test/vm/modules.sh).
# Firmware figures (ACPI HMAT, -machine ...,hmat=on): a node size may carry
# "/LAT/BW" (its rated latency in ns and bandwidth in MB/s from its initiator)
# and "@I" (its initiator, a node with a CPU; default: itself if it has one,
# else node 0); size 0 is a node without memory. Then every node with memory
# gets an initiator and qemu an hmat-lb latency and bandwidth entry for every pair of
# a node with a CPU and a node with memory: the figures given from the node's
# own initiator, twice the latency and half the bandwidth from any other.
# Named layouts: hmat2 (a DRAM node with a CPU, a CPU-less slow node),
# hmatsockets (two sockets of DRAM and a CPU-less slow node each), hmatnomem
# (hmat2 plus a memoryless node with a CPU and a node with neither memory nor a
# CPU; qemu 7.2 describes both in its HMAT, which Linux then ignores: "acpi/hmat:
# Ignoring: Invalid table"; node 1 nearer node 2 than node 0 by the distance
# table), cpuless (hmat2's nodes without HMAT). A word "d:A-B=N" sets the
# distance between nodes A and B (qemu then wants every pair).
# Environment: VM_TIMEOUT (seconds, default 120), VM_KERNEL (another kernel image),
# VM_PREALLOC (non-empty: qemu allocates the guest's memory before it boots, for
# benchmarks; the host then takes no page fault when the guest first uses a page).
set -uo pipefail
arch=${1:?usage: boot.sh ARCH TOPOLOGY INITRD LOG [ARGS...]}
topo=${2:?}
initrd=${3:?}
log=${4:?}
shift 4
here=$(cd "$(dirname "$0")" && pwd)

case $topo in
  2node)    nodes="512c 512c" ;;
  4node)    nodes="256c 256c 256c 256c" ;;
  memonly)  nodes="384c 384c 64" ;;
  fake4)    nodes="fake4:1024" ;;
  devices)  nodes="512c 512c" ;;
  hmat2)       nodes="512c/80/20000 384/250/5000@0" ;;
  hmatsockets) nodes="384c/80/20000 384c/80/20000 192/250/5000@0 192/250/5000@1" ;;
  hmatnomem)   nodes="512c/80/20000 0c 384/250/5000@0 0@0 d:0-1=20 d:0-2=20 d:0-3=20 d:1-2=15 d:1-3=20 d:2-3=20" ;;
  cpuless)     nodes="512c 384" ;;
  *)        nodes=$topo ;;
esac

# shellcheck source=arches.sh
. "$here/arches.sh"
arch_vars "$arch" || { echo "boot.sh: no qemu setup for $arch (test/vm/arches.sh)" >&2; exit 1; }
qemu=$QEMU
read -r -a machine <<<"$QEMU_MACHINE"
console=$CONSOLE
# Debian's kernel is fetched only when no other image is named.
if [ -n "${VM_KERNEL:-}" ]; then
  kernel=$VM_KERNEL
  [ -s "$kernel" ] || { echo "boot.sh: VM_KERNEL=$kernel is not a file" >&2; exit 1; }
else
  kernel=$("$here/kernel.sh" "$DEBARCH") || exit 1
fi
command -v "$qemu" >/dev/null || { echo "boot.sh: $qemu not installed" >&2; exit 1; }

numa=() append="" cpus=0 total=0 i=0 bios=() dists=()
case $nodes in
  fake4:*)
    mem=${nodes#fake4:}
    total=$mem cpus=2
    append="numa=fake=4" ;;
  *)
    # Nodes with a CPU get one each; qemu wants every CPU on some node.
    for n in $nodes; do
      case $n in
        d:*) IFS='-=' read -r a b v <<<"${n#d:}"
             dists+=(-numa "dist,src=$a,dst=$b,val=$v") ;;
        *) case ${n%%[/@]*} in *c) cpus=$((cpus + 1)) ;; esac ;;
      esac
    done
    [ "$cpus" -gt 0 ] || { echo "boot.sh: no node with a CPU" >&2; exit 1; }
    c=0 hmat=
    case $nodes in */*) hmat=1 ;; esac
    declare -A init_of=() lat_of=() bw_of=() cpu_of=()
    for n in $nodes; do
      case $n in d:*) continue ;; esac
      spec=${n%@*} init=
      [ "$spec" != "$n" ] && init=${n##*@}
      IFS=/ read -r sz lat bw <<<"$spec"
      size=${sz%c}
      if [ "$sz" != "$size" ]; then
        cpu_of[$i]=1
        : "${init:=$i}"
      fi
      init_of[$i]=${init:-0} lat_of[$i]=${lat:-} bw_of[$i]=${bw:-}
      node="node,nodeid=$i"
      if [ "$size" != 0 ]; then
        numa+=(-object "memory-backend-ram,size=${size}M,id=m$i${VM_PREALLOC:+,prealloc=on}")
        node+=",memdev=m$i"
      fi
      if [ -n "${cpu_of[$i]:-}" ]; then
        node+=",cpus=$c"
        c=$((c + 1))
      fi
      # (a node without memory gets no initiator: qemu would describe its
      # memory in the HMAT, and Linux ignores an HMAT that does that)
      [ -n "$hmat" ] && [ "$size" != 0 ] && node+=",initiator=${init_of[$i]}"
      numa+=(-numa "$node")
      total=$((total + size)) i=$((i + 1))
    done
    numa+=("${dists[@]}")
    if [ -n "$hmat" ]; then
      machine[1]+=",hmat=on"
      # the guest is told, so that a scenario can tell an HMAT its kernel
      # ignored from none given; where ACPI comes only through UEFI, its
      # firmware (without it the guest has a device tree and no HMAT)
      append+=" mp.hmat=1"
      [ -n "$UEFI_FW" ] && [ -r "$UEFI_FW" ] && bios=(-bios "$UEFI_FW")
      for ((a = 0; a < i; a++)); do
        [ -n "${cpu_of[$a]:-}" ] || continue
        for ((b = 0; b < i; b++)); do
          [ -n "${lat_of[$b]}" ] || continue
          l=${lat_of[$b]} w=${bw_of[$b]}
          [ "${init_of[$b]}" = "$a" ] || l=$((l * 2)) w=$((w / 2))
          numa+=(-numa "hmat-lb,initiator=$a,target=$b,hierarchy=memory,data-type=access-latency,latency=$l"
                 -numa "hmat-lb,initiator=$a,target=$b,hierarchy=memory,data-type=access-bandwidth,bandwidth=${w}M")
        done
      done
    fi ;;
esac

devs=()
if [ "$topo" = devices ]; then
  rm -f "$log.disk"
  truncate -s 16M "$log.disk" || exit 1
  devs=(-device pxb-pcie,id=pxb1,bus_nr=128,numa_node=1,bus=pcie.0
        -device pcie-root-port,id=rp1,bus=pxb1,chassis=1,addr=0.0
        -device pcie-root-port,id=rp2,bus=pxb1,chassis=2,addr=1.0
        -netdev user,id=n1,restrict=on -device virtio-net-pci,netdev=n1,bus=rp1
        -drive file="$log.disk",if=none,id=d1,format=raw -device virtio-blk-pci,drive=d1,bus=rp2
        -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,bus=pcie.0,addr=5.0)
fi

timeout_s=${VM_TIMEOUT:-120}
start=$(date +%s.%N)
timeout -k 5 "$timeout_s" "$qemu" "${machine[@]}" "${bios[@]}" -m "${total}M" -smp "$cpus" "${numa[@]}" \
  "${devs[@]}" -kernel "$kernel" -initrd "$initrd" \
  -append "console=$console quiet loglevel=3 panic=-1 transparent_hugepage=always $append $*" \
  -display none -nodefaults -serial stdio -no-reboot </dev/null >"$log" 2>&1
rc=$?
[ "$topo" = devices ] && rm -f "$log.disk"
end=$(date +%s.%N)
echo "BOOT seconds=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') rc=$rc" >>"$log"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  exit 124
fi
grep -q '^GUEST END' "$log" || exit 1
exit 0
