#!/bin/sh
# valgrind_cjson.sh MODE BUILD_DIR WORKDIR VALGRIND CLANG
# A real program for the valgrind comparison: cJSON 1.7.15's own demo
# program (test.c + cJSON.c, from the shared corpus's cached Debian source,
# see ../shared/corpus). cJSON allocates through function pointers
# (global_hooks), so its blocks reach memscope through the interposed malloc
# family: the whole-heap path. Exit 77 (skipped) when the corpus cache has
# no cJSON source.
set -u
mode=$1 build=$2 work=$3 valgrind=$4 clang=$5
here=$(cd "$(dirname "$0")" && pwd)
cache=${MEMSCOPE_CORPUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memscope-corpus}
tarball=$(ls "$cache"/src/cjson/cjson_*.orig.tar.* 2>/dev/null | head -n 1)
if [ -z "$tarball" ]; then
  echo "SKIP: no cJSON source in $cache/src/cjson (run ../shared/corpus/corpus.sh cjson once)"
  exit 77
fi
. "$here/e2e_workdir.sh"
e2e_fresh_workdir "$work"
mkdir -p "$work/src" || exit 1
tar -xf "$tarball" -C "$work/src" || { echo "cannot unpack $tarball"; exit 1; }
src=$(ls -d "$work"/src/cJSON-* | head -n 1)
[ -f "$src/test.c" ] && [ -f "$src/cJSON.c" ] || { echo "unexpected layout in $tarball"; exit 1; }
exec sh "$here/valgrind_compare.sh" "$mode" "$build" "$work/run" "$valgrind" "$clang" \
  cjson_test "$src/cJSON.c" "$src/test.c" -lm
