// COM_STMT_EXECUTE and the binary protocol values it carries (readBinaryValue and
// writeBinaryValue are shared with binary result rows).
#include "protocol/stmt_execute.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "protocol/constants.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;
using Kind = BinaryValue::Kind;

// ---------------------------------------------------------------------------------------------
// Values

ParamType t(ColumnType type, bool isUnsigned = false) { return ParamType{type, isUnsigned}; }

BinaryValue nullValue() { return BinaryValue{}; }

BinaryValue signedInt(int64_t i) {
  BinaryValue v;
  v.kind = Kind::kSigned;
  v.i = i;
  return v;
}

BinaryValue unsignedInt(uint64_t u) {
  BinaryValue v;
  v.kind = Kind::kUnsigned;
  v.u = u;
  return v;
}

BinaryValue floating(Kind kind, double d) {
  BinaryValue v;
  v.kind = kind;
  v.d = d;
  return v;
}

BinaryValue text(Kind kind, std::string_view bytes) {
  BinaryValue v;
  v.kind = kind;
  v.bytes = bytes;
  return v;
}

BinaryValue dateTime(uint16_t year, uint8_t month, uint8_t day, uint8_t hour = 0,
                     uint8_t minute = 0, uint8_t second = 0, uint32_t micro = 0) {
  BinaryValue v;
  v.kind = Kind::kDateTime;
  v.dateTime = {year, month, day, hour, minute, second, micro};
  return v;
}

BinaryValue time(bool negative, uint32_t days, uint8_t hour, uint8_t minute, uint8_t second,
                 uint32_t micro = 0) {
  BinaryValue v;
  v.kind = Kind::kTime;
  v.time = {negative, days, hour, minute, second, micro};
  return v;
}

// Readable forms for failure messages (gtest would print the structs as raw bytes).
std::string show(const BinaryDateTime& d) {
  return std::to_string(d.year) + "-" + std::to_string(d.month) + "-" + std::to_string(d.day) +
         " " + std::to_string(d.hour) + ":" + std::to_string(d.minute) + ":" +
         std::to_string(d.second) + "." + std::to_string(d.microsecond);
}

std::string show(const BinaryTime& t) {
  return std::string(t.negative ? "-" : "+") + std::to_string(t.days) + "d " +
         std::to_string(t.hour) + ":" + std::to_string(t.minute) + ":" + std::to_string(t.second) +
         "." + std::to_string(t.microsecond);
}

void expectValueEq(const BinaryValue& expected, const BinaryValue& actual) {
  ASSERT_EQ(static_cast<int>(expected.kind), static_cast<int>(actual.kind));
  switch (expected.kind) {
    case Kind::kNull:
      break;
    case Kind::kSigned:
      EXPECT_EQ(expected.i, actual.i);
      break;
    case Kind::kUnsigned:
      EXPECT_EQ(expected.u, actual.u);
      break;
    case Kind::kFloat:
    case Kind::kDouble:
      // Bit for bit, so that -0 and the last digit count.
      EXPECT_EQ(std::bit_cast<uint64_t>(expected.d), std::bit_cast<uint64_t>(actual.d))
          << expected.d << " vs " << actual.d;
      break;
    case Kind::kDecimal:
    case Kind::kBytes:
      EXPECT_BYTES_EQ(expected.bytes, actual.bytes);
      break;
    case Kind::kDateTime:
      EXPECT_EQ(show(expected.dateTime), show(actual.dateTime));
      break;
    case Kind::kTime:
      EXPECT_EQ(show(expected.time), show(actual.time));
      break;
  }
}

struct ValueCase {
  const char* name;
  ParamType type;
  std::string bytes;
  BinaryValue expected;
  // writeBinaryValue(expected) gives `bytes` back; false for the longer date/time forms a client
  // may send where a shorter one holds the value.
  bool canonical = true;
};

