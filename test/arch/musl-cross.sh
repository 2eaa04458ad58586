#!/bin/sh
# test/arch/musl-cross.sh - musl for foreign architectures, from Debian's own packages.
#
#   test/arch/musl-cross.sh [DEBIAN-ARCH...]     (default: every musl arch in test/arch/targets)
#
# Debian 12 builds musl-dev for its release architectures (arm64 armel armhf i386
# mips64el mipsel ppc64el s390x; not riscv64 or the ports). musl-dev:ARCH is made to
# sit on top of the matching gcc-<triplet> cross compiler, but installing it needs
# `dpkg --add-architecture`. Instead this script keeps a private apt state under
# $MUSL_CROSS_DIR (default build/musl), downloads musl-dev:ARCH with apt-get, unpacks
# it there and writes a wrapper bin/<gnu-prefix>musl-gcc (e.g. aarch64-linux-gnu-musl-gcc)
# with a specs file pointing into the unpacked tree. build.sh's pick_cc finds that
# wrapper as ${CROSS_COMPILE}musl-gcc once bin/ is on PATH (./build.sh dist does that).
# Nothing outside $MUSL_CROSS_DIR is changed. Already unpacked architectures are
# not fetched again. Exit 0 even when some could not be had: the build then falls
# back to static glibc and says so.
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
dir=${MUSL_CROSS_DIR:-$top/build/musl}
case $dir in /*) ;; *) dir=$top/$dir ;; esac
mkdir -p "$dir/bin"

if [ $# -eq 0 ]; then
  # shellcheck disable=SC2046
  set -- $(grep -v '^#' test/arch/targets | awk -F'|' '{gsub(/ /,"",$9); gsub(/ /,"",$4);
    if ($4 == "y" && $9 != "-" && $9 != "amd64" && $9 != "") print $9}' | sort -u)
fi

# Debian architecture -> the gcc cross prefix musl-dev:ARCH's wrapper calls.
gnu_prefix() {
  case $1 in
    arm64) echo aarch64-linux-gnu- ;;
    armel) echo arm-linux-gnueabi- ;;
    armhf) echo arm-linux-gnueabihf- ;;
    i386) echo i686-linux-gnu- ;;
    mips64el) echo mips64el-linux-gnuabi64- ;;
    mipsel) echo mipsel-linux-gnu- ;;
    ppc64el) echo powerpc64le-linux-gnu- ;;
    s390x) echo s390x-linux-gnu- ;;
    *) return 1 ;;
  esac
}

need=
for a in "$@"; do
  [ -f "$dir/$a/ok" ] || need="$need $a"
done
[ -z "$need" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "musl-cross.sh: no apt-get; no musl for:$need" >&2
  exit 0
fi

echo "musl-cross.sh: fetching Debian 12's musl-dev for$need from deb.debian.org (about 10 MB for all eight, once) into $dir" >&2

# A private apt: its own sources list (Debian 12 main only), lists and cache.
apt=$dir/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/debs"
cat >"$apt/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
EOF
set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/sources.list.d" \
  -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Acquire::Languages=none \
  -o APT::Architecture=amd64 -o APT::Sandbox::User=root
for a in $need; do set -- "$@" -o "APT::Architectures::=$a"; done
if ! apt-get -qq "$@" update >"$apt/update.log" 2>&1; then
  echo "musl-cross.sh: apt-get update failed (see $apt/update.log); no musl for:$need" >&2
  exit 0
fi

# One download for all: each apt-get run rebuilds its package cache (slow).
pkgs=
for a in $need; do pkgs="$pkgs musl-dev:$a"; done
rm -f "$apt/debs"/*.deb
# shellcheck disable=SC2086
if ! (cd "$apt/debs" && apt-get -qq "$@" download $pkgs >"$apt/download.log" 2>&1); then
  echo "musl-cross.sh: apt-get download failed (see $apt/download.log)" >&2
fi

for a in $need; do
  p=$(gnu_prefix "$a") || { echo "musl-cross.sh: $a: no known gcc prefix" >&2; continue; }
  deb=$(ls "$apt/debs"/musl-dev_*_"$a".deb 2>/dev/null | head -n 1)
  if [ -z "$deb" ]; then
    echo "musl-cross.sh: no musl-dev:$a downloaded" >&2
    continue
  fi
  rm -rf "${dir:?}/$a"
  mkdir -p "$dir/$a"
  dpkg-deb -x "$deb" "$dir/$a"
  specs=$(find "$dir/$a/usr/lib" -name musl-gcc.specs | head -n 1)
  if [ -z "$specs" ]; then
    echo "musl-cross.sh: musl-dev:$a has no musl-gcc.specs" >&2
    continue
  fi
  # Debian's specs name /usr/include/<triplet>-musl and /usr/lib/<triplet>-musl:
  # point them into the unpacked tree.
  sed "s#/usr/\(include\|lib\)/#$dir/$a/usr/\1/#g" "$specs" >"$dir/$a/musl-gcc.specs"
  cat >"$dir/bin/${p}musl-gcc" <<EOF
#!/bin/sh
# musl-dev:$a ($(dpkg-deb -f "$deb" Version)) on top of ${p}gcc; written by test/arch/musl-cross.sh
exec "\${REALGCC:-${p}gcc}" "\$@" -specs "$dir/$a/musl-gcc.specs"
EOF
  chmod +x "$dir/bin/${p}musl-gcc"
  dpkg-deb -f "$deb" Version >"$dir/$a/ok"
done
exit 0
