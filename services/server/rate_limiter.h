// Per-credential request rate limits: a token bucket per SPIFFE ID.
//
// Thread-safe; sharded so that concurrent callers rarely share a lock.
#ifndef TPP_SERVICES_SERVER_RATE_LIMITER_H_
#define TPP_SERVICES_SERVER_RATE_LIMITER_H_

#include <array>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tpp {

class RateLimiter {
 public:
  struct Options {
    double rate_per_s = 1000;  // sustained calls per second per credential
    double burst = 2000;       // bucket size
    // Buckets kept per shard; full (idle) buckets are dropped past it.
    size_t credentials_per_shard_max = 8192;
  };

  explicit RateLimiter(const Options& options) : options_(options) {}

  // OK, or RESOURCE_EXHAUSTED with a RetryInfo delay when `credential` has
  // no token left at `now`.
  absl::Status Acquire(absl::string_view credential, absl::Time now);

 private:
  struct Bucket {
    double tokens;
    absl::Time refilled;
  };
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Bucket> buckets ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 16;

  void Refill(Bucket* bucket, absl::Time now) const;
  void DropIdle(Shard* shard, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);

  const Options options_;
  std::array<Shard, kShards> shards_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_RATE_LIMITER_H_
