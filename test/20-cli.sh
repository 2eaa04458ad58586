#!/usr/bin/env bash
# Command-line cases: exact stdout, stderr and exit status. Every case runs under
# a seccomp filter that kills the tool if it calls migrate_pages, so a rejected
# command line is also proven to make no such call.
# Environment: MP (binary), RUN_PREFIX (e.g. "valgrind -q --error-exitcode=99").
set -u
cd "$TOP" || exit 1
mkdir -p build
gcc -O2 -Wall -Wextra -Werror -o build/seccomp_exec test/helpers/seccomp_exec.c || {
  echo "FAIL build seccomp_exec"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# shellcheck source=lib.sh
. test/lib.sh
online=$(cat /sys/devices/system/node/online 2>/dev/null || echo 0)
try="Try 'migratepages --help' for more information."

# t NAME EXIT STDOUT STDERR ARGS...   (STDOUT/STDERR exact; '*' = not checked)
t() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4 rc out err; shift 4
  # shellcheck disable=SC2086
  build/seccomp_exec kill ${RUN_PREFIX:-} "$MP" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  if [ "$rc" != "$want_rc" ]; then
    echo "FAIL $name: exit $rc, want $want_rc (stderr: $err)"
  elif [ "$want_out" != '*' ] && [ "$out" != "$want_out" ]; then
    echo "FAIL $name: stdout '$out', want '$want_out'"
  elif [ "$want_err" != '*' ] && [ "$err" != "$want_err" ]; then
    echo "FAIL $name: stderr '$err', want '$want_err'"
  else
    echo "PASS $name"
    # a rejected command line (exit 1, nothing on stdout) once more with
    # --json first: the same exit status and stderr, and one error object on
    # stdout that says what stderr says ("NAME [json]"). Not under valgrind
    # (RUN_PREFIX, 85-valgrind): the object is one writer for every message,
    # which its own --json cases run, and twice this suite there costs minutes.
    if [ "$want_rc" = 1 ] && [ "$want_out" = "" ] && [[ " $* " != *" --json "* ]] && [ -z "${RUN_PREFIX:-}" ]; then
      jtwin "$name" "$@"
    fi
  fi
}
# (the JSON against stderr for all twins at the end, in one python3 run:
# test/helpers/json_agrees.py --batch; its lines are this suite's)
mkdir -p "$tmp/tw"; ntw=0
jtwin() {
  local name=$1 rc o e; shift
  ntw=$((ntw + 1)) o=$tmp/tw/$ntw.out e=$tmp/tw/$ntw.err
  # shellcheck disable=SC2086
  build/seccomp_exec kill ${RUN_PREFIX:-} "$MP" --json "$@" >"$o" 2>"$e"
  rc=$?; jlog "$o"
  if [ "$rc" != 1 ]; then
    echo "FAIL $name [json]: exit $rc, want 1 (stderr: $(cat "$e"))"
  elif ! cmp -s "$e" "$tmp/err"; then
    echo "FAIL $name [json]: stderr '$(cat "$e")', without --json '$(cat "$tmp/err")'"
  elif [ "$(grep -c . "$o")" != 1 ]; then
    echo "FAIL $name [json]: not one line on stdout: $(head -c 300 "$o")"
  else
    printf '%s\t%s\t%s\t1\n' "$name [json]" "$o" "$e" >>"$tmp/tw/list"
  fi
}
# bad NAME STDERR-LINE ARGS...: exit 1, nothing on stdout, one line on stderr
bad() { local name=$1 msg=$2; shift 2; t "$name" 1 "" "migratepages: $msg" "$@"; }
# usage NAME STDERR-LINE ARGS...: exit 1, the line and the Try line
usage() { local name=$1 msg=$2; shift 2; t "$name" 1 "" "migratepages: $msg
$try" "$@"; }

# --- help and version: stdout, exit 0, nothing on stderr
t "--help" 0 '*' "" --help
t "-h" 0 '*' "" -h
help=$("$MP" --help)
[ "$(head -1 <<<"$help")" = "Usage: migratepages [OPTIONS] PID[,PID...] FROM-NODES TO-NODES" ] \
  && echo "PASS --help first line" || echo "FAIL --help first line: $(head -1 <<<"$help")"
[ "$("$MP" -h)" = "$help" ] && echo "PASS -h equals --help" || echo "FAIL -h differs from --help"
for o in -v --verbose -n --dry-run --json --cgroup -h --help -V --version --rate -j --jobs --chunk --progress --cold --hot --tracker --verify; do
  grep -q -- "$o" <<<"$help" && echo "PASS --help names $o" || echo "FAIL --help does not name $o"
done
t "--version" 0 "migratepages 1.5.1" "" --version
t "-V" 0 "migratepages 1.5.1" "" -V
t "--version wins over bad args" 0 "migratepages 1.5.1" "" --version x y z
# --version -v: the kernel facts (kerndat.h), probed; --json: the same as one
# object (no seccomp filter here: the seccomp probe makes an empty call)
# shellcheck disable=SC2086
facts=$(${RUN_PREFIX:-} "$MP" --version -v 2>"$tmp/err"); rc=$?
# shellcheck disable=SC2086
${RUN_PREFIX:-} "$MP" --version --json >"$tmp/jfacts" 2>>"$tmp/err"; jlog "$tmp/jfacts"; jfacts=$(cat "$tmp/jfacts")
thp=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null || echo 0)
names=$(sed -n '2,$s/:.*//p' <<<"$facts" | tr '\n' ' ')
if [ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ "$(head -1 <<<"$facts")" = "migratepages 1.5.1" ] &&
   grep -qx "page_size: $(getconf PAGESIZE)" <<<"$facts" && grep -qx "thp_size: $thp" <<<"$facts" &&
   [ "$(wc -w <<<"$names")" -ge 12 ] &&
   python3 -c 'import json, sys; d = json.loads(sys.argv[1]); f = sys.argv[2].split()
