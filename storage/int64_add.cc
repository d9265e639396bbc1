#include "storage/int64_add.h"

namespace tpp::storage {

std::string EncodeInt64(int64_t value) {
  const uint64_t bits = static_cast<uint64_t>(value);
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(bits >> (8 * i));
  return out;
}

std::optional<int64_t> DecodeInt64(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  }
  return static_cast<int64_t>(bits);
}

bool Int64AddOperator::Merge(const rocksdb::Slice& /*key*/,
                             const rocksdb::Slice* existing_value,
                             const rocksdb::Slice& value,
                             std::string* new_value,
                             rocksdb::Logger* /*logger*/) const {
  int64_t sum = 0;
  if (existing_value != nullptr) {
    std::optional<int64_t> existing = DecodeInt64(
        absl::string_view(existing_value->data(), existing_value->size()));
    // A malformed value is corruption: RocksDB reports it on read.
    if (!existing) return false;
    sum = *existing;
  }
  std::optional<int64_t> delta =
      DecodeInt64(absl::string_view(value.data(), value.size()));
  if (!delta) return false;
  // Wraps rather than overflows (well defined on unsigned); amounts are
  // bounded far below 2^63 by the claims core.
  *new_value = EncodeInt64(static_cast<int64_t>(static_cast<uint64_t>(sum) +
                                                static_cast<uint64_t>(*delta)));
  return true;
}

}  // namespace tpp::storage
