// The audit chain on the audit column family (row layout in records.proto).
//
// Records reach the chain through the commit queue: a call hands its
// events to Record() (a read) or its store puts them next to its write
// (AuditPayloads, a write); the committer thread calls Seal() for every
// group it writes, which gives each record its sequence number, time and
// the previous record's hash, and every `checkpoint_records` records or
// `checkpoint_interval` a checkpoint signed with the audit key. A failed
// group write is forgotten (Written(false)): the chain on disk never has a
// hole.
//
// Thread-safe. Seal/Written run on the committer thread only; the head they
// move is read under a mutex by readers.
#ifndef TPP_STORAGE_AUDIT_LOG_ROCKS_H_
#define TPP_STORAGE_AUDIT_LOG_ROCKS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/audit/audit_log.h"
#include "storage/commit_queue.h"
#include "storage/crypto/audit_signer.h"
#include "storage/db.h"

namespace tpp::storage {

inline constexpr size_t kAuditHashBytes = 32;

// Row keys.
std::string AuditRecordKey(uint64_t sequence);
std::string AuditCheckpointKey(uint64_t sequence);
std::string AuditCredentialKey(absl::string_view credential, int64_t time_us,
                               uint64_t sequence);

// An event as the queue carries it (the body of its stored record).
AuditPayload AuditPayloadOf(const AuditEvent& event);
std::vector<AuditPayload> AuditPayloadsOf(
    const std::vector<AuditEvent>& events);
// Appends `members` to a payload's body (StoredAuditRecord.members, in wire
// format: a message's fields may come in any order), with no message object
// per member: an import batch's record names thousands.
void AppendAuditMembers(const std::vector<AuditMember>& members,
                        std::string* body);

class RocksAuditLog final : public AuditLog, public AuditSealer {
 public:
  struct Options {
    uint64_t checkpoint_records = 10000;
    absl::Duration checkpoint_interval = absl::Seconds(10);
    std::function<absl::Time()> now;  // absl::Now when empty
  };

  // Reads the head of the chain. `db` and `commits` outlive the log;
  // `signer` may be null (keys sealed at start): no checkpoint is signed
  // until SetSigner. Installs itself as the queue's sealer.
  static absl::StatusOr<std::unique_ptr<RocksAuditLog>> Open(
      Db* db, CommitQueue* commits, const Options& options);

  // Null: none (the keys were sealed); no checkpoint is signed until the
  // next signer comes (unsealing).
  void SetSigner(std::unique_ptr<crypto::AuditSigner> signer);

  // AuditSink: an empty synced batch carrying `events`.
  void Record(std::vector<AuditEvent> events, Done done) override;

  // AuditLog.
  absl::StatusOr<ChainVerification> Verify(uint64_t from,
                                           uint64_t to) const override;
  absl::Status ScanCredential(const std::string& credential, absl::Time from,
                              absl::Time to,
                              const RecordVisitor& visit) const override;
  absl::Status ScanNewestAfter(absl::Time after,
                               const RecordVisitor& visit) const override;
  absl::StatusOr<std::vector<AuditCheckpoint>> Checkpoints(
      uint64_t from, size_t max) const override;
  uint64_t HeadSequence() const override;
  absl::StatusOr<std::string> RecordHash(uint64_t sequence) const override;
  // The node's current audit public key (empty when none).
  std::string PublicKey() const;

  // Writes a checkpoint of the head now if records came since the last one
  // (shutdown; the interval timer). Waits for it.
  absl::Status CheckpointNow();

  // AuditSealer (committer thread).
  void Seal(const std::vector<const AuditPayload*>& records,
            rocksdb::WriteBatch* batch) override;
  void Written(bool ok) override;

 private:
  struct Head {
    uint64_t sequence = 0;
    std::string hash = std::string(kAuditHashBytes, '\0');
    int64_t time_us = 0;
  };

  RocksAuditLog(Db* db, CommitQueue* commits, const Options& options, Head head,
                uint64_t checkpointed);
  int64_t NowMicros() const;

  Db* const db_;
  CommitQueue* const commits_;
  const Options options_;

  mutable absl::Mutex mu_;
  Head head_ ABSL_GUARDED_BY(mu_);     // durable
  Head sealing_ ABSL_GUARDED_BY(mu_);  // with the group being written
  uint64_t checkpointed_ ABSL_GUARDED_BY(mu_) = 0;  // durable checkpoint seq
  uint64_t checkpoint_sealing_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_checkpoint_us_ ABSL_GUARDED_BY(mu_) = 0;
  bool force_checkpoint_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const crypto::AuditSigner> signer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_AUDIT_LOG_ROCKS_H_
