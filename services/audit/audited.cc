#include "services/audit/audited.h"

#include <utility>

#include "services/common/errors.h"
#include "services/common/log.h"
#include "services/server/grpc_status.h"

namespace tpp {

AuditEvent AuditEventFor(const Caller& caller, absl::string_view method) {
  AuditEvent event;
  event.caller = caller.identity.spiffe_id;
  event.caller_role = std::string(RoleName(caller.identity.role));
  event.caller_id = caller.identity.id;
  const size_t slash = method.rfind('/');
  event.method = std::string(
      slash == absl::string_view::npos ? method : method.substr(slash + 1));
  return event;
}

void FinishAudited(AuditTrail* trail, grpc::ServerUnaryReactor* reactor,
                   AuditEvent event, const absl::Status& status) {
  if (trail == nullptr) {
    reactor->Finish(ToGrpcStatus(status));
    return;
  }
  event.SetOutcome(status);
  trail->Record(std::move(event), [reactor, status](absl::Status written) {
    reactor->Finish(ToGrpcStatus(
        written.ok() || !status.ok() ? status : AuditUnavailable(written)));
  });
}

grpc::ServerUnaryReactor* FinishUnaryAudited(AuditTrail* trail,
                                             grpc::CallbackServerContext* ctx,
                                             AuditEvent event,
                                             const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishAudited(trail, reactor, std::move(event), status);
  return reactor;
}

}  // namespace tpp
