#include "services/audit/breach_report.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

// Regression: a credential with ~900k members made an answer (list + text)
// of 15.6 MB, refused by the 4 MiB message limit.
TEST(BreachReportTest, ABusyCredentialsTextListsAtMostTheCap) {
  BreachReportBuilder builder(kThief, kT0, kT0 + absl::Hours(1));
  const size_t members = kBreachReportAdherentsMax + 5;
  for (size_t i = 0; i < members; ++i) {
    const std::string id = absl::StrCat("m", i);
    const std::string adherent = absl::StrCat("A-", 1000000 + i);
    builder.Add(Answer(i + 1, kT0, "A", id.c_str(), adherent.c_str()));
  }
  // A family: two members, one adherent number.
  builder.Add(Answer(members + 1, kT0, "B", "spouse", "B-1"));
  builder.Add(Answer(members + 2, kT0, "B", "child", "B-1"));
  BreachReportData report = std::move(builder).Finish();
  EXPECT_EQ(report.people, static_cast<int64_t>(members) + 2);
  const InsurerExposureReport& a = report.insurers.at("A");
  ASSERT_EQ(a.adherents.size(), members);
  EXPECT_TRUE(std::is_sorted(a.adherents.begin(), a.adherents.end()));
  EXPECT_EQ(report.insurers.at("B").adherents, std::vector<std::string>{"B-1"});

  const std::string text = BreachReportText(report);
  EXPECT_NE(text.find("(6 more adherent numbers not listed"),
            std::string::npos);
  EXPECT_LT(text.size(), size_t{2} << 20);
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
