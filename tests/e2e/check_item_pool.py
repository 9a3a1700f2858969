#!/usr/bin/env python3
"""check_item_pool.py - facts of examples/item_pool.c (POOL_SLOTS 64, ITEMS 40).

One malloc of 64 * 24 bytes (`pool.arena`, struct item) in pool_init(),
named "item pool" and still reachable at exit through the global `pool`;
40 memscope_alloc() and 40 memscope_free() annotations of 24-byte slots
inside it (the first slot starts at the arena's own address); phases
"fill" and "drain"; no error.
"""
import sys

from e2e_common import Report

POOL_SLOTS, ITEMS, ITEM = 64, 40, 24

r = Report(sys.argv, "item_pool")
r.expect_trace_complete()
r.expect_no_errors()

arena = r.find_site("arena malloc site", "malloc", "pool_init", "pool.arena")
if arena:
    r.expect_site_record("arena site", arena["site"], "item_pool.c",
                         r.line("pool.arena = malloc"), "struct item", "pool.arena")
    r.expect_eq("arena allocations", arena["allocations"], 1)
    r.expect_eq("arena bytes", arena["bytes"], POOL_SLOTS * ITEM)
    r.expect_eq("arena frees (never freed)", arena["frees"], 0)
    r.expect_eq("arena live at end", arena["live_blocks"], 1)

t = r.json["totals"]
r.expect_eq("totals.custom_allocations", t["custom_allocations"], ITEMS)
r.expect_eq("totals.custom_frees", t["custom_frees"], ITEMS)

phases = r.json["phases"]
r.expect_eq("phases in order", [p["name"] for p in phases], ["fill", "drain"])
if len(phases) == 2:
    r.expect("phase times ordered", phases[0]["time_ns"] <= phases[1]["time_ns"],
             "fill %d drain %d" % (phases[0]["time_ns"], phases[1]["time_ns"]))

leaks = r.json["leaks"]
r.expect_eq("leaks.scan", leaks["scan"], True)
groups = r.instrumented_leak_groups()
r.expect_eq("instrumented leak groups: only the reachable arena",
            [(g["kind"], g["count"], g["bytes"], g["variable"]) for g in groups],
            [("reachable", 1, POOL_SLOTS * ITEM, "pool.arena")])
if groups:
    r.expect_eq("arena block name (memscope_name)", groups[0]["name"], "item pool")
for kind in ("definite", "indirect", "possible"):
    r.expect_eq("leaks.%s blocks" % kind, leaks[kind]["blocks"], 0)

# memscope's own annotation API is not a destructor-style call.
ours = [d["callee"] for d in r.json["destructors"]["by_site"]
        if d["callee"].startswith("memscope_")]
r.expect_eq("memscope_* annotations counted as destructors", ours, [])

r.expect_in_text("custom counts", "custom allocations: %d, custom frees: %d" % (ITEMS, ITEMS))
r.expect_in_text("block name", "item pool")
r.finish()
