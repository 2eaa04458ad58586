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

numa=() append="" cpus=0 total=0 i=0
case $nodes in
  fake4:*)
    mem=${nodes#fake4:}
    total=$mem cpus=2
    append="numa=fake=4" ;;
  *)
    # Nodes with a CPU get one each; qemu wants every CPU on some node.
    for n in $nodes; do
      case $n in *c) cpus=$((cpus + 1)) ;; esac
    done
    [ "$cpus" -gt 0 ] || { echo "boot.sh: no node with a CPU" >&2; exit 1; }
    c=0
    for n in $nodes; do
      size=${n%c}
      numa+=(-object "memory-backend-ram,size=${size}M,id=m$i${VM_PREALLOC:+,prealloc=on}")
      if [ "$n" != "$size" ]; then
        numa+=(-numa "node,nodeid=$i,cpus=$c,memdev=m$i")
        c=$((c + 1))
      else
        numa+=(-numa "node,nodeid=$i,memdev=m$i")
      fi
      total=$((total + size)) i=$((i + 1))
    done ;;
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
timeout -k 5 "$timeout_s" "$qemu" "${machine[@]}" -m "${total}M" -smp "$cpus" "${numa[@]}" \
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
