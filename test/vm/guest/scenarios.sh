# scenarios.sh - the guest scenarios, one shell function sc_NAME each, run by
# /init in the order the kernel command line names them (mp.run=a,b,c).
# Each prints its own RESULT lines. Node lists given to mcase after the tool's
# arguments are what the kernel must receive, written out by hand here; the
# checker (pagecheck) predicts every page's final node from them.

# --- 2 nodes (512 MiB each) -------------------------------------------------
sc_one_to_one() {
  mcase one-to-one "-s 32 -b 0" "@ 0 1" 0 1 0
  sbs one-to-one same
}
sc_back() {
  mcase back "-s 16 -b 1" "@ 1 0" 1 0 0
  sbs back same
}
sc_thp() {
  mcase thp "-s 32 -H -b 0" "@ 0 1" 0 1 0
  local b a
  b=$(sed -n 's/^thp_kb //p' "$T/thp.before" 2>/dev/null)
  a=$(sed -n 's/^thp_kb //p' "$T/thp.after" 2>/dev/null)
  if [ "${b:-0}" -gt 0 ] 2>/dev/null; then
    pass thp-backed
    info "thp: AnonHugePages ${b} kB before, ${a} kB after"
  else
    fail thp-backed "the buffer had no transparent huge pages (AnonHugePages ${b:-?} kB): the THP case tested nothing"
  fi
  sbs thp same
}
sc_small_pages() {
  mcase small-pages "-s 16 -N -b 0" "@ 0 1" 0 1 0
  local b
  b=$(sed -n 's/^thp_kb //p' "$T/small-pages.before" 2>/dev/null)
  [ "${b:-1}" = 0 ] || fail small-pages-4k "buffer had $b kB of huge pages"
  sbs small-pages same
}
sc_threads() {
  mcase threads "-s 32 -t 4 -b 0" "@ 0 1" 0 1 0
  sbs threads same
}
sc_tid() {
  # A thread id names the same memory as its process.
  mcase tid "-s 16 -t 2 -b 0" "% 0 1" 0 1 0
  sbs tid same
}
sc_interleave2() {
  mcase interleave2 "-s 16 -N -i 0-1" "@ 0-1 1" 0-1 1 0
  sbs interleave2 same
}
sc_shared_root() {
  mcase shared-root "-s 16 -S -b 0" "@ 0 1" 0 1 0
  sbs shared-root same
}
sc_shared_unpriv() {
  # Without CAP_SYS_NICE the kernel moves only pages mapped by one process:
  # the shared buffer (mapped by the hog and its child) stays where it is.
  # That is the kernel's rule for an unprivileged call, not a failure: exit 0
  # (as numactl), silent; -v and --json show what stayed, as a note.
  HOG_USER=1000 TOOL_USER=1000 mcase shared-unpriv-v "-s 16 -S -b 0" "-v @ 0 1" 0 "" 0 -z
  if grep -q "note: .* stayed on node 0: pages shared with other processes, which move only with CAP_SYS_NICE" "$T/shared-unpriv-v.out" &&
     [ ! -s "$T/shared-unpriv-v.err" ]; then
    pass shared-unpriv-noted
  else
    fail shared-unpriv-noted "no note of the shared pages in -v: $(head -c 300 "$T/shared-unpriv-v.out" | tr '\n' ' ')"
  fi
  HOG_USER=1000 TOOL_USER=1000 mcase shared-unpriv "-s 16 -S -b 0" "@ 0 1" 0 "" 0 -z
  info "shared-unpriv: exit $RC; stdout: $(head -c 300 "$T/shared-unpriv.out" | tr '\n' ' '); stderr: $(head -c 300 "$T/shared-unpriv.err" | tr '\n' ' ')"
  HOG_USER=1000 TOOL_USER=1000 sbs shared-unpriv same
}
sc_unpriv_own() {
  HOG_USER=1000 TOOL_USER=1000 mcase unpriv-own "-s 16 -b 0" "@ 0 1" 0 1 0
  HOG_USER=1000 TOOL_USER=1000 sbs unpriv-own same
}
sc_unpriv_other() {
  HOG_USER=1001 TOOL_USER=1000 mcase unpriv-other "-s 16 -b 0" "@ 0 1" "" "" 1 -z
  local e
  e=$(head -c 400 "$T/unpriv-other.err" | tr '\n' ' ')
  info "unpriv-other: stderr: $e"
  case $e in
    *user*|*uid*|*owner*|*"another"*) pass unpriv-other-cause ;;
    *) fail unpriv-other-cause "stderr does not name the cause (another user's process): $e" ;;
  esac
  HOG_USER=1001 TOOL_USER=1000 sbs unpriv-other same
}
sc_nonexistent() {
  mcase nonexistent "-s 16 -b 0" "@ 0 7" "" "" 1 -z
  info "nonexistent: stderr: $(head -c 300 "$T/nonexistent.err" | tr '\n' ' ')"
  sbs nonexistent same
}
sc_noproc() {
  # /proc and /sys unmounted, as early in an initramfs. The hog reports with
  # move_pages, which needs neither.
  local p rc nrc
  hog_start noproc -s 16 -b 0 || { fail noproc "hog did not start"; return; }
  hog_start noproc-nc -s 16 -b 0 || { fail noproc "hog did not start"; return; }
  hog_report noproc before && hog_report noproc-nc before || { fail noproc "no report"; return; }
  umount "$CG" 2>/dev/null
  umount /sys && umount /proc || { fail noproc "cannot unmount /proc and /sys"; return; }
  [ -e /proc/self ] && { fail noproc "/proc is still there"; return; }
  $MP "$(hpid noproc)" 0 1 >"$T/noproc.out" 2>"$T/noproc.err"
  rc=$?
  if [ -x "$NUMACTL" ]; then
    $NUMACTL "$(hpid noproc-nc)" 0 1 >"$T/noproc-nc.out" 2>"$T/noproc-nc.err"
    nrc=$?
  fi
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  hog_report noproc after
  hog_report noproc-nc after
  hog_stop noproc
  hog_stop noproc-nc
  if [ "$rc" != 0 ]; then
    fail noproc "exit $rc: $(head -c 300 "$T/noproc.err" | tr '\n' ' ')"
  elif OUT=$(pagecheck check "$T/noproc.before" "$T/noproc.after" 0 1); then
    pass noproc
    info "noproc: $OUT"
  else
    fail noproc "$OUT"
  fi
  if [ -x "$NUMACTL" ]; then
    echo "COMPARE noproc: ours exit $rc $(counts "$T/noproc.after"); numactl exit $nrc $(counts "$T/noproc-nc.after"); numactl said: $(head -c 200 "$T/noproc-nc.err" | tr '\n' ' ')"
    # Expected: numactl fails without /proc (it reads its cpuset there) and
    # moves nothing; ours moves everything.
    if [ "$nrc" != 0 ] && ! pagecheck same "$T/noproc.after" "$T/noproc-nc.after" >/dev/null; then
      pass sbs-noproc
      echo "COMPARE noproc: expected difference (both): without /proc numactl cannot read its cpuset and refuses every node; ours validates with get_mempolicy and migrates"
    else
      fail sbs-noproc "expected numactl to fail and ours to move; numactl exit $nrc"
    fi
  fi
}
sc_exit_during() {
  # The target dies around the migration: already a zombie (no mm left), or
  # killed 0 to 0.5 s after the tool started on 64 MiB of 4 KiB pages. Any of
  # exit 0 (moved before it died), 1 or 2 with a migratepages: line is a clear
  # outcome; a signal, a hang or a silent failure is not.
  local d p tp rc bad= st
  for d in zombie 0 0.05 0.2 0.5; do
    hog_start exiting -s 64 -N -b 0 || { fail exit-during "hog did not start"; return; }
    p=$(hpid exiting)
    if [ "$d" = zombie ]; then
      kill -9 "$p"
      usleep 200000
      st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$p/status" 2>/dev/null)
      timeout 60 $MP "$p" 0 1 >"$T/exiting.out" 2>"$T/exiting.err"
      rc=$?
      d="zombie (state ${st:-gone})"
    else
      timeout 60 $MP "$p" 0 1 >"$T/exiting.out" 2>"$T/exiting.err" &
      tp=$!
      [ "$d" = 0 ] || sleep "$d"
      kill -9 "$p"
      wait "$tp"
      rc=$?
      d="killed after ${d}s"
    fi
    wait "$p" 2>/dev/null
    info "exit-during ($d): exit $rc; stderr: $(head -c 200 "$T/exiting.err" | tr '\n' ' ')"
    case $rc in
      0) ;;
      1|2) head -n 1 "$T/exiting.err" | grep -q '^migratepages: ' || bad="$bad; $d: exit $rc without a migratepages: message" ;;
      124) bad="$bad; $d: the tool hung" ;;
      *) bad="$bad; $d: exit $rc (killed by a signal?)" ;;
    esac
  done
  if [ -z "$bad" ]; then pass exit-during; else fail exit-during "${bad#; }"; fi
}

# --- 4 nodes (256 MiB each) --------------------------------------------------
sc_zero_to_three() {
  mcase zero-to-three "-s 32 -b 0" "@ 0 3" 0 3 0
  sbs zero-to-three same
}
sc_pairs() {
  # 0-1 -> 2-3 on an interleaved buffer: 0->2, 1->3. A maxnode off-by-one
  # would drop node 3 and put everything on node 2.
  mcase pairs "-s 32 -N -i 0-1" "@ 0-1 2-3" 0-1 2-3 0
  sbs pairs same
}
sc_pairs_thp() {
  mcase pairs-thp "-s 32 -H -i 0-1" "@ 0-1 2-3" 0-1 2-3 0
  sbs pairs-thp same
}
sc_unequal() {
  # 0-3 -> 1,2: weights differ, so nodes 1 and 2 stay; 3->2, 0->1.
  mcase unequal "-s 32 -N -i 0-3" "@ 0-3 1,2" 0-3 1,2 0
  sbs unequal same
}
sc_chain() {
  # 0,1 -> 1,2: the kernel moves 1->2 first, then 0->1.
  mcase chain "-s 16 -N -i 0-1" "@ 0,1 1,2" 0,1 1,2 0
  sbs chain same
}
sc_swap() {
  # Node lists are sets: 0,1 -> 1,0 is the identity, and nothing moves.
  mcase swap "-s 8 -N -i 0-1" "@ 0,1 1,0" 0,1 1,0 0 -z
  sbs swap same
}
sc_all_to_n() {
  mcase all-to-n "-s 32 -N -i 0-3" "@ all 2" 0-3 2 0
  sbs all-to-n same
}
sc_not_n() {
  mcase not-n "-s 32 -N -i 0-3" "@ !2 2" 0,1,3 2 0
  sbs not-n same
}
cg_setup() {  # cg_setup NAME MEMS: a cgroup-v2 cpuset, printed path
  local d=$CG/$1
  grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none "$CG" || return 1
  grep -q cpuset "$CG/cgroup.subtree_control" || echo +cpuset >"$CG/cgroup.subtree_control" || return 1
  mkdir -p "$d" || return 1
  [ -z "$2" ] || echo "$2" >"$d/cpuset.mems" || return 1
  echo "$d"
}
sc_plus() {
  # +N counts in the target's cpuset (mems 1,3): +0 is node 1, +1 node 3.
  local d
  d=$(cg_setup plus 1,3) || { fail plus "cannot set up a cpuset cgroup"; return; }
  HOG_CG=$d mcase plus "-s 16 -N -b 1" "@ +0 +1" 1 3 0
  HOG_CG=$d sbs plus placement "numactl counts +N in the caller's cpuset (0-3): +0 +1 is 0->1 there, which moves nothing from node 1"
}
sc_interleave4() {
  mcase interleave4 "-s 32 -N -i 0-3" "@ 0-3 3,2,1,0" 0-3 0-3 0 -z
  sbs interleave4 same
}

# --- 2 nodes and a memory-only node (384, 384, 64 MiB) -------------------------
sc_memonly() {
  mcase memonly "-s 32 -b 0" "@ 0 2" 0 2 0
  sbs memonly same
}
sc_too_small() {
  local e left n
  # 96 MiB to a 64 MiB node: the kernel moves what fits, then ENOMEM.
  mcase too-small "-s 96 -N -b 0" "@ 0 2" 0 2 2 -p
  e=$(head -c 300 "$T/too-small.err" | tr '\n' ' ')
  left=$(sed -n 's/^count .*0=\([0-9]*\).*/\1/p' "$T/too-small.after")
  info "too-small: stderr: $e; pages still on node 0: ${left:-0}"
  # The count printed covers the whole process (numa_maps), so it may exceed
  # the buffer's pages left on node 0 by the hog's other pages there.
  n=$(echo "$e" | sed -n 's/.*[^0-9]\([0-9][0-9]*\) pages) could not be moved.*/\1/p; s/.*[^0-9]\([0-9][0-9]*\) pages could not be moved.*/\1/p' | head -n 1)
  if [ -z "$n" ]; then
    fail too-small-count "no 'N pages could not be moved' on stderr: $e"
  elif [ "$n" -ge "${left:-0}" ] && [ "$n" -le $(( ${left:-0} + 512 )) ]; then
    pass too-small-count
  else
    fail too-small-count "the tool says $n pages could not be moved; move_pages finds ${left:-0} of the buffer's pages still on node 0"
  fi
  sbs too-small any "numactl exits 1 on ENOMEM (perror) though part of the pages moved; ours exits 2. How much moved before ENOMEM varies run to run"
}

