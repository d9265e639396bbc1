#include "services/common/category.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace tpp {
namespace {

TEST(CategoryTest, NamesRoundTrip) {
  for (Category category : kAllCategories) {
    absl::StatusOr<Category> parsed = ParseCategory(CategoryName(category));
    ASSERT_TRUE(parsed.ok()) << CategoryName(category);
    EXPECT_EQ(*parsed, category);
  }
  EXPECT_EQ(CategoryName(Category::kPharmacy), "pharmacy");
  EXPECT_EQ(CategoryName(Category::kHospital), "hospital");
}

TEST(CategoryTest, NumbersAreStable) {
  EXPECT_EQ(static_cast<int>(Category::kPharmacy), 1);
  EXPECT_EQ(static_cast<int>(Category::kHospital), kCategoryCount);
  for (int n = 1; n <= kCategoryCount; ++n) {
    absl::StatusOr<Category> category = CategoryFromNumber(n);
    ASSERT_TRUE(category.ok()) << n;
    EXPECT_EQ(static_cast<int>(*category), n);
  }
  EXPECT_FALSE(CategoryFromNumber(0).ok());
  EXPECT_FALSE(CategoryFromNumber(kCategoryCount + 1).ok());
}

TEST(CategoryTest, RejectsUnknownNames) {
  for (const char* name : {"", "Pharmacy", "pharmacy ", "dentist", "unknown"}) {
    EXPECT_EQ(ParseCategory(name).status().code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
}

}  // namespace
}  // namespace tpp
