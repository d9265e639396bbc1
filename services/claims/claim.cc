#include "services/claims/claim.h"

namespace tpp {

absl::string_view ClaimStatusName(ClaimStatus status) {
  switch (status) {
    case ClaimStatus::kApproved:
      return "APPROVED";
    case ClaimStatus::kPartial:
      return "PARTIAL";
    case ClaimStatus::kRejected:
      return "REJECTED";
    case ClaimStatus::kCancelled:
      return "CANCELLED";
    case ClaimStatus::kSettled:
      return "SETTLED";
    case ClaimStatus::kPaid:
      return "PAID";
  }
  return "UNKNOWN";
}

absl::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kNone:
      return "NONE";
    case RejectReason::kMemberNotFound:
      return "MEMBER_NOT_FOUND";
    case RejectReason::kNotCoveredOnDate:
      return "NOT_COVERED_ON_DATE";
    case RejectReason::kCategoryNotCovered:
      return "CATEGORY_NOT_COVERED";
    case RejectReason::kCeilingReached:
      return "CEILING_REACHED";
    case RejectReason::kDuplicateService:
      return "DUPLICATE_SERVICE";
    case RejectReason::kInvalidAmounts:
      return "INVALID_AMOUNTS";
    case RejectReason::kInsurerUnknown:
      return "INSURER_UNKNOWN";
  }
  return "UNKNOWN";
}

absl::Status CheckClaim(const Claim& claim) {
  if (claim.claim_id.empty()) return absl::InternalError("claim without id");
  if (claim.lines.empty() ||
      claim.lines.size() > static_cast<size_t>(kClaimLinesMax)) {
    return absl::InternalError("claim line count out of range");
  }
  int64_t amc_total = 0;
  int64_t patient_total = 0;
  for (const ClaimLine& line : claim.lines) {
    if (line.amc_cents < 0) return absl::InternalError("negative AMC");
    if (line.patient_cents < 0) {
      return absl::InternalError("negative patient share");
    }
    if (line.amo_cents + line.amc_cents + line.patient_cents !=
        line.fee_cents) {
      return absl::InternalError("AMO + AMC + patient != fee");
    }
    if (line.reject_reason != RejectReason::kNone && line.amc_cents != 0) {
      return absl::InternalError("a refused line pays AMC");
    }
    amc_total += line.amc_cents;
    patient_total += line.patient_cents;
  }
  if (amc_total != claim.amc_total_cents ||
      patient_total != claim.patient_total_cents) {
    return absl::InternalError("claim totals differ from its lines");
  }
  int64_t consumed = 0;
  for (const auto& [category, cents] : claim.ceiling_consumed) {
    if (cents < 0) return absl::InternalError("negative ceiling use");
    consumed += cents;
  }
  if (consumed > claim.amc_total_cents) {
    return absl::InternalError("ceiling use above the AMC total");
  }
  return absl::OkStatus();
}

}  // namespace tpp