assert d["version"] == "1.5.1" and list(d["kernel"]) == f, (list(d["kernel"]), f)
assert d["kernel"]["page_size"] == int(sys.argv[3]) and d["kernel"]["thp_size"] == int(sys.argv[4])' \
     "$jfacts" "$names" "$(getconf PAGESIZE)" "$thp"; then
  echo "PASS --version -v: the kernel facts a line each (page size, THP size as the host says); --json: one object with the same names"
else
  echo "FAIL --version -v / --json: exit $rc, stderr '$(cat "$tmp/err")', stdout $(tr '\n' '|' <<<"$facts") json $jfacts"
fi
if [ -w /dev/full ]; then
  for o in --help --version; do
    # shellcheck disable=SC2086
    err=$(build/seccomp_exec kill ${RUN_PREFIX:-} "$MP" $o 2>&1 >/dev/full); rc=$?
    if [ $rc = 1 ] && [ "$err" = "migratepages: cannot write to standard output: No space left on device" ]; then
      echo "PASS $o to a full disk"
    else
      echo "FAIL $o to a full disk: exit $rc, stderr '$err'"
    fi
  done
else
  echo "SKIP --help to a full disk: no writable /dev/full"
fi

# --- argument count and options
usage "no arguments" "expected PID FROM-NODES TO-NODES, got 0 arguments"
usage "one argument" "expected PID FROM-NODES TO-NODES, got 1 argument" 1
usage "two arguments" "expected PID FROM-NODES TO-NODES, got 2 arguments" 1 0
usage "four arguments" "too many arguments (from '0' on)" 1 0 0 0
usage "unknown long option" "unknown option '--frobnicate'" --frobnicate 1 0 0
usage "unknown short option" "unknown option '-x'" -x 1 0 0
usage "unknown option in a cluster" "unknown option '-q'" -vq 1 0 0
usage "option after arguments" "unknown option '-x'" 1 0 0 -x
usage "a negative pid reads as an option" "unknown option '-1'" -1 0 0
usage "--verbose=1" "unknown option '--verbose=1'" --verbose=1 1 0 0
usage "--cgroup without its directory" "option '--cgroup' needs a directory" --cgroup
usage "--cgroup= empty" "option '--cgroup' needs a directory" --cgroup= 0 0
usage "--cgroup with a pid" "expected FROM-NODES TO-NODES after --cgroup DIR, got 3 arguments" --cgroup /x 1 0 0
usage "--cgroup with one list" "expected FROM-NODES TO-NODES after --cgroup DIR, got 1 argument" --cgroup /x 0
usage "option-like text after --" "expected PID FROM-NODES TO-NODES, got 2 arguments" -- -v 0
bad "--cgroup that does not exist" "--cgroup: cannot read '$tmp/none': no such cgroup (cgroup.procs not found)" --cgroup "$tmp/none" 0 0

