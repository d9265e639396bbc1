// Crash consistency of the kill switch (tests/support/crash_harness.h):
// providers submit claims while an operator isolates their scopes one by
// one (PROVIDER scopes and single CREDENTIAL scopes), and tppd is killed
// with SIGKILL at a random moment (seed printed, TPP_CRASH_SEED replays
// it). Before the kill, no call that started after its scope's isolation
// was acknowledged may succeed; after the restart, every acknowledged
// isolation is still in force and refuses calls, every acknowledged claim
// is there, and ceilings and ledger are consistent.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/isolation_support.h"
#include "tests/support/claim_client.h"
#include "tests/support/crash_harness.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"

namespace tpp::testing {
namespace {

using tpp::v1::ClaimService;
using tpp::v1::MemberService;

constexpr char kInsurer[] = "insurer/100000001";
constexpr char kProbe[] = "provider/750100001";  // never isolated
constexpr int kTargets = 12;  // providers 750100010.., one scope each
constexpr int kMembers = 60;
constexpr int64_t kCeilingCents = 1000000;

std::string ProviderId(int target) { return absl::StrCat(750100010 + target); }

// Even targets: the provider's scope; odd ones: its one credential.
tpp::v1::Scope ScopeOf(int target) {
  if (target % 2 == 0) return MakeScope(tpp::v1::PROVIDER, ProviderId(target));
  return MakeScope(tpp::v1::CREDENTIAL,
                   "spiffe://tpp.local/provider/" + ProviderId(target));
}

TEST(IsolationCrashTest, AcknowledgedIsolationsHoldThroughSigkill) {
  CrashHarness harness({"--rate_per_s=1000000", "--rate_burst=1000000"});
  const int kill_after_ms = static_cast<int>(harness.Uniform(0, 300));
  std::vector<int> order(kTargets);
  for (int i = 0; i < kTargets; ++i) order[i] = i;
  for (int i = kTargets - 1; i > 0; --i) {
    std::swap(order[i], order[harness.Uniform(0, i)]);
  }
  std::cout << "SIGKILL " << kill_after_ms
            << " ms after the first acknowledged isolation\n";

  TppdProcess& server = harness.server();
  ASSERT_TRUE(server.Start().ok());
  auto insurer = MemberService::NewStub(server.Channel(kInsurer));
  std::vector<tpp::v1::MemberRecord> members;
  ASSERT_TRUE(ImportCoveredMembers(insurer.get(), kCeilingCents, kMembers,
                                   harness.seed(), &members)
                  .ok());
  // Certificates and connections first: the load starts all at once.
  std::vector<std::unique_ptr<ClaimService::Stub>> stubs;
  for (int t = 0; t < kTargets; ++t) {
    stubs.push_back(
        ClaimService::NewStub(server.Channel("provider/" + ProviderId(t))));
  }
  auto probe = ClaimService::NewStub(server.Channel(kProbe));

  absl::Mutex mu;
  std::vector<std::string> breaches;
  std::atomic<int> refused{0};
  auto load = [&](ClaimService::Stub* stub, int target) {
    for (int i = 0; !harness.killed(); ++i) {
      const absl::Time started = absl::Now();
      tpp::v1::Claim claim;
      grpc::Status status = Submit(
          stub,
          PharmacyClaim(members[((target + 1) * 7 + i) % kMembers],
                        absl::StrCat("I-", target, "-", i),
                        absl::StrCat("A", target, "-", i), 1000, 1000, 700),
          &claim);
      if (!status.ok()) {
        if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
            status.error_code() == grpc::StatusCode::UNAVAILABLE) {
          ++refused;
        }
        continue;
      }
      harness.AckClaim(claim);
      if (target >= 0 && started > harness.IsolatedAt(ScopeOf(target))) {
        absl::MutexLock lock(&mu);
        breaches.push_back(absl::StrCat("provider ", ProviderId(target),
                                        " claim ", claim.claim_id()));
      }
    }
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kTargets; ++t) {
    threads.emplace_back(load, stubs[t].get(), t);
  }
  threads.emplace_back(load, probe.get(), -1);
  {
    Operator alice(server, "alice");
    for (int t : order) {
      if (harness.killed()) break;
      absl::SleepFor(absl::Milliseconds(t == order.front() ? 100 : 0));
      if (!alice.Isolate(ScopeOf(t)).ok()) continue;
      harness.AckIsolation(ScopeOf(t));
      // The kill comes a random moment after the first one: some are
      // acknowledged, some in flight, claims going on throughout.
      if (t == order.front()) {
        harness.KillAfter(absl::Milliseconds(kill_after_ms));
      }
      absl::SleepFor(absl::Milliseconds(harness.Uniform(0, 40)));
    }
  }
  ASSERT_TRUE(harness.RestartAfterKill().ok()) << server.Stderr();
  for (auto& thread : threads) thread.join();
  std::cout << refused.load() << " calls refused before the kill\n";
  EXPECT_TRUE(breaches.empty()) << breaches.size()
                                << " calls got through an acknowledged "
                                   "isolation, first: "
                                << breaches.front();

  EXPECT_TRUE(harness.CheckIsolation());
  EXPECT_TRUE(harness.CheckAcknowledgedClaims());
  EXPECT_TRUE(harness.CheckCeilings(members, kCeilingCents, kInsurer, kProbe));
  EXPECT_TRUE(harness.CheckLedger());
  server.Stop();
}

}  // namespace
}  // namespace tpp::testing
