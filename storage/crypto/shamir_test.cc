#include "storage/crypto/shamir.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {
namespace {

SecureBytes RandomKey() { return SecureBytes::Random(32).value(); }

SecureBytes CountingKey() {  // 00 01 02 ... 1f
  std::string bytes(32, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i);
  return SecureBytes::CopyOf(bytes).value();
}

Share Copy(const Share& share) {
  return Share{share.x, share.y.Clone().value()};
}

std::vector<Share> Pick(const std::vector<Share>& shares,
                        std::initializer_list<int> indexes) {
  std::vector<Share> picked;
  for (int i : indexes) picked.push_back(Copy(shares[i]));
  return picked;
}

TEST(ShamirTest, AnyThreeOfFiveRebuildTheSecret) {
  const SecureBytes secret = RandomKey();
  const std::string kcv = KeyCheckValue(secret).value();
  const std::vector<Share> shares = Split(secret, 5, 3).value();
  ASSERT_EQ(shares.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(shares[i].x, i + 1);
  int combinations = 0;
  for (int a = 0; a < 5; ++a) {
    for (int b = a + 1; b < 5; ++b) {
      for (int c = b + 1; c < 5; ++c) {
        absl::StatusOr<SecureBytes> combined = Combine(Pick(shares, {c, a, b}));
        ASSERT_TRUE(combined.ok()) << combined.status();
        EXPECT_TRUE(SecureEquals(*combined, secret));
        EXPECT_EQ(KeyCheckValue(*combined).value(), kcv);
        ++combinations;
      }
    }
  }
  EXPECT_EQ(combinations, 10);
  EXPECT_TRUE(SecureEquals(Combine(shares).value(), secret));  // All five.
}

TEST(ShamirTest, TwoOfThreeThresholdGiveAWrongSecret) {
  const SecureBytes secret = RandomKey();
  const std::string kcv = KeyCheckValue(secret).value();
  const std::vector<Share> shares = Split(secret, 5, 3).value();
  absl::StatusOr<SecureBytes> combined = Combine(Pick(shares, {0, 4}));
  ASSERT_TRUE(combined.ok());                        // Undetectable here...
  EXPECT_NE(KeyCheckValue(*combined).value(), kcv);  // ...caught here.
}

TEST(ShamirTest, KnownAnswer) {
  // f(x) = 0x57 + 0x83 x over GF(2^8) mod 0x11b, worked by hand:
  // f(1) = 0x57 ^ 0x83 = 0xd4; f(2) = 0x57 ^ (0x106 ^ 0x11b) = 0x4a.
  const std::vector<Share> shares = [] {
    std::vector<Share> s;
    s.push_back(Share{1, SecureBytes::CopyOf("\xd4").value()});
    s.push_back(Share{2, SecureBytes::CopyOf("\x4a").value()});
    return s;
  }();
  EXPECT_EQ(Combine(shares).value().view(), "\x57");
}

TEST(ShamirTest, OneOfOneAndLargeSplits) {
  const SecureBytes secret = RandomKey();
  const std::vector<Share> one = Split(secret, 1, 1).value();
  EXPECT_TRUE(SecureEquals(one[0].y, secret));  // Degree 0: y is the secret.
  const std::vector<Share> many = Split(secret, kSharesMax, kSharesMax).value();
  EXPECT_TRUE(SecureEquals(Combine(many).value(), secret));
}

TEST(ShamirTest, RejectsBadArguments) {
  const SecureBytes secret = RandomKey();
  for (const auto& [n, k] : std::vector<std::pair<int, int>>{
           {3, 0}, {2, 3}, {256, 2}, {0, 0}, {-1, 1}}) {
    EXPECT_EQ(Split(secret, n, k).status().code(),
              absl::StatusCode::kInvalidArgument)
        << n << " " << k;
  }
  EXPECT_EQ(Split(SecureBytes(), 3, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Split(SecureBytes(kShareSecretBytesMax + 1), 3, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ShamirTest, CombineRejectsDuplicateZeroOrMismatchedShares) {
  const std::vector<Share> shares = Split(RandomKey(), 5, 3).value();
  EXPECT_EQ(Combine(Pick(shares, {0, 1, 1})).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<Share> zero = Pick(shares, {0, 1, 2});
  zero[2].x = 0;
  EXPECT_EQ(Combine(zero).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<Share> mismatched = Pick(shares, {0, 1});
  mismatched.push_back(Share{9, SecureBytes(16)});
  EXPECT_EQ(Combine(mismatched).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Combine({}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ShamirTest, KeyCheckValueKnownAnswer) {
  // First 8 bytes of HMAC-SHA256(00..1f, "tpp key check"), from Python.
  EXPECT_EQ(KeyCheckValue(CountingKey()).value(), "628270863a739a45");
}

TEST(ShamirTest, ShareLineRoundTrip) {
  const SecureBytes secret = RandomKey();
  const std::string kcv = KeyCheckValue(secret).value();
  std::vector<Share> shares = Split(secret, 5, 3).value();
  std::vector<Share> parsed;
  for (Share& share : shares) {
    const uint8_t x = share.x;
    const SecureBytes line =
        FormatShare(ShareRecord{std::move(share), 3, kcv}).value();
    EXPECT_EQ(line.view().substr(0, 13), "tpp-share-v1:");
    absl::StatusOr<ShareRecord> record =
        ParseShare(std::string(line.view()) + "\n");
    ASSERT_TRUE(record.ok()) << record.status();
    EXPECT_EQ(record->share.x, x);
    EXPECT_EQ(record->threshold, 3);
    EXPECT_EQ(record->key_check_value, kcv);
    parsed.push_back(std::move(record->share));
  }
  parsed.resize(3);
  EXPECT_TRUE(SecureEquals(Combine(parsed).value(), secret));
}

TEST(ShamirTest, ParseRejectsMalformedWithoutQuotingIt) {
  const std::string y(64, 'a');
  const std::string kcv = "0123456789abcdef";
  for (const std::string& line :
       {"tpp-share-v2:1:3:" + kcv + ":" + y,
        "tpp-share-v1:0:3:" + kcv + ":" + y,
        "tpp-share-v1:256:3:" + kcv + ":" + y,
        "tpp-share-v1:+1:3:" + kcv + ":" + y,
        "tpp-share-v1:1:0:" + kcv + ":" + y,
        "tpp-share-v1:1:3:" + kcv.substr(1) + ":" + y,
        "tpp-share-v1:1:3:" + std::string(16, 'G') + ":" + y,
        "tpp-share-v1:1:3:" + kcv + ":" + y.substr(1),
        "tpp-share-v1:1:3:" + kcv + ":" + y.substr(2) + "zz",
        "tpp-share-v1:1:3:" + kcv + ":",
        "tpp-share-v1:1:3:" + kcv + ":" + std::string(130, 'a'),
        "tpp-share-v1:1:3:" + kcv + ":" + y + ":extra", std::string("")}) {
    absl::Status status = ParseShare(line).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_EQ(std::string(status.message()).find("aaaa"), std::string::npos);
  }
}

TEST(ShamirTest, WipedSharesAreRefused) {
  const std::vector<Share> shares = Split(RandomKey(), 3, 2).value();
  const ShareRecord record{Copy(shares[0]), 2, "0123456789abcdef"};
  ZeroizeAllKeys();
  EXPECT_EQ(Combine(shares).status(),
            absl::FailedPreconditionError("keys sealed"));
  EXPECT_EQ(FormatShare(record).status(),
            absl::FailedPreconditionError("keys sealed"));
}

}  // namespace
}  // namespace tpp::crypto