# --- one node split by numa=fake=4 --------------------------------------------
sc_fake() {
  mcase fake-one "-s 16 -b 0" "@ 0 3" 0 3 0
  sbs fake-one same
  mcase fake-pairs "-s 16 -N -i 0-1" "@ 0-1 2-3" 0-1 2-3 0
  sbs fake-pairs same
}

# --- negative control: the checks must bite ------------------------------------
# Each stand-in must fail every one of these cases.
sc_negative() {
  local st c h a f t caught missed
  for st in standin-noop standin-offby1; do
    caught=0 missed=
    for c in "-s 8 -b 0|@ 0 3|0|3" "-s 8 -N -i 0-1|@ 0-1 2-3|0-1|2-3" \
             "-s 8 -N -i 0-3|@ 0-3 1,2|0-3|1,2" "-s 8 -N -i 0-1|@ 0,1 1,2|0,1|1,2" \
             "-s 8 -b 1|@ 1 2|1|2"; do
      IFS='|' read -r h a f t <<EOC
$c
EOC
      if run_case neg "/bin/$st" "$h" "$a" "$f" "$t" 0; then
        missed="$missed '$a'"
      else
        caught=$((caught + 1))
        info "negative $st '$a': caught: $WHY"
        # Would a check of the final node set alone have caught it?
        if [ "$RC" = 0 ] && [ -s "$T/neg.after" ] &&
           counts "$T/neg.after" | awk -v set="$t" '
             BEGIN { n = split(set, r, ","); for (i = 1; i <= n; i++) { split(r[i], ab, "-"); if (ab[2] == "") ab[2] = ab[1]; for (k = ab[1]; k <= ab[2]; k++) ok[k] = 1 } }
             { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (!(kv[1] in ok)) bad = 1 } }
             END { exit bad }'; then
          info "negative $st '$a': every page is on a to-node ($(counts "$T/neg.after")): only the page-by-page check catches it"
        fi
      fi
    done
    if [ -z "$missed" ]; then
      pass "negative-$st"
    else
      fail "negative-$st" "the checks accepted the stand-in for$missed"
    fi
  done
}

# --- reporting (issue 4), on 4 nodes ---------------------------------------------
# nm_bytes FILE: whole-process bytes per node from a numa_maps snapshot, as
# "node bytes" lines (counts times kernelpagesize_kB).
nm_bytes() {
  awk '{ k = 4; for (i = 1; i <= NF; i++) if ($i ~ /^kernelpagesize_kB=/) { k = substr($i, 19) + 0 }
         for (i = 1; i <= NF; i++) if ($i ~ /^N[0-9]+=/) { split(substr($i, 2), a, "="); b[a[1]] += a[2] * k * 1024 } }
       END { for (n in b) print n, b[n] }' "$1" | sort -n
}
# Check the --verbose table (node, before, after in binary units with one
# decimal) against exact byte figures: every figure must be the exact one
# rounded. Prints what disagrees; returns 1 then.
verbose_agrees() {  # OUT NM_BEFORE NM_AFTER
  nm_bytes "$2" >"$T/vb.nb"
  nm_bytes "$3" >"$T/vb.na"
  awk -v nbf="$T/vb.nb" -v naf="$T/vb.na" '
    function bytes(v, u) { return v * (u == "B" ? 1 : u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : -1e30) }
    function tol(u) { return u == "B" ? 0 : 0.05 * bytes(1, u) + 1 }
    function near(shown, u, exact) { d = shown - exact; if (d < 0) d = -d; return d <= tol(u) }
    BEGIN { while ((getline l < nbf) > 0) { split(l, a, " "); eb[a[1]] = a[2] }
            while ((getline l < naf) > 0) { split(l, a, " "); ea[a[1]] = a[2] } }
    $1 ~ /^[0-9]+$/ && NF == 5 {
      seen++
      b = bytes($2, $3); a = bytes($4, $5)
      if (!near(b, $3, eb[$1] + 0)) { print "node " $1 " before: shown " $2 " " $3 ", numa_maps " eb[$1] + 0 " bytes"; bad = 1 }
      if (!near(a, $5, ea[$1] + 0)) { print "node " $1 " after: shown " $4 " " $5 ", numa_maps " ea[$1] + 0 " bytes"; bad = 1 }
    }
    END { if (!seen) { print "no per-node lines in the --verbose output"; bad = 1 }; exit bad }' "$1"
}
sc_verbose() {
  local p rc why= b3 a3 moved
  hog_start vb -s 32 -b 0 || { fail verbose "hog did not start"; return; }
  p=$(hpid vb)
  hog_report vb before
  cat "/proc/$p/numa_maps" >"$T/vb.nm0"
  $MP -v "$p" 0 3 >"$T/vb.out" 2>"$T/vb.err"
  rc=$?
  cat "/proc/$p/numa_maps" >"$T/vb.nm1"
  hog_report vb after
  hog_stop vb
  sed 's/^/INFO verbose| /' "$T/vb.out"
  [ "$rc" = 0 ] || why="exit $rc: $(head -c 200 "$T/vb.err")"
  grep -q "0->3" "$T/vb.out" || why="$why; no 0->3 mapping line"
  OUT=$(pagecheck check "$T/vb.before" "$T/vb.after" 0 3) || why="$why; $OUT"
  d=$(verbose_agrees "$T/vb.out" "$T/vb.nm0" "$T/vb.nm1") || why="$why; $d"
  # The buffer's pages (move_pages) account for what node 3 gained.
  moved=$(sed -n 's/^count .*3=\([0-9]*\).*/\1/p' "$T/vb.after")
  b3=$(nm_bytes "$T/vb.nm0" | awk '$1 == 3 { print $2 }')
  a3=$(nm_bytes "$T/vb.nm1" | awk '$1 == 3 { print $2 }')
  if [ $(( ${a3:-0} - ${b3:-0} )) -lt $(( ${moved:-0} * 4096 )) ]; then
    why="$why; node 3 gained $(( ${a3:-0} - ${b3:-0} )) bytes in numa_maps but move_pages shows ${moved:-0} buffer pages there"
  fi
  if [ -z "$why" ]; then
    pass verbose
    info "verbose: figures agree with numa_maps; buffer ${moved} pages on node 3 by move_pages"
  else
    fail verbose "${why#; }"
  fi
  # With automatic NUMA balancing on, --verbose says it may move pages back.
  hog_start vb2 -s 4 -b 0 || return
  echo 1 >/proc/sys/kernel/numa_balancing
  $MP -v "$(hpid vb2)" 0 1 >"$T/vb2.out" 2>"$T/vb2.err"
  echo 0 >/proc/sys/kernel/numa_balancing
  hog_stop vb2
  if grep -qi balancing "$T/vb2.out" "$T/vb2.err"; then
    pass verbose-balancing-note
  else
    fail verbose-balancing-note "numa_balancing=1 and --verbose did not mention it"
  fi
}
sc_hugetlb() {
  # hugetlbfs pages: numa_maps counts them in 2 MiB units (kernelpagesize_kB=2048),
  # the trap a tool that multiplies by 4 KiB falls into. Reserve pages on
  # nodes 0 and 3, move 0 -> 3, and check the pages and the --verbose figures.
  local p rc why= h=/sys/devices/system/node
  echo 20 >"$h/node0/hugepages/hugepages-2048kB/nr_hugepages" &&
    echo 20 >"$h/node3/hugepages/hugepages-2048kB/nr_hugepages" ||
    { fail hugetlb "cannot reserve huge pages"; return; }
  hog_start hp -s 32 -L -b 0 || { fail hugetlb "hog did not start"; return; }
  p=$(hpid hp)
  hog_report hp before
  cat "/proc/$p/numa_maps" >"$T/hp.nm0"
  $MP -v "$p" 0 3 >"$T/hp.out" 2>"$T/hp.err"
  rc=$?
  cat "/proc/$p/numa_maps" >"$T/hp.nm1"
  hog_report hp after
  hog_stop hp
  echo 0 >"$h/node0/hugepages/hugepages-2048kB/nr_hugepages"
  echo 0 >"$h/node3/hugepages/hugepages-2048kB/nr_hugepages"
  sed 's/^/INFO hugetlb| /' "$T/hp.out"
  info "hugetlb: numa_maps line: $(grep -m1 huge "$T/hp.nm1" | cut -c1-160)"
  [ "$rc" = 0 ] || why="exit $rc: $(head -c 200 "$T/hp.err")"
  OUT=$(pagecheck check "$T/hp.before" "$T/hp.after" 0 3) || why="$why; $OUT"
  d=$(pagecheck numamaps "$T/hp.nm1" "$T/hp.after") || why="$why; $d"
  d=$(verbose_agrees "$T/hp.out" "$T/hp.nm0" "$T/hp.nm1") || why="$why; $d"
  if [ -z "$why" ]; then pass hugetlb; info "hugetlb: $OUT; --verbose figures agree"; else fail hugetlb "${why#; }"; fi
}
sc_dry_run() {
  local p rc why= rc2
  if ! [ -x /bin/seccomp_exec ]; then
    fail dry-run "no seccomp_exec helper in the guest"
    return
  fi
  hog_start dr -s 16 -b 0 || { fail dry-run "hog did not start"; return; }
  p=$(hpid dr)
  hog_report dr before
  seccomp_exec kill "$MP" -n "$p" 0 3 >"$T/dr.out" 2>"$T/dr.err"
  rc=$?
  hog_report dr after
  # The filter must bite: without -n the same command dies of SIGSYS.
  seccomp_exec kill "$MP" "$p" 0 3 >/dev/null 2>&1
  rc2=$?
  hog_report dr after2
  hog_stop dr
  sed 's/^/INFO dry-run| /' "$T/dr.out"
  [ "$rc" = 0 ] || why="exit $rc under a filter that kills on migrate_pages: $(head -c 200 "$T/dr.err")"
  OUT=$(pagecheck check "$T/dr.before" "$T/dr.after" "" "" -z) || why="$why; $OUT"
  grep -q "0->3" "$T/dr.out" || why="$why; no 0->3 mapping in the dry run's output"
  [ "$rc2" = 159 ] || why="$why; control: without -n the filtered run exited $rc2, not 159 (SIGSYS): the filter proves nothing"
  pagecheck check "$T/dr.before" "$T/dr.after2" "" "" -z >/dev/null || why="$why; control: pages moved before the SIGSYS"
  if [ -z "$why" ]; then pass dry-run; info "dry-run: $OUT; control run killed by SIGSYS"; else fail dry-run "${why#; }"; fi
}
# pidlist_case NAME "OPTIONS": two processes and a dead pid between them
pidlist_case() {
  local n=$1 opts=$2 a b dead rc why=
  hog_start pla -s 8 -b 0 && hog_start plb -s 8 -N -i 0-1 || { fail "$n" "hog did not start"; return; }
  a=$(hpid pla) b=$(hpid plb)
  sh -c 'exit 0' & dead=$!
  wait "$dead"
  hog_report pla before; hog_report plb before
  $MP $opts "$a,$dead,$b" 0-1 2-3 >"$T/pl.out" 2>"$T/pl.err"
  rc=$?
  hog_report pla after; hog_report plb after
  hog_stop pla; hog_stop plb
  info "$n: exit $rc; stderr: $(head -c 300 "$T/pl.err" | tr '\n' ' ')"
  [ "$rc" = 1 ] || why="exit $rc, expected 1 (a pid is gone)"
  grep -q "$dead" "$T/pl.err" || why="$why; stderr does not name the dead pid $dead"
  OUT=$(pagecheck check "$T/pla.before" "$T/pla.after" 0-1 2-3) || why="$why; first pid: $OUT"
  OUT=$(pagecheck check "$T/plb.before" "$T/plb.after" 0-1 2-3) || why="$why; last pid: $OUT"
  if [ -z "$why" ]; then pass "$n"; else fail "$n" "${why#; }"; fi
}
sc_pidlist() {
  pidlist_case pidlist-dead ""
}
sc_cgroup50() {
  local d i rc why= bad=0 p
  d=$(cg_setup fifty "") || { fail cgroup-50 "cannot set up a cgroup"; return; }
  info "cgroup-50: start (up $(cut -d' ' -f1 /proc/uptime))"
  for i in $(seq 1 50); do
    rm -f "$T/cg$i".*
    sh -c 'echo $$ >"$0/cgroup.procs" && exec hog -o "$1" -p 256 -N -b 0' "$d" "$T/cg$i" 2>/dev/null &
  done
  for i in $(seq 1 50); do
    wait_file "$T/cg$i.ready" 300 || { fail cgroup-50 "hog $i did not start"; return; }
    kill -USR1 "$(hpid "cg$i")"
  done
  for i in $(seq 1 50); do
    wait_file "$T/cg$i.rep" 300 && mv "$T/cg$i.rep" "$T/cg$i.before"
  done
  info "cgroup-50: $(wc -l <"$d/cgroup.procs") processes in $d (up $(cut -d' ' -f1 /proc/uptime))"
  $MP --cgroup "$d" 0 1 >"$T/cg.out" 2>"$T/cg.err"
  rc=$?
  info "cgroup-50: migratepages --cgroup done (up $(cut -d' ' -f1 /proc/uptime))"
  for i in $(seq 1 50); do
    kill -USR1 "$(hpid "cg$i")"
  done
  for i in $(seq 1 50); do
    wait_file "$T/cg$i.rep" 300 && mv "$T/cg$i.rep" "$T/cg$i.after"
    pagecheck check "$T/cg$i.before" "$T/cg$i.after" 0 1 >/dev/null || bad=$((bad + 1))
    hog_stop "cg$i"
  done
  [ "$rc" = 0 ] || why="exit $rc: $(head -c 200 "$T/cg.err")"
  info "cgroup-50: checked (up $(cut -d' ' -f1 /proc/uptime))"
  [ "$bad" = 0 ] || why="$why; $bad of 50 processes not moved page by page as expected"
  if [ -z "$why" ]; then pass cgroup-50; else fail cgroup-50 "${why#; }"; fi
}
sc_json() {
  # Two targets and a dead pid; the host parses the lines with a real JSON
  # parser and compares them with the PLACE lines (numa_maps, exact bytes).
  local a b dead rc p n
  hog_start ja -s 16 -b 0 && hog_start jb -s 16 -N -i 0-1 || { fail json-run "hog did not start"; return; }
  a=$(hpid ja) b=$(hpid jb)
  sh -c 'exit 0' & dead=$!
  wait "$dead"
  for n in ja jb; do
    p=$(hpid $n)
    hog_report $n before
    echo "PLACE json $p before $(nm_bytes "/proc/$p/numa_maps" | tr ' \n' '= ')"
  done
  $MP --json "$a,$dead,$b" 0-1 2-3 >"$T/js.out" 2>"$T/js.err"
  rc=$?
  for n in ja jb; do
    p=$(hpid $n)
    hog_report $n after
    echo "PLACE json $p after $(nm_bytes "/proc/$p/numa_maps" | tr ' \n' '= ')"
    echo "PLACE json $p buffer $(counts "$T/$n.before") -> $(counts "$T/$n.after")"
    hog_stop $n
  done
  echo "PLACE json dead $dead"
  echo "PLACE json exit $rc"
  sed 's/^/JSON json /' "$T/js.out"
  sed 's/^/INFO json stderr| /' "$T/js.err"
  echo "PLACE json end"
  # Page by page in the guest too; the host adds json-parse.
  if pagecheck check "$T/ja.before" "$T/ja.after" 0-1 2-3 >/dev/null &&
     pagecheck check "$T/jb.before" "$T/jb.after" 0-1 2-3 >/dev/null; then
    pass json-run
  else
    fail json-run "the pages did not move as the kernel's mapping says"
  fi
}

