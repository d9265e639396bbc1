#include "services/eligibility/eligibility.h"

#include <algorithm>

#include "services/claims/coverage.h"

namespace tpp {

absl::StatusOr<EligibilityAnswer> CheckEligibility(
    const MemberStore& members, const ClaimsCore& claims,
    const EligibilityRequest& request) {
  absl::StatusOr<Coverage> coverage = ResolveCoverage(
      members, request.insurer_id, request.beneficiary, request.care_date);
  if (!coverage.ok()) return coverage.status();
  EligibilityAnswer answer;
  answer.member_id = coverage->member_id;
  answer.adherent_number = coverage->adherent_number;
  if (coverage->reason != RejectReason::kNone) {
    answer.reason = coverage->reason;
    return answer;
  }
  const Guarantee* guarantee = coverage->contract.Find(request.category);
  if (guarantee == nullptr) {
    answer.reason = RejectReason::kCategoryNotCovered;
    return answer;
  }
  if (guarantee->annual_ceiling_cents > 0) {
    absl::StatusOr<int64_t> used =
        claims.UsedCents(UsageKey{request.insurer_id, coverage->member_id,
                                  request.category, request.care_date.Year()});
    if (!used.ok()) return used.status();
    answer.has_ceiling = true;
    answer.ceiling_remaining_cents =
        std::max<int64_t>(0, guarantee->annual_ceiling_cents - *used);
    if (answer.ceiling_remaining_cents == 0) {
      // Covered, but the insurer would pay nothing more this year.
      answer.reason = RejectReason::kCeilingReached;
      return answer;
    }
  }
  answer.eligible = true;
  answer.rate_bp = guarantee->rate_bp;
  answer.coverage_to = coverage->coverage_to;
  return answer;
}

}  // namespace tpp
