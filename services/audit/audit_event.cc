#include "services/audit/audit_event.h"

#include <optional>

#include "services/common/errors.h"

namespace tpp {

std::vector<std::string> AuditCategoryNames(uint32_t categories) {
  static constexpr const char* kNames[kAuditCategoryCount] = {
      "coverage", "claim",           "identity", "family",
      "contract", "adherent_number", "payment",  "platform"};
  std::vector<std::string> names;
  for (uint32_t bit = 0; bit < kAuditCategoryCount; ++bit) {
    if ((categories & (1u << bit)) != 0) names.emplace_back(kNames[bit]);
  }
  return names;
}

void AuditEvent::SetOutcome(const absl::Status& status) {
  outcome = status.code();
  std::optional<std::string> why = ReasonOf(status);
  reason = why.has_value() ? *std::move(why) : std::string();
}

}  // namespace tpp