# --- the demo (./build.sh demo) -------------------------------------------------
sc_demo() {
  local p n
  echo "DEMO"
  echo "DEMO A Linux guest with $(cat /sys/devices/system/node/online | tr - ' ' | awk '{print $2 + 1}') NUMA nodes:"
  for n in /sys/devices/system/node/node[0-9]*; do
    echo "DEMO   ${n##*/}: $(awk '/MemTotal/ { printf "%d MiB", $4 / 1024 }' "$n/meminfo"), cpus $(cat "$n/cpulist")"
  done
  hog_start demo -s 64 -b 0 || { echo "DEMO the test process did not start"; return; }
  p=$(hpid demo)
  hog_report demo before
  echo "DEMO"
  echo "DEMO A process (pid $p) has written 64 MiB, placed on node 0."
  echo "DEMO Where its pages are, per move_pages(2): $(counts "$T/demo.before" | sed 's/\([0-9]*\)=\([0-9]*\)/node \1: \2 pages/g')"
  echo "DEMO"
  echo "DEMO \$ migratepages --verbose $p 0 3"
  $MP --verbose "$p" 0 3 >"$T/demo.out" 2>&1
  n=$?
  sed 's/^/DEMO /' "$T/demo.out"
  echo "DEMO (exit status $n)"
  hog_report demo after
  echo "DEMO"
  echo "DEMO Where its pages are now: $(counts "$T/demo.after" | sed 's/\([0-9]*\)=\([0-9]*\)/node \1: \2 pages/g');"
  echo "DEMO its data: $(sed -n 's/^pattern //p' "$T/demo.after") (the pattern it wrote is intact)."
  hog_stop demo
  echo "DEMO"
}

# --- issue 9: real layouts (2 nodes) ------------------------------------------
# json_field FILE KEY: the value of "KEY": in a one-line JSON object (a string
# without its quotes, or a literal)
json_field() { sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" "$1" | head -n 1 | tr -d '"'; }

sc_dyn_unpriv() {
  # A user moves its own dynamically linked process while another process
  # maps the same libc: libc's pages are shared and stay (no CAP_SYS_NICE);
  # the buffer moves; exit 0 with and without -v/--json, as numactl's.
  local f st
  if ! command -v hog-dyn >/dev/null; then
    echo "RESULT SKIP dyn-unpriv: no dynamically linked hog in this guest (another architecture)"
    return
  fi
  HOG_BIN=hog-dyn hog_start dyn-other -s 1 || { fail dyn-unpriv "the other dynamic process did not start"; return; }
  # libc's page cache, shared by both, is put on node 0 first (root moves
  # shared pages too), wherever the first program that loaded it ran
  $MP "$(hpid dyn-other)" all 0 || { fail dyn-unpriv "could not put libc's pages on node 0"; return; }
  for f in -v --json; do
    HOG_BIN=hog-dyn HOG_USER=1000 TOOL_USER=1000 mcase "dyn-unpriv${f}" "-s 16 -N -b 0" "$f @ 0 1" 0 1 0
  done
  if grep -q "note: .*stayed on node 0: pages shared with other processes" "$T/dyn-unpriv-v.out"; then
    pass dyn-unpriv-noted
  else
    fail dyn-unpriv-noted "-v shows no note of libc's shared pages: $(head -c 300 "$T/dyn-unpriv-v.out" | tr '\n' ' ')"
  fi
  st=$(json_field "$T/dyn-unpriv--json.out" status)
  if [ "$st" = ok ] && grep -q '"note":"[^"]*shared with other processes' "$T/dyn-unpriv--json.out"; then
    pass dyn-unpriv-json
  else
    fail dyn-unpriv-json "status '$st' or no note: $(head -c 400 "$T/dyn-unpriv--json.out")"
  fi
  HOG_BIN=hog-dyn HOG_USER=1000 TOOL_USER=1000 mcase dyn-unpriv "-s 16 -N -b 0" "@ 0 1" 0 1 0
  HOG_BIN=hog-dyn HOG_USER=1000 TOOL_USER=1000 sbs dyn-unpriv same
  hog_stop dyn-other
}

sc_growing() {
  # A target that maps and touches a new page every 2 ms during the call:
  # the pages made after the call are not "left behind"; the status is the
  # kernel's (0), with and without -v/--json. The buffer moves page by page.
  local f
  for f in -v --json; do
    mcase "growing${f}" "-s 32 -N -b 0 -g 2" "$f @ 0 1" 0 1 0
  done
  if [ "$(json_field "$T/growing--json.out" status)" = ok ]; then
    pass growing-json-ok
  else
    fail growing-json-ok "$(head -c 400 "$T/growing--json.out")"
  fi
  mcase growing "-s 32 -N -b 0 -g 2" "@ 0 1" 0 1 0
  sbs growing same
}

sc_userns() {
  # In a user namespace of its own (unshare -r: root there, not in the
  # initial namespace), the caller's CAP_SYS_NICE does not count: shared
  # pages stay, exit 0, and the note names the real reason.
  local rc why=
  if ! unshare -r true 2>/dev/null; then
    echo "RESULT SKIP userns: unshare -r does not work in this guest"
    return
  fi
  rm -f "$T"/userns.*
  unshare -r sh -c '. /lib.sh; T='"$T"'; MP='"$MP"'
    hog_start userns -s 16 -S -b 0 || exit 111
    hog_report userns before || exit 112
    $MP -v "$(hpid userns)" 0 1 >"$T/userns.out" 2>"$T/userns.err"; echo $? >"$T/userns.rc"
    $MP -n "$(hpid userns)" 0 1 >"$T/userns.dry" 2>&1; echo $? >"$T/userns.dryrc"
    hog_report userns after; hog_stop userns' >"$T/userns.log" 2>&1
  rc=$(cat "$T/userns.rc" 2>/dev/null)
  [ "$rc" = 0 ] || why="exit ${rc:-none}: $(head -c 300 "$T/userns.err" "$T/userns.log" | tr '\n' ' ')"
  OUT=$(pagecheck check "$T/userns.before" "$T/userns.after" 0 "" -z) || why="$why; $OUT"
  grep -q "CAP_SYS_NICE in the initial user namespace (you hold it in a user namespace only)" "$T/userns.out" ||
    why="$why; the note does not name the user namespace: $(head -c 300 "$T/userns.out" | tr '\n' ' ')"
  [ "$(cat "$T/userns.dryrc" 2>/dev/null)" = 0 ] || why="$why; dry run: $(head -c 200 "$T/userns.dry")"
  if [ -z "$why" ]; then pass userns; else fail userns "${why#; }"; fi
  # from the namespace, a process outside it: refused, and said so (both runs)
  hog_start userns-out -s 4 -b 0 || { fail userns-outside "hog did not start"; return; }
  unshare -r "$MP" "$(hpid userns-out)" 0 1 >/dev/null 2>"$T/userns-out.err"; rc=$?
  unshare -r "$MP" -n "$(hpid userns-out)" 0 1 >/dev/null 2>"$T/userns-out.dry"; why=$?
  hog_stop userns-out
  if [ "$rc" = 1 ] && [ "$why" = 1 ] && grep -q "outside your user namespace" "$T/userns-out.err" && cmp -s "$T/userns-out.err" "$T/userns-out.dry"; then
    pass userns-outside
  else
    fail userns-outside "exit $rc / dry $why: $(cat "$T/userns-out.err") / $(cat "$T/userns-out.dry")"
  fi
}

sc_zombie() {
  # A zombie has no memory: exit 1 with the reason, and the dry run agrees.
  local z rc drc
  rm -f "$T/zpid"
  sh -c 'sleep 0 & echo $! >"$0"; exec sleep 30' "$T/zpid" &
  wait_file "$T/zpid" 50
  z=$(cat "$T/zpid")
  usleep 300000
  $MP "$z" 0 1 >/dev/null 2>"$T/zombie.err"; rc=$?
  $MP -n "$z" 0 1 >/dev/null 2>"$T/zombie.dry"; drc=$?
  if [ "$rc" = 1 ] && [ "$drc" = 1 ] && grep -q "exited (a zombie)" "$T/zombie.err" && cmp -s "$T/zombie.err" "$T/zombie.dry"; then
    pass zombie
  else
    fail zombie "exit $rc, dry run $drc: $(cat "$T/zombie.err") / $(cat "$T/zombie.dry")"
  fi
}

sc_leader_exit() {
  # The main thread called pthread_exit; another thread runs on: the memory
  # is moved through a live thread, page by page; the dry run agrees.
  mcase leader-exit-v "-s 16 -N -b 0 -E" "-v @ 0 1" 0 1 0
  if grep -q "note: its main thread has exited; moved through thread" "$T/leader-exit-v.out" &&
     grep -Eq "^ +0 +(1[6-9]|2[0-9])\.[0-9] MiB +0 B" "$T/leader-exit-v.out"; then
    pass leader-exit-report
  else
    fail leader-exit-report "$(head -c 400 "$T/leader-exit-v.out" | tr '\n' ' ')"
  fi
  mcase leader-exit-dry "-s 16 -N -b 0 -E" "-n @ 0 1" "" "" 0 -z
  mcase leader-exit "-s 16 -N -b 0 -E" "@ 0 1" 0 1 0
  sbs leader-exit both "numactl passes the main thread's id, which has no memory: EINVAL (exit 1), nothing moved"
}

sc_cgtree() {
  # A slice with two services, processes only in the services, one of them
  # exiting while the tool runs: the others move page by page, the one that
  # went is passed over in silence, exit 0. Then the root cgroup (kernel
  # threads listed there are passed over too).
  local s rc why= i
  s=$(cg_setup tree.slice "") || { fail cgtree "cannot set up a cgroup"; return; }
  mkdir -p "$s/a.service" "$s/b.service"
  HOG_CG=$s/a.service hog_start tree1 -s 16 -N -b 0 &&
  HOG_CG=$s/a.service hog_start tree2 -s 16 -N -i 0-1 &&
  HOG_CG=$s/b.service hog_start tree3 -s 16 -N -b 0 &&
  HOG_CG=$s/b.service hog_start tree4 -s 64 -N -b 0 || { fail cgtree "hogs did not start"; return; }
  for i in 1 2 3; do hog_report tree$i before; done
  $MP --cgroup "$s" 0 1 >"$T/tree.out" 2>"$T/tree.err" &
  rc=$!
  usleep 100000
  kill -9 "$(hpid tree4)"
  wait "$rc"; rc=$?
  wait "$(hpid tree4)" 2>/dev/null
  for i in 1 2 3; do hog_report tree$i after; done
  [ "$rc" = 0 ] || why="exit $rc: $(head -c 300 "$T/tree.err")"
  [ -s "$T/tree.err" ] && why="$why; stderr: $(head -c 300 "$T/tree.err")"
  OUT=$(pagecheck check "$T/tree1.before" "$T/tree1.after" 0 1) || why="$why; tree1: $OUT"
  OUT=$(pagecheck check "$T/tree2.before" "$T/tree2.after" 0 1) || why="$why; tree2: $OUT"
  OUT=$(pagecheck check "$T/tree3.before" "$T/tree3.after" 0 1) || why="$why; tree3: $OUT"
  if [ -z "$why" ]; then pass cgtree; else fail cgtree "${why#; }"; fi
  $MP --json --cgroup "$s" 1 0 >"$T/tree.json" 2>"$T/tree.jerr"; rc=$?
  if [ "$rc" = 0 ] && [ "$(grep -c '"status":"ok"' "$T/tree.json")" = 3 ]; then
    pass cgtree-json
  else
    fail cgtree-json "exit $rc: $(head -c 300 "$T/tree.json" "$T/tree.jerr")"
  fi
  for i in 1 2 3; do hog_stop tree$i; done
  $MP --cgroup "$CG" 0 0 >"$T/root.out" 2>"$T/root.err"; rc=$?
  if [ "$rc" = 0 ] && [ ! -s "$T/root.err" ]; then
    pass cgroot
  else
    fail cgroot "exit $rc: $(head -c 300 "$T/root.err")"
  fi
}

sc_pidns() {
  # A pid namespace: the cgroup lists the process outside it as 0. It is
  # skipped with a note; the one inside moves page by page; exit 0.
  local d rc why=
  d=$(cg_setup pidns "") || { fail pidns "cannot set up a cgroup"; return; }
  HOG_CG=$d hog_start pidns-out -s 16 -N -b 0 || { fail pidns "hog did not start"; return; }
  hog_report pidns-out before
  rm -f "$T"/pidns-in.*
  unshare -p -f -m --mount-proc sh -c '. /lib.sh; T='"$T"'; MP='"$MP"'
    HOG_CG='"$d"' hog_start pidns-in -s 16 -N -b 0 || exit 111
    hog_report pidns-in before
    $MP --cgroup '"$d"' 0 1 >"$T/pidns.out" 2>"$T/pidns.err"; echo $? >"$T/pidns.rc"
    hog_report pidns-in after; hog_stop pidns-in' >"$T/pidns.log" 2>&1
  hog_report pidns-out after; hog_stop pidns-out
  rc=$(cat "$T/pidns.rc" 2>/dev/null)
  [ "$rc" = 0 ] || why="exit ${rc:-none}: $(head -c 300 "$T/pidns.err" "$T/pidns.log" | tr '\n' ' ')"
  [ "$(cat "$T/pidns.err" 2>/dev/null)" = "migratepages: note: --cgroup: 1 process outside this pid namespace (listed as 0) skipped" ] ||
    why="$why; stderr: $(cat "$T/pidns.err" 2>/dev/null)"
  OUT=$(pagecheck check "$T/pidns-in.before" "$T/pidns-in.after" 0 1) || why="$why; inside: $OUT"
  OUT=$(pagecheck check "$T/pidns-out.before" "$T/pidns-out.after" "" "" -z) || why="$why; outside (must stay): $OUT"
  if [ -z "$why" ]; then pass pidns; else fail pidns "${why#; }"; fi
}

# rule_case NAME CGROUP USER RUNNER WANT: a hog of USER in CGROUP (a cpuset
# with mems 0), the tool run by RUNNER (a command prefix) with 0 -> 1, for real
# and as a dry run: both exit 1 with the same words, which contain WANT, and
# nothing moves.
rule_case() {  # NAME CG USER RUNNER WANT: the tool's "PID 0 1"
  refusal_case "$1" "$2" "@ 0 1" "$5" "$3" "$4"
}
in_rule_caller() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$RULE_CG" "$@"; }

sc_cpuset_rules() {
  # The two cpuset rules, in the real run and the dry run alike (same exit,
  # same words), nothing moved: to-nodes outside the target's cpuset without
  # CAP_SYS_NICE (EPERM), and to-nodes outside the caller's own cpuset (EINVAL).
  local d
  d=$(cg_setup rule-target 0) || { fail cpuset-target "cannot set up a cpuset cgroup"; return; }
  rule_case cpuset-target "$d" 1000 "runas 1000 1000" \
    "to-nodes 1 are outside the nodes the process may use (Mems_allowed_list: 0); moving memory there needs CAP_SYS_NICE"
  RULE_CG=$(cg_setup rule-caller 0) || { fail cpuset-caller "cannot set up a cpuset cgroup"; return; }
  rule_case cpuset-caller "" root in_rule_caller \
    "to-nodes 1 are all outside the nodes this process may use (its cpuset allows 0)"
}

# --- devices: a PCIe expander bus on node 1 (boot.sh topology "devices") -------
# Node lists that name a device (netdev:, pci:, block:, file:, ip:), resolved by
# the tool from the guest's sysfs and routing table. The node lists given to
# mcase after the tool's arguments are the node numbers written out by hand
# (node 1: the expander bus; node 0: the other one), so a device resolved to
# the wrong node fails the page-by-page check.

# dev_setup: load the drivers, find the devices by their PCI path (interface
# names depend on probe order), give the node-1 NIC addresses, put an ext2 file
# system on the disk. Sets NET1 (behind 0000:81:00.0, node 1), NET0 (0000:00:05.0,
# no node), BLK. Returns 1 with a FAIL line when something is missing.
dev_setup() {
  local m d
  # a kernel without module support (kernel-build.sh's) has the drivers built in
  if [ -e /proc/modules ]; then
    for m in $(cat /lib/mp-modules/order 2>/dev/null); do
      insmod "/lib/mp-modules/$m.ko" || { fail devices-setup "insmod $m failed"; return 1; }
    done
  fi
  NET1= NET0= BLK=
  for d in /sys/class/net/*; do
    case $(readlink "$d") in
      */0000:81:00.0/*) NET1=${d##*/} ;;
      */0000:00:05.0/*) NET0=${d##*/} ;;
    esac
  done
  for d in /sys/class/block/*; do
    case $(readlink "$d") in */0000:82:00.0/*/block/*) BLK=${d##*/} ;; esac
  done
  info "devices: node-1 NIC $NET1, NIC without a node $NET0, node-1 disk $BLK"
  if [ -z "$NET1" ] || [ -z "$NET0" ] || [ -z "$BLK" ]; then
    fail devices-setup "a device is missing (is this the 'devices' topology? modules: $(cat /lib/mp-modules/order 2>/dev/null))"
    return 1
  fi
  ip link set lo up && ip link set "$NET1" up && ip link set "$NET0" up &&
    ip addr add 10.81.0.2/24 dev "$NET1" && ip addr add 10.5.0.2/24 dev "$NET0" &&
    ip -6 addr add fd81::2/64 dev "$NET1" ||
    { fail devices-setup "cannot configure the network"; return 1; }
  mke2fs -q "/dev/$BLK" >/dev/null 2>&1 && mkdir -p /mnt/d && mount -t ext2 "/dev/$BLK" /mnt/d &&
    echo data >/mnt/d/data || { fail devices-setup "cannot make and mount an ext2 file system on /dev/$BLK"; return 1; }
  info "devices: /proc/net/route: $(tr '\n' '|' </proc/net/route | tr -s ' \t' ' ')"
  pass devices-setup
}

