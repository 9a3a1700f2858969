#!/bin/sh
# bench/compile/run.sh - compile-time cost of the memscope pass plugin, and
# run-time cost of its calling-context updates. Run by hand, never by ctest.
#
#   bench/compile/run.sh [BUILD_DIR] [RUNS]
#
# 1. Compile time: Lua 5.4.4 amalgamated into one translation unit
#    (onelua.c: 33 .c files, ~24k lines, generated from the corpus cache
#    tarball) with `clang-19 -O2 -g -c` vs the same plus the plugin
#    (default options), measured with hyperfine (user+sys CPU is the number
#    to compare on a shared machine; wall time is printed too).
# 2. Calling-context cost: ../shared/bench/bintree.c built plain, with the
#    plugin and -memscope-ctx=false, and with the plugin (ctx on), all
#    linked with null_rt.c (twins that only call libc), instructions counted
#    by callgrind (deterministic, unlike time on a loaded machine).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-pass}
runs=${2:-5}
plugin=$build/lib/memscope/memscope-pass.so
clang=${CLANG:-clang-19}
lua_tgz=${LUA_TARBALL:-$HOME/.cache/memscope-corpus/src/lua5.4/lua5.4_5.4.4.orig.tar.gz}
bintree=$root/../shared/bench/bintree.c
work=$(mktemp -d "${TMPDIR:-/tmp}/ms-bench-compile.XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -f "$plugin" ] || { echo "run.sh: no plugin at $plugin (build target memscope_pass)" >&2; exit 1; }
load="-fpass-plugin=$plugin -Xclang -load -Xclang $plugin"

echo "== compile time: Lua 5.4.4 onelua.c, -O2 -g, $runs runs"
if [ -f "$lua_tgz" ]; then
  tar -xzf "$lua_tgz" -C "$work"
  src=$work/lua-5.4.4/src
  {
    echo '/* onelua.c: all of Lua 5.4 in one translation unit (generated) */'
    echo '#define LUA_USE_LINUX'
    echo '#include "lprefix.h"'
    for f in lzio lctype lopcodes lmem lundump ldump lstate lgc llex lcode \
             lparser ldebug lfunc lobject ltm lstring ltable ldo lvm lapi \
             lauxlib lbaselib lcorolib ldblib liolib lmathlib loadlib loslib \
             lstrlib ltablib lutf8lib linit lua; do
      echo "#include \"$f.c\""
    done
  } > "$src/onelua.c"
  wc -l "$src"/l*.c | tail -1
  cd "$src"
  hyperfine -N -w 1 -r "$runs" --export-json "$work/compile.json" \
    "$clang -O2 -g -c onelua.c -o $work/plain.o" \
    "$clang -O2 -g $load -c onelua.c -o $work/ms.o"
  python3 - "$work/compile.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
cpu = [x["user"] + x["system"] for x in r]  # hyperfine stores the means
wall = [x["min"] for x in r]
print("mean CPU (user+sys) plain %.2f s, plugin %.2f s: ratio %.3f" % (cpu[0], cpu[1], cpu[1] / cpu[0]))
print("min wall plain %.2f s, plugin %.2f s: ratio %.3f" % (wall[0], wall[1], wall[1] / wall[0]))
PY
  size -A "$work/ms.o" | grep -E "memscope_sites|^.text" || true
else
  echo "no Lua tarball at $lua_tgz: skipped"
fi

echo "== calling-context cost: bintree 14, instructions (callgrind)"
"$clang" -O2 -c "$here/null_rt.c" -I"$root/runtime/include" -o "$work/null_rt.o"
"$clang" -O2 -g "$bintree" -o "$work/bt.native"
"$clang" -O2 -g $load -mllvm -memscope-ctx=false "$bintree" "$work/null_rt.o" -o "$work/bt.noctx"
"$clang" -O2 -g $load "$bintree" "$work/null_rt.o" -o "$work/bt.ctx"
for b in native noctx ctx; do
  n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$work/bt.$b" 14 2>&1 >/dev/null |
      sed -n 's/.*Collected : //p')
  echo "bintree.$b $n"
done
