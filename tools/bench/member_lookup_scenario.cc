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
#include "tools/bench/metrics_scrape.h"
#include "tools/bench/sample.h"
#include "tools/bench/scenario.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::bench {
namespace {

constexpr char kMethod[] = "/tpp.v1.MemberService/GetMember";

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
    absl::StatusOr<std::vector<tpp::v1::Beneficiary>> sample =
        SampleBeneficiaries(options);
    if (!sample.ok()) return sample.status();
    for (tpp::v1::Beneficiary& beneficiary : *sample) {
      tpp::v1::GetMemberRequest request;
      *request.mutable_beneficiary() = std::move(beneficiary);
      requests_.push_back(std::move(request));
    }
    return latency_.Start(options.metrics, kMethod);
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

  void AddToResult(Result* result) override { latency_.AddTo(result); }

 private:
  std::vector<std::unique_ptr<tpp::v1::MemberService::Stub>> stubs_;
  std::vector<tpp::v1::GetMemberRequest> requests_;
  ServerLatency latency_;
};

}  // namespace

TPP_REGISTER_SCENARIO("member-lookup", MemberLookupScenario);

}  // namespace tpp::bench
