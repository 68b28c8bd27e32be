#include "router/value.h"

#include <gtest/gtest.h>

#include <string>

namespace shardproxy::router {
namespace {

Value num(std::string_view text) {
  auto v = Value::ofNumberText(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v.value_or(Value::null());
}

Value dec(std::string text) { return Value{Value::Type::Decimal, 0, std::move(text)}; }

TEST(ValueTest, OfIntegerPicksIntegerOrLong) {
  EXPECT_EQ(Value::ofInteger(0).type, Value::Type::Integer);
  EXPECT_EQ(Value::ofInteger(2147483647).type, Value::Type::Integer);
  EXPECT_EQ(Value::ofInteger(-2147483648LL).type, Value::Type::Integer);
  EXPECT_EQ(Value::ofInteger(2147483648LL).type, Value::Type::Long);
  EXPECT_EQ(Value::ofInteger(-2147483649LL).type, Value::Type::Long);
  EXPECT_EQ(Value::ofInteger(-2147483649LL).integer, -2147483649LL);
}

TEST(ValueTest, NumberTextClassification) {
  struct Case {
    const char* text;
    Value::Type type;
    const char* printed;
  };
  const Case cases[] = {
      {"42", Value::Type::Integer, "42"},
      {"-7", Value::Type::Integer, "-7"},
      {"+5", Value::Type::Integer, "5"},
      {"007", Value::Type::Integer, "7"},
      {"-0", Value::Type::Integer, "0"},
      {"2147483647", Value::Type::Integer, "2147483647"},
      {"-2147483648", Value::Type::Integer, "-2147483648"},
      {"2147483648", Value::Type::Long, "2147483648"},
      {"-2147483649", Value::Type::Long, "-2147483649"},
      {"9223372036854775807", Value::Type::Long, "9223372036854775807"},
      {"-9223372036854775808", Value::Type::Long, "-9223372036854775808"},
      {"00000000000000000000042", Value::Type::Integer, "42"},
      {"9223372036854775808", Value::Type::Decimal, "9223372036854775808"},
      {"-9223372036854775809", Value::Type::Decimal, "-9223372036854775809"},
      {"123456789012345678901234567890", Value::Type::Decimal, "123456789012345678901234567890"},
      {"3.14", Value::Type::Decimal, "3.14"},
      {"12.50", Value::Type::Decimal, "12.50"},
      {"-3.0", Value::Type::Decimal, "-3.0"},
      {"-0.0", Value::Type::Decimal, "0.0"},
      {"0.00", Value::Type::Decimal, "0.00"},
      {".5", Value::Type::Decimal, "0.5"},
      {"1.", Value::Type::Decimal, "1"},
      {"1e3", Value::Type::Decimal, "1E+3"},
      {"1E3", Value::Type::Decimal, "1E+3"},
      {"1.5e3", Value::Type::Decimal, "1.5E+3"},
      {"1.50e3", Value::Type::Decimal, "1.50E+3"},
      {"12e-1", Value::Type::Decimal, "1.2"},
      {"1e0", Value::Type::Decimal, "1"},
      {"1e-6", Value::Type::Decimal, "0.000001"},
      {"1e-7", Value::Type::Decimal, "1E-7"},
      {"123e-9", Value::Type::Decimal, "1.23E-7"},
      {"0.0000001", Value::Type::Decimal, "1E-7"},
      {"0.000001", Value::Type::Decimal, "0.000001"},
      {"0e5", Value::Type::Decimal, "0E+5"},
      {"0e-9", Value::Type::Decimal, "0E-9"},
      {"-12.345e+2", Value::Type::Decimal, "-1234.5"},
      {"1000e-3", Value::Type::Decimal, "1.000"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto v = Value::ofNumberText(c.text);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->type, c.type);
    EXPECT_EQ(v->toString(), c.printed);
  }
}

TEST(ValueTest, NumberTextRejectsNonNumbers) {
  for (const char* text : {"", "-", "+", ".", "e3", "1e", "1e+", "abc", "1x", "0x1F", " 1", "1 ",
                           "1..2", "1e2.5", "--1", "1e99999999999", "1e-3000000000"}) {
    EXPECT_FALSE(Value::ofNumberText(text).has_value()) << text;
  }
}

TEST(ValueTest, ToStringIsJavaStringValueOf) {
  EXPECT_EQ(Value::null().toString(), "null");
  EXPECT_EQ(Value::ofInteger(-42).toString(), "-42");
  EXPECT_EQ(Value::ofLong(1).toString(), "1");
  EXPECT_EQ(Value::ofString("héllo").toString(), "héllo");
  EXPECT_EQ(num("12.50").toString(), "12.50");
}

TEST(ValueTest, IntegerAndLongHashCode) {
  EXPECT_EQ(Value::ofInteger(0).javaHashCode(), 0);
  EXPECT_EQ(Value::ofInteger(-1).javaHashCode(), -1);
  EXPECT_EQ(Value::ofInteger(123456).javaHashCode(), 123456);
  EXPECT_EQ(Value::ofLong(7).javaHashCode(), 7);
  EXPECT_EQ(Value::ofLong(-1).javaHashCode(), 0);
  EXPECT_EQ(Value::ofLong(int64_t{1} << 32).javaHashCode(), 1);
  EXPECT_EQ(Value::ofLong(INT64_MAX).javaHashCode(), INT32_MIN);
  EXPECT_EQ(Value::ofLong(INT64_MIN).javaHashCode(), INT32_MIN);
  EXPECT_EQ(Value::ofLong(-5).javaHashCode(), 4);  // 0xFFFFFFFB ^ 0xFFFFFFFF
  EXPECT_EQ(Value::null().javaHashCode(), 0);
}

TEST(ValueTest, StringHashCodeOverUtf16) {
  EXPECT_EQ(Value::ofString("").javaHashCode(), 0);
  EXPECT_EQ(Value::ofString("a").javaHashCode(), 97);
  EXPECT_EQ(Value::ofString("abc").javaHashCode(), 96354);
  EXPECT_EQ(Value::ofString("t_order").javaHashCode(), -1597979709);
  EXPECT_EQ(Value::ofString("é").javaHashCode(), 233);  // one unit, not two bytes
  EXPECT_EQ(Value::ofString("中文").javaHashCode(), 646394);
  EXPECT_EQ(Value::ofString("😀").javaHashCode(), 1772899);              // surrogate pair D83D DE00
  EXPECT_EQ(Value::ofString("\xff").javaHashCode(), 65533);             // invalid byte -> U+FFFD
  EXPECT_EQ(Value::ofString("a\xc3").javaHashCode(), 97 * 31 + 65533);  // cut short
  EXPECT_EQ(Value::ofString("\xc0\xaf").javaHashCode(), 65533 * 31 + 65533);  // overlong
  EXPECT_EQ(Value::ofString("\xed\xa0\x80").javaHashCode(),                   // surrogate
            static_cast<int32_t>((65533u * 31 + 65533u) * 31 + 65533u));
}

TEST(ValueTest, BigDecimalHashCode) {
  EXPECT_EQ(num("1.0").javaHashCode(), 311);      // 31*10 + 1
  EXPECT_EQ(num("3.14").javaHashCode(), 9736);    // 31*314 + 2
  EXPECT_EQ(num("-3.14").javaHashCode(), -9732);  // 31*-314 + 2
  EXPECT_EQ(num("0.00").javaHashCode(), 2);
  EXPECT_EQ(num("1e3").javaHashCode(), 28);  // 31*1 - 3
  EXPECT_EQ(num("1").javaHashCode(), 1);     // an Integer
  EXPECT_EQ(dec("1").javaHashCode(), 31);    // BigDecimal 1, scale 0
  EXPECT_EQ(num("12345678901234567890").javaHashCode(), -1584216582);
  EXPECT_EQ(num("18446744073709551616").javaHashCode(), 29791);  // 2^64: words 1,0,0
  EXPECT_EQ(num("-18446744073709551616").javaHashCode(), -29791);
  EXPECT_EQ(num("10000000000000000000000000000000000000007e-5").javaHashCode(), 1092591769);
  EXPECT_EQ(num("123456789012e3").javaHashCode(), 344625541);
}

TEST(ValueTest, CompareNumbersAcrossTypes) {
  EXPECT_EQ(compare(Value::ofInteger(5), Value::ofLong(5)), 0);
  EXPECT_EQ(compare(Value::ofInteger(5), Value::ofLong(6)), -1);
  EXPECT_EQ(compare(Value::ofLong(INT64_MAX), Value::ofInteger(-1)), 1);
  EXPECT_EQ(compare(Value::ofInteger(5), num("5.0")), 0);
  EXPECT_EQ(compare(num("5.00"), num("5")), 0);
  EXPECT_EQ(compare(num("1E+3"), Value::ofInteger(1000)), 0);
  EXPECT_EQ(compare(num("4.99"), Value::ofInteger(5)), -1);
  EXPECT_EQ(compare(num("-4.99"), Value::ofInteger(-5)), 1);
  EXPECT_EQ(compare(num("-0.001"), Value::ofInteger(0)), -1);
  EXPECT_EQ(compare(num("0.00"), Value::ofInteger(0)), 0);
  EXPECT_EQ(compare(num("9223372036854775808"), Value::ofLong(INT64_MAX)), 1);
  EXPECT_EQ(compare(num("-9223372036854775809"), Value::ofLong(INT64_MIN)), -1);
  EXPECT_EQ(compare(num("0.1"), num("0.09999999999999999999999")), 1);
  EXPECT_EQ(compare(num("123.45"), num("123.451")), -1);
  EXPECT_EQ(compare(num("1e-7"), num("0.0000001")), 0);
}

TEST(ValueTest, CompareStringsByUtf16Units) {
  EXPECT_EQ(compare(Value::ofString("a"), Value::ofString("b")), -1);
  EXPECT_EQ(compare(Value::ofString("b"), Value::ofString("a")), 1);
  EXPECT_EQ(compare(Value::ofString("ab"), Value::ofString("ab")), 0);
  EXPECT_EQ(compare(Value::ofString("ab"), Value::ofString("abc")), -1);
  EXPECT_EQ(compare(Value::ofString(""), Value::ofString("a")), -1);
  // U+FF5E (one unit 0xFF5E) sorts after U+1F600 (units D83D DE00) in Java, unlike in UTF-8 bytes.
  EXPECT_EQ(compare(Value::ofString("\xef\xbd\x9e"), Value::ofString("😀")), 1);
}

TEST(ValueTest, CompareIncomparable) {
  EXPECT_EQ(compare(Value::ofInteger(1), Value::ofString("1")), std::nullopt);
  EXPECT_EQ(compare(Value::ofString("1"), num("1.0")), std::nullopt);
  EXPECT_EQ(compare(Value::null(), Value::null()), std::nullopt);
  EXPECT_EQ(compare(Value::null(), Value::ofInteger(1)), std::nullopt);
}

TEST(ValueTest, EqualityFollowsJavaEquals) {
  EXPECT_TRUE(Value::ofInteger(5) == Value::ofInteger(5));
  EXPECT_FALSE(Value::ofInteger(5) == Value::ofInteger(6));
  // Integer.equals(Long) is false in Java, whatever the numbers.
  EXPECT_FALSE(Value::ofInteger(5) == Value::ofLong(5));
  EXPECT_TRUE(Value::ofLong(5) == Value::ofLong(5));
  // BigDecimal.equals compares the scale too.
  EXPECT_TRUE(num("1.0") == num("1.0"));
  EXPECT_FALSE(num("1.0") == num("1.00"));
  EXPECT_TRUE(num("1e3") == num("1E+3"));
  EXPECT_FALSE(num("1e3") == num("1000.0"));
  EXPECT_TRUE(Value::ofString("x") == Value::ofString("x"));
  EXPECT_FALSE(Value::ofString("5") == Value::ofInteger(5));
  EXPECT_TRUE(Value::null() == Value::null());
}

}  // namespace
}  // namespace shardproxy::router
