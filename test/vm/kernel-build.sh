#!/usr/bin/env bash
# test/vm/kernel-build.sh - build an x86_64 guest kernel with idle page tracking
# (and soft-dirty bits) from Debian's linux-source-6.1, and print the path of
# its ELF vmlinux on stdout (qemu boots it through PVH: VM_KERNEL=PATH boot.sh).
#
# Debian's own kernel (kernel.sh) lacks CONFIG_IDLE_PAGE_TRACKING. This one is
# `make tinyconfig` plus the fragment kernel-idle.config beside this script,
# then `make olddefconfig`; every line of the fragment must be in the final
# .config as written, or the script stops and names the ones that are not.
#
# Cache: test/vm/cache/idle-6.1/ (git-ignored), the image named by a key: a
# hash of the fragment's settings (not its comments) and the version of the
# linux-source-6.1 package. A cached image is printed at once; else it is
# built (about 10 minutes on 2 cores, 1.6 GB of disk while it runs). The
# tarball is unpacked into the cache, never into the source tree, and the
# build runs out of tree (O=). Only the image (18 MB), its .config and the
# build log stay afterwards; VM_KERNEL_KEEP=1 keeps the unpacked source and the
# objects too (a changed fragment then rebuilds only what changed). Images of
# other keys stay until the folder is removed.
#
# Packages: linux-source-6.1 bc bison flex libelf-dev (for objtool) make gcc
# libc6-dev xz-utils, installed with apt-get when root and missing (not root,
# or NO_INSTALL=1: the command is printed and the script exits 1).
# Environment: VM_CACHE (another cache folder), VM_KERNEL_JOBS (make -j,
# default nproc), VM_KERNEL_KEEP=1.
# Progress goes to stderr, the make output to the log file; stdout holds only
# the path. An interrupted run leaves nothing that a later run would take for
# finished: the tree is unpacked under a temporary name and the image is moved
# into place last; a lock makes a second run wait for the first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
frag=$here/kernel-idle.config
srcpkg=linux-source-6.1
cache=${VM_CACHE:-$here/cache}/idle-6.1
jobs=${VM_KERNEL_JOBS:-$(nproc)}

log() { echo "kernel-build.sh: $*" >&2; }
die() { log "$*"; exit 1; }

[ -s "$frag" ] || die "no config fragment $frag"
[ "$(uname -m)" = x86_64 ] || die "builds an x86_64 kernel on an x86_64 host only (this is $(uname -m))"
mkdir -p "$cache"
cd "$cache"

# One run at a time per cache; a second one waits and then finds the image.
exec 9>"$cache/.lock"
if ! flock -n 9; then
  log "another kernel-build.sh is running on $cache; waiting for it"
  flock 9
fi

