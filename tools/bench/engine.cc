#include "tools/bench/engine.h"

#include <atomic>
#include <chrono>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/common/code_names.h"
#include "tools/bench/histogram.h"

namespace tpp::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Loop {
  Scenario* scenario;
  Clock::time_point measure_from;
  Clock::time_point measure_to;
  Histogram latency;
  std::atomic<uint64_t> ok{0};
  std::atomic<uint64_t> sequence{0};
  std::atomic<int> active{0};
  absl::Notification drained;
  absl::Mutex mu;
  std::map<std::string, uint64_t> errors ABSL_GUARDED_BY(mu);

  void Issue(int connection) {
    const Clock::time_point start = Clock::now();
    if (start >= measure_to) {
      if (active.fetch_sub(1) == 1) drained.Notify();
      return;
    }
    scenario->Issue(
        connection, sequence.fetch_add(1),
        [this, connection, start](const grpc::Status& status) {
          const Clock::time_point end = Clock::now();
          if (start >= measure_from && end <= measure_to) {
            if (status.ok()) {
              latency.Record(static_cast<uint64_t>(
                  std::chrono::duration_cast<std::chrono::microseconds>(end -
                                                                        start)
                      .count()));
              ok.fetch_add(1, std::memory_order_relaxed);
            } else {
              absl::MutexLock lock(&mu);
              ++errors[CodeName(status.error_code())];
            }
          }
          Issue(connection);
        });
  }
};

}  // namespace

std::string CodeName(grpc::StatusCode code) {
  return std::string(StatusCodeName(static_cast<int>(code)));
}

absl::StatusOr<Result> RunClosedLoop(
    const std::string& name, Scenario* scenario, const BenchOptions& options,
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  auto loop = std::make_unique<Loop>();
  loop->scenario = scenario;
  const Clock::time_point start = Clock::now();
  loop->measure_from =
      start +
      std::chrono::milliseconds(static_cast<int64_t>(options.warmup_s * 1000));
  loop->measure_to =
      loop->measure_from + std::chrono::milliseconds(
                               static_cast<int64_t>(options.duration_s * 1000));
  const int slots = options.connections * options.inflight;
  loop->active.store(slots);
  for (int c = 0; c < options.connections; ++c) {
    for (int s = 0; s < options.inflight; ++s) loop->Issue(c);
  }
  loop->drained.WaitForNotification();

  Result result;
  result.scenario = name;
  result.count = loop->ok.load();
  result.seconds = options.duration_s;
  result.rate_per_s = static_cast<double>(result.count) / options.duration_s;
  result.p50_us = loop->latency.Quantile(0.50);
  result.p90_us = loop->latency.Quantile(0.90);
  result.p99_us = loop->latency.Quantile(0.99);
  result.p999_us = loop->latency.Quantile(0.999);
  result.max_us = static_cast<double>(loop->latency.max());
  result.concurrency = slots;
  absl::MutexLock lock(&loop->mu);
  result.errors = loop->errors;
  return result;
}

}  // namespace tpp::bench
