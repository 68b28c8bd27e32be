// Binary protocol result rows: BinaryRowWriter (text protocol values to binary) and
// decodeBinaryRow.
#include "protocol/binary_row.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "protocol/constants.h"
#include "protocol/stmt_execute.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;
using Row = std::vector<std::optional<std::string_view>>;

ParamType t(ColumnType type, bool isUnsigned = false) { return ParamType{type, isUnsigned}; }

// Printable rows for failure messages: "NULL" or the value's bytes in hex.
std::vector<std::string> show(const Row& row) {
  std::vector<std::string> out;
  for (const auto& v : row) out.push_back(v ? "[" + test::toHex(*v) + "]" : "NULL");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rows

struct RowCase {
  const char* name;
  std::string bytes;
  std::vector<ParamType> types;
  std::vector<std::optional<std::string>> values;  // as decodeBinaryRow reports them
};

const std::vector<RowCase>& rowCases() {
  static const std::vector<RowCase> cases = {
      {"mixed columns",
       fromHex("00"                      // header
               "10"                      // NULL bitmap: column 2 (bit 4)
               "0100000000000000"        // LONGLONG 1
               "03 616263"               // VARCHAR "abc"
               "07 e807 01 02 03 04 05"  // DATETIME 2024-01-02 03:04:05
               "ff"),                    // TINY UNSIGNED 255
       {t(ColumnType::kLongLong), t(ColumnType::kVarchar), t(ColumnType::kLong),
        t(ColumnType::kDatetime), t(ColumnType::kTiny, true)},
       {fromHex("0100000000000000"), "abc", std::nullopt, fromHex("07 e807 01 02 03 04 05"),
        fromHex("ff")}},
      {"no columns", fromHex("00 00"), {}, {}},
      {"six columns, all NULL: one bitmap byte",
       fromHex("00"    // header
               "fc"),  // NULL bitmap: columns 0-5 (bits 2-7)
       std::vector<ParamType>(6, t(ColumnType::kVarString)),
       std::vector<std::optional<std::string>>(6)},
      {"seven columns: two bitmap bytes",
       fromHex("00"     // header
               "00 01"  // NULL bitmap: column 6 (bit 8)
               "01 02 03 04 05 06"),
       std::vector<ParamType>(7, t(ColumnType::kTiny)),
       {fromHex("01"), fromHex("02"), fromHex("03"), fromHex("04"), fromHex("05"), fromHex("06"),
        std::nullopt}},
      {"ten columns, NULLs across the bitmap bytes",
       fromHex("00"      // header
               "84 09"   // NULL bitmap: columns 0, 5, 6, 9 (bits 2, 7, 8, 11)
               "0100"    // column 1
               "0200"    // column 2
               "0300"    // column 3
               "0400"    // column 4
               "0700"    // column 7
               "0800"),  // column 8
       std::vector<ParamType>(10, t(ColumnType::kShort)),
       {std::nullopt, fromHex("0100"), fromHex("0200"), fromHex("0300"), fromHex("0400"),
        std::nullopt, std::nullopt, fromHex("0700"), fromHex("0800"), std::nullopt}},
      {"dates, times, decimals, floats",
       fromHex("00"                                // header
               "00"                                // NULL bitmap: none
               "00"                                // DATE 0000-00-00
               "0c 01 00000000 00 00 01 20a10700"  // TIME -00:00:01.5
               "05 31322e3530"                     // NEWDECIMAL "12.50"
               "0000c03f"                          // FLOAT 1.5
               "000000000000f83f"),                // DOUBLE 1.5
       {t(ColumnType::kDate), t(ColumnType::kTime), t(ColumnType::kNewDecimal),
        t(ColumnType::kFloat), t(ColumnType::kDouble)},
       {fromHex("00"), fromHex("0c 01 00000000 00 00 01 20a10700"), "12.50", fromHex("0000c03f"),
        fromHex("000000000000f83f")}},
      {"a NULL-typed column with its bit clear has no bytes",
       fromHex("00 00 05"),
       {t(ColumnType::kNull), t(ColumnType::kTiny)},
       {"", fromHex("05")}},
  };
  return cases;
}

TEST(BinaryRowTest, Decodes) {
  for (const auto& c : rowCases()) {
    SCOPED_TRACE(c.name);
    auto row = decodeBinaryRow(c.bytes, c.types);
    ASSERT_TRUE(row);
    Row expected;
    for (const auto& v : c.values) {
      expected.push_back(v ? std::optional<std::string_view>(*v) : std::nullopt);
    }
    EXPECT_EQ(show(expected), show(*row));
    for (const auto& v : *row) {
      // Views into the payload, not copies.
      if (v && !v->empty()) {
        EXPECT_GE(v->data(), c.bytes.data());
        EXPECT_LE(v->data() + v->size(), c.bytes.data() + c.bytes.size());
      }
    }
  }
}

TEST(BinaryRowTest, CutAtEveryField) {
  for (const auto& c : rowCases()) {
    SCOPED_TRACE(c.name);
    test::expectEveryPrefixRejected(
        c.bytes, [&](std::string_view p) { return decodeBinaryRow(p, c.types).has_value(); });
  }
}

TEST(BinaryRowTest, TrailingBytesAreRejected) {
  for (const auto& c : rowCases()) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(decodeBinaryRow(c.bytes + fromHex("00"), c.types));
  }
}

