# test/lib.sh - shell helpers of the host suites (sourced; bash).
# Each suite sets tmp (a scratch folder) and keeps its pids in the array pids.

# bg CMD...: a target process, its pid in $last (no subshell: the pid must be
# kept, and the process must not hold any pipe of ours open; exec: no bash
# subshell stays around to run the suite's EXIT trap when killed)
bg() { (trap - EXIT; exec "$@" </dev/null >/dev/null 2>&1) & last=$!; pids+=("$last"); }
# expect NAME EXIT STDOUT STDERR (exact; '*' = not checked), after a run that
# set rc, out and err
expect() {
  if [ "$rc" != "$2" ]; then echo "FAIL $1: exit $rc, want $2 (stderr: $err)"
  elif [ "$3" != '*' ] && [ "$out" != "$3" ]; then echo "FAIL $1: stdout '$out', want '$3'"
  elif [ "$4" != '*' ] && [ "$err" != "$4" ]; then echo "FAIL $1: stderr '$err', want '$4'"
  else echo "PASS $1"; fi
}
# ok NAME CONDITION WHY: PASS when the condition (eval'd) holds
ok() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1: $3"; fi; }
# jlog FILE...: the JSON lines the tool printed (stdout saved in FILE) appended
# to $MP_JSON_LOG (test/run sets it: test/out/json/SUITE.ndjson), which
# test/90-schema.sh validates against contrib/migratepages.schema.json
jlog() { [ -n "${MP_JSON_LOG:-}" ] && grep -ah '^{' "$@" >>"$MP_JSON_LOG" 2>/dev/null; return 0; }
