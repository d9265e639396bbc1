#include "storage/member_read_cache.h"

#include <utility>

namespace tpp::storage {
namespace {

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace

MemberReadCache::MemberReadCache(size_t capacity_bytes)
    : cache_(rocksdb::NewLRUCache(capacity_bytes)) {}

void MemberReadCache::Delete(const rocksdb::Slice& /*key*/, void* value) {
  delete static_cast<Entry*>(value);
}

bool MemberReadCache::Get(absl::string_view index_row, MemberRows* rows) const {
  rocksdb::Cache::Handle* handle = cache_->Lookup(ToSlice(index_row));
  if (handle == nullptr) return false;
  const auto* entry = static_cast<const Entry*>(cache_->Value(handle));
  const bool fresh = entry->generation == generation();
  if (fresh) *rows = entry->rows;
  // A stale entry goes now rather than at eviction.
  cache_->Release(handle, /*erase_if_last_ref=*/!fresh);
  return fresh;
}

void MemberReadCache::Put(absl::string_view index_row, MemberRows rows,
                          uint64_t generation) {
  if (generation != this->generation()) return;
  const size_t charge = sizeof(Entry) + index_row.size() +
                        rows.member_id.size() + rows.wrapped.size() +
                        rows.record.size();
  auto* entry = new Entry{generation, std::move(rows)};
  // Not strict about capacity: the insert always succeeds, evicting.
  cache_->Insert(ToSlice(index_row), entry, charge, &MemberReadCache::Delete)
      .PermitUncheckedError();
}

void MemberReadCache::Written(absl::string_view index_row) {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  if (!index_row.empty()) cache_->Erase(ToSlice(index_row));
}

void MemberReadCache::Clear() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  cache_->EraseUnRefEntries();
}

}  // namespace tpp::storage
