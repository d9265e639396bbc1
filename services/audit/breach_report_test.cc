#include "services/audit/breach_report.h"

#include "gtest/gtest.h"

namespace tpp {
namespace {

constexpr char kThief[] = "spiffe://tpp.local/provider/750000001";
const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

AuditRecord Answer(uint64_t sequence, absl::Time at, const char* insurer,
                   const char* member, const char* adherent) {
  AuditRecord record;
  record.sequence = sequence;
  record.time = at;
  record.event.caller = kThief;
  record.event.method = "CheckEligibility";
  record.event.insurer_id = insurer;
  record.event.members.push_back({member, adherent});
  record.event.categories = kAuditCoverage;
  return record;
}

TEST(BreachReportTest, DistinctMembersPerInsurerWithFirstAndLastAccess) {
  BreachReportBuilder builder(kThief, kT0, kT0 + absl::Hours(1));
  builder.Add(Answer(1, kT0 + absl::Seconds(1), "A", "m1", "A-1"));
  builder.Add(Answer(2, kT0 + absl::Seconds(2), "A", "m1", "A-1"));
  builder.Add(Answer(3, kT0 + absl::Seconds(3), "A", "m2", "A-2"));
  builder.Add(Answer(4, kT0 + absl::Seconds(4), "B", "m9", "B-9"));
  AuditRecord refused = Answer(5, kT0 + absl::Seconds(5), "B", "m8", "B-8");
  refused.event.outcome = absl::StatusCode::kPermissionDenied;
  builder.Add(refused);
  BreachReportData report = std::move(builder).Finish();

  EXPECT_EQ(report.people, 3);
  EXPECT_EQ(report.records, 5);
  EXPECT_EQ(report.refused, 1);
  EXPECT_TRUE(report.intelligible);
  ASSERT_EQ(report.insurers.size(), 2u);
  const InsurerExposureReport& a = report.insurers.at("A");
  EXPECT_EQ(a.members.size(), 2u);
  EXPECT_EQ(a.members.at("m2"), "A-2");
  EXPECT_EQ(a.record_count, 3);
  EXPECT_EQ(a.first_access, kT0 + absl::Seconds(1));
  EXPECT_EQ(a.last_access, kT0 + absl::Seconds(3));
  const InsurerExposureReport& b = report.insurers.at("B");
  EXPECT_EQ(b.members.size(), 1u);  // the refused call exposed no one
  EXPECT_EQ(b.members.count("m8"), 0u);

  const std::string text = BreachReportText(report);
  EXPECT_NE(text.find("GDPR art. 33"), std::string::npos);
  EXPECT_NE(text.find("A-1 A-2"), std::string::npos);
  EXPECT_NE(text.find("coverage"), std::string::npos);
}

TEST(BreachReportTest, NothingAnsweredMeansNothingIntelligible) {
  BreachReportBuilder builder(kThief, kT0, kT0 + absl::Hours(1));
  BreachReportData report = std::move(builder).Finish();
  EXPECT_EQ(report.people, 0);
  EXPECT_FALSE(report.intelligible);
  EXPECT_NE(BreachReportText(report).find("no member data"), std::string::npos);
}

}  // namespace
}  // namespace tpp
