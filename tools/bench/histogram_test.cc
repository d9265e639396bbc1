#include "tools/bench/histogram.h"

#include "gtest/gtest.h"

namespace tpp::bench {
namespace {

TEST(HistogramTest, QuantilesWithinBucketPrecision) {
  Histogram h;
  for (uint64_t us = 1; us <= 10000; ++us) h.Record(us);
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_NEAR(h.Quantile(0.5), 5000, 5000 * 0.05);
  EXPECT_NEAR(h.Quantile(0.99), 9900, 9900 * 0.05);
  EXPECT_EQ(h.max(), 10000u);
  EXPECT_LE(h.Quantile(1.0), 10000);
}

TEST(HistogramTest, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.Quantile(0.99), 0);
}

}  // namespace
}  // namespace tpp::bench
