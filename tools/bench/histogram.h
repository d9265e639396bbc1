// Latency histograms for tpp-bench, in the manner of HdrHistogram:
// logarithmic buckets, 64 per power of two, so a percentile read back is at
// most ~1.1 % above the true value, over 1 µs .. ~19 h (slower values land
// in the last bucket; max() stays exact).
#ifndef TPP_TOOLS_BENCH_HISTOGRAM_H_
#define TPP_TOOLS_BENCH_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace tpp::bench {

// Thread safety: every method may be called from any thread at any time
// (relaxed atomics, no lock); a reader racing writers sees some of their
// records. Writers on several threads share cache lines: give each thread
// its own (ShardedHistogram) on a hot path.
class Histogram {
 public:
  static constexpr int kSubBuckets = 64;  // per power of two
  static constexpr int kOctaves = 36;     // 2^36 µs ~ 19 h
  static constexpr int kBuckets = kOctaves * kSubBuckets;

  void Record(uint64_t micros);
  // Adds `other`'s records to this one.
  void Merge(const Histogram& other);

  uint64_t count() const;
  // The latency at quantile q, in µs: the upper bound of the bucket holding
  // the ceil(q * count())-th smallest record, capped at max(); 0 when empty.
  // REQUIRES: 0 < q <= 1.
  double Quantile(double q) const;
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }

 private:
  static int BucketOf(uint64_t micros);
  static double UpperBound(int bucket);
  void RaiseMax(uint64_t micros);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> max_{0};
};

// One Histogram per recording thread, merged when read: Record() costs a
// thread-local look-up and uncontended relaxed atomics, never a lock (but
// for a thread's first record).
// Thread safety: Record() and MergeInto() from any threads.
class ShardedHistogram {
 public:
  ShardedHistogram();
  ShardedHistogram(const ShardedHistogram&) = delete;
  ShardedHistogram& operator=(const ShardedHistogram&) = delete;

  void Record(uint64_t micros) { Shard()->Record(micros); }
  // Adds every shard's records to `out`.
  void MergeInto(Histogram* out) const;

 private:
  Histogram* Shard();

  const uint64_t id_;  // unique for the process: never a reused address
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Histogram>> shards_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_HISTOGRAM_H_
