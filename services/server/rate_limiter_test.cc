#include "services/server/rate_limiter.h"

#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

TEST(RateLimiterTest, BurstThenRefusalWithRetryDelayThenRefill) {
  RateLimiter limiter({/*rate_per_s=*/10, /*burst=*/5});
  absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Acquire("spiffe://tpp.local/provider/1", t0).ok()) << i;
  }
  absl::Status refused = limiter.Acquire("spiffe://tpp.local/provider/1", t0);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(RetryDelayOf(refused).has_value());
  EXPECT_EQ(*RetryDelayOf(refused), absl::Milliseconds(100));
  // Another credential has its own bucket.
  EXPECT_TRUE(limiter.Acquire("spiffe://tpp.local/provider/2", t0).ok());
  // 100 ms later one token is back.
  absl::Time t1 = t0 + absl::Milliseconds(100);
  EXPECT_TRUE(limiter.Acquire("spiffe://tpp.local/provider/1", t1).ok());
  EXPECT_FALSE(limiter.Acquire("spiffe://tpp.local/provider/1", t1).ok());
}

TEST(RateLimiterTest, ManyCredentialsStayBounded) {
  RateLimiter::Options options;
  options.credentials_per_shard_max = 4;
  RateLimiter limiter(options);
  absl::Time t = absl::FromUnixSeconds(1'800'000'000);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(limiter.Acquire("cred-" + std::to_string(i), t).ok());
    t += absl::Seconds(10);  // every earlier bucket refills to full
  }
}

}  // namespace
}  // namespace tpp
