// Exact decimal text arithmetic and double formatting.
#include "merger/decimal.h"

#include <gtest/gtest.h>

namespace shardproxy::merger {
namespace {

DecimalText d(const char* text) {
  auto parsed = parseDecimal(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(DecimalText{});
}

TEST(Decimal, ParsesWhatMySqlWrites) {
  EXPECT_TRUE(parseDecimal("0"));
  EXPECT_TRUE(parseDecimal("-12.340"));
  EXPECT_TRUE(parseDecimal("+5"));
  EXPECT_TRUE(parseDecimal(".5"));
  EXPECT_TRUE(parseDecimal("5."));
  EXPECT_FALSE(parseDecimal(""));
  EXPECT_FALSE(parseDecimal("-"));
  EXPECT_FALSE(parseDecimal("."));
  EXPECT_FALSE(parseDecimal("1e5"));
  EXPECT_FALSE(parseDecimal("1.2.3"));
  EXPECT_FALSE(parseDecimal("abc"));
  EXPECT_FALSE(parseDecimal(" 1"));
}

TEST(Decimal, Compares) {
  EXPECT_GT(compareDecimal(d("10.5"), d("9.75")), 0);
  EXPECT_LT(compareDecimal(d("-10.5"), d("-9.75")), 0);
  EXPECT_EQ(compareDecimal(d("1.50"), d("1.5")), 0);
  EXPECT_EQ(compareDecimal(d("-0.00"), d("0")), 0);
  EXPECT_EQ(compareDecimal(d("007"), d("7")), 0);
  EXPECT_LT(compareDecimal(d("-1"), d("0")), 0);
  EXPECT_LT(compareDecimal(d("0.001"), d("0.01")), 0);
  EXPECT_LT(compareDecimal(d("99999999999999999999"), d("100000000000000000000")), 0);
  EXPECT_GT(compareDecimal(d("18446744073709551616"), d("9223372036854775807")), 0);
  EXPECT_LT(compareDecimal(d("-18446744073709551616"), d("-9223372036854775808")), 0);
}

TEST(Decimal, AddsExactly) {
  EXPECT_EQ(addDecimal(d("1.10"), d("2.205")), "3.305");
  EXPECT_EQ(addDecimal(d("0.1"), d("0.2")), "0.3");
  EXPECT_EQ(addDecimal(d("999"), d("1")), "1000");
  EXPECT_EQ(addDecimal(d("-5"), d("3")), "-2");
  EXPECT_EQ(addDecimal(d("5"), d("-3.5")), "1.5");
  EXPECT_EQ(addDecimal(d("-1.25"), d("1.25")), "0.00");
  EXPECT_EQ(addDecimal(d("-1"), d("-2")), "-3");
  EXPECT_EQ(addDecimal(d("9223372036854775807"), d("9223372036854775807")), "18446744073709551614");
  EXPECT_EQ(addDecimal(d("0.5"), d(".5")), "1.0");
}

TEST(Decimal, DividesRoundingHalfAwayFromZero) {
  EXPECT_EQ(divideDecimal(d("5"), 2, 4), "2.5000");
  EXPECT_EQ(divideDecimal(d("2"), 3, 4), "0.6667");
  EXPECT_EQ(divideDecimal(d("1"), 3, 4), "0.3333");
  EXPECT_EQ(divideDecimal(d("-2"), 3, 4), "-0.6667");
  EXPECT_EQ(divideDecimal(d("1"), 8, 2), "0.13");  // 0.125 -> away from zero
  EXPECT_EQ(divideDecimal(d("-1"), 8, 2), "-0.13");
  EXPECT_EQ(divideDecimal(d("7"), 2, 0), "4");
  EXPECT_EQ(divideDecimal(d("9.999"), 1, 2), "10.00");
  EXPECT_EQ(divideDecimal(d("0"), 5, 4), "0.0000");
  EXPECT_EQ(divideDecimal(d("-0.00001"), 1, 4), "0.0000");  // no "-0"
  EXPECT_EQ(divideDecimal(d("18446744073709551615000"), 1000, 1), "18446744073709551615.0");
  EXPECT_EQ(divideDecimal(d("10"), UINT64_MAX, 25), "0.0000000000000000005421011");
}

TEST(Decimal, FormatsDoublesAsMySql) {
  EXPECT_EQ(formatDouble(0), "0");
  EXPECT_EQ(formatDouble(1.5), "1.5");
  EXPECT_EQ(formatDouble(-2), "-2");
  EXPECT_EQ(formatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(formatDouble(123456789), "123456789");
  EXPECT_EQ(formatDouble(1e20), "1e20");
  EXPECT_EQ(formatDouble(1.5e-20), "1.5e-20");
  EXPECT_EQ(formatDouble(0.001), "0.001");
}

}  // namespace
}  // namespace shardproxy::merger
