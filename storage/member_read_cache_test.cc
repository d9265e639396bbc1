#include "storage/member_read_cache.h"

#include <string>

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

}  // namespace
}  // namespace tpp::storage
