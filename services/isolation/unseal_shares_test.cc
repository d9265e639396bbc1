#include "services/isolation/unseal_shares.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp::isolation {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1800000000);
const absl::Duration kTtl = absl::Minutes(15);

// Five share lines of `key`, any three of which rebuild it.
std::vector<std::string> Lines(const crypto::SecureBytes& key) {
  const std::string kcv = crypto::KeyCheckValue(key).value();
  std::vector<std::string> lines;
  std::vector<crypto::Share> split = crypto::Split(key, 5, 3).value();
  for (crypto::Share& share : split) {
    crypto::ShareRecord record{std::move(share), 3, kcv};
    lines.push_back(std::string(crypto::FormatShare(record).value().view()));
  }
  return lines;
}

TEST(UnsealSharesTest, ThreeDistinctOperatorsRebuildTheKey) {
  crypto::SecureBytes key = crypto::SecureBytes::Random(32).value();
  const std::string kcv = crypto::KeyCheckValue(key).value();
  std::vector<std::string> lines = Lines(key);
  UnsealShares shares;
  auto first = shares.Add(lines[4], "alice", kcv, kT0, kTtl);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->received, 1);
  EXPECT_EQ(first->threshold, 3);
  EXPECT_FALSE(first->master_key.has_value());
  // The same operator again, even with another share: refused.
  auto twice = shares.Add(lines[1], "alice", kcv, kT0, kTtl);
  EXPECT_EQ(ReasonOf(twice.status()), "SHARE_ALREADY_GIVEN");
  // The same share from another operator: refused.
  auto copied = shares.Add(lines[4], "bob", kcv, kT0, kTtl);
  EXPECT_EQ(ReasonOf(copied.status()), "SHARE_ALREADY_GIVEN");
  ASSERT_TRUE(shares.Add(lines[0], "bob", kcv, kT0, kTtl).ok());
  auto last = shares.Add(lines[2], "carol", kcv, kT0, kTtl);
  ASSERT_TRUE(last.ok()) << last.status();
  ASSERT_TRUE(last->master_key.has_value());
  EXPECT_TRUE(crypto::SecureEquals(*last->master_key, key));
  EXPECT_EQ(shares.received(), 0);
}

TEST(UnsealSharesTest, SharesOfAnotherKeyAreRefused) {
  crypto::SecureBytes key = crypto::SecureBytes::Random(32).value();
  crypto::SecureBytes other = crypto::SecureBytes::Random(32).value();
  const std::string kcv = crypto::KeyCheckValue(key).value();
  UnsealShares shares;
  auto wrong = shares.Add(Lines(other)[0], "alice", kcv, kT0, kTtl);
  EXPECT_EQ(ReasonOf(wrong.status()), "SHARE_MISMATCH");
  auto garbage = shares.Add("tpp-share-v1:zz", "alice", kcv, kT0, kTtl);
  EXPECT_TRUE(absl::IsInvalidArgument(garbage.status()));
  EXPECT_EQ(shares.received(), 0);
}

TEST(UnsealSharesTest, ForgedCheckValueIsCaughtAfterCombining) {
  crypto::SecureBytes key = crypto::SecureBytes::Random(32).value();
  crypto::SecureBytes other = crypto::SecureBytes::Random(32).value();
  const std::string kcv = crypto::KeyCheckValue(key).value();
  // Shares of `other` that claim `key`'s check value.
  std::vector<std::string> forged;
  std::vector<crypto::Share> split = crypto::Split(other, 3, 3).value();
  for (crypto::Share& share : split) {
    crypto::ShareRecord record{std::move(share), 3, kcv};
    forged.push_back(std::string(crypto::FormatShare(record).value().view()));
  }
  UnsealShares shares;
  ASSERT_TRUE(shares.Add(forged[0], "alice", kcv, kT0, kTtl).ok());
  ASSERT_TRUE(shares.Add(forged[1], "bob", kcv, kT0, kTtl).ok());
  auto last = shares.Add(forged[2], "carol", kcv, kT0, kTtl);
  EXPECT_EQ(ReasonOf(last.status()), "UNSEAL_FAILED");
  EXPECT_EQ(shares.received(), 0);
}

TEST(UnsealSharesTest, PartialSharesExpire) {
  crypto::SecureBytes key = crypto::SecureBytes::Random(32).value();
  const std::string kcv = crypto::KeyCheckValue(key).value();
  std::vector<std::string> lines = Lines(key);
  UnsealShares shares;
  ASSERT_TRUE(shares.Add(lines[0], "alice", kcv, kT0, kTtl).ok());
  ASSERT_TRUE(shares.Add(lines[1], "bob", kcv, kT0, kTtl).ok());
  auto late =
      shares.Add(lines[2], "carol", kcv, kT0 + kTtl + absl::Seconds(1), kTtl);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->received, 1);  // the earlier two were dropped
  EXPECT_FALSE(late->master_key.has_value());
}

}  // namespace
}  // namespace tpp::isolation
