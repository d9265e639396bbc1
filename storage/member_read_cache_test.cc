#include "storage/member_read_cache.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tpp::storage {
namespace {

MemberRows RowsOf(const std::string& id) {
  return MemberRows{id, "wrapped-" + id, "record-" + id};
}

TEST(MemberReadCacheTest, KeepsWhatWasReadUntilTheNextWrite) {
  MemberReadCache cache(1 << 20);
  MemberRows got;
  EXPECT_FALSE(cache.Get("ia", &got));
  cache.Put("ia", RowsOf("a"), cache.generation());
  ASSERT_TRUE(cache.Get("ia", &got));
  EXPECT_EQ(got.member_id, "a");
  EXPECT_EQ(got.wrapped, "wrapped-a");
  EXPECT_EQ(got.record, "record-a");
  EXPECT_FALSE(cache.Get("ib", &got));

  // Any write to the member families: nothing read before is returned.
  cache.Written();
  EXPECT_FALSE(cache.Get("ia", &got));
  cache.Put("ia", RowsOf("a2"), cache.generation());
  ASSERT_TRUE(cache.Get("ia", &got));
  EXPECT_EQ(got.member_id, "a2");
}

TEST(MemberReadCacheTest, ARaceWithAWriteKeepsNothing) {
  MemberReadCache cache(1 << 20);
  // A look-up takes the generation, reads its rows; a write lands and is
  // acknowledged before the look-up puts what it read.
  const uint64_t before = cache.generation();
  cache.Written();
  cache.Put("ia", RowsOf("stale"), before);
  MemberRows got;
  EXPECT_FALSE(cache.Get("ia", &got));
}

TEST(MemberReadCacheTest, AnErasedMembersRowsGoAtOnce) {
  MemberReadCache cache(1 << 20);
  cache.Put("ia", RowsOf("a"), cache.generation());
  cache.Put("ib", RowsOf("b"), cache.generation());
  const size_t both = cache.bytes();
  cache.Written("ia");
  EXPECT_LT(cache.bytes(), both) << "the erased member's wrapped key is gone";
  MemberRows got;
  EXPECT_FALSE(cache.Get("ia", &got));
  EXPECT_FALSE(cache.Get("ib", &got));  // read before the erasure too
}

TEST(MemberReadCacheTest, ClearFreesEverything) {
  MemberReadCache cache(1 << 20);
  cache.Put("ia", RowsOf("a"), cache.generation());
  cache.Put("ib", RowsOf("b"), cache.generation());
  ASSERT_GT(cache.bytes(), 0u);
  cache.Clear();
  EXPECT_EQ(cache.bytes(), 0u);
  MemberRows got;
  EXPECT_FALSE(cache.Get("ia", &got));
}

TEST(MemberReadCacheTest, StaysWithinItsBytes) {
  const size_t capacity = 256 << 10;
  MemberReadCache cache(capacity);
  const std::string record(1000, 'x');
  for (int i = 0; i < 2000; ++i) {
    const std::string id = std::to_string(i);
    cache.Put("i" + id, MemberRows{id, "w", record}, cache.generation());
  }
  EXPECT_LE(cache.bytes(), capacity + (capacity / 8));
  MemberRows got;
  EXPECT_TRUE(cache.Get("i1999", &got)) << "the latest is kept";
  EXPECT_FALSE(cache.Get("i0", &got)) << "the oldest was evicted";
}

// Look-ups and writes at once: once a write is acknowledged (Written()
// returned), no look-up sees rows read before it, whatever the interleaving.
TEST(MemberReadCacheTest, NoLookUpSeesRowsOlderThanAnAcknowledgedWrite) {
  MemberReadCache cache(1 << 20);
  std::atomic<int> stored{0};        // the "database"
  std::atomic<int> acknowledged{0};  // writes whose caller heard back
  std::atomic<bool> done{false};
  std::atomic<int> hits{0};
  std::atomic<int> stale{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        const int floor = acknowledged.load();
        MemberRows rows;
        if (cache.Get("ia", &rows)) {
          ++hits;
          if (std::stoi(rows.member_id) < floor) ++stale;
          continue;
        }
        const uint64_t generation = cache.generation();
        const int value = stored.load();
        cache.Put("ia", RowsOf(std::to_string(value)), generation);
      }
    });
  }
  for (int v = 1; v <= 2000; ++v) {
    stored.store(v);
    cache.Written();
    acknowledged.store(v);
    // Between writes, look-ups fill the cache and hit it.
    std::this_thread::sleep_for(std::chrono::microseconds(v % 2 == 0 ? 50 : 0));
  }
  done.store(true);
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(stale.load(), 0);
  EXPECT_GT(hits.load(), 0);
}

}  // namespace
}  // namespace tpp::storage
