// A RocksDB merge operator that adds signed 64-bit counters: the usage of
// annual ceilings is written as deltas (a claim adds, a cancellation
// subtracts), so that concurrent batches never overwrite each other's
// totals and the stored value is exactly the sum of the claims on disk.
//
// Values are 8 bytes, little-endian two's complement.
//
// Thread-safe (stateless).
#ifndef TPP_STORAGE_INT64_ADD_H_
#define TPP_STORAGE_INT64_ADD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "rocksdb/merge_operator.h"

namespace tpp::storage {

std::string EncodeInt64(int64_t value);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<int64_t> DecodeInt64(absl::string_view bytes);

class Int64AddOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* logger) const override;
  const char* Name() const override { return "tpp.Int64Add"; }
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_INT64_ADD_H_
