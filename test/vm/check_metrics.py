#!/usr/bin/env python3
"""check_metrics.py LOG [PREFIX] - the --metrics files of the guest's `metrics`
scenario (test/vm/guest/scenarios.sh: sc_metrics), framed in LOG as
"METRICS NAME exit RC", "METRICS NAME | LINE", "MJSON NAME LINE",
"METRICS NAME end". For each run (plain: one migrate_pages call 0->1; mover:
--jobs 2 back 1->0; cold: --cold 2s --dry-run over a cgroup of two
processes): `promtool check metrics` on the file (Debian's prometheus;
SKIP without it), and its figures against the run's --json objects:
before/after bytes per node, moved bytes (> 0 for the two moves: the single
call's is what left node FROM, the mover's its moved_bytes), touched and
untouched per node (both > 0: a working set and the rest), the cgroup label,
dry_run, the window, the exit status and the number of processes.
Prints PASS/FAIL/SKIP lines named PREFIX + "metrics-NAME-promtool" and
"metrics-NAME-figures"."""
import json
import re
import shutil
import subprocess
import sys
import tempfile

log = sys.argv[1]
prefix = sys.argv[2] if len(sys.argv) > 2 else ""
runs = {}
with open(log, encoding="utf-8", errors="replace") as f:
    for line in f:
        line = line.rstrip("\r\n")
        m = re.match(r"^METRICS (\S+) (exit (\d+)|\| (.*)|end)$", line)
        if m:
            r = runs.setdefault(m.group(1), {"prom": [], "json": [], "rc": None, "end": False})
            if m.group(3) is not None:
                r["rc"] = int(m.group(3))
            elif m.group(2) == "end":
                r["end"] = True
            else:
                r["prom"].append(m.group(4))
            continue
        m = re.match(r"^MJSON (\S+) (.*)$", line)
        if m:
            runs.setdefault(m.group(1), {"prom": [], "json": [], "rc": None, "end": False})["json"].append(m.group(2))


def result(name, why):
    print(("FAIL %s%s: %s" % (prefix, name, why)) if why else ("PASS %s%s" % (prefix, name)))


SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')


def samples(lines):
    """{(name, frozenset(labels)): value} of the file's samples"""
    out = {}
    for l in lines:
        if l.startswith("#") or not l:
            continue
        m = SAMPLE.match(l)
        if not m:
            raise ValueError("not a sample line: %r" % l)
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def per_node(s, name, pid):
    """{node: value} of NAME's samples for PID (nonzero values)"""
    d = {}
    for (n, labels), v in s.items():
        lab = dict(labels)
        if n == name and lab.get("pid") == str(pid) and "node" in lab and v:
            d[lab["node"]] = v
    return d


def one(s, name, pid=None):
    vals = [v for (n, labels), v in s.items()
            if n == name and (pid is None or dict(labels).get("pid") == str(pid))]
    return vals[0] if len(vals) == 1 else None


def nonzero(d):
    return {k: float(v) for k, v in (d or {}).items() if v}


promtool = shutil.which("promtool")
for name, want_moved in (("plain", "single"), ("mover", "mover"), ("cold", None)):
    r = runs.get(name)
    if not r or not r["end"]:
        result("metrics-%s-figures" % name, "the guest printed no complete metrics file of the %s run" % name)
        continue
    if not promtool:
        print("SKIP %smetrics-%s-promtool: no promtool (Debian package prometheus)" % (prefix, name))
    else:
        with tempfile.NamedTemporaryFile("w", suffix=".prom") as t:
            t.write("\n".join(r["prom"]) + "\n")
            t.flush()
            with open(t.name) as inp:
                p = subprocess.run([promtool, "check", "metrics"], stdin=inp, capture_output=True, text=True)
            result("metrics-%s-promtool" % name,
                   None if p.returncode == 0 else "promtool: %s" % (p.stdout + p.stderr).strip()[:300])
    why = []
    try:
        s = samples(r["prom"])
        objs = [json.loads(j) for j in r["json"]]
    except ValueError as e:
        result("metrics-%s-figures" % name, str(e))
        continue
    procs = [o for o in objs if o.get("event") == "process"]
    if not procs:
        why.append("no process object in the JSON")
    if one(s, "migratepages_exit_status") != r["rc"]:
        why.append("exit_status %s, the run's %s" % (one(s, "migratepages_exit_status"), r["rc"]))
    if one(s, "migratepages_processes") != len(procs):
        why.append("processes %s, JSON objects %d" % (one(s, "migratepages_processes"), len(procs)))
    if one(s, "migratepages_dry_run") != (1 if name == "cold" else 0):
        why.append("dry_run %s" % one(s, "migratepages_dry_run"))
    for o in procs:
        pid = o["pid"]
        for fam, key in (("before", "before"), ("after", "after")):
            got = per_node(s, "migratepages_process_%s_bytes" % fam, pid)
            if got != nonzero(o.get(key)):
                why.append("pid %d %s: metrics %s, JSON %s" % (pid, fam, got, o.get(key)))
        moved = one(s, "migratepages_process_moved_bytes", pid)
        if want_moved == "single":
            want = o["before"].get("0", 0) - o["left_bytes"]
            if moved != want or not moved or moved <= 0:
                why.append("pid %d moved %s, want %s (what left node 0) and more than 0" % (pid, moved, want))
        elif want_moved == "mover":
            want = o.get("mover", {}).get("moved_bytes")
            if moved != want or not moved or moved <= 0:
                why.append("pid %d moved %s, JSON moved_bytes %s (want equal, more than 0)" % (pid, moved, want))
        if name == "cold":
            w = o.get("watch") or {}
            for fam in ("touched", "untouched"):
                got = per_node(s, "migratepages_process_%s_bytes" % fam, pid)
                if got != nonzero(w.get(fam)):
                    why.append("pid %d %s: metrics %s, JSON %s" % (pid, fam, got, w.get(fam)))
                if not sum(got.values()):
                    why.append("pid %d: no %s bytes" % (pid, fam))
            cg = [dict(l).get("cgroup") for (n, l) in s if n == "migratepages_process_status" and dict(l).get("pid") == str(pid)]
            if not cg or not cg[0]:
                why.append("pid %d: no cgroup label" % pid)
            if one(s, "migratepages_watch_seconds") != 2.0:
                why.append("watch_seconds %s, not 2" % one(s, "migratepages_watch_seconds"))
    result("metrics-%s-figures" % name, "; ".join(why) or None)
    if not why:
        figs = ["pid %d: %s" % (o["pid"], ", ".join(
            "%s %s" % (k, {n: int(v) for n, v in per_node(s, "migratepages_process_%s_bytes" % k, o["pid"]).items()})
            for k in (("touched", "untouched") if name == "cold" else ("before", "after"))) +
            ("" if name == "cold" else ", moved %d" % one(s, "migratepages_process_moved_bytes", o["pid"])))
            for o in procs]
        print("  metrics %s: %s" % (name, "; ".join(figs)))