const std::vector<ValueCase>& valueCases() {
  static const std::string kLong300(300, 'v');
  static const std::vector<ValueCase> cases = {
      // Integers: every width, signed and unsigned extremes.
      {"TINY -128", t(ColumnType::kTiny), fromHex("80"), signedInt(-128)},
      {"TINY 127", t(ColumnType::kTiny), fromHex("7f"), signedInt(127)},
      {"TINY -1", t(ColumnType::kTiny), fromHex("ff"), signedInt(-1)},
      {"TINY UNSIGNED 255", t(ColumnType::kTiny, true), fromHex("ff"), unsignedInt(255)},
      {"TINY UNSIGNED 0", t(ColumnType::kTiny, true), fromHex("00"), unsignedInt(0)},
      {"SHORT -32768", t(ColumnType::kShort), fromHex("0080"), signedInt(-32768)},
      {"SHORT 32767", t(ColumnType::kShort), fromHex("ff7f"), signedInt(32767)},
      {"SHORT UNSIGNED 65535", t(ColumnType::kShort, true), fromHex("ffff"), unsignedInt(65535)},
      {"YEAR 2024", t(ColumnType::kYear, true), fromHex("e807"), unsignedInt(2024)},
      {"YEAR signed 2155", t(ColumnType::kYear), fromHex("6b08"), signedInt(2155)},
      {"LONG min", t(ColumnType::kLong), fromHex("00000080"), signedInt(INT32_MIN)},
      {"LONG max", t(ColumnType::kLong), fromHex("ffffff7f"), signedInt(INT32_MAX)},
      {"LONG -2", t(ColumnType::kLong), fromHex("feffffff"), signedInt(-2)},
      {"LONG UNSIGNED max", t(ColumnType::kLong, true), fromHex("ffffffff"),
       unsignedInt(UINT32_MAX)},
      {"INT24 min (4 bytes on the wire)", t(ColumnType::kInt24), fromHex("000080ff"),
       signedInt(-8388608)},
      {"INT24 UNSIGNED max", t(ColumnType::kInt24, true), fromHex("ffffff00"),
       unsignedInt(16777215)},
      {"LONGLONG min", t(ColumnType::kLongLong), fromHex("0000000000000080"), signedInt(INT64_MIN)},
      {"LONGLONG max", t(ColumnType::kLongLong), fromHex("ffffffffffffff7f"), signedInt(INT64_MAX)},
      {"LONGLONG byte order", t(ColumnType::kLongLong), fromHex("0807060504030201"),
       signedInt(0x0102030405060708)},
      {"LONGLONG UNSIGNED max", t(ColumnType::kLongLong, true), fromHex("ffffffffffffffff"),
       unsignedInt(UINT64_MAX)},
      // Floating point: FLOAT is widened exactly.
      {"FLOAT 1.5", t(ColumnType::kFloat), fromHex("0000c03f"), floating(Kind::kFloat, 1.5)},
      {"FLOAT -max", t(ColumnType::kFloat), fromHex("ffff7fff"),
       floating(Kind::kFloat, -std::numeric_limits<float>::max())},
      {"FLOAT 1e-7", t(ColumnType::kFloat), fromHex("95bfd633"),
       floating(Kind::kFloat, static_cast<double>(1e-7f))},
      {"FLOAT -0", t(ColumnType::kFloat), fromHex("00000080"), floating(Kind::kFloat, -0.0)},
      {"DOUBLE 1.5", t(ColumnType::kDouble), fromHex("000000000000f83f"),
       floating(Kind::kDouble, 1.5)},
      {"DOUBLE -0.1", t(ColumnType::kDouble), fromHex("9a9999999999b9bf"),
       floating(Kind::kDouble, -0.1)},
      {"DOUBLE max", t(ColumnType::kDouble), fromHex("ffffffffffffef7f"),
       floating(Kind::kDouble, std::numeric_limits<double>::max())},
      {"DOUBLE smallest subnormal", t(ColumnType::kDouble), fromHex("0100000000000000"),
       floating(Kind::kDouble, std::numeric_limits<double>::denorm_min())},
      // Decimals: the digits as sent.
      {"DECIMAL", t(ColumnType::kDecimal), fromHex("06 2d31322e3334"),
       text(Kind::kDecimal, "-12.34")},
      {"NEWDECIMAL", t(ColumnType::kNewDecimal), fromHex("04 302e3530"),
       text(Kind::kDecimal, "0.50")},
      // Length-encoded bytes: every type that carries them.
      {"VARCHAR", t(ColumnType::kVarchar), fromHex("03 616263"), text(Kind::kBytes, "abc")},
      {"BIT", t(ColumnType::kBit), fromHex("02 0102"), text(Kind::kBytes, "\x01\x02")},
      {"JSON", t(ColumnType::kJson), fromHex("07 7b2261223a317d"), text(Kind::kBytes, "{\"a\":1}")},
      {"ENUM", t(ColumnType::kEnum), fromHex("03 726564"), text(Kind::kBytes, "red")},
      {"SET", t(ColumnType::kSet), fromHex("03 612c62"), text(Kind::kBytes, "a,b")},
      {"TINY_BLOB", t(ColumnType::kTinyBlob), fromHex("01 00"),
       text(Kind::kBytes, std::string_view("\0", 1))},
      {"MEDIUM_BLOB", t(ColumnType::kMediumBlob), fromHex("02 fffb"),
       text(Kind::kBytes, "\xff\xfb")},
      {"LONG_BLOB", t(ColumnType::kLongBlob), fromHex("00"), text(Kind::kBytes, "")},
      {"BLOB", t(ColumnType::kBlob), fromHex("01 78"), text(Kind::kBytes, "x")},
      {"VAR_STRING", t(ColumnType::kVarString), fromHex("05 68656c6c6f"),
       text(Kind::kBytes, "hello")},
      {"STRING 300 bytes", t(ColumnType::kString), fromHex("fc 2c01") + kLong300,
       text(Kind::kBytes, kLong300)},
      {"GEOMETRY", t(ColumnType::kGeometry), fromHex("04 00000000"),
       text(Kind::kBytes, std::string_view("\0\0\0\0", 4))},
      // NULL: no bytes at all.
      {"NULL type", t(ColumnType::kNull), "", nullValue()},
      // Dates and datetimes: every length.
      {"DATE zero (length 0)", t(ColumnType::kDate), fromHex("00"), dateTime(0, 0, 0)},
      {"DATE (length 4)", t(ColumnType::kDate), fromHex("04 e807 02 1d"), dateTime(2024, 2, 29)},
      {"DATETIME (length 7)", t(ColumnType::kDatetime), fromHex("07 e807 01 02 03 04 05"),
       dateTime(2024, 1, 2, 3, 4, 5)},
      {"DATETIME (length 11)", t(ColumnType::kDatetime), fromHex("0b e807 01 02 03 04 05 20a10700"),
       dateTime(2024, 1, 2, 3, 4, 5, 500000)},
      {"DATETIME midnight (length 4)", t(ColumnType::kDatetime), fromHex("04 e807 01 02"),
       dateTime(2024, 1, 2)},
      {"DATETIME max", t(ColumnType::kDatetime), fromHex("0b 0f27 0c 1f 17 3b 3b 3f420f00"),
       dateTime(9999, 12, 31, 23, 59, 59, 999999)},
      {"DATETIME zero date with a time", t(ColumnType::kDatetime),
       fromHex("07 0000 00 00 01 00 00"), dateTime(0, 0, 0, 1, 0, 0)},
      {"TIMESTAMP (length 7)", t(ColumnType::kTimestamp), fromHex("07 b207 01 01 00 00 01"),
       dateTime(1970, 1, 1, 0, 0, 1)},
      {"TIMESTAMP zero", t(ColumnType::kTimestamp), fromHex("00"), dateTime(0, 0, 0)},
      {"DATETIME midnight sent as length 7", t(ColumnType::kDatetime),
       fromHex("07 e807 01 02 00 00 00"), dateTime(2024, 1, 2), false},
      {"DATETIME without micro sent as length 11", t(ColumnType::kDatetime),
       fromHex("0b e807 01 02 03 04 05 00000000"), dateTime(2024, 1, 2, 3, 4, 5), false},
      {"DATE sent as length 11", t(ColumnType::kDate), fromHex("0b e807 01 02 00 00 00 00000000"),
       dateTime(2024, 1, 2), false},
      {"DATE with a time part: the time is dropped", t(ColumnType::kDate),
       fromHex("0b e807 01 02 03 04 05 06000000"), dateTime(2024, 1, 2), false},
      {"DATE zero sent as length 4", t(ColumnType::kDate), fromHex("04 0000 00 00"),
       dateTime(0, 0, 0), false},
      // Times: every length, negative, beyond 24 hours.
      {"TIME zero (length 0)", t(ColumnType::kTime), fromHex("00"), time(false, 0, 0, 0, 0)},
      {"TIME (length 8)", t(ColumnType::kTime), fromHex("08 00 00000000 0c 22 38"),
       time(false, 0, 12, 34, 56)},
      {"TIME (length 12)", t(ColumnType::kTime), fromHex("0c 00 00000000 0c 22 38 40e20100"),
       time(false, 0, 12, 34, 56, 123456)},
      {"TIME -838:59:59", t(ColumnType::kTime), fromHex("08 01 22000000 16 3b 3b"),
       time(true, 34, 22, 59, 59)},
      {"TIME 100:00:00", t(ColumnType::kTime), fromHex("08 00 04000000 04 00 00"),
       time(false, 4, 4, 0, 0)},
      {"TIME -00:00:01.5", t(ColumnType::kTime), fromHex("0c 01 00000000 00 00 01 20a10700"),
       time(true, 0, 0, 0, 1, 500000)},
      {"TIME days byte order", t(ColumnType::kTime), fromHex("08 00 04030201 00 00 00"),
       time(false, 0x01020304, 0, 0, 0)},
      {"TIME zero sent as length 8", t(ColumnType::kTime), fromHex("08 00 00000000 00 00 00"),
       time(false, 0, 0, 0, 0), false},
  };
  return cases;
}

