// IsolationService: the thin adapter from tpp.v1 to the isolation core. Every
// method passes the call guard first; the methods answer UNIMPLEMENTED until
// the core lands (issue #6).
#ifndef TPP_SERVICES_ISOLATION_ISOLATION_SERVICE_H_
#define TPP_SERVICES_ISOLATION_ISOLATION_SERVICE_H_

#include "services/server/call_guard.h"
#include "tpp/v1/isolation.grpc.pb.h"

namespace tpp {

class IsolationServiceImpl final
    : public tpp::v1::IsolationService::CallbackService {
 public:
  // `guard` outlives the service.
  explicit IsolationServiceImpl(const CallGuard& guard) : guard_(guard) {}

  grpc::ServerUnaryReactor* GetIsolation(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::GetIsolationRequest* request,
      tpp::v1::IsolationStatus* response) override;
  grpc::ServerUnaryReactor* Isolate(
      grpc::CallbackServerContext* ctx, const tpp::v1::IsolateRequest* request,
      tpp::v1::IsolationStatus* response) override;
  grpc::ServerUnaryReactor* ProposeReopen(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::ProposeReopenRequest* request,
      tpp::v1::ReopenProposal* response) override;
  grpc::ServerUnaryReactor* ApproveReopen(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::ApproveReopenRequest* request,
      tpp::v1::ApproveReopenResponse* response) override;

 private:
  const CallGuard& guard_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_ISOLATION_ISOLATION_SERVICE_H_
