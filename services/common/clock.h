// Clock: where the domain cores read the time, so that tests can set it
// (STYLE.md: the clock goes through an interface, like LevelDB's Env).
//
// Thread-safe: implementations may be called from any thread.
#ifndef TPP_SERVICES_COMMON_CLOCK_H_
#define TPP_SERVICES_COMMON_CLOCK_H_

#include <atomic>

#include "absl/time/time.h"

namespace tpp {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The wall clock. Never deleted.
Clock* SystemClock();

// A clock that moves only when told: for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start) : now_ns_(absl::ToUnixNanos(start)) {}
  absl::Time Now() const override {
    return absl::FromUnixNanos(now_ns_.load(std::memory_order_relaxed));
  }
  void Set(absl::Time t) { now_ns_.store(absl::ToUnixNanos(t)); }
  void Advance(absl::Duration d) {
    now_ns_.fetch_add(absl::ToInt64Nanoseconds(d));
  }

 private:
  std::atomic<int64_t> now_ns_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_CLOCK_H_
