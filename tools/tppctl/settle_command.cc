#include "tools/tppctl/settle_command.h"

#include <cstdio>

#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::ctl {

int RunSettle(const ClientOptions& options, const std::string& insurer_id,
              const std::string& cutoff_date) {
  auto stub =
      tpp::v1::SettlementService::NewStub(Connect(options, options.admin));
  tpp::v1::RunSettlementRequest request;
  request.set_insurer_id(insurer_id);
  request.set_cutoff_date(cutoff_date);
  tpp::v1::Settlement settlement;
  auto ctx = NewContext(options);
  grpc::Status rpc = stub->RunSettlement(ctx.get(), request, &settlement);
  if (!rpc.ok()) {
    std::fprintf(stderr, "tppctl: settle %s: %s\n", insurer_id.c_str(),
                 Describe(rpc).c_str());
    return 1;
  }
  std::printf(
      "settled insurer %s up to %s: %s, %lld claims, %lld cents, digest %s\n",
      settlement.insurer_id().c_str(), settlement.cutoff_date().c_str(),
      settlement.settlement_id().c_str(),
      static_cast<long long>(settlement.claim_count()),
      static_cast<long long>(settlement.total_cents()),
      settlement.digest().c_str());
  return 0;
}

}  // namespace tpp::ctl
