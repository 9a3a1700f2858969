#!/bin/sh
# The main job on an example, from a fresh Debian 12 machine: installs what is
# missing, builds memscope, compiles examples/leaky_list.c with memscope-cc,
# runs it and prints the report.  Usage: scripts/demo.sh [EXAMPLE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
example=${1:-leaky_list}
build=$top/build
"$top/scripts/setup-deps.sh"
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
out=$build/demo
mkdir -p "$out"
cd "$out"
echo "\$ memscope-cc -O2 examples/$example.c -o $example" >&2
"$build/bin/memscope-cc" -O2 -pthread "$top/examples/$example.c" -o "$example"
echo "\$ ./$example" >&2
rm -f memscope.ms
"./$example" || echo "($example exited with status $?)" >&2
echo "\$ memscope-report memscope.ms" >&2
"$build/bin/memscope-report" memscope.ms
echo "(trace: $out/memscope.ms; try: $build/bin/memscope-report $out/memscope.ms --json)" >&2
