#include "tools/bench/engine.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "services/common/code_names.h"

namespace tpp::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free,
              "RequestStop() runs in a signal handler");

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(s));
}

// One closed loop. Lives until `drained` is notified: after that no slot
// touches it.
class Loop {
 public:
  Loop(Scenario* scenario, Clock::time_point measure_from,
       Clock::time_point measure_to, int slots)
      : scenario_(scenario),
        measure_from_(measure_from),
        measure_to_(measure_to),
        active_(slots) {}

  // A slot of `connection` issues its next call, or retires.
  void Next(int connection);

  void WaitDrained() { drained_.WaitForNotification(); }
  uint64_t ok() const { return ok_.load(); }
  const ShardedHistogram& latency() const { return latency_; }
  std::map<std::string, uint64_t> Errors() const;

 private:
  void IssueOne(int connection);
  void Completed(Clock::time_point start, const grpc::Status& status);

  Scenario* const scenario_;
  const Clock::time_point measure_from_;
  const Clock::time_point measure_to_;
  ShardedHistogram latency_;
  std::atomic<uint64_t> ok_{0};
  // By code; the last entry for a code outside 0..16.
  std::array<std::atomic<uint64_t>, kStatusCodeCount + 1> errors_{};
  std::atomic<uint64_t> sequence_{0};
  std::atomic<int> active_;  // slots not retired
  absl::Notification drained_;
};

void Loop::Next(int connection) {
  // gRPC may run a call's callback on the thread that started the call (a
  // call failing at once, e.g. with no server): issuing the next call from
  // there would nest one frame deeper per call. A slot that comes back on
  // a thread already issuing is queued, and the outermost frame issues it.
  thread_local bool issuing = false;
  thread_local std::vector<std::pair<Loop*, int>> queued;
  if (issuing) {
    queued.emplace_back(this, connection);
    return;
  }
  issuing = true;
  IssueOne(connection);
  while (!queued.empty()) {
    auto [loop, c] = queued.back();
    queued.pop_back();
    loop->IssueOne(c);
  }
  issuing = false;
}

void Loop::IssueOne(int connection) {
  const Clock::time_point start = Clock::now();
  if (start >= measure_to_ || StopRequested()) {
    // The last slot to retire frees the waiter, which destroys this loop.
    if (active_.fetch_sub(1) == 1) drained_.Notify();
    return;
  }
  scenario_->Issue(connection, sequence_.fetch_add(1),
                   [this, connection, start](const grpc::Status& status) {
                     Completed(start, status);
                     Next(connection);
                   });
}

void Loop::Completed(Clock::time_point start, const grpc::Status& status) {
  const Clock::time_point end = Clock::now();
  if (start < measure_from_ || end > measure_to_) return;
  if (status.ok()) {
    latency_.Record(Micros(end - start));
    ok_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const int code = static_cast<int>(status.error_code());
  const int slot =
      code >= 0 && code < kStatusCodeCount ? code : kStatusCodeCount;
  errors_[slot].fetch_add(1, std::memory_order_relaxed);
}

std::map<std::string, uint64_t> Loop::Errors() const {
  std::map<std::string, uint64_t> errors;
  for (int code = 0; code <= kStatusCodeCount; ++code) {
    const uint64_t n = errors_[code].load();
    if (n == 0) continue;
    errors[code < kStatusCodeCount ? std::string(StatusCodeName(code))
                                   : "OUT_OF_RANGE_CODE"] += n;
  }
  return errors;
}

}  // namespace

void RequestStop() { stop_requested.store(true); }
bool StopRequested() { return stop_requested.load(std::memory_order_relaxed); }

std::string CodeName(grpc::StatusCode code) {
  return std::string(StatusCodeName(static_cast<int>(code)));
}

void SetLatencies(const Histogram& latency, Result* result) {
  result->p50_us = latency.Quantile(0.50);
  result->p90_us = latency.Quantile(0.90);
  result->p99_us = latency.Quantile(0.99);
  result->p999_us = latency.Quantile(0.999);
  result->max_us = static_cast<double>(latency.max());
}

absl::StatusOr<Result> RunClosedLoop(
    const std::string& name, Scenario* scenario, const BenchOptions& options,
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  if (options.inflight < 1 ||
      channels.size() != static_cast<size_t>(options.connections)) {
    return absl::InvalidArgumentError(
        "one channel per connection, inflight >= 1");
  }
  const int slots = options.connections * options.inflight;
  const Clock::time_point start = Clock::now();
  const Clock::time_point from = start + Seconds(options.warmup_s);
  const Clock::time_point to = from + Seconds(options.duration_s);
  auto loop = std::make_unique<Loop>(scenario, from, to, slots);
  for (int c = 0; c < options.connections; ++c) {
    for (int s = 0; s < options.inflight; ++s) loop->Next(c);
  }
  loop->WaitDrained();
  // Shorter than asked only after a stop: then up to the last completion.
  const Clock::time_point end = std::min(Clock::now(), to);

  Result result;
  result.scenario = name;
  result.concurrency = slots;
  result.count = loop->ok();
  result.seconds =
      end > from ? std::chrono::duration<double>(end - from).count() : 0;
  result.rate_per_s = result.seconds > 0
                          ? static_cast<double>(result.count) / result.seconds
                          : 0;
  Histogram latency;
  loop->latency().MergeInto(&latency);
  SetLatencies(latency, &result);
  result.errors = loop->Errors();
  return result;
}

double PeakRssMib(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::string digits;
    for (char c : line) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    int64_t kib = 0;
    if (absl::SimpleAtoi(digits, &kib)) return static_cast<double>(kib) / 1024;
  }
  return 0;
}

double CpuSeconds(int pid) {
  if (pid == 0) {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
    auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  if (pid < 0) return -1;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // After the command name (which may hold spaces): state is field 3,
  // utime and stime fields 14 and 15.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields =
      absl::StrSplit(stat.substr(close + 2), ' ', absl::SkipEmpty());
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return -1;
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

}  // namespace tpp::bench
