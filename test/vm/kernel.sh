#!/usr/bin/env bash
# test/vm/kernel.sh DEBARCH [SUITE] - fetch Debian's kernel for DEBARCH (amd64, arm64)
# and print the path of a bootable image on stdout. SUITE: another Debian suite
# to take it from (bookworm-backports or trixie: Linux 6.12), through a list of
# sources of its own in the cache (the system's apt sources are not touched).
#   amd64: an ELF vmlinux unpacked from the bzImage's XZ payload (qemu boots it
#          through PVH, about 3 s faster a boot than the bzImage); falls back to
#          the bzImage if the unpacking fails.
#   arm64: the Image (Debian 12 ships it gzip-compressed as vmlinuz, unpacked
#          here; Debian 13's vmlinuz is the Image itself, 37 MB, no EFI_ZBOOT;
#          qemu's -kernel for aarch64 takes either).
# Cache: test/vm/cache/ARCH/ (git-ignored). Only ./boot/* of the package is
# extracted; the modules (hundreds of MB) are not needed: the serial console,
# initrd, devtmpfs and NUMA are built in.
set -euo pipefail
arch=${1:?usage: kernel.sh amd64|arm64 [SUITE]}
suite=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
cache=${VM_CACHE:-$here/cache}/$arch${suite:+-$suite}
mkdir -p "$cache"
cd "$cache"

log() { echo "kernel.sh: $*" >&2; }

# Already prepared?
if [ -s image.src ] && [ -s "$(cat image.src)" ]; then
  echo "$cache/$(cat image.src)"
  exit 0
fi

apt_o=()
deb=$(ls linux-image-*_"$arch".deb 2>/dev/null | grep -v -- '-dbg' | head -n 1 || true)
if [ -z "$deb" ] && [ -n "$suite" ]; then
  # only that suite in the lists apt reads here: its kernel is the candidate
  mkdir -p apt/lists/partial
  echo "deb http://deb.debian.org/debian $suite main" >apt/sources.list
  apt_o=(-o Dir::Etc::sourcelist="$cache/apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
         -o Dir::State::lists="$cache/apt/lists")
  apt-get "${apt_o[@]}" -o APT::Sandbox::User=root update -qq >&2
fi
if [ -z "$deb" ]; then
  # Name the real package behind the meta package, for the wanted architecture.
  if [ "$arch" != "$(dpkg --print-architecture)" ] &&
     ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    log "adding dpkg architecture $arch to be able to download its kernel package"
    dpkg --add-architecture "$arch"
    apt-get update -qq >&2
  fi
  pkg=$(apt-cache ${apt_o[@]+"${apt_o[@]}"} depends "linux-image-$arch:$arch" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
  if [ -z "$pkg" ] && [ -z "$suite" ]; then
    apt-get update -qq >&2 || true
    pkg=$(apt-cache depends "linux-image-$arch:$arch" 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
  fi
  [ -n "$pkg" ] || { log "cannot find the kernel package behind linux-image-$arch"; exit 1; }
  log "downloading $pkg:$arch"
  # as root, not as _apt: it could not write here, and apt would warn of
  # an "unsandboxed" download on the first screen of a new user's demo
  apt-get ${apt_o[@]+"${apt_o[@]}"} -o APT::Sandbox::User=root download -q "$pkg:$arch" >&2
  deb=$(ls linux-image-*_"$arch".deb | head -n 1)
fi

rm -rf boot
dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards './boot/*'
img=$(ls boot/vmlinuz-* boot/vmlinux-* 2>/dev/null | head -n 1 || true)
[ -n "$img" ] || { log "no kernel image in $deb"; exit 1; }
cp boot/config-* config 2>/dev/null || true
magic() { head -c "$2" "$1" | tail -c "$3" | od -An -tx1 | tr -d ' \n'; }
if [ "$(magic "$img" 518 4)" = 48647253 ]; then
  # An x86 bzImage ("HdrS" at 0x202). Its payload is XZ (Debian's 6.1) or
  # zstd (6.12); find the first magic (FD 37 7A 58 5A 00, or 28 B5 2F FD) and
  # unpack from there: the tool complains about the trailing bytes, but what
  # it wrote up to then is the whole vmlinux ELF, which qemu boots through PVH
  # (about 5 s faster a boot than the bzImage, and no decompressor to run).
  cp "$img" bzImage
  echo bzImage >image.src
  for z in 'xz \xfd7zXZ\x00' 'zstd \x28\xb5\x2f\xfd'; do
    off=$(LC_ALL=C grep -obUaP "${z#* }" bzImage | head -n 1 | cut -d: -f1 || true)
    [ -n "$off" ] || continue
    tail -c +"$((off + 1))" bzImage | "${z%% *}" -dc 2>/dev/null >vmlinux.tmp || true
    if [ "$(magic vmlinux.tmp 4 4)" = 7f454c46 ]; then
      mv vmlinux.tmp vmlinux
      echo vmlinux >image.src
      break
    fi
  done
  [ "$(cat image.src)" = vmlinux ] || log "could not unpack the vmlinux ELF; booting the bzImage"
  rm -f vmlinux.tmp
elif [ "$(magic "$img" 2 2)" = 1f8b ]; then
  gzip -dc <"$img" >Image
  echo Image >image.src
else
  # arm64's Image as it is, or an ELF vmlinux.
  cp "$img" Image
  echo Image >image.src
fi
rm -rf boot
echo "$cache/$(cat image.src)"