TEST(BinaryRowTest, ErrorRows) {
  const std::vector<ParamType> kTwoTiny(2, t(ColumnType::kTiny));
  struct Case {
    const char* name;
    std::string bytes;
    std::vector<ParamType> types;
  };
  const Case kRows[] = {
      {"empty", "", kTwoTiny},
      {"OK header", fromHex("fe 00 01 02"), kTwoTiny},
      {"ERR header", fromHex("ff 00 01 02"), kTwoTiny},
      {"header 0x01", fromHex("01 00 01 02"), kTwoTiny},
      {"reserved bit 0 set", fromHex("00 01 01 02"), kTwoTiny},
      {"reserved bit 1 set", fromHex("00 02 01 02"), kTwoTiny},
      {"padding bit after the last column set", fromHex("00 10 01 02"), kTwoTiny},
      {"top padding bit set", fromHex("00 80 01 02"), kTwoTiny},
      {"padding bit of the second bitmap byte set", fromHex("00 00 02 01 02 03 04 05 06 07"),
       std::vector<ParamType>(7, t(ColumnType::kTiny))},
      {"column type TIME2", fromHex("00 00 00"), {t(ColumnType::kTime2)}},
      {"column type 100", fromHex("00 00 00"), {t(static_cast<ColumnType>(100))}},
      {"DATETIME length 5", fromHex("00 00 05 e807 01 02 03"), {t(ColumnType::kDatetime)}},
      {"TIME sign 2", fromHex("00 00 08 02 00000000 01 00 00"), {t(ColumnType::kTime)}},
      {"string NULL marker instead of a NULL bit", fromHex("00 00 fb"), {t(ColumnType::kString)}},
  };
  for (const auto& r : kRows) EXPECT_FALSE(decodeBinaryRow(r.bytes, r.types)) << r.name;
}

// ---------------------------------------------------------------------------------------------
// BinaryRowWriter

TEST(BinaryRowWriterTest, WritesTheMixedRow) {
  const RowCase& c = rowCases()[0];
  std::string out = "x";  // the writer appends
  BinaryRowWriter w(out, 5);
  EXPECT_TRUE(w.value(ColumnType::kLongLong, false, "1"));
  EXPECT_TRUE(w.value(ColumnType::kVarchar, false, "abc"));
  w.null();
  EXPECT_TRUE(w.value(ColumnType::kDatetime, false, "2024-01-02 03:04:05"));
  EXPECT_TRUE(w.value(ColumnType::kTiny, true, "255"));
  EXPECT_BYTES_EQ("x" + c.bytes, out);
}

TEST(BinaryRowWriterTest, NullBitmapAcrossBytes) {
  std::string out;
  BinaryRowWriter w(out, 10);
  for (int i = 0; i < 10; ++i) {
    if (i == 0 || i == 5 || i == 6 || i == 9) {
      w.null();
    } else {
      ASSERT_TRUE(w.value(ColumnType::kShort, false, std::to_string(i)));
    }
  }
  EXPECT_BYTES_EQ(rowCases()[4].bytes, out);
}