# --- the chunked mover's options: bad values stop before any call (the filter
# kills on move_pages as well as migrate_pages)
for o in --rate --jobs --chunk; do
  usage "$o without a value" "option '$o' needs a value" 1 0 0 $o
done
usage "-j without a value" "option '-j' needs a value" 1 0 0 -j
usage "--jobs 0" "--jobs: '0' is not a number of workers (1-64)" --jobs 0 1 0 0
usage "--jobs 65" "--jobs: '65' is not a number of workers (1-64)" --jobs 65 1 0 0
usage "--jobs=x" "--jobs: 'x' is not a number of workers (1-64)" --jobs=x 1 0 0
usage "--jobs= empty" "--jobs: '' is not a number of workers (1-64)" --jobs= 1 0 0
usage "-j0" "--jobs: '0' is not a number of workers (1-64)" -j0 1 0 0
usage "-vj 99" "--jobs: '99' is not a number of workers (1-64)" -vj 99 1 0 0
usage "--jobs 99999999999999999999" "--jobs: '99999999999999999999' is not a number of workers (1-64)" --jobs 99999999999999999999 1 0 0
# --- cold and hot pages: bad values, before anything is looked at
for o in --cold --hot --tracker --verify; do
  usage "$o without a value" "option '$o' needs a value" 1 0 0 $o
done
for d in 0 00 5x 1.5m -1 "" 2w 31d 99999999999999999999 05s; do
  usage "--cold '$d'" "--cold: '$d' is not a time (30s, 5m, 1h, 2d, 500ms or seconds; up to 30 days)" --cold "$d" 1 0 0
