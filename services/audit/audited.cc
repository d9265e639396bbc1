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

void RecordThenFinish(AuditTrail* trail, AuditEvent event,
                      const absl::Status& status,
                      std::function<void(const grpc::Status&)> finish) {
  if (trail == nullptr) {
    finish(ToGrpcStatus(status));
    return;
  }
  event.SetOutcome(status);
  trail->Record(std::move(event), [finish = std::move(finish),
                                   status](absl::Status written) {
    finish(ToGrpcStatus(
        written.ok() || !status.ok() ? status : AuditUnavailable(written)));
  });
}

void FinishAudited(AuditTrail* trail, grpc::ServerUnaryReactor* reactor,
                   AuditEvent event, const absl::Status& status) {
  RecordThenFinish(trail, std::move(event), status,
                   [reactor](const grpc::Status& s) { reactor->Finish(s); });
}

void FinishAuditedKeepingStatus(AuditTrail* trail,
                                grpc::ServerUnaryReactor* reactor,
                                AuditEvent event, const absl::Status& status) {
  if (trail == nullptr) {
    reactor->Finish(ToGrpcStatus(status));
    return;
  }
  event.SetOutcome(status);
  trail->Record(std::move(event), [reactor, status](absl::Status written) {
    if (!written.ok()) {
      Log(LogLevel::kError, "audit_write_failed",
          {{"what", "operator action"},
           {"error", std::string(absl::StatusCodeToString(written.code()))}});
    }
    reactor->Finish(ToGrpcStatus(status));
  });
}

void FinishAuditedUnlessRecorded(AuditTrail* trail,
                                 grpc::ServerUnaryReactor* reactor,
                                 InBatchAudit audit,
                                 const absl::Status& status) {
  if (audit.recorded) {
    reactor->Finish(ToGrpcStatus(status));
    return;
  }
  FinishAudited(trail, reactor, std::move(audit.event), status);
}

void FinishAuditedKeepingStatusUnlessRecorded(AuditTrail* trail,
                                              grpc::ServerUnaryReactor* reactor,
                                              const InBatchAudit& audit,
                                              const absl::Status& status) {
  if (audit.recorded) {
    reactor->Finish(ToGrpcStatus(status));
    return;
  }
  FinishAuditedKeepingStatus(trail, reactor, audit.event, status);
}

grpc::ServerUnaryReactor* FinishUnaryAudited(AuditTrail* trail,
                                             grpc::CallbackServerContext* ctx,
                                             AuditEvent event,
                                             const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishAudited(trail, reactor, std::move(event), status);
  return reactor;
}

absl::Status AuditedAdmissionGate::Admit(const Caller& caller) const {
  absl::Status open = gate_->Admit(caller);
  if (open.ok() || trail_ == nullptr) return open;
  AuditEvent event = AuditEventFor(
      caller, caller.rule != nullptr ? caller.rule->method : "unknown");
  event.SetOutcome(open);
  trail_->Record(std::move(event), [](absl::Status written) {
    if (!written.ok()) {
      Log(LogLevel::kError, "audit_write_failed",
          {{"what", "gate refusal"},
           {"error", std::string(absl::StatusCodeToString(written.code()))}});
    }
  });
  return open;
}

}  // namespace tpp