# The key covers the fragment's settings, not its comments.
settings=$(grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$frag")
fraghash=$(echo "$settings" | sha256sum | cut -c1-12)
version=$(dpkg-query -W -f='${Status} ${Version}' "$srcpkg" 2>/dev/null |
          sed -n 's/^install ok installed //p' || true)

# The image for this fragment and source version, if built already. Without
# the source package installed, an image built from the same fragment (any
# version) is taken, so a machine that removed the package still boots it.
if [ -n "$version" ]; then
  key=$(printf '%s\n%s %s\n' "$settings" "$srcpkg" "$version" | sha256sum | cut -c1-12)
  name=vmlinux-$fraghash-$key
  if [ -s "$name" ]; then
    echo "$cache/$name"
    exit 0
  fi
else
  # vmlinux-FRAGHASH-KEY itself, not its .config, .log or .tmp
  # shellcheck disable=SC2012 # the names are hex
  old=$(ls -t vmlinux-"$fraghash"-???????????? 2>/dev/null | head -n 1 || true)
  if [ -n "$old" ]; then
    log "$srcpkg is not installed; using $old, built earlier from the same fragment"
    echo "$cache/$old"
    exit 0
  fi
fi

# --- packages -------------------------------------------------------------------
need=()
[ -n "$version" ] || need+=("$srcpkg")
for p in bc bison flex libelf-dev make gcc libc6-dev xz-utils; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  cmd="apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 ${need[*]}"
  if [ "$(id -u)" != 0 ] || [ "${NO_INSTALL:-0}" = 1 ]; then
    log "missing packages; as root run: apt-get update && $cmd"
    exit 1
  fi
  log "installing ${need[*]}"
  if ! $cmd >&2; then
    apt-get update -q >&2
    $cmd >&2
  fi
  version=$(dpkg-query -W -f='${Version}' "$srcpkg")
  key=$(printf '%s\n%s %s\n' "$settings" "$srcpkg" "$version" | sha256sum | cut -c1-12)
  name=vmlinux-$fraghash-$key
  if [ -s "$name" ]; then
    echo "$cache/$name"
    exit 0
  fi
fi
tarball=$(dpkg -L "$srcpkg" | grep -m1 '/linux-source-6\.1\.tar\.xz$' || true)
[ -s "${tarball:-/nonexistent}" ] || die "$srcpkg $version holds no linux-source-6.1.tar.xz"

buildlog=$cache/$name.log
t0=$SECONDS

# --- source: unpacked once per package version ----------------------------------
# Not unpacked: the device trees and Documentation's subfolders, which no x86
# build reads (Documentation/Kconfig and the other architectures' Kconfig
# files are read: lib/Kconfig.debug and crypto/Kconfig source them).
src=$cache/src-$version
rm -rf "$cache"/src-*.tmp "$cache"/*.tmp
for d in "$cache"/src-*; do
  [ -d "$d" ] && [ "$d" != "$src" ] && { log "removing $d (another source version)"; rm -rf "$d" "$cache/obj"; }
done
if [ ! -f "$src/Makefile" ]; then
  log "unpacking $tarball ($srcpkg $version) into $src"
  mkdir -p "$src.tmp"
  tar -xJf "$tarball" -C "$src.tmp" --strip-components=1 \
    --exclude='linux-source-6.1/Documentation/*/*' \
    --exclude='linux-source-6.1/arch/*/boot/dts'
  [ -f "$src.tmp/Makefile" ] || die "the tarball unpacked no Makefile"
  mv "$src.tmp" "$src"
fi

# --- config ------------------------------------------------------------------------
# One object folder, reconfigured for each fragment: make rebuilds what changed.
obj=$cache/obj
mkdir -p "$obj"
km() { make -C "$src" O="$obj" ARCH=x86_64 "$@" >>"$buildlog" 2>&1; }
: >"$buildlog"
log "configuring: tinyconfig + $(basename "$frag") (log: $buildlog)"
km tinyconfig || die "make tinyconfig failed; see $buildlog"
(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag") >>"$buildlog" 2>&1 ||
  die "merging the fragment failed; see $buildlog"
km olddefconfig || die "make olddefconfig failed; see $buildlog"

# Every line of the fragment, as written, in the final config.
missing=()
while IFS= read -r line; do
  case $line in
    CONFIG_*=*)
      grep -qxF -- "$line" "$obj/.config" ||
        missing+=("$line (got: $("$src/scripts/config" --file "$obj/.config" -s "${line%%=*}"))") ;;
    "# CONFIG_"*" is not set")
      sym=${line#\# }
      sym=${sym%% *}
      ! grep -q "^$sym=" "$obj/.config" ||
        missing+=("$line (got: $(grep "^$sym=" "$obj/.config"))") ;;
  esac
done <"$frag"
if [ ${#missing[@]} -gt 0 ]; then
  log "olddefconfig did not keep these options of $(basename "$frag") (a dependency is missing):"
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

# --- build -------------------------------------------------------------------------
log "building vmlinux with make -j$jobs (log: $buildlog)"
if ! km -j"$jobs" vmlinux; then
  # With -j the first error is not the last line.
  { grep -m 10 -E '(error|Error [0-9]+)' "$buildlog" || tail -n 30 "$buildlog"; } >&2
  die "make vmlinux failed; see $buildlog"
fi
[ "$(head -c 4 "$obj/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] || die "$obj/vmlinux is not an ELF file"
cp "$obj/.config" "$cache/$name.config"
cp "$obj/vmlinux" "$cache/$name.tmp"
mv "$cache/$name.tmp" "$cache/$name"
log "built $cache/$name ($(du -h "$cache/$name" | cut -f1)) in $((SECONDS - t0)) s"
if [ "${VM_KERNEL_KEEP:-0}" != 1 ]; then
  rm -rf "$src" "$obj"
fi
echo "$cache/$name"
