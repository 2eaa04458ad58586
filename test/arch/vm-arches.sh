# shellcheck shell=bash disable=SC2034
# test/arch/vm-arches.sh - guest architectures beyond test/vm/arches.sh. Appended by
# test/61-arch-vm.sh to a copy of test/vm/arches.sh (the original is not changed);
# the architectures that file knows are passed through to it.
eval "vm_arch_vars_base() $(declare -f arch_vars | tail -n +2)"
arch_vars() {
  case $1 in
    ppc64le)
      # Debian 12's ppc64el kernel: pseries, CONFIG_NUMA, NODES_SHIFT=8, 64 KiB
      # pages. The cap-* switches silence TCG's "cannot emulate" refusals.
      DEBARCH=ppc64el CROSS=powerpc64le-linux-gnu-
      QEMU=qemu-system-ppc64
      QEMU_MACHINE="-machine pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off -accel tcg -cpu power9"
      CONSOLE=hvc0 ;;
    *)
      vm_arch_vars_base "$1" ;;
  esac
}
