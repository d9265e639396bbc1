#include "storage/db.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "storage/rocks_test_fixture.h"

namespace tpp::storage {
namespace {

// The fixture's commit queue stays idle: these tests write to the database
// directly.
class DbTest : public RocksTest {
 protected:
  // `rows` rows of `value_bytes` each into `cf`, keys prefixed `prefix`.
  void Fill(Cf cf, const std::string& prefix, int rows, size_t value_bytes) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < rows; ++i) {
      ASSERT_TRUE(batch
                      .Put(db_->cf(cf), absl::StrCat(prefix, i),
                           std::string(value_bytes, char('a' + i % 26)))
                      .ok());
    }
    // A write that would stall fails instead (the second test).
    rocksdb::WriteOptions options;
    options.sync = true;
    options.no_slowdown = true;
    rocksdb::Status written = db_->raw()->Write(options, &batch);
    ASSERT_TRUE(written.ok()) << written.ToString();
  }
  uint64_t Property(Cf cf, const std::string& name) {
    uint64_t value = 0;
    EXPECT_TRUE(db_->raw()->GetIntProperty(db_->cf(cf), name, &value)) << name;
    return value;
  }
  uint64_t FilesAtL0(Cf cf) {
    std::string value;
    EXPECT_TRUE(db_->raw()->GetProperty(db_->cf(cf),
                                        "rocksdb.num-files-at-level0", &value));
    return std::stoull(value);
  }
  uint64_t Pending(Cf cf) {
    return Property(cf, "rocksdb.num-immutable-mem-table");
  }
};

TEST_F(DbTest, FlushLargeFlushesOnlyTheFamiliesPastTheThreshold) {
  Fill(Cf::kMembers, "m", 2000, 1024);
  Fill(Cf::kMemberKeys, "k", 100, 64);
  db_->FlushLarge({Cf::kMembers, Cf::kMemberKeys}, 1000);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (FilesAtL0(Cf::kMembers) == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(FilesAtL0(Cf::kMembers), 1u);
  EXPECT_EQ(Property(Cf::kMembers, "rocksdb.num-entries-active-mem-table"), 0u);
  // The small family stays in its memtable: no small file for it.
  EXPECT_EQ(FilesAtL0(Cf::kMemberKeys), 0u);
  EXPECT_EQ(Pending(Cf::kMemberKeys), 0u);
  // Both still read, from the file and from the memtable.
  absl::StatusOr<std::string> member = db_->Get(Cf::kMembers, "m1999");
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_EQ(*member, std::string(1024, char('a' + 1999 % 26)));
  absl::StatusOr<std::string> key = db_->Get(Cf::kMemberKeys, "k99");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, std::string(64, char('a' + 99 % 26)));
}

TEST_F(DbTest, FlushLargeNeverQueuesTheFlushThatWouldStopWrites) {
  // Flushes are queued but none runs: memtables pile up as they would
  // behind a slow disk.
  ASSERT_TRUE(db_->raw()->PauseBackgroundWork().ok());
  for (int round = 0; round < 4; ++round) {
    Fill(Cf::kMembers, absl::StrCat("r", round, "-"), 1100, 1024);
    db_->FlushLarge({Cf::kMembers}, 1000);
  }
  const uint64_t stop = uint64_t(
      db_->raw()->GetOptions(db_->cf(Cf::kMembers)).max_write_buffer_number);
  ASSERT_GE(stop, 2u);
  EXPECT_EQ(Pending(Cf::kMembers), stop - 1);
  // Writes still go through at once.
  Fill(Cf::kMembers, "late", 1, 16);
  ASSERT_TRUE(db_->raw()->ContinueBackgroundWork().ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (Pending(Cf::kMembers) > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Pending(Cf::kMembers), 0u);
  // (The queued memtables may be written as one file.)
  EXPECT_GE(FilesAtL0(Cf::kMembers), 1u);
  absl::StatusOr<std::string> first = db_->Get(Cf::kMembers, "r0-7");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::string> last = db_->Get(Cf::kMembers, "r3-1099");
  ASSERT_TRUE(last.ok()) << last.status();
}

}  // namespace
}  // namespace tpp::storage
