#include "services/claims/amc.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <random>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

AmcShare Compute(const AmcLineInput& line) {
  absl::StatusOr<AmcShare> share = ComputeAmcShare(line);
  EXPECT_TRUE(share.ok()) << share.status();
  return share.ok() ? *share : AmcShare{-1, -1};
}

// fee 55.00 €, BR 23.00 €, AMO 70 % = 16.10 €, guarantee 200 % BR.
AmcLineInput WorkedExample() {
  AmcLineInput line;
  line.fee_cents = 5500;
  line.base_cents = 2300;
  line.amo_cents = 1610;
  line.rate_bp = 20000;
  return line;
}

TEST(AmcTest, WorkedExample) {
  AmcShare share = Compute(WorkedExample());
  EXPECT_EQ(share.amc_cents, 2990);
  EXPECT_EQ(share.patient_cents, 900);
}

TEST(AmcTest, CeilingCutsTheShare) {
  AmcLineInput line = WorkedExample();
  line.ceiling_remaining_cents = 1000;
  AmcShare share = Compute(line);
  EXPECT_EQ(share.amc_cents, 1000);
  EXPECT_EQ(share.patient_cents, 2890);

  line.ceiling_remaining_cents = 2990;  // exactly enough
  EXPECT_EQ(Compute(line).amc_cents, 2990);
  line.ceiling_remaining_cents = kInt64Max;
  EXPECT_EQ(Compute(line).amc_cents, 2990);
}

TEST(AmcTest, ZeroCeilingRemainingPaysNothing) {
  AmcLineInput line = WorkedExample();
  line.ceiling_remaining_cents = 0;
  AmcShare share = Compute(line);
  EXPECT_EQ(share.amc_cents, 0);
  EXPECT_EQ(share.patient_cents, 3890);
}

TEST(AmcTest, GuaranteeBelowAmoPaysNothing) {
  AmcLineInput line = WorkedExample();
  line.rate_bp = 7000;  // 70 % BR: exactly the AMO share
  EXPECT_EQ(Compute(line).amc_cents, 0);
  line.rate_bp = 5000;  // below it: never negative
  AmcShare share = Compute(line);
  EXPECT_EQ(share.amc_cents, 0);
  EXPECT_EQ(share.patient_cents, 3890);
  line.rate_bp = 0;
  EXPECT_EQ(Compute(line).amc_cents, 0);
}

TEST(AmcTest, NeverPaysMoreThanTheFeeLeft) {
  AmcLineInput line = WorkedExample();
  line.fee_cents = 2300;  // no excess fee
  line.rate_bp = 30000;
  AmcShare share = Compute(line);
  EXPECT_EQ(share.amc_cents, 690);
  EXPECT_EQ(share.patient_cents, 0);
}

TEST(AmcTest, RoundsHalfUpOncePerLine) {
  AmcLineInput line;
  line.fee_cents = kFeeCentsMax;
  line.rate_bp = 3333;
  line.base_cents = 1001;  // 333.6333 -> 334
  EXPECT_EQ(Compute(line).amc_cents, 334);
  line.base_cents = 1000;  // 333.3 -> 333
  EXPECT_EQ(Compute(line).amc_cents, 333);
  line.rate_bp = 5000;
  line.base_cents = 1;  // 0.5 -> 1
  EXPECT_EQ(Compute(line).amc_cents, 1);
  line.rate_bp = 15000;
  line.base_cents = 3;  // 4.5 -> 5
  EXPECT_EQ(Compute(line).amc_cents, 5);
  line.rate_bp = 4999;
  line.base_cents = 1;  // 0.4999 -> 0
  EXPECT_EQ(Compute(line).amc_cents, 0);
}

TEST(AmcTest, LargestValuesDoNotOverflow) {
  AmcLineInput line;
  line.fee_cents = kFeeCentsMax;
  line.base_cents = kFeeCentsMax;
  line.rate_bp = kRateBpMax;
  AmcShare share = Compute(line);
  EXPECT_EQ(share.amc_cents, kFeeCentsMax);
  EXPECT_EQ(share.patient_cents, 0);

  line.amo_cents = kFeeCentsMax;
  share = Compute(line);
  EXPECT_EQ(share.amc_cents, 0);
  EXPECT_EQ(share.patient_cents, 0);
}

