// The associated data that binds a ciphertext to its place: (kind, insurer,
// record key, field), each length-prefixed. Sealing under it means a
// ciphertext copied to another row, insurer, field or kind of secret fails
// to decrypt (DATA_LOSS) instead of decrypting as the wrong member's data.
//
// Thread-safe: a RecordAad is an immutable value.
#ifndef TPP_STORAGE_CRYPTO_RECORD_BINDING_H_
#define TPP_STORAGE_CRYPTO_RECORD_BINDING_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp::crypto {

inline constexpr size_t kInsurerIdBytesMax = 64;
inline constexpr size_t kRecordKeyBytesMax = 256;
// A field name, or the comma-separated field list of a sealed record.
inline constexpr size_t kFieldNameBytesMax = 192;
inline constexpr size_t kBindingKindBytesMax = 16;

// Kinds of sealed secret; each names its format version.
inline constexpr absl::string_view kFieldKind = "tpp.field.v1";
inline constexpr absl::string_view kDataKeyKind = "tpp.dek.v1";
inline constexpr absl::string_view kRecordKind = "tpp.record.v1";

class RecordAad {
 public:
  // INVALID_ARGUMENT if insurer_id or record_key is empty or a part exceeds
  // its limit (the message names the part, never its value).
  static absl::StatusOr<RecordAad> Make(absl::string_view kind,
                                        absl::string_view insurer_id,
                                        absl::string_view record_key,
                                        absl::string_view field_name);

  absl::string_view view() const { return absl::string_view(bytes_, size_); }

 private:
  static constexpr size_t kBytesMax = 4 * 4 + kBindingKindBytesMax +
                                      kInsurerIdBytesMax + kRecordKeyBytesMax +
                                      kFieldNameBytesMax;

  RecordAad() = default;

  char bytes_[kBytesMax];
  size_t size_ = 0;
};

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_RECORD_BINDING_H_
