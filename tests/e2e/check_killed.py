#!/usr/bin/env python3
"""check_killed.py - the report of tests/e2e/progs/killed_midrun.c after SIGKILL.

Phase 1 allocated KEEP (500) struct record blocks (24 B) `rec` in phase1()
and kept them; phase 2 was churning 32-byte `scratch` buffers in churn()
when the program was killed, at least ten flush periods after phase 1.
"""
import sys

from e2e_common import Report

KEEP, RECORD, SCRATCH = 500, 24, 32

r = Report(sys.argv, "killed_midrun")
tr = r.json["trace"]
r.expect_eq("trace.complete", tr["complete"], False)
r.expect_eq("trace.recovered", tr["recovered"], True)
r.expect("trace.notice", bool(tr.get("notice")), "no notice for a recovered trace")
r.expect("trace.stop_reason", tr.get("stop_reason") is not None, "stop_reason null")
r.expect("chunks recovered", tr.get("chunks", 0) > 0, "no chunk recovered")
if tr.get("notice"):
    r.expect("the text starts with the JSON's notice", r.text.startswith(tr["notice"]),
             "text starts with %r" % r.text[:120])

leaks = r.json["leaks"]
r.expect_eq("leaks.scan", leaks["scan"], False)
r.expect("leaks.reason", bool(leaks.get("reason")), "no reason why there is no scan")

keep = r.find_site("phase1 malloc site", "malloc", "phase1", "rec")
if keep:
    r.expect_site_record("phase1 site", keep["site"], "killed_midrun.c",
                         r.line("struct record *rec = malloc"), "struct record", "rec")
    r.expect_eq("phase 1 allocations (all flushed before the kill)", keep["allocations"], KEEP)
    r.expect_eq("phase 1 bytes", keep["bytes"], KEEP * RECORD)
    r.expect_eq("phase 1 frees", keep["frees"], 0)
    r.expect_eq("phase 1 blocks live at end", keep["live_blocks"], KEEP)
churn = r.find_site("churn malloc site", "malloc", "churn", "scratch")
if churn:
    r.expect("phase 2 was running (some churn recorded)", churn["allocations"] > 0,
             "no churn allocation in the trace")
    r.expect("phase 2 frees match allocations (at most one in flight)",
             0 <= churn["allocations"] - churn["frees"] <= 1,
             "allocations %d frees %d" % (churn["allocations"], churn["frees"]))
    r.expect_eq("phase 2 bytes", churn["bytes"], churn["allocations"] * SCRATCH)
live = [g for g in r.instrumented_leak_groups() if g["kind"] == "live_at_end"
        and g["site"]["function"] == "phase1"]
r.expect_eq("phase 1 blocks listed live at end", sum(g["count"] for g in live), KEEP)
r.expect_in_text("no scan said", "no exit-time leak scan")
r.finish()
