// FUZZ_CHECK: a property a fuzz target asserts. A failure prints the
// property (never the input: libFuzzer saves it as crash-<sha1>) and aborts,
// which libFuzzer reports as a crash.
#ifndef TPP_FUZZ_FUZZ_CHECK_H_
#define TPP_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                     \
      std::abort();                                                            \
    }                                                                          \
  } while (false)

#endif  // TPP_FUZZ_FUZZ_CHECK_H_
