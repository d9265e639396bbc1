// Test support for the isolation end-to-end tests: operator calls on the
// admin listener, and the ErrorInfo reason of a refusal.
#ifndef TPP_TESTS_E2E_ISOLATION_SUPPORT_H_
#define TPP_TESTS_E2E_ISOLATION_SUPPORT_H_

#include <chrono>
#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/isolation.grpc.pb.h"

namespace tpp::testing {

inline std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

inline void SetDeadline(grpc::ClientContext* ctx, int seconds = 30) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(seconds));
}

inline tpp::v1::Scope MakeScope(tpp::v1::ScopeKind kind,
                                const std::string& id = "") {
  tpp::v1::Scope scope;
  scope.set_kind(kind);
  scope.set_id(id);
  return scope;
}

// An operator of the admin listener.
class Operator {
 public:
  Operator(const TppdProcess& server, const std::string& name)
      : stub_(tpp::v1::IsolationService::NewStub(
            server.Channel("operator/" + name, TppdProcess::Port::kAdmin))) {}

  grpc::Status Isolate(const tpp::v1::Scope& scope, bool seal = false,
                       tpp::v1::IsolationStatus* out = nullptr) {
    tpp::v1::IsolateRequest request;
    *request.mutable_scope() = scope;
    request.set_reason("incident 42");
    request.set_seal(seal);
    tpp::v1::IsolationStatus ignored;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    return stub_->Isolate(&ctx, request, out != nullptr ? out : &ignored);
  }

  grpc::Status Propose(const tpp::v1::Scope& scope, tpp::v1::IsolationState to,
                       const std::vector<std::string>& allow,
                       tpp::v1::ReopenProposal* out) {
    tpp::v1::ProposeReopenRequest request;
    *request.mutable_scope() = scope;
    request.set_target_state(to);
    for (const std::string& id : allow) request.add_allowlist(id);
    request.set_reason("contained");
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    return stub_->ProposeReopen(&ctx, request, out);
  }

  grpc::Status Approve(const std::string& id,
                       tpp::v1::ApproveReopenResponse* out) {
    tpp::v1::ApproveReopenRequest request;
    request.set_proposal_id(id);
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    return stub_->ApproveReopen(&ctx, request, out);
  }

  tpp::v1::IsolationStatus Status() {
    tpp::v1::IsolationStatus status;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    grpc::Status rpc = stub_->GetIsolation(&ctx, {}, &status);
    if (!rpc.ok()) status.Clear();
    return status;
  }

 private:
  std::unique_ptr<tpp::v1::IsolationService::Stub> stub_;
};

}  // namespace tpp::testing

#endif  // TPP_TESTS_E2E_ISOLATION_SUPPORT_H_