sc_devices() {
  dev_setup || return
  # each form, in both directions, beside numactl's tool
  mcase dev-netdev "-s 16 -b 1" "@ netdev:$NET1 0" 1 0 0
  sbs dev-netdev same
  mcase dev-pci-port "-s 16 -b 1" "@ pci:0000:80:00.0 0" 1 0 0
  sbs dev-pci-port same
  mcase dev-pci-short "-s 16 -b 0" "@ 0 pci:80:00" 0 1 0
  sbs dev-pci-short same
  mcase dev-block "-s 16 -b 0" "@ 0 block:$BLK" 0 1 0
  sbs dev-block same
  mcase dev-file "-s 16 -b 0" "@ 0 file:/mnt/d/data" 0 1 0
  sbs dev-file same
  mcase dev-file-node "-s 16 -b 1" "@ file:/dev/$BLK 0" 1 0 0
  sbs dev-file-node same
  mcase dev-ip "-s 16 -b 0" "@ 0 ip:10.81.0.7" 0 1 0
  sbs dev-ip same
  mcase dev-ip6 "-s 16 -b 0" "@ 0 ip:fd81::7" 0 1 0
  sbs dev-ip6 same
  mcase dev-invert "-s 16 -b 0" "@ !netdev:$NET1 netdev:$NET1" 0 1 0
  sbs dev-invert same
  mcase dev-list "-s 16 -N -i 0-1" "@ 0,netdev:$NET1 block:$BLK" 0-1 1 0
  sbs dev-list same
  # where the two tools differ on purpose (man page, COMPATIBILITY)
  mcase dev-pci-behind-port "-s 16 -b 1" "@ pci:0000:81:00.0 0" 1 0 0
  sbs dev-pci-behind-port both "numactl's pci: finds only devices on a root bus, not 0000:81:00.0 behind the root port"
  mcase dev-ip-own "-s 16 -b 0" "@ 0 ip:10.81.0.2" 0 1 0
  sbs dev-ip-own both "numactl asks the kernel, which routes an own address through lo (no node); ours takes the interface that holds it"
  # a device without a node: refused before anything moves, as numactl does
  mcase dev-no-node "-s 16 -b 0" "@ 0 netdev:$NET0" "" "" 1 -z
  local want="migratepages: to-nodes: 'netdev:$NET0': the kernel does not know the node of $NET0 (numa_node is -1 in /sys/devices/pci0000:00/0000:00:05.0)"
  if [ "$(cat "$T/dev-no-node.err")" = "$want" ]; then
    pass dev-no-node-message
  else
    fail dev-no-node-message "stderr '$(cat "$T/dev-no-node.err")', want '$want'"
  fi
  sbs dev-no-node same
  mcase dev-ip-no-node "-s 16 -b 0" "@ 0 ip:10.5.0.9" "" "" 1 -z
  sbs dev-ip-no-node same
  # an interface renamed with a dot in its name (last: the ip: cases above use NET1)
  if ip link set "$NET1" down && ip link set "$NET1" name nic.1; then
    mcase dev-netdev-dot "-s 16 -b 1" "@ netdev:nic.1 0" 1 0 0
    sbs dev-netdev-dot both "numactl refuses a '.' in a device name (Illegal characters)"
  else
    fail dev-netdev-dot "cannot rename $NET1 to nic.1"
  fi
  umount /mnt/d
}

