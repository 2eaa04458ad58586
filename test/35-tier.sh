#!/usr/bin/env bash
# --cold and --hot on this host. Its kernel may have neither tracker (the CI
# machine's kind has no CONFIG_MEM_SOFT_DIRTY and no CONFIG_IDLE_PAGE_TRACKING:
# clear_refs takes "4" and bit 55 never gets set): the tool must then refuse
# at once, before any waiting, naming what is missing, and touch no process.
# Where a tracker works here, a short window on a process of this suite is
# judged instead. Real moves of cold and hot pages are checked page by page in
# the guests (50-vm: x86_64-tier, x86_64-idle, x86_64-damon).
# DAMON here: the tracker is refused with the sentence that fits this host
# (no DAMON, DAMON in use, not root), DAMON's sysfs reads the same after, and
# while DAMON is in use the tool writes nothing there; --version's DAMON facts
# agree with this suite's own reading of sysfs.
set -u
cd "$TOP" || exit 1
tmp=$(mktemp -d)
pids=()
cleanup() { [ "$BASHPID" = "$$" ] || return; exec 2>/dev/null; for x in "${pids[@]}"; do kill "$x" && wait "$x"; done; rm -rf "$tmp"; }
trap cleanup EXIT
# shellcheck source=lib.sh
. test/lib.sh
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
root=0; [ "$(id -u)" = 0 ] && root=1

