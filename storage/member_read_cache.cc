#include "storage/member_read_cache.h"

#include <utility>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace tpp::storage {
namespace {

// RocksDB's cache hands an entry from the thread that built it to those
// that read it, and to the one that deletes it, under its own locks: Debian's
// librocksdb is not instrumented, so a TSan build is told (tools/sanitize).
#if defined(__SANITIZE_THREAD__)
void Published(void* entry) { __tsan_release(entry); }
void Received(void* entry) { __tsan_acquire(entry); }
#else
void Published(void*) {}
void Received(void*) {}
#endif

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace

MemberReadCache::MemberReadCache(size_t capacity_bytes)
    : cache_(rocksdb::NewLRUCache(capacity_bytes)) {}

void MemberReadCache::Delete(const rocksdb::Slice& /*key*/, void* value) {
  Received(value);
  delete static_cast<Entry*>(value);
}

bool MemberReadCache::Get(absl::string_view index_row, MemberRows* rows) const {
  rocksdb::Cache::Handle* handle = cache_->Lookup(ToSlice(index_row));
  if (handle == nullptr) return false;
  auto* entry = static_cast<Entry*>(cache_->Value(handle));
  Received(entry);
  const bool fresh = entry->generation == generation();
  if (fresh) *rows = entry->rows;
  Published(entry);  // done reading: whoever deletes it comes after
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
  Published(entry);
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