# --- the chunked mover (--jobs, --chunk, --rate, --progress) on 4 nodes --------
# The same checks as the single call's cases: every page where the kernel's
# plan puts it (pagecheck), the data intact, and (sbs) the placement identical,
# page by page, to numactl's migratepages, i.e. one migrate_pages call.
sc_mover_pairs() {
  mcase mv-pairs "-s 32 -N -i 0-1" "--jobs 2 --chunk 64 --progress=always @ 0-1 2-3" 0-1 2-3 0
  LAST_A="@ 0-1 2-3"
  sbs mv-pairs same
  # --progress=always on a non-terminal: lines, the last one at 100 %
  if grep -q "^migratepages: moved [0-9.]* MiB of [0-9.]* MiB (100%); to node 2: [0-9.]* MiB, 3: [0-9.]* MiB; [0-9.]* [KMG]iB/s$" "$T/mv-pairs.err"; then
    pass mv-progress
  else
    fail mv-progress "no final progress line: $(tail -c 300 "$T/mv-pairs.err" | tr '\n' '|')"
  fi
}
sc_mover_unequal() {
  mcase mv-unequal "-s 32 -N -i 0-3" "--jobs 2 --chunk 100 @ 0-3 1,2" 0-3 1,2 0
  LAST_A="@ 0-3 1,2"
  sbs mv-unequal same
  mcase mv-chain "-s 16 -N -i 0-1" "--jobs 1 @ 0,1 1,2" 0,1 1,2 0
  LAST_A="@ 0,1 1,2"
  sbs mv-chain same
  mcase mv-all "-s 32 -N -i 0-3" "-j3 --chunk 1M @ all 2" 0-3 2 0
  LAST_A="@ all 2"
  sbs mv-all same
}
sc_mover_thp() {
  # 1000-page chunks: huge pages straddle the chunks' ends
  mcase mv-thp "-s 32 -H -i 0-1" "--jobs 2 --chunk 1000 @ 0-1 2-3" 0-1 2-3 0
  LAST_A="@ 0-1 2-3"
  local b
  b=$(sed -n 's/^thp_kb //p' "$T/mv-thp.before" 2>/dev/null)
  [ "${b:-0}" -gt 0 ] 2>/dev/null && pass mv-thp-backed ||
    fail mv-thp-backed "the buffer had no transparent huge pages: the case tested nothing"
  sbs mv-thp same
  # default chunks (aligned): one address per huge page, the rest asked after
  mcase mv-thp-whole "-s 32 -H -b 0" "--jobs 2 --json @ 0 1" 0 1 0
  LAST_A="@ 0 1"
  # moved whole and counted at their size: 32 MiB of huge pages and the few
  # base pages of the hog's own on node 0 (under 1 MiB), none busy
  local mb
  mb=$(sed -n 's/.*"moved_bytes":\([0-9]*\).*/\1/p' "$T/mv-thp-whole.out")
  grep -q '"busy_bytes":0,' "$T/mv-thp-whole.out" && [ "${mb:-0}" -ge 33554432 ] &&
    [ "${mb:-0}" -lt 34603008 ] && pass mv-thp-whole-counted ||
    fail mv-thp-whole-counted "not 32 MiB of huge pages moved and none busy (moved_bytes ${mb:-?}): $(head -c 400 "$T/mv-thp-whole.out")"
  sbs mv-thp-whole same
  # base pages whose 2 MiB blocks have first and last page on node 0 and
  # half of the others on node 2: they look whole at their ends, and are not
  mcase mv-thp-lookalike "-s 16 -N -b 0 -M 2" "--jobs 1 -v @ 0 1" 0 1 0
  LAST_A="@ 0 1"
  # what was on node 0 (the buffer's half and the hog's own pages) moved,
  # counted page by page: "moved" says node 0's "before", nothing left
  local was
  was=$(sed -n 's/^ *0  *\([0-9.]* [KMG]*i*B\)  .*/\1/p' "$T/mv-thp-lookalike.out")
  grep -q "^  moved $was in " "$T/mv-thp-lookalike.out" && ! grep -q "^  left " "$T/mv-thp-lookalike.out" &&
    pass mv-thp-lookalike-counted ||
    fail mv-thp-lookalike-counted "--verbose does not say node 0's ${was:-?} moved and nothing left: $(tr '\n' '|' <"$T/mv-thp-lookalike.out")"
  sbs mv-thp-lookalike same
}
sc_mover_compat() {
  # a 32-bit build (61-arch-vm's i386 boot): its move_pages takes 32-bit
  # addresses, the hog is a 64-bit process: refused up front, nothing moves
  mcase mv-compat "-s 8 -b 0" "--jobs 1 @ 0 1" 0 "" 1 -z
  grep -q "above 4 GiB, out of reach of this 32-bit build's move_pages" "$T/mv-compat.err" &&
    pass mv-compat-said ||
    fail mv-compat-said "no 'out of reach' message: $(head -c 300 "$T/mv-compat.err")"
  # the dry run says the same, with the same status
  mcase mv-compat-dry "-s 8 -b 0" "--dry-run --jobs 1 @ 0 1" 0 "" 1 -z
  sed "s/[0-9][0-9]*/N/g" "$T/mv-compat.err" >"$T/mv-compat.e1"
  sed "s/[0-9][0-9]*/N/g" "$T/mv-compat-dry.err" >"$T/mv-compat.e2"
  cmp -s "$T/mv-compat.e1" "$T/mv-compat.e2" && pass mv-compat-dry-same ||
    fail mv-compat-dry-same "the dry run said otherwise: $(head -c 300 "$T/mv-compat-dry.err")"
}
sc_mover_rate() {
  # a cap (paced batches, the huge-page probe paced too): the same placement;
  # 32 MiB at 64 MiB/s takes at least about 0.4 s
  local t0 t1
  t0=$(cut -d' ' -f1 /proc/uptime)
  mcase mv-rate "-s 32 -H -i 0-1" "--rate 64M --jobs 2 @ 0-1 2-3" 0-1 2-3 0
  t1=$(cut -d' ' -f1 /proc/uptime)
  LAST_A="@ 0-1 2-3"
  sbs mv-rate same
  mcase mv-rate-small "-s 16 -N -b 1" "--rate 8M --chunk 64 @ 1 3" 1 3 0
  LAST_A="@ 1 3"
  sbs mv-rate-small same
  info "mv-rate: hog start to report, 32 MiB at --rate 64M: $t0 -> $t1 s of uptime"
}
sc_mover_hugetlb() {
  local h=/sys/devices/system/node
  echo 20 >"$h/node0/hugepages/hugepages-2048kB/nr_hugepages" &&
    echo 20 >"$h/node3/hugepages/hugepages-2048kB/nr_hugepages" ||
    { fail mv-hugetlb "cannot reserve huge pages"; return; }
  mcase mv-hugetlb "-s 32 -L -b 0" "--jobs 2 --chunk 1024 -v @ 0 3" 0 3 0
  LAST_A="@ 0 3"
  # the 32 MiB of huge pages, each counted once, and the few other pages the
  # hog has on node 0 (its stack, its data): 32.0 to 32.9 MiB, nothing left
  grep -q "^  moved 32\.[0-9] MiB in " "$T/mv-hugetlb.out" && ! grep -q "^  left " "$T/mv-hugetlb.out" &&
    pass mv-hugetlb-counted ||
    fail mv-hugetlb-counted "--verbose does not say 32.x MiB moved and nothing left: $(tr '\n' '|' <"$T/mv-hugetlb.out")"
  echo 0 >"$h/node0/hugepages/hugepages-2048kB/nr_hugepages"
  echo 0 >"$h/node3/hugepages/hugepages-2048kB/nr_hugepages"
}
sc_mover_shared() {
  mcase mv-shared "-s 16 -S -b 0" "--jobs 2 @ 0 1" 0 1 0
  LAST_A="@ 0 1"
  sbs mv-shared same
  # without CAP_SYS_NICE shared pages stay: information, exit 0
  HOG_USER=1000 TOOL_USER=1000 mcase mv-shared-unpriv "-s 16 -S -b 0" "--jobs 2 -v @ 0 1" 0 "" 0 -z
  LAST_A="@ 0 1"
  grep -q "left shared: 16.0 MiB" "$T/mv-shared-unpriv.out" && pass mv-shared-unpriv-reported ||
    fail mv-shared-unpriv-reported "no 'left shared: 16.0 MiB' line: $(tr '\n' '|' <"$T/mv-shared-unpriv.out")"
  HOG_USER=1000 TOOL_USER=1000 mcase mv-unpriv-own "-s 16 -b 0" "--jobs 2 @ 0 1" 0 1 0
  LAST_A="@ 0 1"
}
sc_mover_file() {
  mcase mv-file "-s 16 -N -F $T/mv-file.data -b 0" "--jobs 2 --chunk 256 @ 0 2" 0 2 0
  LAST_A="@ 0 2"
  sbs mv-file same
  rm -f "$T/mv-file.data" "$T/mv-file-nc.data"
}
sc_mover_churn() {
  # a thread keeps mapping and unmapping 64 KiB while the buffer moves
  mcase mv-churn "-s 32 -N -C -b 0" "--jobs 2 --chunk 512 @ 0 3" 0 3 "*"
  LAST_A="@ 0 3"
  info "mv-churn: exit $RC; stderr: $(head -c 300 "$T/mv-churn.err" | tr '\n' ' ')"
}
sc_mover_pidlist() {
  pidlist_case mv-pidlist "--jobs 2"
}
sc_mover_exact() {
  # every byte accounted for, on a quiet hog of base pages (so that each 2 MiB
  # block is first tried as a huge page, by each of the two workers): the
  # moved bytes of --json are what numa_maps gained on the to-node, and its
  # per-node before and after are numa_maps' own
  local n=mv-exact p rc mb a1 b1 k why=
  hog_start "$n" -s 16 -N -b 0 || { fail "$n" "hog did not start"; return; }
  p=$(hpid "$n")
  cat "/proc/$p/numa_maps" >"$T/$n.nm0"
  "$MP" --jobs 2 --json "$p" 0 1 >"$T/$n.out" 2>"$T/$n.err"
  rc=$?
  cat "/proc/$p/numa_maps" >"$T/$n.nm1"
  hog_stop "$n"
  [ "$rc" = 0 ] || why="exit $rc: $(head -c 300 "$T/$n.err")"
  mb=$(json_field "$T/$n.out" moved_bytes)
  a1=$(nm_bytes "$T/$n.nm1" | sed -n 's/^1 //p') b1=$(nm_bytes "$T/$n.nm0" | sed -n 's/^1 //p')
  [ "${mb:-x}" = "$((${a1:-0} - ${b1:-0}))" ] ||
    why="$why; moved_bytes ${mb:-?}, but node 1 gained $((${a1:-0} - ${b1:-0})) bytes in numa_maps"
  for k in before:nm0 after:nm1; do
    nm_bytes "$T/$n.${k#*:}" >"$T/$n.nb"
    sed -n "s/.*\"${k%:*}\":{\([^}]*\)}.*/\1/p" "$T/$n.out" | tr ',' '\n' | tr -d '"' | tr ':' ' ' >"$T/$n.jb"
    [ -s "$T/$n.jb" ] || why="$why; no per-node ${k%:*} in the JSON"
    while read -r node bytes; do
      [ "$bytes" = "$(sed -n "s/^$node //p" "$T/$n.nb" | grep . || echo 0)" ] ||
        why="$why; ${k%:*} on node $node: JSON $bytes, numa_maps $(sed -n "s/^$node //p" "$T/$n.nb")"
    done <"$T/$n.jb"
  done
  if [ -z "$why" ]; then pass "$n"; else fail "$n" "${why#; }: $(head -c 500 "$T/$n.out")"; fi
  info "$n: moved $mb bytes; after, per node (JSON): $(tr '\n' ' ' <"$T/$n.jb")"
}
sc_mover_stop() {
  # Stopped part way: SIGTERM (--json, 2 workers) and SIGINT (--progress, 1
  # worker) 2 s into a move of 32 MiB at 8 MiB/s (about 4 s). The tool says
  # what it moved, leaves the rest, and dies of the signal; the buffer is on
  # node 0 and node 1 only, the data intact. (timeout runs in the foreground:
  # a background job of a script has SIGINT ignored, and the tool keeps it so.)
  local sig n p rc want c0 c1 mb a1 b1 gain said prog why
  for sig in TERM INT; do
    n=mv-stop-$sig why= mb=
    hog_start "$n" -s 32 -N -b 0 || { fail "$n" "hog did not start"; continue; }
    p=$(hpid "$n")
    cat "/proc/$p/numa_maps" >"$T/$n.nm0"
    if [ "$sig" = TERM ]; then
      timeout -s TERM 2 "$MP" --rate 8M --jobs 2 --json "$p" 0 1 >"$T/$n.out" 2>"$T/$n.err"
      rc=$? want=143
    else
      timeout -s INT 2 "$MP" --rate 8M --jobs 1 --progress=always "$p" 0 1 >"$T/$n.out" 2>"$T/$n.err"
      rc=$? want=130
    fi
    cat "/proc/$p/numa_maps" >"$T/$n.nm1"
    hog_report "$n" after || why="; the hog gave no report"
    hog_stop "$n"
    c0=$(sed -n 's/^count//p' "$T/$n.after" | tr ' ' '\n' | sed -n 's/^0=//p')
    c1=$(sed -n 's/^count//p' "$T/$n.after" | tr ' ' '\n' | sed -n 's/^1=//p')
    [ "$rc" = "$want" ] || why="$why; exit $rc, not $want (death by SIG$sig)"
    grep -q '^pattern ok' "$T/$n.after" || why="$why; the data is damaged"
    [ "$(sed -n 's/^count //p' "$T/$n.after" | wc -w)" = 2 ] && [ "${c0:-0}" -gt 0 ] && [ "${c1:-0}" -gt 0 ] ||
      why="$why; not part on node 0 and part on node 1: $(counts "$T/$n.after")"
    said=$(sed -n "s/^migratepages: $p: interrupted by SIG$sig after moving \([0-9.]* [KM]iB\); the rest of its memory stays where it is\$/\1/p" "$T/$n.err")
    [ -n "$said" ] || why="$why; no 'interrupted by SIG$sig after moving' line: $(tr '\n' '|' <"$T/$n.err" | tail -c 300)"
    if [ "$sig" = TERM ]; then
      # exact: the bytes it says it moved are what numa_maps gained on node 1
      # (the hog is quiet; its buffer and its other pages)
      mb=$(json_field "$T/$n.out" moved_bytes)
      a1=$(nm_bytes "$T/$n.nm1" | sed -n 's/^1 //p') b1=$(nm_bytes "$T/$n.nm0" | sed -n 's/^1 //p')
      gain=$((${a1:-0} - ${b1:-0}))
      grep -q '"status":"partial"' "$T/$n.out" && grep -q '"errno":"EINTR"' "$T/$n.out" &&
        grep -q '"interrupted_bytes":' "$T/$n.out" ||
        why="$why; JSON without status partial, EINTR and interrupted_bytes: $(head -c 300 "$T/$n.out")"
      [ "${mb:-0}" = "$gain" ] ||
        why="$why; moved_bytes ${mb:-?}, but node 1 gained $gain bytes in numa_maps: $(head -c 600 "$T/$n.out")"
    else
      # the final progress line is kept and agrees with the message
      prog=$(tr '\r' '\n' <"$T/$n.err" | grep '^migratepages: moved' | tail -n 1)
      case $prog in
        "migratepages: moved $said of "*"; to node 1: $said; "*) ;;
        *) why="$why; the last progress line '$prog' does not say $said moved to node 1" ;;
      esac
    fi
    if [ -z "$why" ]; then pass "$n"; else fail "$n" "${why#; }"; fi
    info "$n: exit $rc; $(counts "$T/$n.after"); moved ${said:-?} (${mb:-} bytes)"
  done
}
sc_mover_seccomp() {
  # a rejected option makes no move_pages call: the filter kills on it, and
  # (control) kills a valid mover run
  local p rc rc2 why=
  [ -x /bin/seccomp_exec ] || { fail mv-seccomp "no seccomp_exec helper in the guest"; return; }
  hog_start ms -s 8 -b 0 || { fail mv-seccomp "hog did not start"; return; }
  p=$(hpid ms)
  seccomp_exec kill "$MP" --jobs 2 --rate 0 "$p" 0 3 >/dev/null 2>&1; rc=$?
  seccomp_exec kill "$MP" --jobs 2 "$p" 0 3 >/dev/null 2>&1; rc2=$?
  hog_stop ms
  [ "$rc" = 1 ] || why="a bad --rate exited $rc, not 1"
  [ "$rc2" = 159 ] || why="$why; control: a valid mover run under the filter exited $rc2, not 159 (SIGSYS)"
  if [ -z "$why" ]; then pass mv-seccomp; else fail mv-seccomp "${why#; }"; fi
}