void ExpectInvalid(const AmcLineInput& line, const std::string& field) {
  absl::Status status = ComputeAmcShare(line).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_THAT(std::string(status.message()), HasSubstr(field));
  std::vector<FieldViolation> violations = ViolationsOf(status);
  ASSERT_EQ(violations.size(), 1u) << field;
  EXPECT_EQ(violations[0].field, field);
  EXPECT_EQ(ValidateLine(line).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AmcTest, RejectsBadInputNamingTheField) {
  EXPECT_TRUE(ValidateLine(WorkedExample()).ok());
  AmcLineInput line = WorkedExample();
  line.fee_cents = -1;
  ExpectInvalid(line, "fee_cents");
  line.fee_cents = kInt64Max;
  ExpectInvalid(line, "fee_cents");
  line.fee_cents = kFeeCentsMax + 1;
  ExpectInvalid(line, "fee_cents");

  line = WorkedExample();
  line.base_cents = -1;
  ExpectInvalid(line, "base_cents");
  line.base_cents = kFeeCentsMax + 1;
  ExpectInvalid(line, "base_cents");

  line = WorkedExample();
  line.amo_cents = -1;
  ExpectInvalid(line, "amo_cents");
  line.amo_cents = line.fee_cents + 1;
  ExpectInvalid(line, "amo_cents");

  line = WorkedExample();
  line.rate_bp = -1;
  ExpectInvalid(line, "rate_bp");
  line.rate_bp = kRateBpMax + 1;
  ExpectInvalid(line, "rate_bp");
  line.rate_bp = kInt64Max;
  ExpectInvalid(line, "rate_bp");

  line = WorkedExample();
  line.ceiling_remaining_cents = -1;
  ExpectInvalid(line, "ceiling_remaining_cents");
}

// Picks small, typical and extreme values of 0..max alike.
int64_t Pick(std::mt19937_64& rng, int64_t max) {
  int64_t value = 0;
  switch (rng() % 4) {
    case 0:
      value = static_cast<int64_t>(rng() % 3);  // 0, 1, 2
      break;
    case 1:
      value = max - static_cast<int64_t>(rng() % 3);
      break;
    case 2:
      value = static_cast<int64_t>(rng() % 20000);
      break;
    default:
      value = static_cast<int64_t>(rng() % static_cast<uint64_t>(max + 1));
      break;
  }
  return std::clamp<int64_t>(value, 0, max);
}

TEST(AmcTest, InvariantHoldsOnRandomLines) {
  uint64_t seed = 20240207;
  if (const char* env = std::getenv("TPP_TEST_SEED")) {
    seed = std::strtoull(env, nullptr, 10);
  }
  std::cout << "seed (TPP_TEST_SEED): " << seed << "\n";
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 100'000; ++i) {
    AmcLineInput line;
    line.fee_cents = Pick(rng, kFeeCentsMax);
    line.base_cents = Pick(rng, kFeeCentsMax);
    line.amo_cents = Pick(rng, line.fee_cents);
    line.rate_bp = Pick(rng, kRateBpMax);
    if (rng() % 2 == 0) line.ceiling_remaining_cents = Pick(rng, kFeeCentsMax);

    absl::StatusOr<AmcShare> share = ComputeAmcShare(line);
    ASSERT_TRUE(share.ok()) << share.status() << " line " << i;
    ASSERT_GE(share->amc_cents, 0) << i;
    ASSERT_GE(share->patient_cents, 0) << i;
    ASSERT_EQ(line.amo_cents + share->amc_cents + share->patient_cents,
              line.fee_cents)
        << i;
    if (line.ceiling_remaining_cents.has_value()) {
      ASSERT_LE(share->amc_cents, *line.ceiling_remaining_cents) << i;
    }
    // The formula again, with the rounding written differently.
    const int64_t product = line.rate_bp * line.base_cents;
    const int64_t guarantee = product / 10000 + (product % 10000 >= 5000);
    int64_t expected = std::min(line.fee_cents, guarantee) - line.amo_cents;
    if (line.ceiling_remaining_cents.has_value()) {
      expected = std::min(expected, *line.ceiling_remaining_cents);
    }
    ASSERT_EQ(share->amc_cents, std::max<int64_t>(0, expected)) << i;
  }
}

}  // namespace
}  // namespace tpp
