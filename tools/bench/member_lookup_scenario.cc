// `member-lookup`: an insurer's GetMember on members imported earlier with
// the same --seed (run `import` first, in the same invocation or before):
// one member look-up by NIR through the blind index and a decryption per
// call. Besides the client-side latency it reports the server-side p99 of
// GetMember, from tppd's own histogram (--metrics host:port), which is what
// "inside the server" means.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/members/member_record_csv.h"
#include "tools/bench/metrics_scrape.h"
#include "tools/bench/scenario.h"
#include "tools/gen/member_generator.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::bench {
namespace {

constexpr char kMethod[] = "/tpp.v1.MemberService/GetMember";
// Beneficiaries looked up, drawn from the start of the imported sequence.
constexpr int64_t kSampleMax = 200000;

class MemberLookupScenario final : public Scenario {
 public:
  std::string Identity(const BenchOptions& options) const override {
    return options.insurer_identity;
  }

  absl::Status Setup(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) override {
    for (const auto& channel : channels) {
      stubs_.push_back(tpp::v1::MemberService::NewStub(channel));
    }
    MemberGeneratorOptions generator_options;
    generator_options.contract_ids = {"BENCH-2026"};
    generator_options.reference_year = 2026;
    MemberGenerator generator(options.seed, generator_options);
    const int64_t sample = std::min(options.members, kSampleMax);
    for (int64_t i = 0; i < sample; ++i) {
      absl::StatusOr<tpp::v1::MemberRecord> record =
          MemberRecordFromCsv(generator.Next());
      if (!record.ok()) return record.status();
      tpp::v1::GetMemberRequest request;
      request.mutable_beneficiary()->set_nir(record->nir());
      request.mutable_beneficiary()->set_birth_date(record->birth_date());
      request.mutable_beneficiary()->set_birth_rank(record->birth_rank());
      requests_.push_back(std::move(request));
    }
    metrics_ = options.metrics;
    if (!metrics_.empty()) {
      absl::StatusOr<Buckets> before = ScrapeBuckets(metrics_, kMethod);
      if (!before.ok()) return before.status();
      before_ = *before;
    }
    return absl::OkStatus();
  }

  void Issue(int connection, uint64_t sequence, Done done) override {
    struct Call {
      grpc::ClientContext ctx;
      tpp::v1::MemberRecord response;
    };
    auto* call = new Call();
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
    // A spread-out walk over the sample (a stride prime to its size).
    const auto& request = requests_[(sequence * 7919) % requests_.size()];
    stubs_[connection]->async()->GetMember(
        &call->ctx, &request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          delete call;
          done(status);
        });
  }

  void AddToResult(Result* result) override {
    if (metrics_.empty()) return;
    absl::StatusOr<Buckets> after = ScrapeBuckets(metrics_, kMethod);
    if (!after.ok()) return;
    result->extra["server_p99_us"] = Quantile(before_, *after, 0.99) * 1e6;
    result->extra["server_p50_us"] = Quantile(before_, *after, 0.50) * 1e6;
  }

 private:
  std::vector<std::unique_ptr<tpp::v1::MemberService::Stub>> stubs_;
  std::vector<tpp::v1::GetMemberRequest> requests_;
  std::string metrics_;
  Buckets before_;
};

}  // namespace

TPP_REGISTER_SCENARIO("member-lookup", MemberLookupScenario);

}  // namespace tpp::bench
