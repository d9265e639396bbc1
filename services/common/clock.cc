#include "services/common/clock.h"

#include "absl/time/clock.h"

namespace tpp {
namespace {

class WallClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

Clock* SystemClock() {
  static WallClock* const clock = new WallClock();
  return clock;
}

}  // namespace tpp
