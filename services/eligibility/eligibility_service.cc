#include "services/eligibility/eligibility_service.h"

#include "services/claims/claim_proto.h"
#include "services/eligibility/eligibility.h"
#include "services/server/reactors.h"

namespace tpp {

grpc::ServerUnaryReactor* EligibilityServiceImpl::CheckEligibility(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::CheckEligibilityRequest* request,
    tpp::v1::CheckEligibilityResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kCheckEligibility, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  absl::StatusOr<EligibilityRequest> check =
      EligibilityRequestFromProto(*request);
  if (!check.ok()) return FinishUnary(ctx, check.status());
  if (absl::Status open = guard_.AdmitInsurer(*caller, check->insurer_id);
      !open.ok()) {
    return FinishUnary(ctx, open);
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor_->Run([this, reactor, response, check = *std::move(check)] {
    absl::StatusOr<EligibilityAnswer> answer =
        tpp::CheckEligibility(*members_, *claims_, check);
    if (answer.ok()) EligibilityAnswerToProto(*answer, response);
    reactor->Finish(ToGrpcStatus(answer.status()));
  });
  return reactor;
}

}  // namespace tpp
