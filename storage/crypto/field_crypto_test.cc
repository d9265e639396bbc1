#include "storage/crypto/field_crypto.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/crypto/aead.h"
#include "storage/crypto/record_binding.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {
namespace {

SecureBytes RandomKey() { return SecureBytes::Random(32).value(); }

TEST(FieldCryptoTest, RoundTrip) {
  const SecureBytes dek = RandomKey();
  const std::string ciphertext =
      EncryptField(dek, "insurer-a", "member/42", "nir", "1850578006048")
          .value();
  EXPECT_EQ(ciphertext.find("1850578006048"), std::string::npos);
  absl::StatusOr<std::string> plaintext =
      DecryptField(dek, "insurer-a", "member/42", "nir", ciphertext);
  ASSERT_TRUE(plaintext.ok()) << plaintext.status();
  EXPECT_EQ(*plaintext, "1850578006048");
}

TEST(FieldCryptoTest, MovedCiphertextIsDataLoss) {
  const SecureBytes dek = RandomKey();
  const std::string ciphertext =
      EncryptField(dek, "insurer-a", "member/42", "nir", "1850578006048")
          .value();
  // Another member, another insurer, another field, another key.
  EXPECT_EQ(
      DecryptField(dek, "insurer-a", "member/43", "nir", ciphertext).status(),
      absl::DataLossError(
          "cannot decrypt: envelope damaged, or wrong key or associated "
          "data"));
  EXPECT_EQ(DecryptField(dek, "insurer-b", "member/42", "nir", ciphertext)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      DecryptField(dek, "insurer-a", "member/42", "birth_date", ciphertext)
          .status()
          .code(),
      absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      DecryptField(RandomKey(), "insurer-a", "member/42", "nir", ciphertext)
          .status()
          .code(),
      absl::StatusCode::kDataLoss);
}

TEST(FieldCryptoTest, NamesAreLengthPrefixedNotConcatenated) {
  // "ab" + "c" and "a" + "bc" must not share associated data.
  const SecureBytes dek = RandomKey();
  const std::string ciphertext =
      EncryptField(dek, "ab", "c", "f", "value").value();
  EXPECT_EQ(DecryptField(dek, "a", "bc", "f", ciphertext).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(FieldCryptoTest, RejectsBadNames) {
  const SecureBytes dek = RandomKey();
  EXPECT_EQ(EncryptField(dek, "", "r", "f", "v").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncryptField(dek, "i", "", "f", "v").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncryptField(dek, "i", "r", "", "v").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      EncryptField(dek, std::string(kInsurerIdBytesMax + 1, 'i'), "r", "f", "v")
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      EncryptField(dek, "i", std::string(kRecordKeyBytesMax + 1, 'r'), "f", "v")
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(EncryptField(dek, std::string(kInsurerIdBytesMax, 'i'),
                           std::string(kRecordKeyBytesMax, 'r'),
                           std::string(kFieldNameBytesMax, 'f'), "v")
                  .ok());
}

constexpr char kFields[] = "nir,last_name,birth_rank";

TEST(RecordCryptoTest, RoundTripKeepsEveryValueApart) {
  const SecureBytes dek = RandomKey();
  // An empty value and values that would run together if not delimited.
  const std::string ciphertext =
      EncryptRecord(dek, "insurer-a", "member/42", kFields,
                    {"1850578006048", "", "2"})
          .value();
  EXPECT_EQ(ciphertext.find("1850578006048"), std::string::npos);
  absl::StatusOr<std::vector<std::string>> values =
      DecryptRecord(dek, "insurer-a", "member/42", kFields, ciphertext);
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_EQ(*values, (std::vector<std::string>{"1850578006048", "", "2"}));
}

TEST(RecordCryptoTest, MovedOrRelabelledRecordIsDataLoss) {
  const SecureBytes dek = RandomKey();
  const std::string ciphertext =
      EncryptRecord(dek, "insurer-a", "member/42", kFields,
                    {"1850578006048", "DUPONT", "1"})
          .value();
  // Another member, another insurer, another field list (even the same
  // names in another order), another key, a field sealed alone under the
  // same names: all fail.
  EXPECT_EQ(DecryptRecord(dek, "insurer-a", "member/43", kFields, ciphertext)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecryptRecord(dek, "insurer-b", "member/42", kFields, ciphertext)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecryptRecord(dek, "insurer-a", "member/42",
                          "last_name,nir,birth_rank", ciphertext)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      DecryptRecord(RandomKey(), "insurer-a", "member/42", kFields, ciphertext)
          .status()
          .code(),
      absl::StatusCode::kDataLoss);
  const std::string field =
      EncryptField(dek, "insurer-a", "member/42", kFields, "x").value();
  EXPECT_EQ(DecryptRecord(dek, "insurer-a", "member/42", kFields, field)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  std::string altered = ciphertext;
  altered[altered.size() / 2] ^= 0x01;
  EXPECT_EQ(DecryptRecord(dek, "insurer-a", "member/42", kFields, altered)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(RecordCryptoTest, OneValuePerName) {
  const SecureBytes dek = RandomKey();
  EXPECT_EQ(EncryptRecord(dek, "insurer-a", "member/42", kFields, {"a", "b"})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      EncryptRecord(dek, "insurer-a", "member/42", "", {"a"}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tpp::crypto
