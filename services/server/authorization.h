// The authorization table: for every method of the public API, the roles
// allowed and the listeners it is served on. A method missing from the table
// is denied. Operators come only through the admin listener, providers and
// insurers only through the external one, whatever a row says.
#ifndef TPP_SERVICES_SERVER_AUTHORIZATION_H_
#define TPP_SERVICES_SERVER_AUTHORIZATION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/server/identity.h"

namespace tpp {

enum class Listener : uint8_t { kExternal = 1, kAdmin = 2 };

absl::string_view ListenerName(Listener listener);

struct MethodRule {
  absl::string_view method;  // "/tpp.v1.ClaimService/SubmitClaim"
  uint8_t roles;             // bits of Role
  uint8_t listeners;         // bits of Listener
};

// Every method's full name, as gRPC names it.
namespace method {
inline constexpr absl::string_view kCheckEligibility =
    "/tpp.v1.EligibilityService/CheckEligibility";
inline constexpr absl::string_view kSubmitClaim =
    "/tpp.v1.ClaimService/SubmitClaim";
inline constexpr absl::string_view kGetClaim = "/tpp.v1.ClaimService/GetClaim";
inline constexpr absl::string_view kCancelClaim =
    "/tpp.v1.ClaimService/CancelClaim";
inline constexpr absl::string_view kListClaims =
    "/tpp.v1.ClaimService/ListClaims";
inline constexpr absl::string_view kUpsertContract =
    "/tpp.v1.MemberService/UpsertContract";
inline constexpr absl::string_view kImportMembers =
    "/tpp.v1.MemberService/ImportMembers";
inline constexpr absl::string_view kGetMember =
    "/tpp.v1.MemberService/GetMember";
inline constexpr absl::string_view kEraseMember =
    "/tpp.v1.MemberService/EraseMember";
inline constexpr absl::string_view kRunSettlement =
    "/tpp.v1.SettlementService/RunSettlement";
inline constexpr absl::string_view kListSettlements =
    "/tpp.v1.SettlementService/ListSettlements";
inline constexpr absl::string_view kListRemittances =
    "/tpp.v1.SettlementService/ListRemittances";
inline constexpr absl::string_view kStreamStatement =
    "/tpp.v1.SettlementService/StreamStatement";
inline constexpr absl::string_view kAcknowledgeStatement =
    "/tpp.v1.SettlementService/AcknowledgeStatement";
inline constexpr absl::string_view kVerifyLedger =
    "/tpp.v1.SettlementService/VerifyLedger";
inline constexpr absl::string_view kGetIsolation =
    "/tpp.v1.IsolationService/GetIsolation";
inline constexpr absl::string_view kIsolate =
    "/tpp.v1.IsolationService/Isolate";
inline constexpr absl::string_view kProposeReopen =
    "/tpp.v1.IsolationService/ProposeReopen";
inline constexpr absl::string_view kApproveReopen =
    "/tpp.v1.IsolationService/ApproveReopen";
inline constexpr absl::string_view kUnseal = "/tpp.v1.IsolationService/Unseal";
inline constexpr absl::string_view kVerifyChain =
    "/tpp.v1.AuditService/VerifyChain";
inline constexpr absl::string_view kBreachReport =
    "/tpp.v1.AuditService/BreachReport";
inline constexpr absl::string_view kExportCheckpoints =
    "/tpp.v1.AuditService/ExportCheckpoints";
inline constexpr absl::string_view kRotateKeys =
    "/tpp.v1.KeyService/RotateKeys";
inline constexpr absl::string_view kGetKeyStatus =
    "/tpp.v1.KeyService/GetKeyStatus";
}  // namespace method

absl::Span<const MethodRule> AuthorizationTable();

// nullptr when `method` is not in the table.
const MethodRule* FindRule(absl::string_view method);

// OK, or PERMISSION_DENIED (reason "PERMISSION_DENIED") when `rule` is null
// or does not allow `role` on `listener`.
absl::Status Authorize(const MethodRule* rule, Role role, Listener listener);

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_AUTHORIZATION_H_