# --- the mover's own cpuset rule, and pages move_pages cannot see --------------
# refusal_case NAME CG "TOOL-ARGS" WANT [USER RUNNER]: a hog of USER (default
# root) in cgroup CG (bound to node 0); the tool (under RUNNER) and its dry run
# both exit 1 with the same words, which contain WANT, and nothing moves.
refusal_case() {
  local n=$1 cg=$2 args=$3 want=$4 user=${5:-root} runner=${6:-} p rc drc why=
  HOG_USER=$user HOG_CG=$cg hog_start "$n" -s 8 -N -b 0 || { fail "$n" "hog did not start"; return; }
  p=$(hpid "$n")
  hog_report "$n" before
  $runner "$MP" $(echo "$args" | sed "s/@/$p/") >/dev/null 2>"$T/$n.err"; rc=$?
  $runner "$MP" -n $(echo "$args" | sed "s/@/$p/") >/dev/null 2>"$T/$n.dry"; drc=$?
  hog_report "$n" after; hog_stop "$n"
  [ "$rc" = 1 ] && [ "$drc" = 1 ] || why="exit $rc, dry run $drc"
  grep -qF "$want" "$T/$n.err" || why="$why; real run said: $(cat "$T/$n.err")"
  cmp -s "$T/$n.err" "$T/$n.dry" || why="$why; the dry run said: $(cat "$T/$n.dry")"
  OUT=$(pagecheck check "$T/$n.before" "$T/$n.after" "" "" -z) || why="$why; $OUT"
  if [ -z "$why" ]; then pass "$n"; else fail "$n" "${why#; }"; fi
}
sc_mover_cpuset() {
  # As root (CAP_SYS_NICE) migrate_pages may put pages outside the target's
  # cpuset (0-1 here); move_pages may not: the mover refuses up front, and its
  # dry run says the same with the same status.
  local d
  d=$(cg_setup mv-rule 0-1) || { fail mv-cpuset "cannot set up a cpuset cgroup"; return; }
  refusal_case mv-cpuset "$d" "--jobs 1 @ 0 2" \
    "to-nodes 2 are outside the nodes the process may use (Mems_allowed_list: 0-1): move_pages cannot put pages there"
  # a from-node that maps to itself is no destination: 0,3 -> 1,3 moves 0
  # to 1 and leaves 3, inside the cpuset; the dry run agrees
  HOG_CG=$d mcase mv-cpuset-stays "-s 8 -N -b 0" "--jobs 1 @ 0,3 1,3" 0,3 1,3 0
  HOG_CG=$d mcase mv-cpuset-stays-dry "-s 8 -N -b 0" "--jobs 1 -n @ 0,3 1,3" - - 0
}
sc_mover_protnone() {
  # 8 MiB written on node 0, then made PROT_NONE, beside a 64 GiB PROT_NONE
  # reservation. On this kernel (6.1 with NUMA balancing built in) move_pages
  # answers -ENOENT for those pages; the single call moves them, and so must
  # the mover (its closing migrate_pages call), quickly, and say so.
  local t0 t1 ms fb
  t0=$(cut -d' ' -f1 /proc/uptime)
  mcase mv-protnone "-s 8 -N -b 0 -P -R 64" "--jobs 1 --json @ 0 1" 0 1 0
  t1=$(cut -d' ' -f1 /proc/uptime)
  LAST_A="@ 0 1"
  ms=$(json_field "$T/mv-protnone.out" moved_bytes)
  fb=$(json_field "$T/mv-protnone.out" final_call_bytes)
  if kernel_at_least 6 5; then
    # move_pages sees them (d74943a2f3cd, 6.5): no closing call is needed
    grep -q '"status":"ok"' "$T/mv-protnone.out" && [ "${ms:-0}" -ge 8388608 ] &&
      [ "${fb:-x}" = 0 ] && pass mv-protnone-counted ||
      fail mv-protnone-counted "not ok with 8 MiB moved by move_pages and no closing call: $(head -c 500 "$T/mv-protnone.out")"
  else
    grep -q '"status":"ok"' "$T/mv-protnone.out" && [ "${ms:-0}" -ge 8388608 ] &&
      [ "${fb:-0}" -ge 8388608 ] && pass mv-protnone-counted ||
      fail mv-protnone-counted "not ok with 8 MiB moved by the closing call: $(head -c 500 "$T/mv-protnone.out")"
  fi
  info "mv-protnone: $(sed -n 's/.*"mover":\({[^}]*}\).*/\1/p' "$T/mv-protnone.out"); hog start to report $t0 -> $t1 s"
  sbs mv-protnone same
}
sc_plain_count() {
  # The plain command line on a busybox process (its binary's pages are the
  # shell's too; root moves them), gathered on node 0, then moved 0->1 (JSON),
  # 1->0 (no option, as a script runs it), 0->1 (JSON), 1->0 (no option).
  # Every move must end with nothing on the from-node and exit 0. Debian's
  # 6.12 answers 1 ("could not move") for such moves though every page moved;
  # the tool checks a positive answer against numa_maps and says so in a note
  # instead of exit 2.
  local sp m f o rc nm counted=0 bad=
  sleep 1000 &
  sp=$!
  sleep 0.3
  mp $sp all 0 >/dev/null 2>&1 # all of it on node 0 first (not judged)
  for m in "0 1 --json" "1 0 -" "0 1 --json" "1 0 -"; do
    f=${m%% *}; o=${m##* }; [ "$o" = - ] && o=
    mp $o $sp ${m% *} >"$T/pc.out" 2>"$T/pc.err"
    rc=$?
    nm=$(grep -c " N$f=" /proc/$sp/numa_maps)
    info "plain-count ${m% *} ${o:-(plain)}: exit $rc, numa_maps lines with pages on node $f after: $nm; $(head -c 600 "$T/pc.out") $(head -c 200 "$T/pc.err")"
    [ "$rc" = 0 ] && [ "$nm" = 0 ] || bad="$bad; ${m% *} ${o:-(plain)}: exit $rc, $nm lines on node $f"
    [ -n "$o" ] || { [ ! -s "$T/pc.err" ] && [ ! -s "$T/pc.out" ]; } || bad="$bad; ${m% *}: output from a plain run"
    [ -n "$o" ] || continue
    grep -q '"status":"ok"' "$T/pc.out" || bad="$bad; ${m% *}: status not ok"
    if [ "$(json_field "$T/pc.out" not_moved)" != 0 ]; then
      counted=$((counted + 1))
      grep -q 'counted, not left behind' "$T/pc.out" || bad="$bad; ${m% *}: a positive count without the note"
    fi
  done
  kill $sp
  info "plain-count: the kernel's answer was positive in $counted of the 2 JSON moves"
  if [ -n "$bad" ]; then
    fail plain-count "${bad#; }"
  elif [ "$counted" = 0 ]; then
    # nothing for the check to bite on: say so, and pass nothing
    echo "RESULT SKIP plain-count: this kernel counted no page as not moved ($(uname -r); 6.1 keeps no such count)"
  else
    pass plain-count
  fi
}
kernel_at_least() {  # MAJOR MINOR: this kernel's version is that or later
  local r maj min
  r=$(uname -r); maj=${r%%.*}; r=${r#*.}; min=${r%%[!0-9]*}
  [ "$maj" -gt "$1" ] || { [ "$maj" = "$1" ] && [ "$min" -ge "$2" ]; }
}
sc_mover_shadow() {
  # shadow-memory style: one 512 MiB mapping with a page written every 1 MiB
  # (512 pages, THP off; numa_maps counts one page in 256). Every written page
  # on the destination, as with the single call. From 6.7 the mover steps over
  # the empty stretches with PAGEMAP_SCAN; before, it reads pagemap across the
  # mapping. (Small, because the helper's report asks where every page of the
  # mapping is: test/bench-mover's shadow case measures 16 GiB.)
  local t0 t1
  t0=$(cut -d' ' -f1 /proc/uptime)
  mcase mv-shadow "-s 512 -N -e 256 -b 0" "--jobs 1 -v @ 0 1" 0 1 0
  t1=$(cut -d' ' -f1 /proc/uptime)
  LAST_A="@ 0 1"
  info "mv-shadow ($(uname -r)): $(grep '^  moved' "$T/mv-shadow.out"); case $t0 -> $t1 s"
  sbs mv-shadow same
}
sc_mover_sparse() {
  # a sparse heap: 1 GiB reserved, every 16th page written (THP off), moved
  # by the mover: every written page on the destination, as with the single call
  mcase mv-sparse "-s 1024 -N -e 16 -b 0" "--jobs 2 -v @ 0 1" 0 1 0
  LAST_A="@ 0 1"
  info "mv-sparse: $(grep '^  moved' "$T/mv-sparse.out")"
  sbs mv-sparse same
}

# --- cold and hot pages (--cold, --hot) -----------------------------------------
# tier (test/vm/helpers/tier.c): regions W (written), R (only read), U (never
# touched), L (untouched until SIGUSR2, then written), 4 MiB each on node 0.
tier_start() {  # NAME TIER-ARGS...: its pid in TP (TIER_PRE: e.g. runas 1000 1000)
  local n=$1; shift
  rm -f "$T/$n".*
  if [ -n "${TIER_CG:-}" ]; then
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$TIER_CG" ${TIER_PRE:-} tier -o "$T/$n" "$@" 2>"$T/$n.err" &
  else
    ${TIER_PRE:-} tier -o "$T/$n" "$@" 2>"$T/$n.err" &
  fi
  wait_file "$T/$n.ready" 200 || { info "tier $n did not start: $(cat "$T/$n.err")"; return 1; }
  TP=$(cat "$T/$n.ready")
  [ -n "$TP" ] || { sleep 0.2; TP=$(cat "$T/$n.ready"); }  # (seen empty once: read as it was written)
}
tier_report() {  # NAME SUFFIX [HUP: with the pattern check]
  local p
  p=$(cat "$T/$1.ready")
  rm -f "$T/$1.rep"
  kill -"${3:-USR1}" "$p" && wait_file "$T/$1.rep" 600 && mv "$T/$1.rep" "$T/$1.$2"
}
region() { sed -n "s/^region $2 nodes //p" "$1"; }  # REPORT REGION: "1*1024"
# tier_want REPORT "W=0 R=1 U=1 L=1": every page of each region on that node
tier_want() {
  local rep=$1 w r got bad=
  for w in $2; do
    r=${w%%=*}
    got=$(region "$rep" "$r")
    case $got in "${w#*=}*"*) [ "${got#* }" = "$got" ] || bad="$bad $r: $got;" ;; *) bad="$bad $r: $got;" ;; esac
  done
  [ -z "$bad" ] && return 0
  echo "$bad"
  return 1
}
# tier_case NAME TRACKER "TIER-ARGS" R_COLD R_HOT: --cold then --hot with TRACKER;
# R_COLD: where R (only read) is after --cold 0->1 (softdirty: 1, it counts as
# untouched; idle: 0); R_HOT: after --hot 1->0.
tier_case() {
  local n=$1 tr=$2 args=$3 rcold=$4 rhot=$5 why= d m bad
  tier_start "$n" $args || { fail "$n" "tier did not start"; return; }
  sleep 1
  as_tool_user "$MP" --cold 3s --tracker "$tr" --dry-run --json "$TP" 0 1 >"$T/$n.dry" 2>"$T/$n.dryerr" ||
    why="$why; the dry run exited $?: $(head -c 300 "$T/$n.dryerr")"
  as_tool_user "$MP" --cold 3s --tracker "$tr" --json "$TP" 0 1 >"$T/$n.cold" 2>"$T/$n.coldr" ||
    why="$why; --cold exited $?: $(head -c 300 "$T/$n.coldr")"
  tier_report "$n" after-cold || why="$why; no report after --cold"
  bad=$(tier_want "$T/$n.after-cold" "W=0 R=$rcold U=1 L=1") || why="$why; after --cold:$bad"
  # the dry run's untouched bytes on node 0 are what the real run moved
  d=$(sed -n 's/.*"untouched":{"0":\([0-9]*\).*/\1/p' "$T/$n.dry")
  m=$(json_field "$T/$n.cold" moved_bytes)
  [ -n "$d" ] && [ "$d" = "$m" ] || why="$why; the dry run found ${d:-?} bytes untouched on node 0, the real run moved ${m:-?}"
  grep -q "\"tracker\":\"$tr\"" "$T/$n.cold" || why="$why; the report does not name the tracker $tr"
  kill -USR2 "$TP"; sleep 1
  as_tool_user "$MP" --hot 3s --tracker "$tr" --json "$TP" 1 0 >"$T/$n.hot" 2>"$T/$n.hotr" ||
    why="$why; --hot exited $?: $(head -c 300 "$T/$n.hotr")"
  tier_report "$n" after-hot HUP || why="$why; no report after --hot"
  bad=$(tier_want "$T/$n.after-hot" "W=0 R=$rhot U=1 L=0") || why="$why; after --hot:$bad"
  grep -q '^pattern ok' "$T/$n.after-hot" || why="$why; $(grep pattern "$T/$n.after-hot")"
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ -z "$why" ]; then pass "$n"; else fail "$n" "${why#; }"; fi
  info "$n: dry run untouched on node 0: ${d:-?} bytes; --cold moved ${m:-?}; --hot moved $(json_field "$T/$n.hot" moved_bytes)"
}
sc_tier_softdirty() {
  # Debian's kernel: soft-dirty only (writes): R, only read, counts as cold
  tier_case tier-sd softdirty "-N" 1 1
  tier_case tier-sd-thp softdirty "-H" 1 1
  # auto takes soft-dirty here, and says so
  tier_start tier-auto -N || { fail tier-auto "tier did not start"; return; }
  sleep 1
  "$MP" --cold 2s -n -v "$TP" 0 1 >"$T/tier-auto.out" 2>&1
  kill "$TP"; wait "$TP" 2>/dev/null
  grep -q "with softdirty (writes only: a page only read counts as untouched)" "$T/tier-auto.out" &&
    pass tier-auto-softdirty || fail tier-auto-softdirty "$(tr '\n' '|' <"$T/tier-auto.out" | head -c 400)"
  tier_signal
}
# A signal during the window: the run stops within a moment, moves nothing,
# reports what it saw so far (the window watched, untouched per node), says so
# on stderr and dies of the signal.
tier_signal() {
  local why= mp rc t0 t1 u
  tier_start tier-sig -N || { fail tier-signal "tier did not start"; return; }
  sleep 1
  t0=$(cut -d' ' -f1 /proc/uptime)
  "$MP" --cold 60s --json "$TP" 0 1 >"$T/ts.out" 2>"$T/ts.err" &
  mp=$!
  sleep 3
  kill -TERM "$mp"
  wait "$mp"; rc=$?
  t1=$(cut -d' ' -f1 /proc/uptime)
  tier_report tier-sig a || why="$why; no report"
  bad=$(tier_want "$T/tier-sig.a" "W=0 R=0 U=0 L=0") || why="$why; pages moved:$bad"
  [ "$rc" = 143 ] || why="$why; exit $rc, want 143"
  awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 20) }' || why="$why; it took $t0 -> $t1 s of a 60 s window"
  grep -q "^migratepages: $TP: interrupted by SIGTERM while watching ([0-9.]* s of 60.0 s): nothing moved" "$T/ts.err" ||
    why="$why; stderr: $(head -c 300 "$T/ts.err")"
  grep -q '"stopped":true' "$T/ts.out" || why="$why; the JSON does not say stopped"
  [ "$(json_field "$T/ts.out" moved_bytes)" = 0 ] || why="$why; moved_bytes $(json_field "$T/ts.out" moved_bytes)"
  u=$(sed -n 's/.*"untouched":{"0":\([0-9]*\).*/\1/p' "$T/ts.out")
  [ "${u:-0}" -ge 8388608 ] || why="$why; untouched on node 0: ${u:-none} bytes (U and L alone are 8 MiB)"
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ -z "$why" ]; then pass tier-signal; else fail tier-signal "${why#; }"; fi
  info "tier-signal: $(head -c 200 "$T/ts.err"); untouched on node 0 so far: ${u:-?} bytes"
}
sc_tier_lists() {
  # two processes in one window (a pid list), and a cgroup
  local why= p1 p2 d
  tier_start tl1 -N && p1=$TP && tier_start tl2 -N && p2=$TP || { fail tier-pidlist "tier did not start"; return; }
  sleep 1
  "$MP" --cold 3s --json "$p1,$p2" 0 1 >"$T/tl.out" 2>"$T/tl.err" || why="exit $?: $(head -c 200 "$T/tl.err")"
  tier_report tl1 a && tier_report tl2 a || why="$why; no report"
  for x in tl1 tl2; do
    bad=$(tier_want "$T/$x.a" "W=0 R=1 U=1 L=1") || why="$why; $x:$bad"
  done
  [ "$(grep -c '"status":"ok"' "$T/tl.out")" = 2 ] || why="$why; not two ok objects"
  kill "$p1" "$p2"; wait "$p1" "$p2" 2>/dev/null
  if [ -z "$why" ]; then pass tier-pidlist; else fail tier-pidlist "${why#; }"; fi
  why=
  d=$(cg_setup tier-cg "") || { fail tier-cgroup "cannot make a cgroup"; return; }
  TIER_CG=$d tier_start tc -N || { fail tier-cgroup "tier did not start"; return; }
  sleep 1
  "$MP" --cold 3s --cgroup "$d" 0 1 >"$T/tc.out" 2>"$T/tc.err" || why="exit $?: $(head -c 200 "$T/tc.err")"
  tier_report tc a || why="$why; no report"
  bad=$(tier_want "$T/tc.a" "W=0 R=1 U=1 L=1") || why="$why; $bad"
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ -z "$why" ]; then pass tier-cgroup; else fail tier-cgroup "${why#; }"; fi
  tier_reuse
}
# Reality in the window: of two processes watched, one is killed 1.5 s in and
# its pid given to a new process (ns_last_pid) before the window ends. The
# survivor's untouched pages move; the dead one is reported exited (ESRCH,
# exit 1); the newcomer that holds its number keeps every page on node 0.
tier_reuse() {
  local why= p1 p2 p3 mp rc bad
  tier_start tr1 -N && p1=$TP && tier_start tr2 -N && p2=$TP || { fail tier-reuse "tier did not start"; return; }
  sleep 1
  "$MP" --cold 4s --json "$p1,$p2" 0 1 >"$T/tre.out" 2>"$T/tre.err" &
  mp=$!
  sleep 1.5
  kill -KILL "$p1"; wait "$p1" 2>/dev/null
  rm -f "$T/tr3".*
  echo $((p1 - 1)) >/proc/sys/kernel/ns_last_pid
  tier -o "$T/tr3" -N 2>"$T/tr3.err" &
  p3=$!
  wait_file "$T/tr3.ready" 200 || why="$why; the newcomer did not start"
  wait "$mp"; rc=$?
  [ "$rc" = 1 ] || why="$why; exit $rc, want 1"
  grep -q "^migratepages: $p1: the process exited during the window: nothing of it moved" "$T/tre.err" || why="$why; stderr: $(head -c 300 "$T/tre.err")"
  grep -q "\"pid\":$p1,\"status\":\"error\".*\"errno\":\"ESRCH\"" "$T/tre.out" || why="$why; no ESRCH object for $p1"
  tier_report tr2 a || why="$why; no report of the survivor"
  bad=$(tier_want "$T/tr2.a" "W=0 R=1 U=1 L=1") || why="$why; the survivor:$bad"
  if [ "$p3" = "$p1" ]; then
    tier_report tr3 a || why="$why; no report of the newcomer"
    bad=$(tier_want "$T/tr3.a" "W=0 R=0 U=0 L=0") || why="$why; the newcomer on pid $p3 was worked on:$bad"
  else
    echo "RESULT SKIP tier-reuse-newcomer: the newcomer got pid $p3, not $p1 (another process took the number first)"
  fi
  kill "$p2" "$p3"; wait "$p2" "$p3" 2>/dev/null
  if [ -z "$why" ]; then pass tier-reuse; else fail tier-reuse "${why#; }"; fi
  info "tier-reuse: pid $p1 reused by $p3: $(head -c 200 "$T/tre.err")"
}
sc_tier_user() {
  # a user watches its own process (soft-dirty needs only ptrace access)
  local why= rc
  TIER_PRE="runas 1000 1000" tier_start tu -N || { fail tier-user "tier did not start"; return; }
  sleep 1
  runas 1000 1000 "$MP" --cold 3s --tracker softdirty "$TP" 0 1 >"$T/tu.out" 2>"$T/tu.err" ||
    why="exit $?: $(head -c 200 "$T/tu.err")"
  tier_report tu a || why="$why; no report"
  bad=$(tier_want "$T/tu.a" "W=0 R=1 U=1 L=1") || why="$why; $bad"
  # and idle page tracking, which needs root, is refused before any waiting
  runas 1000 1000 "$MP" --cold 60s --tracker idle "$TP" 0 1 >"$T/tu2.out" 2>"$T/tu2.err"; rc=$?
  kill "$TP"; wait "$TP" 2>/dev/null
  [ "$rc" = 1 ] && grep -q "^migratepages: --tracker idle: " "$T/tu2.err" ||
    why="$why; --tracker idle as a user: exit $rc: $(cat "$T/tu2.err")"
  if [ -z "$why" ]; then pass tier-user; else fail tier-user "${why#; }"; fi
  info "tier-user: idle refused: $(cat "$T/tu2.err")"
}
sc_tier_idle() {
  # a kernel with idle page tracking: R, only read, is touched: it stays on
  # node 0 under --cold; the same process under soft-dirty moves it
  tier_case tier-idle idle "-N" 0 0
  tier_case tier-idle-thp idle "-H" 0 0
  tier_case tier-idle-sd softdirty "-N" 1 1
  echo "COMPARE tier: the region only read: idle page tracking left it on node 0 ($(region "$T/tier-idle.after-cold" R)), soft-dirty moved it to node 1 ($(region "$T/tier-idle-sd.after-cold" R))"
}
sc_tier_refused() {
  # a kernel with neither tracker (Debian's arm64 has no soft-dirty, and no
  # idle page tracking): refused at once, naming what is missing
  local t0 t1 rc p
  sleep 600 & p=$!
  t0=$(cut -d' ' -f1 /proc/uptime)
  "$MP" --cold 60s "$p" 0 1 >"$T/tr.out" 2>"$T/tr.err"; rc=$?
  t1=$(cut -d' ' -f1 /proc/uptime)
  kill "$p"
  if [ "$rc" = 1 ] && grep -q "CONFIG_IDLE_PAGE_TRACKING" "$T/tr.err" && grep -q "CONFIG_MEM_SOFT_DIRTY" "$T/tr.err" &&
     awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 5) }'; then
    pass tier-refused
  else
    fail tier-refused "exit $rc after $t0 -> $t1 s: $(cat "$T/tr.err")"
  fi
  info "tier-refused: $(cat "$T/tr.err")"
}