TEST(BinaryValueTest, ReadsEveryType) {
  for (const auto& c : valueCases()) {
    SCOPED_TRACE(c.name);
    // A following byte must be left where it is.
    std::string bytes = c.bytes + "Z";
    std::string_view data = bytes;
    BinaryValue v;
    ASSERT_TRUE(readBinaryValue(data, c.type, v));
    EXPECT_EQ(data, "Z");
    expectValueEq(c.expected, v);
    if (v.kind == Kind::kBytes || v.kind == Kind::kDecimal) {
      // A view into the packet, not a copy.
      EXPECT_EQ(v.bytes.data() + v.bytes.size(), bytes.data() + bytes.size() - 1);
    }
  }
}

TEST(BinaryValueTest, WritesEveryType) {
  for (const auto& c : valueCases()) {
    if (!c.canonical) continue;
    SCOPED_TRACE(c.name);
    std::string out = "x";  // the writer appends
    writeBinaryValue(out, c.type, c.expected);
    EXPECT_BYTES_EQ("x" + c.bytes, out);
  }
}

TEST(BinaryValueTest, CutAtEveryField) {
  for (const auto& c : valueCases()) {
    SCOPED_TRACE(c.name);
    test::expectEveryPrefixRejected(c.bytes, [&](std::string_view p) {
      std::string_view data = p;
      BinaryValue v = signedInt(99);
      bool ok = readBinaryValue(data, c.type, v);
      // A failed read leaves both the input and the output alone.
      EXPECT_EQ(data.size(), p.size());
      EXPECT_EQ(v.i, 99);
      return ok;
    });
  }
}

