#include "frontend/parameter_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace shardproxy::frontend {
namespace {

using protocol::BinaryValue;
using protocol::ColumnType;
using protocol::ParamType;

LiteralStyle utf8() { return LiteralStyle{"utf8mb4", false}; }

std::string literal(ParamType t, const BinaryValue& v, const LiteralStyle& style = utf8()) {
  auto r = parameterLiteral(t, v, style);
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r ? *r : std::string();
}

BinaryValue signedValue(int64_t i) {
  BinaryValue v;
  v.kind = BinaryValue::Kind::kSigned;
  v.i = i;
  return v;
}

BinaryValue doubleValue(double d, BinaryValue::Kind kind = BinaryValue::Kind::kDouble) {
  BinaryValue v;
  v.kind = kind;
  v.d = d;
  return v;
}

BinaryValue bytesValue(std::string_view b, BinaryValue::Kind kind = BinaryValue::Kind::kBytes) {
  BinaryValue v;
  v.kind = kind;
  v.bytes = b;
  return v;
}

TEST(ParameterLiteral, Integers) {
  ParamType t{ColumnType::kLongLong, false};
  EXPECT_EQ(literal(t, signedValue(0)), "0");
  EXPECT_EQ(literal(t, signedValue(-128)), "-128");
  EXPECT_EQ(literal(t, signedValue(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  BinaryValue u;
  u.kind = BinaryValue::Kind::kUnsigned;
  u.u = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(literal({ColumnType::kLongLong, true}, u), "18446744073709551615");
}

TEST(ParameterLiteral, DoublesAreExponentForm) {
  ParamType t{ColumnType::kDouble, false};
  EXPECT_EQ(literal(t, doubleValue(0.1)), "0.1e0");
  EXPECT_EQ(literal(t, doubleValue(-2.5)), "-2.5e0");
  EXPECT_EQ(literal(t, doubleValue(1e20)), "1e+20");
  EXPECT_EQ(literal(t, doubleValue(5e-324)), "5e-324");
  // A FLOAT parameter is the float widened to double, as the server takes it.
  EXPECT_EQ(literal({ColumnType::kFloat, false},
                    doubleValue(static_cast<double>(1.1f), BinaryValue::Kind::kFloat)),
            "1.100000023841858e0");
  auto nan = parameterLiteral(t, doubleValue(std::nan("")), utf8());
  ASSERT_FALSE(nan.isOk());
  EXPECT_EQ(nan.status().code(), 1210);
  EXPECT_FALSE(parameterLiteral(t, doubleValue(HUGE_VAL), utf8()).isOk());
}

TEST(ParameterLiteral, Decimals) {
  ParamType t{ColumnType::kNewDecimal, false};
  EXPECT_EQ(literal(t, bytesValue("-12.3400", BinaryValue::Kind::kDecimal)), "-12.3400");
  EXPECT_EQ(literal(t, bytesValue(".5", BinaryValue::Kind::kDecimal)), ".5");
  EXPECT_EQ(literal(t, bytesValue("1e3", BinaryValue::Kind::kDecimal)), "1e3");
  // Not a number: a string for the server to judge, never raw text.
  EXPECT_EQ(literal(t, bytesValue("1; DROP TABLE t", BinaryValue::Kind::kDecimal)),
            "'1; DROP TABLE t'");
  EXPECT_EQ(literal(t, bytesValue("", BinaryValue::Kind::kDecimal)), "''");
}

TEST(ParameterLiteral, Strings) {
  ParamType t{ColumnType::kVarString, false};
  EXPECT_EQ(literal(t, bytesValue("it's")), "'it''s'");
  EXPECT_EQ(literal(t, bytesValue("")), "''");
  EXPECT_EQ(literal(t, bytesValue("caf\xc3\xa9 \xf0\x9f\x98\x80")),
            "'caf\xc3\xa9 \xf0\x9f\x98\x80'");
  // Backslashes and NUL bytes mean different things under NO_BACKSLASH_ESCAPES: hex.
  EXPECT_EQ(literal(t, bytesValue("a\\b")), "_utf8mb4 X'615C62'");
  EXPECT_EQ(literal(t, bytesValue(std::string_view("a\0b", 3))), "_utf8mb4 X'610062'");
  // In GBK a byte >= 0x80 may start a character whose second byte is a backslash or quote.
  LiteralStyle gbk{"gbk", true};
  EXPECT_TRUE(backslashUnsafeCharset("gbk"));
  EXPECT_FALSE(backslashUnsafeCharset("utf8mb4"));
  EXPECT_EQ(literal(t, bytesValue("\xbf'"), gbk), "_gbk X'BF27'");
  EXPECT_EQ(literal(t, bytesValue("ab'"), gbk), "'ab'''");
  // Bytes that are not UTF-8 stay bytes (a binary string), as the server keeps a parameter's.
  EXPECT_EQ(literal(t, bytesValue("a\xff")), "X'61FF'");
  EXPECT_EQ(literal(t, bytesValue("\xc0\x80")), "X'C080'");        // overlong
  EXPECT_EQ(literal(t, bytesValue("\xed\xa0\x80")), "X'EDA080'");  // a surrogate
  EXPECT_EQ(literal(t, bytesValue("\xf0\x9f\x98\x80"), LiteralStyle{"utf8mb3", false}),
            "X'F09F9880'");
  EXPECT_EQ(literal(t, bytesValue("\xff"), LiteralStyle{"latin1", false}), "'\xff'");
  // Blob parameters are binary strings.
  EXPECT_EQ(literal({ColumnType::kBlob, false}, bytesValue(std::string_view("\0'\\\xff", 4))),
            "X'00275CFF'");
  EXPECT_EQ(literal({ColumnType::kLongBlob, false}, bytesValue("")), "X''");
  EXPECT_EQ(longDataLiteral({ColumnType::kBlob, false}, "ab", utf8()), "X'6162'");
  EXPECT_EQ(longDataLiteral({ColumnType::kString, false}, "ab", utf8()), "'ab'");
}

TEST(ParameterLiteral, NullAndTemporal) {
  EXPECT_EQ(literal({ColumnType::kNull, false}, BinaryValue{}), "NULL");
  BinaryValue dt;
  dt.kind = BinaryValue::Kind::kDateTime;
  dt.dateTime = {2024, 2, 29, 13, 4, 5, 120};
  EXPECT_EQ(literal({ColumnType::kDatetime, false}, dt), "TIMESTAMP'2024-02-29 13:04:05.000120'");
  EXPECT_EQ(literal({ColumnType::kDate, false}, dt), "DATE'2024-02-29'");
  dt.dateTime.microsecond = 0;
  EXPECT_EQ(literal({ColumnType::kTimestamp, false}, dt), "TIMESTAMP'2024-02-29 13:04:05'");
  // Not a literal MySQL takes (no 29 February in 2023, zero dates): a string the server converts.
  dt.dateTime = {2023, 2, 29, 0, 0, 0, 0};
  EXPECT_EQ(literal({ColumnType::kDate, false}, dt), "'2023-02-29'");
  dt.dateTime = {};
  EXPECT_EQ(literal({ColumnType::kDatetime, false}, dt), "'0000-00-00 00:00:00'");
  BinaryValue tm;
  tm.kind = BinaryValue::Kind::kTime;
  tm.time = {true, 34, 22, 59, 59, 0};  // -838:59:59
  EXPECT_EQ(literal({ColumnType::kTime, false}, tm), "TIME'-838:59:59'");
  tm.time = {false, 1, 2, 3, 4, 500000};
  EXPECT_EQ(literal({ColumnType::kTime, false}, tm), "TIME'26:03:04.500000'");
  tm.time = {false, 40, 0, 0, 0, 0};
  EXPECT_EQ(literal({ColumnType::kTime, false}, tm), "'960:00:00'");
}

TEST(IntegerLiteral, DigitStringsForLimit) {
  EXPECT_EQ(integerLiteral("'12'"), "12");
  EXPECT_EQ(integerLiteral("12"), "12");
  EXPECT_EQ(integerLiteral("'-1'"), "'-1'");
  EXPECT_EQ(integerLiteral("'1 OR 1'"), "'1 OR 1'");
  EXPECT_EQ(integerLiteral("''"), "''");
  EXPECT_EQ(integerLiteral("_utf8mb4 X'31'"), "_utf8mb4 X'31'");
}

TEST(ParameterMarkers, SkipsStringsNamesAndComments) {
  std::string sql =
      "SELECT '?', `a?`, \"?\" /* ? */, ? -- ?\n FROM t WHERE a = ? AND b IN (?,?) # ?\n";
  auto markers = parameterMarkers(sql);
  ASSERT_TRUE(markers.has_value());
  ASSERT_EQ(markers->size(), 4u);
  for (uint32_t m : *markers) EXPECT_EQ(sql[m], '?');
  EXPECT_FALSE(parameterMarkers("SELECT 'unterminated").has_value());
  EXPECT_TRUE(parameterMarkers("SELECT 1")->empty());
}

TEST(BindParameters, ReplacesEachMarker) {
  std::string sql = "SELECT ? FROM t WHERE a = ? AND s = '?'";
  auto markers = parameterMarkers(sql);
  ASSERT_TRUE(markers.has_value());
  ASSERT_EQ(markers->size(), 2u);
  EXPECT_EQ(bindParameters(sql, *markers, {"1", "'x''y'"}),
            "SELECT 1 FROM t WHERE a = 'x''y' AND s = '?'");
  EXPECT_EQ(bindParameters("SELECT 1", {}, {}), "SELECT 1");
}

}  // namespace
}  // namespace shardproxy::frontend