# --- the kernel's page-access trackers (for moving cold pages) -------------------
# Soft-dirty (write 4 to clear_refs, pagemap bit 55) and idle page tracking
# (/sys/kernel/mm/page_idle/bitmap), each checked by the trackers helper on a
# 4 MiB buffer of its own. A kernel without a tracker gives SKIP for it, not
# FAIL: Debian 12's amd64 kernel has soft-dirty and no idle tracking, its arm64
# kernel neither; the kernel of test/vm/kernel-build.sh has both.

# tracker_case NAME EXPECT COMMAND...: the helper's lines as INFO, its exit
# status as the result (2: the kernel lacks the tracker, SKIP). EXPECT "fail"
# turns it round: the helper must fail (a check that must not work).
tracker_case() {
  local n=$1 expect=$2 out rc last
  shift 2
  out=$("$@" 2>&1); rc=$?
  echo "$out" | sed "s/^/INFO $n: /"
  last=$(echo "$out" | tail -n 1)
  case $expect:$rc in
    *:2) echo "RESULT SKIP $n: ${last#MISSING: }" ;;
    ok:0|fail:1) pass "$n" ;;
    ok:*) fail "$n" "exit $rc: $last" ;;
    fail:*) fail "$n" "exit $rc, expected a failure: $last" ;;
  esac
}
sc_kernel_trackers() {
  local b=/sys/kernel/mm/page_idle/bitmap
  if [ -e "$b" ]; then
    info "kernel-trackers: $(ls -l "$b")"
  else
    info "kernel-trackers: no $b"
  fi
  # a huge page is tracked as one; NUMA balancing touches page tables too
  info "kernel-trackers: THP $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null), numa_balancing $(cat /proc/sys/kernel/numa_balancing 2>/dev/null)"
  tracker_case kernel-trackers-softdirty ok trackers softdirty
  # a user may track its own pages
  tracker_case kernel-trackers-softdirty-user ok runas 1000 1000 trackers softdirty
  tracker_case kernel-trackers-idle ok trackers idle
  # the bitmap is root's
  tracker_case kernel-trackers-idle-user fail runas 1000 1000 trackers idle
}

