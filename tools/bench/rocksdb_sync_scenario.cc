// `rocksdb-sync`: the raw synced-write rate of RocksDB on this disk, with as
// many writer threads as the run's concurrency (connections x in-flight),
// each doing synced Puts of 100-byte values in its own key range. The
// baseline the durable scenarios (claims, import) are compared with: no
// server involved.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rocksdb/db.h"
#include "tools/bench/engine.h"
#include "tools/bench/histogram.h"
#include "tools/bench/scenario.h"

namespace tpp::bench {
namespace {

constexpr int kWritersMax = 1024;  // one thread each
constexpr size_t kValueBytes = 100;

class RocksDbSyncScenario final : public Scenario {
 public:
  bool UsesServer() const override { return false; }
  bool SelfDriven() const override { return true; }

  absl::StatusOr<Result> Run(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>&) override {
    const int writers = options.connections * options.inflight;
    if (writers > kWritersMax) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rocksdb-sync runs a thread per slot: at most ", kWritersMax));
    }
    std::string dir = options.db_dir;
    const bool temporary = dir.empty();
    if (temporary) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "tpp-bench-rocksdb-XXXXXX")
              .string();
      if (::mkdtemp(pattern.data()) == nullptr) {
        return absl::InternalError("mkdtemp failed");
      }
      dir = pattern;
    }
    absl::StatusOr<Result> result = Measure(options, dir, writers);
    if (temporary) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
    return result;
  }

 private:
  static absl::StatusOr<Result> Measure(const BenchOptions& options,
                                        const std::string& dir, int writers) {
    rocksdb::Options db_options;
    db_options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db_options, dir, &raw);
    if (!s.ok()) return absl::UnavailableError(s.ToString());
    std::unique_ptr<rocksdb::DB> db(raw);

    using Clock = std::chrono::steady_clock;
    const auto from =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(options.warmup_s));
    const auto to =
        from + std::chrono::duration_cast<Clock::duration>(
                   std::chrono::duration<double>(options.duration_s));
    ShardedHistogram latency;
    std::atomic<uint64_t> ok{0}, failed{0};
    const std::string value(kValueBytes, 'v');
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        rocksdb::WriteOptions sync;
        sync.sync = true;
        for (uint64_t i = 0;; ++i) {
          const auto t0 = Clock::now();
          if (t0 >= to || StopRequested()) return;
          const std::string key = absl::StrFormat("w%04d-%012d", w, i);
          const rocksdb::Status put = db->Put(sync, key, value);
          const auto t1 = Clock::now();
          if (t0 < from || t1 > to) continue;
          if (put.ok()) {
            latency.Record(static_cast<uint64_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0)
                    .count()));
            ok.fetch_add(1, std::memory_order_relaxed);
          } else {
            failed.fetch_add(1, std::memory_order_relaxed);
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    const auto end = std::min(Clock::now(), to);
    s = db->Close();
    db.reset();

    Result result;
    result.scenario = "rocksdb-sync";
    result.unit = "puts";
    result.concurrency = writers;
    result.count = ok.load();
    result.seconds =
        end > from ? std::chrono::duration<double>(end - from).count() : 0;
    result.rate_per_s = result.seconds > 0
                            ? static_cast<double>(result.count) / result.seconds
                            : 0;
    Histogram merged;
    latency.MergeInto(&merged);
    SetLatencies(merged, &result);
    if (failed.load() > 0) result.errors["PUT_FAILED"] = failed.load();
    if (!s.ok()) result.errors["CLOSE_FAILED"] = 1;
    return result;
  }
};

}  // namespace

TPP_REGISTER_SCENARIO("rocksdb-sync", RocksDbSyncScenario);

}  // namespace tpp::bench
