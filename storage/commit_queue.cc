#include "storage/commit_queue.h"

#include <cstring>
#include <utility>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "services/common/log.h"
#include "storage/db.h"

namespace tpp::storage {
namespace {

// A WriteBatch's serialized form: an 8-byte sequence number, a 4-byte
// little-endian record count, then the records (RocksDB's WAL format). The
// public API has no Append, so groups are built by concatenating records.
constexpr size_t kBatchHeaderBytes = 12;

uint32_t CountOf(const std::string& rep) {
  uint32_t count = 0;
  std::memcpy(&count, rep.data() + 8, sizeof(count));
  return count;
}

}  // namespace

CommitQueue::CommitQueue(rocksdb::DB* db, const Options& options)
    : db_(db),
      options_(options),
      completer_([this] { RunCompleter(); }),
      thread_([this] { Run(); }) {}

CommitQueue::~CommitQueue() { Stop(); }

void CommitQueue::Commit(rocksdb::WriteBatch batch, Done done) {
  Enqueue(Pending{std::move(batch), std::move(done), nullptr, {}});
}

void CommitQueue::Commit(rocksdb::WriteBatch batch,
                         std::vector<AuditPayload> audit, Done done) {
  Enqueue(
      Pending{std::move(batch), std::move(done), nullptr, std::move(audit)});
}

void CommitQueue::SetAuditSealer(AuditSealer* sealer) { sealer_ = sealer; }

void CommitQueue::CommitBuilt(Builder build, Done done) {
  Enqueue(
      Pending{rocksdb::WriteBatch(), std::move(done), std::move(build), {}});
}

void CommitQueue::Enqueue(Pending pending) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      refused = absl::UnavailableError("the node is shutting down");
    } else if (queue_.size() >= options_.queue_length_max) {
      refused = absl::ResourceExhaustedError("the commit queue is full");
    } else {
      queue_.push_back(std::move(pending));
      return;
    }
  }
  pending.done(refused);
}

absl::Status CommitQueue::CommitAndWait(rocksdb::WriteBatch batch,
                                        std::vector<AuditPayload> audit) {
  absl::Notification written;
  absl::Status result;
  Commit(std::move(batch), std::move(audit), [&](absl::Status s) {
    result = std::move(s);
    written.Notify();
  });
  written.WaitForNotification();
  return result;
}

void CommitQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  {
    absl::MutexLock lock(&completions_mu_);
    completer_stopping_ = true;
  }
  if (completer_.joinable()) completer_.join();
}

CommitQueue::Stats CommitQueue::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void CommitQueue::Run() {
  std::deque<Pending> group;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &CommitQueue::HasWork));
      if (queue_.empty() && stopping_) return;
      // Take what is queued, up to the group byte bound.
      // A builder must see every earlier batch written: it never joins a
      // group that already holds one.
      size_t bytes = 0;
      while (!queue_.empty() &&
             (group.empty() || (queue_.front().build == nullptr &&
                                bytes + queue_.front().batch.GetDataSize() <=
                                    options_.group_bytes_max))) {
        bytes += queue_.front().batch.GetDataSize();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Pending& first = group.front();
    if (first.build != nullptr) {
      absl::Status built = first.build(&first.batch);
      if (!built.ok()) {
        std::vector<Done> refused;
        refused.push_back(std::move(first.done));
        Complete(std::move(refused), built);
        group.pop_front();
        if (group.empty()) continue;
      }
    }
    WriteGroup(&group);
    group.clear();
  }
}

void CommitQueue::TryResume() {
  if (restart_logged_) return;  // nothing but a restart helps
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  if (now_ms - last_resume_ms_ < 50) return;
  last_resume_ms_ = now_ms;
  // Not while the disk is still full: a failed Resume() is fatal.
  const absl::Status probe = DiskWritable(db_);
  const bool writable = probe.ok();
  rocksdb::Status resumed =
      writable ? db_->Resume()
               : rocksdb::Status::IOError(std::string(probe.message()));
  // RocksDB holds some errors fatal (e.g. a WAL write refused by a
  // read-only file system): only reopening the database clears them.
  if (writable && resumed.severity() >= rocksdb::Status::kFatalError) {
    if (!restart_logged_) {
      restart_logged_ = true;
      Log(LogLevel::kError, "storage_restart_required",
          {{"error", resumed.ToString()},
           {"action", "the disk is writable again: restart tppd"}});
    }
    return;
  }
  if (!resumed.ok() && now_ms - last_resume_log_ms_ >= 5000) {
    last_resume_log_ms_ = now_ms;
    Log(LogLevel::kWarning, "storage_resume_failed",
        {{"error", resumed.ToString()}});
  }
}

