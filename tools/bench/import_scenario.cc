// `import`: an insurer streams --members synthetic members (tools/gen) over
// one ImportMembers stream; measured from the first record sent to the
// summary, which tppd sends only once every accepted member is durable.
// Reports members/s and, with --tppd_pid, tppd's peak resident memory.
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/members/member_record_csv.h"
#include "tools/bench/engine.h"
#include "tools/bench/sample.h"
#include "tools/bench/scenario.h"
#include "tools/gen/member_generator.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::bench {
namespace {

constexpr const char* kContractId = kBenchContractId;
// About 0.4 KiB of client memory each.
constexpr int64_t kPregeneratedMembersMax = 2'000'000;

class ImportScenario final : public Scenario {
 public:
  bool SelfDriven() const override { return true; }
  std::string Identity(const BenchOptions& options) const override {
    return options.insurer_identity;
  }

  absl::StatusOr<Result> Run(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) override {
    auto stub = tpp::v1::MemberService::NewStub(channels.front());
    {
      grpc::ClientContext ctx;
      tpp::v1::Contract contract;
      contract.set_contract_id(kContractId);
      auto* g = contract.add_guarantees();
      g->set_category(tpp::v1::PHARMACY);
      g->set_rate_bp(20000);
      g->set_annual_ceiling_cents(100000);
      tpp::v1::UpsertContractResponse response;
      grpc::Status status = stub->UpsertContract(&ctx, contract, &response);
      if (!status.ok()) {
        return absl::UnavailableError(
            absl::StrCat("UpsertContract: ", CodeName(status.error_code()), " ",
                         status.error_message()));
      }
    }
    MemberGeneratorOptions generator_options;
    generator_options.contract_ids = {kContractId};
    generator_options.reference_year = 2026;
    MemberGenerator generator(options.seed, generator_options);
    // The records are made before the clock starts, as an insurer's file
    // is written before it is sent: the generator's CPU would otherwise
    // compete with tppd for this machine's two cores. Past
    // kPregeneratedMembersMax (memory) they are made as they are sent.
    const bool pregenerate = options.members <= kPregeneratedMembersMax;
    auto next_record = [&generator] {
      return MemberRecordFromCsv(generator.Next());
    };
    std::vector<tpp::v1::MemberRecord> records;
    if (pregenerate) {
      records.reserve(static_cast<size_t>(options.members));
      for (int64_t i = 0; i < options.members; ++i) {
        absl::StatusOr<tpp::v1::MemberRecord> record = next_record();
        if (!record.ok()) return record.status();
        records.push_back(*std::move(record));
      }
    }

    using Clock = std::chrono::steady_clock;
    grpc::ClientContext ctx;
    tpp::v1::ImportSummary summary;
    const double tppd_cpu_start = CpuSeconds(options.tppd_pid);
    const double client_cpu_start = CpuSeconds(0);
    const auto start = Clock::now();
    auto writer = stub->ImportMembers(&ctx, &summary);
    int64_t sent = 0;
    absl::StatusOr<tpp::v1::MemberRecord> generated;  // when not beforehand
    for (; sent < options.members && !StopRequested(); ++sent) {
      const tpp::v1::MemberRecord* record = nullptr;
      if (pregenerate) {
        record = &records[static_cast<size_t>(sent)];
      } else {
        generated = next_record();
        if (!generated.ok()) return generated.status();
        record = &*generated;
      }
      if (!writer->Write(*record, grpc::WriteOptions().set_buffer_hint())) {
        break;
      }
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    const double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    const double client_cpu = CpuSeconds(0) - client_cpu_start;
    const double tppd_cpu = options.tppd_pid > 0
                                ? CpuSeconds(options.tppd_pid) - tppd_cpu_start
                                : -1;

    Result result;
    result.scenario = "import";
    result.unit = "members";
    result.seconds = seconds;
    result.concurrency = 1;
    if (!status.ok()) {
      result.errors[CodeName(status.error_code())] = 1;
      return result;
    }
    result.count = static_cast<uint64_t>(summary.accepted());
    result.rate_per_s = static_cast<double>(summary.accepted()) / seconds;
    if (summary.rejected() > 0) {
      result.errors["REJECTED"] = static_cast<uint64_t>(summary.rejected());
    }
    result.extra["sent"] = static_cast<double>(sent);
    result.extra["pregenerated"] = pregenerate ? 1 : 0;
    // CPU per member (us): what two cores can carry, whatever else runs.
    if (sent > 0) {
      result.extra["client_cpu_us_per_member"] = client_cpu * 1e6 / sent;
      if (tppd_cpu >= 0 && tppd_cpu_start >= 0) {
        result.extra["tppd_cpu_us_per_member"] = tppd_cpu * 1e6 / sent;
      }
    }
    if (double rss = PeakRssMib(options.tppd_pid); rss > 0) {
      result.extra["tppd_peak_rss_mib"] = rss;
    }
    return result;
  }
};

}  // namespace

TPP_REGISTER_SCENARIO("import", ImportScenario);

}  // namespace tpp::bench
