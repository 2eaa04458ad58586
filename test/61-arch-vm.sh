#!/usr/bin/env bash
# test/61-arch-vm.sh - real migration beyond the x86_64 build, in multi-node qemu
# guests (TCG) with Debian 12's kernels, checked page by page by the scenarios of
# test/vm/guest (reused unchanged):
#   i386     ./build.sh dist's i386 binary in the x86_64 guest, 4 nodes: the
#            kernel's compat path (test/50-vm.sh with VM_EXTRA_BOOTS)
#   ppc64le  qemu-system-ppc64 -machine pseries, 4 nodes, Debian's ppc64el kernel
#            (64 KiB pages), from a copy of test/vm with test/arch/vm-arches.sh
#            appended to its arches.sh
#   aarch64  ./build.sh dist's aarch64 binary (musl) in test/50-vm.sh's arm64 guest
#            (that suite's own aarch64 boot runs a glibc build)
# Not possible here (test/arch/ARCHES.md has the details): riscv64 (no riscv64 in
# Debian 12), s390x and i386 kernels (CONFIG_NUMA off), 32-bit arm (no NUMA),
# mips64el loongson-3 (qemu's loongson3-virt takes no -numa; with -smp 8 the guest
# hangs bringing up CPUs).
# TEST_QUICK=1 or ARCH_VM=0 skips it; ARCH_VM_ONLY="i386 aarch64 ppc64le" picks guests.
set -u
cd "$TOP" || exit 1
if [ "${TEST_QUICK:-0}" = 1 ] || [ "${ARCH_VM:-1}" = 0 ]; then
  echo "SKIP arch-vm: TEST_QUICK=1 or ARCH_VM=0 (no guests)"
  exit 0
fi
want() { [[ " ${ARCH_VM_ONLY:-i386 aarch64 ppc64le} " == *" $1 "* ]]; }
out=$TOP/test/out/arch-vm
work=$TOP/build/arch-vm
mkdir -p "$out" "$work"
# The placement table's cases run in every mode (the single call, the chunked
# mover with one and two workers, the dry run, the single call with --json):
# threads and atomics of each build, and on ppc64le 64 KiB base pages (chunks,
# huge-page blocks and the lookalike case in them). The i386 build's mover
# cannot reach a 64-bit process (32-bit addresses): the single call, the dry
# run and --json only, and that its mover refuses one, changing nothing, is
# its case.
scen=zero_to_three,pairs,pairs_thp,unequal,negative,mover_thp
scen32=zero_to_three:plain+dry+json,pairs:plain+dry+json,pairs_thp:plain+dry+json,unequal:plain+dry+json,negative,mover_compat

# The binaries under test, as ./build.sh dist makes them.
arches=
want i386 && arches="$arches i386"
want aarch64 && arches="$arches aarch64"
want ppc64le && arches="$arches ppc64le"
if ! ARCHES="$arches" DIST=$work/dist ./build.sh dist >"$out/dist.log" 2>&1; then
  echo "FAIL arch-vm build: $(grep -v notice "$out/dist.log" | tail -n 2 | tr '\n' ' ')"
  exit 0
fi

# --- through test/50-vm.sh: i386 in the x86_64 guest, the musl aarch64 release
# binary in the arm64 guest (test/50-vm.sh's own aarch64 boot uses a glibc build)
only='' extra=''
if want i386; then
  if [ -f "$work/dist/migratepages-i386" ]; then
    only="$only i386-4node"
    extra="$extra
i386-4node x86_64 4node $work/dist/migratepages-i386 $scen32"
  else
    echo "SKIP vm i386: not built (no i686-linux-gnu-gcc)"
  fi
fi
if want aarch64; then
  if [ -f "$work/dist/migratepages-aarch64" ]; then
    only="$only aarch64-dist-4node"
    extra="$extra
aarch64-dist-4node aarch64 4node $work/dist/migratepages-aarch64 $scen"
  else
    echo "SKIP vm aarch64: not built (no aarch64-linux-gnu-gcc)"
  fi
