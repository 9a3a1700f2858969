"""e2e_common.py - shared helpers of the end-to-end checkers (stdlib only).

Every check_<example>.py is run as
    check_<example>.py report.json report.txt OPT [SOURCE.c]
by run_example.sh. Source lines are found in SOURCE.c (default:
examples/<example>.c) by their text with `line()`, so editing an example's
comments does not break its checker. It builds a Report, states facts with the `expect_*`
methods (each failure is recorded with a clear message, the checker goes
on so that one run shows every wrong fact) and ends with `finish()`, which
prints the failures and exits 1 if there were any.

Facts are checked on *instrumented* sites only: the runtime also records
libc's own allocations (stdio buffers, thread DTVs) with site kind
"uninstrumented", and those vary with libc and the run.
"""
import json
import os
import sys

UNINSTRUMENTED = "uninstrumented"


class Report:
    """A memscope-report --json document plus its text output."""

    def __init__(self, argv, example):
        if len(argv) < 3:
            sys.stderr.write("usage: %s report.json report.txt [OPT [SOURCE.c]]\n" % argv[0])
            sys.exit(2)
        self.example = example
        self.opt = argv[3] if len(argv) > 3 else "?"
        with open(argv[1], encoding="utf-8") as f:
            self.json = json.load(f)
        with open(argv[2], encoding="utf-8") as f:
            self.text = f.read()
        self.failures = []
        self.checked = 0
        here = os.path.dirname(os.path.abspath(__file__))
        self.source = argv[4] if len(argv) > 4 else os.path.join(
            here, "..", "..", "examples", example + ".c")
        with open(self.source, encoding="utf-8") as f:
            self.source_lines = f.read().split("\n")

    def line(self, needle):
        """The 1-based number of the one source line containing `needle`
        (a checker bug, not a product failure, when not exactly one)."""
        hits = [i + 1 for i, l in enumerate(self.source_lines) if needle in l]
        if len(hits) != 1:
            raise SystemExit("checker error: %r occurs on lines %s of %s, expected once"
                             % (needle, hits, self.source))
        return hits[0]

    # ---- recording -------------------------------------------------------

    def fail(self, what, msg):
        self.failures.append("%s: %s" % (what, msg))

    def expect(self, what, cond, msg=""):
        """Record a failure of `what` unless `cond` holds."""
        self.checked += 1
        if not cond:
            self.fail(what, msg or "condition false")
        return bool(cond)

    def expect_eq(self, what, got, want):
        self.checked += 1
        if got != want:
            self.fail(what, "expected %r, got %r" % (want, got))
            return False
        return True

    def expect_in_text(self, what, needle):
        """The text report mentions `needle` (a plain substring)."""
        self.checked += 1
        if needle not in self.text:
            self.fail("text: " + what, "%r not found in the text report" % needle)
            return False
        return True

    def finish(self):
        name = "%s %s" % (self.example, self.opt)
        if self.failures:
            print("FAIL %s: %d of %d checks failed" % (name, len(self.failures), self.checked))
            for f in self.failures:
                print("  - " + f)
            sys.exit(1)
        print("PASS %s: %d checks" % (name, self.checked))
        sys.exit(0)

    # ---- queries ---------------------------------------------------------

    def section(self, key):
        v = self.json.get(key)
        if v is None:
            self.fail("json", "top-level field %r missing" % key)
        return v

    def sites(self):
        """Statistics entries of instrumented sites (uninstrumented dropped)."""
        return [s for s in self.json.get("sites", []) if s["site"]["kind"] != UNINSTRUMENTED]

    def find_site(self, what, kind, function, variable=None):
        """The one site entry with this kind/function (/variable); records a
        failure and returns None when there is not exactly one."""
        hits = [s for s in self.sites()
                if s["site"]["kind"] == kind and s["site"]["function"] == function
                and (variable is None or s["site"]["variable"] == variable)]
        self.checked += 1
        if len(hits) != 1:
            have = ["%s %s %s:%s `%s`" % (s["site"]["kind"], s["site"]["function"],
                                          os.path.basename(s["site"]["file"] or "?"),
                                          s["site"]["line"], s["site"]["variable"])
                    for s in self.sites()]
            self.fail(what, "expected exactly one %s site in %s()%s, found %d; sites: %s"
                      % (kind, function, "" if variable is None else " for `%s`" % variable,
                         len(hits), have))
            return None
        return hits[0]

    def expect_site_record(self, what, site, file_base, line, type_, variable):
        """A site record names the right file, line, static type and variable."""
        if site is None:
            return
        self.expect_eq(what + " file", os.path.basename(site.get("file") or ""), file_base)
        self.expect_eq(what + " line", site.get("line"), line)
        self.expect_eq(what + " type", site.get("type"), type_)
        self.expect_eq(what + " variable", site.get("variable"), variable)

    def instrumented_totals(self):
        """(allocations, frees, bytes) summed over instrumented sites."""
        a = f = b = 0
        for s in self.sites():
            a += s["allocations"]
            f += s["frees"]
            b += s["bytes"]
        return a, f, b

    def instrumented_leak_groups(self):
        return [g for g in self.json["leaks"]["groups"]
                if g["site"]["kind"] != UNINSTRUMENTED]

    def expect_trace_complete(self):
        tr = self.json["trace"]
        self.expect_eq("trace.complete", tr.get("complete"), True)
        self.expect_eq("trace.recovered", tr.get("recovered"), False)
        self.expect_eq("trace.damaged_chunks", tr.get("damaged_chunks"), 0)
        self.expect_eq("whole_heap", self.json.get("whole_heap"), True)
        self.expect_eq("schema", self.json.get("schema"), 1)

    def expect_no_errors(self):
        counts = self.json["errors"]["counts"]
        for k, v in sorted(counts.items()):
            self.expect_eq("errors.counts." + k, v, 0)

    def expect_no_instrumented_leaks(self):
        groups = self.instrumented_leak_groups()
        self.expect("leaks of instrumented sites", not groups,
                    "the program frees every block of its own, but the report lists %s"
                    % ["%s %d blocks %d B at %s:%s" % (g["kind"], g["count"], g["bytes"],
                                                       g["site"]["function"], g["site"]["line"])
                       for g in groups])
        self.expect_eq("leaks.scan (exit-time scan present)", self.json["leaks"]["scan"], True)
        self.expect_eq("leaks.unmatched_records (scan blocks the trace never saw allocated)",
                       self.json["leaks"]["unmatched_records"], 0)


def frame_functions(stack):
    """Function names of a stack's frames (inlined ones included), innermost first."""
    if not stack:
        return []
    return [fr.get("function") for fr in stack.get("frames", [])]