TEST(BinaryValueTest, ErrorRows) {
  const std::vector<std::tuple<const char*, ParamType, std::string>> kRows = {
      {"TIMESTAMP2 (server internal)", t(ColumnType::kTimestamp2), fromHex("00000000")},
      {"DATETIME2 (server internal)", t(ColumnType::kDatetime2), fromHex("00000000")},
      {"TIME2 (server internal)", t(ColumnType::kTime2), fromHex("00000000")},
      {"NEWDATE (server internal)", t(ColumnType::kNewDate), fromHex("00000000")},
      {"type 20", t(static_cast<ColumnType>(20)), fromHex("00")},
      {"type 100", t(static_cast<ColumnType>(100)), fromHex("00")},
      {"type 244", t(static_cast<ColumnType>(244)), fromHex("00")},
      {"DATE length 1", t(ColumnType::kDate), fromHex("01 00")},
      {"DATE length 5", t(ColumnType::kDate), fromHex("05 e807 01 02 03")},
      {"DATETIME length 8", t(ColumnType::kDatetime), fromHex("08 e807 01 02 03 04 05 06")},
      {"DATETIME length 12", t(ColumnType::kDatetime),
       fromHex("0c e807 01 02 03 04 05 0000000000")},
      {"TIMESTAMP length 0xff", t(ColumnType::kTimestamp), fromHex("ff")},
      {"TIME length 4", t(ColumnType::kTime), fromHex("04 00 000000")},
      {"TIME length 7", t(ColumnType::kTime), fromHex("07 00 000000 000000")},
      {"TIME length 11", t(ColumnType::kTime), fromHex("0b e807 01 02 03 04 05 20a10700")},
      {"TIME sign 2", t(ColumnType::kTime), fromHex("08 02 00000000 01 00 00")},
      {"TIME sign 0xff", t(ColumnType::kTime), fromHex("08 ff 00000000 01 00 00")},
      {"VARCHAR NULL marker", t(ColumnType::kVarchar), fromHex("fb")},
      {"VARCHAR 0xff length", t(ColumnType::kVarchar), fromHex("ff 0000")},
      {"DECIMAL length past the end", t(ColumnType::kNewDecimal), fromHex("05 3132")},
      {"BLOB 3-byte length cut", t(ColumnType::kBlob), fromHex("fd 0100")},
  };
  for (const auto& [name, type, bytes] : kRows) {
    std::string_view data = bytes;
    BinaryValue v;
    EXPECT_FALSE(readBinaryValue(data, type, v)) << name;
    EXPECT_EQ(data.size(), bytes.size()) << name;
  }
}

TEST(BinaryValueTest, FormOfEveryTypeByte) {
  int invalid = 0;
  for (int b = 0; b < 256; ++b) {
    if (binaryFormOf(static_cast<ColumnType>(b)) == BinaryForm::kInvalid) ++invalid;
  }
  // 0-16 and 245-255 are the types a client or server sends, less NEWDATE (14).
  EXPECT_EQ(invalid, 256 - 17 - 11 + 1);
  EXPECT_EQ(binaryFormOf(ColumnType::kInt24), BinaryForm::kInt32);
  EXPECT_EQ(binaryFormOf(ColumnType::kYear), BinaryForm::kInt16);
  EXPECT_EQ(binaryFormOf(ColumnType::kNewDate), BinaryForm::kInvalid);
}

// The shortest length that holds the value, as the server writes them.
TEST(BinaryValueTest, DateAndTimeLengths) {
  struct Case {
    const char* name;
    ColumnType type;
    BinaryValue value;
    std::string bytes;
  };
  const Case kCases[] = {
      {"DATE drops a time part", ColumnType::kDate, dateTime(2024, 1, 2, 3, 4, 5, 6),
       fromHex("04 e807 01 02")},
      {"DATE zero with a time part", ColumnType::kDate, dateTime(0, 0, 0, 3, 4, 5, 6),
       fromHex("00")},
      {"DATETIME micro only", ColumnType::kDatetime, dateTime(0, 0, 0, 0, 0, 0, 1),
       fromHex("0b 0000 00 00 00 00 00 01000000")},
      {"DATETIME seconds only", ColumnType::kDatetime, dateTime(0, 0, 0, 0, 0, 1),
       fromHex("07 0000 00 00 00 00 01")},
      {"DATETIME year only", ColumnType::kDatetime, dateTime(1, 0, 0), fromHex("04 0100 00 00")},
      {"TIMESTAMP zero", ColumnType::kTimestamp, dateTime(0, 0, 0), fromHex("00")},
      {"TIME micro only", ColumnType::kTime, time(false, 0, 0, 0, 0, 1),
       fromHex("0c 00 00000000 00 00 00 01000000")},
      {"TIME days only", ColumnType::kTime, time(false, 1, 0, 0, 0),
       fromHex("08 00 01000000 00 00 00")},
      {"TIME negative zero keeps its sign", ColumnType::kTime, time(true, 0, 0, 0, 0),
       fromHex("08 01 00000000 00 00 00")},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    std::string out;
    writeBinaryValue(out, t(c.type), c.value);
    EXPECT_BYTES_EQ(c.bytes, out);
  }
}

// Integers are cut to the type's width; the value's kind says which field holds it.
TEST(BinaryValueTest, WriteTakesTheFieldOfTheKind) {
  std::string out;
  writeBinaryValue(out, t(ColumnType::kTiny), unsignedInt(0x1ff));
  writeBinaryValue(out, t(ColumnType::kShort, true), signedInt(-1));
  writeBinaryValue(out, t(ColumnType::kLong), signedInt(-2));
  writeBinaryValue(out, t(ColumnType::kLongLong, true), unsignedInt(UINT64_MAX));
  EXPECT_BYTES_EQ(fromHex("ff ffff feffffff ffffffffffffffff"), out);
  // Types without a binary form write nothing.
  out.clear();
  writeBinaryValue(out, t(ColumnType::kNull), signedInt(1));
  writeBinaryValue(out, t(ColumnType::kTime2), time(false, 1, 2, 3, 4));
  writeBinaryValue(out, t(static_cast<ColumnType>(100)), text(Kind::kBytes, "x"));
  EXPECT_EQ(out, "");
}

