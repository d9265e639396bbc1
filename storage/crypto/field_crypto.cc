#include "storage/crypto/field_crypto.h"

#include "absl/status/status.h"
#include "storage/crypto/aead.h"
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

}  // namespace tpp::crypto
