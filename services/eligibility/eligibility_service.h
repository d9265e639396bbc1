// EligibilityService: the thin adapter from tpp.v1 to the eligibility core.
// Providers only; every call passes the call guard, then the isolation gate
// of the insurer asked about.
#ifndef TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_
#define TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_

#include "services/audit/audit_trail.h"
#include "services/claims/claims_core.h"
#include "services/eligibility/eligibility.h"
#include "services/members/member_store.h"
#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "tpp/v1/eligibility.grpc.pb.h"

namespace tpp {

class EligibilityServiceImpl final
    : public tpp::v1::EligibilityService::CallbackService {
 public:
  // Every argument outlives the service.
  // `trail` may be null (no audit, tests of the adapter only).
  EligibilityServiceImpl(const CallGuard& guard, const MemberStore* members,
                         const ClaimsCore* claims, Executor* executor,
                         AuditTrail* trail)
      : guard_(guard),
        members_(members),
        claims_(claims),
        executor_(executor),
        trail_(trail) {}

  grpc::ServerUnaryReactor* CheckEligibility(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::CheckEligibilityRequest* request,
      tpp::v1::CheckEligibilityResponse* response) override;

 private:
  // Counts the member with the breaker, fills `response` and finishes once
  // the call's audit record is durable.
  void Answer(grpc::ServerUnaryReactor* reactor,
              tpp::v1::CheckEligibilityResponse* response, AuditEvent event,
              absl::StatusOr<EligibilityAnswer> answer);

  const CallGuard& guard_;
  const MemberStore* const members_;
  const ClaimsCore* const claims_;
  Executor* const executor_;
  AuditTrail* const trail_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_