TEST(BinaryValueTest, RoundTripsExtremes) {
  std::vector<std::pair<ParamType, BinaryValue>> values;
  for (auto type : {ColumnType::kTiny, ColumnType::kShort, ColumnType::kYear, ColumnType::kLong,
                    ColumnType::kInt24, ColumnType::kLongLong}) {
    int bits = type == ColumnType::kTiny                                 ? 8
               : type == ColumnType::kShort || type == ColumnType::kYear ? 16
               : type == ColumnType::kLong || type == ColumnType::kInt24 ? 32
                                                                         : 64;
    int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
    int64_t min = -max - 1;
    uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    for (int64_t i : {min, min + 1, int64_t{-1}, int64_t{0}, int64_t{1}, max - 1, max}) {
      values.push_back({t(type), signedInt(i)});
    }
    for (uint64_t u : {uint64_t{0}, uint64_t{1}, umax / 2, umax / 2 + 1, umax - 1, umax}) {
      values.push_back({t(type, true), unsignedInt(u)});
    }
  }
  for (float f :
       {0.0f, -0.0f, 1.0f, -1.5f, std::numeric_limits<float>::max(),
        std::numeric_limits<float>::lowest(), std::numeric_limits<float>::min(),
        std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::infinity()}) {
    values.push_back({t(ColumnType::kFloat), floating(Kind::kFloat, f)});
  }
  for (double d : {0.0, -0.0, 0.1, -1e300, std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::lowest(), std::numeric_limits<double>::min(),
                   std::numeric_limits<double>::denorm_min()}) {
    values.push_back({t(ColumnType::kDouble), floating(Kind::kDouble, d)});
  }
  std::string big = test::patternBytes(70000, 1);
  values.push_back({t(ColumnType::kNewDecimal), text(Kind::kDecimal, "-99999999999999.999")});
  values.push_back({t(ColumnType::kLongBlob), text(Kind::kBytes, big)});
  std::string lenencBoundary(251, 'a');  // the first length written in 3 bytes
  values.push_back({t(ColumnType::kVarString), text(Kind::kBytes, lenencBoundary)});
  for (auto type : {ColumnType::kDate, ColumnType::kDatetime, ColumnType::kTimestamp}) {
    values.push_back({t(type), dateTime(0, 0, 0)});
    values.push_back({t(type), dateTime(1000, 1, 1)});
    values.push_back({t(type), dateTime(9999, 12, 31)});
  }
  for (auto type : {ColumnType::kDatetime, ColumnType::kTimestamp}) {
    values.push_back({t(type), dateTime(2038, 1, 19, 3, 14, 7)});
    values.push_back({t(type), dateTime(2038, 1, 19, 3, 14, 7, 999999)});
    values.push_back({t(type), dateTime(0, 0, 0, 0, 0, 0, 1)});
  }
  for (bool negative : {false, true}) {
    values.push_back({t(ColumnType::kTime), time(negative, 34, 22, 59, 59)});
    values.push_back({t(ColumnType::kTime), time(negative, 34, 22, 59, 59, 999999)});
    values.push_back({t(ColumnType::kTime), time(negative, 0xffffffff, 23, 59, 59, 1)});
  }
  values.push_back({t(ColumnType::kNull), nullValue()});

  // All in one buffer, so that each read must stop exactly at its value's end.
  std::string out;
  for (const auto& [type, v] : values) writeBinaryValue(out, type, v);
  std::string_view data = out;
  for (const auto& [type, v] : values) {
    SCOPED_TRACE(static_cast<int>(type.type));
    BinaryValue back;
    ASSERT_TRUE(readBinaryValue(data, type, back));
    expectValueEq(v, back);
  }
  EXPECT_TRUE(data.empty());
}

// ---------------------------------------------------------------------------------------------
// COM_STMT_EXECUTE

StmtExecute execute(uint32_t id, uint8_t flags, bool newParamsBound, std::vector<ParamType> types,
                    std::vector<BinaryValue> params, std::vector<bool> nulls) {
  StmtExecute e;
  e.statementId = id;
  e.flags = flags;
  e.iterations = 1;
  e.newParamsBound = newParamsBound;
  e.types = std::move(types);
  e.params = std::move(params);
  e.nulls = std::move(nulls);
  return e;
}

void expectExecuteEq(const StmtExecute& expected, const StmtExecute& actual) {
  EXPECT_EQ(expected.statementId, actual.statementId);
  EXPECT_EQ(expected.flags, actual.flags);
  EXPECT_EQ(expected.iterations, actual.iterations);
  EXPECT_EQ(expected.newParamsBound, actual.newParamsBound);
  EXPECT_EQ(expected.types, actual.types);
  EXPECT_EQ(expected.nulls, actual.nulls);
  ASSERT_EQ(expected.params.size(), actual.params.size());
  for (size_t i = 0; i < expected.params.size(); ++i) {
    SCOPED_TRACE("param " + std::to_string(i));
    expectValueEq(expected.params[i], actual.params[i]);
  }
}

struct ExecuteCase {
  const char* name;
  std::string bytes;  // with the command byte
  size_t paramCount;
  std::vector<ParamType> previousTypes;
  std::vector<bool> longData;
  StmtExecute expected;
  bool encodes;  // encodeStmtExecute(expected) gives `bytes` back (not with long data)
};