# --- DAMON (--tracker damon) and the regret report (--verify) -------------------
# DAMON's sysfs tree, every file with what it reads (the tool must leave it as
# it found it), and the DAMON modules' switches.
damon_snap() {
  local f
  for f in $(find /sys/kernel/mm/damon /sys/module/damon_reclaim/parameters \
               /sys/module/damon_lru_sort/parameters -type f 2>/dev/null | sort); do
    echo "$f $(cat "$f" 2>/dev/null | head -c 200 | tr '\n' ' ')"
  done
}
# pages of REGION on NODE in a tier report
region_on() { region "$1" "$2" | tr ' ' '\n' | awk -F'*' -v n="$3" '$1 == n { s += $2 } END { print s + 0 }'; }
# tier_agree REPORT "W=0 R=0 U=1 L=1": "AGREE TOTAL" pages where each region is
tier_agree() {
  local rep=$1 w r a=0 t=0
  for w in $2; do
    r=${w%%=*}
    a=$((a + $(region_on "$rep" "$r" "${w#*=}")))
    t=$((t + $(region "$rep" "$r" | tr ' ' '\n' | awk -F'*' '{ s += $2 } END { print s + 0 }')))
  done
  echo "$a $t"
}
damon_free() {  # the kdamonds a test made, removed
  local k=/sys/kernel/mm/damon/admin/kdamonds
  [ -e "$k/0/state" ] && echo off >"$k/0/state" 2>/dev/null
  echo 0 >"$k/nr_kdamonds" 2>/dev/null
}
sc_tier_damon() {
  local k=/sys/kernel/mm/damon/admin/kdamonds why= i ag tot bad mp rc u msg r
  if [ ! -e "$k/nr_kdamonds" ]; then
    echo "RESULT SKIP tier-damon: this kernel has no DAMON sysfs interface"
    return
  fi
  info "tier-damon: $(uname -r); DAMON: $(ls /sys/kernel/mm/damon/admin/kdamonds), modules: $(ls -d /sys/module/damon* 2>/dev/null | tr '\n' ' ')"
  damon_snap >"$T/dsnap.0"
  # --cold with DAMON, three times: R (only read) stays, W stays, most of U
  # and L move; every run leaves DAMON's sysfs as it found it
  ag=0 tot=0
  for i in 1 2 3; do
    tier_start "td$i" -N || { fail tier-damon "tier did not start"; return; }
    sleep 1
    "$MP" --cold 3s --tracker damon --json "$TP" 0 1 >"$T/td$i.out" 2>"$T/td$i.err" ||
      why="$why; run $i exited $?: $(head -c 300 "$T/td$i.err")"
    damon_snap >"$T/dsnap.$i"
    cmp -s "$T/dsnap.0" "$T/dsnap.$i" || why="$why; run $i changed DAMON's sysfs: $(diff "$T/dsnap.0" "$T/dsnap.$i" | head -c 300 | tr '\n' '|')"
    tier_report "td$i" a || why="$why; no report after run $i"
    # (a region, not a page, is judged: a page at the edge of a region of
    # untouched pages may be missed; at most 1% of W and of R)
    for r in W R; do
      [ $(( $(region_on "$T/td$i.a" $r 1) * 100 )) -le 1024 ] || why="$why; run $i moved $(region_on "$T/td$i.a" $r 1) pages of $r"
    done
    set -- $(tier_agree "$T/td$i.a" "W=0 R=0 U=1 L=1")
    ag=$((ag + $1)) tot=$((tot + $2))
    grep -q '"tracker":"damon"' "$T/td$i.out" || why="$why; run $i: the report does not name damon"
    info "tier-damon run $i: W $(region "$T/td$i.a" W); R $(region "$T/td$i.a" R); U $(region "$T/td$i.a" U); L $(region "$T/td$i.a" L)"
    kill "$TP"; wait "$TP" 2>/dev/null
  done
  [ "$tot" -gt 0 ] && [ $((ag * 100)) -ge $((tot * 95)) ] || why="$why; $ag of $tot pages where the truth puts them (want 95%)"
  echo "COMPARE tier-damon: $ag of $tot pages of the helper where the truth puts them over three --cold 3s runs with DAMON ($((ag * 1000 / (tot + !tot))) per mille)"
  if [ -z "$why" ]; then pass tier-damon; else fail tier-damon "${why#; }"; fi
  # the same process with soft-dirty moves R (reads unseen)
  why=
  tier_start tds -N || { fail tier-damon-vs-softdirty "tier did not start"; return; }
  sleep 1
  "$MP" --cold 3s --tracker softdirty "$TP" 0 1 >/dev/null 2>&1
  tier_report tds a
  kill "$TP"; wait "$TP" 2>/dev/null
  echo "COMPARE tier: the region only read: DAMON left it on node 0 ($(region "$T/td1.a" R)), soft-dirty moved it to node 1 ($(region "$T/tds.a" R))"
  # SIGTERM in the window: nothing moved, exit 143, DAMON as found
  tier_start tdt -N || { fail tier-damon-signal "tier did not start"; return; }
  sleep 1
  "$MP" --cold 60s --tracker damon "$TP" 0 1 >"$T/tdt.out" 2>"$T/tdt.err" &
  mp=$!
  sleep 3
  [ "$(cat $k/nr_kdamonds)" = 1 ] && [ "$(cat $k/0/state)" = on ] || why="$why; no kdamond on during the window"
  kill -TERM "$mp"; wait "$mp"; rc=$?
  damon_snap >"$T/dsnap.t"
  cmp -s "$T/dsnap.0" "$T/dsnap.t" || why="$why; DAMON's sysfs changed: $(diff "$T/dsnap.0" "$T/dsnap.t" | head -c 300 | tr '\n' '|')"
  [ "$rc" = 143 ] || why="$why; exit $rc, want 143"
  tier_report tdt a || why="$why; no report"
  bad=$(tier_want "$T/tdt.a" "W=0 R=0 U=0 L=0") || why="$why; pages moved:$bad"
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ -z "$why" ]; then pass tier-damon-signal; else fail tier-damon-signal "${why#; }"; fi
  # a kdamond of someone else's (the test's own): refused, untouched; auto
  # passes over DAMON (soft-dirty here)
  why=
  tier_start tdb -N || { fail tier-damon-busy "tier did not start"; return; }
  echo 1 >$k/nr_kdamonds && echo 1 >$k/0/contexts/nr_contexts && echo vaddr >$k/0/contexts/0/operations &&
    echo 1 >$k/0/contexts/0/targets/nr_targets && echo "$TP" >$k/0/contexts/0/targets/0/pid_target &&
    echo on >$k/0/state || why="cannot start a kdamond of the test's own"
  damon_snap >"$T/dsnap.b0"
  "$MP" --cold 60s --tracker damon "$TP" 0 1 >"$T/tdb.out" 2>"$T/tdb.err"; rc=$?
  [ "$rc" = 1 ] && grep -q "^migratepages: --tracker damon: DAMON is in use: 1 kdamond is configured" "$T/tdb.err" ||
    why="$why; exit $rc: $(head -c 300 "$T/tdb.err")"
  "$MP" --cold 1s -n -v "$TP" 0 1 >"$T/tdb2.out" 2>&1 || why="$why; auto exited $?"
  grep -q "with softdirty" "$T/tdb2.out" || why="$why; auto did not pass over DAMON: $(head -c 200 "$T/tdb2.out")"
  damon_snap >"$T/dsnap.b1"
  cmp -s "$T/dsnap.b0" "$T/dsnap.b1" || why="$why; the test's kdamond was disturbed: $(diff "$T/dsnap.b0" "$T/dsnap.b1" | head -c 300 | tr '\n' '|')"
  info "tier-damon-busy: $(cat "$T/tdb.err")"
  damon_free
  if [ -e /sys/module/damon_reclaim/parameters/enabled ]; then
    if echo Y >/sys/module/damon_reclaim/parameters/enabled 2>/dev/null; then
      "$MP" --cold 60s --tracker damon "$TP" 0 1 >"$T/tdr.out" 2>"$T/tdr.err"; rc=$?
      [ "$rc" = 1 ] && grep -q "DAMON_RECLAIM is enabled" "$T/tdr.err" || why="$why; with DAMON_RECLAIM: exit $rc: $(head -c 300 "$T/tdr.err")"
      echo N >/sys/module/damon_reclaim/parameters/enabled
      info "tier-damon-busy: $(cat "$T/tdr.err")"
    else
      info "tier-damon-busy: damon_reclaim could not be enabled here"
    fi
  fi
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ -z "$why" ]; then pass tier-damon-busy; else fail tier-damon-busy "${why#; }"; fi
  # SIGKILL in the window leaves the tool's kdamond: the next run recognises
  # it and says how to clear it; done so, DAMON is as found
  why=
  sleep 1
  damon_snap >"$T/dsnap.0"  # (enabling DAMON_RECLAIM above set its parameters)
  tier_start tdk -N || { fail tier-damon-leftover "tier did not start"; return; }
  "$MP" --cold 60s --tracker damon "$TP" 0 1 >/dev/null 2>&1 &
  mp=$!
  sleep 3
  kill -KILL "$mp"; wait "$mp" 2>/dev/null
  "$MP" --cold 3s --tracker damon "$TP" 0 1 >"$T/tdk.out" 2>"$T/tdk.err"; rc=$?
  msg=$(cat "$T/tdk.err")
  [ "$rc" = 1 ] && echo "$msg" | grep -q "left by a migratepages run (pid $mp) that was killed" || why="exit $rc: $msg"
  sh -c "${msg##*Clear it with: }" || why="$why; the command given failed: ${msg##*Clear it with: }"
  damon_snap >"$T/dsnap.k"
  cmp -s "$T/dsnap.0" "$T/dsnap.k" || why="$why; after the clearing: $(diff "$T/dsnap.0" "$T/dsnap.k" | head -c 300 | tr '\n' '|')"
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ -z "$why" ]; then pass tier-damon-leftover; else fail tier-damon-leftover "${why#; }"; fi
  info "tier-damon-leftover: $msg"
  damon_free
}
sc_tier_verify() {
  [ -e /sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds ] && tier_verify damon ||
    echo "RESULT SKIP tier-verify-damon: this kernel has no DAMON sysfs interface"
  tier_verify softdirty
}
# --verify: L written from just after the move is the regret; on a stable
# workload (nothing new written after the move) the regret is under 1%.
# softdirty: L's 4 MiB page by page, and at most 16 pages more (the helper's
# own stack and data, moved with the rest and written again); damon: the
# bytes of L moved, and regions that straddle L and its neighbours (within
# 5% of what moved).
n1_pages() { awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^N1=/) s += substr($i, 4) } END { print s + 0 }' /proc/"$1"/numa_maps; }
tier_verify() {
  local tr=$1 why= mp rc got l moved n n1
  tier_start "tv-$tr" -N || { fail "tier-verify-$tr" "tier did not start"; return; }
  sleep 1
  "$MP" --cold 3s --verify 4s --tracker "$tr" --json -v "$TP" 0 1 >"$T/tv-$tr.out" 2>"$T/tv-$tr.err" &
  mp=$!
  # once 2 MiB more are on node 1 (the move began; it takes well under a
  # second), L starts being written: within the 4 s watched after the move
  n1=$(n1_pages "$TP")
  for n in $(seq 300); do
    [ "$(n1_pages "$TP")" -ge $((n1 + 512)) ] && break
    sleep 0.1
  done
  sleep 1
  kill -USR2 "$TP"
  wait "$mp"; rc=$?
  [ "$rc" = 0 ] || why="exit $rc: $(head -c 300 "$T/tv-$tr.err")"
  tier_report "tv-$tr" a || why="$why; no report"
  l=$(( $(region_on "$T/tv-$tr.a" L 1) * 4096 ))  # L's bytes moved (written after)
  moved=$(json_field "$T/tv-$tr.out" moved_bytes)
  got=$(sed -n 's/.*"verify":{[^}]*"touched_bytes":\([0-9]*\).*/\1/p' "$T/tv-$tr.out")
  case $tr in
    softdirty) [ "$l" = 4194304 ] && [ "${got:-0}" -ge "$l" ] && [ "$got" -le $((l + 16 * 4096)) ] ||
                 why="$why; regret ${got:-none} bytes, want L's $l (4 MiB, all of it moved) and at most 16 pages more" ;;
    *) [ -n "$got" ] && [ "$l" -gt 0 ] && [ "$got" -ge "$l" ] && [ $(( (got - l) * 20 )) -le "${moved:-0}" ] ||
         why="$why; regret ${got:-none} bytes, want the $l bytes of L moved (within 5% of the ${moved:-?} moved)" ;;
  esac
  kill "$TP"; wait "$TP" 2>/dev/null
  if [ -z "$why" ]; then pass "tier-verify-$tr"; else fail "tier-verify-$tr" "${why#; }"; fi
  info "tier-verify-$tr: moved ${moved:-?} bytes, regret ${got:-?}: $(grep -o '"verify":{[^}]*}' "$T/tv-$tr.out" | head -c 400)"
  # stable: nothing written after the move but what was written before
  why=
  tier_start "tvs-$tr" -N || { fail "tier-verify-stable-$tr" "tier did not start"; return; }
  sleep 1
  "$MP" --cold 3s --verify 3s --tracker "$tr" "$TP" 0 1 >"$T/tvs-$tr.out" 2>"$T/tvs-$tr.err" || why="exit $?: $(head -c 300 "$T/tvs-$tr.err")"
  grep -q "^pid $TP: touched again: " "$T/tvs-$tr.out" || why="$why; no regret line: $(head -c 300 "$T/tvs-$tr.out")"
  kill "$TP"; wait "$TP" 2>/dev/null
  got=$(sed -n 's/.*touched again: .*(\([0-9]*\)\.\([0-9]*\)%).*/\1\2/p' "$T/tvs-$tr.out")
  [ -n "$got" ] && [ "$got" -lt 100 ] || why="$why; regret $(grep 'touched again' "$T/tvs-$tr.out"), want under 1%"
  if [ -z "$why" ]; then pass "tier-verify-stable-$tr"; else fail "tier-verify-stable-$tr" "${why#; }"; fi
  info "tier-verify-stable-$tr: $(grep 'touched again' "$T/tvs-$tr.out")"
}
