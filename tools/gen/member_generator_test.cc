#include "tools/gen/member_generator.h"

#include <cstdint>
#include <set>
#include <string>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/date.h"
#include "services/common/nir.h"
#include "services/members/member_csv.h"

namespace tpp {
namespace {

constexpr int kRows = 200'000;
constexpr uint64_t kSeed = 42;

MemberGenerator::Options TestOptions() {
  MemberGenerator::Options options;
  options.insurer_prefix = "123";
  options.contract_ids = {"ESSENTIEL", "CONFORT", "PREMIUM"};
  options.reference_year = 2025;
  return options;
}

TEST(MemberGeneratorTest, RowsAreValidUniqueAndVaried) {
  MemberGenerator generator(kSeed, TestOptions());
  const std::set<std::string> relationships = {"insured", "spouse", "child"};
  const std::set<std::string> statuses = {"single", "married", "pacs",
                                          "divorced", "widowed"};
  const std::set<std::string> contracts = {"ESSENTIEL", "CONFORT", "PREMIUM"};
  absl::flat_hash_set<std::string> keys;
  absl::flat_hash_set<std::string> adherents;
  // (nir, birth_date) -> highest birth rank seen.
  absl::flat_hash_map<std::string, int> ranks;
  std::string family_adherent;
  std::string family_nir;
  int corsica_a = 0, corsica_b = 0, overseas = 0, twins = 0;
  int spouses = 0, children = 0;

  for (int i = 0; i < kRows; ++i) {
    const MemberCsvRow row = generator.Next();
    SCOPED_TRACE(testing::Message() << "row " << i);
    ASSERT_TRUE(relationships.count(row.relationship));
    ASSERT_TRUE(statuses.count(row.marital_status));
    ASSERT_TRUE(contracts.count(row.contract_id));

    absl::StatusOr<Nir> nir = Nir::Parse(row.nir);
    ASSERT_TRUE(nir.ok()) << nir.status();
    ASSERT_EQ(nir->digits(), row.nir);
    absl::StatusOr<Date> birth = Date::Parse(row.birth_date);
    ASSERT_TRUE(birth.ok()) << birth.status();
    absl::StatusOr<Date> from = Date::Parse(row.coverage_from);
    absl::StatusOr<Date> to = Date::Parse(row.coverage_to);
    ASSERT_TRUE(from.ok() && to.ok());
    ASSERT_LE(*from, *to);
    ASSERT_LE(*birth, *from);
    ASSERT_GE(row.birth_rank, 1);

    if (row.relationship == "insured") {
      ASSERT_EQ(row.birth_rank, 1);
      ASSERT_TRUE(adherents.insert(row.adherent_number).second)
          << "adherent number reused by another family";
      ASSERT_EQ(row.adherent_number.rfind("123", 0), 0u);
      ASSERT_EQ(row.adherent_number.size(), 13u);
      family_adherent = row.adherent_number;
      family_nir = row.nir;
      // The NIR tells the insured person's birth year and month.
      ASSERT_EQ(row.nir.substr(1, 4),
                absl::StrCat(birth->Year() % 100 / 10, birth->Year() % 10,
                             birth->Month() / 10, birth->Month() % 10));
      ASSERT_TRUE(row.nir[0] == '1' || row.nir[0] == '2');
      corsica_a += row.nir.substr(5, 2) == "2A";
      corsica_b += row.nir.substr(5, 2) == "2B";
      overseas += row.nir.substr(5, 2) == "97";
    } else {
      // Dependants share the insured person's NIR and adherent number.
      ASSERT_EQ(row.nir, family_nir);
      ASSERT_EQ(row.adherent_number, family_adherent);
      spouses += row.relationship == "spouse";
      children += row.relationship == "child";
    }

    ASSERT_TRUE(keys.insert(absl::StrCat(row.nir, "|", row.birth_date, "|",
                                         row.birth_rank))
                    .second)
        << "beneficiary key reused";
    int& rank = ranks[absl::StrCat(row.nir, "|", row.birth_date)];
    if (row.birth_rank == 2) {
      ASSERT_EQ(rank, 1) << "a second twin without a first";
      ++twins;
    }
    rank = row.birth_rank;
  }
  EXPECT_EQ(adherents.size(), generator.families());
  EXPECT_GT(corsica_a, 0);
  EXPECT_GT(corsica_b, 0);
  EXPECT_GT(overseas, 0);
  EXPECT_GT(twins, 0);
  EXPECT_GT(spouses, kRows / 10);
  EXPECT_GT(children, kRows / 10);
}

TEST(MemberGeneratorTest, SameSeedSameRows) {
  MemberGenerator a(7, TestOptions());
  MemberGenerator b(7, TestOptions());
  MemberGenerator c(8, TestOptions());
  int differences = 0;
  for (int i = 0; i < 10'000; ++i) {
    const MemberCsvRow row = a.Next();
    ASSERT_EQ(row, b.Next()) << i;
    differences += row != c.Next();
  }
  EXPECT_GT(differences, 9'000);
}

TEST(MemberGeneratorTest, RowsRoundTripThroughTheCsvParser) {
  MemberGenerator generator(kSeed, TestOptions());
  std::vector<MemberCsvRow> rows;
  std::string csv = std::string(kMemberCsvHeader) + "\n";
  for (int i = 0; i < 10'000; ++i) {
    rows.push_back(generator.Next());
    csv += FormatMemberCsvRow(rows.back()) + "\n";
  }
  MemberCsvParser parser;
  parser.Feed(csv);
  parser.Finish();
  MemberCsvRow row;
  for (const MemberCsvRow& expected : rows) {
    absl::StatusOr<bool> got = parser.Next(&row);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(*got);
    ASSERT_EQ(row, expected);
  }
  absl::StatusOr<bool> end = parser.Next(&row);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(MemberGeneratorTest, ValidatesOptions) {
  EXPECT_TRUE(ValidateMemberGeneratorOptions(TestOptions()).ok());
  EXPECT_TRUE(ValidateMemberGeneratorOptions({}).ok());
  MemberGenerator::Options options = TestOptions();
  options.insurer_prefix = "12a";
  EXPECT_FALSE(ValidateMemberGeneratorOptions(options).ok());
  options.insurer_prefix = "123456789";
  EXPECT_FALSE(ValidateMemberGeneratorOptions(options).ok());
  options = TestOptions();
  options.contract_ids.clear();
  EXPECT_FALSE(ValidateMemberGeneratorOptions(options).ok());
  options.contract_ids = {"A", ""};
  EXPECT_FALSE(ValidateMemberGeneratorOptions(options).ok());
  options = TestOptions();
  options.reference_year = 1899;
  EXPECT_FALSE(ValidateMemberGeneratorOptions(options).ok());
}

}  // namespace
}  // namespace tpp