const std::vector<ExecuteCase>& executeCases() {
  static const std::vector<ParamType> kTenTiny(10, t(ColumnType::kTiny));
  static const std::vector<ExecuteCase> cases = {
      {"no parameters",
       fromHex("17"          // COM_STMT_EXECUTE
               "01000000"    // statement id 1
               "00"          // no cursor
               "01000000"),  // iteration count 1
       0,
       {},
       {},
       execute(1, cursor::kNoCursor, false, {}, {}, {}),
       true},
      {"two parameters, types sent",
       fromHex("17"                // COM_STMT_EXECUTE
               "02000000"          // statement id 2
               "00"                // no cursor
               "01000000"          // iteration count 1
               "00"                // NULL bitmap: none
               "01"                // new params bound
               "0800 fd00"         // LONGLONG, VAR_STRING
               "2a00000000000000"  // 42
               "03 616263"),       // "abc"
       2,
       {},
       {},
       execute(2, cursor::kNoCursor, true, {t(ColumnType::kLongLong), t(ColumnType::kVarString)},
               {signedInt(42), text(Kind::kBytes, "abc")}, {false, false}),
       true},
      {"unsigned flag and a read-only cursor",
       fromHex("17"                // COM_STMT_EXECUTE
               "03000000"          // statement id 3
               "01"                // CURSOR_TYPE_READ_ONLY
               "01000000"          // iteration count 1
               "00"                // NULL bitmap: none
               "01"                // new params bound
               "0880 0180"         // LONGLONG UNSIGNED, TINY UNSIGNED
               "ffffffffffffffff"  // 2^64-1
               "ff"),              // 255
       2,
       {},
       {},
       execute(3, cursor::kReadOnly, true,
               {t(ColumnType::kLongLong, true), t(ColumnType::kTiny, true)},
               {unsignedInt(UINT64_MAX), unsignedInt(255)}, {false, false}),
       true},
      {"NULL bitmap across 10 parameters",
       fromHex("17"        // COM_STMT_EXECUTE
               "04000000"  // statement id 4
               "00"        // no cursor
               "01000000"  // iteration count 1
               "02 03"     // NULL bitmap: parameters 1, 8 and 9
               "01"        // new params bound
               "0100 0100 0100 0100 0100 0100 0100 0100 0100 0100"  // 10 x TINY
               "00 02 03 04 05 06 07"),                             // parameters 0 and 2 to 7
       10,
       {},
       {},
       execute(4, cursor::kNoCursor, true, kTenTiny,
               {signedInt(0), nullValue(), signedInt(2), signedInt(3), signedInt(4), signedInt(5),
                signedInt(6), signedInt(7), nullValue(), nullValue()},
               {false, true, false, false, false, false, false, false, true, true}),
       true},
      {"every parameter NULL",
       fromHex("17"           // COM_STMT_EXECUTE
               "05000000"     // statement id 5
               "00"           // no cursor
               "01000000"     // iteration count 1
               "03"           // NULL bitmap: both
               "01"           // new params bound
               "0600 0600"),  // NULL, NULL
       2,
       {},
       {},
       execute(5, cursor::kNoCursor, true, {t(ColumnType::kNull), t(ColumnType::kNull)},
               {nullValue(), nullValue()}, {true, true}),
       true},
      {"types not sent: the remembered ones",
       fromHex("17"                  // COM_STMT_EXECUTE
               "06000000"            // statement id 6
               "00"                  // no cursor
               "01000000"            // iteration count 1
               "00"                  // NULL bitmap: none
               "00"                  // new params bound: no
               "ffffffff"            // 2^32-1
               "000000000000f83f"),  // 1.5
       2,
       {t(ColumnType::kLong, true), t(ColumnType::kDouble)},
       {},
       execute(6, cursor::kNoCursor, false, {t(ColumnType::kLong, true), t(ColumnType::kDouble)},
               {unsignedInt(UINT32_MAX), floating(Kind::kDouble, 1.5)}, {false, false}),
       true},
      {"long data: one with data, one NULL, one in the packet",
       fromHex("17"              // COM_STMT_EXECUTE
               "07000000"        // statement id 7
               "00"              // no cursor
               "01000000"        // iteration count 1
               "02"              // NULL bitmap: parameter 1
               "01"              // new params bound
               "fc00 fc00 0300"  // BLOB, BLOB, LONG
               "07000000"),      // parameter 2: 7 (0 and 1 are not in the packet)
       3,
       {},
       {true, true, false},
       execute(7, cursor::kNoCursor, true,
               {t(ColumnType::kBlob), t(ColumnType::kBlob), t(ColumnType::kLong)},
               {nullValue(), nullValue(), signedInt(7)}, {false, true, false}),
       false},
      {"dates and times",
       fromHex("17"                               // COM_STMT_EXECUTE
               "08000000"                         // statement id 8
               "00"                               // no cursor
               "01000000"                         // iteration count 1
               "00"                               // NULL bitmap: none
               "01"                               // new params bound
               "0a00 0c00 0700 0b00"              // DATE, DATETIME, TIMESTAMP, TIME
               "04 e807 02 1d"                    // 2024-02-29
               "0b e807 01 02 03 04 05 20a10700"  // 2024-01-02 03:04:05.5
               "00"                               // 0000-00-00 00:00:00
               "08 01 22000000 16 3b 3b"),        // -838:59:59
       4,
       {},
       {},
       execute(8, cursor::kNoCursor, true,
               {t(ColumnType::kDate), t(ColumnType::kDatetime), t(ColumnType::kTimestamp),
                t(ColumnType::kTime)},
               {dateTime(2024, 2, 29), dateTime(2024, 1, 2, 3, 4, 5, 500000), dateTime(0, 0, 0),
                time(true, 34, 22, 59, 59)},
               {false, false, false, false}),
       true},
  };
  return cases;
}