TEST(BinaryRowWriterTest, BitmapSize) {
  for (size_t columns : {0, 1, 6, 7, 14, 15, 100}) {
    std::string out;
    BinaryRowWriter w(out, columns);
    for (size_t i = 0; i < columns; ++i) w.null();
    EXPECT_EQ(out.size(), 1 + (columns + 9) / 8) << columns;
    auto row = decodeBinaryRow(out, std::vector<ParamType>(columns, t(ColumnType::kBlob)));
    ASSERT_TRUE(row) << columns;
    EXPECT_EQ(*row, Row(columns));
  }
}

// Calls past the last column change nothing.
TEST(BinaryRowWriterTest, CallsPastTheLastColumn) {
  std::string out;
  BinaryRowWriter w(out, 1);
  EXPECT_TRUE(w.value(ColumnType::kTiny, false, "1"));
  std::string before = out;
  w.null();
  EXPECT_FALSE(w.value(ColumnType::kTiny, false, "2"));
  EXPECT_BYTES_EQ(before, out);
  EXPECT_BYTES_EQ(fromHex("00 00 01"), out);
}

// A column of type NULL (SELECT NULL) can hold nothing else: clients read no bytes for it.
TEST(BinaryRowWriterTest, NullTypedColumnIsWrittenAsNull) {
  std::string out;
  BinaryRowWriter w(out, 2);
  EXPECT_TRUE(w.value(ColumnType::kNull, false, "anything"));
  EXPECT_TRUE(w.value(ColumnType::kTiny, false, "5"));
  EXPECT_BYTES_EQ(fromHex("00 04 05"), out);
}

struct TextCase {
  ColumnType type;
  bool isUnsigned;
  std::string text;
  std::string bytes;  // the column's value on the wire
};

