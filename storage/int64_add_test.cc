#include "storage/int64_add.h"

#include <limits>

#include "gtest/gtest.h"

namespace tpp::storage {
namespace {

TEST(Int64AddTest, EncodesEightBytesBothSigns) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{2990},
                    std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    std::string bytes = EncodeInt64(v);
    ASSERT_EQ(bytes.size(), 8u);
    EXPECT_EQ(DecodeInt64(bytes), v);
  }
  EXPECT_FALSE(DecodeInt64("1234567").has_value());
}

TEST(Int64AddTest, MergeAddsDeltasAndRefusesDamage) {
  Int64AddOperator op;
  std::string out;
  std::string existing = EncodeInt64(5000);
  rocksdb::Slice existing_slice(existing);
  std::string delta = EncodeInt64(-2990);
  ASSERT_TRUE(op.Merge("k", &existing_slice, delta, &out, nullptr));
  EXPECT_EQ(DecodeInt64(out), 2010);
  ASSERT_TRUE(op.Merge("k", nullptr, delta, &out, nullptr));
  EXPECT_EQ(DecodeInt64(out), -2990);
  EXPECT_FALSE(op.Merge("k", nullptr, "short", &out, nullptr));
}

}  // namespace
}  // namespace tpp::storage
