// What one audited call did (issue #7): who, which method, which insurer's
// data, which members (pseudonymous ids, and the insurer's adherent numbers
// so that the insurer can notify them), which categories of data were
// returned or written, and the outcome. Never a NIR, a name or a birth date.
//
// Built by the service adapters and the cores; chained and stored by the
// audit log (storage/audit_log_rocks.h) in the same synced batch as the
// write it describes, or on its own before a read's answer leaves.
#ifndef TPP_SERVICES_AUDIT_AUDIT_EVENT_H_
#define TPP_SERVICES_AUDIT_AUDIT_EVENT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tpp {

// Categories of data a call returned or wrote (a bit set).
enum AuditCategory : uint32_t {
  kAuditCoverage = 1u << 0,        // covered or not, rate, ceiling left
  kAuditClaim = 1u << 1,           // a claim: care, amounts, status
  kAuditIdentity = 1u << 2,        // NIR, names, date of birth
  kAuditFamily = 1u << 3,          // relationship, marital status
  kAuditContract = 1u << 4,        // the member's contract and coverage dates
  kAuditAdherentNumber = 1u << 5,  // the insurer's member number
  kAuditPayment = 1u << 6,         // statements, remittances
  kAuditPlatform = 1u << 7,        // operator actions: no member data
};
inline constexpr uint32_t kAuditCategoryCount = 8;

// Stable names ("coverage", "claim", ...), in bit order.
std::vector<std::string> AuditCategoryNames(uint32_t categories);

struct AuditMember {
  std::string member_id;        // pseudonymous
  std::string adherent_number;  // the insurer's, when known
};

struct AuditEvent {
  std::string caller;       // the SPIFFE ID: the credential
  std::string caller_role;  // provider, insurer, operator
  std::string caller_id;    // FINESS, insurer number, operator name
  std::string method;       // the gRPC method's short name
  std::string insurer_id;   // whose data, when one insurer's
  std::vector<AuditMember> members;
  uint32_t categories = 0;
  absl::StatusCode outcome = absl::StatusCode::kOk;
  std::string reason;  // the ErrorInfo reason of a refusal
  std::string object;  // a claim id, settlement id, scope...
  int64_t count = 0;   // records of a bulk operation (import, statement)

  // Sets outcome and reason from `status` (the reason only, never the
  // message: messages may be long, and the audit holds no free text).
  void SetOutcome(const absl::Status& status);
};

// An audit record that a store writes in the same synced batch as the
// action it describes (DESIGN.md: no action without its record after a
// crash), with outcome OK. `recorded` tells the caller whether that write
// happened; if not, the caller records the outcome itself
// (FinishAuditedUnlessRecorded).
struct InBatchAudit {
  AuditEvent event;
  bool recorded = false;
};

// Where audit events go. Done runs once the events are durable (or failed);
// implementations must not block the caller.
class AuditSink {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~AuditSink() = default;
  virtual void Record(std::vector<AuditEvent> events, Done done) = 0;
};

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_AUDIT_EVENT_H_
