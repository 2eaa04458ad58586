#!/bin/sh
# test/arch/debfetch.sh DEBARCH DIR PACKAGE... - download Debian 12 packages of a
# foreign architecture into DIR with apt-get, without `dpkg --add-architecture`:
# a private apt state (sources: Debian 12 main only) under $ARCH_APT_DIR (default
# build/arch-apt). PACKAGE may be a meta package followed by "^" (e.g.
# linux-image-powerpc64le^): the real package it depends on is fetched instead.
# Packages already in DIR are not fetched again.
set -eu
arch=${1:?usage: debfetch.sh DEBARCH DIR PACKAGE...}
dest=${2:?usage: debfetch.sh DEBARCH DIR PACKAGE...}
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
apt=${ARCH_APT_DIR:-$top/build/arch-apt}
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$dest"
dest=$(cd "$dest" && pwd)
cat >"$apt/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
EOF
opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=$apt/sources.list.d
  -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o Acquire::Languages=none
  -o APT::Architecture=amd64 -o APT::Sandbox::User=root -o APT::Architectures::=$arch"
# One update per architecture (its Packages index is kept in $apt/lists).
if ! ls "$apt/lists/"*"_binary-${arch}_Packages"* >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  apt-get -qq $opts update >&2
fi
pkgs=
for p in "$@"; do
  case $p in
    *^)
      # shellcheck disable=SC2086
      real=$(apt-cache $opts depends "${p%^}:$arch" 2>/dev/null |
             sed -n 's/^ *Depends: \([^ :<]*\).*/\1/p' | head -n 1)
      [ -n "$real" ] || { echo "debfetch.sh: nothing behind ${p%^}:$arch" >&2; exit 1; }
      p=$real ;;
  esac
  ls "$dest/${p}_"*"_$arch.deb" >/dev/null 2>&1 || ls "$dest/${p}_"*"_all.deb" >/dev/null 2>&1 ||
    pkgs="$pkgs $p:$arch"
done
[ -z "$pkgs" ] && exit 0
# shellcheck disable=SC2086
(cd "$dest" && apt-get -qq $opts download $pkgs >&2)
