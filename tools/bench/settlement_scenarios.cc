// `settle` and `statement`: the settlement of everything the `claim`
// scenario left in an insurer's open window, and the insurer's download of
// its statement.
//
// settle: one RunSettlement (--operator_identity on --admin) of the bench
//   insurer up to today: claims settled, wall time, claims/s; with
//   --tppd_pid, tppd's peak RSS during the run (the high-water mark is reset
//   first; the run is streamed in chunks: memory must not grow with the
//   window).
// statement: StreamStatement of the insurer's latest settlement
//   (--insurer_identity): lines received, lines/s; the trailer's line count
//   must match what arrived.
#include <chrono>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/bench/engine.h"
#include "tools/bench/sample.h"
#include "tools/bench/scenario.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::bench {
namespace {

Result Timed(const std::string& name, const std::string& unit, uint64_t count,
             absl::Duration elapsed) {
  Result result;
  result.scenario = name;
  result.unit = unit;
  result.count = count;
  result.seconds = absl::ToDoubleSeconds(elapsed);
  result.rate_per_s = result.seconds > 0 ? count / result.seconds : 0;
  result.concurrency = 1;
  return result;
}

class SettleScenario final : public Scenario {
 public:
  bool SelfDriven() const override { return true; }
  absl::StatusOr<Result> Run(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>&) override {
    auto stub = tpp::v1::SettlementService::NewStub(
        Connect(options, options.operator_identity, 1, options.admin).front());
    tpp::v1::RunSettlementRequest request;
    request.set_insurer_id(kBenchInsurerId);
    request.set_cutoff_date(
        absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()));
    tpp::v1::Settlement settlement;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::minutes(10));
    // Peak memory of the run alone: reset tppd's high-water mark first
    // (Linux: "5" into clear_refs; needs the right to write it).
    if (options.tppd_pid > 0) {
      std::ofstream(absl::StrCat("/proc/", options.tppd_pid, "/clear_refs"))
          << "5";
    }
    const absl::Time start = absl::Now();
    grpc::Status status = stub->RunSettlement(&ctx, request, &settlement);
    const absl::Duration elapsed = absl::Now() - start;
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("RunSettlement: ", CodeName(status.error_code()), " ",
                       status.error_message()));
    }
    Result result =
        Timed("settle", "claims", settlement.claim_count(), elapsed);
    result.extra["total_cents"] = static_cast<double>(settlement.total_cents());
    if (options.tppd_pid > 0) {
      result.extra["tppd_peak_rss_mib"] = PeakRssMib(options.tppd_pid);
    }
    return result;
  }
};

class StatementScenario final : public Scenario {
 public:
  bool SelfDriven() const override { return true; }
  std::string Identity(const BenchOptions& options) const override {
    return options.insurer_identity;
  }
  absl::StatusOr<Result> Run(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) override {
    auto stub = tpp::v1::SettlementService::NewStub(channels.front());
    // The latest settlement: ids sort by cutoff within an insurer.
    std::string latest;
    std::string token;
    do {
      grpc::ClientContext ctx;
      tpp::v1::ListSettlementsRequest list;
      list.set_page_token(token);
      list.set_page_size(1000);
      tpp::v1::ListSettlementsResponse page;
      grpc::Status status = stub->ListSettlements(&ctx, list, &page);
      if (!status.ok()) {
        return absl::UnavailableError(
            absl::StrCat("ListSettlements: ", CodeName(status.error_code())));
      }
      for (const auto& s : page.settlements()) latest = s.settlement_id();
      token = page.next_page_token();
    } while (!token.empty());
    if (latest.empty()) {
      return absl::FailedPreconditionError("no settlement: run `settle` first");
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::minutes(10));
    tpp::v1::StreamStatementRequest request;
    request.set_settlement_id(latest);
    const absl::Time start = absl::Now();
    auto reader = stub->StreamStatement(&ctx, request);
    tpp::v1::StatementChunk chunk;
    uint64_t lines = 0;
    int64_t expected = -1;
    while (!StopRequested() && reader->Read(&chunk)) {
      lines += chunk.lines_size();
      if (chunk.has_trailer()) expected = chunk.trailer().line_count();
    }
    if (StopRequested()) ctx.TryCancel();
    grpc::Status status = reader->Finish();
    const absl::Duration elapsed = absl::Now() - start;
    if (!status.ok() && !StopRequested()) {
      return absl::UnavailableError(
          absl::StrCat("StreamStatement: ", CodeName(status.error_code())));
    }
    if (!StopRequested() && expected != static_cast<int64_t>(lines)) {
      return absl::DataLossError("the trailer's line count does not match");
    }
    return Timed("statement", "lines", lines, elapsed);
  }
};

}  // namespace

TPP_REGISTER_SCENARIO("settle", SettleScenario);
TPP_REGISTER_SCENARIO("statement", StatementScenario);

}  // namespace tpp::bench
