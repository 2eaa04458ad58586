#!/usr/bin/env python3
"""json_agrees.py OUT ERR [--exit N] - the JSON lines a --json run printed
(OUT) say what its stderr (ERR) says. Every stdout line is one JSON object;
each error event's message is a stderr line "migratepages: MESSAGE", each
process object in status "error" has its line "migratepages: PID: MESSAGE";
and the other way round, every stderr line is one of those (or the "Try
'migratepages --help'" hint after a command-line error). With --exit N, an
error event's exit_status is N. Prints nothing and exits 0 when they agree,
else one line saying what differs and exits 1. (Checked against the schema
elsewhere: test/90-schema.sh.)"""
import json
import sys


def agree(out_path, err_path, want_exit):
    """what differs, or "" """
    out = open(out_path, encoding="utf-8", errors="surrogateescape").read().splitlines()
    err = open(err_path, encoding="utf-8", errors="surrogateescape").read().splitlines()
    why = []
    said = set()
    hint = "Try 'migratepages --help' for more information."
    objs = []
    for line in out:
        try:
            o = json.loads(line)
        except ValueError:
            why.append("not a JSON line on stdout: %r" % line[:100])
            continue
        if not isinstance(o, dict):
            why.append("not an object: %r" % line[:100])
            continue
        objs.append(o)
        ev = o.get("event")
        e = o.get("error") or {}
        if ev == "error":
            said.add("migratepages: %s" % e.get("message"))
            if want_exit is not None and o.get("exit_status") != want_exit:
                why.append("exit_status %r, the run's %d" % (o.get("exit_status"), want_exit))
        elif ev == "process" and o.get("status") == "error":
            said.add("migratepages: %s: %s" % (o.get("pid"), e.get("message")))
    if not objs:
        why.append("no JSON object on stdout")
    for s in sorted(said):
        if s not in err:
            why.append("JSON says %r, stderr does not" % s[:160])
    for s in err:
        if s not in said and s != hint:
            why.append("stderr says %r, the JSON does not" % s[:160])
    return "; ".join(why)


args = sys.argv[1:]
if args[:1] == ["--batch"]:
    with open(args[1], encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            name, o, e, x = line.rstrip("\n").split("\t")
            w = agree(o, e, int(x))
            print("FAIL %s: %s" % (name, w) if w else "PASS %s" % name)
    sys.exit(0)
want_exit = None
if "--exit" in args:
    i = args.index("--exit")
    want_exit = int(args[i + 1])
    del args[i:i + 2]
why = agree(args[0], args[1], want_exit)
if why:
    print(why)
    sys.exit(1)
