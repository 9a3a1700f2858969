#!/bin/sh
# e2e_cmake.sh: a CMake project (C and C++) configured with memscope-cc and
# memscope-c++ (CMake's compiler checks must pass), built with -Werror, and
# its ctest tests run instrumented.
. "$(dirname "$0")/e2e_lib.sh"
run "cmake configure" cmake -S "$PROJECTS/cmake" -B "$W/build" -DCMAKE_C_COMPILER="$MSCC" \
    -DCMAKE_CXX_COMPILER="$MSCXX" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-O2 -Wall -Wextra -Werror" \
    -DCMAKE_CXX_FLAGS="-O2 -Wall -Wextra -Werror" -DTRACE_DIR="$W" || finish
grep -q 'set(CMAKE_C_COMPILER_ID "Clang")' "$W/build/CMakeFiles/"*/CMakeCCompiler.cmake && ok "CMake identified Clang" || fail "compiler id"
run "cmake build" cmake --build "$W/build" -j2 || finish
run "ctest" ctest --test-dir "$W/build" --output-on-failure
check_traces "$W/trace-demo-*.ms" "C program" --sites
check_traces "$W/trace-demo_cxx-*.ms" "C++ program" --sites
finish
