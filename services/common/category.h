// Category: the kinds of care tpp pays for. Annual ceilings and guarantees are
// kept per category. The numbers are stable: they are stored and sent on the
// wire.
//
// Thread-safety: free functions without state; safe from any thread.
#ifndef TPP_SERVICES_COMMON_CATEGORY_H_
#define TPP_SERVICES_COMMON_CATEGORY_H_

#include <array>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp {

enum class Category {
  kPharmacy = 1,
  kConsultation = 2,
  kLaboratory = 3,
  kOptical = 4,
  kDental = 5,
  kHearing = 6,
  kHospital = 7,
};

inline constexpr int kCategoryCount = 7;

inline constexpr std::array<Category, kCategoryCount> kAllCategories = {
    Category::kPharmacy, Category::kConsultation, Category::kLaboratory,
    Category::kOptical,  Category::kDental,       Category::kHearing,
    Category::kHospital,
};

// "pharmacy", "consultation", ...; "unknown" for a value outside the enum.
absl::string_view CategoryName(Category category);

// The inverse of CategoryName() (exact, lower case). INVALID_ARGUMENT
// otherwise.
absl::StatusOr<Category> ParseCategory(absl::string_view name);

// From the stable number (1..kCategoryCount). INVALID_ARGUMENT otherwise.
absl::StatusOr<Category> CategoryFromNumber(int number);

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_CATEGORY_H_
