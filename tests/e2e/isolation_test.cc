// End-to-end tests of the kill switch through real mTLS clients against a
// real tppd: scoped refusals with their reasons, health and the admin
// listener while isolated, two-person reopening through REOPENING, a
// restart (kill -9) that comes back isolated, and an open import stream
// cancelled within 100 ms of Isolate.
#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/isolation_support.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/eligibility.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::testing {
namespace {

using Port = TppdProcess::Port;
using tpp::v1::MemberService;

constexpr char kProvider[] = "provider/750100001";
constexpr char kOtherProvider[] = "provider/750100002";
constexpr char kInsurer[] = "insurer/100000001";
constexpr char kOtherInsurer[] = "insurer/100000002";

grpc::Status CheckEligibility(const TppdProcess& server,
                              const std::string& who) {
  auto stub = tpp::v1::EligibilityService::NewStub(server.Channel(who));
  tpp::v1::CheckEligibilityRequest request;
  request.set_insurer_id("100000001");
  tpp::v1::CheckEligibilityResponse response;
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  return stub->CheckEligibility(&ctx, request, &response);
}

bool Serving(const TppdProcess& server, Port port) {
  auto stub = grpc::health::v1::Health::NewStub(server.Channel(
      port == Port::kAdmin ? "operator/alice" : kProvider, port));
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  return stub->Check(&ctx, {}, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

// A node with members for two insurers.
class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
    Connect();
    for (auto* stub : {insurer_.get(), other_insurer_.get()}) {
      ASSERT_TRUE(PutContract(stub).ok());
    }
    tpp::v1::ImportSummary summary;
    ASSERT_TRUE(ImportMembers(insurer_.get(), members_, &summary).ok());
    ASSERT_TRUE(ImportMembers(other_insurer_.get(), other_, &summary).ok());
  }

  void Connect() {
    insurer_ = MemberService::NewStub(server_.Channel(kInsurer));
    other_insurer_ = MemberService::NewStub(server_.Channel(kOtherInsurer));
  }

  grpc::Status Get(MemberService::Stub* stub,
                   const tpp::v1::MemberRecord& who) {
    tpp::v1::MemberRecord got;
    return GetMember(stub, who, &got);
  }

  TppdProcess server_;
  std::unique_ptr<MemberService::Stub> insurer_;
  std::unique_ptr<MemberService::Stub> other_insurer_;
  std::vector<tpp::v1::MemberRecord> members_ = GenerateMembers(20, 1);
  std::vector<tpp::v1::MemberRecord> other_ = GenerateMembers(20, 2);
};

TEST_F(IsolationTest, PlatformIsolationRefusesEveryoneButHealthAndAdmin) {
  EXPECT_NE(CheckEligibility(server_, kProvider).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  Operator alice(server_, "alice");
  tpp::v1::IsolationStatus status;
  ASSERT_TRUE(alice.Isolate(MakeScope(tpp::v1::PLATFORM), false, &status).ok());
  EXPECT_EQ(status.scopes(0).state(), tpp::v1::ISOLATED);
  EXPECT_EQ(status.scopes(0).changed_by(), "spiffe://tpp.local/operator/alice");

  grpc::Status provider = CheckEligibility(server_, kProvider);
  EXPECT_EQ(provider.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(provider), "PLATFORM_ISOLATED");
  grpc::Status insurer = Get(insurer_.get(), members_[0]);
  EXPECT_EQ(insurer.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(insurer), "PLATFORM_ISOLATED");
  // Nothing leaks in the refusal.
  EXPECT_EQ(insurer.error_message().find(members_[0].nir()), std::string::npos);

  EXPECT_TRUE(Serving(server_, Port::kExternal));
  EXPECT_TRUE(Serving(server_, Port::kAdmin));
  EXPECT_EQ(Operator(server_, "bob").Status().scopes(0).state(),
            tpp::v1::ISOLATED);
}

TEST_F(IsolationTest, InsurerIsolationRefusesThatInsurerOnly) {
  Operator alice(server_, "alice");
  ASSERT_TRUE(alice.Isolate(MakeScope(tpp::v1::INSURER, "100000001")).ok());
  grpc::Status get = Get(insurer_.get(), members_[0]);
  EXPECT_EQ(get.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(get), "INSURER_ISOLATED");
  tpp::v1::ImportSummary summary;
  grpc::Status import = ImportMembers(insurer_.get(), members_, &summary);
  EXPECT_EQ(ReasonOf(import), "INSURER_ISOLATED");
  // The other insurer is served as before.
  EXPECT_TRUE(Get(other_insurer_.get(), other_[3]).ok());
  EXPECT_TRUE(ImportMembers(other_insurer_.get(), other_, &summary).ok());
}

TEST_F(IsolationTest, SuspendedCredentialIsPermissionDenied) {
  Operator alice(server_, "alice");
  ASSERT_TRUE(alice
                  .Isolate(MakeScope(tpp::v1::CREDENTIAL,
                                     "spiffe://tpp.local/provider/750100001"))
                  .ok());
  grpc::Status refused = CheckEligibility(server_, kProvider);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(refused), "CREDENTIAL_SUSPENDED");
  EXPECT_NE(CheckEligibility(server_, kOtherProvider).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Bad input is INVALID_ARGUMENT.
  grpc::Status bad = alice.Isolate(MakeScope(tpp::v1::CREDENTIAL, "alice"));
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IsolationTest, TwoPersonReopeningStepByStep) {
  Operator alice(server_, "alice");
  Operator bob(server_, "bob");
  Operator carol(server_, "carol");
  ASSERT_TRUE(alice.Isolate(MakeScope(tpp::v1::PLATFORM)).ok());

  tpp::v1::ReopenProposal proposal;
  ASSERT_TRUE(alice
                  .Propose(MakeScope(tpp::v1::PLATFORM), tpp::v1::REOPENING,
                           {"100000001", "750100001"}, &proposal)
                  .ok());
  tpp::v1::ApproveReopenResponse approved;
  grpc::Status self = alice.Approve(proposal.proposal_id(), &approved);
  EXPECT_EQ(self.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(self), "SELF_APPROVAL");
  EXPECT_EQ(ReasonOf(Get(insurer_.get(), members_[0])), "PLATFORM_ISOLATED");
  EXPECT_EQ(bob.Status().pending_proposals_size(), 1);

  ASSERT_TRUE(bob.Approve(proposal.proposal_id(), &approved).ok());
  EXPECT_TRUE(approved.applied());
  EXPECT_EQ(approved.status().scopes(0).state(), tpp::v1::REOPENING);
  // Only the allow-list gets through.
  EXPECT_TRUE(Get(insurer_.get(), members_[0]).ok());
  EXPECT_NE(CheckEligibility(server_, kProvider).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(Get(other_insurer_.get(), other_[0])),
            "PLATFORM_ISOLATED");
  EXPECT_EQ(ReasonOf(CheckEligibility(server_, kOtherProvider)),
            "PLATFORM_ISOLATED");

  // OPEN is another proposal and another approval.
  ASSERT_TRUE(
      bob.Propose(MakeScope(tpp::v1::PLATFORM), tpp::v1::OPEN, {}, &proposal)
          .ok());
  ASSERT_TRUE(carol.Approve(proposal.proposal_id(), &approved).ok());
  EXPECT_TRUE(approved.applied());
  EXPECT_TRUE(Get(other_insurer_.get(), other_[0]).ok());
  EXPECT_EQ(carol.Status().scopes(0).state(), tpp::v1::OPEN);
}

TEST_F(IsolationTest, NodeKilledWhileIsolatedComesBackIsolated) {
  Operator alice(server_, "alice");
  ASSERT_TRUE(alice.Isolate(MakeScope(tpp::v1::INSURER, "100000001")).ok());
  server_.Kill();
  ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
  Connect();
  EXPECT_EQ(ReasonOf(Get(insurer_.get(), members_[0])), "INSURER_ISOLATED");
  EXPECT_TRUE(Get(other_insurer_.get(), other_[0]).ok());
  tpp::v1::IsolationStatus status = Operator(server_, "bob").Status();
  ASSERT_EQ(status.scopes_size(), 2);
  EXPECT_EQ(status.scopes(1).scope().id(), "100000001");
  EXPECT_EQ(status.scopes(1).state(), tpp::v1::ISOLATED);
}

TEST_F(IsolationTest, OpenImportStreamIsCancelledWithin100Ms) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, 60);
  tpp::v1::ImportSummary summary;
  auto writer = insurer_->ImportMembers(&ctx, &summary);
  ASSERT_TRUE(writer->Write(members_[0]));
  std::atomic<bool> failed{false};
  std::atomic<int64_t> failed_at_us{0};
  std::thread feeder([&] {
    // A trickle: the stream stays open until something ends it.
    for (size_t i = 0; i < 30000; ++i) {
      if (!writer->Write(members_[i % members_.size()])) {
        failed_at_us = absl::ToUnixMicros(absl::Now());
        failed = true;
        return;
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
  });
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_FALSE(failed.load());
  Operator alice(server_, "alice");
  ASSERT_TRUE(alice.Isolate(MakeScope(tpp::v1::INSURER, "100000001")).ok());
  const int64_t isolated_at_us = absl::ToUnixMicros(absl::Now());
  feeder.join();
  ASSERT_TRUE(failed.load());
  const int64_t latency_us = failed_at_us.load() - isolated_at_us;
  RecordProperty("cancel_after_isolate_us", std::to_string(latency_us));
  EXPECT_LE(latency_us, 100000)
      << "the stream was still open 100 ms after Isolate returned";
  grpc::Status finished = writer->Finish();
  EXPECT_EQ(finished.error_code(), grpc::StatusCode::CANCELLED);
  // The registry did it, not the import failing on its own.
  EXPECT_NE(server_.Stderr().find("\"event\":\"streams_cancelled\""),
            std::string::npos);
}

}  // namespace
}  // namespace tpp::testing
