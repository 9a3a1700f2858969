#!/usr/bin/env python3
"""check_cleanup_table.py - facts of examples/cleanup_table.c (ROWS 8, ROUNDS 3).

Per process() call: 1 table_t (16 B), 1 rows array (8*8 B), 8 row_t (16 B)
and 8 int cell buffers of 4+i ints; the cleanup attribute calls
table_cleanup() -> table_destroy() -> row_free() x 8 (nested), which free
everything. Nothing leaks.
"""
import sys

from e2e_common import Report

ROWS, ROUNDS = 8, 3
CELLS_BYTES = sum((4 + i) * 4 for i in range(ROWS))    # 240 per table
ROW_BYTES = 16
ROWS_ARRAY_BYTES = ROWS * 8                                   # the rows array
TABLE_BYTES = 16
PER_ROUND_ALLOCS = 2 + 2 * ROWS
PER_ROUND_BYTES = TABLE_BYTES + ROWS_ARRAY_BYTES + ROWS * ROW_BYTES + CELLS_BYTES

r = Report(sys.argv, "cleanup_table")
r.expect_trace_complete()
r.expect_no_errors()
r.expect_no_instrumented_leaks()

expect_sites = [
    # what, kind, function, variable, line, type, allocations, bytes
    ("table", "malloc", "table_new", "t", r.line("table_t *t = malloc"), "table_t",
     ROUNDS, ROUNDS * TABLE_BYTES),
    ("rows array", "malloc", "table_new", "t->rows", r.line("t->rows = malloc"), "row_t *",
     ROUNDS, ROUNDS * ROWS_ARRAY_BYTES),
    ("row", "malloc", "row_new", "r", r.line("row_t *r = malloc"), "row_t",
     ROUNDS * ROWS, ROUNDS * ROWS * ROW_BYTES),
    ("cells", "calloc", "row_new", "r->cells", r.line("r->cells = calloc"), "int",
     ROUNDS * ROWS, ROUNDS * CELLS_BYTES),
]
for what, kind, fn, var, line, type_, n, nbytes in expect_sites:
    s = r.find_site(what + " site", kind, fn, var)
    if not s:
        continue
    r.expect_site_record(what + " site", s["site"], "cleanup_table.c", line, type_, var)
    r.expect_eq(what + " allocations", s["allocations"], n)
    r.expect_eq(what + " frees", s["frees"], n)
    r.expect_eq(what + " bytes", s["bytes"], nbytes)
    r.expect_eq(what + " live_blocks", s["live_blocks"], 0)

allocs, frees, nbytes = r.instrumented_totals()
r.expect_eq("instrumented allocations", allocs, ROUNDS * PER_ROUND_ALLOCS)
r.expect_eq("instrumented frees", frees, ROUNDS * PER_ROUND_ALLOCS)
r.expect_eq("instrumented bytes", nbytes, ROUNDS * PER_ROUND_BYTES)

# Destructor calls, nesting and the frees inside each.
dt = r.json["destructors"]
r.expect_eq("destructors.unclosed", dt["unclosed"], 0)
r.expect_eq("destructors.unmatched_ends", dt["unmatched_ends"], 0)
r.expect_eq("destructors.max_depth (cleanup > table_destroy > row_free)", dt["max_depth"], 3)
by = {}
for e in dt["by_site"]:
    by.setdefault(e["callee"], []).append(e)
want = {
    # callee: (calls, frees inside incl. nested, freed bytes, depth, kind, caller)
    "table_cleanup": (ROUNDS, ROUNDS * PER_ROUND_ALLOCS, ROUNDS * PER_ROUND_BYTES, 1,
                      "cleanup", "process"),
    "table_destroy": (ROUNDS, ROUNDS * PER_ROUND_ALLOCS, ROUNDS * PER_ROUND_BYTES, 2,
                      "dtor", "table_cleanup"),
    "row_free": (ROUNDS * ROWS, ROUNDS * ROWS * 2, ROUNDS * (ROWS * ROW_BYTES + CELLS_BYTES), 3,
                 "dtor", "table_destroy"),
}
for callee, (calls, nfrees, fbytes, depth, kind, caller) in want.items():
    es = by.get(callee, [])
    if not r.expect("destructor %s recorded" % callee, len(es) == 1,
                    "%d by_site entries for %s; callees: %s" % (len(es), callee, sorted(by))):
        continue
    e = es[0]
    r.expect_eq("%s calls" % callee, e["calls"], calls)
    r.expect_eq("%s frees inside" % callee, e["frees"], nfrees)
    r.expect_eq("%s freed bytes" % callee, e["freed_bytes"], fbytes)
    r.expect_eq("%s nesting depth" % callee, e["max_depth"], depth)
    r.expect_eq("%s site kind" % callee, e["site"]["kind"], kind)
    r.expect_eq("%s called from" % callee, e["site"]["function"], caller)
    r.expect("%s durations" % callee, e["max_ns"] <= e["total_ns"] and e["total_ns"] > 0,
             "total_ns %s max_ns %s" % (e["total_ns"], e["max_ns"]))
if "table_cleanup" in by:
    r.expect_eq("cleanup variable", by["table_cleanup"][0]["site"]["variable"], "table")
    r.expect_eq("cleanup line (closing brace of process)", by["table_cleanup"][0]["site"]["line"],
                r.line("return sum;") + 1)
# Nesting: the inner call's time is within the outer one's.
if all(len(by.get(c, [])) == 1 for c in want):
    r.expect("row_free time within table_destroy time",
             by["row_free"][0]["total_ns"] <= by["table_destroy"][0]["total_ns"] <=
             by["table_cleanup"][0]["total_ns"],
             "totals row_free %d, table_destroy %d, table_cleanup %d"
             % (by["row_free"][0]["total_ns"], by["table_destroy"][0]["total_ns"],
                by["table_cleanup"][0]["total_ns"]))
r.expect_eq("totals.destructor_events (begin+end of 30 calls)",
            r.json["totals"]["destructor_events"], 2 * ROUNDS * (2 + ROWS))

r.expect_in_text("allocation site", "cleanup_table.c:%d in row_new" % r.line("row_t *r = malloc"))
r.expect_in_text("row type", "row_t")
r.expect_in_text("destructor section", "DESTRUCTORS")
r.expect_in_text("row_free calls", "row_free: %d calls" % (ROUNDS * ROWS))
r.expect_in_text("row_free frees inside", "%d frees inside, depth 3" % (ROUNDS * ROWS * 2))
r.expect_in_text("table_destroy calls", "table_destroy: %d calls" % ROUNDS)
r.finish()