std::optional<StmtExecute> decodeBody(std::string_view body, const ExecuteCase& c) {
  return decodeStmtExecute(CommandPacket{Command::kStmtExecute, body}, c.paramCount,
                           c.previousTypes, c.longData);
}

TEST(StmtExecuteTest, Decodes) {
  for (const auto& c : executeCases()) {
    SCOPED_TRACE(c.name);
    auto cmd = decodeCommand(c.bytes);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->command, Command::kStmtExecute);
    EXPECT_EQ(statementIdOf(*cmd), c.expected.statementId);
    auto e = decodeStmtExecute(*cmd, c.paramCount, c.previousTypes, c.longData);
    ASSERT_TRUE(e);
    expectExecuteEq(c.expected, *e);
  }
}

TEST(StmtExecuteTest, EncodesByteForByte) {
  for (const auto& c : executeCases()) {
    if (!c.encodes) continue;
    SCOPED_TRACE(c.name);
    std::string out;
    encodeStmtExecute(out, c.expected);
    EXPECT_BYTES_EQ(c.bytes, out);
  }
}

TEST(StmtExecuteTest, CutAtEveryField) {
  for (const auto& c : executeCases()) {
    SCOPED_TRACE(c.name);
    test::expectEveryPrefixRejected(std::string_view(c.bytes).substr(1),
                                    [&](std::string_view body) { return decodeBody(body, c); });
  }
}

TEST(StmtExecuteTest, TrailingBytesAreRejected) {
  for (const auto& c : executeCases()) {
    SCOPED_TRACE(c.name);
    std::string body = c.bytes.substr(1);
    EXPECT_TRUE(decodeBody(body, c));
    EXPECT_FALSE(decodeBody(body + fromHex("00"), c));
    EXPECT_FALSE(decodeBody(body + fromHex("01000000"), c));
  }
}

// The NULL bit of a long-data parameter is kept in `nulls`: it tells a NULL sent by the client
// from the long data; a parameter not sent as long data is read from the packet.
TEST(StmtExecuteTest, LongDataWithAndWithoutNullBit) {
  std::string bytes = fromHex(
      "17 09000000 00 01000000"
      "05"                   // NULL bitmap: parameters 0 and 2
      "01"                   // new params bound
      "fc00 fc00 fc00 fc00"  // 4 x BLOB
      "02 6869");            // parameter 3: "hi"
  auto cmd = *decodeCommand(bytes);
  auto e = decodeStmtExecute(cmd, 4, {}, {true, true, true, false});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->nulls, (std::vector<bool>{true, false, true, false}));
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(e->params[i].kind, Kind::kNull) << i;
  expectValueEq(text(Kind::kBytes, "hi"), e->params[3]);
  // Without the long-data marks, parameter 1 would need its value in the packet: "hi" is
  // parameter 1 and parameter 3 is missing.
  EXPECT_FALSE(decodeStmtExecute(cmd, 4, {}, {}));
  // A shorter longData counts the rest as not long data.
  EXPECT_TRUE(decodeStmtExecute(cmd, 4, {}, {false, true}));
}

TEST(StmtExecuteTest, RememberedTypesMustMatchTheParameterCount) {
  std::string bytes = fromHex("17 01000000 00 01000000 00 00 2a000000");
  auto cmd = *decodeCommand(bytes);
  EXPECT_TRUE(decodeStmtExecute(cmd, 1, {t(ColumnType::kLong)}, {}));
  EXPECT_FALSE(decodeStmtExecute(cmd, 1, {}, {}));
  EXPECT_FALSE(decodeStmtExecute(cmd, 1, {t(ColumnType::kLong), t(ColumnType::kLong)}, {}));
  // The remembered types decide the value's size: a TINY leaves 3 bytes over.
  EXPECT_FALSE(decodeStmtExecute(cmd, 1, {t(ColumnType::kTiny)}, {}));
  // Remembered types are checked like sent ones, even for a NULL or long-data parameter.
  EXPECT_FALSE(decodeStmtExecute(cmd, 1, {t(ColumnType::kTime2)}, {}));
  std::string null = fromHex("17 01000000 00 01000000 01 00");
  EXPECT_TRUE(decodeStmtExecute(*decodeCommand(null), 1, {t(ColumnType::kLong)}, {}));
  EXPECT_FALSE(decodeStmtExecute(*decodeCommand(null), 1, {t(ColumnType::kTime2)}, {}));
  EXPECT_FALSE(decodeStmtExecute(cmd, 1, {t(static_cast<ColumnType>(30))}, {true}));
}

// Types sent in the packet replace the remembered ones.
TEST(StmtExecuteTest, SentTypesWinOverRemembered) {
  std::string bytes = fromHex("17 01000000 00 01000000 00 01 0100 05");
  auto e = decodeStmtExecute(*decodeCommand(bytes), 1, {t(ColumnType::kLongLong)}, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->types, std::vector<ParamType>{t(ColumnType::kTiny)});
  expectValueEq(signedInt(5), e->params[0]);
}

