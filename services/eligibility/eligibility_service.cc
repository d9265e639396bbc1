#include "services/eligibility/eligibility_service.h"

#include "services/server/reactors.h"

namespace tpp {

grpc::ServerUnaryReactor* EligibilityServiceImpl::CheckEligibility(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::CheckEligibilityRequest* request,
    tpp::v1::CheckEligibilityResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kCheckEligibility, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#4"));
}

}  // namespace tpp
