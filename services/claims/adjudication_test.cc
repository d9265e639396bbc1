#include "services/claims/adjudication.h"

#include "gtest/gtest.h"

namespace tpp {
namespace {

ClaimLine Line(const std::string& act, Category category, int64_t fee,
               int64_t base, int64_t amo) {
  ClaimLine line;
  line.act_code = act;
  line.category = category;
  line.fee_cents = fee;
  line.base_cents = base;
  line.amo_cents = amo;
  return line;
}

// Pharmacy at 200 % with a 100.00 € ceiling; consultation at 100 % without.
Coverage Covered() {
  Coverage coverage;
  coverage.member_id = "m1";
  coverage.contract.contract_id = "GOLD";
  coverage.contract.guarantees = {{Category::kPharmacy, 20000, 10000},
                                  {Category::kConsultation, 10000, 0}};
  return coverage;
}

std::array<int64_t, kCategoryCount + 1> Used(Category category, int64_t cents) {
  std::array<int64_t, kCategoryCount + 1> used{};
  used[static_cast<int>(category)] = cents;
  return used;
}

absl::StatusOr<Adjudication> AdjudicateLines(
    const std::vector<ClaimLine>& lines, const Coverage& coverage,
    std::array<int64_t, kCategoryCount + 1> used = {},
    std::vector<bool> duplicate = {}) {
  ClaimRequest request;
  request.lines = lines;
  if (duplicate.empty()) duplicate.assign(lines.size(), false);
  return Adjudicate(request, coverage, duplicate, used);
}

TEST(AdjudicationTest, WorkedExampleIsApproved) {
  absl::StatusOr<Adjudication> a = AdjudicateLines(
      {Line("C", Category::kPharmacy, 5500, 2300, 1610)}, Covered());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->status, ClaimStatus::kApproved);
  EXPECT_EQ(a->lines[0].amc_cents, 2990);
  EXPECT_EQ(a->lines[0].patient_cents, 900);
  EXPECT_EQ(a->amc_total_cents, 2990);
  EXPECT_EQ(a->patient_total_cents, 900);
  EXPECT_EQ(a->ceiling_consumed_cents[int(Category::kPharmacy)], 2990);
}

TEST(AdjudicationTest, UnknownMemberRefusesEveryLine) {
  Coverage coverage;
  coverage.reason = RejectReason::kMemberNotFound;
  absl::StatusOr<Adjudication> a =
      AdjudicateLines({Line("A", Category::kPharmacy, 1000, 1000, 700),
                       Line("B", Category::kPharmacy, 2000, 2000, 1400)},
                      coverage);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, ClaimStatus::kRejected);
  for (const ClaimLine& line : a->lines) {
    EXPECT_EQ(line.reject_reason, RejectReason::kMemberNotFound);
    EXPECT_EQ(line.amc_cents, 0);
    EXPECT_EQ(line.amo_cents + line.patient_cents, line.fee_cents);
  }
  EXPECT_EQ(a->amc_total_cents, 0);
  EXPECT_EQ(a->patient_total_cents, 300 + 600);
}

TEST(AdjudicationTest, UncoveredCategoryRefusesItsLineOnly) {
  absl::StatusOr<Adjudication> a =
      AdjudicateLines({Line("A", Category::kPharmacy, 1000, 1000, 700),
                       Line("B", Category::kOptical, 20000, 500, 300)},
                      Covered());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, ClaimStatus::kPartial);
  EXPECT_EQ(a->lines[0].reject_reason, RejectReason::kNone);
  EXPECT_EQ(a->lines[0].amc_cents, 300);
  EXPECT_EQ(a->lines[1].reject_reason, RejectReason::kCategoryNotCovered);
  EXPECT_EQ(a->lines[1].amc_cents, 0);
  EXPECT_EQ(a->lines[1].patient_cents, 19700);
}

TEST(AdjudicationTest, DuplicateLineIsRefused) {
  absl::StatusOr<Adjudication> a = AdjudicateLines(
      {Line("A", Category::kPharmacy, 1000, 1000, 700)}, Covered(), {}, {true});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, ClaimStatus::kRejected);
  EXPECT_EQ(a->lines[0].reject_reason, RejectReason::kDuplicateService);
  EXPECT_EQ(a->ceiling_consumed_cents[int(Category::kPharmacy)], 0);
}

TEST(AdjudicationTest, CeilingCutsThenRefuses) {
  // 90.00 € used of 100.00 €: the first line gets 10.00 € of its 29.90 €,
  // the second nothing.
  absl::StatusOr<Adjudication> a =
      AdjudicateLines({Line("A", Category::kPharmacy, 5500, 2300, 1610),
                       Line("B", Category::kPharmacy, 5500, 2300, 1610)},
                      Covered(), Used(Category::kPharmacy, 9000));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, ClaimStatus::kPartial);
  EXPECT_EQ(a->lines[0].amc_cents, 1000);
  EXPECT_EQ(a->lines[0].patient_cents, 5500 - 1610 - 1000);
  EXPECT_EQ(a->lines[1].reject_reason, RejectReason::kCeilingReached);
  EXPECT_EQ(a->lines[1].amc_cents, 0);
  EXPECT_EQ(a->ceiling_consumed_cents[int(Category::kPharmacy)], 1000);
}

TEST(AdjudicationTest, CategoryWithoutCeilingIgnoresUsage) {
  absl::StatusOr<Adjudication> a =
      AdjudicateLines({Line("C", Category::kConsultation, 3000, 2500, 1750)},
                      Covered(), Used(Category::kConsultation, 1'000'000));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, ClaimStatus::kApproved);
  EXPECT_EQ(a->lines[0].amc_cents, 750);
  EXPECT_EQ(a->ceiling_consumed_cents[int(Category::kConsultation)], 0);
}

TEST(AdjudicationTest, ALineWorthNothingIsNotRefused) {
  // AMO pays the whole fee: AMC 0, still an approved line.
  absl::StatusOr<Adjudication> a =
      AdjudicateLines({Line("A", Category::kPharmacy, 1000, 1000, 1000)},
                      Covered(), Used(Category::kPharmacy, 10000));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, ClaimStatus::kApproved);
  EXPECT_EQ(a->lines[0].reject_reason, RejectReason::kNone);
}

TEST(AdjudicationTest, EveryLineKeepsTheInvariant) {
  std::vector<ClaimLine> lines;
  for (int i = 0; i < kClaimLinesMax; ++i) {
    lines.push_back(Line("A" + std::to_string(i), Category::kPharmacy,
                         1000 + 337 * i, 900 + 211 * i, 500 + 97 * i));
  }
  absl::StatusOr<Adjudication> a =
      AdjudicateLines(lines, Covered(), Used(Category::kPharmacy, 4000));
  ASSERT_TRUE(a.ok());
  int64_t consumed = 0;
  for (const ClaimLine& line : a->lines) {
    EXPECT_EQ(line.amo_cents + line.amc_cents + line.patient_cents,
              line.fee_cents);
    EXPECT_GE(line.amc_cents, 0);
    consumed += line.amc_cents;
  }
  EXPECT_EQ(consumed, a->ceiling_consumed_cents[int(Category::kPharmacy)]);
  EXPECT_LE(4000 + consumed, 10000);
}

}  // namespace
}  // namespace tpp
