#include "storage/commit_queue.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/common/cache_only_reads.h"
#include "storage/db.h"

namespace tpp::storage {
namespace {

class CommitQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat(
               "tpp-cq-", ::getpid(), "-",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto db = Db::Open(dir_.string(), Db::Options());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    db_.reset();
    auto db = Db::Open(dir_.string(), Db::Options());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
};

TEST_F(CommitQueueTest, ConcurrentCommitsAreAllDurableAndGrouped) {
  constexpr int kThreads = 32;
  constexpr int kPerThread = 300;
  std::atomic<int> acknowledged{0};
  std::atomic<int> failed{0};
  {
    CommitQueue queue(db_->raw(), CommitQueue::Options());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          rocksdb::WriteBatch batch;
          // Two column families in one batch: both or neither land.
          std::string key = absl::StrCat("k", t, "-", i);
          batch.Put(db_->cf(Cf::kClaims), key, absl::StrCat("v", i));
          batch.Put(db_->cf(Cf::kLedger), key, "entry");
          queue.Commit(std::move(batch), [&](absl::Status s) {
            (s.ok() ? acknowledged : failed).fetch_add(1);
          });
        }
      });
    }
    for (auto& t : threads) t.join();
    queue.Stop();
    CommitQueue::Stats stats = queue.stats();
    EXPECT_EQ(stats.batches, uint64_t{kThreads * kPerThread});
    EXPECT_LT(stats.groups, stats.batches) << "no group was ever formed";
  }
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  EXPECT_EQ(failed.load(), 0);
  Reopen();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string key = absl::StrCat("k", t, "-", i);
      auto claim = db_->Get(Cf::kClaims, key);
      ASSERT_TRUE(claim.ok()) << key;
      EXPECT_EQ(*claim, absl::StrCat("v", i));
      EXPECT_TRUE(db_->Get(Cf::kLedger, key).ok()) << key;
    }
  }
}

TEST_F(CommitQueueTest, BatchesLandInCommitOrder) {
  CommitQueue queue(db_->raw(), CommitQueue::Options());
  for (int i = 0; i < 1000; ++i) {
    rocksdb::WriteBatch batch;
    batch.Put(db_->cf(Cf::kControl), "state", absl::StrCat(i));
    queue.Commit(std::move(batch), [](absl::Status) {});
  }
  rocksdb::WriteBatch last;
  last.Delete(db_->cf(Cf::kControl), "other");
  ASSERT_TRUE(queue.CommitAndWait(std::move(last)).ok());
  EXPECT_EQ(*db_->Get(Cf::kControl, "state"), "999");
}

TEST_F(CommitQueueTest, RefusesAfterStop) {
  CommitQueue queue(db_->raw(), CommitQueue::Options());
  queue.Stop();
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Cf::kControl), "k", "v");
  absl::Status status = queue.CommitAndWait(std::move(batch));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::IsNotFound(db_->Get(Cf::kControl, "k").status()));
}

