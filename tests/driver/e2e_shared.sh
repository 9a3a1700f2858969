#!/bin/sh
# e2e_shared.sh: an instrumented shared library (-shared -fPIC) linked into
# an instrumented executable, and into a plain one.
. "$(dirname "$0")/e2e_lib.sh"
cp -r "$PROJECTS/shared" "$W/src" || exit 1
cd "$W/src" || exit 1

run "shared library" "$MSCC" -O2 -g -Wall -Werror -shared -fPIC shape.c -o libshape.so || finish
nm libshape.so | grep -q " [TtWw] __memscope_init_v1$" && fail "static runtime in the shared library" || ok "no static runtime in the shared library"
readelf -d libshape.so | grep NEEDED | grep -q libmemscope_rt && ok "needs the shared runtime" || fail "libshape.so does not need libmemscope_rt.so"
run "executable linked with it" "$MSCC" -O2 -Wall -Werror app.c -L. -lshape -Wl,-rpath,"$W/src" -o app
exports app __memscope_malloc && ok "executable exports the entry points" || fail "app does not export __memscope_malloc"
run "instrumented app + library run" env MEMSCOPE_OPTIONS="output=$W/app.ms" ./app
check_trace "$W/app.ms" "app" --sites
run "plain executable with the instrumented library" "$CLANG" -O2 app.c -L. -lshape -Wl,-rpath,"$W/src" -o app_plain
run "plain app + instrumented library run" env MEMSCOPE_OPTIONS="output=$W/plain.ms" ./app_plain
check_trace "$W/plain.ms" "plain app" --sites
run "compile + link -shared in two steps" sh -c "'$MSCC' -c -fPIC -O1 shape.c -o shape.o && '$MSCC' -shared shape.o -o libshape2.so"
readelf -d libshape2.so | grep NEEDED | grep -q libmemscope_rt && ok "two-step shared library needs the shared runtime" || fail "libshape2.so"
finish
