// Sharding values converted as MySQL converts them for a column (router/value_conversion.h). The
// expected values are MariaDB 10.11's own answers (stored values read back, and which rows
// `column = value` matches), recorded by hand from the server.
#include "router/value_conversion.h"

#include <gtest/gtest.h>

namespace shardproxy::router {
namespace {

metadata::ColumnSchema column(const std::string& dataType, bool isUnsigned = false,
                              const std::string& collation = "", uint32_t precision = 0) {
  metadata::ColumnSchema c;
  c.name = "c";
  c.dataType = dataType;
  c.columnType = dataType;
  c.family = metadata::familyOf(dataType);
  c.isUnsigned = isUnsigned;
  c.collation = collation;
  c.precision = precision;
  return c;
}

std::string show(const Converted& c) {
  switch (c.kind) {
    case Converted::Kind::NoMatch:
      return "no match";
    case Converted::Kind::Unknown:
      return "unknown";
    case Converted::Kind::Exact:
      break;
  }
  std::string type = c.value.type == Value::Type::String ? "str:" : c.value.isIntegral() ? "int:" : c.value.type == Value::Type::Decimal ? "dec:" : "null:";
  return type + c.value.toString();
}

TEST(NumericPrefix, ReadsTheNumberAtTheStartAsMySqlDoes) {
  EXPECT_EQ(numericPrefix("10"), "10");
  EXPECT_EQ(numericPrefix("  +7"), "7");
  EXPECT_EQ(numericPrefix("-10.5"), "-10.5");
  EXPECT_EQ(numericPrefix("12abc"), "12");
  EXPECT_EQ(numericPrefix("1e1"), "1e1");
  EXPECT_EQ(numericPrefix("1e"), "1");
  EXPECT_EQ(numericPrefix(".5"), "0.5");
  EXPECT_EQ(numericPrefix("5."), "5");
  EXPECT_EQ(numericPrefix("abc"), "0");
  EXPECT_EQ(numericPrefix(""), "0");
  EXPECT_EQ(numericPrefix("0x10"), "0");
  EXPECT_EQ(numericPrefix("\t\n 3"), "3");
}

TEST(ValueConversion, StringsComparedWithAnIntegerColumn) {
  auto i = column("int");
  // MariaDB: SELECT ... WHERE i = '<text>' matches the row holding the integer, or none.
  EXPECT_EQ(show(forComparison(Value::ofString("10"), i)), "int:10");
  EXPECT_EQ(show(forComparison(Value::ofString(" 10"), i)), "int:10");
  EXPECT_EQ(show(forComparison(Value::ofString("10abc"), i)), "int:10");
  EXPECT_EQ(show(forComparison(Value::ofString("1e1"), i)), "int:10");
  EXPECT_EQ(show(forComparison(Value::ofString("+10"), i)), "int:10");
  EXPECT_EQ(show(forComparison(Value::ofString("1.0"), i)), "int:1");
  EXPECT_EQ(show(forComparison(Value::ofString("10.5"), i)), "no match");
  EXPECT_EQ(show(forComparison(Value::ofString("abc"), i)), "int:0");
  EXPECT_EQ(show(forComparison(*Value::ofNumberText("3.0"), i)), "int:3");
  EXPECT_EQ(show(forComparison(*Value::ofNumberText("3.5"), i)), "no match");
  EXPECT_EQ(show(forComparison(Value::ofInteger(7), i)), "int:7");
  // A bound of a range keeps its fraction.
  EXPECT_EQ(show(forComparison(Value::ofString("2.5"), i, true)), "dec:2.5");
  auto big = column("bigint");
  EXPECT_EQ(show(forComparison(Value::ofString("9007199254740993"), big)),
            "int:9007199254740993");
  // Past 2^53 a fraction cannot be told from its neighbours by a double: every node.
  EXPECT_EQ(show(forComparison(Value::ofString("9007199254740992.5"), big)), "unknown");
}

TEST(ValueConversion, ValuesStoredIntoAnIntegerColumn) {
  auto i = column("int");
  // MariaDB: INSERT INTO t (i) VALUES (<v>); SELECT i.
  EXPECT_EQ(show(forStorage(Value::ofString("10.5"), i)), "int:11");
  EXPECT_EQ(show(forStorage(Value::ofString(" 12 "), i)), "int:12");
  EXPECT_EQ(show(forStorage(Value::ofString("1e1"), i)), "int:10");
  EXPECT_EQ(show(forStorage(*Value::ofNumberText("10.5"), i)), "int:11");
  EXPECT_EQ(show(forStorage(*Value::ofNumberText("-10.5"), i)), "int:-11");
  EXPECT_EQ(show(forStorage(Value::ofString("-10.5"), i)), "int:-11");
  EXPECT_EQ(show(forStorage(Value::ofString("1.4999"), i)), "int:1");
  // Without strict mode the server clamps what does not fit.
  EXPECT_EQ(show(forStorage(Value::ofString("99999999999"), i)), "int:2147483647");
  EXPECT_EQ(show(forStorage(Value::ofString("1e100"), i)), "unknown");
  EXPECT_EQ(show(forStorage(Value::ofString("  +7"), i)), "int:7");
  EXPECT_EQ(show(forStorage(Value::ofInteger(-5), column("int", true))), "int:0");
  EXPECT_EQ(show(forStorage(Value::ofInteger(300), column("tinyint"))), "int:127");
}

TEST(ValueConversion, NumbersAndStringColumns) {
  auto v = column("varchar", false, "utf8mb4_general_ci");
  // '10', '010', '10.0', ' 10' and '10abc' all equal 10 in MariaDB.
  EXPECT_EQ(show(forComparison(Value::ofInteger(10), v)), "unknown");
  EXPECT_EQ(show(forComparison(Value::ofString("abc"), v)), "str:abc");
  // Stored, a number becomes its text.
  EXPECT_EQ(show(forStorage(Value::ofInteger(10), v)), "str:10");
  EXPECT_EQ(show(forStorage(*Value::ofNumberText("10.50"), v)), "str:10.50");
}

TEST(ValueConversion, DecimalColumnsKeepNumbersAsWritten) {
  auto d = column("decimal");
  EXPECT_EQ(show(forComparison(*Value::ofNumberText("10.50"), d)), "dec:10.50");
  EXPECT_EQ(show(forComparison(Value::ofString(" 10.5x"), d)), "dec:10.5");
  EXPECT_EQ(show(forComparison(Value::ofString("7"), d)), "int:7");
}

TEST(ValueConversion, TemporalValuesInTheColumnsForm) {
  auto date = column("date");
  auto dt = column("datetime");
  auto dt3 = column("datetime", false, "", 3);
  // MariaDB: '2024-1-2' and 20240102 both equal DATE '2024-01-02'.
  EXPECT_EQ(show(forComparison(Value::ofString("2024-1-2"), date)), "str:2024-01-02");
  EXPECT_EQ(show(forComparison(Value::ofInteger(20240102), date)), "str:2024-01-02");
  EXPECT_EQ(show(forStorage(Value::ofString("2024-1-1"), dt)), "str:2024-01-01 00:00:00");
  EXPECT_EQ(show(forStorage(Value::ofInteger(20240103101112), dt)), "str:2024-01-03 10:11:12");
  EXPECT_EQ(show(forStorage(Value::ofString("2024-01-04T10:11:12.5"), dt3)),
            "str:2024-01-04 10:11:12.500");
  EXPECT_EQ(show(forStorage(Value::ofString("240105"), date)), "str:2024-01-05");
  // Not a date: left for the server to judge.
  EXPECT_EQ(show(forComparison(Value::ofString("someday"), date)), "str:someday");
  EXPECT_EQ(show(forComparison(Value::ofString("2024-13-01"), date)), "str:2024-13-01");
}

TEST(ValueConversion, NormalizedByCollation) {
  auto ci = column("varchar", false, "utf8mb4_general_ci");
  auto bin = column("varchar", false, "utf8mb4_bin");
  auto nopad = column("varchar", false, "utf8mb4_nopad_bin");
  EXPECT_EQ(normalizedByCollation(Value::ofString("ABC  "), ci).text, "abc");
  EXPECT_EQ(normalizedByCollation(Value::ofString("ÀÉÎ Straße ΣΑΣ Жук"), ci).text,
            "àéî straße σασ жук");
  EXPECT_EQ(normalizedByCollation(Value::ofString("ABC  "), bin).text, "ABC");
  EXPECT_EQ(normalizedByCollation(Value::ofString("ABC  "), nopad).text, "ABC  ");
  // Bytes that are not UTF-8 stay as they are.
  EXPECT_EQ(normalizedByCollation(Value::ofString("A\xff"), ci).text, "a\xff");
}

}  // namespace
}  // namespace shardproxy::router
