# e2e_lib.sh - helpers shared by the driver's end-to-end tests (sourced).
# Every e2e script takes: BIN CLANG PROJECTS WORK
set -u
BIN=$1 CLANG=$2 PROJECTS=$3 W=$4
MSCC=$BIN/memscope-cc MSCXX=$BIN/memscope-c++ MSRUN=$BIN/memscope-run
unset MEMSCOPE_OPTIONS MEMSCOPE_CLANG MEMSCOPE_CLANGXX MEMSCOPE_CC_VERBOSE MEMSCOPE_CC_DISABLE \
      MEMSCOPE_DRIVER_ACTIVE MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CXXFLAGS LDFLAGS CC CXX
export LC_ALL=C
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
die() { echo "FAIL: $*"; exit 1; }
# run DESC CMD...: run a step, show its output on failure.
run() {
  desc=$1; shift
  "$@" >"$W/step.log" 2>&1
  st=$?
  if [ $st = 0 ]; then ok "$desc"; return 0; fi
  fail "$desc (exit $st)"; tail -n 40 "$W/step.log"; return 1
}
# check_trace FILE DESC [CHECKS...]: FILE exists and starts with the .ms
# magic; with $MS_TRACE_CHECK (tests/driver/ms_trace_check.c) it must also
# read back complete, with events, and pass CHECKS (--sites, --no-sites,
# --codec NAME).
check_trace() {
  f=$1 d=$2; shift 2
  if [ ! -s "$f" ]; then fail "$d: no trace at $f"; return 1; fi
  magic=$(head -c 8 "$f")
  if [ "$magic" != MEMSCOPE ]; then fail "$d: $f does not start with MEMSCOPE"; return 1; fi
  if [ -n "${MS_TRACE_CHECK:-}" ]; then
    if out=$("$MS_TRACE_CHECK" "$f" "$@" 2>&1); then ok "$d: $out"; else fail "$d: $out"; fi
  else
    ok "$d: $f is a trace"
  fi
}
# check_traces GLOB DESC: at least one file matches, all are traces.
check_traces() {
  g=$1 dd=$2; shift 2
  n=0
  for t in $g; do [ -e "$t" ] || continue; n=$((n + 1)); check_trace "$t" "$dd" "$@"; done
  [ $n -gt 0 ] || fail "$dd: no trace matches $g"
}
# defines FILE SYMBOL: the ELF file defines SYMBOL in its dynamic table.
exports() { nm -D --defined-only "$1" 2>/dev/null | grep -q " $2\$"; }
# finish: the verdict; ends the script (also when used as `step || finish`).
finish() { echo "$fails failure(s)"; [ "$fails" = 0 ] && exit 0; exit 1; }
rm -rf "$W" && mkdir -p "$W" || exit 1
