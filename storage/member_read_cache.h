// The rows a look-up by beneficiary read, kept for the next look-up of the
// same beneficiary: eligibility checks, claims and GetMember all go through
// the blind index, and a patient is looked up several times a visit (three
// checks and a claim in tpp-bench's pharmacy day). A hit replaces three
// RocksDB Gets (the index entry, the wrapped data key, the sealed record) by
// one hash look-up; decryption and the integrity checks still run on every
// look-up.
//
// Holds what RocksDB's block cache holds: pseudonymous ids, the data key
// wrapped by the insurer's key, ciphertext. Never a plaintext field.
//
// Every write to the member families (import batches, erasures, key
// rotation chunks) calls Written() once visible and before its caller hears
// back: entries read before are never returned again. A look-up takes the
// generation before its Gets and Put() keeps nothing if a write came in
// between, so a read racing with a write never caches what it read before.
//
// Bounded by bytes (LRU, RocksDB's sharded cache). Thread-safe.
#ifndef TPP_STORAGE_MEMBER_READ_CACHE_H_
#define TPP_STORAGE_MEMBER_READ_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "rocksdb/cache.h"

namespace tpp::storage {

// A member's rows as stored.
struct MemberRows {
  std::string member_id;  // member_index value
  std::string wrapped;    // member_keys value: the wrapped data key
  std::string record;     // members value: a serialized StoredMember
};

class MemberReadCache {
 public:
  explicit MemberReadCache(size_t capacity_bytes);
  MemberReadCache(const MemberReadCache&) = delete;
  MemberReadCache& operator=(const MemberReadCache&) = delete;

  // Taken before a look-up's Gets, and given back to Put().
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }
  // The rows kept for `index_row` (RowKey(insurer, blind index)) if nothing
  // was written to the member families since they were read.
  bool Get(absl::string_view index_row, MemberRows* rows) const;
  // Keeps `rows`, read after generation() returned `generation`, unless a
  // write came in since.
  void Put(absl::string_view index_row, MemberRows rows, uint64_t generation);
  // A write to the member families is visible: nothing read before it is
  // returned again. `index_row`, when given, is dropped at once (an erased
  // member's wrapped key does not wait for eviction).
  void Written(absl::string_view index_row = {});

  // Drops every entry now (the key ring is sealed).
  void Clear();

  size_t bytes() const { return cache_->GetUsage(); }

 private:
  struct Entry {
    uint64_t generation;
    MemberRows rows;
  };
  static void Delete(const rocksdb::Slice& key, void* value);

  std::shared_ptr<rocksdb::Cache> cache_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_MEMBER_READ_CACHE_H_
