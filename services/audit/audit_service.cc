#include "services/audit/audit_service.h"

#include "services/server/reactors.h"

namespace tpp {

grpc::ServerUnaryReactor* AuditServiceImpl::VerifyChain(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::VerifyChainRequest* request,
    tpp::v1::VerifyChainResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kVerifyChain, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#7"));
}

grpc::ServerUnaryReactor* AuditServiceImpl::BreachReport(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::BreachReportRequest* request,
    tpp::v1::BreachReportResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kBreachReport, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#7"));
}

}  // namespace tpp
