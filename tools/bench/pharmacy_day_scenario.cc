// `pharmacy-day`: one pharmacy's normal day, the load the exfiltration
// breaker (issue #7) must never trip on: a few hundred distinct patients
// (250), repeat visits, many eligibility checks per patient and a claim on
// one visit in four, all from one credential of its own
// (provider/750100099). With the default breaker (300 distinct members an
// hour for a provider) every call must succeed: any PERMISSION_DENIED in
// the result is the breaker tripping on a legitimate day.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/bench/engine.h"
#include "tools/bench/sample.h"
#include "tools/bench/scenario.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/eligibility.grpc.pb.h"

namespace tpp::bench {
namespace {

constexpr size_t kPatients = 250;
constexpr char kPharmacy[] = "provider/750100099";

class PharmacyDayScenario final : public Scenario {
 public:
  std::string Identity(const BenchOptions&) const override { return kPharmacy; }

  absl::Status Setup(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) override {
    for (const auto& channel : channels) {
      eligibility_.push_back(tpp::v1::EligibilityService::NewStub(channel));
      claims_.push_back(tpp::v1::ClaimService::NewStub(channel));
    }
    absl::StatusOr<std::vector<tpp::v1::Beneficiary>> sample =
        SampleBeneficiaries(options);
    if (!sample.ok()) return sample.status();
    if (sample->size() > kPatients) sample->resize(kPatients);
    patients_ = *std::move(sample);
    today_ = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
    run_ = absl::StrCat(absl::ToUnixMillis(absl::Now()));
    return absl::OkStatus();
  }

  void Issue(int connection, uint64_t sequence, Done done) override {
    const tpp::v1::Beneficiary& patient =
        patients_[(sequence * 7919) % patients_.size()];
    if (sequence % 4 != 3) {
      struct Call {
        grpc::ClientContext ctx;
        tpp::v1::CheckEligibilityRequest request;
        tpp::v1::CheckEligibilityResponse response;
      };
      auto* call = new Call();
      call->ctx.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(10));
      *call->request.mutable_beneficiary() = patient;
      call->request.set_insurer_id(kBenchInsurerId);
      call->request.set_care_date(today_);
      call->request.set_category(tpp::v1::PHARMACY);
      eligibility_[connection]->async()->CheckEligibility(
          &call->ctx, &call->request, &call->response,
          [call, done = std::move(done)](grpc::Status status) {
            delete call;
            done(status);
          });
      return;
    }
    struct Call {
      grpc::ClientContext ctx;
      tpp::v1::SubmitClaimRequest request;
      tpp::v1::Claim response;
    };
    auto* call = new Call();
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
    FillBenchClaim(patient, absl::StrCat("D", run_, "-", sequence),
                   absl::StrCat("D", run_, "-", sequence), today_,
                   {250, 200, 130}, &call->request);
    claims_[connection]->async()->SubmitClaim(
        &call->ctx, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          delete call;
          done(status);
        });
  }

  void AddToResult(Result* result) override {
    result->extra["distinct_patients"] = static_cast<double>(patients_.size());
  }

 private:
  std::vector<std::unique_ptr<tpp::v1::EligibilityService::Stub>> eligibility_;
  std::vector<std::unique_ptr<tpp::v1::ClaimService::Stub>> claims_;
  std::vector<tpp::v1::Beneficiary> patients_;
  std::string today_;
  std::string run_;
};

}  // namespace

TPP_REGISTER_SCENARIO("pharmacy-day", PharmacyDayScenario);

}  // namespace tpp::bench
