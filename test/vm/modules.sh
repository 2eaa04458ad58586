#!/usr/bin/env bash
# test/vm/modules.sh DEBARCH - the kernel modules the device scenario needs
# (virtio PCI, virtio-net, virtio-blk, ext4 for an ext2 file system), taken
# from the Debian kernel package that kernel.sh fetched, into
# cache/DEBARCH/modules/ with a file "order" listing them in load order
# (dependencies first). Prints the folder; exits 1 (with a reason on stderr)
# when the package is not in the cache or a module is missing from it.
# Debian's amd64 kernel builds all of these as modules; other architectures
# have no device scenario (yet).
set -euo pipefail
arch=${1:?usage: modules.sh DEBARCH}
here=$(cd "$(dirname "$0")" && pwd)
cache=${VM_CACHE:-$here/cache}/$arch
# load order: each after what modinfo's depends= names
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
failover net_failover virtio_net virtio_blk crc16 mbcache jbd2 crc32c_generic ext4"
dir=$cache/modules
if [ -s "$dir/order" ] && [ "$(cat "$dir/order")" = "$mods" ]; then
  echo "$dir"
  exit 0
fi
deb=
for f in "$cache"/linux-image-*_"$arch".deb; do
  case $f in *-dbg*) ;; *) [ -e "$f" ] && deb=$f && break ;; esac
done
[ -n "$deb" ] || { echo "modules.sh: no kernel package in $cache (run kernel.sh $arch)" >&2; exit 1; }
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp"
pats=()
# the paths inside the package differ by subsystem: match the file name anywhere
for m in $mods; do pats+=("./lib/modules/*/$m.ko"); done
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" --wildcards "${pats[@]}" 2>/dev/null || true
for m in $mods; do
  f=$(find "$dir.tmp" -name "$m.ko" | head -n 1)
  [ -n "$f" ] || { echo "modules.sh: $m.ko is not in $deb" >&2; rm -rf "$dir.tmp"; exit 1; }
  mv "$f" "$dir.tmp/$m.ko"
done
find "$dir.tmp" -mindepth 1 -type d -prune -exec rm -rf {} +
echo "$mods" >"$dir.tmp/order"
mv "$dir.tmp" "$dir"
echo "$dir"
