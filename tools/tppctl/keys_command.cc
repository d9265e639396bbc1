#include "tools/tppctl/keys_command.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "tpp/v1/keys.grpc.pb.h"

namespace tpp::ctl {
namespace {

void Print(const tpp::v1::KeyStatus& s) {
  std::string versions;
  for (uint32_t v : s.versions()) {
    versions += (versions.empty() ? "v" : ", v") + std::to_string(v);
  }
  std::printf(
      "primary v%u; loaded: %s; rotation %s: %llu rewrapped, %llu keys in "
      "the last pass, %d pass(es)%s%s\n",
      s.primary_version(), versions.c_str(), s.rotation_state().c_str(),
      static_cast<unsigned long long>(s.keys_rewrapped()),
      static_cast<unsigned long long>(s.keys_seen()), s.passes(),
      s.sealed() ? "; SEALED" : "",
      s.error().empty() ? "" : ("; error: " + s.error()).c_str());
}

}  // namespace

int RunKeysStatus(const ClientOptions& options) {
  auto stub = tpp::v1::KeyService::NewStub(Connect(options, options.admin));
  auto ctx = NewContext(options);
  tpp::v1::KeyStatus status;
  grpc::Status rpc = stub->GetKeyStatus(ctx.get(), {}, &status);
  if (!rpc.ok()) {
    std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
    return 1;
  }
  Print(status);
  return status.rotation_state() == "failed" ? 1 : 0;
}

int RunKeysRotate(const ClientOptions& options, bool wait) {
  auto stub = tpp::v1::KeyService::NewStub(Connect(options, options.admin));
  tpp::v1::KeyStatus status;
  {
    auto ctx = NewContext(options);
    grpc::Status rpc = stub->RotateKeys(ctx.get(), {}, &status);
    if (!rpc.ok()) {
      std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
      return 1;
    }
  }
  Print(status);
  while (wait && status.rotation_state() == "rewrapping") {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto ctx = NewContext(options);
    grpc::Status rpc = stub->GetKeyStatus(ctx.get(), {}, &status);
    if (!rpc.ok()) {
      std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
      return 1;
    }
    Print(status);
  }
  return status.rotation_state() == "failed" ? 1 : 0;
}

}  // namespace tpp::ctl
