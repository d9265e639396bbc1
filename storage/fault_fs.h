// A RocksDB FileSystem that can pretend the disk is full or read-only: the
// deterministic stand-in, for tests, of a data directory that runs out of
// space or is remounted read-only under load (tests/e2e/disk_faults_test.cc
// uses a real tmpfs too when it can mount one).
//
// Enabled only by tppd's test flag --test_fault_file=PATH: a watcher thread
// reads PATH every 20 ms; "nospace" makes every file creation, append and
// sync fail with ENOSPC's IOError, "readonly" with EROFS's (and deletions
// and renames fail too); anything else (or no file) lets writes through.
//
// Thread-safe.
#ifndef TPP_STORAGE_FAULT_FS_H_
#define TPP_STORAGE_FAULT_FS_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "rocksdb/file_system.h"

namespace tpp::storage {

enum class DiskFault : int { kNone = 0, kNoSpace, kReadOnly };

class FaultInjectionFs : public rocksdb::FileSystemWrapper {
 public:
  // Watches `control_file` (empty: no watcher, set_fault() only).
  FaultInjectionFs(const std::shared_ptr<rocksdb::FileSystem>& target,
                   std::string control_file);
  ~FaultInjectionFs() override;

  static const char* kClassName() { return "TppFaultInjectionFs"; }
  const char* Name() const override { return kClassName(); }

  DiskFault fault() const { return fault_.load(std::memory_order_relaxed); }
  void set_fault(DiskFault fault) { fault_.store(fault); }
  // The error a write gets under the current fault; OK when none.
  rocksdb::IOStatus WriteError(bool deleting_or_renaming = false) const;

  rocksdb::IOStatus NewWritableFile(const std::string& f,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& f, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* r,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& f, const std::string& old_f,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* r,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& f,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& d,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  // 0 while a fault is on: RocksDB's own recovery from a full disk waits
  // for free space, as it would on a real one.
  rocksdb::IOStatus GetFreeSpace(const std::string& path,
                                 const rocksdb::IOOptions& options,
                                 uint64_t* diskfree,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& s, const std::string& t,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;

 private:
  void Watch();

  const std::string control_file_;
  std::atomic<DiskFault> fault_{DiskFault::kNone};
  absl::Notification stop_;
  std::thread watcher_;
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_FAULT_FS_H_
