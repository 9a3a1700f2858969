#!/bin/sh
# e2e_install.sh BIN CLANG PROJECTS WORK BUILD: `cmake --install BUILD` into a
# fresh prefix; the installed memscope-cc finds its own plugin, runtime and
# headers there (not in the build tree) and builds a working program and
# shared library.
. "$(dirname "$0")/e2e_lib.sh"
BUILD=$5
PREFIX=$W/prefix
run "cmake --install" cmake --install "$BUILD" --prefix "$PREFIX" || finish
MSCC=$PREFIX/bin/memscope-cc MSRUN=$PREFIX/bin/memscope-run
run "installed memscope-cc finds every piece" "$MSCC" --memscope-print-config
grep -q "^prefix: *$PREFIX\$" "$W/step.log" && ok "prefix is the install prefix" || { fail "prefix"; cat "$W/step.log"; }
grep -q "(missing)" "$W/step.log" && fail "pieces missing from the install: $(grep missing "$W/step.log" | tr '\n' ' ')"
cp -r "$PROJECTS/shared" "$W/src" || exit 1
cd "$W/src" || exit 1
run "shared library with the installed driver" "$MSCC" -O2 -Wall -Werror -shared -fPIC shape.c -o libshape.so || finish
readelf -d libshape.so | grep -q "R.*PATH.*$PREFIX/lib/memscope" && ok "rpath is the installed lib dir" || fail "libshape.so rpath: $(readelf -d libshape.so | grep PATH)"
run "program with the installed driver" "$MSCC" -O2 -Wall -Werror app.c -L. -lshape -Wl,-rpath,"$W/src" -o app || finish
run "it runs" "$MSRUN" -o "$W/app.ms" ./app
check_trace "$W/app.ms" "installed build" --sites
finish