done
usage "--hot 0s" "--hot: '0s' is not a time (30s, 5m, 1h, 2d, 500ms or seconds; up to 30 days)" --hot 0s 1 0 0
usage "--cold and --hot together" "--cold and --hot cannot be given together" --cold 5m --hot 1m 1 0 0
usage "--tracker without --cold" "--tracker needs --cold or --hot" --tracker idle 1 0 0
usage "--tracker frob" "--tracker: 'frob' is not auto, idle, damon or softdirty" --cold 1s --tracker frob 1 0 0
usage "--tracker DAMON" "--tracker: 'DAMON' is not auto, idle, damon or softdirty" --cold 1s --tracker DAMON 1 0 0
usage "--verify without --cold" "--verify needs --cold or --hot" --verify 3s 1 0 0
usage "--verify with --dry-run" "--verify watches the pages a move moved: with --dry-run nothing moves" --cold 3s --verify 3s -n 1 0 0
usage "--verify 0" "--verify: '0' is not a time (30s, 5m, 1h, 2d, 500ms or seconds; up to 30 days)" --cold 3s --verify 0 1 0 0
usage "--verify 31d" "--verify: '31d' is not a time (30s, 5m, 1h, 2d, 500ms or seconds; up to 30 days)" --hot 3s --verify 31d 1 0 0
usage "--rate 0" "--rate: '0' is not a rate (bytes per second, e.g. 200M)" --rate 0 1 0 0
usage "--rate 1.5G" "--rate: '1.5G' is not a rate (bytes per second, e.g. 200M)" --rate 1.5G 1 0 0
usage "--rate 5x" "--rate: '5x' is not a rate (bytes per second, e.g. 200M)" --rate 5x 1 0 0
usage "--rate -1" "--rate: '-1' is not a rate (bytes per second, e.g. 200M)" --rate -1 1 0 0
usage "--rate overflowing" "--rate: '99999999999999999999' is not a rate (bytes per second, e.g. 200M)" --rate 99999999999999999999 1 0 0
usage "--rate 17179869184G overflows" "--rate: '17179869184G' is not a rate (bytes per second, e.g. 200M)" --rate 17179869184G 1 0 0
usage "--chunk 0" "--chunk: '0' is out of range (1-65536 pages of $(getconf PAGESIZE) bytes)" --chunk 0 1 0 0
usage "--chunk 65537" "--chunk: '65537' is out of range (1-65536 pages of $(getconf PAGESIZE) bytes)" --chunk 65537 1 0 0
usage "--chunk 100B (under a page)" "--chunk: '100B' is out of range (1-65536 pages of $(getconf PAGESIZE) bytes)" --chunk 100B 1 0 0
usage "--chunk 1G (over 65536 pages)" "--chunk: '1G' is out of range (1-65536 pages of $(getconf PAGESIZE) bytes)" --chunk 1G 1 0 0
usage "--chunk x" "--chunk: 'x' is not a number of pages or a size" --chunk x 1 0 0
usage "--progress=sometimes" "--progress: 'sometimes' is not auto, always or never" --progress=sometimes 1 0 0
usage "--progress 1 takes no value" "too many arguments (from '0' on)" --progress 1 1 0 0
# good values reach the next check (here: the node list), still before any call
bad "good mover values, then a bad node" "from-nodes: node 1000 does not exist (nodes: $online)" --rate 200M --jobs 64 --chunk 65536 --progress=always -j2 1 1000 0
bad "--rate 1KiB, --chunk 16M, then a bad node" "from-nodes: node 1000 does not exist (nodes: $online)" --rate 1KiB --chunk 16M 1 1000 0
mkdir -p "$tmp/cg"; printf '12\nabc\n' >"$tmp/cg/cgroup.procs"
bad "--cgroup with a bad cgroup.procs" "--cgroup: cannot read '$tmp/cg': cgroup.procs is not a list of process ids" --cgroup "$tmp/cg" 0 0

# --- process ids: decimal 1..INT_MAX only (numactl: strtoul base 0, wraps)
bad "pid 0" "pid: '0': 0 is not a process id (1-2147483647)" 0 0 0
bad "pid 00" "pid: '00': leading zero (process ids are decimal)" 00 0 0
bad "pid octal 020255" "pid: '020255': leading zero (process ids are decimal)" 020255 0 0
bad "pid hex 0x20ad" "pid: '0x20ad': not a decimal process id" 0x20ad 0 0
bad "pid with +" "pid: '+1': not a decimal process id" +1 0 0
bad "pid with a space before" "pid: ' 1': not a decimal process id" " 1" 0 0
bad "pid with a space after" "pid: '1 ': not a decimal process id" "1 " 0 0
bad "pid empty" "pid: '': empty process id" "" 0 0
bad "pid INT_MAX+1" "pid: '2147483648': out of range (1-2147483647)" 2147483648 0 0
bad "pid 2^32+1 (numactl: pid 1)" "pid: '4294967297': out of range (1-2147483647)" 4294967297 0 0
bad "pid huge" "pid: '9999999999999999999999999999999999999999...': out of range (1-2147483647)" 999999999999999999999999999999999999999999999999 0 0
bad "pid word" "pid: 'self': not a decimal process id" self 0 0
bad "pid list with an empty entry" "pid: '': empty process id in the list" 1,,2 0 0
bad "pid list ending in a comma" "pid: '': empty process id in the list" 1, 0 0
bad "pid list starting with a comma" "pid: '': empty process id in the list" ,1 0 0
bad "pid list with a bad entry" "pid: 'x': not a decimal process id" 1,x 0 0
bad "pid list with a semicolon" "pid: '1;2': not a decimal process id" "1;2" 0 0
bad "pid with a control character" "pid: '1\\x1b': not a decimal process id" "$(printf '1\033')" 0 0

