#!/usr/bin/env python3
"""check_temporaries.py - facts of examples/temporaries.c (LINES 500, POINTS 100).

format_line() mallocs a 64-byte char scratch buffer and frees it before any
other allocation: LINES temporaries. main callocs one array of POINTS
struct point (16 B each) and frees it. No leak.
"""
import sys

from e2e_common import Report

LINES, POINTS, SCRATCH, POINT = 500, 100, 64, 16

r = Report(sys.argv, "temporaries")
r.expect_trace_complete()
r.expect_no_errors()
r.expect_no_instrumented_leaks()

scratch = r.find_site("scratch malloc site", "malloc", "format_line", "scratch")
pts = r.find_site("points calloc site", "calloc", "main", "pts")
if scratch:
    r.expect_site_record("scratch site", scratch["site"], "temporaries.c",
                         r.line("char *scratch = malloc"), "char", "scratch")
    r.expect_eq("scratch allocations", scratch["allocations"], LINES)
    r.expect_eq("scratch frees", scratch["frees"], LINES)
    r.expect_eq("scratch bytes", scratch["bytes"], LINES * SCRATCH)
    r.expect_eq("scratch temporaries", scratch["temporaries"], LINES)
    r.expect_eq("scratch size histogram", [(h["min"], h["max"], h["count"])
                                           for h in scratch["size_histogram"]], [(64, 127, LINES)])
if pts:
    r.expect_site_record("points site", pts["site"], "temporaries.c",
                         r.line("struct point *pts = calloc"), "struct point", "pts")
    r.expect_eq("points allocations", pts["allocations"], 1)
    r.expect_eq("points frees", pts["frees"], 1)
    r.expect_eq("points bytes", pts["bytes"], POINTS * POINT)
    r.expect_eq("points temporaries", pts["temporaries"], 0)
allocs, frees, _ = r.instrumented_totals()
r.expect_eq("instrumented allocations", allocs, LINES + 1)
r.expect_eq("instrumented frees", frees, LINES + 1)

tmp = r.json["temporaries"]
inst = [t for t in tmp["by_site"] if t["site"]["kind"] != "uninstrumented"]
r.expect_eq("temporaries.by_site of instrumented sites", len(inst), 1)
if inst:
    r.expect_eq("temporary site function", inst[0]["site"]["function"], "format_line")
    r.expect_eq("temporary site variable", inst[0]["site"]["variable"], "scratch")
    r.expect_eq("temporary count at the site", inst[0]["temporaries"], LINES)
    r.expect_eq("allocations at the temporary site", inst[0]["allocations"], LINES)
r.expect("temporaries.count >= LINES", tmp["count"] >= LINES, "count %d" % tmp["count"])

types = {t["type"]: t for t in r.json["types"]}
for name, n, nbytes, ntemp in (("char", LINES, LINES * SCRATCH, LINES),
                               ("struct point", 1, POINTS * POINT, 0)):
    t = types.get(name)
    if not r.expect("type %s listed" % name, t is not None, "types: %s" % sorted(types)):
        continue
    r.expect_eq("type %s allocations" % name, t["allocations"], n)
    r.expect_eq("type %s frees" % name, t["frees"], n)
    r.expect_eq("type %s bytes" % name, t["bytes"], nbytes)
    r.expect_eq("type %s temporaries" % name, t["temporaries"], ntemp)
    r.expect_eq("type %s live_blocks" % name, t["live_blocks"], 0)
if "char" in types:
    r.expect_eq("type char peak bytes (one scratch at a time)",
                types["char"]["peak_bytes"], SCRATCH)
if "struct point" in types:
    r.expect_eq("type struct point size histogram",
                [(h["min"], h["max"], h["count"]) for h in types["struct point"]["size_histogram"]],
                [(1024, 2047, 1)])

r.expect_in_text("temporary count", "%d temporary of %d allocations" % (LINES, LINES))
r.expect_in_text("temporary site", "temporaries.c:%d in format_line (char `scratch`)"
                 % r.line("char *scratch = malloc"))
r.expect_in_text("type table: struct point", "struct point")
r.finish()
