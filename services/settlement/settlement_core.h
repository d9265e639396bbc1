// SettlementCore: runs settlements (one window per insurer at a time, the
// same run twice gives the same settlement), checks insurers'
// acknowledgements against the statement, and answers who may see which
// settlement.
//
// Thread-safe. Run() and Acknowledge() block on synced writes and Run() may
// take seconds: call them from a thread that may block, never a reactor.
#ifndef TPP_SERVICES_SETTLEMENT_SETTLEMENT_CORE_H_
#define TPP_SERVICES_SETTLEMENT_SETTLEMENT_CORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/claims/claims_core.h"
#include "services/common/clock.h"
#include "services/members/member_store.h"
#include "services/settlement/settlement_store.h"

namespace tpp {

struct AckOutcome {
  AckResult result = AckResult::kDiscrepancy;
  Settlement expected;  // the platform's figures
};

class SettlementCore {
 public:
  // Every argument outlives the core.
  SettlementCore(ClaimsCore* claims, const MemberStore* members,
                 SettlementStore* store, const Clock* clock)
      : claims_(claims), members_(members), store_(store), clock_(clock) {}

  // Closes `insurer_id`'s window up to `cutoff`, or returns the settlement
  // already made for that pair (finishing it if a crash left it open).
  // NOT_FOUND for an insurer tpp does not know; ABORTED when another run of
  // the insurer is going on; FAILED_PRECONDITION (CUTOFF_BEFORE_LAST_
  // SETTLEMENT) for a cutoff before the insurer's latest settlement's.
  // `audit` (may be null): recorded in the write that closes the
  // settlement, when this call closes it.
  absl::StatusOr<Settlement> Run(const std::string& insurer_id, Date cutoff,
                                 InBatchAudit* audit = nullptr);

  // The settlement as `insurer_id` (empty: an operator) may see it;
  // NOT_FOUND when unknown, still open, or another insurer's.
  absl::StatusOr<Settlement> Get(absl::string_view insurer_id,
                                 absl::string_view settlement_id) const;

  // Compares the insurer's figures with the statement and records the
  // acknowledgement: MATCHED or DISCREPANCY, never silently accepted.
  absl::StatusOr<AckOutcome> Acknowledge(
      const std::string& insurer_id, const std::string& by,
      const std::string& settlement_id, int64_t line_count, int64_t total_cents,
      const std::string& digest, InBatchAudit* audit = nullptr);

 private:
  ClaimsCore* const claims_;
  const MemberStore* const members_;
  SettlementStore* const store_;
  const Clock* const clock_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SETTLEMENT_SETTLEMENT_CORE_H_
