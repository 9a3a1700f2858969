# Unit tests of the runtime's support modules (runtime/src/rt_unwind,
# rt_stacktab, rt_modules, rt_livemap, rt_leakscan, rt_counters).
# Included by tests/runtime/CMakeLists.txt. Each test compiles the module
# sources directly, so it does not depend on the runtime library building.

set(_rtsup_src ${CMAKE_SOURCE_DIR}/runtime/src)

# _rtsup_test(<name> <test source> <module sources...>)
function(_rtsup_test name test_src)
  set(_srcs ${CMAKE_CURRENT_LIST_DIR}/${test_src})
  foreach(m ${ARGN})
    list(APPEND _srcs ${_rtsup_src}/${m})
  endforeach()
  ms_add_cmocka_test(${name} SOURCES ${_srcs} LIBS Threads::Threads ${CMAKE_DL_LIBS}
                     LABELS runtime TIMEOUT 120)
  target_include_directories(${name} PRIVATE ${_rtsup_src} ${CMAKE_SOURCE_DIR}/formats/include)
  # The unwinder follows frame pointers; the modules test wants a build id.
  target_compile_options(${name} PRIVATE -fno-omit-frame-pointer)
  target_link_options(${name} PRIVATE -Wl,--build-id)
endfunction()

_rtsup_test(test_support_unwind test_support_unwind.c rt_unwind.c)
_rtsup_test(test_support_stacktab test_support_stacktab.c rt_stacktab.c)
_rtsup_test(test_support_modules test_support_modules.c rt_modules.c)
_rtsup_test(test_support_livemap test_support_livemap.c rt_livemap.c)
_rtsup_test(test_support_leakscan test_support_leakscan.c rt_leakscan.c rt_livemap.c rt_unwind.c)
_rtsup_test(test_support_counters test_support_counters.c rt_counters.c)