# --- node lists: the error names the argument and the text (the table in
# test/nodespec.cases covers the grammar; these check the CLI wiring)
bad "from-nodes backwards" "from-nodes: '3-1': range 3-1 is backwards (write 1-3)" 1 3-1 0
bad "to-nodes octal" "to-nodes: '010': leading zero in '010' (node numbers are decimal)" 1 0 010
bad "to-nodes empty" "to-nodes: '': empty node list (give nodes such as 0, 0-3 or all)" 1 0 ""
bad "from-nodes empty" "from-nodes: '': empty node list (give nodes such as 0, 0-3 or all)" 1 "" 0
bad "to-nodes !all" "to-nodes: '!all': selects no nodes" 1 0 '!all'
bad "from-nodes 1024" "from-nodes: '1024': node number '1024' is out of range (0-1023)" 1 1024 0
bad "to-nodes that do not exist" "to-nodes: node 1000 does not exist (nodes: $online)" 1 0 1000
bad "from-nodes that do not exist" "from-nodes: node 1023 does not exist (nodes: $online)" 1 1023 0
bad "from-nodes checked before the pid" "from-nodes: 'x': expected a node number at 'x'" 4194305 x 0
bad "pid checked before the lists" "pid: 'x': not a decimal process id" x x x
bad "a node error stops a pid list" "to-nodes: node 1000 does not exist (nodes: $online)" 1,2,3 0 1000
bad "to-nodes with a newline" "to-nodes: '0\\x0a1': unexpected character '\\x0a'" 1 0 "$(printf '0\n1')"
bad "dry run checks the lists too" "to-nodes: node 1000 does not exist (nodes: $online)" --dry-run 1 0 1000
t "json checks the lists too: an error object" 1 "{\"schema\":\"migratepages/1\",\"event\":\"error\",\"exit_status\":1,\"error\":{\"errno\":null,\"message\":\"to-nodes: node 1000 does not exist (nodes: $online)\"}}" "migratepages: to-nodes: node 1000 does not exist (nodes: $online)" --json 1 0 1000
t "json: a bad option after --json, an error object" 1 '{"schema":"migratepages/1","event":"error","exit_status":1,"error":{"errno":null,"message":"unknown option '"'"'--bogus'"'"'"}}' "migratepages: unknown option '--bogus'
$try" --json --bogus 1 0 0
t "json: a bad pid before --json, an error object" 1 '{"schema":"migratepages/1","event":"error","exit_status":1,"error":{"errno":null,"message":"pid: '"'"'x'"'"': not a decimal process id"}}' "migratepages: pid: 'x': not a decimal process id" x 0 0 --json
usage "json after --: an argument, not the option" "too many arguments (from '--json' on)" -- 1 0 0 --json
long=$(printf '0,%.0s' $(seq 1 30000))x
bad "a 60 KB node list" "from-nodes: '0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,...': expected a node number at 'x'" 1 "$long" 0

