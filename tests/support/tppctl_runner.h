// Test support: tppctl run as a separate process, its exit code, stdout and
// stderr captured.
#ifndef TPP_TESTS_SUPPORT_TPPCTL_RUNNER_H_
#define TPP_TESTS_SUPPORT_TPPCTL_RUNNER_H_

#include <string>
#include <vector>

namespace tpp::testing {

struct TppctlRun {
  int exit_code = -1;  // 128 + signal when killed; -1 when it did not run
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] the binary) with stdin from /dev/null; stdout and
// stderr go through files in `scratch_dir`, which must exist.
TppctlRun RunProcess(const std::vector<std::string>& argv,
                     const std::string& scratch_dir);

}  // namespace tpp::testing

#endif  // TPP_TESTS_SUPPORT_TPPCTL_RUNNER_H_
