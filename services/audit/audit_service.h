// AuditService: the thin adapter from tpp.v1 to the audit core. Every method
// passes the call guard first; the methods answer UNIMPLEMENTED until the
// core lands (issue #7).
#ifndef TPP_SERVICES_AUDIT_AUDIT_SERVICE_H_
#define TPP_SERVICES_AUDIT_AUDIT_SERVICE_H_

#include "services/server/call_guard.h"
#include "tpp/v1/audit.grpc.pb.h"

namespace tpp {

class AuditServiceImpl final : public tpp::v1::AuditService::CallbackService {
 public:
  // `guard` outlives the service.
  explicit AuditServiceImpl(const CallGuard& guard) : guard_(guard) {}

  grpc::ServerUnaryReactor* VerifyChain(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::VerifyChainRequest* request,
      tpp::v1::VerifyChainResponse* response) override;
  grpc::ServerUnaryReactor* BreachReport(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::BreachReportRequest* request,
      tpp::v1::BreachReportResponse* response) override;

 private:
  const CallGuard& guard_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_AUDIT_SERVICE_H_
