#!/usr/bin/env python3
"""check_leaky_list.py - facts of examples/leaky_list.c (NODES = 10).

Two lists of 10 nodes, each node a struct node (32 bytes) with a strdup'ed
name "node-<i>" (7 bytes). The first list is freed; the second, built in
load_config(), is dropped when `head` leaves scope: 1 struct node
definitely lost (the head), 9 struct node + 10 names indirectly lost.
"""
import sys

from e2e_common import Report, frame_functions

NODES = 10
NODE_SIZE = 32
NAME_SIZE = len("node-0") + 1

r = Report(sys.argv, "leaky_list")
r.expect_trace_complete()
r.expect_no_errors()

node = r.find_site("node malloc site", "malloc", "build_list")
name = r.find_site("name strdup site", "strdup", "build_list")
if node:
    r.expect_site_record("node site", node["site"], "leaky_list.c",
                         r.line("struct node *n = malloc"), "struct node", "n")
    r.expect_eq("node site allocations", node["allocations"], 2 * NODES)
    r.expect_eq("node site frees", node["frees"], NODES)
    r.expect_eq("node site bytes", node["bytes"], 2 * NODES * NODE_SIZE)
    r.expect_eq("node site live_blocks at end", node["live_blocks"], NODES)
if name:
    r.expect_site_record("name site", name["site"], "leaky_list.c",
                         r.line("n->name = strdup"), "char", "n->name")
    r.expect_eq("name site allocations", name["allocations"], 2 * NODES)
    r.expect_eq("name site frees", name["frees"], NODES)
    r.expect_eq("name site bytes", name["bytes"], 2 * NODES * NAME_SIZE)

allocs, frees, _ = r.instrumented_totals()
r.expect_eq("instrumented allocations (4*NODES)", allocs, 4 * NODES)
r.expect_eq("instrumented frees (2*NODES)", frees, 2 * NODES)
r.expect("totals.allocations >= instrumented", r.json["totals"]["allocations"] >= allocs,
         "totals %d < instrumented %d" % (r.json["totals"]["allocations"], allocs))

# Leaks: classification of the instrumented blocks.
leaks = r.json["leaks"]
r.expect_eq("leaks.scan", leaks["scan"], True)
r.expect_eq("leaks.unmatched_records", leaks["unmatched_records"], 0)
groups = r.instrumented_leak_groups()
def cls(kind):
    gs = [g for g in groups if g["kind"] == kind]
    return sum(g["count"] for g in gs), sum(g["bytes"] for g in gs), gs
d_blocks, d_bytes, dgroups = cls("definite")
i_blocks, i_bytes, igroups = cls("indirect")
r.expect_eq("definitely lost blocks (the dropped head)", d_blocks, 1)
r.expect_eq("definitely lost bytes", d_bytes, NODE_SIZE)
r.expect_eq("indirectly lost blocks (9 nodes + 10 names)", i_blocks, 2 * NODES - 1)
r.expect_eq("indirectly lost bytes", i_bytes, (NODES - 1) * NODE_SIZE + NODES * NAME_SIZE)
for kind in ("possible", "reachable", "live_at_end"):
    n, b, _ = cls(kind)
    r.expect_eq("instrumented %s blocks" % kind, n, 0)
r.expect_eq("definite leak groups of instrumented sites", len(dgroups), 1)
if dgroups:
    g = dgroups[0]
    r.expect_eq("definite group type", g["type"], "struct node")
    r.expect_eq("definite group variable", g["variable"], "n")
    fns = frame_functions(g["stack"])
    for fn in ("build_list", "load_config", "main"):
        r.expect("definite group stack has %s" % fn, fn in fns, "stack functions: %s" % fns)
    # The last owner: `head` in load_config() leaves scope still holding the
    # head node (build_list's `list` left scope earlier, with the same value).
    owners = g["owners"]
    r.expect("definite group has a last owner", bool(owners),
             "owners empty, without_owner=%s" % g.get("without_owner"))
    if owners:
        o = owners[0]
        r.expect_eq("last owner variable of the lost head", o["variable"], "head")
        r.expect_eq("last owner function of the lost head", o["function"], "load_config")
        # The scope exit is the closing brace of load_config.
        r.expect_eq("last owner scope exit line", o["line"], r.line("return sum; /* bug") + 1)
name_groups = [g for g in igroups if g["type"] == "char"]
r.expect_eq("indirect names: blocks", sum(g["count"] for g in name_groups), NODES)
if name_groups:
    r.expect_eq("indirect names: variable", name_groups[0]["variable"], "n->name")

types = {t["type"]: t for t in r.json["types"]}
r.expect("types has struct node", "struct node" in types, "types: %s" % sorted(types))
if "struct node" in types:
    r.expect_eq("type struct node allocations", types["struct node"]["allocations"], 2 * NODES)
    r.expect_eq("type struct node bytes", types["struct node"]["bytes"], 2 * NODES * NODE_SIZE)

# Text output.
r.expect_in_text("leak section", "definitely lost: %d B in 1 blocks" % NODE_SIZE)
r.expect_in_text("indirect total", "indirectly lost: %d B in %d blocks"
                 % ((NODES - 1) * NODE_SIZE + NODES * NAME_SIZE, 2 * NODES - 1))
r.expect_in_text("leaked type and variable", "struct node `n`")
r.expect_in_text("allocation site",
                 "leaky_list.c:%d in build_list" % r.line("struct node *n = malloc"))
r.expect_in_text("last owner", "last owner `head` left scope")
r.finish()
