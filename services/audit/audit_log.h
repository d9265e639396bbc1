// AuditLog: the audit chain as the audit core sees it. storage/ implements
// it on RocksDB (audit_log_rocks.h); tests may implement it in memory.
#ifndef TPP_SERVICES_AUDIT_AUDIT_LOG_H_
#define TPP_SERVICES_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit/audit_event.h"

namespace tpp {

// A stored, chained event.
struct AuditRecord {
  uint64_t sequence = 0;
  absl::Time time;
  AuditEvent event;
};

struct ChainVerification {
  bool ok = true;
  uint64_t first_broken_sequence = 0;  // set when !ok
  uint64_t records_checked = 0;
  uint64_t checkpoints_checked = 0;
  std::string head_hash;  // of the last record checked, lowercase hex
  std::string detail;     // what broke, or a summary
};

struct AuditCheckpoint {
  uint64_t sequence = 0;
  std::string head_hash;  // raw 32 bytes
  absl::Time time;
  std::string public_key;  // raw Ed25519, 32 bytes
  std::string signature;   // raw, 64 bytes
};

class AuditLog : public AuditSink {
 public:
  using RecordVisitor = std::function<absl::Status(const AuditRecord&)>;

  // Walks records `from`..`to` (0: the start / the head) and the
  // checkpoints among them: ok, or the first sequence whose record is not
  // the one the chain committed to (changed, removed or moved).
  virtual absl::StatusOr<ChainVerification> Verify(uint64_t from,
                                                   uint64_t to) const = 0;
  // Every record of `credential` with from <= time <= to, in time order.
  virtual absl::Status ScanCredential(const std::string& credential,
                                      absl::Time from, absl::Time to,
                                      const RecordVisitor& visit) const = 0;
  // Every record with time > `after`, newest first (start-up rebuilds the
  // breaker's windows from them). `visit` returns CANCELLED to stop early
  // (then OK), another error to abort with it.
  virtual absl::Status ScanNewestAfter(absl::Time after,
                                       const RecordVisitor& visit) const = 0;
  // Up to `max` checkpoints with sequence >= `from`, in order.
  virtual absl::StatusOr<std::vector<AuditCheckpoint>> Checkpoints(
      uint64_t from, size_t max) const = 0;
  // SHA-256 of record `sequence` as stored; NOT_FOUND when absent.
  virtual absl::StatusOr<std::string> RecordHash(uint64_t sequence) const = 0;
  // The last sequence number written (0: none).
  virtual uint64_t HeadSequence() const = 0;
};

// Appends `value` as 8 big-endian bytes (checkpoint messages, audit keys).
void AppendBigEndian64(uint64_t value, std::string* out);

// The bytes a checkpoint's signature covers.
std::string CheckpointMessage(uint64_t sequence, const std::string& head_hash,
                              absl::Time time);

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_AUDIT_LOG_H_
