// The fixture of the RocksDB stores' tests: a database of its own under a
// per-test temporary directory, and its commit queue. A test opens its
// stores in OpenStores() and closes them in CloseStores() (before the
// queue drains) and CloseSealers() (what the queue calls into while it
// drains, e.g. the audit log sealing its groups). Close() then Open()
// restarts the whole node's storage on the same files.
#ifndef TPP_STORAGE_ROCKS_TEST_FIXTURE_H_
#define TPP_STORAGE_ROCKS_TEST_FIXTURE_H_

#include <unistd.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/commit_queue.h"
#include "storage/db.h"

namespace tpp::storage {

class RocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat(
               "tpp-",
               ::testing::UnitTest::GetInstance()
                   ->current_test_info()
                   ->test_suite_name(),
               "-", ::getpid(), "-",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    auto db = Db::Open(dir_.string(), Db::Options());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    commits_ =
        std::make_unique<CommitQueue>(db_->raw(), CommitQueue::Options());
    OpenStores();
  }
  void Close() {
    CloseStores();
    commits_.reset();  // drains before the sealers go
    CloseSealers();
    db_.reset();
  }

  virtual void OpenStores() {}
  virtual void CloseStores() {}
  virtual void CloseSealers() {}

  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<CommitQueue> commits_;
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_ROCKS_TEST_FIXTURE_H_
