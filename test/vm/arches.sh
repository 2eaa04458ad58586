# shellcheck shell=bash disable=SC2034
# arches.sh - what the VM scripts need to know per guest architecture; sourced
# by boot.sh, mkinitrd.sh and test/50-vm.sh. Adding an architecture (ppc64le,
# riscv64, ...) means one more case here, after checking that Debian's kernel
# for it has NUMA (and how many nodes: NODES_SHIFT) and that qemu's machine
# takes -numa; kernel.sh finds the image in the package by its format.
#   DEBARCH       Debian's name (kernel and busybox-static packages)
#   CROSS         cross-compiler prefix for the static helpers and the tool
#                 (empty: the host's gcc)
#   QEMU          the qemu-system binary; QEMU_MACHINE its machine options
#   CONSOLE       the serial console device for console=
#   UEFI_FW       firmware that gives the guest ACPI tables (an HMAT), for the
#                 architectures whose kernels read them only through UEFI;
#                 empty: qemu's own (x86_64: its BIOS gives ACPI)
arch_vars() {
  case $1 in
    x86_64)
      DEBARCH=amd64 CROSS=
      QEMU=qemu-system-x86_64 QEMU_MACHINE="-machine q35 -accel tcg -cpu qemu64"
      CONSOLE=ttyS0 UEFI_FW= ;;
    aarch64)
      DEBARCH=arm64 CROSS=aarch64-linux-gnu-
      QEMU=qemu-system-aarch64 QEMU_MACHINE="-machine virt -accel tcg -cpu cortex-a57"
      CONSOLE=ttyAMA0 UEFI_FW=/usr/share/qemu-efi-aarch64/QEMU_EFI.fd ;;
    *)
      return 1 ;;
  esac
  [ "$1" = "$(uname -m)" ] && CROSS=
  return 0
}