fi
if [ -n "$only" ]; then
  t=$SECONDS
  VM_ONLY=$only VM_EXTRA_BOOTS=$extra test/50-vm.sh 2>&1 |
    sed 's/^\(PASS\|FAIL\|SKIP\) \(x86_64\/\)/\1 vm i386 in x86_64 guest: /; s/^\(PASS\|FAIL\|SKIP\) \(aarch64\/\)/\1 vm aarch64 (dist, musl): /'
  echo "info:$only: $((SECONDS - t)) s"
fi

# --- ppc64le: pseries with 4 nodes -----------------------------------------------
if want ppc64le; then
  mp=$work/dist/migratepages-ppc64le
  shadow=$work/vm
  if [ ! -f "$mp" ]; then
    echo "SKIP vm ppc64le: not built (no powerpc64le-linux-gnu-gcc)"
  elif ! command -v qemu-system-ppc64 >/dev/null; then
    echo "SKIP vm ppc64le: no qemu-system-ppc64 (Debian package qemu-system-ppc)"
  else
    t=$SECONDS
    # Debian's ppc64el kernel, busybox-static and numactl (for the side-by-side
    # runs), fetched once without adding a dpkg architecture.
    cache=$work/cache/ppc64el
    ok=1
    if [ ! -x "$cache/busybox" ] || [ ! -x "$cache/numactl/usr/bin/migratepages" ]; then
      if test/arch/debfetch.sh ppc64el "$cache" 'linux-image-powerpc64le^' busybox-static \
           numactl libnuma1 libc6 >"$out/fetch.log" 2>&1; then
        dpkg-deb --fsys-tarfile "$cache"/busybox-static_*.deb | tar -x -O ./bin/busybox >"$cache/busybox"
        chmod +x "$cache/busybox"
        rm -rf "$cache/numactl" && mkdir -p "$cache/numactl"
        for d in "$cache"/numactl_*.deb "$cache"/libnuma1_*.deb "$cache"/libc6_*.deb; do
          dpkg-deb -x "$d" "$cache/numactl"
        done
        # (absolute links such as /lib64/ld64.so.2 -> /lib/powerpc64le-linux-gnu/...
        # are followed inside this tree by mkinitrd.sh)
      else
        echo "SKIP vm ppc64le: cannot fetch Debian's ppc64el packages: $(tail -n 1 "$out/fetch.log")"
        ok=0
      fi
    fi
    if [ $ok = 1 ]; then
      # A copy of test/vm that also knows ppc64le; its kernel cache is ours.
      rm -rf "$shadow" && mkdir -p "$shadow"
      cp -r test/vm/*.sh test/vm/guest test/vm/helpers "$shadow/"
      cat test/arch/vm-arches.sh >>"$shadow/arches.sh"
      ln -s "$work/cache" "$shadow/cache"
      if ! MP=$mp "$shadow/mkinitrd.sh" ppc64le "$work/initrd-ppc64le.cpio" >"$out/mkinitrd-ppc64le.log" 2>&1; then
        echo "FAIL vm ppc64le: initramfs: $(tail -n 2 "$out/mkinitrd-ppc64le.log" | tr '\n' ' ')"
      else
        log=$out/ppc64le-4node.log
        VM_CACHE=$work/cache VM_TIMEOUT=${ARCH_VM_TIMEOUT:-600} \
          "$shadow/boot.sh" ppc64le 4node "$work/initrd-ppc64le.cpio" "$log" "mp.run=$scen,verbose"
        rc=$?
        grep -o 'GUEST START.*' "$log" | sed 's/^/info: ppc64le /'
        grep '^RESULT ' "$log" | sed 's/^RESULT \(PASS\|FAIL\|SKIP\) /\1 vm ppc64le: /'
        [ "${V:-0}" = 1 ] && grep '^INFO ' "$log" | sed 's/^/info: ppc64le /'
        case $rc in
          0) ;;
          124) echo "FAIL vm ppc64le: the guest hung (timeout; see $log)" ;;
          *) echo "FAIL vm ppc64le: the guest did not finish (see $log): $(tail -n 3 "$log" | tr '\n' ' ')" ;;
        esac
        grep -q '^RESULT ' "$log" || echo "FAIL vm ppc64le: no results from the guest"
        echo "info: ppc64le guest: $(grep '^BOOT ' "$log") $(grep -o 'GUEST END uptime=[0-9.]*' "$log"); $((SECONDS - t)) s in all"
      fi
    fi
  fi
fi
exit 0
