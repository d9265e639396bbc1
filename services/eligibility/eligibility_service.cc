#include "services/eligibility/eligibility_service.h"

#include <utility>

#include "services/audit/audited.h"
#include "services/claims/claim_proto.h"
#include "services/common/cache_only_reads.h"
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
  AuditEvent event = AuditEventFor(*caller, method::kCheckEligibility);
  event.categories = kAuditCoverage;
  absl::StatusOr<EligibilityRequest> check =
      EligibilityRequestFromProto(*request);
  if (!check.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), check.status());
  }
  event.insurer_id = check->insurer_id;
  if (absl::Status open = guard_.AdmitInsurer(*caller, check->insurer_id);
      !open.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), open);
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // From memory, on this thread: no hop to the executor. A check that
  // needs the disk goes to the executor, where reads may block.
  absl::StatusOr<EligibilityAnswer> answer;
  {
    CacheOnlyReads in_memory;
    answer = tpp::CheckEligibility(*members_, *claims_, *check);
  }
  if (!IsWouldBlock(answer.status())) {
    Answer(reactor, response, std::move(event), std::move(answer));
    return reactor;
  }
  executor_->Run([this, reactor, response, check = *std::move(check),
                  event = std::move(event)]() mutable {
    Answer(reactor, response, std::move(event),
           tpp::CheckEligibility(*members_, *claims_, check));
  });
  return reactor;
}

void EligibilityServiceImpl::Answer(grpc::ServerUnaryReactor* reactor,
                                    tpp::v1::CheckEligibilityResponse* response,
                                    AuditEvent event,
                                    absl::StatusOr<EligibilityAnswer> answer) {
  if (!answer.ok()) {
    FinishAudited(trail_, reactor, std::move(event), answer.status());
    return;
  }
  if (!answer->member_id.empty()) {
    event.members.push_back({answer->member_id, answer->adherent_number});
  }
  // The breaker counts the member before anything about them leaves.
  if (trail_ != nullptr) {
    if (absl::Status touched = trail_->Touch(event); !touched.ok()) {
      event.members.clear();  // nothing was answered about them
      FinishAudited(trail_, reactor, std::move(event), touched);
      return;
    }
  }
  EligibilityAnswerToProto(*answer, response);
  FinishAudited(trail_, reactor, std::move(event), absl::OkStatus());
}

}  // namespace tpp
