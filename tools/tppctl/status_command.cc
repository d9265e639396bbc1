#include "tools/tppctl/status_command.h"

#include <cstdio>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/tppctl/isolation_command.h"
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

void PrintIsolationOf(const ClientOptions& options) {
  auto stub =
      tpp::v1::IsolationService::NewStub(Connect(options, options.admin));
  auto ctx = NewContext(options);
  tpp::v1::IsolationStatus status;
  grpc::Status rpc = stub->GetIsolation(ctx.get(), {}, &status);
  if (!rpc.ok()) {
    std::printf("isolation: unknown (%s)\n", Describe(rpc).c_str());
    return;
  }
  PrintIsolation(status);
}

}  // namespace

int RunStatus(const ClientOptions& options) {
  bool external = PrintHealth(options, "external", options.target);
  bool admin = PrintHealth(options, "admin", options.admin);
  PrintIsolationOf(options);
  return external && admin ? 0 : 1;
}

}  // namespace tpp::ctl
