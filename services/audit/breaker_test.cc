#include "services/audit/breaker.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tpp {
namespace {

using Verdict = ExfiltrationBreaker::Verdict;

constexpr char kPharmacy[] = "spiffe://tpp.local/provider/750000001";
const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

std::vector<std::string> One(int i) { return {absl::StrCat("m", i)}; }

ExfiltrationBreaker::Options Limit(int provider) {
  ExfiltrationBreaker::Options options;
  options.provider_limit = provider;
  return options;
}

TEST(BreakerTest, TripsOnTheFirstMemberPastTheLimit) {
  ExfiltrationBreaker breaker(Limit(3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(i), kT0),
              Verdict::kAllowed);
  }
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0), 3);
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(3), kT0),
            Verdict::kTripped);
  // Tripped: nothing goes through any more, not even a member seen before.
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(0), kT0),
            Verdict::kSuspended);
  EXPECT_TRUE(breaker.Tripped(kPharmacy));
}

TEST(BreakerTest, RepeatVisitsDoNotCount) {
  ExfiltrationBreaker breaker(Limit(2));
  for (int round = 0; round < 50; ++round) {
    EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(round % 2),
                            kT0 + absl::Seconds(round)),
              Verdict::kAllowed);
  }
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0 + absl::Seconds(50)), 2);
}

TEST(BreakerTest, TheWindowSlides) {
  ExfiltrationBreaker breaker(Limit(2));
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(0), kT0),
            Verdict::kAllowed);
  EXPECT_EQ(
      breaker.Touch(kPharmacy, "provider", One(1), kT0 + absl::Minutes(30)),
      Verdict::kAllowed);
  // An hour after the first touch, member 0 has left the window.
  EXPECT_EQ(
      breaker.Touch(kPharmacy, "provider", One(2), kT0 + absl::Minutes(60)),
      Verdict::kAllowed);
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0 + absl::Minutes(60)), 2);
  // A touch refreshes: member 1 seen again at 60 min stays until 120.
  EXPECT_EQ(
      breaker.Touch(kPharmacy, "provider", One(1), kT0 + absl::Minutes(60)),
      Verdict::kAllowed);
  EXPECT_EQ(
      breaker.Touch(kPharmacy, "provider", One(3), kT0 + absl::Minutes(61)),
      Verdict::kTripped);
}

TEST(BreakerTest, OneCallWithManyMembersCountsThemAllOrNone) {
  ExfiltrationBreaker breaker(Limit(3));
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", {"a", "b", "a"}, kT0),
            Verdict::kAllowed);
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0), 2);
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", {"c", "d"}, kT0),
            Verdict::kTripped);
  EXPECT_EQ(breaker.Distinct(kPharmacy, kT0), 2);
}

TEST(BreakerTest, CredentialsAndRolesAreSeparate) {
  ExfiltrationBreaker::Options options = Limit(1);
  options.insurer_limit = 0;  // no limit
  ExfiltrationBreaker breaker(options);
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(0), kT0),
            Verdict::kAllowed);
  EXPECT_EQ(breaker.Touch("spiffe://tpp.local/provider/other", "provider",
                          One(1), kT0),
            Verdict::kAllowed);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(
        breaker.Touch("spiffe://tpp.local/insurer/ins", "insurer", One(i), kT0),
        Verdict::kAllowed);
  }
}

TEST(BreakerTest, ResetOnlyOnceTheSuspensionIsPublishedAndLifted) {
  ExfiltrationBreaker breaker(Limit(1));
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(0), kT0),
            Verdict::kAllowed);
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(1), kT0),
            Verdict::kTripped);
  // Not yet published: the gate's answer is not even asked.
  EXPECT_FALSE(breaker.ResetIfReopened(kPharmacy, [] {
    ADD_FAILURE() << "asked the gate before the suspension was published";
    return false;
  }));
  breaker.MarkSuspended(kPharmacy);
  EXPECT_FALSE(breaker.ResetIfReopened(kPharmacy, [] { return true; }));
  EXPECT_TRUE(breaker.ResetIfReopened(kPharmacy, [] { return false; }));
  EXPECT_FALSE(breaker.Tripped(kPharmacy));
  EXPECT_EQ(breaker.Touch(kPharmacy, "provider", One(1), kT0),
            Verdict::kAllowed);
}

}  // namespace
}  // namespace tpp
