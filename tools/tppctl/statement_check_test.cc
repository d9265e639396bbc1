#include "tools/tppctl/statement_check.h"

#include "gtest/gtest.h"
#include "services/settlement/settlement.h"

namespace tpp::ctl {
namespace {

tpp::v1::StatementLine Line(const std::string& claim_id, int64_t amc_cents) {
  tpp::v1::StatementLine line;
  line.set_claim_id(claim_id);
  line.set_adherent_number("A-17");
  line.set_care_date("2026-11-28");
  line.set_category(tpp::v1::PHARMACY);
  line.set_amc_cents(amc_cents);
  return line;
}

tpp::v1::StatementTrailer TrailerOf(const StatementCheck& check) {
  tpp::v1::StatementTrailer trailer;
  trailer.set_line_count(check.line_count());
  trailer.set_total_cents(check.total_cents());
  trailer.set_digest(check.digest());
  return trailer;
}

TEST(StatementCheckTest, RecomputesWithTheServersCanonicalEncoding) {
  StatementCheck check;
  ASSERT_TRUE(check.Add(Line("c1", 1250)).ok());
  ASSERT_TRUE(check.Add(Line("c2", -300)).ok());
  EXPECT_EQ(check.line_count(), 2);
  EXPECT_EQ(check.total_cents(), 950);
  // The same lines through the settlement core's own digest.
  tpp::StatementDigest expected;
  tpp::StatementLine line;
  line.adherent_number = "A-17";
  line.care_date = *Date::Parse("2026-11-28");
  line.category = Category::kPharmacy;
  line.claim_id = "c1";
  line.amc_cents = 1250;
  expected.Add(line);
  line.claim_id = "c2";
  line.amc_cents = -300;
  expected.Add(line);
  EXPECT_EQ(check.digest(), expected.Hex());
  EXPECT_EQ(tpp::EncodeStatementLine(line),
            "c2|A-17|2026-11-28|PHARMACY|-300\n");
  EXPECT_TRUE(check.Verify(TrailerOf(check)).ok());
}

TEST(StatementCheckTest, EmptyStatementHashesNothing) {
  StatementCheck check;
  EXPECT_EQ(check.digest(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(check.Verify(TrailerOf(check)).ok());
}

TEST(StatementCheckTest, NamesEveryFigureThatDiffers) {
  StatementCheck check;
  ASSERT_TRUE(check.Add(Line("c1", 1250)).ok());
  tpp::v1::StatementTrailer trailer = TrailerOf(check);
  trailer.set_total_cents(1251);
  absl::Status status = check.Verify(trailer);
  EXPECT_TRUE(absl::IsDataLoss(status));
  EXPECT_NE(status.message().find("total: received 1250 cents, trailer 1251"),
            absl::string_view::npos)
      << status;
  EXPECT_EQ(status.message().find("digest"), absl::string_view::npos);

  trailer = TrailerOf(check);
  trailer.set_line_count(2);
  trailer.set_digest(std::string(64, '0'));
  status = check.Verify(trailer);
  EXPECT_NE(status.message().find("line count: received 1, trailer 2"),
            absl::string_view::npos)
      << status;
  EXPECT_NE(status.message().find("digest"), absl::string_view::npos);
}

TEST(StatementCheckTest, UppercaseTrailerDigestStillMatches) {
  StatementCheck check;
  ASSERT_TRUE(check.Add(Line("c1", 1)).ok());
  tpp::v1::StatementTrailer trailer = TrailerOf(check);
  std::string upper = trailer.digest();
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  trailer.set_digest(upper);
  EXPECT_TRUE(check.Verify(trailer).ok());
}

TEST(StatementCheckTest, RefusesLinesItCannotEncode) {
  StatementCheck check;
  tpp::v1::StatementLine bad_date = Line("c1", 1);
  bad_date.set_care_date("28/11/2026");
  EXPECT_TRUE(absl::IsInvalidArgument(check.Add(bad_date)));
  tpp::v1::StatementLine bad_category = Line("c1", 1);
  bad_category.set_category(tpp::v1::CATEGORY_UNSPECIFIED);
  EXPECT_TRUE(absl::IsInvalidArgument(check.Add(bad_category)));
  EXPECT_EQ(check.line_count(), 0);
}

TEST(StatementCheckTest, RefusesATotalThatOverflows) {
  StatementCheck check;
  ASSERT_TRUE(check.Add(Line("c1", INT64_MAX)).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(check.Add(Line("c2", 1))));
  EXPECT_EQ(check.total_cents(), INT64_MAX);
}

TEST(FormatEurosTest, ExactCentsBothSigns) {
  EXPECT_EQ(FormatEuros(0), "0.00");
  EXPECT_EQ(FormatEuros(5), "0.05");
  EXPECT_EQ(FormatEuros(-5), "-0.05");
  EXPECT_EQ(FormatEuros(123456), "1234.56");
  EXPECT_EQ(FormatEuros(-100), "-1.00");
  EXPECT_EQ(FormatEuros(INT64_MIN), "-92233720368547758.08");
}

}  // namespace
}  // namespace tpp::ctl
