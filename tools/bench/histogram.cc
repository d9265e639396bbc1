#include "tools/bench/histogram.h"

#include <cmath>
#include <utility>

namespace tpp::bench {

int Histogram::BucketOf(uint64_t micros) {
  if (micros < 1) micros = 1;
  const int b =
      static_cast<int>(std::log2(static_cast<double>(micros)) * kSubBuckets);
  return b >= kBuckets ? kBuckets - 1 : b;
}

double Histogram::UpperBound(int bucket) {
  return std::exp2(static_cast<double>(bucket + 1) / kSubBuckets);
}

void Histogram::RaiseMax(uint64_t micros) {
  uint64_t seen = max_.load(std::memory_order_relaxed);
  while (micros > seen &&
         !max_.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
  }
}

void Histogram::Record(uint64_t micros) {
  buckets_[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  RaiseMax(micros);
}

void Histogram::Merge(const Histogram& other) {
  for (int i = 0; i < kBuckets; ++i) {
    const uint64_t n = other.buckets_[i].load(std::memory_order_relaxed);
    if (n != 0) buckets_[i].fetch_add(n, std::memory_order_relaxed);
  }
  RaiseMax(other.max());
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
  return n;
}

double Histogram::Quantile(double q) const {
  const uint64_t total = count();
  if (total == 0) return 0;
  uint64_t rank =
      static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  if (rank < 1) rank = 1;
  const double m = static_cast<double>(max());
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) {
      const double bound = UpperBound(i);
      return bound < m ? bound : m;
    }
  }
  return m;
}

namespace {
std::atomic<uint64_t> next_sharded_id{1};
}  // namespace

ShardedHistogram::ShardedHistogram()
    : id_(next_sharded_id.fetch_add(1, std::memory_order_relaxed)) {}

Histogram* ShardedHistogram::Shard() {
  // This thread's shards, by histogram id. A thread records into one or two
  // histograms in a run, so a short list searched from its end is enough;
  // entries of destroyed histograms are never matched again (ids are not
  // reused) and cost 16 bytes each.
  thread_local std::vector<std::pair<uint64_t, Histogram*>> mine;
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
    if (it->first == id_) return it->second;
  }
  absl::MutexLock lock(&mu_);
  shards_.push_back(std::make_unique<Histogram>());
  mine.emplace_back(id_, shards_.back().get());
  return shards_.back().get();
}

void ShardedHistogram::MergeInto(Histogram* out) const {
  absl::MutexLock lock(&mu_);
  for (const auto& shard : shards_) out->Merge(*shard);
}

}  // namespace tpp::bench
