#!/usr/bin/env bash
# Every JSON line the suites made the tool print, validated against
# contrib/migratepages.schema.json (draft 2020-12) with python3-jsonschema:
# the host suites' lines (test/out/json/SUITE.ndjson, collected by test/run
# and test/lib.sh's jlog) and the guests' (the JSONL lines of
# test/out/vm/*.log and test/out/arch-vm/*.log, which test/vm/guest/init
# prints). Runs after the others in test/run's order; files older than the
# newest source file are from a build of other sources and are left out
# (said). (Not the binary's time: suites rebuild it, with the same bytes,
# partway through a run.) The count per suite and per guest boot is printed:
# every line the tool printed counts once, also one identical to another (a
# run made twice), and how many are distinct is said beside it. First the
# check itself: the schema is valid, every object of a fixed shape is closed
# (additionalProperties false), and broken objects made from a real line are
# each caught.
set -u
cd "$TOP" || exit 1
schema=contrib/migratepages.schema.json
check=test/helpers/check_schema.py
tmp=$(mktemp -d)
trap 'kill "${sp:-}" 2>/dev/null; rm -rf "$tmp"' EXIT

if ! python3 -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
  echo "SKIP json schema: no python3-jsonschema with draft 2020-12 (Debian package python3-jsonschema)"
  exit 0
fi

# ---- the schema itself
python3 - "$schema" >"$tmp/closed" 2>&1 <<'EOF'
import json, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(s)
open_ones = [n for n, d in s["$defs"].items()
             if d.get("type") == "object" and "properties" in d and d.get("additionalProperties") is not False]
print(" ".join(open_ones) or "none")
EOF
rc=$?
if [ $rc != 0 ]; then
  echo "FAIL schema is valid draft 2020-12: $(tail -3 "$tmp/closed")"
else
  echo "PASS schema is valid draft 2020-12"
  [ "$(cat "$tmp/closed")" = none ] && echo "PASS every object with fixed fields is closed" \
    || echo "FAIL every object with fixed fields is closed: open: $(cat "$tmp/closed")"
fi

# ---- the check catches what it must: broken objects made from real lines
sleep 60 & sp=$!
"$MP" --json "$sp" 0 0 >"$tmp/real" 2>/dev/null
"$MP" --json -n "$sp" x 0 >>"$tmp/real" 2>/dev/null
"$MP" --json --jobs 2 --progress=always "$sp" 0 0 >>"$tmp/real" 2>/dev/null
if [ "$(grep -c '"schema":"migratepages/1"' "$tmp/real")" != 4 ]; then
  echo "FAIL the tool's own lines for the check of the check: $(head -c 300 "$tmp/real")"
elif ! python3 "$check" "$schema" "$tmp/real" >"$tmp/r" 2>&1; then
  echo "FAIL the tool's own lines are valid: $(head -c 400 "$tmp/r")"
else
  echo "PASS the tool's own lines are valid ($(tail -1 "$tmp/r"))"
  p=$(sed -n 1p "$tmp/real") e=$(sed -n 2p "$tmp/real") g=$(sed -n 3p "$tmp/real")
  # NAME|LINE: each must be caught
  while IFS='|' read -r name line; do
    printf '%s\n' "$line" >"$tmp/bad"
    if python3 "$check" "$schema" "$tmp/bad" >"$tmp/r" 2>&1; then
      echo "FAIL broken object caught: $name: accepted: $(head -c 200 "$tmp/bad")"
    elif ! grep -q '^checked 1 lines from 1 files, 1 failures$' "$tmp/r"; then
      echo "FAIL broken object caught: $name: $(tail -1 "$tmp/r")"
    else
      echo "PASS broken object caught: $name"
    fi
  done <<EOF