# --- device forms (netdev:, pci:, block:, file:, ip:): errors that do not
# depend on the host's devices; test/32-devices.sh resolves the real ones
bad "netdev: without a name" "from-nodes: 'netdev:' names no device" 1 netdev: 0
bad "ip: without an address after a number" "to-nodes: 'ip:' names no device" 1 0 0,ip:
bad "an unknown device form" "to-nodes: 'dev:eth0': unknown device form 'dev:' (netdev:, pci:, block:, file:, ip:)" 1 0 dev:eth0
bad "a device form in capitals" "from-nodes: 'PCI:0000:00:00.0': unknown device form 'PCI:' (netdev:, pci:, block:, file:, ip:)" 1 PCI:0000:00:00.0 0
bad "a network device that does not exist" "from-nodes: 'netdev:mp-none0': no such network device" 1 netdev:mp-none0 0
bad "a device takes the rest of the list" "from-nodes: 'netdev:mp-none0,1': no such network device" 1 netdev:mp-none0,1 0
bad "a device error names the device, not the list" "to-nodes: 'netdev:mp-none0': no such network device" 1 0 0,netdev:mp-none0
bad "a network device name with a slash" "from-nodes: 'netdev:../lo': not a network device name" 1 netdev:../lo 0
bad "lo is not attached to a node" "from-nodes: 'netdev:lo': lo is not attached to a node (no numa_node on its sysfs path /sys/devices/virtual/net/lo)" 1 netdev:lo 0
bad "!netdev:lo fails the same way" "from-nodes: 'netdev:lo': lo is not attached to a node (no numa_node on its sysfs path /sys/devices/virtual/net/lo)" 1 '!netdev:lo' 0
bad "a block device that does not exist" "to-nodes: 'block:mpnone9': no such block device" 1 0 block:mpnone9
bad "a PCI address that is not one" "from-nodes: 'pci:80:00.8': not a PCI address (write [DOMAIN:]BUS:DEVICE[.FUNCTION] in hex, e.g. 0000:80:00.0)" 1 pci:80:00.8 0
bad "a PCI device that does not exist" "from-nodes: 'pci:fffe:ff:1f.7': no such PCI device (fffe:ff:1f.7)" 1 pci:fffe:ff:1f.7 0
bad "a PCI address is written out in full" "from-nodes: 'pci:fffe:ff:1f': no such PCI device (fffe:ff:1f.0)" 1 pci:fffe:ff:1f 0
bad "a file that does not exist" "from-nodes: 'file:$tmp/none': cannot stat it: No such file or directory" 1 "file:$tmp/none" 0
bad "a file on a file system without a disk" "from-nodes: 'file:/proc/self': its file system (device $(stat -c '%Hd:%Ld' /proc)) is not on a block device" 1 file:/proc/self 0
bad "a character device without a node" "from-nodes: 'file:/dev/null': char device 1:3 is not attached to a node (no numa_node on its sysfs path /sys/devices/virtual/mem/null)" 1 file:/dev/null 0
bad "ip: a host name is not looked up" "to-nodes: 'ip:localhost': not an IPv4 or IPv6 address (host names are not looked up)" 1 0 ip:localhost
bad "ip: an address with a port" "to-nodes: 'ip:10.0.0.1:80': not an IPv4 or IPv6 address (host names are not looked up)" 1 0 ip:10.0.0.1:80
bad "ip: the loopback net goes through lo" "to-nodes: 'ip:127.0.0.9': routed through lo: lo is not attached to a node (no numa_node on its sysfs path /sys/devices/virtual/net/lo)" 1 0 ip:127.0.0.9
bad "ip: a zone names the interface" "to-nodes: 'ip:fe80::1%lo': routed through lo: lo is not attached to a node (no numa_node on its sysfs path /sys/devices/virtual/net/lo)" 1 0 'ip:fe80::1%lo'
bad "ip: a zone on an IPv4 address" "to-nodes: 'ip:10.0.0.1%lo': not an IPv4 or IPv6 address (host names are not looked up)" 1 0 'ip:10.0.0.1%lo'
bad "the lists are parsed before a device is looked up" "to-nodes: '0-x': range 0- has no end" 1 netdev:mp-none0 0-x
bad "a device error stops a pid list" "from-nodes: 'netdev:mp-none0': no such network device" 1,2,3 netdev:mp-none0 0
bad "a device error stops a dry run" "from-nodes: 'netdev:mp-none0': no such network device" --dry-run 1 netdev:mp-none0 0

