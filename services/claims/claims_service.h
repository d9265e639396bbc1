// ClaimService: the thin adapter from tpp.v1 to the claims core. Every
// method passes the call guard first, then the isolation gate of the
// insurer the claim belongs to. Providers submit, get, cancel and list
// their own claims (the provider is the certificate's identity); insurers
// get and list the claims on their members.
#ifndef TPP_SERVICES_CLAIMS_CLAIMS_SERVICE_H_
#define TPP_SERVICES_CLAIMS_CLAIMS_SERVICE_H_

#include "services/audit/audit_trail.h"
#include "services/claims/claims_core.h"
#include "services/common/clock.h"
#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "services/server/stream_registry.h"
#include "tpp/v1/claims.grpc.pb.h"

namespace tpp {

// Claims fetched from the core per step of a ListClaims stream.
inline constexpr size_t kListClaimsPageMax = 64;

class ClaimServiceImpl final : public tpp::v1::ClaimService::CallbackService {
 public:
  // Every argument outlives the service.
  // `trail` may be null (no audit).
  ClaimServiceImpl(const CallGuard& guard, ClaimsCore* core, Executor* executor,
                   const Clock* clock, StreamRegistry* streams,
                   AuditTrail* trail)
      : guard_(guard),
        core_(core),
        executor_(executor),
        clock_(clock),
        streams_(streams),
        trail_(trail) {}

  grpc::ServerUnaryReactor* SubmitClaim(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::SubmitClaimRequest* request,
      tpp::v1::Claim* response) override;
  grpc::ServerUnaryReactor* GetClaim(grpc::CallbackServerContext* ctx,
                                     const tpp::v1::GetClaimRequest* request,
                                     tpp::v1::Claim* response) override;
  grpc::ServerUnaryReactor* CancelClaim(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::CancelClaimRequest* request,
      tpp::v1::Claim* response) override;
  grpc::ServerWriteReactor<tpp::v1::Claim>* ListClaims(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::ListClaimsRequest* request) override;

 private:
  const CallGuard& guard_;
  ClaimsCore* const core_;
  Executor* const executor_;
  const Clock* const clock_;
  StreamRegistry* const streams_;
  AuditTrail* const trail_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_CLAIMS_SERVICE_H_
