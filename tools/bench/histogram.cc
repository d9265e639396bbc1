#include "tools/bench/histogram.h"

#include <cmath>

namespace tpp::bench {

int Histogram::BucketOf(uint64_t micros) {
  if (micros < 1) micros = 1;
  int b =
      static_cast<int>(std::log2(static_cast<double>(micros)) * kSubBuckets);
  return b >= kBuckets ? kBuckets - 1 : b;
}

double Histogram::UpperBound(int bucket) {
  return std::exp2(static_cast<double>(bucket + 1) / kSubBuckets);
}

void Histogram::Record(uint64_t micros) {
  buckets_[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  uint64_t seen = max_.load(std::memory_order_relaxed);
  while (micros > seen &&
         !max_.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
  }
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
  return n;
}

double Histogram::Quantile(double q) const {
  uint64_t total = count();
  if (total == 0) return 0;
  uint64_t rank =
      static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) {
      double bound = UpperBound(i);
      double m = static_cast<double>(max());
      return bound < m ? bound : m;
    }
  }
  return static_cast<double>(max());
}

}  // namespace tpp::bench