TEST_F(CommitQueueTest, RefusesWhenFull) {
  CommitQueue::Options options;
  options.queue_length_max = 0;
  CommitQueue queue(db_->raw(), options);
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Cf::kControl), "k", "v");
  EXPECT_EQ(queue.CommitAndWait(std::move(batch)).code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(CommitQueueTest, BuilderSeesEveryEarlierWriteAndNothingLater) {
  CommitQueue queue(db_->raw(), CommitQueue::Options());
  for (int i = 0; i < 500; ++i) {
    rocksdb::WriteBatch batch;
    batch.Put(db_->cf(Cf::kControl), "counter", absl::StrCat(i));
    queue.Commit(std::move(batch), [](absl::Status) {});
  }
  std::string seen;
  Db* db = db_.get();
  queue.CommitBuilt(
      [&seen, db](rocksdb::WriteBatch* batch) {
        seen = *db->Get(Cf::kControl, "counter");
        batch->Put(db->cf(Cf::kControl), "copy", seen);
        return absl::OkStatus();
      },
      [](absl::Status s) { EXPECT_TRUE(s.ok()); });
  rocksdb::WriteBatch later;
  later.Put(db_->cf(Cf::kControl), "counter", "later");
  ASSERT_TRUE(queue.CommitAndWait(std::move(later)).ok());
  EXPECT_EQ(seen, "499");
  EXPECT_EQ(*db_->Get(Cf::kControl, "copy"), "499");
  EXPECT_EQ(*db_->Get(Cf::kControl, "counter"), "later");
}

TEST_F(CommitQueueTest, AFailedBuilderWritesNothing) {
  CommitQueue queue(db_->raw(), CommitQueue::Options());
  absl::Status result;
  absl::Notification done;
  queue.CommitBuilt(
      [this](rocksdb::WriteBatch* batch) {
        batch->Put(db_->cf(Cf::kControl), "half", "written");
        return absl::AbortedError("changed my mind");
      },
      [&](absl::Status s) {
        result = s;
        done.Notify();
      });
  done.WaitForNotification();
  EXPECT_EQ(result.code(), absl::StatusCode::kAborted);
  rocksdb::WriteBatch after;
  after.Put(db_->cf(Cf::kControl), "after", "x");
  ASSERT_TRUE(queue.CommitAndWait(std::move(after)).ok());
  EXPECT_TRUE(absl::IsNotFound(db_->Get(Cf::kControl, "half").status()));
}

TEST_F(CommitQueueTest, CallsCompleteInCommitOrderAcrossGroups) {
  // Slow completions keep batches queued behind each group, so groups are
  // handed to the completer thread: still one at a time, in order, and
  // each after its batch is readable.
  constexpr int kBatches = 2000;
  std::vector<int> completed;
  absl::Mutex mu;
  std::atomic<int> unreadable{0};
  {
    CommitQueue queue(db_->raw(), CommitQueue::Options());
    for (int i = 0; i < kBatches; ++i) {
      rocksdb::WriteBatch batch;
      const std::string key = absl::StrCat("c", i);
      batch.Put(db_->cf(Cf::kClaims), key, "v");
      queue.Commit(std::move(batch), [&, i, key](absl::Status s) {
        ASSERT_TRUE(s.ok()) << s;
        if (!db_->Get(Cf::kClaims, key).ok()) unreadable.fetch_add(1);
        if (i % 100 == 0) absl::SleepFor(absl::Milliseconds(1));
        absl::MutexLock lock(&mu);
        completed.push_back(i);
      });
    }
    queue.Stop();
    EXPECT_LT(queue.stats().groups, uint64_t{kBatches});
  }
  ASSERT_EQ(completed.size(), size_t{kBatches}) << "Stop() lost completions";
  for (int i = 0; i < kBatches; ++i) ASSERT_EQ(completed[i], i);
  EXPECT_EQ(unreadable.load(), 0);
}

TEST_F(CommitQueueTest, CacheOnlyReadsNeverReadTheDisk) {
  {
    CommitQueue queue(db_->raw(), CommitQueue::Options());
    rocksdb::WriteBatch batch;
    batch.Put(db_->cf(Cf::kClaims), "on-disk", "v");
    ASSERT_TRUE(queue.CommitAndWait(std::move(batch)).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  Reopen();  // an empty block cache; the row is in a table file only
  {
    CacheOnlyReads in_memory;
    absl::StatusOr<std::string> cold = db_->Get(Cf::kClaims, "on-disk");
    EXPECT_TRUE(IsWouldBlock(cold.status())) << cold.status();
    // Absent rows answer from the filters alone, or would block: never a
    // wrong NOT_FOUND for a row that exists.
    absl::Status scanned = db_->Scan(
        Cf::kClaims, "", "",
        [](absl::string_view, absl::string_view) { return absl::OkStatus(); });
    EXPECT_TRUE(scanned.ok() || IsWouldBlock(scanned)) << scanned;
  }
  // Outside the scope the read goes to disk, and warms the cache.
  absl::StatusOr<std::string> warm = db_->Get(Cf::kClaims, "on-disk");
  ASSERT_TRUE(warm.ok()) << warm.status();
  EXPECT_EQ(*warm, "v");
  CacheOnlyReads in_memory;
  absl::StatusOr<std::string> cached = db_->Get(Cf::kClaims, "on-disk");
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_EQ(*cached, "v");
  EXPECT_FALSE(IsWouldBlock(absl::UnavailableError("disk full")));
}

}  // namespace
}  // namespace tpp::storage
