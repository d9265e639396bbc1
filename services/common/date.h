// Date: a calendar day (proleptic Gregorian, no time zone) as used on the
// wire: "YYYY-MM-DD". Birth dates, coverage periods and dates of service are
// Dates. Years are limited to kYearMin..kYearMax so that every Date is a real
// day with a 4-digit year.
//
// A birth date is personal data: Status messages never echo the input.
//
// Thread-safety: an immutable value; const methods may be called from any
// number of threads.
#ifndef TPP_SERVICES_COMMON_DATE_H_
#define TPP_SERVICES_COMMON_DATE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp {

class Date {
 public:
  static constexpr int kYearMin = 1900;
  static constexpr int kYearMax = 2199;

  // Parses exactly "YYYY-MM-DD" (10 ASCII bytes, zero-padded) naming a real
  // day. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<Date> Parse(absl::string_view text);
  // INVALID_ARGUMENT unless year/month/day name a real day in range.
  static absl::StatusOr<Date> FromYmd(int year, int month, int day);
  // The inverse of DaysSinceEpoch(). INVALID_ARGUMENT when out of range.
  static absl::StatusOr<Date> FromDays(int64_t days_since_epoch);

  static bool IsLeapYear(int year);

  // 1900-01-01: a placeholder for a Date member yet to be assigned.
  Date() : Date(kYearMin, 1, 1) {}
  // REQUIRES: 1 <= month <= 12.
  static int DaysInMonth(int year, int month);

  int Year() const { return year_; }
  int Month() const { return month_; }
  int Day() const { return day_; }

  // Days since 1970-01-01 (which is 0); negative before it.
  int64_t DaysSinceEpoch() const;
  // "YYYY-MM-DD".
  std::string ToString() const;

  friend bool operator==(const Date& a, const Date& b) {
    return a.Key() == b.Key();
  }
  friend bool operator!=(const Date& a, const Date& b) {
    return a.Key() != b.Key();
  }
  friend bool operator<(const Date& a, const Date& b) {
    return a.Key() < b.Key();
  }
  friend bool operator<=(const Date& a, const Date& b) {
    return a.Key() <= b.Key();
  }
  friend bool operator>(const Date& a, const Date& b) {
    return a.Key() > b.Key();
  }
  friend bool operator>=(const Date& a, const Date& b) {
    return a.Key() >= b.Key();
  }

 private:
  Date(int year, int month, int day) : year_(year), month_(month), day_(day) {}
  // Orders dates like the calendar does.
  int Key() const { return (year_ * 100 + month_) * 100 + day_; }

  int year_;
  int month_;
  int day_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_DATE_H_
