#!/bin/sh
# bench/overhead/run.sh - runtime overhead against native clang-19 -O2.
# Usage: bench/overhead/run.sh BUILD_DIR [bintree_depth] [runs]
# Needs: BUILD_DIR with lib/memscope/{libmemscope_rt.a,libmsformat.a,memscope.dynlist}
# and (for the "pass" variants) lib/memscope/memscope-pass.so or $MEMSCOPE_PASS.
# Builds four variants of each workload and prints hyperfine ratios:
#   native   clang-19 -O2
#   heap     + runtime linked (whole-heap interposition only: every event unwinds
#            with frame pointers; the path uninstrumented code takes)
#   pass     + the memscope pass (calling-context stack ids, sites, scope exits)
# plus the trace's bytes per event. WORKLOADS="bintree" limits the set.
# Results go to docs/perf/runtime.md by hand.
set -eu
B=$(cd "${1:?build dir}" && pwd)
DEPTH=${2:-18}
RUNS=${3:-3}
L=$B/lib/memscope
PASS=${MEMSCOPE_PASS:-$L/memscope-pass.so}
W=$(cd "$(dirname "$0")/../../.." && pwd)/shared/bench
[ -f "$W/bintree.c" ] || W=${MEMSCOPE_WORKLOADS:?set MEMSCOPE_WORKLOADS to the bench/*.c folder}
OUT=${TMPDIR:-/tmp}/memscope-overhead
mkdir -p "$OUT"
LINK="-Wl,--whole-archive $L/libmemscope_rt.a -Wl,--no-whole-archive $L/libmsformat.a -lzstd -llz4 -lbrotlienc -lbrotlidec -lbrotlicommon -lmsgpackc -lxxhash -lpthread -ldl -lm -Wl,--dynamic-list=$L/memscope.dynlist"
for w in ${WORKLOADS:-bintree mixed}; do
  clang-19 -O2 "$W/$w.c" -o "$OUT/$w.native" -lpthread
  clang-19 -O2 -fno-omit-frame-pointer "$W/$w.c" -o "$OUT/$w.heap" $LINK
  if [ -f "$PASS" ]; then
    clang-19 -O2 -g -fno-omit-frame-pointer -fpass-plugin="$PASS" "$W/$w.c" -o "$OUT/$w.pass" $LINK
  fi
done
cd "$OUT"
export MEMSCOPE_OPTIONS="output=$OUT/trace.ms"
for w in ${WORKLOADS:-bintree mixed}; do
  arg=""; [ $w = bintree ] && arg=$DEPTH
  set -- "./$w.native $arg" "./$w.heap $arg"
  [ -x "$w.pass" ] && set -- "$@" "./$w.pass $arg"
  hyperfine -N -w 1 -r "$RUNS" --export-markdown "$OUT/$w.md" "$@"
  for v in heap pass; do
    [ -x "$w.$v" ] || continue
    rm -f trace.ms
    /usr/bin/time -f "$w.$v: %e s wall, %U s user, %S s sys, %M KiB max RSS" ./$w.$v $arg > /dev/null
    ev=$("$B/tests/bin/rt_tracedump" trace.ms | sed -n 's/^summary events=//p')
    sz=$(stat -c %s trace.ms)
    echo "$w.$v: $ev events, $sz bytes, $(echo "scale=3; $sz / $ev" | bc) bytes/event"
  done
  /usr/bin/time -f "$w.native: %e s wall, %U s user, %S s sys, %M KiB max RSS" ./$w.native $arg > /dev/null
done
