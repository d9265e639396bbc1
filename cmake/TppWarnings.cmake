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
  if(name IN_LIST TPP_CONCURRENCY_TESTS)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                         PROPERTIES TIMEOUT 600 LABELS concurrency)
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                         PROPERTIES TIMEOUT 600)
  endif()
endfunction()

# The tests that run many threads at once (ctest label `concurrency`):
# what tools/sanitize.sh thread runs under ThreadSanitizer.
set(TPP_CONCURRENCY_TESTS
    tpp_storage_test             # commit queue
    tpp_claims_core_test         # claims core, 64 threads
    tpp_server_base_test         # rate limiter
    tpp_isolation_core_test      # isolation switch
    tpp_isolation_gate_test      # isolation gate
    tpp_crypto_test              # keyring
    tpp_e2e_foundation_test      # executor, stream registry, limits
    tpp_e2e_keys_test            # key rotation
    tpp_e2e_claims_test
    tpp_e2e_claims_crash_test
    tpp_e2e_settlement_test
    tpp_e2e_settlement_crash_test
    tpp_e2e_isolation_test)
