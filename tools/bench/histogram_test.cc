#include "tools/bench/histogram.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tpp::bench {
namespace {

TEST(HistogramTest, QuantilesWithinBucketPrecision) {
  Histogram h;
  for (uint64_t us = 1; us <= 10000; ++us) h.Record(us);
  EXPECT_EQ(h.count(), 10000u);
  // Never below the true value, at most one bucket (~1.1 %) above it.
  EXPECT_GE(h.Quantile(0.5), 5000);
  EXPECT_LE(h.Quantile(0.5), 5000 * 1.011);
  EXPECT_GE(h.Quantile(0.99), 9900);
  EXPECT_LE(h.Quantile(0.99), 9900 * 1.011);
  EXPECT_GE(h.Quantile(0.999), 9990);
  EXPECT_EQ(h.max(), 10000u);
  EXPECT_EQ(h.Quantile(1.0), 10000);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int i = 0; i < 99; ++i) h.Record(40);
  h.Record(41);
  EXPECT_LT(h.Quantile(0.5), 41);
  EXPECT_EQ(h.Quantile(1.0), 41);
}

TEST(HistogramTest, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Quantile(0.99), 0);
}

TEST(HistogramTest, HugeValuesLandInTheLastBucket) {
  Histogram h;
  h.Record(UINT64_MAX / 2);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), UINT64_MAX / 2);
}

TEST(ShardedHistogramTest, MergesEveryThreadsRecords) {
  ShardedHistogram sharded;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&sharded, t] {
      for (uint64_t i = 0; i < 1000; ++i) sharded.Record(100 * (t + 1));
    });
  }
  for (auto& t : threads) t.join();
  Histogram merged;
  sharded.MergeInto(&merged);
  EXPECT_EQ(merged.count(), 4000u);
  EXPECT_EQ(merged.max(), 400u);
  EXPECT_GE(merged.Quantile(0.25), 100);
  EXPECT_LT(merged.Quantile(0.25), 102);
}

TEST(ShardedHistogramTest, OneThreadTwoHistogramsKeepsThemApart) {
  ShardedHistogram a;
  ShardedHistogram b;
  for (int i = 0; i < 10; ++i) {
    a.Record(10);
    b.Record(1000);
  }
  Histogram ma, mb;
  a.MergeInto(&ma);
  b.MergeInto(&mb);
  EXPECT_EQ(ma.count(), 10u);
  EXPECT_EQ(mb.count(), 10u);
  EXPECT_EQ(ma.max(), 10u);
  EXPECT_EQ(mb.max(), 1000u);
}

}  // namespace
}  // namespace tpp::bench
