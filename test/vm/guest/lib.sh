# lib.sh - shell helpers of the guest scenarios (busybox ash), sourced by /init.
# Result lines: "RESULT PASS name", "RESULT FAIL name: why"; "INFO ..." lines
# are shown as information; "COMPARE ..." lines are the side-by-side figures.

T=/tmp/t
mkdir -p "$T"
chmod 1777 "$T"
NUMACTL=/usr/bin/migratepages
CG=/sys/fs/cgroup

# jlog FILE...: the JSON lines the tool printed into FILE (its stdout), kept
# for the host's schema check: /init prints them as "JSONL SCENARIO LINE" when
# the scenario ends (test/90-schema.sh validates them)
JLOG=/tmp/.json.ndjson
jlog() { grep -ah '^{"' "$@" >>"$JLOG" 2>/dev/null; return 0; }

pass() { echo "RESULT PASS $1"; }
fail() { echo "RESULT FAIL $1: $2"; }
info() { echo "INFO $*"; }

# wait_file FILE [TENTHS]: wait until FILE exists (default 30 s).
wait_file() {
  local n=0
  while [ ! -e "$1" ]; do
    n=$((n + 1))
    [ "$n" -gt "$(( ${2:-300} * 5 ))" ] && return 1
    usleep 20000
  done
  return 0
}

# hog_start NAME HOG-ARGS...: start a hog; HOG_USER=uid runs it as that user,
# HOG_CG=DIR puts it into that cgroup before it maps anything; HOG_BIN names
# another build of it (hog-dyn: dynamically linked).
hog_start() {
  local h=$1 pre=
  shift
  rm -f "$T/$h".*
  [ "${HOG_USER:-root}" != root ] && pre="runas $HOG_USER $HOG_USER"
  if [ -n "${HOG_CG:-}" ]; then
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$HOG_CG" $pre "${HOG_BIN:-hog}" -o "$T/$h" "$@" 2>"$T/$h.hogerr" &
  else
    $pre "${HOG_BIN:-hog}" -o "$T/$h" "$@" 2>"$T/$h.hogerr" &
  fi
  if ! wait_file "$T/$h.ready" 200; then
    info "hog $h did not start: $(cat "$T/$h.hogerr" 2>/dev/null)"
    return 1
  fi
  return 0
}
hpid() { cut -d' ' -f1 "$T/$1.ready" 2>/dev/null; }

# hog_report NAME SUFFIX: ask the hog for its placement, into $T/NAME.SUFFIX.
hog_report() {
  local p
  p=$(hpid "$1")
  rm -f "$T/$1.rep"
  kill -USR1 "$p" 2>/dev/null || return 1
  wait_file "$T/$1.rep" 600 || return 1
  mv "$T/$1.rep" "$T/$1.$2"
}
hog_stop() {
  local p
  p=$(hpid "$1") || return 0
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  return 0
}
counts() { sed -n 's/^count //p' "$1"; }

# as_tool_user CMD...: run CMD as TOOL_USER (default root), under $PRE if set.
as_tool_user() {
  if [ "${TOOL_USER:-root}" = root ]; then
    $PRE "$@"
  else
    runas "$TOOL_USER" "$TOOL_USER" $PRE "$@"
  fi
}

