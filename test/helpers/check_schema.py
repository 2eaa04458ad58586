#!/usr/bin/env python3
"""check_schema.py SCHEMA FILE... - validates every line of each FILE (NDJSON:
one JSON object a line, as migratepages --json prints them) against SCHEMA
(JSON Schema draft 2020-12) with python3-jsonschema.

Prints one line per failing line (FILE:LINE: why) and a last line
  checked N lines from M files, F failures
Exits 0 when every line is valid, 1 otherwise, 2 when the schema itself is
not a valid draft 2020-12 schema. --quiet: only the last line (and at most
20 failing lines). --per-file: before it, one line per FILE
  FILE: N lines, D distinct, F failures
Every line is checked and counted, also a line identical to one before it
(the same run printed twice); "distinct" says how many differ."""
import json
import sys

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

args = sys.argv[1:]
quiet = "--quiet" in args
per_file = "--per-file" in args
args = [a for a in args if a not in ("--quiet", "--per-file")]
with open(args[0], encoding="utf-8") as f:
    schema = json.load(f)
try:
    Draft202012Validator.check_schema(schema)
except SchemaError as e:
    print("the schema is not valid draft 2020-12: %s" % e.message)
    sys.exit(2)
validator = Draft202012Validator(schema)

checked = failures = files = 0
distinct = set()
for path in args[1:]:
    files += 1
    f_lines = f_fail = 0
    f_distinct = set()
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            checked += 1
            f_lines += 1
            f_distinct.add(line)
            try:
                obj = json.loads(line)
            except ValueError as e:
                why = "not JSON: %s" % e
            else:
                errs = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
                # oneOf: name the branch the event says, not all three
                why = None
                if errs:
                    e = errs[0]
                    best = e
                    if e.context:
                        ev = obj.get("event") if isinstance(obj, dict) else None
                        want = {"process": "process", "progress": "progress", "error": "run_error"}.get(ev)
                        sub = [c for c in e.context if want and ("/%s" % want) in "/".join(map(str, c.schema_path)) + "/" + str(c.relative_schema_path)]
                        best = min(sub or e.context, key=lambda c: len(list(c.schema_path)))
                    why = "%s at %s" % (best.message, "/".join(map(str, best.absolute_path)) or "top")
            if why:
                failures += 1
                f_fail += 1
                if not quiet or failures <= 20:
                    print("%s:%d: %s: %s" % (path, no, why, line[:200]))
    distinct |= f_distinct
    if per_file:
        print("%s: %d lines, %d distinct, %d failures" % (path, f_lines, len(f_distinct), f_fail))
if per_file:
    print("all files: %d lines, %d distinct" % (checked, len(distinct)))
print("checked %d lines from %d files, %d failures" % (checked, files, failures))
sys.exit(1 if failures else 0)
