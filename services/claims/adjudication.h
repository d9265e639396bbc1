// Adjudication: how the lines of one claim are paid, given the member's
// coverage, which lines repeat a service already claimed, and how much of
// each annual ceiling is already used. The one place where a claim's status
// and line outcomes are decided; amounts come from ComputeAmcShare().
//
//   - member unknown / not covered on the date: every line refused
//   - a category outside the contract: that line CATEGORY_NOT_COVERED
//   - a service already claimed: that line DUPLICATE_SERVICE
//   - a ceiling: lines of the same category consume it in order; a line
//     whose category has nothing left is CEILING_REACHED, a line cut short
//     by it makes the claim PARTIAL
//   status: REJECTED when every line is refused, PARTIAL when some are
//   refused or cut, APPROVED otherwise.
//
// Thread-safety: a pure function.
#ifndef TPP_SERVICES_CLAIMS_ADJUDICATION_H_
#define TPP_SERVICES_CLAIMS_ADJUDICATION_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "services/claims/claim.h"
#include "services/claims/coverage.h"

namespace tpp {

struct Adjudication {
  ClaimStatus status = ClaimStatus::kRejected;
  std::vector<ClaimLine> lines;  // the request's, with amc/patient/reason
  int64_t amc_total_cents = 0;
  int64_t patient_total_cents = 0;
  // What the claim consumes of each category's ceiling (index: category
  // number), counted only for categories whose guarantee has a ceiling.
  std::array<int64_t, kCategoryCount + 1> ceiling_consumed_cents{};
};

// `duplicate[i]`: line i repeats a service already claimed.
// `used_cents[c]`: what is already used of category c's ceiling for the
// care year (ignored for categories without a ceiling).
// INTERNAL if a line would break its invariant (ComputeAmcShare).
// REQUIRES: request.lines validated; duplicate.size() == lines.size().
absl::StatusOr<Adjudication> Adjudicate(
    const ClaimRequest& request, const Coverage& coverage,
    const std::vector<bool>& duplicate,
    const std::array<int64_t, kCategoryCount + 1>& used_cents);

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_ADJUDICATION_H_
