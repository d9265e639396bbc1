// `rocksdb-sync`: the raw synced-write rate of RocksDB on this disk, with as
// many writer threads as the run's concurrency (connections x in-flight),
// each doing synced Puts of 100-byte values. The baseline the durable
// scenarios (claims, import) are compared with: no server involved.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "tools/bench/engine.h"
#include "tools/bench/histogram.h"
#include "tools/bench/scenario.h"

namespace tpp::bench {
namespace {

class RocksDbSyncScenario final : public Scenario {
 public:
  bool SelfDriven() const override { return true; }

  absl::StatusOr<Result> Run(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>&) override {
    const bool temporary = options.db_dir.empty();
    const std::string dir =
        temporary ? (std::filesystem::temp_directory_path() /
                     absl::StrCat("tpp-bench-rocksdb-", ::getpid()))
                        .string()
                  : options.db_dir;
    rocksdb::Options db_options;
    db_options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db_options, dir, &raw);
    if (!s.ok()) return absl::UnavailableError(s.ToString());
    std::unique_ptr<rocksdb::DB> db(raw);

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto from = start + std::chrono::milliseconds(static_cast<int64_t>(
                                  options.warmup_s * 1000));
    const auto to = from + std::chrono::milliseconds(
                               static_cast<int64_t>(options.duration_s * 1000));
    const int writers = options.connections * options.inflight;
    Histogram latency;
    std::atomic<uint64_t> ok{0}, failed{0};
    std::vector<std::thread> threads;
    const std::string value(100, 'v');
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        rocksdb::WriteOptions sync;
        sync.sync = true;
        for (uint64_t i = 0;; ++i) {
          auto t0 = Clock::now();
          if (t0 >= to) return;
          rocksdb::Status put =
              db->Put(sync, absl::StrCat("w", w, "-", i), value);
          auto t1 = Clock::now();
          if (t0 >= from && t1 <= to) {
            if (put.ok()) {
              latency.Record(static_cast<uint64_t>(
                  std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0)
                      .count()));
              ok.fetch_add(1);
            } else {
              failed.fetch_add(1);
            }
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    db.reset();
    if (temporary) std::filesystem::remove_all(dir);

    Result result;
    result.scenario = "rocksdb-sync";
    result.unit = "puts";
    result.count = ok.load();
    result.seconds = options.duration_s;
    result.rate_per_s = static_cast<double>(result.count) / options.duration_s;
    result.p50_us = latency.Quantile(0.5);
    result.p90_us = latency.Quantile(0.9);
    result.p99_us = latency.Quantile(0.99);
    result.p999_us = latency.Quantile(0.999);
    result.max_us = static_cast<double>(latency.max());
    result.concurrency = writers;
    if (failed.load() > 0) result.errors["PUT_FAILED"] = failed.load();
    return result;
  }
};

}  // namespace

TPP_REGISTER_SCENARIO("rocksdb-sync", RocksDbSyncScenario);

}  // namespace tpp::bench
