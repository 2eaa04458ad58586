#!/usr/bin/env python3
"""check_json.py LOG NAME - check the --json lines a guest printed for scenario
NAME against the placement the guest measured (PLACE lines), with Python's
json parser. Prints PASS/FAIL lines for NAME-parse and NAME-match."""
import json
import sys

log, name = sys.argv[1], sys.argv[2]
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
objs, place, dead, rc, bad_parse, seen_end = [], {}, None, None, [], False
with open(log, encoding="utf-8", errors="replace") as f:
    for line in f:
        line = line.rstrip("\r\n")
        if line.startswith("JSON %s " % name):
            text = line[len("JSON %s " % name):]
            try:
                objs.append(json.loads(text))
            except ValueError as e:
                bad_parse.append("%s: %s" % (e, text[:120]))
        elif line.startswith("PLACE %s " % name):
            w = line.split()[2:]
            if w[0] == "dead":
                dead = int(w[1])
            elif w[0] == "exit":
                rc = int(w[1])
            elif w[0] == "end":
                seen_end = True
            elif w[1] in ("before", "after"):
                d = {}
                for kv in w[2:]:
                    k, v = kv.split("=")
                    if int(v):
                        d[k] = int(v)
                place.setdefault(int(w[0]), {})[w[1]] = d

def result(test, why):
    if why:
        print("FAIL %s%s: %s" % (prefix, test, why))
    else:
        print("PASS %s%s" % (prefix, test))

if not seen_end:
    result(name + "-parse", "the guest did not finish the scenario")
    sys.exit(0)
result(name + "-parse", "; ".join(bad_parse) if bad_parse else
       (None if objs else "no JSON lines"))

why = []
bypid = {o.get("pid"): o for o in objs if isinstance(o, dict)}
want = set(place) | {dead}
if set(bypid) != want:
    why.append("pids %s, expected %s" % (sorted(bypid), sorted(want)))
if rc != 1:
    why.append("exit %s, expected 1 (one pid was gone)" % rc)
def shared_moved(pid, before, nm, first):
    """None when the tool's before counts agree with numa_maps's. The first
    process must match exactly. A later one may differ by pages it shares with
    an earlier one (the hog's text), moved by that one's turn (the man page,
    "Each process's before"): only from a from-node to its mapped to-node,
    with the same total on each pair."""
    if before == nm:
        return None
    if first:
        return "before %r, numa_maps %r" % (before, nm)
    for f, t in ((0, 2), (1, 3)):
        f, t = str(f), str(t)
        jf, jt, nf, nt = (d.get(k, 0) for d, k in ((before, f), (before, t), (nm, f), (nm, t)))
        if jf + jt != nf + nt or jf > nf:
            return "before %r, numa_maps %r (node %s->%s: not explained by shared pages moved earlier)" % (before, nm, f, t)
    if set(before) - {"0", "1", "2", "3"} or set(nm) - {"0", "1", "2", "3"}:
        return "before %r, numa_maps %r" % (before, nm)
    print("  INFO %sjson-match: pid %s: %d bytes it shares moved with an earlier process" % (prefix,
        pid, sum(nm.get(k, 0) - before.get(k, 0) for k in ("0", "1"))))
    return None

order = [o.get("pid") for o in objs if isinstance(o, dict)]
for pid, p in sorted(place.items()):
    o = bypid.get(pid)
    if not o:
        continue
    nz = lambda d: {k: v for k, v in (d or {}).items() if v}
    bwhy = shared_moved(pid, nz(o.get("before")), p.get("before") or {}, order.index(pid) == 0)
    checks = [
        (o.get("status") == "ok", "status %r" % o.get("status")),
        (o.get("from") == [0, 1] and o.get("to") == [2, 3], "from/to %r/%r" % (o.get("from"), o.get("to"))),
        (o.get("mapping") == [[0, 2], [1, 3]], "mapping %r" % o.get("mapping")),
        (bwhy is None, bwhy),
        (nz(o.get("after")) == p.get("after"), "after %r, numa_maps %r" % (o.get("after"), p.get("after"))),
        (o.get("not_moved") == 0 and o.get("error") is None, "not_moved %r error %r" % (o.get("not_moved"), o.get("error"))),
        (o.get("dry_run") is False, "dry_run %r" % o.get("dry_run")),
    ]
    why += ["pid %d: %s" % (pid, msg) for ok, msg in checks if not ok]
o = bypid.get(dead)
if o is not None:
    err = o.get("error") or {}
    if o.get("status") != "error" or err.get("errno") != "ESRCH" or not err.get("message"):
        why.append("dead pid %d: status %r error %r" % (dead, o.get("status"), err))
result(name + "-match", "; ".join(why) if why else None)
