#include "services/isolation/isolation_service.h"

#include "services/server/reactors.h"

namespace tpp {

grpc::ServerUnaryReactor* IsolationServiceImpl::GetIsolation(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::GetIsolationRequest* request,
    tpp::v1::IsolationStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetIsolation, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#6"));
}

grpc::ServerUnaryReactor* IsolationServiceImpl::Isolate(
    grpc::CallbackServerContext* ctx, const tpp::v1::IsolateRequest* request,
    tpp::v1::IsolationStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kIsolate, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#6"));
}

grpc::ServerUnaryReactor* IsolationServiceImpl::ProposeReopen(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ProposeReopenRequest* request,
    tpp::v1::ReopenProposal* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kProposeReopen, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#6"));
}

grpc::ServerUnaryReactor* IsolationServiceImpl::ApproveReopen(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ApproveReopenRequest* request,
    tpp::v1::ApproveReopenResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kApproveReopen, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#6"));
}

}  // namespace tpp
