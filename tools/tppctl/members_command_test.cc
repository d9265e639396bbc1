#include "tools/tppctl/members_command.h"

#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tpp::ctl {
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

std::string Csv(std::initializer_list<MemberCsvRow> rows) {
  std::string csv = std::string(kMemberCsvHeader) + "\n";
  for (const MemberCsvRow& row : rows) csv += FormatMemberCsvRow(row) + "\n";
  return csv;
}

TEST(MemberCsvReaderTest, SkipsAndReportsBadRowsWithoutTheirContent) {
  MemberCsvRow bad_relationship = GoodRow();
  bad_relationship.relationship = "cousin";
  bad_relationship.last_name = "Secretname";
  MemberCsvRow multi_line = GoodRow();
  multi_line.first_name = "Jean\nPierre";  // a quoted line break
  // Line 1: header; 2: good; 3: bad relationship; 4: too few fields;
  // 5-6: multi-line; 7: good.
  std::string csv = Csv({GoodRow(), bad_relationship});
  csv += "1,2,3\n";
  csv += FormatMemberCsvRow(multi_line) + "\n";
  csv += FormatMemberCsvRow(GoodRow()) + "\n";
  std::istringstream in(csv);
  MemberCsvReader reader(&in);

  tpp::v1::MemberRecord record;
  int sent = 0;
  while (true) {
    absl::StatusOr<bool> got = reader.Next(&record);
    ASSERT_TRUE(got.ok()) << got.status();
    if (!*got) break;
    ++sent;
  }
  EXPECT_EQ(sent, 3);
  EXPECT_EQ(reader.sent(), 3);
  EXPECT_EQ(reader.rejected(), 2);
  EXPECT_EQ(reader.bytes_read(), static_cast<int64_t>(csv.size()));
  ASSERT_EQ(reader.rejections().size(), 2u);
  EXPECT_EQ(reader.rejections()[0].line, 3);
  EXPECT_TRUE(absl::StrContains(reader.rejections()[0].reason, "relationship"));
  EXPECT_EQ(reader.rejections()[1].line, 4);
  for (const LocalRejection& rejection : reader.rejections()) {
    EXPECT_FALSE(absl::StartsWith(rejection.reason, "line "));
    EXPECT_FALSE(absl::StrContains(rejection.reason, "Secretname"));
    EXPECT_FALSE(absl::StrContains(rejection.reason, "cousin"));
  }
  // Stream indices back to the file's lines, around the skipped rows and
  // the multi-line record.
  EXPECT_EQ(reader.LineOf(0), 2);
  EXPECT_EQ(reader.LineOf(1), 5);
  EXPECT_EQ(reader.LineOf(2), 7);
  EXPECT_EQ(reader.LineOf(3), 0);
  EXPECT_EQ(reader.LineOf(-1), 0);
}

TEST(MemberCsvReaderTest, BadHeaderMakesTheFileUnusable) {
  std::istringstream in("nir,last_name\n1,2\n");
  MemberCsvReader reader(&in);
  tpp::v1::MemberRecord record;
  absl::StatusOr<bool> got = reader.Next(&record);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(reader.sent(), 0);
}

TEST(MemberCsvReaderTest, HeaderOnlyIsAnEmptyImport) {
  std::istringstream in(Csv({}));
  MemberCsvReader reader(&in);
  tpp::v1::MemberRecord record;
  absl::StatusOr<bool> got = reader.Next(&record);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
  EXPECT_EQ(reader.rejected(), 0);
}

TEST(MemberCsvReaderTest, ReadsRecordsAcrossChunks) {
  // More than one kImportChunkBytes of records.
  std::string csv = std::string(kMemberCsvHeader) + "\n";
  const std::string line = FormatMemberCsvRow(GoodRow()) + "\n";
  const size_t count = kImportChunkBytes / line.size() * 3 / 2;
  for (size_t i = 0; i < count; ++i) csv += line;
  std::istringstream in(csv);
  MemberCsvReader reader(&in);
  tpp::v1::MemberRecord record;
  while (true) {
    absl::StatusOr<bool> got = reader.Next(&record);
    ASSERT_TRUE(got.ok()) << got.status();
    if (!*got) break;
  }
  EXPECT_EQ(reader.sent(), static_cast<int64_t>(count));
  EXPECT_EQ(reader.rejected(), 0);
  EXPECT_EQ(reader.LineOf(static_cast<int64_t>(count) - 1),
            static_cast<int64_t>(count) + 1);
}

}  // namespace
}  // namespace tpp::ctl
