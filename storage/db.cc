#include "storage/db.h"

#include <cstdarg>
#include <cstdio>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "services/common/cache_only_reads.h"
#include "services/common/log.h"
#include "storage/audit_keys.h"
#include "storage/fault_fs.h"
#include "storage/int64_add.h"

namespace tpp::storage {
namespace {

constexpr std::array<absl::string_view, kCfCount> kCfNames = {
    "default",
    "members",
    "member_index",
    "member_keys",
    "contracts",
    "claims",
    "claim_idempotency",
    "claims_by_provider",
    "claims_by_insurer",
    "usage",
    "ledger",
    "settlements",
    "audit",
    "control",
};

// RocksDB's own log, as tppd's JSON lines on stderr (warnings and worse)
// instead of a LOG file in the data directory: on a full disk, RocksDB 7.8
// (Debian's build keeps assertions) aborts the process when it logs again
// to a LOG file whose write failed.
class StderrRocksLogger : public rocksdb::Logger {
 public:
  StderrRocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    Log(LogLevel::kWarning, "rocksdb", {{"message", line}});
  }
};

// The audit family's rows by kind, for memtable insert hints: each kind
// is written in key order (records and checkpoints by sequence, each
// credential's index rows by time: storage/audit_keys.h), so the memtable
// resumes each insert where the kind's last one landed instead of searching
// the skip list from its top. An index row's kind is its credential.
class AuditRowKind : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "tpp.AuditRowKind"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    if (key[0] == kAuditCredentialPrefix &&
        key.size() > 1 + kAuditCredentialSuffixBytes) {
      return rocksdb::Slice(key.data(),
                            key.size() - kAuditCredentialSuffixBytes);
    }
    return rocksdb::Slice(key.data(), 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return !key.empty();
  }
};

}  // namespace

absl::string_view CfName(Cf cf) { return kCfNames[static_cast<int>(cf)]; }

absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsInvalidArgument()) return absl::InternalError(message);
  // IO errors (disk full, read-only file system), busy, timed out, shutdown:
  // the caller should retry later.
  return absl::UnavailableError(message);
}

// Under CacheOnlyReads, reads stay in the memtables and the block cache:
// one that needs a table block from disk ends Incomplete.
rocksdb::ReadOptions ReadOptionsHere() {
  rocksdb::ReadOptions options;
  if (CacheOnlyReads::Active()) options.read_tier = rocksdb::kBlockCacheTier;
  return options;
}

absl::Status DiskWritable(rocksdb::DB* db) {
  rocksdb::FileSystem* fs = db->GetFileSystem();
  const rocksdb::IOOptions io;
  uint64_t memtables = 0;
  db->GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  const uint64_t needed = memtables + (uint64_t{4} << 20);
  uint64_t free_bytes = 0;
  if (fs->GetFreeSpace(db->GetName(), io, &free_bytes, nullptr).ok() &&
      free_bytes < needed) {
    return absl::UnavailableError(absl::StrCat(
        "free space ", free_bytes, " bytes, a flush needs ", needed));
  }
  const std::string probe = db->GetName() + "/WRITE-PROBE";
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s =
      fs->NewWritableFile(probe, rocksdb::FileOptions(), &file, nullptr);
  if (s.ok()) {
    const std::string block(1 << 20, '\0');
    s = file->Append(block, io, nullptr);
    if (s.ok()) s = file->Sync(io, nullptr);
    rocksdb::IOStatus closed = file->Close(io, nullptr);
    if (s.ok()) s = closed;
  }
  fs->DeleteFile(probe, io, nullptr).PermitUncheckedError();
  return FromRocks(s, "writing a probe file");
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& dir,
                                             const Options& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  // One writer (the commit queue): memtable inserts need not be
  // concurrent, and so may use the audit family's insert hints (below).
  db_options.allow_concurrent_memtable_write = false;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 4;
  db_options.max_total_wal_size = uint64_t{256} << 20;
  db_options.info_log = std::make_shared<StderrRocksLogger>();
  std::unique_ptr<rocksdb::Env> env;
  if (!options.fault_control_file.empty()) {
    env = rocksdb::NewCompositeEnv(std::make_shared<FaultInjectionFs>(
        rocksdb::FileSystem::Default(), options.fault_control_file));
    db_options.env = env.get();
  }

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  // Every read consults the newest (level-0) files first: keep their filter
  // and index blocks held rather than looked up in the cache each time.
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The member families: point look-ups only, each row found in its data
  // block by hash rather than by binary search, and each row a restart
  // point, so that the hash leads to the row itself rather than to a run of
  // 16 to parse (3 Gets of a check: 7.6 vs 8.6 µs of CPU, /tmp micro-bench
  // over 100,000 members; ~4 more bytes a row). Not prepopulating the block
  // cache at flush: eligibility right after an import was no faster, and a
  // 1,000,000-member import cost ~1 µs more per member and 250 MiB more RSS.
  rocksdb::BlockBasedTableOptions point_table = table;
  point_table.data_block_index_type =
      rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  point_table.block_restart_interval = 1;
  cf_options.write_buffer_size = 32 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kCfCount; ++i) {
    rocksdb::ColumnFamilyOptions options_for_cf = cf_options;
    const Cf cf = static_cast<Cf>(i);
    if (cf == Cf::kMembers || cf == Cf::kMemberKeys || cf == Cf::kMemberIndex) {
      // Ciphertext and HMACs do not compress: don't spend CPU trying.
      options_for_cf.compression = rocksdb::kNoCompression;
      options_for_cf.table_factory.reset(
          rocksdb::NewBlockBasedTableFactory(point_table));
      // Look-ups read sorted files, not a skip list: walks of a memtable
      // holding 100,000 just-imported members took ~11 % of tppd's CPU
      // under eligibility. Not a hash-bucketed memtable either: it made
      // those Gets cheap but sorting it at each flush cost an import of
      // 1,000,000 members a third of its rate (25 vs 17 µs per member).
      // Three memtables, not two: the flush at the end of an import can
      // start while its last full memtable is still being written out
      // without stopping every write.
      options_for_cf.max_write_buffer_number = 3;
    }
    // Imports look up every member's index entry before writing it, and
    // most are new: a memtable bloom filter answers those misses without
    // walking the skip list. Eligibility reads a member's rows and usage:
    // the ones already flushed, or never written, skip the walk the same way.
    if (cf == Cf::kMemberIndex || cf == Cf::kMembers || cf == Cf::kMemberKeys ||
        cf == Cf::kUsage) {
      options_for_cf.memtable_whole_key_filtering = true;
      options_for_cf.memtable_prefix_bloom_size_ratio = 0.1;
    }
    if (cf == Cf::kAudit) {
      options_for_cf.memtable_insert_with_hint_prefix_extractor =
          std::make_shared<AuditRowKind>();
    }
    // Ceiling usage and ledger balances are written as deltas
    // (storage/int64_add.h).
    if (cf == Cf::kUsage || cf == Cf::kLedger) {
      options_for_cf.merge_operator = std::make_shared<Int64AddOperator>();
    }
    descriptors.emplace_back(std::string(kCfNames[i]), options_for_cf);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening the database");

  std::unique_ptr<Db> db(new Db());
  db->env_ = std::move(env);
  db->db_.reset(raw);
  for (int i = 0; i < kCfCount; ++i) db->handles_[i] = handles[i];
  return db;
}