# --- tier forms (fast, slow, tier:N, near:PID): bad forms, each one line, exit
# 1 and no migrate_pages (the seccomp filter); those whose words depend on the
# host's tier map are checked up to the host's part (bad_prefix).
# bad_prefix NAME PREFIX ARGS...: exit 1, nothing on stdout, one stderr line starting with PREFIX
bad_prefix() {
  local name=$1 want=$2 rc out err; shift 2
  # shellcheck disable=SC2086
  build/seccomp_exec kill ${RUN_PREFIX:-} "$MP" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?; jlog "$tmp/out"; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  if [ "$rc" != 1 ] || [ -n "$out" ] || [ "$(wc -l <"$tmp/err")" != 1 ] ||
     [ "${err#"migratepages: $want"}" = "$err" ]; then
    echo "FAIL $name: exit $rc, stdout '$out', stderr '$err' (want one line 'migratepages: $want...')"
  else
    echo "PASS $name"
  fi
}
bad "tier: without a number" "from-nodes: 'tier:' names no tier (tier:0 is the fastest)" 1 tier: 0
bad "tier:-1" "to-nodes: 'tier:-1': a tier is a number from 0, the fastest (tier:0, tier:1, ...)" 1 0 tier:-1
bad "tier:01 (leading zero)" "to-nodes: 'tier:01': a tier is a number from 0, the fastest (tier:0, tier:1, ...)" 1 0 tier:01
bad "tier:1024" "from-nodes: 'tier:1024': tier numbers go up to 1023" 1 tier:1024 0
bad_prefix "tier:99 (no such tier)" "to-nodes: 'tier:99': there " 1 0 tier:99
bad "near: without a pid" "from-nodes: 'near:' names no process" 1 near: 0
bad "near:0" "to-nodes: 'near:0': not a process id (a decimal number from 1)" 1 0 near:0
bad "near:notapid" "to-nodes: 'near:notapid': not a process id (a decimal number from 1)" 1 0 near:notapid
bad "near:-1" "to-nodes: 'near:-1': not a process id (a decimal number from 1)" 1 0 near:-1
sh -c 'exit 0' & dead=$!; wait "$dead"
if kill -0 "$dead" 2>/dev/null; then
  echo "SKIP near: a dead pid: pid $dead was reused at once"
else
  bad "near: a dead pid" "to-nodes: 'near:$dead': no such process" 1 0 "near:$dead"
fi
bad "fast inside a + list" "from-nodes: '+fast': 'fast' is a tier form: it names nodes, not places in the process's cpuset, so it cannot be in a '+' list" 1 +fast 0
bad "slow after a + index" "to-nodes: '+0,slow': 'slow' is a tier form: it names nodes, not places in the process's cpuset, so it cannot be in a '+' list" 1 0 +0,slow
bad "near: inside a + list" "to-nodes: '!+near:1': 'near:1' is a tier form: it names nodes, not places in the process's cpuset, so it cannot be in a '+' list" 1 0 '!+near:1'
bad "a word that is not a tier form" "from-nodes: 'fastest': expected a node number at 'fastest'" 1 fastest 0
bad "the lists are parsed before the tier map is read" "to-nodes: 'tier:x': a tier is a number from 0, the fastest (tier:0, tier:1, ...)" 1 fast tier:x
bad "a tier error stops a dry run" "to-nodes: 'near:0': not a process id (a decimal number from 1)" --dry-run 1 0 near:0
if [ "$(ls -d /sys/devices/virtual/memory_tiering/memory_tier* 2>/dev/null | wc -l)" = 1 ] &&
   [ ! -e /sys/devices/system/node/node0/access0 ] && [ "$online" = 0 ]; then
  bad "slow with one tier (this host)" "to-nodes: 'slow': every node with memory (0) is in one tier, by the kernel's memory tiers: no node is slower than another" 1 0 slow
  bad "tier:99 with one tier (this host)" "to-nodes: 'tier:99': there is one memory tier (tier:0), by the kernel's memory tiers" 1 0 tier:99
  bad "!fast with one tier (this host)" "to-nodes: '!fast': selects no nodes" 1 0 '!fast'
else
  echo "SKIP slow with one tier: this host has more than one node or tier (the guests check it)"
fi
# the --json twins' objects against their stderr (jtwin)
if [ -s "$tmp/tw/list" ]; then
  python3 test/helpers/json_agrees.py --batch "$tmp/tw/list" || echo "FAIL --json twins: test/helpers/json_agrees.py failed"
fi
exit 0
