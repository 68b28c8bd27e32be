// INTERVAL: intervals from datetime-lower, targets by the suffix of each interval's start.
#include <gtest/gtest.h>

#include "router/algorithm.h"
#include "router/algorithm_test_util.h"

namespace shardproxy::router {
namespace {

using namespace testing;  // NOLINT

std::unique_ptr<ShardingAlgorithm> monthly() {
  return make("INTERVAL", {{"datetime-pattern", "yyyy-MM-dd HH:mm:ss"},
                           {"datetime-lower", "2024-01-01 00:00:00"},
                           {"datetime-upper", "2024-06-30 23:59:59"},
                           {"sharding-suffix-pattern", "yyyyMM"},
                           {"datetime-interval-amount", "1"},
                           {"datetime-interval-unit", "MONTHS"}});
}

const std::vector<std::string> kMonths = {"t_order_202401", "t_order_202402", "t_order_202403",
                                          "t_order_202404", "t_order_202405", "t_order_202406"};

TEST(IntervalAlgorithmTest, PreciseMapsToTheIntervalsStart) {
  auto a = monthly();
  EXPECT_EQ(a->autoTablesAmount(), std::nullopt);
  EXPECT_EQ(precise(*a, kMonths, str("2024-01-01 00:00:00")), "t_order_202401");
  EXPECT_EQ(precise(*a, kMonths, str("2024-03-15 10:00:00")), "t_order_202403");
  EXPECT_EQ(precise(*a, kMonths, str("2024-03-31 23:59:59")), "t_order_202403");
  EXPECT_EQ(precise(*a, kMonths, str("2024-06-30 23:59:59.5")), "t_order_202406");
  // Shorter text: the fields it has (relaxed pattern); a date alone is its midnight.
  EXPECT_EQ(precise(*a, kMonths, str("2024-02-10 08:30")), "t_order_202402");
  EXPECT_EQ(precise(*a, kMonths, str("2024-02-10")), "t_order_202402");
}

TEST(IntervalAlgorithmTest, PreciseErrors) {
  auto a = monthly();
  EXPECT_EQ(precise(*a, kMonths, str("2023-12-31 23:59:59")),
            "ERROR: INTERVAL: sharding value '2023-12-31 23:59:59' is outside the intervals from "
            "datetime-lower '2024-01-01 00:00:00' up to datetime-upper");
  EXPECT_EQ(precise(*a, kMonths, str("2024-07-01 00:00:00")),
            "ERROR: INTERVAL: sharding value '2024-07-01 00:00:00' is outside the intervals from "
            "datetime-lower '2024-01-01 00:00:00' up to datetime-upper");
  EXPECT_EQ(precise(*a, {"t_order_202401"}, str("2024-02-01 00:00:00")),
            "ERROR: INTERVAL: sharding value '2024-02-01 00:00:00' routes to suffix '202402', "
            "which no data node ends with");
  EXPECT_EQ(precise(*a, kMonths, str("15/03/2024")),
            "ERROR: INTERVAL: sharding value '15/03/2024' does not match datetime-pattern "
            "'yyyy-MM-dd HH:mm:ss'");
  EXPECT_EQ(precise(*a, kMonths, str("2024-13-01 00:00:00")),
            "ERROR: INTERVAL: sharding value '2024-13-01 00:00:00' does not match datetime-pattern "
            "'yyyy-MM-dd HH:mm:ss'");
  EXPECT_EQ(precise(*a, kMonths, Value::null()),
            "ERROR: INTERVAL: sharding value can't be null in SQL statement");
}

TEST(IntervalAlgorithmTest, RangeReachesEveryIntersectingInterval) {
  auto a = monthly();
  EXPECT_EQ(range(*a, kMonths,
                  between(str("2024-02-10 00:00:00"), str("2024-04-01 00:00:00"), true, false)),
            "t_order_202402,t_order_202403");
  EXPECT_EQ(range(*a, kMonths, between(str("2024-02-10 00:00:00"), str("2024-04-01 00:00:00"))),
            "t_order_202402,t_order_202403,t_order_202404");
  EXPECT_EQ(range(*a, kMonths, between(str("2024-02-01 00:00:00"), str("2024-02-01 00:00:00"))),
            "t_order_202402");
  EXPECT_EQ(range(*a, kMonths, between(str("2024-05-01 00:00:00"), std::nullopt)),
            "t_order_202405,t_order_202406");
  EXPECT_EQ(range(*a, kMonths, between(std::nullopt, str("2024-01-15"))), "t_order_202401");
  EXPECT_EQ(range(*a, kMonths, between(std::nullopt, std::nullopt)),
            "t_order_202401,t_order_202402,t_order_202403,t_order_202404,t_order_202405,"
            "t_order_202406");
  // Empty and outside ranges reach nothing.
  EXPECT_EQ(range(*a, kMonths, between(str("2024-04-01 00:00:00"), str("2024-03-01 00:00:00"))),
            "");
  EXPECT_EQ(range(*a, kMonths,
                  between(str("2024-04-01 00:00:00"), str("2024-04-01 00:00:00"), false, true)),
            "");
  EXPECT_EQ(range(*a, kMonths, between(str("2020-01-01 00:00:00"), str("2023-12-31 23:59:59"))),
            "");
  EXPECT_EQ(range(*a, kMonths, between(str("2024-07-01 00:00:00"), std::nullopt)), "");
  EXPECT_EQ(range(*a, kMonths, between(std::nullopt, str("2024-01-01 00:00:00"), true, false)), "");
  EXPECT_EQ(range(*a, kMonths, between(str("x"), std::nullopt)),
            "ERROR: INTERVAL: sharding value 'x' does not match datetime-pattern "
            "'yyyy-MM-dd HH:mm:ss'");
}

TEST(IntervalAlgorithmTest, DatePatternWithWeeklyIntervals) {
  auto a = make("INTERVAL", {{"datetime-pattern", "yyyy-MM-dd"},
                             {"datetime-lower", "2024-01-01"},
                             {"datetime-upper", "2024-01-31"},
                             {"sharding-suffix-pattern", "yyyyMMdd"},
                             {"datetime-interval-amount", "7"},
                             {"datetime-interval-unit", "days"}});
  std::vector<std::string> t = {"t_20240101", "t_20240108", "t_20240115", "t_20240122",
                                "t_20240129"};
  EXPECT_EQ(precise(*a, t, str("2024-01-10")), "t_20240108");
  EXPECT_EQ(precise(*a, t, str("2024-01-10 23:59:59")), "t_20240108");  // cut to the pattern
  EXPECT_EQ(precise(*a, t, str("2024-02-04")), "t_20240129");
  EXPECT_EQ(range(*a, t, between(str("2024-01-14"), str("2024-01-15"))), "t_20240108,t_20240115");
}

TEST(IntervalAlgorithmTest, CompactPatternAcceptsNumbers) {
  auto a = make("INTERVAL", {{"datetime-pattern", "yyyyMMdd"},
                             {"datetime-lower", "20240101"},
                             {"datetime-upper", "20240105"},
                             {"sharding-suffix-pattern", "MMdd"}});  // 1 DAYS by default
  auto t = std::vector<std::string>{"t_0101", "t_0102", "t_0103", "t_0104", "t_0105"};
  EXPECT_EQ(precise(*a, t, num(20240103)), "t_0103");
  EXPECT_EQ(precise(*a, t, str("20240104")), "t_0104");
  EXPECT_EQ(precise(*a, t, str("2024010")),
            "ERROR: INTERVAL: sharding value '2024010' does not match datetime-pattern "
            "'yyyyMMdd'");
  EXPECT_EQ(range(*a, t, between(num(20240102), num(20240104), false, true)),
            "t_0102,t_0103,t_0104");
}

TEST(IntervalAlgorithmTest, MonthStepsClampCumulativelyAtMonthEnds) {
  auto a = make("INTERVAL", {{"datetime-pattern", "yyyy-MM-dd"},
                             {"datetime-lower", "2024-01-31"},
                             {"datetime-upper", "2024-04-30"},
                             {"sharding-suffix-pattern", "yyyyMMdd"},
                             {"datetime-interval-unit", "Months"}});
  std::vector<std::string> t = {"t_20240131", "t_20240229", "t_20240329", "t_20240429"};
  EXPECT_EQ(precise(*a, t, str("2024-02-28")), "t_20240131");
  EXPECT_EQ(precise(*a, t, str("2024-02-29")), "t_20240229");
  EXPECT_EQ(precise(*a, t, str("2024-03-30")), "t_20240329");
  EXPECT_EQ(precise(*a, t, str("2024-05-28")), "t_20240429");
  // SMART resolution: Feb 30 is Feb 29 (2024 is a leap year).
  EXPECT_EQ(precise(*a, t, str("2024-02-30")), "t_20240229");
}

TEST(IntervalAlgorithmTest, YearMonthAndYearPatterns) {
  auto ym = make("INTERVAL", {{"datetime-pattern", "yyyy-MM"},
                              {"datetime-lower", "2023-01"},
                              {"datetime-upper", "2024-12"},
                              {"sharding-suffix-pattern", "yyyy"},
                              {"datetime-interval-unit", "YEARS"}});
  EXPECT_EQ(precise(*ym, {"t_2023", "t_2024"}, str("2024-05-17 10:00:00")), "t_2024");
  EXPECT_EQ(precise(*ym, {"t_2023", "t_2024"}, str("2023-12")), "t_2023");

  auto y = make("INTERVAL", {{"datetime-pattern", "yyyy"},
                             {"datetime-lower", "2020"},
                             {"datetime-upper", "2023"},
                             {"sharding-suffix-pattern", "yy"},
                             {"datetime-interval-amount", "2"},
                             {"datetime-interval-unit", "YEARS"}});
  std::vector<std::string> t = {"t_20", "t_22"};
  EXPECT_EQ(precise(*y, t, str("2021")), "t_20");
  EXPECT_EQ(precise(*y, t, num(2023)), "t_22");
  EXPECT_EQ(precise(*y, t, str("2024")),
            "ERROR: INTERVAL: sharding value '2024' is outside the intervals from datetime-lower "
            "'2020' up to datetime-upper");
}

TEST(IntervalAlgorithmTest, TimeUnitsAndFractions) {
  auto h = make("INTERVAL", {{"datetime-pattern", "yyyy-MM-dd HH:mm:ss"},
                             {"datetime-lower", "2024-01-01 00:00:00"},
                             {"datetime-upper", "2024-01-01 23:59:59"},
                             {"sharding-suffix-pattern", "HH"},
                             {"datetime-interval-amount", "6"},
                             {"datetime-interval-unit", "HOURS"}});
  std::vector<std::string> t = {"t_00", "t_06", "t_12", "t_18"};
  EXPECT_EQ(precise(*h, t, str("2024-01-01 13:00:00")), "t_12");
  EXPECT_EQ(range(*h, t, between(str("2024-01-01 05:00:00"), str("2024-01-01 07:00:00"))),
            "t_00,t_06");

  auto ms = make("INTERVAL", {{"datetime-pattern", "yyyy-MM-dd HH:mm:ss.SSS"},
                              {"datetime-lower", "2024-01-01 00:00:00.000"},
                              {"datetime-upper", "2024-01-01 00:00:00.999"},
                              {"sharding-suffix-pattern", "ssSSS"},
                              {"datetime-interval-amount", "500"},
                              {"datetime-interval-unit", "MILLIS"}});
  std::vector<std::string> m = {"t_00000", "t_00500"};
  EXPECT_EQ(precise(*ms, m, str("2024-01-01 00:00:00.750")), "t_00500");
  EXPECT_EQ(precise(*ms, m, str("2024-01-01 00:00:00")), "t_00000");

  auto half = make("INTERVAL", {{"datetime-pattern", "yyyy-MM-dd HH:mm:ss"},
                                {"datetime-lower", "2024-01-01 00:00:00"},
                                {"datetime-upper", "2024-01-02 00:00:00"},
                                {"sharding-suffix-pattern", "yyyyMMdd'T'HH"},
                                {"datetime-interval-unit", "HalfDays"}});
  EXPECT_EQ(precise(*half, {"t_20240101T00", "t_20240101T12", "t_20240102T00"},
                    str("2024-01-01 18:00:00")),
            "t_20240101T12");
}

TEST(IntervalAlgorithmTest, UpperDefaultsToNow) {
  auto a = make("INTERVAL", {{"datetime-pattern", "yyyy"},
                             {"datetime-lower", "2020"},
                             {"sharding-suffix-pattern", "yyyy"},
                             {"datetime-interval-unit", "YEARS"}});
  EXPECT_EQ(precise(*a, {"t_2020", "t_2021"}, str("2021")), "t_2021");
}

TEST(IntervalAlgorithmTest, Props) {
  Props base = {{"datetime-pattern", "yyyy-MM-dd"},
                {"datetime-lower", "2024-01-01"},
                {"datetime-upper", "2024-12-31"},
                {"sharding-suffix-pattern", "yyyyMM"},
                {"datetime-interval-unit", "MONTHS"}};
  EXPECT_EQ(createError("INTERVAL", base), "OK");
  auto with = [&](const std::string& key, const std::string& value) {
    Props p = base;
    p[key] = value;
    return createError("INTERVAL", p);
  };
  auto without = [&](const std::string& key) {
    Props p = base;
    p.erase(key);
    return createError("INTERVAL", p);
  };
  EXPECT_EQ(without("datetime-pattern"), "INTERVAL: datetime-pattern is required");
  EXPECT_EQ(without("datetime-lower"), "INTERVAL: datetime-lower is required");
  EXPECT_EQ(without("sharding-suffix-pattern"), "INTERVAL: sharding-suffix-pattern is required");
  EXPECT_EQ(with("datetime-pattern", "yyyy-MM-dd a"),
            "INTERVAL: datetime-pattern 'yyyy-MM-dd a': pattern letter 'a' is not supported "
            "(supported: y u M d H m s S)");
  EXPECT_EQ(with("datetime-pattern", "yyyy-MMM-dd"),
            "INTERVAL: datetime-pattern 'yyyy-MMM-dd': month names (MMM) are not supported");
  EXPECT_EQ(with("datetime-pattern", "HH:mm"),
            "INTERVAL: datetime-pattern 'HH:mm' must hold a date and time, a date, a year and "
            "month, or a year (month-only and time-only patterns are not supported)");
  EXPECT_EQ(with("datetime-lower", "2024/01/01"),
            "INTERVAL: datetime-lower '2024/01/01' does not match datetime-pattern 'yyyy-MM-dd'");
  EXPECT_EQ(with("datetime-upper", "2023-12-31"),
            "INTERVAL: datetime-upper '2023-12-31' is before datetime-lower '2024-01-01'");
  EXPECT_EQ(with("sharding-suffix-pattern", "yyyyMMddHH"),
            "INTERVAL: sharding-suffix-pattern 'yyyyMMddHH' uses fields that datetime-pattern "
            "'yyyy-MM-dd' (a date) does not have");
  EXPECT_EQ(with("datetime-interval-unit", "FORTNIGHTS"),
            "INTERVAL: datetime-interval-unit must be a ChronoUnit from NANOS to MILLENNIA (e.g. "
            "DAYS, MONTHS), got 'FORTNIGHTS'");
  EXPECT_EQ(with("datetime-interval-unit", "HOURS"),
            "INTERVAL: datetime-interval-unit HOURS cannot step a date (datetime-pattern "
            "'yyyy-MM-dd')");
  EXPECT_EQ(with("datetime-interval-amount", "0"),
            "INTERVAL: datetime-interval-amount must be a positive integer, got '0'");
  EXPECT_EQ(with("datetime-interval-amount", "1.5"),
            "INTERVAL: datetime-interval-amount must be a positive integer, got '1.5'");
  EXPECT_EQ(
      with("datetime-interval-unit", "SECONDS").find("cannot step a date") != std::string::npos,
      true);
  Props many = {{"datetime-pattern", "yyyy-MM-dd HH:mm:ss"},
                {"datetime-lower", "2000-01-01 00:00:00"},
                {"datetime-upper", "2024-01-01 00:00:00"},
                {"sharding-suffix-pattern", "yyyyMMddHHmmss"},
                {"datetime-interval-unit", "SECONDS"}};
  EXPECT_NE(createError("INTERVAL", many).find("more than 1000000 intervals"), std::string::npos);
}

}  // namespace
}  // namespace shardproxy::router
