#include "services/claims/claims_service.h"

#include "services/server/reactors.h"

namespace tpp {

grpc::ServerUnaryReactor* ClaimServiceImpl::SubmitClaim(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::SubmitClaimRequest* request, tpp::v1::Claim* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kSubmitClaim, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#4"));
}

grpc::ServerUnaryReactor* ClaimServiceImpl::GetClaim(
    grpc::CallbackServerContext* ctx, const tpp::v1::GetClaimRequest* request,
    tpp::v1::Claim* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetClaim, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#4"));
}

grpc::ServerUnaryReactor* ClaimServiceImpl::CancelClaim(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::CancelClaimRequest* request, tpp::v1::Claim* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kCancelClaim, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#4"));
}

grpc::ServerWriteReactor<tpp::v1::Claim>* ClaimServiceImpl::ListClaims(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ListClaimsRequest* request) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kListClaims, /*streaming=*/true);
  if (!caller.ok()) return new FinishedWriter<tpp::v1::Claim>(caller.status());
  return new FinishedWriter<tpp::v1::Claim>(NotYetImplemented("#4"));
}

}  // namespace tpp
