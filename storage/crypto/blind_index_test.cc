#include "storage/crypto/blind_index.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "storage/crypto/keyring.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {
namespace {

SecureBytes CountingKey() {  // 00 01 02 ... 1f
  std::string bytes(32, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i);
  return SecureBytes::CopyOf(bytes).value();
}

std::string Index(const SecureBytes& key, absl::string_view nir,
                  absl::string_view birth_date, int birth_rank) {
  absl::StatusOr<std::string> index =
      BlindIndex(key, nir, birth_date, birth_rank);
  EXPECT_TRUE(index.ok()) << index.status();
  return index.value_or("");
}

TEST(BlindIndexTest, KnownAnswer) {
  // Pins the encoding: a change would orphan every stored index. Computed
  // with Python's hmac over the length-prefixed encoding.
  EXPECT_EQ(absl::BytesToHexString(
                Index(CountingKey(), "1850578006048", "1985-05-01", 1)),
            "bd3750862a0fddca48e83b06856467eafb90465c1d8746388fe03e0bc4e49501");
}

TEST(BlindIndexTest, ReusedKeyStateGivesTheSameAnswer) {
  // Each thread keeps the last key's HMAC state; switching keys back and
  // forth must not change any result.
  const SecureBytes counting = CountingKey();
  const SecureBytes other = SecureBytes::Random(32).value();
  const std::string expected =
      Index(counting, "1850578006048", "1985-05-01", 1);
  const std::string other_index =
      Index(other, "1850578006048", "1985-05-01", 1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Index(counting, "1850578006048", "1985-05-01", 1), expected);
    EXPECT_EQ(Index(counting, "1850578006048", "1985-05-01", 1), expected);
    EXPECT_EQ(Index(other, "1850578006048", "1985-05-01", 1), other_index);
  }
  EXPECT_NE(expected, other_index);
}

TEST(BlindIndexTest, EqualInputsEqualIndexes) {
  const SecureBytes key = SecureBytes::Random(32).value();
  const std::string index = Index(key, "1850578006048", "1985-05-01", 1);
  EXPECT_EQ(index.size(), kBlindIndexBytes);
  EXPECT_EQ(index, Index(key, "1850578006048", "1985-05-01", 1));
}

TEST(BlindIndexTest, DiffersByBirthRankDateAndNir) {
  const SecureBytes key = SecureBytes::Random(32).value();
  const std::string index = Index(key, "1850578006048", "1985-05-01", 1);
  EXPECT_NE(index, Index(key, "1850578006048", "1985-05-01", 2));
  EXPECT_NE(index, Index(key, "1850578006048", "1985-05-02", 1));
  EXPECT_NE(index, Index(key, "1850578006049", "1985-05-01", 1));
  // Field boundaries are part of the input.
  EXPECT_NE(Index(key, "12", "3", 1), Index(key, "1", "23", 1));
}

TEST(BlindIndexTest, DiffersAcrossInsurers) {
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(1, SecureBytes::Random(32).value()).ok());
  const SecureBytes key_a = ring.BlindIndexKey("insurer-a").value();
  const SecureBytes key_b = ring.BlindIndexKey("insurer-b").value();
  EXPECT_NE(Index(key_a, "1850578006048", "1985-05-01", 1),
            Index(key_b, "1850578006048", "1985-05-01", 1));
  EXPECT_EQ(ring.MemberBlindIndex("insurer-a", "1850578006048", "1985-05-01", 1)
                .value(),
            Index(key_a, "1850578006048", "1985-05-01", 1));
}

TEST(BlindIndexTest, RejectsBadInput) {
  const SecureBytes key = SecureBytes::Random(32).value();
  EXPECT_EQ(BlindIndex(key, "", "1985-05-01", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BlindIndex(key, "1850578006048", "", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BlindIndex(key, "1850578006048", "1985-05-01", -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BlindIndex(key, "1850578006048", "1985-05-01", kBirthRankMax + 1)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BlindIndex(key, std::string(kBlindIndexFieldBytesMax + 1, '1'),
                       "1985-05-01", 1)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BlindIndex(SecureBytes::Random(16).value(), "1850578006048",
                       "1985-05-01", 1)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(BlindIndexTest, WipedKeyIsRefused) {
  const SecureBytes key = SecureBytes::Random(32).value();
  ZeroizeAllKeys();
  EXPECT_EQ(BlindIndex(key, "1850578006048", "1985-05-01", 1).status(),
            absl::FailedPreconditionError("keys sealed"));
}

}  // namespace
}  // namespace tpp::crypto
