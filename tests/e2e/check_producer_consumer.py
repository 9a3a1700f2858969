#!/usr/bin/env python3
"""check_producer_consumer.py - facts of examples/producer_consumer.c.

The "producer" thread allocates MESSAGES struct message (16 B) and a
strdup'ed text "message <i>" each; the "consumer" thread frees both:
2*MESSAGES cross-thread frees, no leak, main allocates nothing itself.
"""
import sys

from e2e_common import Report

MESSAGES = 1000
MSG_SIZE = 16
TEXT_BYTES = sum(len("message %d" % i) + 1 for i in range(MESSAGES))

r = Report(sys.argv, "producer_consumer")
r.expect_trace_complete()
r.expect_no_errors()
r.expect_no_instrumented_leaks()

msg = r.find_site("message malloc site", "malloc", "producer", "msg")
text = r.find_site("text strdup site", "strdup", "producer", "msg->text")
if msg:
    r.expect_site_record("message site", msg["site"], "producer_consumer.c",
                         r.line("struct message *msg = malloc"), "struct message", "msg")
    r.expect_eq("message allocations", msg["allocations"], MESSAGES)
    r.expect_eq("message frees", msg["frees"], MESSAGES)
    r.expect_eq("message bytes", msg["bytes"], MESSAGES * MSG_SIZE)
if text:
    r.expect_site_record("text site", text["site"], "producer_consumer.c",
                         r.line("msg->text = strdup"), "char", "msg->text")
    r.expect_eq("text allocations", text["allocations"], MESSAGES)
    r.expect_eq("text frees", text["frees"], MESSAGES)
    r.expect_eq("text bytes", text["bytes"], TEXT_BYTES)
allocs, frees, _ = r.instrumented_totals()
r.expect_eq("instrumented allocations", allocs, 2 * MESSAGES)
r.expect_eq("instrumented frees", frees, 2 * MESSAGES)

# Threads by name.
threads = r.json["threads"]
by_name = {}
for t in threads:
    by_name.setdefault(t["name"], []).append(t)
for n in ("producer", "consumer"):
    r.expect("thread named %s" % n, len(by_name.get(n, [])) == 1,
             "thread names: %s" % [t["name"] for t in threads])
prod = (by_name.get("producer") or [None])[0]
cons = (by_name.get("consumer") or [None])[0]
if prod:
    r.expect_eq("producer allocations", prod["allocations"], 2 * MESSAGES)
    r.expect_eq("producer bytes", prod["bytes"], MESSAGES * MSG_SIZE + TEXT_BYTES)
    r.expect_eq("producer cross_thread_frees_out", prod["cross_thread_frees_out"], 2 * MESSAGES)
    r.expect_eq("producer cross_thread_frees_in", prod["cross_thread_frees_in"], 0)
    r.expect_eq("producer live_blocks at end", prod["live_blocks"], 0)
if cons:
    r.expect_eq("consumer allocations", cons["allocations"], 0)
    r.expect_eq("consumer cross_thread_frees_in", cons["cross_thread_frees_in"], 2 * MESSAGES)
    r.expect_eq("consumer cross_thread_frees_out", cons["cross_thread_frees_out"], 0)
if prod and cons:
    r.expect("producer and consumer are distinct threads", prod["tid"] != cons["tid"],
             "both tid %s" % prod["tid"])
others = [t for t in threads if t["name"] not in ("producer", "consumer")]
r.expect_eq("threads besides producer and consumer (main)", len(others), 1)

# Cross-thread frees, named on both sides.
ctf = r.json["cross_thread_frees"]
inst = [c for c in ctf if c["alloc"]["site"]["kind"] != "uninstrumented"]
r.expect_eq("cross-thread free groups", len(inst), 2)
r.expect_eq("cross-thread frees total", sum(c["count"] for c in inst), 2 * MESSAGES)
want = {  # variable: (type, bytes, alloc line, free line)
    "msg": ("struct message", MESSAGES * MSG_SIZE, r.line("struct message *msg = malloc"),
            r.line("free(msg);")),
    "msg->text": ("char", TEXT_BYTES, r.line("msg->text = strdup"), r.line("free(msg->text);")),
}
for c in inst:
    var = c["variable"]
    if not r.expect("cross-thread group variable known", var in want, "variable %r" % var):
        continue
    type_, nbytes, aline, fline = want[var]
    what = "cross-thread %s" % var
    r.expect_eq(what + " count", c["count"], MESSAGES)
    r.expect_eq(what + " bytes", c["bytes"], nbytes)
    r.expect_eq(what + " type", c["type"], type_)
    r.expect_eq(what + " alloc thread name", c["alloc"]["thread_name"], "producer")
    r.expect_eq(what + " free thread name", c["free"]["thread_name"], "consumer")
    r.expect_eq(what + " alloc function", c["alloc"]["site"]["function"], "producer")
    r.expect_eq(what + " alloc line", c["alloc"]["site"]["line"], aline)
    r.expect_eq(what + " free function", c["free"]["site"]["function"], "consumer")
    r.expect_eq(what + " free site kind", c["free"]["site"]["kind"], "free")
    r.expect_eq(what + " free line", c["free"]["site"]["line"], fline)
    if prod and cons:
        r.expect_eq(what + " alloc tid", c["alloc"]["thread"], prod["tid"])
        r.expect_eq(what + " free tid", c["free"]["thread"], cons["tid"])

r.expect_in_text("thread section", "THREADS")
r.expect_in_text("producer named", '"producer": %d allocations' % (2 * MESSAGES))
r.expect_in_text("producer frees by others", "%d freed by others" % (2 * MESSAGES))
r.expect_in_text("consumer named", '"consumer"')
r.expect_in_text("cross-thread message group", "%d blocks" % MESSAGES)
r.expect_in_text("free side", "in consumer (struct message `msg`)")
r.finish()
