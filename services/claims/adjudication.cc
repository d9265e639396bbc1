#include "services/claims/adjudication.h"

#include <algorithm>

#include "services/claims/amc.h"

namespace tpp {

absl::StatusOr<Adjudication> Adjudicate(
    const ClaimRequest& request, const Coverage& coverage,
    const std::vector<bool>& duplicate,
    const std::array<int64_t, kCategoryCount + 1>& used_cents) {
  if (duplicate.size() != request.lines.size()) {
    return absl::InternalError("one duplicate flag per line expected");
  }
  Adjudication result;
  result.lines = request.lines;
  int refused = 0;
  int cut = 0;
  for (size_t i = 0; i < result.lines.size(); ++i) {
    ClaimLine& line = result.lines[i];
    line.amc_cents = 0;
    line.reject_reason = RejectReason::kNone;
    const Guarantee* guarantee = nullptr;
    if (coverage.reason != RejectReason::kNone) {
      line.reject_reason = coverage.reason;
    } else if ((guarantee = coverage.contract.Find(line.category)) == nullptr) {
      line.reject_reason = RejectReason::kCategoryNotCovered;
    } else if (duplicate[i]) {
      line.reject_reason = RejectReason::kDuplicateService;
    }

    AmcLineInput input;
    input.fee_cents = line.fee_cents;
    input.base_cents = line.base_cents;
    input.amo_cents = line.amo_cents;
    const int c = static_cast<int>(line.category);
    if (line.reject_reason == RejectReason::kNone) {
      input.rate_bp = guarantee->rate_bp;
      if (guarantee->annual_ceiling_cents > 0) {
        input.ceiling_remaining_cents = std::max<int64_t>(
            0, guarantee->annual_ceiling_cents - used_cents[c] -
                   result.ceiling_consumed_cents[c]);
      }
    }
    // A refused line still goes through the formula (rate 0): its amounts
    // are checked and its patient share is what is left of the fee.
    absl::StatusOr<AmcShare> share = ComputeAmcShare(input);
    if (!share.ok()) return share.status();
    if (line.reject_reason == RejectReason::kNone &&
        input.ceiling_remaining_cents.has_value()) {
      AmcLineInput uncapped = input;
      uncapped.ceiling_remaining_cents.reset();
      absl::StatusOr<AmcShare> full = ComputeAmcShare(uncapped);
      if (!full.ok()) return full.status();
      if (share->amc_cents < full->amc_cents) {
        if (*input.ceiling_remaining_cents == 0) {
          line.reject_reason = RejectReason::kCeilingReached;
        } else {
          ++cut;
        }
      }
    }
    if (line.reject_reason != RejectReason::kNone) {
      ++refused;
      line.amc_cents = 0;
      line.patient_cents = line.fee_cents - line.amo_cents;
    } else {
      line.amc_cents = share->amc_cents;
      line.patient_cents = share->patient_cents;
      if (input.ceiling_remaining_cents.has_value()) {
        result.ceiling_consumed_cents[c] += line.amc_cents;
      }
    }
    result.amc_total_cents += line.amc_cents;
    result.patient_total_cents += line.patient_cents;
  }
  if (refused == static_cast<int>(result.lines.size())) {
    result.status = ClaimStatus::kRejected;
  } else if (refused > 0 || cut > 0) {
    result.status = ClaimStatus::kPartial;
  } else {
    result.status = ClaimStatus::kApproved;
  }
  return result;
}

}  // namespace tpp
