// IsolationService: the thin adapter from tpp.v1 to the isolation switch
// (isolation_switch.h). Operators, admin listener. Every method passes the
// call guard first; the acting operator is the caller's SPIFFE ID. Every
// call is an audit record (platform category, the scope as its object),
// durable before the answer leaves; a record that cannot be written (a
// storage incident) never changes the answer: the kill switch must work
// and tell the truth then, and its transitions are in its control log.
#ifndef TPP_SERVICES_ISOLATION_ISOLATION_SERVICE_H_
#define TPP_SERVICES_ISOLATION_ISOLATION_SERVICE_H_

#include "services/audit/audit_trail.h"
#include "services/isolation/isolation_switch.h"
#include "services/server/call_guard.h"
#include "tpp/v1/isolation.grpc.pb.h"

namespace tpp {

class IsolationServiceImpl final
    : public tpp::v1::IsolationService::CallbackService {
 public:
  // `guard`, `isolation` and `trail` (null: not audited) outlive the
  // service.
  IsolationServiceImpl(const CallGuard& guard,
                       isolation::IsolationSwitch* isolation, AuditTrail* trail)
      : guard_(guard), switch_(isolation), trail_(trail) {}

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
  grpc::ServerUnaryReactor* Unseal(grpc::CallbackServerContext* ctx,
                                   const tpp::v1::UnsealRequest* request,
                                   tpp::v1::UnsealResponse* response) override;

 private:
  void Describe(const isolation::IsolationState& state,
                tpp::v1::IsolationStatus* out) const;

  const CallGuard& guard_;
  isolation::IsolationSwitch* const switch_;
  AuditTrail* const trail_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_ISOLATION_ISOLATION_SERVICE_H_
