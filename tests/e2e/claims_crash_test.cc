// Crash consistency of claims: 1,000 claims in flight from many
// connections, tppd killed with SIGKILL at a random moment (seed printed),
// restarted; every acknowledged claim must be there with the same amounts,
// and every ceiling's consumption must equal the sum of the claims on disk.
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"

namespace tpp::testing {
namespace {

using tpp::v1::ClaimService;
using tpp::v1::EligibilityService;
using tpp::v1::MemberService;

constexpr char kInsurer[] = "insurer/100000001";
constexpr const char* kProviders[] = {"provider/750100001",
                                      "provider/750100002"};
constexpr int kMembers = 100;
constexpr int kClaims = 1000;
constexpr int kConnections = 8;
constexpr int64_t kCeilingCents = 2000;  // each member: ~6 claims' worth

// One claim in flight through the callback API.
struct Call {
  grpc::ClientContext ctx;
  tpp::v1::SubmitClaimRequest request;
  tpp::v1::Claim response;
  int provider = 0;
};

TEST(ClaimsCrashTest, AcknowledgedClaimsAndCeilingsSurviveSigkill) {
  const uint64_t seed = std::random_device()();
  std::mt19937_64 random(seed);
  const int kill_after_acks = 50 + static_cast<int>(random() % 500);
  std::cout << "seed " << seed << ": SIGKILL after " << kill_after_acks
            << " acknowledged claims\n";

  TppdProcess server;
  ASSERT_TRUE(server.Start().ok());
  auto insurer = MemberService::NewStub(server.Channel(kInsurer));
  ASSERT_TRUE(
      PutPharmacyContract(insurer.get(), "GOLD", 20000, kCeilingCents).ok());
  std::vector<tpp::v1::MemberRecord> members =
      CoveredMembers(kMembers, seed, "GOLD");
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(insurer.get(), members, &summary).ok());
  ASSERT_EQ(summary.accepted(), kMembers);

  std::vector<std::unique_ptr<ClaimService::Stub>> stubs;
  for (int c = 0; c < kConnections; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("tpp.connection", c);
    stubs.push_back(ClaimService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server.port()),
        TestCerts::Get().Credentials(kProviders[c % 2]), args)));
  }

  absl::Mutex mu;
  std::map<std::string, tpp::v1::Claim> acknowledged;  // by claim_id
  std::atomic<int> acks{0};
  std::atomic<int> finished{0};
  absl::Notification killed;
  const pid_t pid = server.pid();
  absl::Notification all_done;
  std::vector<std::unique_ptr<Call>> calls;
  for (int i = 0; i < kClaims; ++i) {
    auto call = std::make_unique<Call>();
    call->provider = i % kConnections % 2;
    call->request = PharmacyClaim(members[i % kMembers], absl::StrCat("C-", i),
                                  absl::StrCat("A", i), 1000, 1000, 700);
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(60));
    calls.push_back(std::move(call));
  }
  for (int i = 0; i < kClaims; ++i) {
    Call* call = calls[i].get();
    stubs[i % kConnections]->async()->SubmitClaim(
        &call->ctx, &call->request, &call->response, [&, call](grpc::Status s) {
          if (s.ok()) {
            absl::MutexLock lock(&mu);
            acknowledged[call->response.claim_id()] = call->response;
            // Killed from the callback itself: claims are still in flight.
            if (acks.fetch_add(1) + 1 == kill_after_acks) {
              ::kill(pid, SIGKILL);
              killed.Notify();
            }
          }
          if (finished.fetch_add(1) + 1 == kClaims) all_done.Notify();
        });
  }
  killed.WaitForNotificationWithTimeout(absl::Seconds(60));
  server.Kill();
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(90)));
  std::cout << acks.load() << " claims acknowledged before the kill\n";
  ASSERT_GE(acks.load(), kill_after_acks);
  EXPECT_LT(acks.load(), kClaims);  // some were in flight at the kill

  ASSERT_TRUE(server.Start().ok());
  // Every acknowledged claim, as it was answered.
  std::vector<std::unique_ptr<ClaimService::Stub>> readers;
  for (const char* provider : kProviders) {
    readers.push_back(ClaimService::NewStub(server.Channel(provider)));
  }
  for (const auto& [id, claim] : acknowledged) {
    const int provider = claim.provider_id() == "750100001" ? 0 : 1;
    tpp::v1::Claim got;
    grpc::Status status = Get(readers[provider].get(), id, &got);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    EXPECT_EQ(got.SerializeAsString(), claim.SerializeAsString()) << id;
  }

  // Each ceiling's consumption equals the claims on disk (acknowledged or
  // not): the insurer lists them all, by adherent number.
  auto insurer_claims = ClaimService::NewStub(server.Channel(kInsurer));
  std::vector<tpp::v1::Claim> stored;
  ASSERT_TRUE(
      List(insurer_claims.get(), tpp::v1::ListClaimsRequest(), &stored).ok());
  ASSERT_GE(stored.size(), acknowledged.size());
  std::map<std::string, int64_t> consumed;  // by adherent number
  for (const auto& claim : stored) {
    if (claim.status() == tpp::v1::CANCELLED) continue;
    ASSERT_FALSE(claim.adherent_number().empty());
    consumed[claim.adherent_number()] += claim.amc_total_cents();
  }
  auto eligibility = EligibilityService::NewStub(server.Channel(kProviders[0]));
  // A family shares an adherent number: sum per beneficiary through the
  // eligibility answers, compared per family.
  std::map<std::string, int64_t> used_per_family;
  for (const auto& m : members) {
    tpp::v1::CheckEligibilityResponse answer;
    ASSERT_TRUE(Check(eligibility.get(), PharmacyCheck(m), &answer).ok());
    ASSERT_TRUE(answer.has_ceiling());
    ASSERT_GE(answer.ceiling_remaining_cents(), 0);
    used_per_family[m.adherent_number()] +=
        kCeilingCents - answer.ceiling_remaining_cents();
  }
  for (const auto& [adherent, used] : used_per_family) {
    EXPECT_EQ(used, consumed[adherent]) << "family " << adherent;
  }
  server.Stop();
}

}  // namespace
}  // namespace tpp::testing
