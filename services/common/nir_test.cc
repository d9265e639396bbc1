#include "services/common/nir.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tpp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(NirTest, ParsesTheReferenceExamples) {
  for (const char* text :
       {"295109912611193", "253072B07300470", "253072A07300443"}) {
    absl::StatusOr<Nir> nir = Nir::Parse(text);
    ASSERT_TRUE(nir.ok()) << text << ": " << nir.status();
    EXPECT_EQ(nir->digits(), text);
  }
}

TEST(NirTest, IgnoresSpacesAndDots) {
  absl::StatusOr<Nir> spaced = Nir::Parse("2 95 10 99 126 111 93");
  ASSERT_TRUE(spaced.ok()) << spaced.status();
  EXPECT_EQ(spaced->digits(), "295109912611193");
  absl::StatusOr<Nir> dotted = Nir::Parse("2.53.07.2B.073.004.70");
  ASSERT_TRUE(dotted.ok()) << dotted.status();
  EXPECT_EQ(dotted->digits(), "253072B07300470");
}

TEST(NirTest, CanonicalizesLowerCaseCorsica) {
  absl::StatusOr<Nir> nir = Nir::Parse("253072a07300443");
  ASSERT_TRUE(nir.ok()) << nir.status();
  EXPECT_EQ(nir->digits(), "253072A07300443");
}

TEST(NirTest, CorsicaLettersStandFor19And18) {
  EXPECT_EQ(Nir::ComputeKey("253072A073004"), "43");
  EXPECT_EQ(Nir::ComputeKey("2530719073004"), "43");
  EXPECT_EQ(Nir::ComputeKey("253072B073004"), "70");
  EXPECT_EQ(Nir::ComputeKey("2530718073004"), "70");
  // The 2B key on a 2A number does not match.
  EXPECT_FALSE(Nir::Parse("253072A07300470").ok());
}

TEST(NirTest, KeyEdgeValues) {
  // N mod 97 == 0 gives key 97; N mod 97 == 96 gives key 01.
  EXPECT_EQ(Nir::ComputeKey("1850375123012"), "97");
  EXPECT_TRUE(Nir::Parse("185037512301297").ok());
  EXPECT_EQ(Nir::ComputeKey("1850375123011"), "01");
  EXPECT_TRUE(Nir::Parse("185037512301101").ok());
  EXPECT_EQ(Nir::ComputeKey("185032A123069"), "97");
  EXPECT_TRUE(Nir::Parse("185032A12306997").ok());
}

TEST(NirTest, RejectsKeysOutsideTheRange) {
  absl::StatusOr<Nir> zero = Nir::Parse("185037512301200");
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.status().message(), HasSubstr("01..97"));
  EXPECT_FALSE(Nir::Parse("185037512301298").ok());
  EXPECT_FALSE(Nir::Parse("185037512301299").ok());
}

TEST(NirTest, RejectsBadLength) {
  for (const char* text : {"", "29510991261119", "2951099126111930", "2 9"}) {
    absl::StatusOr<Nir> nir = Nir::Parse(text);
    EXPECT_EQ(nir.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(nir.status().message(), HasSubstr("15 characters")) << text;
  }
  EXPECT_FALSE(Nir::Parse(std::string(100, ' ')).ok());
}

TEST(NirTest, RejectsBadCharacters) {
  for (const char* text : {
           "29510991261119X",  // key not a digit
           "X95109912611193",  // first character
           "295102C07300470",  // only 2A/2B
           "295101A07300470",  // letter not after a 2
           "2951A9912611193",  // letter at another position
           "2951099-2611193",  // separator that is not space or dot
       }) {
    absl::StatusOr<Nir> nir = Nir::Parse(text);
    EXPECT_EQ(nir.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(nir.status().message(), HasSubstr("character")) << text;
  }
}

TEST(NirTest, RejectsKeyMismatchWithoutEchoingTheNumber) {
  absl::StatusOr<Nir> nir = Nir::Parse("295109912611194");
  EXPECT_EQ(nir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(nir.status().message(), HasSubstr("key does not match"));
  EXPECT_THAT(nir.status().message(), Not(HasSubstr("2951099")));
  EXPECT_THAT(nir.status().message(), Not(HasSubstr("94")));
}

TEST(NirTest, ComputeKeyRejectsMalformedNumbers) {
  EXPECT_EQ(Nir::ComputeKey("295109912611"), "");
  EXPECT_EQ(Nir::ComputeKey("29510991261111"), "");
  EXPECT_EQ(Nir::ComputeKey("2951099X26111"), "");
}

TEST(NirTest, Compares) {
  Nir a = *Nir::Parse("253072A07300443");
  Nir b = *Nir::Parse("253072B07300470");
  EXPECT_EQ(a, *Nir::Parse("2 53 07 2A 073 004 43"));
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace tpp
