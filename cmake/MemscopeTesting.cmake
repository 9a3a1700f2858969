# Helpers shared by the tests/ folders.
pkg_check_modules(CMOCKA IMPORTED_TARGET cmocka)

# ms_add_cmocka_test(NAME SOURCES src... [LIBS lib...] [LABELS l...] [ENV k=v...])
# Builds one cmocka test executable and registers it with ctest.
function(ms_add_cmocka_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bin)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "unit;${T_LABELS}")
  if(T_ENV)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
  endif()
endfunction()

set(MEMSCOPE_LIT /usr/lib/llvm-19/build/utils/lit/lit.py)
set(MEMSCOPE_FILECHECK /usr/lib/llvm-19/bin/FileCheck)
