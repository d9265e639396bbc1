// SettlementStore: where settlements, their statement lines, remittances
// and acknowledgements live, and where a settlement run moves claims out of
// the open window. storage/ implements it on RocksDB.
//
// Thread-safe. Run() and AddAcknowledgement() block on synced writes: call
// them from a thread that may block (not a reactor).
#ifndef TPP_SERVICES_SETTLEMENT_SETTLEMENT_STORE_H_
#define TPP_SERVICES_SETTLEMENT_SETTLEMENT_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/audit/audit_event.h"
#include "services/claims/claim.h"
#include "services/settlement/settlement.h"

namespace tpp {

class SettlementStore {
 public:
  // The insurer's member number for a claim's member ("" if erased).
  using AdherentOf = std::function<absl::StatusOr<std::string>(const Claim&)>;

  virtual ~SettlementStore() = default;

  // NOT_FOUND when unknown.
  virtual absl::StatusOr<Settlement> Get(
      absl::string_view settlement_id) const = 0;
  // Settlements after `after` in id order, of `insurer_id` (empty: all).
  virtual absl::StatusOr<std::vector<Settlement>> List(
      absl::string_view insurer_id, absl::string_view after,
      size_t max) const = 0;

  // The insurer's settlement with the latest cutoff; NOT_FOUND when none.
  virtual absl::StatusOr<Settlement> Latest(
      absl::string_view insurer_id) const = 0;

  // Writes `opening` (not closed), then moves into it, in synced chunks,
  // every claim of its insurer in the open window with a care date up to
  // its cutoff and an id below its boundary, and every pending reversal
  // below its boundary: statement and remittance lines, claims SETTLED,
  // ledger postings, all in the chunk's batch; then closes it. Resumes a
  // settlement left open by a crash (`opening` is then the stored one).
  // `audit` (may be null) is recorded, with its count set to the claims
  // settled, in the write that closes the settlement.
  virtual absl::StatusOr<Settlement> Run(const Settlement& opening,
                                         const AdherentOf& adherent_of,
                                         InBatchAudit* audit) = 0;

  // Up to `max` statement lines after line `after` (0: from the first);
  // `*last` gets the number of the last line returned.
  virtual absl::StatusOr<std::vector<StatementLine>> Lines(
      absl::string_view settlement_id, uint64_t after, size_t max,
      uint64_t* last) const = 0;

  // The provider's remittances of closed settlements created on or after
  // `since`, in settlement id order.
  virtual absl::StatusOr<std::vector<Remittance>> Remittances(
      absl::string_view provider_id, absl::Time since) const = 0;

  // `audit` (may be null) is recorded in the acknowledgement's write.
  virtual absl::Status AddAcknowledgement(absl::string_view settlement_id,
                                          const Acknowledgement& ack,
                                          InBatchAudit* audit) = 0;

  // Checks every ledger invariant; OK, or FAILED_PRECONDITION naming the
  // first violation (no personal data).
  virtual absl::Status VerifyLedger() const = 0;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SETTLEMENT_SETTLEMENT_STORE_H_