# This suite's own probe of soft-dirty, independent of the tool's: a page
# written, the bits cleared, the page written again: is its bit 55 set?
softdirty=unknown
if command -v python3 >/dev/null; then
  softdirty=$(python3 - <<'PY' 2>/dev/null
import mmap, os, struct
page = os.sysconf("SC_PAGE_SIZE")
m = mmap.mmap(-1, page)
m[0] = 1
import ctypes
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
with open("/proc/self/clear_refs", "w") as f:
    f.write("4")
m[0] = 2
with open("/proc/self/pagemap", "rb") as f:
    f.seek(addr // page * 8)
    e = struct.unpack("Q", f.read(8))[0]
print("yes" if e >> 55 & 1 else "no")
PY
)
fi
idle=no
[ -e /sys/kernel/mm/page_idle/bitmap ] && idle=yes
echo "this host: soft-dirty bits ${softdirty:-unknown}, idle page tracking $idle"

bg sleep 600; p=$last; sleep 0.1

if [ "$softdirty" = no ] && [ "$idle" = no ]; then
  # refused at once: --cold 60s would wait a minute
  s=$SECONDS
  run "$MP" --cold 60s "$p" 0 0
  ok "--cold with neither tracker: refused at once (exit 1, $((SECONDS - s)) s)" \
    '[ $rc = 1 ] && [ $((SECONDS - s)) -lt 5 ] && [ -z "$out" ] && [ "$(wc -l <<<"$err")" = 1 ]' "exit $rc: $err"
  ok "the refusal names both kernel options" \
    'grep -q "CONFIG_IDLE_PAGE_TRACKING" <<<"$err" && grep -q "CONFIG_MEM_SOFT_DIRTY" <<<"$err" && grep -q "^migratepages: --cold: " <<<"$err"' "$err"
  run "$MP" --hot 1h --json -n "$p" 0 0
  ok "--hot --dry-run --json: the same refusal, as an error object" '[ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "^{\"schema\":\"migratepages/1\",\"event\":\"error\",\"exit_status\":1,\"error\":{\"errno\":null,\"message\":\"--hot: no way to see" <<<"$out" && grep -q "^migratepages: --hot: no way to see" <<<"$err"' "exit $rc: $out $err"
  run "$MP" --cold 1s --tracker softdirty "$p" 0 0
  expect "--tracker softdirty: its own reason" 1 "" "migratepages: --tracker softdirty: this kernel keeps no soft-dirty bits (CONFIG_MEM_SOFT_DIRTY: it takes \"4\" in clear_refs, but a page written after that does not show as soft-dirty in pagemap; arm64 has none)"
  run "$MP" --cold 1s --tracker idle "$p" 0 0
  expect "--tracker idle: its own reason" 1 "" "migratepages: --tracker idle: this kernel has no idle page tracking (CONFIG_IDLE_PAGE_TRACKING: no /sys/kernel/mm/page_idle/bitmap)"
  # nothing of the target's was opened or named (the probe uses the tool's
  # own pages: its own clear_refs and pagemap)
  if command -v strace >/dev/null; then
    strace -f -qq -o "$tmp/trace" -e trace=openat,move_pages,migrate_pages "$MP" --cold 60s "$p" 0 0 >/dev/null 2>&1
    ok "the refusal touches no process: no file of /proc/$p opened, no call naming it" \
      '! grep -q "/proc/$p/\|move_pages($p,\|migrate_pages($p," "$tmp/trace" && grep -q "clear_refs" "$tmp/trace"' "$(grep -v ENOENT "$tmp/trace" | head -20)"
  else
    echo "SKIP the refusal touches no process: no strace"
  fi
  # a process that does not exist: the command line's refusal comes first
  run "$MP" --cold 5s 2147483647 0 0
  ok "--cold on a pid that does not exist: the tracker's refusal first (exit 1)" '[ $rc = 1 ] && grep -q "no way to see" <<<"$err"' "exit $rc: $err"
else
  echo "SKIP the refusal with neither tracker: this kernel has one (soft-dirty ${softdirty}, idle $idle)"
fi

# an empty root, no /proc and no /sys: the refusal says so, not that the
# kernel lacks the trackers (this holds whatever this kernel has)
if [ $root = 1 ] && command -v chroot >/dev/null && ! readelf -l "$MP" 2>/dev/null | grep -q INTERP; then
  mkdir -p "$tmp/root"; cp "$MP" "$tmp/root/migratepages"
  run chroot "$tmp/root" /migratepages --cold 60s "$p" 0 0
  expect "no /proc and no /sys: the refusal names them, not the kernel's options" 1 "" \
    "migratepages: --cold: no way to see which pages are touched here: /sys is not mounted (idle page tracking is /sys/kernel/mm/page_idle/bitmap); /sys is not mounted (DAMON is /sys/kernel/mm/damon/admin/kdamonds); and /proc is not mounted (soft-dirty bits are read from /proc/PID/pagemap)"
else
  echo "SKIP the tracker refusal without /proc and /sys: needs root, chroot and a static binary"
fi

if [ "$softdirty" = yes ]; then
  # a short window on a process of our own: written memory touched, the rest not
  run "$MP" --cold 1s --tracker softdirty --dry-run --json "$p" 0 0
  ok "--cold 1s --dry-run with soft-dirty: exit 0, the tracker named, per-node figures" \
    '[ $rc = 0 ] && grep -q "\"tracker\":\"softdirty\",\"sees\":\"writes only\"" <<<"$out" && grep -q "\"untouched\":{" <<<"$out"' "exit $rc: $out $err"
  if [ $root = 1 ] && command -v setpriv >/dev/null; then
    run setpriv --reuid=65534 --regid=65534 --clear-groups "$MP" --cold 1s --tracker softdirty "$p" 0 0
    ok "another user's process: refused before the window" '[ $rc = 1 ] && grep -q "permission denied" <<<"$err"' "exit $rc: $err"
  fi
else
  echo "SKIP a window judged on this host: no soft-dirty bits here (the guests judge and move: 50-vm x86_64-tier)"
fi

# --- DAMON (--tracker damon) ----------------------------------------------------
dk=/sys/kernel/mm/damon/admin/kdamonds
damon_snap() {  # every file of DAMON's sysfs with what it reads, and the modules' switches
  local f
  for f in $(find /sys/kernel/mm/damon /sys/module/damon_reclaim/parameters \
               /sys/module/damon_lru_sort/parameters -type f 2>/dev/null | sort); do
    echo "$f $(head -c 200 "$f" 2>/dev/null | tr '\n' ' ')"
  done
}
damon_busy() {  # in use by anyone: a kdamond configured or running, a module on
  [ "$(cat $dk/nr_kdamonds 2>/dev/null || echo 0)" != 0 ] ||
    grep -q Y /sys/module/damon_reclaim/parameters/enabled /sys/module/damon_lru_sort/parameters/enabled 2>/dev/null ||
    grep -q '^kdamond' /proc/[0-9]*/comm 2>/dev/null
}
run "$MP" --version --json
ok "--version --json: the DAMON facts are there" \
  'for k in damon_sysfs damon_vaddr damon_tried_regions damon_kdamonds damon_kdamonds_running damon_reclaim damon_lru_sort damon_in_use tracker_damon; do grep -q "\"$k\":" <<<"$out" || exit 1; done' "$out"
if [ ! -e $dk/nr_kdamonds ]; then
  ok "--version: damon_sysfs false without DAMON's sysfs" 'grep -q "\"damon_sysfs\":false" <<<"$out"' "$out"
  run "$MP" --cold 60s --tracker damon "$p" 0 0
  expect "--tracker damon without DAMON's sysfs: refused" 1 "" "migratepages: --tracker damon: this kernel has no DAMON sysfs interface (CONFIG_DAMON_SYSFS, with CONFIG_DAMON_VADDR: no /sys/kernel/mm/damon/admin/kdamonds)"
elif [ $root = 0 ]; then
  run "$MP" --cold 60s --tracker damon "$p" 0 0
  ok "--tracker damon as a user: refused, DAMON needs root" '[ $rc = 1 ] && grep -q "^migratepages: --tracker damon: DAMON needs root" <<<"$err"' "exit $rc: $err"
else
  echo "this host: DAMON $(cat $dk/nr_kdamonds) kdamond(s), $(cat $dk/0/contexts/0/operations 2>/dev/null || echo -) operations in kdamond 0, state $(cat $dk/0/state 2>/dev/null || echo -)"
  damon_snap >"$tmp/d0"
  if damon_busy; then
    ok "--version: damon_in_use true, tracker_damon false, as this suite reads sysfs" \
      'grep -q "\"damon_in_use\":true" <<<"$out" && grep -q "\"tracker_damon\":false" <<<"$out" && grep -q "\"damon_kdamonds\":$(cat $dk/nr_kdamonds)," <<<"$out"' "$out"
    s=$SECONDS
    run "$MP" --cold 60s --tracker damon "$p" 0 0
    ok "--tracker damon while DAMON is in use here: refused at once, one line saying why" \
      '[ $rc = 1 ] && [ $((SECONDS - s)) -lt 5 ] && [ -z "$out" ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q "^migratepages: --tracker damon: DAMON is in use: " <<<"$err"' "exit $rc: $err"
    echo "  ($err)"
    if command -v strace >/dev/null; then
      strace -f -qq -o "$tmp/dtrace" -e trace=openat,write "$MP" --cold 60s --tracker damon "$p" 0 0 >/dev/null 2>&1
      ok "the refusal writes nothing to DAMON's sysfs (strace: none of its files opened for writing)" \
        '! grep "/sys/kernel/mm/damon" "$tmp/dtrace" | grep -q "O_WRONLY\|O_RDWR" && grep -q "/sys/kernel/mm/damon" "$tmp/dtrace"' \
        "$(grep damon "$tmp/dtrace" | head -5)"
      strace -f -qq -o "$tmp/dtrace2" -e trace=openat "$MP" --version -v >/dev/null 2>&1
      ok "--version -v with DAMON in use: nothing of DAMON's opened for writing" \
        '! grep "/sys/kernel/mm/damon" "$tmp/dtrace2" | grep -q "O_WRONLY\|O_RDWR"' "$(grep damon "$tmp/dtrace2" | head -5)"
    else
      echo "SKIP the DAMON refusal writes nothing: no strace"
    fi
    # auto passes over DAMON in use (to soft-dirty, or refuses with every reason)
    run "$MP" --cold 1s --dry-run "$p" 0 0
    ok "auto passes over DAMON in use" '{ [ $rc = 0 ] && ! grep -q "with damon" <<<"$out"; } || { [ $rc = 1 ] && grep -q "DAMON is in use" <<<"$err"; }' "exit $rc: $out $err"
  else
    # nobody uses it here: the tool's probe makes a kdamond and removes it
    run "$MP" --cold 1s --tracker damon --dry-run "$p" 0 0
    ok "--tracker damon on this host: judged, or refused with why (exit $rc)" \
      '[ $rc = 0 ] || grep -q "^migratepages: --tracker damon: " <<<"$err"' "exit $rc: $err"
    echo "  (${err:-judged with damon})"
  fi
  damon_snap >"$tmp/d1"
  ok "DAMON's sysfs reads the same before and after" 'cmp -s "$tmp/d0" "$tmp/d1"' "$(diff "$tmp/d0" "$tmp/d1" | head -5)"
fi
