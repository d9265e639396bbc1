// A fixed pool of worker threads for the CPU-heavy part of requests
// (validation, encryption), so that gRPC's callback threads only move
// messages: a reactor hands its work here and returns at once.
//
// Thread-safe. Tasks must not block on I/O; they may take milliseconds.
#ifndef TPP_SERVICES_SERVER_EXECUTOR_H_
#define TPP_SERVICES_SERVER_EXECUTOR_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace tpp {

class Executor {
 public:
  explicit Executor(int threads);
  // Runs what is queued, then joins the threads.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Run(std::function<void()> task);

 private:
  void Loop();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !tasks_.empty();
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_EXECUTOR_H_
