// AuditService: the thin adapter from tpp.v1 to the audit chain (operators,
// admin listener). VerifyChain and BreachReport scan the disk: they run on
// the executor, never on a reactor. Each call is itself audited.
#ifndef TPP_SERVICES_AUDIT_AUDIT_SERVICE_H_
#define TPP_SERVICES_AUDIT_AUDIT_SERVICE_H_

#include "services/audit/audit_log.h"
#include "services/audit/audit_trail.h"
#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "tpp/v1/audit.grpc.pb.h"

namespace tpp {

class AuditServiceImpl final : public tpp::v1::AuditService::CallbackService {
 public:
  // Everything outlives the service.
  AuditServiceImpl(const CallGuard& guard, const AuditLog* log,
                   AuditTrail* trail, Executor* executor)
      : guard_(guard), log_(log), trail_(trail), executor_(executor) {}

  grpc::ServerUnaryReactor* VerifyChain(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::VerifyChainRequest* request,
      tpp::v1::VerifyChainResponse* response) override;
  grpc::ServerUnaryReactor* BreachReport(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::BreachReportRequest* request,
      tpp::v1::BreachReportResponse* response) override;
  grpc::ServerUnaryReactor* ExportCheckpoints(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::ExportCheckpointsRequest* request,
      tpp::v1::ExportCheckpointsResponse* response) override;

 private:
  const CallGuard& guard_;
  const AuditLog* const log_;
  AuditTrail* const trail_;
  Executor* const executor_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_AUDIT_SERVICE_H_