// Only 0x80 of the flags byte means something; the other bits are ignored.
TEST(StmtExecuteTest, OtherParamFlagBitsAreIgnored) {
  std::string bytes = fromHex("17 01000000 00 01000000 00 01 017f 01ff ff ff");
  auto e = decodeStmtExecute(*decodeCommand(bytes), 2, {}, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->types, (std::vector<ParamType>{t(ColumnType::kTiny), t(ColumnType::kTiny, true)}));
  expectValueEq(signedInt(-1), e->params[0]);
  expectValueEq(unsignedInt(255), e->params[1]);
}

// The server ignores the NULL bitmap's bits past the last parameter, and so do we.
TEST(StmtExecuteTest, BitmapPaddingIsIgnored) {
  std::string bytes = fromHex("17 01000000 00 01000000 fe 01 0100 05");
  auto e = decodeStmtExecute(*decodeCommand(bytes), 1, {}, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->nulls, std::vector<bool>{false});
}

TEST(StmtExecuteTest, ErrorRows) {
  struct Row {
    const char* name;
    std::string bytes;
    size_t paramCount;
  };
  const Row kRows[] = {
      {"empty body", fromHex("17"), 0},
      {"no NULL bitmap for a statement with parameters", fromHex("17 01000000 00 01000000"), 1},
      {"new-params-bound flag 2", fromHex("17 01000000 00 01000000 00 02 0100 05"), 1},
      {"new-params-bound flag 0xff", fromHex("17 01000000 00 01000000 00 ff 0100 05"), 1},
      {"type TIME2", fromHex("17 01000000 00 01000000 01 01 1300"), 1},
      {"type NEWDATE", fromHex("17 01000000 00 01000000 01 01 0e00"), 1},
      {"type 100", fromHex("17 01000000 00 01000000 01 01 6400"), 1},
      {"value of a bad DATETIME length",
       fromHex("17 01000000 00 01000000 00 01 0c00 05 0000000000"), 1},
      {"string length past the end", fromHex("17 01000000 00 01000000 00 01 fd00 05 6162"), 1},
      {"more parameters than the packet has bitmap for", fromHex("17 01000000 00 01000000 00 00"),
       17},
      {"bytes after a statement without parameters", fromHex("17 01000000 00 01000000 00 00"), 0},
  };
  for (const auto& r : kRows) {
    std::vector<ParamType> previous(r.paramCount, t(ColumnType::kTiny));
    EXPECT_FALSE(decodeStmtExecute(*decodeCommand(r.bytes), r.paramCount, previous, {})) << r.name;
  }
}

// A parameter of type NULL whose bit is clear still has no bytes.
TEST(StmtExecuteTest, NullTypedParameterWithoutNullBit) {
  std::string bytes = fromHex("17 01000000 00 01000000 00 01 0600 0100 07");
  auto e = decodeStmtExecute(*decodeCommand(bytes), 2, {}, {});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->nulls, (std::vector<bool>{false, false}));
  EXPECT_EQ(e->params[0].kind, Kind::kNull);
  expectValueEq(signedInt(7), e->params[1]);
}

TEST(StmtExecuteTest, RoundTripsManyParameters) {
  // 300 parameters, a two-byte lenenc for the longer strings, NULLs in every bitmap byte.
  StmtExecute e;
  e.statementId = 0xfeedbeef;
  e.flags = cursor::kForUpdate;
  e.iterations = 1;
  e.newParamsBound = true;
  std::vector<std::string> strings;
  strings.reserve(300);
  for (size_t i = 0; i < 300; ++i)
    strings.push_back(std::string(i, static_cast<char>('a' + i % 26)));
  for (size_t i = 0; i < 300; ++i) {
    switch (i % 5) {
      case 0:
        e.types.push_back(t(ColumnType::kLongLong));
        e.params.push_back(signedInt(-static_cast<int64_t>(i) * 1000003));
        break;
      case 1:
        e.types.push_back(t(ColumnType::kVarString));
        e.params.push_back(text(Kind::kBytes, strings[i]));
        break;
      case 2:
        e.types.push_back(t(ColumnType::kDatetime));
        e.params.push_back(dateTime(2000 + i, 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 60, i));
        break;
      case 3:
        e.types.push_back(t(ColumnType::kShort, true));
        e.params.push_back(i % 3 == 0 ? nullValue() : unsignedInt(i * 200));
        break;
      case 4:
        e.types.push_back(t(ColumnType::kNull));
        e.params.push_back(nullValue());
        break;
    }
    e.nulls.push_back(e.params.back().kind == Kind::kNull);
  }
  std::string out;
  encodeStmtExecute(out, e);
  auto back = decodeStmtExecute(*decodeCommand(out), 300, {}, {});
  ASSERT_TRUE(back);
  expectExecuteEq(e, *back);

  // Again without the types: the decoder takes the remembered ones.
  e.newParamsBound = false;
  std::string again;
  encodeStmtExecute(again, e);
  EXPECT_EQ(again.size(), out.size() - 600);
  auto remembered = decodeStmtExecute(*decodeCommand(again), 300, e.types, {});
  ASSERT_TRUE(remembered);
  expectExecuteEq(e, *remembered);
}

}  // namespace
}  // namespace shardproxy::protocol
