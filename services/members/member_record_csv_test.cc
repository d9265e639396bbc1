#include "services/members/member_record_csv.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tpp {
namespace {

MemberCsvRow GoodRow() {
  MemberCsvRow row;
  row.adherent_number = "10000000001";
  row.nir = "162016646694311";
  row.birth_date = "1962-01-14";
  row.birth_rank = 2;
  row.last_name = "Dupont";
  row.first_name = "Paul";
  row.relationship = "insured";
  row.marital_status = "pacs";
  row.contract_id = "GOLD-2026";
  row.coverage_from = "2026-01-01";
  row.coverage_to = "2026-12-31";
  return row;
}

TEST(MemberRecordFromCsvTest, CopiesEveryField) {
  absl::StatusOr<tpp::v1::MemberRecord> record = MemberRecordFromCsv(GoodRow());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->adherent_number(), "10000000001");
  EXPECT_EQ(record->nir(), "162016646694311");
  EXPECT_EQ(record->birth_date(), "1962-01-14");
  EXPECT_EQ(record->birth_rank(), 2);
  EXPECT_EQ(record->last_name(), "Dupont");
  EXPECT_EQ(record->first_name(), "Paul");
  EXPECT_EQ(record->relationship(), tpp::v1::INSURED);
  EXPECT_EQ(record->marital_status(), tpp::v1::CIVIL_PARTNERSHIP);
  EXPECT_EQ(record->contract_id(), "GOLD-2026");
  EXPECT_EQ(record->coverage_from(), "2026-01-01");
  EXPECT_EQ(record->coverage_to(), "2026-12-31");
}

TEST(MemberRecordFromCsvTest, MapsEveryRelationship) {
  const std::pair<const char*, tpp::v1::Relationship> cases[] = {
      {"insured", tpp::v1::INSURED},
      {"spouse", tpp::v1::SPOUSE},
      {"child", tpp::v1::CHILD},
      {"other", tpp::v1::OTHER},
  };
  for (const auto& [word, value] : cases) {
    MemberCsvRow row = GoodRow();
    row.relationship = word;
    absl::StatusOr<tpp::v1::MemberRecord> record = MemberRecordFromCsv(row);
    ASSERT_TRUE(record.ok()) << word;
    EXPECT_EQ(record->relationship(), value) << word;
  }
}

TEST(MemberRecordFromCsvTest, MapsEveryMaritalStatus) {
  const std::pair<const char*, tpp::v1::MaritalStatus> cases[] = {
      {"single", tpp::v1::SINGLE},          {"married", tpp::v1::MARRIED},
      {"pacs", tpp::v1::CIVIL_PARTNERSHIP}, {"divorced", tpp::v1::DIVORCED},
      {"widowed", tpp::v1::WIDOWED},        {"separated", tpp::v1::SEPARATED},
  };
  for (const auto& [word, value] : cases) {
    MemberCsvRow row = GoodRow();
    row.marital_status = word;
    absl::StatusOr<tpp::v1::MemberRecord> record = MemberRecordFromCsv(row);
    ASSERT_TRUE(record.ok()) << word;
    EXPECT_EQ(record->marital_status(), value) << word;
  }
}

TEST(MemberRecordFromCsvTest, UnknownRelationshipNamesTheColumnNotTheValue) {
  MemberCsvRow row = GoodRow();
  row.relationship = "cousin";
  absl::StatusOr<tpp::v1::MemberRecord> record = MemberRecordFromCsv(row);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(record.status().message(), "relationship"));
  EXPECT_FALSE(absl::StrContains(record.status().message(), "cousin"));
}

TEST(MemberRecordFromCsvTest, UnknownMaritalStatusNamesTheColumn) {
  MemberCsvRow row = GoodRow();
  row.marital_status = "Married";  // the words are lower case
  absl::StatusOr<tpp::v1::MemberRecord> record = MemberRecordFromCsv(row);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(record.status().message(), "marital_status"));
}

}  // namespace
}  // namespace tpp