void CommitQueue::WriteGroup(std::deque<Pending>* group) {
  if (failing_) TryResume();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  AuditSealer* const sealer = sealer_.load();
  std::vector<const AuditPayload*> records;
  if (sealer != nullptr) {
    for (const Pending& pending : *group) {
      for (const AuditPayload& record : pending.audit)
        records.push_back(&record);
    }
  }
  rocksdb::Status s;
  if (group->size() == 1) {
    rocksdb::WriteBatch* batch = &group->front().batch;
    if (sealer != nullptr) sealer->Seal(records, batch);
    s = db_->Write(sync, batch);
  } else {
    // Sized once, with room for the audit rows the sealer adds: a group of
    // import batches is megabytes, and regrowing it would copy them again.
    size_t bytes = kSealedGroupBytesMax;
    for (const Pending& pending : *group) bytes += pending.batch.GetDataSize();
    for (const AuditPayload* record : records) bytes += SealedBytesMax(*record);
    std::string rep;
    rep.reserve(bytes);
    rep.append(group->front().batch.Data());
    uint64_t count = CountOf(rep);
    for (size_t i = 1; i < group->size(); ++i) {
      const std::string& other = (*group)[i].batch.Data();
      rep.append(other, kBatchHeaderBytes, std::string::npos);
      count += CountOf(other);
    }
    uint32_t count32 = static_cast<uint32_t>(count);
    std::memcpy(&rep[8], &count32, sizeof(count32));
    rocksdb::WriteBatch combined(std::move(rep));
    if (combined.Count() != count) {
      s = rocksdb::Status::Corruption("group commit: record count mismatch");
    } else {
      if (sealer != nullptr) sealer->Seal(records, &combined);
      s = db_->Write(sync, &combined);
    }
  }
  if (sealer != nullptr) sealer->Written(s.ok());
  absl::Status status = FromRocks(s, "committing");
  if (s.ok() && failing_) {
    failing_ = false;  // resumed: by TryResume() or RocksDB's own recovery
    Log(LogLevel::kInfo, "storage_writable",
        {{"failed_groups", failed_groups_},
         {"unavailable_ms",
          absl::ToUnixMillis(absl::Now()) - failing_since_ms_}});
    failed_groups_ = 0;
  }
  if (s.IsIOError()) {
    // Disk full or read-only: nothing of the group is acknowledged; reads
    // go on, writes are refused until DB::Resume() succeeds.
    status = absl::UnavailableError(
        "the data directory is full or read-only: retry later");
    ++failed_groups_;
    if (!failing_) {
      failing_ = true;
      failing_since_ms_ = absl::ToUnixMillis(absl::Now());
      last_resume_ms_ = failing_since_ms_;
      Log(LogLevel::kError, "storage_write_failed",
          {{"error", s.ToString()},
           {"action", "writes refused with UNAVAILABLE until it recovers"}});
    }
  }
  {
    absl::MutexLock lock(&mu_);
    stats_.batches += group->size();
    stats_.groups += 1;
  }
  std::vector<Done> dones;
  dones.reserve(group->size());
  for (auto& pending : *group) dones.push_back(std::move(pending.done));
  Complete(std::move(dones), status);
}

void CommitQueue::Complete(std::vector<Done> dones,
                           const absl::Status& status) {
  bool more_waiting;
  {
    absl::MutexLock lock(&mu_);
    more_waiting = !queue_.empty();
  }
  {
    absl::MutexLock lock(&completions_mu_);
    // In order: never ahead of a group handed over before.
    if (more_waiting || completer_busy_ || !completions_.empty()) {
      completions_.push_back(Completion{std::move(dones), status});
      return;
    }
  }
  for (Done& done : dones) done(status);
}

void CommitQueue::RunCompleter() {
  for (;;) {
    Completion completion;
    {
      absl::MutexLock lock(&completions_mu_);
      completions_mu_.Await(
          absl::Condition(this, &CommitQueue::HasCompletions));
      if (completions_.empty()) return;  // stopping, and nothing left
      completion = std::move(completions_.front());
      completions_.pop_front();
      completer_busy_ = true;
    }
    for (Done& done : completion.dones) done(completion.status);
    absl::MutexLock lock(&completions_mu_);
    completer_busy_ = false;
  }
}

}  // namespace tpp::storage
