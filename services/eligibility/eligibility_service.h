// EligibilityService: the thin adapter from tpp.v1 to the eligibility core.
// Every method passes the call guard first; the methods answer UNIMPLEMENTED
// until the core lands (issue #4).
#ifndef TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_
#define TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_

#include "services/server/call_guard.h"
#include "tpp/v1/eligibility.grpc.pb.h"

namespace tpp {

class EligibilityServiceImpl final
    : public tpp::v1::EligibilityService::CallbackService {
 public:
  // `guard` outlives the service.
  explicit EligibilityServiceImpl(const CallGuard& guard) : guard_(guard) {}

  grpc::ServerUnaryReactor* CheckEligibility(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::CheckEligibilityRequest* request,
      tpp::v1::CheckEligibilityResponse* response) override;

 private:
  const CallGuard& guard_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_
