#!/usr/bin/env bash
# test/vm/kernel.sh ARCH - fetch Debian's kernel for ARCH (amd64, arm64) and print
# the path of a bootable image on stdout.
#   amd64: an ELF vmlinux unpacked from the bzImage's XZ payload (qemu boots it
#          through PVH, about 3 s faster a boot than the bzImage); falls back to
#          the bzImage if the unpacking fails.
#   arm64: the Image (Debian ships it gzip-compressed as vmlinuz; qemu's -kernel
#          for aarch64 takes it as it is).
# Cache: test/vm/cache/ARCH/ (git-ignored). Only ./boot/* of the package is
# extracted; the modules (hundreds of MB) are not needed: the serial console,
# initrd, devtmpfs and NUMA are built in.
set -euo pipefail
arch=${1:?usage: kernel.sh amd64|arm64}
here=$(cd "$(dirname "$0")" && pwd)
cache=${VM_CACHE:-$here/cache}/$arch
mkdir -p "$cache"
cd "$cache"

log() { echo "kernel.sh: $*" >&2; }

# Already prepared?
if [ -s image.src ] && [ -s "$(cat image.src)" ]; then
  echo "$cache/$(cat image.src)"
  exit 0
fi

deb=$(ls linux-image-*_"$arch".deb 2>/dev/null | grep -v -- '-dbg' | head -n 1 || true)
if [ -z "$deb" ]; then
  # Name the real package behind the meta package, for the wanted architecture.
  if [ "$arch" != "$(dpkg --print-architecture)" ] &&
     ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    log "adding dpkg architecture $arch to be able to download its kernel package"
    dpkg --add-architecture "$arch"
    apt-get update -qq >&2
  fi
  pkg=$(apt-cache depends "linux-image-$arch:$arch" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
  if [ -z "$pkg" ]; then
    apt-get update -qq >&2 || true
    pkg=$(apt-cache depends "linux-image-$arch:$arch" 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
  fi
  [ -n "$pkg" ] || { log "cannot find the kernel package behind linux-image-$arch"; exit 1; }
  log "downloading $pkg:$arch"
  apt-get download -q "$pkg:$arch" >&2
  deb=$(ls linux-image-*_"$arch".deb | head -n 1)
fi

rm -rf boot
dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards './boot/*'
vmlinuz=$(ls boot/vmlinuz-* | head -n 1)
cp "$vmlinuz" bzImage
cp boot/config-* config 2>/dev/null || true

case $arch in
  amd64)
    # The bzImage's payload is XZ; find its magic (FD 37 7A 58 5A 00) and unpack
    # from there. xz stops with an error about trailing garbage; the output up to
    # that point is the whole vmlinux.
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' bzImage | head -n 1 | cut -d: -f1 || true)
    if [ -n "$off" ]; then
      tail -c +"$((off + 1))" bzImage | xz -dc 2>/dev/null >vmlinux.tmp || true
      if [ "$(head -c 4 vmlinux.tmp | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
        mv vmlinux.tmp vmlinux
        echo vmlinux >image.src
      else
        rm -f vmlinux.tmp
        log "could not unpack the vmlinux ELF; booting the bzImage"
        echo bzImage >image.src
      fi
    else
      echo bzImage >image.src
    fi ;;
  arm64)
    # Debian's arm64 vmlinuz is a gzip'd Image; qemu -kernel unpacks it itself,
    # but a plain Image avoids relying on that.
    if [ "$(head -c 2 bzImage | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
      gzip -dc <bzImage >Image
      rm -f bzImage
    else
      mv bzImage Image
    fi
    echo Image >image.src ;;
  *) log "unknown arch $arch"; exit 1 ;;
esac
rm -rf boot
echo "$cache/$(cat image.src)"
