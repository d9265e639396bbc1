#include "storage/commit_queue.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace tpp::storage

namespace tpp::storage {
namespace {

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

}  // namespace
}  // namespace tpp::storage
