#include "storage/crypto/record_binding.h"

#include "absl/status/status.h"
#include "storage/crypto/encoding.h"
#include "storage/crypto/macros.h"

namespace tpp::crypto {

absl::StatusOr<RecordAad> RecordAad::Make(absl::string_view kind,
                                          absl::string_view insurer_id,
                                          absl::string_view record_key,
                                          absl::string_view field_name) {
  TPP_CRYPTO_CHECK(!kind.empty() && kind.size() <= kBindingKindBytesMax);
  if (insurer_id.empty() || insurer_id.size() > kInsurerIdBytesMax) {
    return absl::InvalidArgumentError("insurer id empty or too long");
  }
  if (record_key.empty() || record_key.size() > kRecordKeyBytesMax) {
    return absl::InvalidArgumentError("record key empty or too long");
  }
  if (field_name.size() > kFieldNameBytesMax) {
    return absl::InvalidArgumentError("field name too long");
  }
  RecordAad aad;
  aad.size_ = internal::LengthPrefixed(
      {kind, insurer_id, record_key, field_name},
      reinterpret_cast<unsigned char*>(aad.bytes_), sizeof(aad.bytes_));
  return aad;
}

}  // namespace tpp::crypto
