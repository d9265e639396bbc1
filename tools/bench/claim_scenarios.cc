// `eligibility` and `claim`: a pharmacy's CheckEligibility and SubmitClaim
// on members imported earlier with the same --seed (run `import` first).
//
// eligibility: one look-up through the blind index, a decryption and a
//   ceiling read per call.
// claim: a one-line pharmacy claim per call, each with its own invoice
//   number and act code (no replay, no duplicate service), care date today:
//   adjudicated and written durably (group commit) before the answer.
//   Claims that meet a ceiling are still adjudicated and written.
// Both report tppd's server-side p50/p99 when --metrics is given.
#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/bench/metrics_scrape.h"
#include "tools/bench/sample.h"
#include "tools/bench/scenario.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/eligibility.grpc.pb.h"

namespace tpp::bench {
namespace {

std::string TodayUtc() {
  return absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
}

class EligibilityScenario final : public Scenario {
 public:
  absl::Status Setup(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) override {
    for (const auto& channel : channels) {
      stubs_.push_back(tpp::v1::EligibilityService::NewStub(channel));
    }
    absl::StatusOr<std::vector<tpp::v1::Beneficiary>> sample =
        SampleBeneficiaries(options);
    if (!sample.ok()) return sample.status();
    const std::string today = TodayUtc();
    for (tpp::v1::Beneficiary& beneficiary : *sample) {
      tpp::v1::CheckEligibilityRequest request;
      *request.mutable_beneficiary() = std::move(beneficiary);
      request.set_insurer_id(kBenchInsurerId);
      request.set_care_date(today);
      request.set_category(tpp::v1::PHARMACY);
      requests_.push_back(std::move(request));
    }
    return latency_.Start(options.metrics,
                          "/tpp.v1.EligibilityService/CheckEligibility");
  }

  void Issue(int connection, uint64_t sequence, Done done) override {
    struct Call {
      grpc::ClientContext ctx;
      tpp::v1::CheckEligibilityResponse response;
    };
    auto* call = new Call();
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
    const auto& request = requests_[(sequence * 7919) % requests_.size()];
    stubs_[connection]->async()->CheckEligibility(
        &call->ctx, &request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          delete call;
          done(status);
        });
  }

  void AddToResult(Result* result) override { latency_.AddTo(result); }

 private:
  std::vector<std::unique_ptr<tpp::v1::EligibilityService::Stub>> stubs_;
  std::vector<tpp::v1::CheckEligibilityRequest> requests_;
  ServerLatency latency_;
};

class ClaimScenario final : public Scenario {
 public:
  absl::Status Setup(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) override {
    for (const auto& channel : channels) {
      stubs_.push_back(tpp::v1::ClaimService::NewStub(channel));
    }
    absl::StatusOr<std::vector<tpp::v1::Beneficiary>> sample =
        SampleBeneficiaries(options);
    if (!sample.ok()) return sample.status();
    beneficiaries_ = *std::move(sample);
    today_ = TodayUtc();
    // Invoice numbers unique across runs against the same node.
    run_ = absl::StrCat(absl::ToUnixMillis(absl::Now()));
    return latency_.Start(options.metrics, "/tpp.v1.ClaimService/SubmitClaim");
  }

  void Issue(int connection, uint64_t sequence, Done done) override {
    struct Call {
      grpc::ClientContext ctx;
      tpp::v1::SubmitClaimRequest request;
      tpp::v1::Claim response;
    };
    auto* call = new Call();
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
    FillBenchClaim(beneficiaries_[(sequence * 7919) % beneficiaries_.size()],
                   absl::StrCat("B", run_, "-", sequence),
                   absl::StrCat("A", run_, "-", sequence), today_,
                   {1250, 1000, 650}, &call->request);
    stubs_[connection]->async()->SubmitClaim(
        &call->ctx, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          delete call;
          done(status);
        });
  }

  void AddToResult(Result* result) override { latency_.AddTo(result); }

 private:
  std::vector<std::unique_ptr<tpp::v1::ClaimService::Stub>> stubs_;
  std::vector<tpp::v1::Beneficiary> beneficiaries_;
  std::string today_;
  std::string run_;
  ServerLatency latency_;
};

}  // namespace

TPP_REGISTER_SCENARIO("eligibility", EligibilityScenario);
TPP_REGISTER_SCENARIO("claim", ClaimScenario);

}  // namespace tpp::bench