# run_case NAME TOOL "HOG-ARGS" "TOOL-ARGS" FROM TO RC [pagecheck flags...]
# Starts a hog, records where its pages are, runs TOOL with TOOL-ARGS (an @
# stands for the hog's pid, a % for the id of one of its threads), records again, and checks page by page that each
# page is where the kernel's mapping of FROM onto TO puts it (the node lists
# as the kernel must see them, written out independently of the tool), the
# data intact, numa_maps in agreement, and the exit status RC ("*": any; FROM
# "-": no placement check). Sets RC, WHY (on failure), OUT (pagecheck summary).
# Leaves $T/NAME.{before,after,out,err,nm0,nm1,nm} (numa_maps: nm0 just before
# the run, nm1 just after it, nm after the hog's report).
run_case() {
  local n=$1 tool=$2 hargs=$3 targs=$4 ef=$5 et=$6 erc=$7 p args nm
  shift 7
  WHY= OUT= RC=
  # shellcheck disable=SC2086
  hog_start "$n" $hargs || { WHY="hog did not start"; return 1; }
  if ! hog_report "$n" before; then WHY="hog gave no report"; hog_stop "$n"; return 1; fi
  p=$(hpid "$n")
  cat "/proc/$p/numa_maps" >"$T/$n.nm0" 2>/dev/null
  args=$(echo "$targs" | sed "s/@/$p/g; s/%/$(cut -d' ' -f3 "$T/$n.ready")/g")
  # shellcheck disable=SC2086
  as_tool_user $tool $args >"$T/$n.out" 2>"$T/$n.err"
  RC=$?
  cat "/proc/$p/numa_maps" >"$T/$n.nm1" 2>/dev/null
  jlog "$T/$n.out"
  if ! hog_report "$n" after; then WHY="hog gave no report after the run (exit $RC)"; hog_stop "$n"; return 1; fi
  cat "/proc/$p/numa_maps" >"$T/$n.nm" 2>/dev/null
  hog_stop "$n"
  if [ "$erc" != "*" ] && [ "$RC" != "$erc" ]; then
    WHY="exit $RC, expected $erc; stderr: $(head -c 300 "$T/$n.err" | tr '\n' ' ')"
    return 1
  fi
  [ "$ef" = - ] && return 0
  OUT=$(pagecheck check "$T/$n.before" "$T/$n.after" "$ef" "$et" "$@") || { WHY=$OUT; return 1; }
  if [ -s "$T/$n.nm" ]; then
    nm=$(pagecheck numamaps "$T/$n.nm" "$T/$n.after") || { WHY="$nm"; return 1; }
  fi
  return 0
}

# mcase NAME "HOG-ARGS" "TOOL-ARGS" FROM TO RC [flags]: run_case with $MP and
# one result line. Remembers the case for sbs.
mcase() {
  local n=$1
  LAST_H=$2 LAST_A=$3
  shift
  if run_case "$n" "$MP" "$@"; then
    pass "$n"
    info "$n: $(counts "$T/$n.before") -> $(counts "$T/$n.after"); $OUT"
  else
    fail "$n" "$WHY"
  fi
}

# sbs NAME EXPECT [REASON]: run numactl's migratepages on an identical hog with
# the same arguments as the last mcase NAME, compare the final placement page by
# page and the exit status. EXPECT: same (no difference allowed), placement
# (the placement differs), rc (only the exit status differs), both, any.
# A difference not announced fails; an announced one that does not happen too.
sbs() {
  local n=$1 expect=$2 reason=${3:-} ours=$RC same diffp=no diffrc=no got
  if [ ! -s "$T/$n.after" ]; then
    fail "sbs-$n" "the case itself did not run"
    return
  fi
  if [ ! -x "$NUMACTL" ]; then
    echo "RESULT SKIP sbs-$n: numactl's migratepages is not in this guest"
    return
  fi
  run_case "$n-nc" "$NUMACTL" "$LAST_H" "$LAST_A" - - "*"
  if [ ! -s "$T/$n-nc.after" ] || [ ! -s "$T/$n.after" ]; then
    fail "sbs-$n" "no placement to compare (${WHY:-missing report})"
    return
  fi
  same=$(pagecheck same "$T/$n.before" "$T/$n.after" "$T/$n-nc.before" "$T/$n-nc.after") || diffp=yes
  [ "$ours" != "$RC" ] && diffrc=yes
  echo "COMPARE $n: args '$LAST_A'; ours exit $ours, numactl exit $RC; ours $(counts "$T/$n.after"), numactl $(counts "$T/$n-nc.after"); $same"
  [ -s "$T/$n-nc.err" ] && echo "COMPARE $n: numactl said: $(head -c 200 "$T/$n-nc.err" | tr '\n' ' ')"
  case $diffp$diffrc in
    nono) got=same ;; yesno) got=placement ;; noyes) got=rc ;; *) got=both ;;
  esac
  if [ "$expect" = any ] || [ "$got" = "$expect" ]; then
    pass "sbs-$n"
    [ "$got" != same ] && echo "COMPARE $n: expected difference ($got): $reason"
  else
    fail "sbs-$n" "expected $expect, got $got difference from numactl"
  fi
}
