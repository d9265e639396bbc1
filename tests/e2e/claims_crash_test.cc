// Crash consistency of claims (tests/support/crash_harness.h): 3,000 claims
// in flight from many connections, tppd killed with SIGKILL from the
// callback of a random acknowledgement (seed printed, TPP_CRASH_SEED
// replays it), restarted on the same data directory; every acknowledged
// claim must be there with the same amounts, every ceiling's consumption
// must equal the sum of the claims on disk, and the ledger must verify.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/crash_harness.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"

namespace tpp::testing {
namespace {

using tpp::v1::ClaimService;
using tpp::v1::MemberService;

constexpr char kInsurer[] = "insurer/100000001";
constexpr const char* kProviders[] = {"provider/750100001",
                                      "provider/750100002"};
constexpr int kMembers = 100;
// Far more than the kill point (at most 549 acknowledgements): a node that
// answers in large commit groups must still have claims in flight then.
constexpr int kClaims = 3000;
constexpr int kConnections = 8;
constexpr int64_t kCeilingCents = 2000;  // each member: ~6 claims' worth

// One claim in flight through the callback API.
struct Call {
  grpc::ClientContext ctx;
  tpp::v1::SubmitClaimRequest request;
  tpp::v1::Claim response;
};

TEST(ClaimsCrashTest, AcknowledgedClaimsAndCeilingsSurviveSigkill) {
  CrashHarness harness;
  const int kill_after_acks = static_cast<int>(harness.Uniform(50, 549));
  std::cout << "SIGKILL after " << kill_after_acks << " acknowledged claims\n";

  TppdProcess& server = harness.server();
  ASSERT_TRUE(server.Start().ok());
  auto insurer = MemberService::NewStub(server.Channel(kInsurer));
  std::vector<tpp::v1::MemberRecord> members;
  ASSERT_TRUE(ImportCoveredMembers(insurer.get(), kCeilingCents, kMembers,
                                   harness.seed(), &members)
                  .ok());

  std::vector<std::unique_ptr<ClaimService::Stub>> stubs;
  for (int c = 0; c < kConnections; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("tpp.connection", c);
    stubs.push_back(ClaimService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server.port()),
        TestCerts::Get().Credentials(kProviders[c % 2]), args)));
  }

  std::atomic<int> finished{0};
  absl::Notification all_done;
  std::vector<std::unique_ptr<Call>> calls;
  for (int i = 0; i < kClaims; ++i) {
    auto call = std::make_unique<Call>();
    call->request = PharmacyClaim(members[i % kMembers], absl::StrCat("C-", i),
                                  absl::StrCat("A", i), 1000, 1000, 700);
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(60));
    calls.push_back(std::move(call));
  }
  // Killed from the callback of the chosen acknowledgement: claims are
  // still in flight.
  harness.KillAfterAcks(kill_after_acks);
  for (int i = 0; i < kClaims; ++i) {
    Call* call = calls[i].get();
    stubs[i % kConnections]->async()->SubmitClaim(
        &call->ctx, &call->request, &call->response, [&, call](grpc::Status s) {
          if (s.ok()) harness.AckClaim(call->response);
          if (finished.fetch_add(1) + 1 == kClaims) all_done.Notify();
        });
  }
  ASSERT_TRUE(harness.RestartAfterKill().ok()) << server.Stderr();
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(90)));
  ASSERT_GE(harness.acks(), kill_after_acks);
  EXPECT_LT(harness.acks(), kClaims);  // some were in flight at the kill

  EXPECT_TRUE(harness.CheckAcknowledgedClaims());
  EXPECT_TRUE(
      harness.CheckCeilings(members, kCeilingCents, kInsurer, kProviders[0]));
  EXPECT_TRUE(harness.CheckLedger());
  server.Stop();
}

}  // namespace
}  // namespace tpp::testing
