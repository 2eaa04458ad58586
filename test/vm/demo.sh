#!/usr/bin/env bash
# test/vm/demo.sh - boots a 4-node qemu guest (no NUMA machine needed) and shows
# a process's memory moving from node 0 to node 3 with migratepages --verbose.
# Called by `./build.sh demo`. Environment: MP (default ./migratepages).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
MP=${MP:-$top/migratepages}
out=$top/build/vm
mkdir -p "$out"
command -v qemu-system-x86_64 >/dev/null ||
  { echo "demo: qemu-system-x86_64 is needed (Debian package qemu-system-x86)" >&2; exit 1; }
if [ ! -s "$here/cache/amd64/image.src" ]; then
  echo "demo: fetching Debian's kernel package once (about 70 MB) into test/vm/cache/ ..."
fi
"$here/kernel.sh" amd64 >/dev/null
MP=$MP "$here/mkinitrd.sh" x86_64 "$out/demo.cpio"
echo "demo: booting a 4-node guest under qemu (TCG, about 10 s) ..."
: >"$out/demo.log"
VM_TIMEOUT=120 "$here/boot.sh" x86_64 4node "$out/demo.cpio" "$out/demo.log" mp.run=demo &
boot=$!
tail -n +1 -f --pid="$boot" "$out/demo.log" | sed -u -n 's/\r$//; s/^DEMO \{0,1\}//p'
wait "$boot" || { echo "demo: the guest failed; see $out/demo.log" >&2; exit 1; }
