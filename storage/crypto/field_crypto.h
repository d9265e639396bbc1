// Per-field encryption of member data (NIR, names, birth date, family links,
// contract...) under the member's data key (KeyRing::NewDataKey). Each
// ciphertext is an AES-256-GCM envelope (aead.h) bound to (insurer, record
// key, field name): moved to another row, insurer or field it fails to
// decrypt with DATA_LOSS.
//
// Thread-safe: both functions may be called concurrently.
#ifndef TPP_STORAGE_CRYPTO_FIELD_CRYPTO_H_
#define TPP_STORAGE_CRYPTO_FIELD_CRYPTO_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

// Errors: INVALID_ARGUMENT (dek not 32 bytes, empty insurer_id, record_key
// or field_name, a part over its limit in record_binding.h, plaintext over
// kPlaintextBytesMax), FAILED_PRECONDITION "keys sealed", UNAVAILABLE,
// INTERNAL.
absl::StatusOr<std::string> EncryptField(const SecureBytes& dek,
                                         absl::string_view insurer_id,
                                         absl::string_view record_key,
                                         absl::string_view field_name,
                                         absl::string_view plaintext);

// DATA_LOSS if `ciphertext` was not made by EncryptField with this dek and
// these names, or was altered; other errors as EncryptField.
absl::StatusOr<std::string> DecryptField(const SecureBytes& dek,
                                         absl::string_view insurer_id,
                                         absl::string_view record_key,
                                         absl::string_view field_name,
                                         absl::string_view ciphertext);

// Record sealing: several fields of one record in one envelope, for records
// always read whole (a member). `fields` names the fields, comma-separated
// (at most kFieldNameBytesMax bytes); `values` holds one value per name, in
// that order. The associated data binds (kind tpp.record.v1, insurer, record
// key, the field list), so the envelope moved to another row or insurer, or
// read as another list of fields, fails with DATA_LOSS; values are encoded
// length-prefixed, so no value can spill into its neighbour. The encoding is
// cleansed once sealed. Errors as EncryptField; INVALID_ARGUMENT if the
// number of values differs from the number of names.
absl::StatusOr<std::string> EncryptRecord(
    const SecureBytes& dek, absl::string_view insurer_id,
    absl::string_view record_key, absl::string_view fields,
    std::initializer_list<absl::string_view> values);

// The values EncryptRecord sealed, in the order of `fields`. DATA_LOSS if
// `ciphertext` was not made by EncryptRecord with this dek, these names and
// this field list, or was altered; nothing is returned then.
absl::StatusOr<std::vector<std::string>> DecryptRecord(
    const SecureBytes& dek, absl::string_view insurer_id,
    absl::string_view record_key, absl::string_view fields,
    absl::string_view ciphertext);

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_FIELD_CRYPTO_H_
