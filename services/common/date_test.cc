#include "services/common/date.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tpp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DateTest, ParsesAndPrints) {
  absl::StatusOr<Date> date = Date::Parse("2024-02-29");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->Year(), 2024);
  EXPECT_EQ(date->Month(), 2);
  EXPECT_EQ(date->Day(), 29);
  EXPECT_EQ(date->ToString(), "2024-02-29");
}

TEST(DateTest, LeapYears) {
  EXPECT_TRUE(Date::Parse("2000-02-29").ok());   // divisible by 400
  EXPECT_FALSE(Date::Parse("1900-02-29").ok());  // by 100, not by 400
  EXPECT_FALSE(Date::Parse("2100-02-29").ok());
  EXPECT_FALSE(Date::Parse("2023-02-29").ok());
  EXPECT_TRUE(Date::Parse("1996-02-29").ok());
  EXPECT_EQ(Date::DaysInMonth(2024, 2), 29);
  EXPECT_EQ(Date::DaysInMonth(2023, 2), 28);
}

TEST(DateTest, RejectsBadFormats) {
  for (const char* text :
       {"", "2024-2-01", "2024-02-1", "24-02-01", "2024/02/01", "2024-02-01 ",
        " 2024-02-01", "2024-02-01x", "2024-02-01T00:00", "2024-0a-01",
        "+024-02-01", "2024-02--1", "20240201", "２024-02-01"}) {
    absl::StatusOr<Date> date = Date::Parse(text);
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(DateTest, RejectsDaysNotInTheCalendar) {
  for (const char* text : {"2024-02-30", "2024-04-31", "2024-13-01",
                           "2024-00-10", "2024-01-00", "2024-12-32"}) {
    absl::StatusOr<Date> date = Date::Parse(text);
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(date.status().message(), Not(HasSubstr("2024"))) << text;
  }
}

TEST(DateTest, YearRange) {
  EXPECT_TRUE(Date::Parse("1900-01-01").ok());
  EXPECT_TRUE(Date::Parse("2199-12-31").ok());
  EXPECT_FALSE(Date::Parse("1899-12-31").ok());
  EXPECT_FALSE(Date::Parse("2200-01-01").ok());
  EXPECT_FALSE(Date::FromYmd(-5, 1, 1).ok());
}

TEST(DateTest, DaysSinceEpoch) {
  EXPECT_EQ(Date::Parse("1970-01-01")->DaysSinceEpoch(), 0);
  EXPECT_EQ(Date::Parse("1970-01-02")->DaysSinceEpoch(), 1);
  EXPECT_EQ(Date::Parse("1969-12-31")->DaysSinceEpoch(), -1);
  EXPECT_EQ(Date::Parse("2000-03-01")->DaysSinceEpoch(), 11017);
  EXPECT_EQ(Date::Parse("1900-01-01")->DaysSinceEpoch(), -25567);
}

TEST(DateTest, FromDaysRoundTripsEveryDay) {
  const int64_t first = Date::Parse("1900-01-01")->DaysSinceEpoch();
  const int64_t last = Date::Parse("2199-12-31")->DaysSinceEpoch();
  Date previous = *Date::FromDays(first);
  for (int64_t d = first + 1; d <= last; ++d) {
    absl::StatusOr<Date> date = Date::FromDays(d);
    ASSERT_TRUE(date.ok()) << d;
    ASSERT_EQ(date->DaysSinceEpoch(), d);
    ASSERT_LT(previous, *date);
    ASSERT_EQ(*Date::Parse(date->ToString()), *date);
    previous = *date;
  }
  EXPECT_FALSE(Date::FromDays(first - 1).ok());
  EXPECT_FALSE(Date::FromDays(last + 1).ok());
}

TEST(DateTest, Compares) {
  Date a = *Date::Parse("2023-12-31");
  Date b = *Date::Parse("2024-01-01");
  EXPECT_LT(a, b);
  EXPECT_LE(a, b);
  EXPECT_LE(a, a);
  EXPECT_GT(b, a);
  EXPECT_GE(b, b);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, *Date::FromYmd(2023, 12, 31));
}

}  // namespace
}  // namespace tpp
