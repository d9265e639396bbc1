// Group commit: many calls' writes become one synced WriteBatch.
//
// A synced RocksDB write costs a disk flush (~150 µs here); one handler
// blocking on its own sync caps a node at ~6k writes/s. Instead each call
// hands its batch to Commit() and returns at once; one committer thread
// gathers everything queued meanwhile into a single WriteBatch, writes it
// with sync = true and runs each call's `done` callback once the batch is on
// disk. A call's writes stay atomic (they are all in the same WriteBatch),
// and batches reach disk in the order Commit() was called.
//
// Audit records ride with the batches (DESIGN.md: an audit record is durable
// before the answer leaves, in the same atomic batch as the write it
// describes). Their place in the hash chain is fixed on the committer thread,
// in the order groups reach disk, by the AuditSealer: so a failed write never
// leaves a hole in the chain, and the chain on disk is always a prefix of
// what the committer chained.
//
// Thread-safe. `done` runs on the committer thread and must not block.
#ifndef TPP_STORAGE_COMMIT_QUEUE_H_
#define TPP_STORAGE_COMMIT_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace tpp::storage {

// One audit record waiting for its place in the chain.
struct AuditPayload {
  std::string credential;  // the caller's SPIFFE ID: the report's index
  std::string body;        // a serialized record without its chain fields
};

// At most what sealing adds to a batch for `record` (the record with its
// chain fields, the credential's index row)...
inline size_t SealedBytesMax(const AuditPayload& record) {
  return record.body.size() + 2 * record.credential.size();
}
// ... and for a group besides its records (a signed checkpoint): for
// sizing a batch once, before the sealer adds to it.
inline constexpr size_t kSealedGroupBytesMax = 4096;

// Chains audit records into the group being written. Called on the
// committer thread only.
class AuditSealer {
 public:
  virtual ~AuditSealer() = default;
  // Adds to `batch` the rows of `records` (in order) and, when one is due, a
  // signed checkpoint. Called for every group, even with no record.
  virtual void Seal(const std::vector<const AuditPayload*>& records,
                    rocksdb::WriteBatch* batch) = 0;
  // The group's write result: when not `ok`, what the last Seal chained is
  // forgotten (the next record takes its sequence number).
  virtual void Written(bool ok) = 0;
};

class CommitQueue {
 public:
  using Done = std::function<void(absl::Status)>;

  struct Options {
    // Batches waiting past this are refused with RESOURCE_EXHAUSTED.
    size_t queue_length_max = 65536;
    // One synced write carries at most this many bytes.
    size_t group_bytes_max = size_t{16} << 20;
  };

  struct Stats {
    uint64_t batches = 0;  // Commit() calls written
    uint64_t groups = 0;   // synced writes
  };

  CommitQueue(rocksdb::DB* db, const Options& options);
  // Drains the queue, then stops the committer thread.
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Queues `batch`; `done` gets OK once it is durable, or the write error.
  // Never blocks on I/O. When the queue is full or stopped, `done` is called
  // at once, on the caller's thread, with RESOURCE_EXHAUSTED / UNAVAILABLE.
  void Commit(rocksdb::WriteBatch batch, Done done);
  // The same, with the audit records of the call the batch belongs to: they
  // are written in the same synced batch (`batch` may be empty: a read).
  void Commit(rocksdb::WriteBatch batch, std::vector<AuditPayload> audit,
              Done done);

  // Installs the chain's sealer, before the first audited Commit. `sealer`
  // outlives the queue.
  void SetAuditSealer(AuditSealer* sealer);

  // Builds the batch on the committer thread, after every batch queued
  // before it is written and before any queued after it: `build` reads the
  // database as it is at that point and nothing can write in between (a
  // read-modify-write, e.g. rewrapping a key that an import may replace).
  // A non-OK status from `build` goes to `done` and nothing is written.
  using Builder = std::function<absl::Status(rocksdb::WriteBatch*)>;
  void CommitBuilt(Builder build, Done done);

  // Queues `batch` (and `audit`) and waits for it: for start-up, tools,
  // tests, and writers running on threads that may block.
  absl::Status CommitAndWait(rocksdb::WriteBatch batch,
                             std::vector<AuditPayload> audit = {});

  // Refuses new batches, writes what is queued, joins the thread.
  void Stop();

  Stats stats() const;

 private:
  struct Pending {
    rocksdb::WriteBatch batch;
    Done done;
    Builder build;  // when set, `batch` is built on the committer thread
    std::vector<AuditPayload> audit;
  };

  void Enqueue(Pending pending);
  void Run();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }
  // Writes `group` as one synced batch and completes every call in it.
  void WriteGroup(std::deque<Pending>* group);
  // Calls `dones` with `status`: at once when nothing else waits to be
  // written, else on the completer thread, so that the next group's sync
  // overlaps with answering this one's calls (gRPC sends, on two cores).
  void Complete(std::vector<Done> dones, const absl::Status& status);
  void RunCompleter();
  bool HasCompletions() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(completions_mu_) {
    return completer_stopping_ || !completions_.empty();
  }
  // After a failed write (disk full or read-only: RocksDB then refuses
  // every write), tries DB::Resume() once the disk takes writes again, at
  // most every 50 ms; committer only. An error RocksDB holds fatal is
  // logged (storage_restart_required): a restart recovers.
  void TryResume();

  rocksdb::DB* const db_;
  const Options options_;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::atomic<AuditSealer*> sealer_{nullptr};
  // Committer thread only: the last write failed, since when, how often.
  bool failing_ = false;
  int64_t failing_since_ms_ = 0;
  int64_t last_resume_ms_ = 0;
  int64_t last_resume_log_ms_ = 0;
  bool restart_logged_ = false;
  uint64_t failed_groups_ = 0;

  struct Completion {
    std::vector<Done> dones;
    absl::Status status;
  };
  absl::Mutex completions_mu_;
  std::deque<Completion> completions_ ABSL_GUARDED_BY(completions_mu_);
  bool completer_stopping_ ABSL_GUARDED_BY(completions_mu_) = false;
  // The completer is calling a group's `dones`.
  bool completer_busy_ ABSL_GUARDED_BY(completions_mu_) = false;
  // Declared last: started after everything above exists. The completer
  // stops after the committer (it finishes the committer's last groups).
  std::thread completer_;
  std::thread thread_;
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_COMMIT_QUEUE_H_
