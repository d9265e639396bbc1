#include "services/audit/breaker_restore.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tpp {
namespace {

using Verdict = ExfiltrationBreaker::Verdict;

constexpr char kPharmacy[] = "spiffe://tpp.local/provider/750000001";
constexpr char kOther[] = "spiffe://tpp.local/provider/750000002";
const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

// The chain in memory: records in order; only ScanNewestAfter matters here.
class MemoryAuditLog final : public AuditLog {
 public:
  void Add(const std::string& caller, const std::string& member,
           absl::Time time, const std::string& method = "CheckEligibility") {
    AuditRecord record;
    record.sequence = records_.size() + 1;
    record.time = time;
    record.event.caller = caller;
    record.event.caller_role = "provider";
    record.event.method = method;
    if (!member.empty()) record.event.members.push_back({member, ""});
    records_.push_back(record);
  }
  absl::Status ScanNewestAfter(absl::Time after,
                               const RecordVisitor& visit) const override {
    for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
      if (it->time <= after) break;
      absl::Status s = visit(*it);
      if (absl::IsCancelled(s)) return absl::OkStatus();
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  void Record(std::vector<AuditEvent>, Done done) override {
    done(absl::UnimplementedError(""));
  }
  absl::StatusOr<ChainVerification> Verify(uint64_t, uint64_t) const override {
    return absl::UnimplementedError("");
  }
  absl::Status ScanCredential(const std::string&, absl::Time, absl::Time,
                              const RecordVisitor&) const override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<AuditCheckpoint>> Checkpoints(
      uint64_t, size_t) const override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::string> RecordHash(uint64_t) const override {
    return absl::UnimplementedError("");
  }
  uint64_t HeadSequence() const override { return records_.size(); }

 private:
  std::vector<AuditRecord> records_;
};

ExfiltrationBreaker::Options Limit(int provider) {
  ExfiltrationBreaker::Options options;
  options.provider_limit = provider;
  return options;
}

std::vector<std::string> One(int i) { return {absl::StrCat("m", i)}; }

TEST(BreakerRestoreTest, ARestartKeepsTheWindow) {
  MemoryAuditLog log;
  // 7 distinct members in the last hour (one of them twice), 3 before it.
  for (int i = 0; i < 3; ++i) log.Add(kPharmacy, absl::StrCat("old", i), kT0);
  for (int i = 0; i < 7; ++i) {
    log.Add(kPharmacy, absl::StrCat("m", i), kT0 + absl::Minutes(30 + i));
  }
  log.Add(kPharmacy, "m0", kT0 + absl::Minutes(40));
  log.Add(kOther, "m0", kT0 + absl::Minutes(41));
  const absl::Time now = kT0 + absl::Minutes(61);

  ExfiltrationBreaker breaker(Limit(10));
  auto stats = RestoreBreakerWindows(log, now, &breaker);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->touches, 9);
  EXPECT_EQ(stats->credentials, 2);
  EXPECT_EQ(breaker.Distinct(kPharmacy, now), 7);
  EXPECT_EQ(breaker.Distinct(kOther, now), 1);
  // 3 more distinct members fit, the 4th trips.
  for (int i = 7; i < 10; ++i) {
    EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(i), now),
              Verdict::kAllowed);
  }
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(10), now),
            Verdict::kTripped);
}

TEST(BreakerRestoreTest, RestoredTouchesStillSlideOut) {
  MemoryAuditLog log;
  log.Add(kPharmacy, "m0", kT0);
  log.Add(kPharmacy, "m1", kT0 + absl::Minutes(20));
  log.Add(kPharmacy, "m0", kT0 + absl::Minutes(40));  // back again
  ExfiltrationBreaker breaker(Limit(10));
  ASSERT_TRUE(
      RestoreBreakerWindows(log, kT0 + absl::Minutes(50), &breaker).ok());
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0 + absl::Minutes(50)), 2);
  // m1 leaves an hour after its touch; m0 an hour after its last one.
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0 + absl::Minutes(81)), 1);
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0 + absl::Minutes(101)), 0);
}

TEST(BreakerRestoreTest, NothingBeforeTheLastTripCounts) {
  MemoryAuditLog log;
  for (int i = 0; i < 5; ++i) {
    log.Add(kPharmacy, absl::StrCat("m", i), kT0 + absl::Minutes(i));
  }
  log.Add(kPharmacy, "", kT0 + absl::Minutes(6), kBreakerTripMethod);
  // Reopened by operators, then used again.
  log.Add(kPharmacy, "m9", kT0 + absl::Minutes(20));
  ExfiltrationBreaker breaker(Limit(5));
  ASSERT_TRUE(
      RestoreBreakerWindows(log, kT0 + absl::Minutes(30), &breaker).ok());
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0 + absl::Minutes(30)), 1);
  EXPECT_FALSE(breaker.Tripped(kPharmacy));
}

// Regression (KeyRotationTest after the per-batch import records): an
// insurer that imported more members than its limit was found suspended
// after a restart.
TEST(BreakerRestoreTest, OnlyTheReadsTheBreakerCountsCount) {
  MemoryAuditLog log;
  // Imports, erasures and statements name members, but the live breaker
  // never counted them.
  const char* const not_counted[] = {kImportMembersMethod, "EraseMember",
                                     "StreamStatement", "CancelClaim"};
  for (int i = 0; i < 20; ++i) {
    log.Add(kPharmacy, absl::StrCat("m", i), kT0 + absl::Minutes(i),
            not_counted[i % 4]);
  }
  log.Add(kPharmacy, "m0", kT0 + absl::Minutes(30));
  ExfiltrationBreaker breaker(Limit(5));
  auto stats = RestoreBreakerWindows(log, kT0 + absl::Minutes(40), &breaker);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->touches, 1);
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0 + absl::Minutes(40)), 1);
  EXPECT_EQ(
      breaker.Touch(kPharmacy, "provider", One(1), kT0 + absl::Minutes(40)),
      Verdict::kAllowed);
}

TEST(BreakerRestoreTest, OverTheLimitTripsAtTheNextTouchNotAtRestore) {
  MemoryAuditLog log;
  for (int i = 0; i < 5; ++i) log.Add(kPharmacy, absl::StrCat("m", i), kT0);
  ExfiltrationBreaker breaker(Limit(3));  // lowered across the restart
  ASSERT_TRUE(
      RestoreBreakerWindows(log, kT0 + absl::Minutes(1), &breaker).ok());
  EXPECT_FALSE(breaker.Tripped(kPharmacy));
  EXPECT_EQ(
      breaker.Touch(kPharmacy, "provider", One(99), kT0 + absl::Minutes(1)),
      Verdict::kTripped);
}

}  // namespace
}  // namespace tpp
