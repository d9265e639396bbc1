#include "tools/tppctl/statement_check.h"

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/category.h"
#include "services/common/date.h"

namespace tpp::ctl {

absl::Status StatementCheck::Add(const tpp::v1::StatementLine& line) {
  absl::StatusOr<Date> care_date = Date::Parse(line.care_date());
  if (!care_date.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("statement line ", line_count_ + 1,
                     ": care_date is not a YYYY-MM-DD date"));
  }
  absl::StatusOr<Category> category = CategoryFromNumber(line.category());
  if (!category.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("statement line ", line_count_ + 1, ": unknown category ",
                     static_cast<int>(line.category())));
  }
  int64_t total = 0;
  if (__builtin_add_overflow(total_cents_, line.amc_cents(), &total)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "statement line ", line_count_ + 1, ": the total overflows"));
  }
  StatementLine canonical;
  canonical.claim_id = line.claim_id();
  canonical.adherent_number = line.adherent_number();
  canonical.care_date = *care_date;
  canonical.category = *category;
  canonical.amc_cents = line.amc_cents();
  digest_.Add(canonical);
  total_cents_ = total;
  ++line_count_;
  return absl::OkStatus();
}

absl::Status StatementCheck::Verify(
    const tpp::v1::StatementTrailer& trailer) const {
  std::vector<std::string> differences;
  if (trailer.line_count() != line_count_) {
    differences.push_back(absl::StrCat("line count: received ", line_count_,
                                       ", trailer ", trailer.line_count()));
  }
  if (trailer.total_cents() != total_cents_) {
    differences.push_back(absl::StrCat("total: received ", total_cents_,
                                       " cents, trailer ",
                                       trailer.total_cents(), " cents"));
  }
  const std::string mine = digest();
  if (absl::AsciiStrToLower(trailer.digest()) != mine) {
    differences.push_back(absl::StrCat("digest: received lines hash to ", mine,
                                       ", trailer ", trailer.digest()));
  }
  if (differences.empty()) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("the statement does not match its trailer: ",
                   absl::StrJoin(differences, "; ")));
}

std::string FormatEuros(int64_t cents) {
  // Unsigned, so that the most negative value has a magnitude too.
  const uint64_t magnitude = cents < 0 ? 0 - static_cast<uint64_t>(cents)
                                       : static_cast<uint64_t>(cents);
  const uint64_t rest = magnitude % 100;
  return absl::StrCat(cents < 0 ? "-" : "", magnitude / 100, ".",
                      rest < 10 ? "0" : "", rest);
}

}  // namespace tpp::ctl
