#include "services/server/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/hash/hash.h"
#include "services/common/errors.h"

namespace tpp {

void RateLimiter::Refill(Bucket* bucket, absl::Time now) const {
  double elapsed_s = absl::ToDoubleSeconds(now - bucket->refilled);
  if (elapsed_s <= 0) return;
  bucket->tokens = std::min(options_.burst,
                            bucket->tokens + elapsed_s * options_.rate_per_s);
  bucket->refilled = now;
}

void RateLimiter::DropIdle(Shard* shard, absl::Time now) {
  for (auto it = shard->buckets.begin(); it != shard->buckets.end();) {
    Refill(&it->second, now);
    if (it->second.tokens >= options_.burst) {
      shard->buckets.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::Status RateLimiter::Acquire(absl::string_view credential,
                                  absl::Time now) {
  Shard& shard = shards_[absl::Hash<absl::string_view>()(credential) % kShards];
  absl::MutexLock lock(&shard.mu);
  auto it = shard.buckets.find(credential);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= options_.credentials_per_shard_max) {
      DropIdle(&shard, now);
    }
    it = shard.buckets
             .emplace(std::string(credential), Bucket{options_.burst, now})
             .first;
  }
  Bucket& bucket = it->second;
  Refill(&bucket, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::OkStatus();
  }
  double wait_s = (1 - bucket.tokens) / options_.rate_per_s;
  return WithRetryDelay(
      WithReason(absl::ResourceExhaustedError(
                     "request rate limit reached for this credential"),
                 "RATE_LIMITED"),
      absl::Milliseconds(std::max(1.0, std::ceil(wait_s * 1000))));
}

}  // namespace tpp
