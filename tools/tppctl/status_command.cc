#include "tools/tppctl/status_command.h"

#include <cstdio>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tpp/v1/isolation.grpc.pb.h"

namespace tpp::ctl {
namespace {

using grpc::health::v1::HealthCheckResponse;

// Prints one listener's health; true when SERVING.
bool PrintHealth(const ClientOptions& options, const char* name,
                 const std::string& address) {
  auto stub = grpc::health::v1::Health::NewStub(Connect(options, address));
  auto ctx = NewContext(options);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(ctx.get(), {}, &response);
  if (!status.ok()) {
    std::printf("%-9s %-22s DOWN (%s)\n", name, address.c_str(),
                Describe(status).c_str());
    return false;
  }
  std::printf(
      "%-9s %-22s %s\n", name, address.c_str(),
      HealthCheckResponse::ServingStatus_Name(response.status()).c_str());
  return response.status() == HealthCheckResponse::SERVING;
}

void PrintIsolation(const ClientOptions& options) {
  auto stub =
      tpp::v1::IsolationService::NewStub(Connect(options, options.admin));
  auto ctx = NewContext(options);
  tpp::v1::IsolationStatus status;
  grpc::Status rpc = stub->GetIsolation(ctx.get(), {}, &status);
  if (!rpc.ok()) {
    std::printf("isolation: unknown (%s)\n", Describe(rpc).c_str());
    return;
  }
  std::printf("isolation: generation %llu, keys %s\n",
              static_cast<unsigned long long>(status.generation()),
              status.sealed() ? "SEALED" : "unsealed");
  std::printf("  %-11s %-24s %-10s %-24s %s\n", "SCOPE", "ID", "STATE", "SINCE",
              "REASON");
  for (const auto& s : status.scopes()) {
    std::printf("  %-11s %-24s %-10s %-24s %s\n",
                tpp::v1::ScopeKind_Name(s.scope().kind()).c_str(),
                s.scope().id().empty() ? "-" : s.scope().id().c_str(),
                tpp::v1::IsolationState_Name(s.state()).c_str(),
                s.changed_at().empty() ? "-" : s.changed_at().c_str(),
                s.reason().c_str());
  }
  for (const auto& p : status.pending_proposals()) {
    std::printf(
        "  proposal %s: %s %s -> %s by %s, %d approval(s), expires %s\n",
        p.proposal_id().c_str(),
        tpp::v1::ScopeKind_Name(p.scope().kind()).c_str(),
        p.scope().id().c_str(),
        tpp::v1::IsolationState_Name(p.target_state()).c_str(),
        p.proposed_by().c_str(), p.approved_by_size(), p.expires_at().c_str());
  }
}

}  // namespace

int RunStatus(const ClientOptions& options) {
  bool external = PrintHealth(options, "external", options.target);
  bool admin = PrintHealth(options, "admin", options.admin);
  PrintIsolation(options);
  return external && admin ? 0 : 1;
}

}  // namespace tpp::ctl
