# Warnings for the project's own targets only (never for generated code).
function(tpp_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                                           -Wno-unused-parameter)
endfunction()

# A GoogleTest executable beside the code it tests, discovered by ctest.
# Usage: tpp_add_test(NAME SOURCES... LIBS lib...)
function(tpp_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock
                                        GTest::gtest_main)
  tpp_target_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT 600)
endfunction()
