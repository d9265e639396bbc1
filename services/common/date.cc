#include "services/common/date.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace tpp {
namespace {

constexpr size_t kDateChars = 10;  // "YYYY-MM-DD"

// Reads `count` ASCII digits at `pos`; -1 if any is not a digit.
int ReadDigits(absl::string_view text, size_t pos, size_t count) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Howard Hinnant's days_from_civil / civil_from_days, on 400-year eras.
constexpr int64_t kDaysPerEra = 146097;
constexpr int64_t kEpochShiftDays = 719468;  // 0000-03-01 to 1970-01-01

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * kDaysPerEra + doe - kEpochShiftDays;
}

void CivilFromDays(int64_t z, int* year, int* month, int* day) {
  z += kEpochShiftDays;
  const int64_t era = (z >= 0 ? z : z - kDaysPerEra + 1) / kDaysPerEra;
  const int64_t doe = z - era * kDaysPerEra;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(yoe + era * 400 + (m <= 2));
  *month = m;
  *day = d;
}

}  // namespace

absl::StatusOr<Date> Date::Parse(absl::string_view text) {
  if (text.size() != kDateChars || text[4] != '-' || text[7] != '-') {
    return absl::InvalidArgumentError("date must be YYYY-MM-DD");
  }
  const int year = ReadDigits(text, 0, 4);
  const int month = ReadDigits(text, 5, 2);
  const int day = ReadDigits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) {
    return absl::InvalidArgumentError("date must be YYYY-MM-DD");
  }
  return FromYmd(year, month, day);
}

absl::StatusOr<Date> Date::FromYmd(int year, int month, int day) {
  if (year < kYearMin || year > kYearMax) {
    return absl::InvalidArgumentError("date year is not in 1900..2199");
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return absl::InvalidArgumentError("date is not a calendar day");
  }
  return Date(year, month, day);
}

absl::StatusOr<Date> Date::FromDays(int64_t days_since_epoch) {
  static const int64_t kDaysMin = DaysFromCivil(kYearMin, 1, 1);
  static const int64_t kDaysMax = DaysFromCivil(kYearMax, 12, 31);
  if (days_since_epoch < kDaysMin || days_since_epoch > kDaysMax) {
    return absl::InvalidArgumentError("date year is not in 1900..2199");
  }
  int year = 0;
  int month = 0;
  int day = 0;
  CivilFromDays(days_since_epoch, &year, &month, &day);
  return Date(year, month, day);
}

bool Date::IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int Date::DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

int64_t Date::DaysSinceEpoch() const {
  return DaysFromCivil(year_, month_, day_);
}

std::string Date::ToString() const {
  std::string out(kDateChars, '-');
  int y = year_;
  for (int i = 3; i >= 0; --i, y /= 10)
    out[i] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + month_ / 10);
  out[6] = static_cast<char>('0' + month_ % 10);
  out[8] = static_cast<char>('0' + day_ / 10);
  out[9] = static_cast<char>('0' + day_ % 10);
  return out;
}

}  // namespace tpp