Db::~Db() {
  if (!db_) return;
  for (auto* handle : handles_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  db_->Close();
  db_.reset();
}

absl::StatusOr<std::string> Db::Get(Cf cf, absl::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(ReadOptionsHere(), handles_[int(cf)],
                               rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return absl::NotFoundError("no such record");
  if (s.IsIncomplete()) return WouldBlockError();
  if (!s.ok()) return FromRocks(s, "reading");
  return value;
}

absl::Status Db::Scan(Cf cf, absl::string_view prefix, absl::string_view start,
                      const RowVisitor& f) const {
  const absl::string_view from = start.empty() ? prefix : start;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ReadOptionsHere(), handles_[int(cf)]));
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid();
       it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (!absl::StartsWith(key, prefix)) break;
    absl::Status s =
        f(key, absl::string_view(it->value().data(), it->value().size()));
    if (absl::IsCancelled(s)) break;  // the visitor's way to stop
    if (!s.ok()) return s;
  }
  if (it->status().IsIncomplete()) return WouldBlockError();
  return FromRocks(it->status(), "scanning");
}

std::unique_ptr<rocksdb::Iterator> Db::NewIterator(Cf cf) const {
  return std::unique_ptr<rocksdb::Iterator>(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[int(cf)]));
}

absl::Status Db::WriteSync(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocks(db_->Write(write_options, batch), "writing");
}

absl::Status Db::Flush() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(),
                                                handles_.end());
  rocksdb::Status s = db_->Flush(rocksdb::FlushOptions(), all);
  if (!s.ok()) return FromRocks(s, "flushing");
  return FromRocks(db_->SyncWAL(), "syncing the WAL");
}

void Db::FlushLarge(std::initializer_list<Cf> families, uint64_t min_rows) {
  std::vector<rocksdb::ColumnFamilyHandle*> due;
  for (Cf family : families) {
    rocksdb::ColumnFamilyHandle* handle = cf(family);
    // Rows, not bytes: a memtable's size counts its bloom filter, allocated
    // whole when it is created.
    uint64_t rows = 0;
    uint64_t pending = 0;
    if (!db_->GetIntProperty(handle, "rocksdb.num-entries-active-mem-table",
                             &rows) ||
        !db_->GetIntProperty(handle, "rocksdb.num-immutable-mem-table",
                             &pending)) {
      continue;
    }
    // RocksDB stops every write while a family has this many memtables
    // waiting for their flush.
    const uint64_t stop =
        uint64_t(db_->GetOptions(handle).max_write_buffer_number);
    if (rows >= min_rows && pending + 1 < stop) due.push_back(handle);
  }
  if (due.empty()) return;
  rocksdb::FlushOptions options;
  options.wait = false;
  // Do not wait for a flush to become stall-free: checked above.
  options.allow_write_stall = true;
  db_->Flush(options, due).PermitUncheckedError();  // best effort
}

}  // namespace tpp::storage
