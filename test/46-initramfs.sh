#!/usr/bin/env bash
# The initramfs hooks in contrib/:
#  - initramfs-tools (Debian, Ubuntu): mkinitramfs with a configuration folder
#    of its own (the host's /etc/initramfs-tools is not read or changed) and the
#    hook builds an image; lsinitramfs lists the binary, which is byte for byte
#    $MP; the same image without the hook has none (negative control); then the
#    image boots in a 2-node qemu guest, where a script of the image runs the
#    tool from it and pages move both ways between the nodes;
#  - dracut: dracut is not installed (it conflicts with initramfs-tools), so
#    the module is checked with bash -n and by calling its check() and
#    install() with a stand-in for dracut's inst_binary.
# mkinitramfs reads /boot/config-VERSION: it runs in a private mount namespace
# with a tmpfs on /boot holding one for the guest's kernel.
set -u
cd "$TOP" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hook=contrib/initramfs-tools/hooks/migratepages
mod=contrib/dracut/90migratepages/module-setup.sh

# ---- dracut ------------------------------------------------------------------
if bash -n "$mod" 2>"$tmp/err"; then echo "PASS dracut module: bash -n"; else echo "FAIL dracut module: bash -n: $(head -1 "$tmp/err")"; fi
res=$(MIGRATEPAGES_BIN=$MP bash -c '
  inst_binary() { echo "inst_binary $*"; }
  . "$1"
  check; echo "check $?"
  install
  MIGRATEPAGES_BIN=/nonexistent check; echo "check-missing $?"' _ "$mod" 2>&1)
want="check 255
inst_binary $MP /usr/bin/migratepages
check-missing 1"
if [ "$res" = "$want" ]; then
  echo "PASS dracut module: check() asks to be added on request, install() installs the binary as /usr/bin/migratepages, no binary: not included"
else
  echo "FAIL dracut module: got '$(tr '\n' ';' <<<"$res")'"
fi

# ---- initramfs-tools ---------------------------------------------------------
if sh -n "$hook" 2>"$tmp/err"; then echo "PASS initramfs-tools hook: sh -n"; else echo "FAIL initramfs-tools hook: sh -n: $(head -1 "$tmp/err")"; fi
for c in mkinitramfs lsinitramfs unmkinitramfs; do
  command -v $c >/dev/null 2>&1 || { echo "SKIP initramfs-tools: no $c (Debian package initramfs-tools-core)"; exit 0; }
done
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  echo "SKIP initramfs-tools: needs root and a private mount namespace (unshare -m) for /boot"; exit 0
fi

# the configuration folder: the hook, and (for the boot) a script of the test
mkconf() {  # mkconf DIR WITH-HOOK(0/1)
  mkdir -p "$1/hooks" "$1/scripts/init-top" "$1/conf.d"
  printf 'MODULES=list\nBUSYBOX=y\nKEYMAP=n\nCOMPRESS=gzip\nFSTYPE=auto\n' >"$1/initramfs.conf"
  : >"$1/modules"
  [ "$2" = 0 ] || cp "$hook" "$1/hooks/"
  cp test/vm/initramfs-tools-test "$1/scripts/init-top/mp-test"
}
mkconf "$tmp/conf" 1
mkconf "$tmp/conf-nohook" 0

# the guest's kernel (fetched once by test/vm/kernel.sh), for its config
kver=mptest kconf=
if [ "${TEST_QUICK:-0}" != 1 ] && command -v qemu-system-x86_64 >/dev/null 2>&1 &&
   kimg=$(test/vm/kernel.sh amd64 2>"$tmp/kernel.log"); then
  kconf=$(dirname "$kimg")/config
fi
[ -s "$kconf" ] || { printf 'CONFIG_RD_GZIP=y\n' >"$tmp/config"; kconf=$tmp/config; }
# mkimage CONF OUT: mkinitramfs, /boot/config-$kver from a tmpfs
mkimage() {
  unshare -m sh -c 'mount -t tmpfs mptest /boot && cp "$1" "/boot/config-$2" &&
                    MIGRATEPAGES_BIN=$3 mkinitramfs -d "$4" -o "$5" "$2"' _ \
    "$kconf" "$kver" "$MP" "$1" "$2" >"$2.log" 2>&1
}
start=$SECONDS
if mkimage "$tmp/conf" "$tmp/initrd.img"; then
  echo "PASS mkinitramfs with the hook ($(stat -c %s "$tmp/initrd.img") bytes, $((SECONDS - start)) s)"
else
  echo "FAIL mkinitramfs with the hook: $(grep -m2 '^E:\|rror' "$tmp/initrd.img.log" | tr '\n' ' ')"; exit 0
fi
list=$(lsinitramfs "$tmp/initrd.img")
if p=$(grep -xE '(usr/)?s?bin/migratepages' <<<"$list"); then
  echo "PASS lsinitramfs lists $p"
else
  echo "FAIL lsinitramfs: no bin/migratepages in the image"
fi
unmkinitramfs "$tmp/initrd.img" "$tmp/x" 2>/dev/null
f=$(find "$tmp/x" -path '*bin/migratepages' -type f | head -1)
if [ -n "$f" ] && cmp -s "$f" "$MP"; then
  echo "PASS the image's migratepages is byte for byte $MP"
else
  echo "FAIL the image's migratepages differs from $MP (${f:-not found})"
fi
if mkimage "$tmp/conf-nohook" "$tmp/nohook.img" && ! lsinitramfs "$tmp/nohook.img" | grep -q 'bin/migratepages$'; then
  echo "PASS negative control: the same image without the hook has no migratepages"
else
  echo "FAIL negative control: an image without the hook has migratepages (or was not built)"
fi

# ---- boot it -----------------------------------------------------------------
if [ "${TEST_QUICK:-0}" = 1 ]; then
  echo "SKIP initramfs-tools boot: TEST_QUICK=1"; exit 0
elif ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
  echo "SKIP initramfs-tools boot: no qemu-system-x86_64 (Debian package qemu-system-x86)"; exit 0
elif [ "$kconf" = "$tmp/config" ]; then
  echo "SKIP initramfs-tools boot: Debian's kernel could not be fetched: $(tail -1 "$tmp/kernel.log")"; exit 0
fi
log=$tmp/serial.log
VM_TIMEOUT=${VM_TIMEOUT:-180} test/vm/boot.sh x86_64 2node "$tmp/initrd.img" "$log"; rc=$?
sed -i 's/\r$//' "$log"
if [ $rc != 0 ]; then
  echo "FAIL initramfs-tools boot: the guest did not finish (boot.sh exit $rc): $(grep -a -m3 -i 'panic\|error\|not found' "$log" | tr '\n' ' ')"; exit 0
fi
# after(TAG, NODE): the "after" column of the tool's --verbose table
after() { awk -v t="$1" -v n="$2" '$1 == t && $2 == n { print $(NF-1), $NF }' "$log"; }
before() { awk -v t="$1" -v n="$2" '$1 == t && $2 == n { print $3, $4 }' "$log"; }
grep -a '^MP' "$log" | sed 's/^/  guest: /'
ok() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1: $3"; fi; }
ok "initramfs-tools boot: the tool ran from the image, exit 0 both ways" 'grep -qx "MPRC 0 0" "$log"' "$(grep -a MPRC "$log")"
ok "initramfs-tools boot: after 0 -> 1 nothing is left on node 0" '[ "$(after MP01 0)" = "0 B" ] && [ "$(after MP01 1)" != "0 B" ]' "node 0: $(after MP01 0), node 1: $(after MP01 1)"
ok "initramfs-tools boot: 1 -> 0 moves it all back (pages crossed nodes)" '[ "$(after MP10 1)" = "0 B" ] && [ "$(after MP10 0)" = "$(before MP10 1)" ] && [ "$(before MP10 1)" != "0 B" ]' "before on 1: $(before MP10 1); after: node 0 $(after MP10 0), node 1 $(after MP10 1)"
exit 0
