#include "services/common/category.h"

#include "absl/status/status.h"

namespace tpp {

absl::string_view CategoryName(Category category) {
  switch (category) {
    case Category::kPharmacy:
      return "pharmacy";
    case Category::kConsultation:
      return "consultation";
    case Category::kLaboratory:
      return "laboratory";
    case Category::kOptical:
      return "optical";
    case Category::kDental:
      return "dental";
    case Category::kHearing:
      return "hearing";
    case Category::kHospital:
      return "hospital";
  }
  return "unknown";
}

absl::StatusOr<Category> ParseCategory(absl::string_view name) {
  for (Category category : kAllCategories) {
    if (CategoryName(category) == name) return category;
  }
  return absl::InvalidArgumentError("unknown category");
}

absl::StatusOr<Category> CategoryFromNumber(int number) {
  if (number < 1 || number > kCategoryCount) {
    return absl::InvalidArgumentError("category number is not in 1..7");
  }
  return static_cast<Category>(number);
}

}  // namespace tpp
