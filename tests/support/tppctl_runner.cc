#include "tests/support/tppctl_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/tppd_process.h"

extern char** environ;

namespace tpp::testing {

TppctlRun RunProcess(const std::vector<std::string>& argv,
                     const std::string& scratch_dir) {
  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  const std::string out = scratch_dir + "/stdout.txt";
  const std::string err = scratch_dir + "/stderr.txt";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  TppctlRun run;
  if (posix_spawn(&pid, pointers[0], &actions, nullptr, pointers.data(),
                  environ) == 0) {
    int wstatus = 0;
    if (waitpid(pid, &wstatus, 0) == pid) {
      run.exit_code =
          WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  run.out = ReadFileOrEmpty(out);
  run.err = ReadFileOrEmpty(err);
  ::unlink(out.c_str());
  ::unlink(err.c_str());
  return run;
}

}  // namespace tpp::testing
