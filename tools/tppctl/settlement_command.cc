#include "tools/tppctl/settlement_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "absl/strings/match.h"
#include "services/common/date.h"
#include "tools/tppctl/statement_check.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::ctl {
namespace {

std::string Money(int64_t cents) {
  return FormatEuros(cents) + " EUR (" + std::to_string(cents) + " cents)";
}

void PrintSettlement(const tpp::v1::Settlement& s) {
  std::printf(
      "settlement_id: %s\ninsurer_id: %s\ncutoff_date: %s\nclaim_count: %lld\n"
      "total: %s\ndigest: %s\ncreated_at: %s\n",
      s.settlement_id().c_str(), s.insurer_id().c_str(),
      s.cutoff_date().c_str(), static_cast<long long>(s.claim_count()),
      Money(s.total_cents()).c_str(), s.digest().c_str(),
      s.created_at().c_str());
}

// One settlement, then each acknowledgement under it. The platform's
// figures are the settlement's; a DISCREPANCY names what differs.
void PrintListed(const tpp::v1::Settlement& s) {
  std::printf(
      "%s insurer %s cutoff %s: %lld claims, %s, digest %s, created %s\n",
      s.settlement_id().c_str(), s.insurer_id().c_str(),
      s.cutoff_date().c_str(), static_cast<long long>(s.claim_count()),
      Money(s.total_cents()).c_str(), s.digest().c_str(),
      s.created_at().c_str());
  if (s.acknowledgements().empty()) std::printf("  not acknowledged\n");
  for (const tpp::v1::Acknowledgement& a : s.acknowledgements()) {
    std::string differs;
    if (a.total_cents() != s.total_cents()) differs += " total";
    if (a.digest() != s.digest()) differs += " digest";
    if (a.result() == tpp::v1::DISCREPANCY && differs.empty()) {
      differs = " line count";  // the only figure ListSettlements lacks
    }
    std::printf("  %s at %s by %s: insurer %lld lines, %s, digest %s%s%s\n",
                tpp::v1::AckResult_Name(a.result()).c_str(),
                a.acknowledged_at().c_str(), a.acknowledged_by().c_str(),
                static_cast<long long>(a.line_count()),
                Money(a.total_cents()).c_str(), a.digest().c_str(),
                a.result() == tpp::v1::MATCHED ? "" : "; differs:",
                a.result() == tpp::v1::MATCHED ? "" : differs.c_str());
  }
}

}  // namespace

int RunSettle(const ClientOptions& options, const std::string& insurer_id,
              const std::string& cutoff_date) {
  if (!Date::Parse(cutoff_date).ok()) {
    std::fprintf(stderr, "tppctl: --cutoff must be a date, YYYY-MM-DD\n");
    return 2;
  }
  auto stub =
      tpp::v1::SettlementService::NewStub(Connect(options, options.admin));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(std::max<int64_t>(
                       options.timeout_ms, kSettleDeadlineMinMs)));
  tpp::v1::RunSettlementRequest request;
  request.set_insurer_id(insurer_id);
  request.set_cutoff_date(cutoff_date);
  tpp::v1::Settlement settlement;
  grpc::Status rpc = stub->RunSettlement(&ctx, request, &settlement);
  if (!rpc.ok()) {
    std::fprintf(stderr, "tppctl: settlement refused: %s\n",
                 Describe(rpc).c_str());
    if (rpc.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      std::fprintf(stderr,
                   "tppctl: the run may go on in the node; the same command "
                   "again gives its result\n");
    }
    return 1;
  }
  PrintSettlement(settlement);
  return 0;
}

int RunSettlementsList(const ClientOptions& options,
                       const std::string& insurer_id) {
  // Operators use the admin listener, insurers the external one; an
  // insurer sees only its own settlements, whatever it asks.
  const bool operator_identity =
      absl::StartsWith(options.identity, "operator/");
  if (!operator_identity && !insurer_id.empty() &&
      options.identity != "insurer/" + insurer_id) {
    std::fprintf(stderr,
                 "tppctl: --insurer %s: an insurer sees only its own "
                 "settlements\n",
                 insurer_id.c_str());
    return 2;
  }
  auto stub = tpp::v1::SettlementService::NewStub(
      Connect(options, operator_identity ? options.admin : options.target));
  tpp::v1::ListSettlementsRequest request;
  request.set_insurer_id(insurer_id);
  request.set_page_size(kSettlementsPageSize);
  int64_t listed = 0;
  for (;;) {
    tpp::v1::ListSettlementsResponse page;
    auto ctx = NewContext(options);
    grpc::Status rpc = stub->ListSettlements(ctx.get(), request, &page);
    if (!rpc.ok()) {
      std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
      return 1;
    }
    for (const tpp::v1::Settlement& s : page.settlements()) {
      PrintListed(s);
      ++listed;
    }
    // A token that does not move would loop forever.
    if (page.next_page_token().empty() ||
        page.next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(page.next_page_token());
  }
  std::printf("%lld settlement(s)\n", static_cast<long long>(listed));
  return 0;
}

}  // namespace tpp::ctl
