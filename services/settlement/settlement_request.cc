#include "services/settlement/settlement_request.h"

#include <optional>

#include "services/common/errors.h"
#include "services/common/validation.h"
#include "services/members/member_store.h"

namespace tpp {
namespace {

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Date> ValidateRunSettlement(
    const tpp::v1::RunSettlementRequest& request, Date today) {
  Violations violations;
  if (!IsIdentifier(request.insurer_id(), kInsurerIdBytesMax)) {
    violations.Add("insurer_id", "an insurer id is required");
  }
  std::optional<Date> cutoff =
      DateField(request.cutoff_date(), "cutoff_date", &violations);
  if (cutoff && *cutoff > today) {
    violations.Add("cutoff_date", "must not be after today (UTC)");
  }
  if (!violations.empty()) return violations.ToStatus();
  return *cutoff;
}

absl::Status ValidateSettlementId(absl::string_view settlement_id) {
  if (IsIdentifier(settlement_id, kSettlementIdBytesMax)) {
    return absl::OkStatus();
  }
  Violations violations;
  violations.Add("settlement_id", "a settlement id is required");
  return violations.ToStatus();
}

absl::Status ValidateAcknowledgement(
    const tpp::v1::AcknowledgeStatementRequest& request) {
  Violations violations;
  if (!IsIdentifier(request.settlement_id(), kSettlementIdBytesMax)) {
    violations.Add("settlement_id", "a settlement id is required");
  }
  if (request.line_count() < 0) {
    violations.Add("line_count", "must not be negative");
  }
  if (request.digest().size() != kStatementDigestHexChars ||
      !IsLowerHex(request.digest())) {
    violations.Add("digest", "64 lowercase hex digits (SHA-256)");
  }
  if (!violations.empty()) return violations.ToStatus();
  return absl::OkStatus();
}

}  // namespace tpp
