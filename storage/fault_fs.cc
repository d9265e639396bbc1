#include "storage/fault_fs.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"

namespace tpp::storage {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// A writable file whose appends and syncs fail while the fault is on.
class FaultyWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> target,
                     const FaultInjectionFs* fs)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->WriteError();
    return s.ok() ? target()->Append(data, options, dbg) : s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->WriteError();
    return s.ok() ? target()->Append(data, options, info, dbg) : s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            IODebugContext* dbg) override {
    IOStatus s = fs_->WriteError();
    return s.ok() ? target()->PositionedAppend(data, offset, options, dbg) : s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    IOStatus s = fs_->WriteError();
    return s.ok() ? target()->PositionedAppend(data, offset, options, info, dbg)
                  : s;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->WriteError();
    return s.ok() ? target()->Sync(options, dbg) : s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->WriteError();
    return s.ok() ? target()->Fsync(options, dbg) : s;
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& options,
                     IODebugContext* dbg) override {
    IOStatus s = fs_->WriteError();
    return s.ok() ? target()->RangeSync(offset, nbytes, options, dbg) : s;
  }

 private:
  const FaultInjectionFs* fs_;
};

DiskFault ParseFault(const std::string& text) {
  const std::string word(absl::StripAsciiWhitespace(text));
  if (word == "nospace") return DiskFault::kNoSpace;
  if (word == "readonly") return DiskFault::kReadOnly;
  return DiskFault::kNone;
}

}  // namespace

FaultInjectionFs::FaultInjectionFs(
    const std::shared_ptr<rocksdb::FileSystem>& target,
    std::string control_file)
    : FileSystemWrapper(target), control_file_(std::move(control_file)) {
  if (control_file_.empty()) return;
  Watch();  // the state at open, before the first write
  watcher_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(absl::Milliseconds(20))) {
      Watch();
    }
  });
}

FaultInjectionFs::~FaultInjectionFs() {
  stop_.Notify();
  if (watcher_.joinable()) watcher_.join();
}

void FaultInjectionFs::Watch() {
  std::ifstream in(control_file_);
  std::stringstream text;
  if (in) text << in.rdbuf();
  set_fault(ParseFault(text.str()));
}

IOStatus FaultInjectionFs::WriteError(bool deleting_or_renaming) const {
  switch (fault()) {
    case DiskFault::kNone:
      return IOStatus::OK();
    case DiskFault::kNoSpace:
      // A full disk still lets files go (that is how space comes back).
      if (deleting_or_renaming) return IOStatus::OK();
      return IOStatus::NoSpace("injected", "No space left on device");
    case DiskFault::kReadOnly:
      return IOStatus::IOError("injected", "Read-only file system");
  }
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::NewWritableFile(
    const std::string& f, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = WriteError();
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->NewWritableFile(f, options, &file, dbg);
  if (s.ok()) r->reset(new FaultyWritableFile(std::move(file), this));
  return s;
}

IOStatus FaultInjectionFs::ReopenWritableFile(
    const std::string& f, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = WriteError();
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->ReopenWritableFile(f, options, &file, dbg);
  if (s.ok()) r->reset(new FaultyWritableFile(std::move(file), this));
  return s;
}

IOStatus FaultInjectionFs::ReuseWritableFile(
    const std::string& f, const std::string& old_f,
    const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = WriteError();
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->ReuseWritableFile(f, old_f, options, &file, dbg);
  if (s.ok()) r->reset(new FaultyWritableFile(std::move(file), this));
  return s;
}

IOStatus FaultInjectionFs::NewRandomRWFile(
    const std::string& f, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSRandomRWFile>* r, IODebugContext* dbg) {
  IOStatus s = WriteError();
  return s.ok() ? target()->NewRandomRWFile(f, options, r, dbg) : s;
}

IOStatus FaultInjectionFs::CreateDir(const std::string& d,
                                     const IOOptions& options,
                                     IODebugContext* dbg) {
  IOStatus s = WriteError();
  return s.ok() ? target()->CreateDir(d, options, dbg) : s;
}

IOStatus FaultInjectionFs::DeleteFile(const std::string& f,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  IOStatus s = WriteError(/*deleting_or_renaming=*/true);
  return s.ok() ? target()->DeleteFile(f, options, dbg) : s;
}

IOStatus FaultInjectionFs::RenameFile(const std::string& s,
                                      const std::string& t,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  IOStatus e = WriteError(/*deleting_or_renaming=*/true);
  return e.ok() ? target()->RenameFile(s, t, options, dbg) : e;
}

IOStatus FaultInjectionFs::GetFreeSpace(const std::string& path,
                                        const IOOptions& options,
                                        uint64_t* diskfree,
                                        IODebugContext* dbg) {
  if (fault() != DiskFault::kNone) {
    *diskfree = 0;
    return IOStatus::OK();
  }
  return target()->GetFreeSpace(path, options, diskfree, dbg);
}

IOStatus FaultInjectionFs::LinkFile(const std::string& s, const std::string& t,
                                    const IOOptions& options,
                                    IODebugContext* dbg) {
  IOStatus e = WriteError(/*deleting_or_renaming=*/true);
  return e.ok() ? target()->LinkFile(s, t, options, dbg) : e;
}

}  // namespace tpp::storage
