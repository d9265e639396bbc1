// Helpers for service adapters: the audit event of an admitted call, and
// finishing a unary call once its audit record is durable.
#ifndef TPP_SERVICES_AUDIT_AUDITED_H_
#define TPP_SERVICES_AUDIT_AUDITED_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "services/audit/audit_trail.h"
#include "services/server/call_guard.h"

namespace tpp {

// The event skeleton of `caller`'s call to `method` (a full gRPC name).
AuditEvent AuditEventFor(const Caller& caller, absl::string_view method);

// Sets `event`'s outcome from `status`, records it, then finishes
// `reactor` with `status`; if the record cannot be written, an answer that
// was OK becomes UNAVAILABLE (nothing leaves unaudited). `trail` may be
// null (tests without audit): finishes at once.
void FinishAudited(AuditTrail* trail, grpc::ServerUnaryReactor* reactor,
                   AuditEvent event, const absl::Status& status);

// The same for a call refused or failed before any reactor was made.
grpc::ServerUnaryReactor* FinishUnaryAudited(AuditTrail* trail,
                                             grpc::CallbackServerContext* ctx,
                                             AuditEvent event,
                                             const absl::Status& status);

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_AUDITED_H_
