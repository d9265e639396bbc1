#include "services/server/authorization.h"

#include "services/common/errors.h"

namespace tpp {
namespace {

constexpr uint8_t kProvider = static_cast<uint8_t>(Role::kProvider);
constexpr uint8_t kInsurer = static_cast<uint8_t>(Role::kInsurer);
constexpr uint8_t kOperator = static_cast<uint8_t>(Role::kOperator);
constexpr uint8_t kExternal = static_cast<uint8_t>(Listener::kExternal);
constexpr uint8_t kAdmin = static_cast<uint8_t>(Listener::kAdmin);

// clang-format off
constexpr MethodRule kTable[] = {
  // method                          roles                  listeners
  {method::kCheckEligibility,        kProvider,             kExternal},
  {method::kSubmitClaim,             kProvider,             kExternal},
  {method::kGetClaim,                kProvider | kInsurer,  kExternal},
  {method::kCancelClaim,             kProvider,             kExternal},
  {method::kListClaims,              kProvider | kInsurer,  kExternal},
  {method::kUpsertContract,          kInsurer,              kExternal},
  {method::kImportMembers,           kInsurer,              kExternal},
  {method::kGetMember,               kInsurer,              kExternal},
  {method::kEraseMember,             kInsurer,              kExternal},
  {method::kRunSettlement,           kOperator,             kAdmin},
  {method::kListSettlements,         kOperator | kInsurer,  kAdmin | kExternal},
  {method::kListRemittances,         kProvider,             kExternal},
  {method::kStreamStatement,         kInsurer,              kExternal},
  {method::kAcknowledgeStatement,    kInsurer,              kExternal},
  {method::kVerifyLedger,            kOperator,             kAdmin},
  {method::kGetIsolation,            kOperator,             kAdmin},
  {method::kIsolate,                 kOperator,             kAdmin},
  {method::kProposeReopen,           kOperator,             kAdmin},
  {method::kApproveReopen,           kOperator,             kAdmin},
  {method::kUnseal,                  kOperator,             kAdmin},
  {method::kVerifyChain,             kOperator,             kAdmin},
  {method::kBreachReport,            kOperator,             kAdmin},
  {method::kExportCheckpoints,       kOperator,             kAdmin},
  {method::kRotateKeys,              kOperator,             kAdmin},
  {method::kGetKeyStatus,            kOperator,             kAdmin},
};
// clang-format on

// Which listener each role may use at all.
constexpr uint8_t ListenerOfRole(Role role) {
  return role == Role::kOperator ? kAdmin : kExternal;
}

}  // namespace

absl::string_view ListenerName(Listener listener) {
  return listener == Listener::kAdmin ? "admin" : "external";
}

absl::Span<const MethodRule> AuthorizationTable() { return kTable; }

const MethodRule* FindRule(absl::string_view method) {
  for (const MethodRule& rule : kTable) {
    if (rule.method == method) return &rule;
  }
  return nullptr;
}

absl::Status Authorize(const MethodRule* rule, Role role, Listener listener) {
  const uint8_t role_bit = static_cast<uint8_t>(role);
  const uint8_t listener_bit = static_cast<uint8_t>(listener);
  if (rule != nullptr && (rule->roles & role_bit) != 0 &&
      (rule->listeners & listener_bit) != 0 &&
      (ListenerOfRole(role) & listener_bit) != 0) {
    return absl::OkStatus();
  }
  return WithReason(absl::PermissionDeniedError(
                        "this method is not allowed for the caller's role "
                        "on this listener"),
                    "PERMISSION_DENIED");
}

}  // namespace tpp
