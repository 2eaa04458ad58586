#!/usr/bin/env bash
# test/vm/mkinitrd.sh ARCH OUT - build the guest's initramfs (newc cpio) for
# ARCH (x86_64, aarch64) into OUT.
#
# Holds: busybox-static as the shell (one symlink per applet), the binary under
# test as /bin/mp ($MP, required), the static test helpers of test/vm/helpers
# (built here for ARCH), the guest scripts of test/vm/guest (/init and the
# scenarios), and, when ARCH is the host's, numactl's dynamic migratepages as
# /usr/bin/migratepages and strace (to hold the tool at one call) with the
# libraries ldd names (loader included).
# Environment: MP; EXTRA="SRC:DEST ..." more files to put in (e.g. another
# build of the tool for a second run); HELPERS_CC overrides the helpers' compiler;
# VM_POSTGRES=1 adds the host's PostgreSQL 15 (Debian's postgresql-15; VM_PG:
# another directory than /usr/lib/postgresql/15), on the host's architecture
# only: postgres, initdb and pgbench, the modules initdb loads and
# pg_buffercache, their libraries (ldd), /usr/share/postgresql/15 and the UTC
# zone (about 70 MiB: only the boot that runs PostgreSQL asks for it).
set -euo pipefail
arch=${1:?usage: mkinitrd.sh ARCH OUT}
out=${2:?usage: mkinitrd.sh ARCH OUT}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${MP:?MP must name the binary under test}"
[ -x "$MP" ] || { echo "mkinitrd.sh: $MP is not an executable" >&2; exit 1; }

hostarch=$(uname -m)
# shellcheck source=arches.sh
. "$here/arches.sh"
arch_vars "$arch" || { echo "mkinitrd.sh: unknown arch $arch (test/vm/arches.sh)" >&2; exit 1; }
debarch=$DEBARCH
cc=${HELPERS_CC:-${CROSS}gcc}

bdir=$top/build/vm/$arch
mkdir -p "$bdir/helpers"