const std::vector<TextCase>& textCases() {
  static const std::string kLong300(300, 'v');
  static const std::vector<TextCase> cases = {
      // Integers: every width, signed and unsigned extremes.
      {ColumnType::kTiny, false, "-128", fromHex("80")},
      {ColumnType::kTiny, false, "127", fromHex("7f")},
      {ColumnType::kTiny, false, "-1", fromHex("ff")},
      {ColumnType::kTiny, true, "255", fromHex("ff")},
      {ColumnType::kTiny, true, "0", fromHex("00")},
      {ColumnType::kShort, false, "-32768", fromHex("0080")},
      {ColumnType::kShort, false, "32767", fromHex("ff7f")},
      {ColumnType::kShort, true, "65535", fromHex("ffff")},
      {ColumnType::kYear, true, "2024", fromHex("e807")},
      {ColumnType::kYear, true, "0000", fromHex("0000")},
      {ColumnType::kLong, false, "-2147483648", fromHex("00000080")},
      {ColumnType::kLong, false, "2147483647", fromHex("ffffff7f")},
      {ColumnType::kLong, true, "4294967295", fromHex("ffffffff")},
      {ColumnType::kLong, true, "0000000042", fromHex("2a000000")},  // ZEROFILL
      {ColumnType::kInt24, false, "-8388608", fromHex("000080ff")},
      {ColumnType::kInt24, true, "16777215", fromHex("ffffff00")},
      {ColumnType::kLongLong, false, "-9223372036854775808", fromHex("0000000000000080")},
      {ColumnType::kLongLong, false, "9223372036854775807", fromHex("ffffffffffffff7f")},
      {ColumnType::kLongLong, true, "18446744073709551615", fromHex("ffffffffffffffff")},
      // Floating point, in the forms the server prints.
      {ColumnType::kFloat, false, "1.5", fromHex("0000c03f")},
      {ColumnType::kFloat, false, "1e-7", fromHex("95bfd633")},
      {ColumnType::kFloat, false, "-3.4028234663852886e38", fromHex("ffff7fff")},
      {ColumnType::kFloat, false, "3.40282e38", fromHex("eeff7f7f")},
      {ColumnType::kFloat, false, "-0", fromHex("00000080")},
      {ColumnType::kFloat, true, "12", fromHex("00004041")},
      {ColumnType::kDouble, false, "1.5", fromHex("000000000000f83f")},
      {ColumnType::kDouble, false, "-0.1", fromHex("9a9999999999b9bf")},
      {ColumnType::kDouble, false, "1e-7", fromHex("48afbc9af2d77a3e")},
      {ColumnType::kDouble, false, "1.7976931348623157e308", fromHex("ffffffffffffef7f")},
      {ColumnType::kDouble, false, "5e-324", fromHex("0100000000000000")},
      // Length-encoded copies.
      {ColumnType::kDecimal, false, "-12.345", fromHex("07 2d31322e333435")},
      {ColumnType::kNewDecimal, false, "0.50", fromHex("04 302e3530")},
      {ColumnType::kVarchar, false, "abc", fromHex("03 616263")},
      {ColumnType::kVarString, false, "", fromHex("00")},
      {ColumnType::kString, false, kLong300, fromHex("fc 2c01") + kLong300},
      {ColumnType::kBlob, false, std::string("\0\xff", 2), fromHex("02 00ff")},
      {ColumnType::kTinyBlob, false, "t", fromHex("01 74")},
      {ColumnType::kMediumBlob, false, "m", fromHex("01 6d")},
      {ColumnType::kLongBlob, false, "l", fromHex("01 6c")},
      {ColumnType::kBit, false, "\x01\x02", fromHex("02 0102")},
      {ColumnType::kEnum, false, "red", fromHex("03 726564")},
      {ColumnType::kSet, false, "a,b", fromHex("03 612c62")},
      {ColumnType::kJson, false, "{\"a\": 1}", fromHex("08 7b2261223a20317d")},
      {ColumnType::kGeometry, false, std::string("\0\0\0\0\x01", 5), fromHex("05 0000000001")},
      // Dates and datetimes: every length.
      {ColumnType::kDate, false, "2024-02-29", fromHex("04 e807 02 1d")},
      {ColumnType::kDate, false, "0000-00-00", fromHex("00")},
      {ColumnType::kDate, false, "2024-00-00", fromHex("04 e807 00 00")},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05", fromHex("07 e807 01 02 03 04 05")},
      {ColumnType::kDatetime, false, "2024-01-02 00:00:00", fromHex("04 e807 01 02")},
      {ColumnType::kDatetime, false, "2024-01-02", fromHex("04 e807 01 02")},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05.5",
       fromHex("0b e807 01 02 03 04 05 20a10700")},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05.000001",
       fromHex("0b e807 01 02 03 04 05 01000000")},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05.000000",
       fromHex("07 e807 01 02 03 04 05")},
      {ColumnType::kDatetime, false, "9999-12-31 23:59:59.999999",
       fromHex("0b 0f27 0c 1f 17 3b 3b 3f420f00")},
      {ColumnType::kDatetime, false, "0000-00-00 00:00:00", fromHex("00")},
      {ColumnType::kTimestamp, false, "1970-01-01 00:00:01", fromHex("07 b207 01 01 00 00 01")},
      {ColumnType::kTimestamp, false, "0000-00-00 00:00:00.000000", fromHex("00")},
      {ColumnType::kTimestamp, false, "2038-01-19 03:14:07.12",
       fromHex("0b f607 01 13 03 0e 07 c0d40100")},
      // Times: every length, negative, beyond 24 hours.
      {ColumnType::kTime, false, "00:00:00", fromHex("00")},
      {ColumnType::kTime, false, "12:34:56", fromHex("08 00 00000000 0c 22 38")},
      {ColumnType::kTime, false, "12:34:56.123456", fromHex("0c 00 00000000 0c 22 38 40e20100")},
      {ColumnType::kTime, false, "-838:59:59.000000", fromHex("08 01 22000000 16 3b 3b")},
      {ColumnType::kTime, false, "838:59:59", fromHex("08 00 22000000 16 3b 3b")},
      {ColumnType::kTime, false, "100:00:00", fromHex("08 00 04000000 04 00 00")},
      {ColumnType::kTime, false, "24:00:00", fromHex("08 00 01000000 00 00 00")},
      {ColumnType::kTime, false, "-00:00:01.5", fromHex("0c 01 00000000 00 00 01 20a10700")},
      {ColumnType::kTime, false, "1:02:03", fromHex("08 00 00000000 01 02 03")},
  };
  return cases;
}

