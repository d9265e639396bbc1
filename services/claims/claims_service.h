// ClaimService: the thin adapter from tpp.v1 to the claims core. Every method
// passes the call guard first; the methods answer UNIMPLEMENTED until the
// core lands (issue #4).
#ifndef TPP_SERVICES_CLAIMS_CLAIMS_SERVICE_H_
#define TPP_SERVICES_CLAIMS_CLAIMS_SERVICE_H_

#include "services/server/call_guard.h"
#include "tpp/v1/claims.grpc.pb.h"

namespace tpp {

class ClaimServiceImpl final : public tpp::v1::ClaimService::CallbackService {
 public:
  // `guard` outlives the service.
  explicit ClaimServiceImpl(const CallGuard& guard) : guard_(guard) {}

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
};

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_CLAIMS_SERVICE_H_
