#!/bin/sh
# bench/peers/run.sh - memscope against its peers, side by side, on the shared
# reference workloads (../shared/bench): the same binary input, one run each
# in turn, reported as ratios to the native run of the same round.
#
#   bench/peers/run.sh BUILD_DIR [bintree_depth] [rounds]
#
# Tools: memscope (memscope-cc -O2, default options), heaptrack, valgrind
# --tool=massif, valgrind --tool=memcheck --leak-check=full, clang-19
# -fsanitize=address. Missing tools are skipped. Prints a Markdown table of
# median wall-time ratios and memscope's trace bytes per event.
set -eu
B=$(cd "${1:?build dir}" && pwd)
DEPTH=${2:-16}
ROUNDS=${3:-3}
W=$(cd "$(dirname "$0")/../../.." && pwd)/shared/bench
[ -f "$W/bintree.c" ] || W=${MEMSCOPE_WORKLOADS:?set MEMSCOPE_WORKLOADS to the shared bench folder}
OUT=${TMPDIR:-/tmp}/memscope-peers
rm -rf "$OUT" && mkdir -p "$OUT" && cd "$OUT"

# wall seconds of one command (stdout discarded)
wall() {
  s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
  echo "$s $e" | awk '{printf "%.4f", $2 - $1}'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| workload | native s | memscope | heaptrack | massif | memcheck | ASan | memscope bytes/event |"
echo "|---|---|---|---|---|---|---|---|"
for w in bintree mixed; do
  arg=""; [ $w = bintree ] && arg=$DEPTH
  clang-19 -O2 -gdwarf-4 "$W/$w.c" -o $w.native -lpthread
  "$B/bin/memscope-cc" -O2 "$W/$w.c" -o $w.memscope -lpthread
  clang-19 -O2 -g -fsanitize=address "$W/$w.c" -o $w.asan -lpthread
  tools="native memscope"
  command -v heaptrack > /dev/null && tools="$tools heaptrack"
  command -v valgrind > /dev/null && tools="$tools massif memcheck"
  tools="$tools asan"
  for t in $tools; do eval "T_$t=''"; done
  r=0
  while [ $r -lt "$ROUNDS" ]; do
    for t in $tools; do
      case $t in
        native)    x=$(wall ./$w.native $arg) ;;
        memscope)  rm -f memscope.ms; x=$(wall env MEMSCOPE_OPTIONS=output=$OUT/memscope.ms ./$w.memscope $arg) ;;
        heaptrack) rm -f heaptrack.*; x=$(wall heaptrack -o "$OUT/heaptrack.$w" ./$w.native $arg) ;;
        massif)    x=$(wall valgrind --tool=massif --massif-out-file=$OUT/massif.out ./$w.native $arg) ;;
        memcheck)  x=$(wall valgrind --leak-check=full ./$w.native $arg) ;;
        asan)      x=$(wall ./$w.asan $arg) ;;
      esac
      eval "T_$t=\"\$T_$t $x\""
    done
    r=$((r + 1))
  done
  n=$(eval "echo \$T_native" | median)
  row="| $w${arg:+ $arg} | $n"
  for t in memscope heaptrack massif memcheck asan; do
    v=$(eval "echo \${T_$t:-}" | median)
    if [ -n "$v" ]; then row="$row | $(echo "$v $n" | awk '{printf "%.1fx", $1 / $2}')"; else row="$row | -"; fi
  done
  ev=$("$B/bin/memscope-report" memscope.ms --json --no-symbols -n 1 | python3 -c \
      'import json,sys; print(json.load(sys.stdin)["totals"]["events"])')
  sz=$(stat -c %s memscope.ms)
  echo "$row | $(echo "$sz $ev" | awk '{printf "%.2f", $1 / $2}') |"
done
