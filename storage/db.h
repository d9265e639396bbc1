// The node's one RocksDB instance, with a column family per record kind
// (DESIGN.md, "Data at rest"). Cores never see this type: they talk to
// store interfaces that storage/ implements on top of it.
//
// Thread-safe: RocksDB handles are safe for concurrent use; Db adds no state.
#ifndef TPP_STORAGE_DB_H_
#define TPP_STORAGE_DB_H_

#include <array>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"

namespace tpp::storage {

enum class Cf : int {
  kDefault = 0,
  kMembers,
  kMemberIndex,
  kMemberKeys,
  kContracts,
  kClaims,
  kClaimIdempotency,
  kClaimsByProvider,
  kClaimsByInsurer,
  kUsage,
  kLedger,
  kSettlements,
  kAudit,
  kControl,
};
inline constexpr int kCfCount = static_cast<int>(Cf::kControl) + 1;

// The column family's name on disk.
absl::string_view CfName(Cf cf);

// Maps a RocksDB status to the code a caller should act on: a full or
// read-only disk is UNAVAILABLE (retry later), corruption is DATA_LOSS.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what);

// Whether `db`'s directory takes writes again after a write error: free
// space for a flush of every memtable plus 4 MiB (RocksDB's Resume()
// flushes, and a flush that fails during recovery makes the error fatal,
// curable only by a restart), and a 1 MiB file written, synced, removed.
// UNAVAILABLE, saying why, when not.
absl::Status DiskWritable(rocksdb::DB* db);

class Db {
 public:
  struct Options {
    bool create_if_missing = true;
    size_t block_cache_bytes = size_t{256} << 20;
    // Tests only (tppd --test_fault_file): a file whose content makes the
    // disk look full or read-only (storage/fault_fs.h). Empty: the real disk.
    std::string fault_control_file;
  };

  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& dir,
                                                  const Options& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  rocksdb::DB* raw() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf cf) const {
    return handles_[static_cast<int>(cf)];
  }

  // NOT_FOUND when the key is absent.
  absl::StatusOr<std::string> Get(Cf cf, absl::string_view key) const;
  // Calls `f(key, value)` for every row of `cf` whose key starts with
  // `prefix` (empty: every row), in key order, from `start` on (empty: from
  // the prefix). `f` returns CANCELLED to stop early (Scan then returns OK)
  // or another error to abort with it.
  using RowVisitor = std::function<absl::Status(absl::string_view key,
                                                absl::string_view value)>;
  absl::Status Scan(Cf cf, absl::string_view prefix, absl::string_view start,
                    const RowVisitor& f) const;
  // An iterator over every row of `cf`, in key order (reads may block on
  // the disk).
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf cf) const;
  // Writes one batch with sync; blocks the caller for the sync. For start-up
  // and tools: request paths go through CommitQueue.
  absl::Status WriteSync(rocksdb::WriteBatch* batch);
  // Flushes memtables and syncs the WAL: used at shutdown.
  absl::Status Flush();
  // Starts flushing the memtable of each of `families` that holds at least
  // `min_rows` rows, and returns without waiting for the flushes. Skips a
  // family whose earlier memtables are still waiting for their flush if one
  // more would stop every write until they are done. May wait for the write in
  // progress and create a WAL file: not for reactors.
  void FlushLarge(std::initializer_list<Cf> families, uint64_t min_rows);

 private:
  Db() = default;
  std::unique_ptr<rocksdb::Env> env_;  // outlives db_; null: the default
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kCfCount> handles_{};
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_DB_H_