an unknown field|${p/\"pid\":/\"pids\":1,\"pid\":}
a field renamed|${p/\"left_bytes\":/\"left\":}
a field removed|${p/,\"numa_balancing\":false/}
another schema version|${p/migratepages\/1/migratepages\/2}
no schema|${p/\"schema\":\"migratepages\/1\",/}
a number as a string|${p/\"not_moved\":0/\"not_moved\":\"0\"}
a negative byte count|${p/\"left_bytes\":0/\"left_bytes\":-1}
a node key that is not a number|${p/\"before\":{\"0\"/\"before\":{\"zero\"}
an unknown status|${p/\"status\":\"ok\"/\"status\":\"fine\"}
an error object with an extra field|${e/\"errno\":null/\"errno\":null,\"code\":1}
an error event without its message|${e/,\"message\":*\"\}\}/\}\}}
a progress event without final|${g/\"final\":true,/}
an unknown event|${p/\"event\":\"process\"/\"event\":\"processes\"}
a line cut short|${p%,*}
EOF
fi
kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null

# ---- every line the suites produced
files=() stale=()
newest=$(ls -t ./*.c ./*.h | head -1)
for f in test/out/json/*.ndjson; do
  [ -f "$f" ] || continue
  case $f in */90-schema.ndjson) continue ;; esac
  if [ "$f" -nt "$newest" ]; then files+=("$f"); else stale+=("$f"); fi
done
# the guests' lines (boots made after the newest source file changed, as for
# the host's files: 40-build rebuilds the binary with the same bytes after
# them; not the boots of an old release, old*): the JSONL lines of each log
# (test/vm/guest/init prints every object the scenarios printed), one file
# per boot
nlogs=0
declare -A swept=()
mkdir -p "$tmp/vm"
for log in test/out/vm/*.log test/out/arch-vm/*.log; do
  [ -f "$log" ] && [ "$log" -nt "$newest" ] || continue
  b=$(basename "$log" .log)
  case $b in old*) continue ;; esac
  d=$(basename "$(dirname "$log")")
  tr -d '\r' <"$log" | sed -n 's/^JSONL [^ ]* //p' >"$tmp/vm/$d:$b.ndjson"
  # lines the scenarios did not keep (jlog) but /init found in their files
  swept[$d:$b]=$(tr -d '\r' <"$log" | awk '$1 == "JSONCOUNT" { s += $6 } END { print s + 0 }')
  if [ -s "$tmp/vm/$d:$b.ndjson" ]; then
    files+=("$tmp/vm/$d:$b.ndjson"); nlogs=$((nlogs + 1))
  fi
done
[ ${#stale[@]} -gt 0 ] && echo "left out (older than $newest, from other sources): ${stale[*]}"
if [ ${#files[@]} = 0 ]; then
  echo "SKIP every suite's JSON lines: none collected (run the suites first: test/run 20-cli 30-host ... 90-schema)"
  exit 0
fi
python3 "$check" --quiet --per-file "$schema" "${files[@]}" >"$tmp/all" 2>&1; rc=$?
n=$(sed -n 's/^checked \([0-9]*\) lines.*/\1/p' "$tmp/all")
# per suite (host) and per boot (guests): lines, distinct lines, failures
echo "JSON lines validated, per suite and guest boot (every line printed is counted; distinct: how many differ):"
sed -n 's#^.*/\([^/]*\)\.ndjson: \([0-9]*\) lines, \([0-9]*\) distinct, \([0-9]*\) failures$#\1 \2 \3 \4#p' "$tmp/all" |
  while read -r f l dd fl; do
    note=
    [ "${swept[$f]:-0}" -gt 0 ] && note=" (${swept[$f]} not kept by a jlog: found in the files of the scenarios)"
    printf '  %-28s %6s lines %6s distinct %3s failures%s\n' "${f/:/\/}" "$l" "$dd" "$fl" "$note"
  done
# the host suites with no line (their runs print no JSON, or they did not
# run; 50-vm's and 61-arch-vm's lines are the guests' rows above)
none=
for su in test/[0-9][0-9]-*.sh; do
  su=$(basename "$su" .sh)
  case $su in 90-schema|50-vm|61-arch-vm) continue ;; esac
  [ -s "test/out/json/$su.ndjson" ] || none="$none $su"
done
[ -z "$none" ] || echo "  no JSON lines from:$none"
tot=$(sed -n 's/^all files: //p' "$tmp/all")
echo "$(tail -1 "$tmp/all") ($tot; host suites: $(( ${#files[@]} - nlogs )) files, guest boots: $nlogs)"
if [ $rc = 0 ] && [ "${n:-0}" -gt 0 ]; then
  echo "PASS every JSON line of the suites is valid ($n lines)"
  # control: the same check over the same files and one broken line (a real
  # line with a field renamed) fails, naming that line alone
  if [ -n "${p:-}" ]; then printf '%s\n' "${p/\"left_bytes\":/\"left\":}"
  else echo '{"schema":"migratepages/1","event":"process"}'; fi >"$tmp/broken.ndjson"
  python3 "$check" --quiet "$schema" "${files[@]}" "$tmp/broken.ndjson" >"$tmp/ctl" 2>&1; crc=$?
  if [ $crc = 1 ] && grep -qx "checked $((n + 1)) lines from $(( ${#files[@]} + 1 )) files, 1 failures" "$tmp/ctl" &&
     grep -q "^$tmp/broken.ndjson:1: " "$tmp/ctl"; then
    echo "PASS the check of every line fails on one broken line among them"
  else
    echo "FAIL the check of every line fails on one broken line among them: exit $crc: $(head -c 300 "$tmp/ctl")"
  fi
else
  echo "FAIL every JSON line of the suites is valid:"
  grep -v '^.*: [0-9]* lines, [0-9]* distinct, [0-9]* failures$' "$tmp/all" | head -20
fi
exit 0