std::string caseName(const TextCase& c) {
  return std::to_string(static_cast<int>(c.type)) + (c.isUnsigned ? " unsigned " : " ") + "\"" +
         c.text + "\"";
}

TEST(BinaryRowWriterTest, ConvertsTextOfEveryType) {
  for (const auto& c : textCases()) {
    SCOPED_TRACE(caseName(c));
    std::string out;
    BinaryRowWriter w(out, 1);
    ASSERT_TRUE(w.value(c.type, c.isUnsigned, c.text));
    EXPECT_BYTES_EQ(fromHex("00 00") + c.bytes, out);
  }
}

// The whole table as one row, with a NULL between every two values, decodes to each value's
// bytes, and dates and times read back as the values the text named.
TEST(BinaryRowWriterTest, RoundTripsThroughDecodeBinaryRow) {
  const auto& cases = textCases();
  std::string out;
  BinaryRowWriter w(out, cases.size() * 2);
  std::vector<ParamType> types;
  for (const auto& c : cases) {
    ASSERT_TRUE(w.value(c.type, c.isUnsigned, c.text)) << caseName(c);
    w.null();
    types.push_back(t(c.type, c.isUnsigned));
    types.push_back(t(ColumnType::kLong));
  }
  auto row = decodeBinaryRow(out, types);
  ASSERT_TRUE(row);
  ASSERT_EQ(row->size(), cases.size() * 2);
  for (size_t i = 0; i < cases.size(); ++i) {
    const TextCase& c = cases[i];
    SCOPED_TRACE(caseName(c));
    ASSERT_TRUE((*row)[2 * i]);
    EXPECT_FALSE((*row)[2 * i + 1]);
    std::string_view raw = *(*row)[2 * i];
    BinaryForm form = binaryFormOf(c.type);
    if (form == BinaryForm::kBytes || form == BinaryForm::kDecimal) {
      EXPECT_BYTES_EQ(c.text, raw);
    } else {
      EXPECT_BYTES_EQ(c.bytes, raw);
    }
    std::string_view data = raw;
    BinaryValue v;
    if (form != BinaryForm::kBytes && form != BinaryForm::kDecimal) {
      ASSERT_TRUE(readBinaryValue(data, types[2 * i], v));
      EXPECT_TRUE(data.empty());
    }
  }
}

TEST(BinaryRowWriterTest, TimeSplitsHoursIntoDays) {
  std::string out;
  BinaryRowWriter w(out, 1);
  ASSERT_TRUE(w.value(ColumnType::kTime, false, "-838:59:59.000001"));
  std::string_view data = std::string_view(out).substr(2);
  BinaryValue v;
  ASSERT_TRUE(readBinaryValue(data, t(ColumnType::kTime), v));
  EXPECT_TRUE(v.time.negative);
  EXPECT_EQ(v.time.days, 34u);
  EXPECT_EQ(v.time.hour, 22);
  EXPECT_EQ(v.time.minute, 59);
  EXPECT_EQ(v.time.second, 59);
  EXPECT_EQ(v.time.microsecond, 1u);
}