# Static helpers, rebuilt when a source is newer than the binary.
for src in "$here"/helpers/*.c; do
  name=$(basename "$src" .c)
  bin=$bdir/helpers/$name
  if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$here/helpers/common.h" -nt "$bin" ]; then
    # shellcheck disable=SC2086
    $cc -static -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$src"
  fi
done

# A dynamically linked hog (the guest's arch is the host's): it shares libc's
# pages with every other dynamic program, as real targets do. It runs on the
# glibc that numactl's tool brings into the image.
if [ "$arch" = "$(uname -m)" ]; then
  bin=$bdir/hog-dyn
  if [ ! -x "$bin" ] || [ "$here/helpers/hog.c" -nt "$bin" ]; then
    $cc -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$here/helpers/hog.c"
  fi
fi

# The project's helpers of test/helpers the guests use too: seccomp_exec (the
# dry-run proof) and zombie (a child never reaped).
for name in seccomp_exec zombie; do
  src=$top/test/helpers/$name.c
  [ -f "$src" ] || continue
  bin=$bdir/helpers/$name
  if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    # shellcheck disable=SC2086
    $cc -static -O2 -Wall -Wextra -Werror -o "$bin" "$src"
  fi
done

# busybox-static for the guest's architecture.
busybox=
if [ "$arch" = "$hostarch" ]; then
  # busybox-static installs /bin/busybox; a dynamic busybox would not run in
  # the guest (no loader for it there).
  busybox=/bin/busybox
  if [ ! -x "$busybox" ] || LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q INTERP; then
    busybox=
  fi
else
  busybox=$here/cache/$debarch/busybox
  if [ ! -x "$busybox" ]; then
    mkdir -p "$here/cache/$debarch/bb"
    (cd "$here/cache/$debarch/bb" &&
     { ls busybox-static_*_"$debarch".deb >/dev/null 2>&1 ||
       apt-get download -q "busybox-static:$debarch" >&2; } &&
     dpkg-deb --fsys-tarfile busybox-static_*_"$debarch".deb | tar -x ./bin/busybox &&
     mv bin/busybox "$busybox")
  fi
fi
[ -x "$busybox" ] || { echo "mkinitrd.sh: no busybox-static for $arch" >&2; exit 1; }

root=$(mktemp -d "$bdir/root.XXXXXX")
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,mnt}
cp "$busybox" "$root/bin/busybox"
# The applet list of the host's busybox (same Debian version for every arch).
for a in $(/bin/busybox --list); do
  [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
cp "$MP" "$root/bin/mp"
cp "$bdir"/helpers/* "$root/bin/"
[ -x "$bdir/hog-dyn" ] && cp "$bdir/hog-dyn" "$root/bin/"
cp "$here"/guest/init "$root/init"
cp "$here"/guest/*.sh "$root/"
chmod 755 "$root/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "user:x:1000:1000::/tmp:/bin/sh" >>"$root/etc/passwd"
echo "other:x:1001:1001::/tmp:/bin/sh" >>"$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\nother:x:1001:\n' >"$root/etc/group"

# The drivers of the device scenario (virtio PCI, net, blk, ext4), when the
# kernel has them as modules: in /lib/mp-modules with their load order.
if [ "$debarch" = amd64 ] && mods=$("$here/modules.sh" "$debarch"); then
  mkdir -p "$root/lib/mp-modules"
  cp "$mods"/* "$root/lib/mp-modules/"
fi

for e in ${EXTRA:-}; do
  mkdir -p "$root/$(dirname "${e#*:}")"
  cp "${e%%:*}" "$root/${e#*:}"
done

# in_tree DIR PATH: PATH with its symlinks followed inside the unpacked tree DIR
# (an absolute link such as /lib/ld-linux-*.so -> /lib/<triplet>/... names a
# file of DIR, not of this host, so cp -L on it would copy the host's or fail)
in_tree() {
  local dir=$1 p=$2 t n=0
  while [ -L "$dir$p" ] && [ $n -lt 40 ]; do
    t=$(readlink "$dir$p")
    case $t in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
    n=$((n + 1))
  done
  echo "$p"
}

# numactl's tool, for the side-by-side runs: the host's on the host's
# architecture; else Debian's numactl, libnuma1 and libc6 for ARCH, fetched once
# into the cache, with the libraries its ELF header names (NEEDED, INTERP).
if [ "$arch" = "$hostarch" ] && nm=$(command -v migratepages); then
  cp "$nm" "$root/usr/bin/migratepages"
  st=$(command -v strace || true)
  [ -n "$st" ] && cp "$st" "$root/usr/bin/strace"
  { ldd "$nm"; [ -z "$st" ] || ldd "$st"; } | grep -o '/[^ ]*' | sort -u | while read -r lib; do
    mkdir -p "$root/$(dirname "$lib")"
    cp -L "$lib" "$root/$lib"
  done
elif [ "$arch" != "$hostarch" ] && [ "${VM_NUMACTL:-1}" = 1 ]; then
  nc=$here/cache/$debarch/numactl
  if [ ! -x "$nc/usr/bin/migratepages" ]; then
    rm -rf "$nc" && mkdir -p "$nc/debs"
    if (cd "$nc/debs" && apt-get download -q "numactl:$debarch" "libnuma1:$debarch" "libc6:$debarch" >&2); then
      for d in "$nc"/debs/*.deb; do dpkg-deb -x "$d" "$nc"; done
    else
      echo "mkinitrd.sh: could not fetch numactl for $debarch; no side-by-side runs there" >&2
    fi
  fi
  if [ -x "$nc/usr/bin/migratepages" ]; then
    cp "$nc/usr/bin/migratepages" "$root/usr/bin/migratepages"
    interp=$(LC_ALL=C readelf -l "$nc/usr/bin/migratepages" | sed -n 's/.*interpreter: \(\/[^]]*\)\]/\1/p')
    libs="$interp"
    for f in "$nc/usr/bin/migratepages" "$nc"/usr/lib/*/libnuma.so.1; do
      for n in $(LC_ALL=C readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        p=$(cd "$nc" && find lib usr/lib -name "$n" 2>/dev/null | head -n 1)
        [ -n "$p" ] && libs="$libs /$p"
      done
    done
    for lib in $libs; do
      src=$nc$(in_tree "$nc" "$lib")
      [ -e "$src" ] || src=$nc$(in_tree "$nc" "/usr$lib")
      mkdir -p "$root/$(dirname "$lib")"
      cp "$src" "$root/$lib"
    done
  fi
fi

# PostgreSQL (issue 24's shared-memory server), for the boot that asks.
if [ "${VM_POSTGRES:-0}" = 1 ]; then
  pg=${VM_PG:-/usr/lib/postgresql/15} g=$root/usr/lib/postgresql/15
  [ "$arch" = "$hostarch" ] && [ -x "$pg/bin/postgres" ] ||
    { echo "mkinitrd.sh: VM_POSTGRES=1 needs PostgreSQL 15 on the host ($pg) and the host's arch" >&2; exit 1; }
  mkdir -p "$g/bin" "$g/lib" "$root/usr/share/postgresql" "$root/usr/share/zoneinfo/Etc"
  for b in postgres initdb pgbench; do cp "$pg/bin/$b" "$g/bin/"; done
  for m in plpgsql dict_snowball pg_buffercache; do cp "$pg/lib/$m.so" "$g/lib/"; done
  cp -r /usr/share/postgresql/15 "$root/usr/share/postgresql/"
  rm -rf "$root/usr/share/postgresql/15/man" "$root/usr/share/postgresql/15/contrib"
  cp /usr/share/zoneinfo/UTC "$root/usr/share/zoneinfo/UTC"
  cp /usr/share/zoneinfo/UTC "$root/usr/share/zoneinfo/Etc/UTC"
  ldd "$g"/bin/* "$g"/lib/*.so | grep -o '/[^ ]*' | grep -v ':$' | sort -u | while read -r lib; do
    mkdir -p "$root/$(dirname "$lib")"
    cp -L "$lib" "$root/$lib"
  done
  printf 'passwd: files\ngroup: files\n' >"$root/etc/nsswitch.conf"
fi

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
