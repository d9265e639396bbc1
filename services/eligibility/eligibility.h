// The eligibility core: can this beneficiary be served in tiers payant on
// this date, for this category, and how much is left of the ceiling?
//
// The answer holds only what the provider needs to bill: eligible or the
// reason why not, the guarantee, what is left of the annual ceiling and the
// end of coverage. Never a name, a NIR or a family link. An unknown member
// is an answer (MEMBER_NOT_FOUND), not an error.
//
// Thread-safety: a free function over thread-safe stores. It reads the
// store and decrypts: call it from a worker thread.
#ifndef TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_H_
#define TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "services/claims/claims_core.h"
#include "services/members/member_store.h"

namespace tpp {

struct EligibilityRequest {
  BeneficiaryKey beneficiary;
  std::string insurer_id;
  Date care_date;
  Category category = Category::kPharmacy;
};

struct EligibilityAnswer {
  bool eligible = false;
  RejectReason reason = RejectReason::kNone;  // set when not eligible
  // The rest only when eligible.
  int64_t rate_bp = 0;
  bool has_ceiling = false;
  int64_t ceiling_remaining_cents = 0;
  Date coverage_to;
  // For the audit, never sent to the provider: set whenever the member was
  // found (even when not eligible).
  std::string member_id;  // pseudonymous
  std::string adherent_number;
};

absl::StatusOr<EligibilityAnswer> CheckEligibility(
    const MemberStore& members, const ClaimsCore& claims,
    const EligibilityRequest& request);

}  // namespace tpp

#endif  // TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_H_
