#include "tools/tppctl/ledger_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::ctl {

int RunLedgerVerify(const ClientOptions& options) {
  auto stub =
      tpp::v1::SettlementService::NewStub(Connect(options, options.admin));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(std::max<int64_t>(
                       options.timeout_ms, kLedgerVerifyDeadlineMinMs)));
  tpp::v1::VerifyLedgerResponse response;
  grpc::Status rpc = stub->VerifyLedger(&ctx, {}, &response);
  if (!rpc.ok()) {
    std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
    return 2;
  }
  if (response.ok()) {
    std::printf("ledger ok\n");
    return 0;
  }
  std::printf("ledger violation: %s\n", response.violation().c_str());
  return 1;
}

}  // namespace tpp::ctl
