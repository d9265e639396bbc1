#include "storage/crypto/field_crypto.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "absl/status/status.h"
#include "storage/crypto/aead.h"
#include "storage/crypto/encoding.h"
#include "storage/crypto/macros.h"
#include "storage/crypto/record_binding.h"

namespace tpp::crypto {
namespace {

// Member data keys have no version: the envelope says 0.
constexpr uint32_t kDataKeyVersion = 0;

absl::StatusOr<RecordAad> FieldAad(absl::string_view insurer_id,
                                   absl::string_view record_key,
                                   absl::string_view field_name) {
  if (field_name.empty()) {
    return absl::InvalidArgumentError("field name empty");
  }
  return RecordAad::Make(kFieldKind, insurer_id, record_key, field_name);
}

absl::StatusOr<RecordAad> RecordFieldsAad(absl::string_view insurer_id,
                                          absl::string_view record_key,
                                          absl::string_view fields) {
  if (fields.empty()) return absl::InvalidArgumentError("field list empty");
  return RecordAad::Make(kRecordKind, insurer_id, record_key, fields);
}

size_t FieldCount(absl::string_view fields) {
  return 1 + static_cast<size_t>(std::count(fields.begin(), fields.end(), ','));
}

}  // namespace

absl::StatusOr<std::string> EncryptField(const SecureBytes& dek,
                                         absl::string_view insurer_id,
                                         absl::string_view record_key,
                                         absl::string_view field_name,
                                         absl::string_view plaintext) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const RecordAad aad,
                              FieldAad(insurer_id, record_key, field_name));
  return Seal(dek, kDataKeyVersion, plaintext, aad.view());
}

absl::StatusOr<std::string> DecryptField(const SecureBytes& dek,
                                         absl::string_view insurer_id,
                                         absl::string_view record_key,
                                         absl::string_view field_name,
                                         absl::string_view ciphertext) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const RecordAad aad,
                              FieldAad(insurer_id, record_key, field_name));
  return Open(dek, ciphertext, aad.view());
}

absl::StatusOr<std::string> EncryptRecord(
    const SecureBytes& dek, absl::string_view insurer_id,
    absl::string_view record_key, absl::string_view fields,
    std::initializer_list<absl::string_view> values) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const RecordAad aad,
                              RecordFieldsAad(insurer_id, record_key, fields));
  if (values.size() != FieldCount(fields)) {
    return absl::InvalidArgumentError("record: one value per field name");
  }
  const size_t size = internal::LengthPrefixedSize(values);
  if (size > kPlaintextBytesMax) {
    return absl::InvalidArgumentError("plaintext too large");
  }
  std::string encoded(size, '\0');
  internal::LengthPrefixed(
      values, reinterpret_cast<unsigned char*>(encoded.data()), size);
  absl::StatusOr<std::string> sealed =
      Seal(dek, kDataKeyVersion, encoded, aad.view());
  OPENSSL_cleanse(encoded.data(), encoded.size());
  return sealed;
}

absl::StatusOr<std::vector<std::string>> DecryptRecord(
    const SecureBytes& dek, absl::string_view insurer_id,
    absl::string_view record_key, absl::string_view fields,
    absl::string_view ciphertext) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const RecordAad aad,
                              RecordFieldsAad(insurer_id, record_key, fields));
  TPP_CRYPTO_ASSIGN_OR_RETURN(std::string encoded,
                              Open(dek, ciphertext, aad.view()));
  const size_t count = FieldCount(fields);
  std::vector<std::string> values;
  values.reserve(count);
  const auto* bytes = reinterpret_cast<const unsigned char*>(encoded.data());
  size_t at = 0;
  bool ok = true;
  while (ok && values.size() < count) {
    if (encoded.size() - at < internal::kLengthPrefixBytes) {
      ok = false;
      break;
    }
    const size_t length = internal::LoadBigEndian32(bytes + at);
    at += internal::kLengthPrefixBytes;
    if (encoded.size() - at < length) {
      ok = false;
      break;
    }
    values.emplace_back(encoded.data() + at, length);
    at += length;
  }
  OPENSSL_cleanse(encoded.data(), encoded.size());
  if (!ok || at != encoded.size()) {
    // Authenticated but not what EncryptRecord writes: damage all the same.
    for (std::string& value : values) {
      OPENSSL_cleanse(value.data(), value.size());
    }
    return absl::DataLossError("a sealed record does not decode");
  }
  return values;
}

}  // namespace tpp::crypto