// Text that is not a value of the column's type: false, and nothing written for the column.
TEST(BinaryRowWriterTest, RejectsBadText) {
  const std::vector<std::tuple<ColumnType, bool, std::string>> kRows = {
      {ColumnType::kTiny, false, "128"},
      {ColumnType::kTiny, false, "-129"},
      {ColumnType::kTiny, true, "256"},
      {ColumnType::kTiny, true, "-1"},
      {ColumnType::kTiny, false, ""},
      {ColumnType::kTiny, false, "1x"},
      {ColumnType::kTiny, false, " 1"},
      {ColumnType::kTiny, false, "1 "},
      {ColumnType::kTiny, false, "+1"},
      {ColumnType::kTiny, false, "1.0"},
      {ColumnType::kTiny, false, "0x10"},
      {ColumnType::kShort, false, "32768"},
      {ColumnType::kShort, true, "65536"},
      {ColumnType::kYear, true, "-1"},
      {ColumnType::kLong, false, "2147483648"},
      {ColumnType::kLong, true, "4294967296"},
      {ColumnType::kInt24, false, "-2147483649"},
      {ColumnType::kLongLong, false, "9223372036854775808"},
      {ColumnType::kLongLong, false, "-9223372036854775809"},
      {ColumnType::kLongLong, true, "18446744073709551616"},
      {ColumnType::kLongLong, true, "99999999999999999999999"},
      {ColumnType::kFloat, false, "inf"},
      {ColumnType::kFloat, false, "-inf"},
      {ColumnType::kFloat, false, "nan"},
      {ColumnType::kFloat, false, "1e39"},
      {ColumnType::kFloat, false, "abc"},
      {ColumnType::kFloat, false, "1.5e"},
      {ColumnType::kFloat, false, ""},
      {ColumnType::kFloat, false, "+1.5"},
      {ColumnType::kDouble, false, "1e309"},
      {ColumnType::kDouble, false, "infinity"},
      {ColumnType::kDouble, false, "NaN"},
      {ColumnType::kDouble, false, "0x1p3"},
      {ColumnType::kDouble, false, "1.5 "},
      {ColumnType::kDate, false, "2024-01-02 03:04:05"},
      {ColumnType::kDate, false, "2024-1-2"},
      {ColumnType::kDate, false, "24-01-02"},
      {ColumnType::kDate, false, "2024-13-01"},
      {ColumnType::kDate, false, "2024-01-32"},
      {ColumnType::kDate, false, "2024/01/02"},
      {ColumnType::kDate, false, ""},
      {ColumnType::kDate, false, "2024-01-02 "},
      {ColumnType::kDatetime, false, "2024-01-02 24:00:00"},
      {ColumnType::kDatetime, false, "2024-01-02 03:60:00"},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:60"},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05."},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05.1234567"},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05,5"},
      {ColumnType::kDatetime, false, "2024-01-02T03:04:05"},
      {ColumnType::kDatetime, false, "2024-01-02 03:04"},
      {ColumnType::kDatetime, false, "2024-01-02 03:04:05 "},
      {ColumnType::kDatetime, false, "2024-01-02  03:04:05"},
      {ColumnType::kTimestamp, false, "1970-01-01 00:00:0x"},
      {ColumnType::kTime, false, "839:00:00"},
      {ColumnType::kTime, false, "-839:00:00"},
      {ColumnType::kTime, false, "12:34"},
      {ColumnType::kTime, false, "12:60:00"},
      {ColumnType::kTime, false, "12:00:60"},
      {ColumnType::kTime, false, "1:2:3"},
      {ColumnType::kTime, false, ":00:00"},
      {ColumnType::kTime, false, "12:34:56."},
      {ColumnType::kTime, false, "12:34:56.1234567"},
      {ColumnType::kTime, false, "--1:00:00"},
      {ColumnType::kTime, false, "+1:00:00"},
      {ColumnType::kTime, false, "1000000000:00:00"},
      {ColumnType::kTime, false, "12:34:56 "},
      {ColumnType::kTime, false, ""},
      {ColumnType::kTime2, false, "12:34:56"},
      {ColumnType::kNewDate, false, "2024-01-02"},
      {static_cast<ColumnType>(100), false, "x"},
  };
  for (const auto& [type, isUnsigned, text] : kRows) {
    std::string out;
    BinaryRowWriter w(out, 2);
    std::string before = out;
    EXPECT_FALSE(w.value(type, isUnsigned, text))
        << static_cast<int>(type) << (isUnsigned ? " unsigned " : " ") << "\"" << text << "\"";
    EXPECT_BYTES_EQ(before, out);
  }
}

}  // namespace
}  // namespace shardproxy::protocol
