// Crash consistency of a settlement run: an insurer's window of claims,
// RunSettlement, SIGKILL a random moment later (tests/support/
// crash_harness.h: seed printed, TPP_CRASH_SEED replays it), restart.
// The ledger must verify at once (each chunk is one atomic batch), the
// settlement is closed exactly when the run's audit record is on disk (one
// batch), and running the same settlement again must finish it with exactly
// the claims of the window: total and count equal to the claims approved.
#include <atomic>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/common/date.h"
#include "storage/audit_log_rocks.h"
#include "storage/commit_queue.h"
#include "storage/db.h"
#include "storage/settlement_store_rocks.h"
#include "tests/support/claim_client.h"
#include "tests/support/crash_harness.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::testing {
namespace {

using tpp::v1::ClaimService;
using tpp::v1::MemberService;
using tpp::v1::SettlementService;

constexpr int kMembers = 200;
constexpr int kClaims = 12000;  // about 12 chunks of the run

struct Call {
  grpc::ClientContext ctx;
  tpp::v1::SubmitClaimRequest request;
  tpp::v1::Claim response;
  grpc::Status status;
};

std::string Today() {
  return absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
}

// On the dead node's data directory: whether the settlement is closed, and
// how many successful RunSettlement records name it.
void ReadRunOutcome(const std::string& data_dir, const std::string& cutoff,
                    bool* closed, int* recorded_runs) {
  auto db = storage::Db::Open(data_dir, storage::Db::Options());
  ASSERT_TRUE(db.ok()) << db.status();
  storage::CommitQueue commits((*db)->raw(), storage::CommitQueue::Options());
  auto log = storage::RocksAuditLog::Open(db->get(), &commits,
                                          storage::RocksAuditLog::Options());
  ASSERT_TRUE(log.ok()) << log.status();
  storage::RocksSettlementStore store(db->get(), &commits);
  const std::string id = SettlementId(kInsurerId, *Date::Parse(cutoff));
  absl::StatusOr<Settlement> settlement = store.Get(id);
  *closed = settlement.ok() && settlement->closed;
  *recorded_runs = 0;
  ASSERT_TRUE((*log)
                  ->ScanCredential(
                      "spiffe://tpp.local/operator/alice", absl::InfinitePast(),
                      absl::InfiniteFuture(),
                      [&](const AuditRecord& record) {
                        if (record.event.method == "RunSettlement" &&
                            record.event.object == id &&
                            record.event.outcome == absl::StatusCode::kOk) {
                          ++*recorded_runs;
                        }
                        return absl::OkStatus();
                      })
                  .ok());
  commits.Stop();
}

TEST(SettlementCrashTest, KilledMidRunThenFinishedByTheSameRun) {
  // One pharmacy makes every claim: lift the per-credential rate limit.
  CrashHarness harness({"--rate_per_s=1000000", "--rate_burst=1000000"});
  // Mostly mid-run; one seed in four late enough that the run has closed
  // the settlement (its audit record must then be there too).
  const bool late = harness.Uniform(0, 3) == 0;
  const int kill_after_ms = static_cast<int>(late ? harness.Uniform(150, 1500)
                                                  : harness.Uniform(0, 149));
  std::cout << "SIGKILL " << kill_after_ms << " ms into the settlement run\n";
  TppdProcess& server = harness.server();
  ASSERT_TRUE(server.Start().ok());
  auto insurer = MemberService::NewStub(server.Channel("insurer/100000001"));
  std::vector<tpp::v1::MemberRecord> members;
  ASSERT_TRUE(ImportCoveredMembers(insurer.get(), /*ceiling_cents=*/0, kMembers,
                                   harness.seed(), &members)
                  .ok());

  // The window: kClaims claims through the callback API, 256 at a time.
  auto claims = ClaimService::NewStub(server.Channel("provider/750100001"));
  int64_t approved_total = 0;
  int64_t approved_count = 0;
  for (int first = 0; first < kClaims; first += 256) {
    std::vector<std::unique_ptr<Call>> calls;
    std::atomic<int> left{std::min(256, kClaims - first)};
    absl::Notification done;
    for (int i = first; i < first + 256 && i < kClaims; ++i) {
      auto call = std::make_unique<Call>();
      call->request =
          PharmacyClaim(members[i % kMembers], absl::StrCat("K-", i),
                        absl::StrCat("A", i), 1000 + i % 500, 900, 600);
      call->ctx.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(60));
      Call* raw = call.get();
      claims->async()->SubmitClaim(&raw->ctx, &raw->request, &raw->response,
                                   [&, raw](grpc::Status s) {
                                     raw->status = s;
                                     if (left.fetch_sub(1) == 1) done.Notify();
                                   });
      calls.push_back(std::move(call));
    }
    done.WaitForNotification();
    for (const auto& call : calls) {
      ASSERT_TRUE(call->status.ok())
          << call->status.error_code() << " " << call->status.error_message();
      ASSERT_EQ(call->response.status(), tpp::v1::APPROVED);
      approved_total += call->response.amc_total_cents();
      ++approved_count;
    }
  }

  // The run, killed a random moment after it starts.
  {
    auto admin = SettlementService::NewStub(
        server.Channel("operator/alice", TppdProcess::Port::kAdmin));
    tpp::v1::RunSettlementRequest request;
    request.set_insurer_id(kInsurerId);
    request.set_cutoff_date(Today());
    tpp::v1::Settlement ignored;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(60));
    harness.KillAfter(absl::Milliseconds(kill_after_ms));
    admin->RunSettlement(&ctx, request, &ignored);  // cut short by the kill
  }

  bool closed = false;
  int recorded_runs = -1;
  ASSERT_TRUE(harness
                  .RestartAfterKill(absl::Seconds(60),
                                    [&] {
                                      ReadRunOutcome(server.data_dir(), Today(),
                                                     &closed, &recorded_runs);
                                    })
                  .ok())
      << server.Stderr();
  std::cout << "killed " << kill_after_ms << " ms into the run, settlement "
            << (closed ? "closed" : "open") << " when killed" << std::endl;
  EXPECT_EQ(recorded_runs, closed ? 1 : 0);
  auto admin = SettlementService::NewStub(
      server.Channel("operator/alice", TppdProcess::Port::kAdmin));
  // Whatever the kill left, every invariant holds at once: an open
  // settlement is the one violation it may name.
  EXPECT_TRUE(harness.CheckLedger(/*open_settlement_allowed=*/true));
  // The same run finishes it (or returns it, if it had closed).
  tpp::v1::RunSettlementRequest request;
  request.set_insurer_id(kInsurerId);
  request.set_cutoff_date(Today());
  tpp::v1::Settlement settlement;
  {
    grpc::ClientContext ctx;
    grpc::Status status = admin->RunSettlement(&ctx, request, &settlement);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(settlement.claim_count(), approved_count);
  EXPECT_EQ(settlement.total_cents(), approved_total);
  EXPECT_EQ(settlement.line_count(), approved_count);
  EXPECT_TRUE(harness.CheckLedger());
  server.Stop();
}

}  // namespace
}  // namespace tpp::testing
