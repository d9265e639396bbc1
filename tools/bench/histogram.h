// A latency histogram for tpp-bench: logarithmic buckets (16 per power of
// two, so any percentile is within ~4.4 % of the truth) from 1 µs to ~18 h.
// Record() is lock-free and may be called from any thread.
#ifndef TPP_TOOLS_BENCH_HISTOGRAM_H_
#define TPP_TOOLS_BENCH_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <cstdint>

namespace tpp::bench {

class Histogram {
 public:
  static constexpr int kSubBuckets = 16;
  static constexpr int kBuckets = 36 * kSubBuckets;

  void Record(uint64_t micros);
  uint64_t count() const;
  // The latency at quantile q (0 < q <= 1), in µs.
  double Quantile(double q) const;
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }

 private:
  static int BucketOf(uint64_t micros);
  static double UpperBound(int bucket);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> max_{0};
};

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_HISTOGRAM_H_
