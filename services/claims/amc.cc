#include "services/claims/amc.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

// rate_bp * base + half a unit, on validated input, stays far inside int64.
static_assert(kRateBpMax * kFeeCentsMax + kRateBpPerUnit / 2 <
                  std::numeric_limits<int64_t>::max() / 2,
              "guarantee computation could overflow int64");

absl::Status Invalid(absl::string_view field, absl::string_view description) {
  Violations violations;
  violations.Add(field, description);
  return violations.ToStatus("invalid claim line");
}

}  // namespace

absl::Status ValidateLine(const AmcLineInput& line) {
  const std::string amount_range = absl::StrCat("must be in 0..", kFeeCentsMax);
  if (line.fee_cents < 0 || line.fee_cents > kFeeCentsMax) {
    return Invalid("fee_cents", amount_range);
  }
  if (line.base_cents < 0 || line.base_cents > kFeeCentsMax) {
    return Invalid("base_cents", amount_range);
  }
  if (line.amo_cents < 0 || line.amo_cents > kFeeCentsMax) {
    return Invalid("amo_cents", amount_range);
  }
  if (line.amo_cents > line.fee_cents) {
    return Invalid("amo_cents", "must not exceed fee_cents");
  }
  if (line.rate_bp < 0 || line.rate_bp > kRateBpMax) {
    return Invalid("rate_bp", absl::StrCat("must be in 0..", kRateBpMax));
  }
  if (line.ceiling_remaining_cents.has_value() &&
      *line.ceiling_remaining_cents < 0) {
    return Invalid("ceiling_remaining_cents", "must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<AmcShare> ComputeAmcShare(const AmcLineInput& line) {
  if (absl::Status valid = ValidateLine(line); !valid.ok()) return valid;

  // Rounded once per line, half up (amounts are non-negative here).
  const int64_t guarantee_cents =
      (line.rate_bp * line.base_cents + kRateBpPerUnit / 2) / kRateBpPerUnit;
  int64_t amc_cents = std::min(line.fee_cents - line.amo_cents,
                               guarantee_cents - line.amo_cents);
  if (line.ceiling_remaining_cents.has_value()) {
    amc_cents = std::min(amc_cents, *line.ceiling_remaining_cents);
  }
  amc_cents = std::max<int64_t>(0, amc_cents);
  const AmcShare share{amc_cents, line.fee_cents - line.amo_cents - amc_cents};

  // The invariants every line must hold, checked even in release builds.
  if (share.amc_cents < 0) return absl::InternalError("AMC is negative");
  if (share.patient_cents < 0) return absl::InternalError("patient share < 0");
  if (line.amo_cents + share.amc_cents + share.patient_cents !=
      line.fee_cents) {
    return absl::InternalError("AMO + AMC + patient != fee");
  }
  if (line.ceiling_remaining_cents.has_value() &&
      share.amc_cents > *line.ceiling_remaining_cents) {
    return absl::InternalError("AMC exceeds the ceiling remaining");
  }
  return share;
}

}  // namespace tpp
