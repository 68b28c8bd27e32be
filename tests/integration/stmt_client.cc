// A libmariadb client of server-side prepared statements, run by test_prepared_clients.py first
// against a plain MariaDB server (which proves this program) and then against the proxy on a
// sharded logical database: every column type as a bound parameter and as a bound result.
//
//   stmt_client HOST PORT USER PASSWORD DATABASE [TABLE [KEY]]
//
// TABLE (default t_types) is dropped and created through the connection under test with a BIGINT
// primary key KEY (default id), the sharding column the proxy configuration must route by;
// TABLE_ai, an AUTO_INCREMENT table, must be an unsharded (single) table. Ids 1..12 are used, so
// rows land on both shards of a `KEY % 2` rule. The program leaves TABLE holding ids 1, 2, 3, 4
// and 6 (the driver checks where they are) and TABLE_ai holding ids 1..4.
//
// One line per check ("ok ..." or "FAIL ...: expected ..., got ..."); exit status 1 if any
// check failed, 2 on bad usage.
#include <mysql.h>

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int failures = 0;

void pass(const std::string& what) { std::printf("ok   %s\n", what.c_str()); }

void fail(const std::string& what, const std::string& expected, const std::string& got) {
  std::printf("FAIL %s: expected %s, got %s\n", what.c_str(), expected.c_str(), got.c_str());
  ++failures;
}

void check(bool ok, const std::string& what, const std::string& expected, const std::string& got) {
  if (ok) {
    pass(what);
  } else {
    fail(what, expected, got);
  }
}

std::string hex(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

void checkEq(const std::string& what, unsigned long long expected, unsigned long long got) {
  check(expected == got, what, std::to_string(expected), std::to_string(got));
}

// An API call failed where the rest of the run depends on it: report and stop.
[[noreturn]] void die(const std::string& what, unsigned err, const char* state, const char* msg) {
  std::printf("FAIL %s: error %u (%s) %s\n", what.c_str(), err, state, msg);
  std::printf("stopping after %d failed check(s) and this error\n", failures);
  std::exit(1);
}

[[noreturn]] void dieConn(const std::string& what, MYSQL* m) {
  die(what, mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
}

[[noreturn]] void dieStmt(const std::string& what, MYSQL_STMT* s) {
  die(what, mysql_stmt_errno(s), mysql_stmt_sqlstate(s), mysql_stmt_error(s));
}

// ---- values ------------------------------------------------------------------------------------

enum class Kind { kSigned, kUnsigned, kFloat, kDouble, kDecimal, kTemporal, kBit, kBytes };

struct Column {
  std::string name;
  std::string sqlType;
  Kind kind;
  enum_field_types paramType;   // buffer_type when bound as a parameter
  enum_field_types resultType;  // buffer_type when bound as a result
  enum_field_types metaType;    // the column type the server reports
  unsigned metaFlags;           // flags the server must report (UNSIGNED, BINARY, ENUM, SET)
  int decimals;                 // the decimals the server must report; -1: not checked
  bool binaryCharset;           // charsetnr 63
};

struct Value {
  bool null = false;
  int64_t s = 0;
  uint64_t u = 0;
  float f = 0;
  double d = 0;
  MYSQL_TIME t{};
  std::string b;  // decimal text, BIT bytes, strings and binary strings
};

using Row = std::vector<Value>;

Value sv(int64_t v) {
  Value x;
  x.s = v;
  return x;
}
Value uv(uint64_t v) {
  Value x;
  x.u = v;
  return x;
}
Value fv(float v) {
  Value x;
  x.f = v;
  return x;
}
Value dv(double v) {
  Value x;
  x.d = v;
  return x;
}
Value bv(std::string v) {
  Value x;
  x.b = std::move(v);
  return x;
}
Value nullValue() {
  Value x;
  x.null = true;
  return x;
}
// BIT(10): bound as an integer, read back as its two big-endian bytes.
Value bitValue(unsigned v) {
  Value x;
  x.u = v;
  x.b = std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
  return x;
}
Value dateValue(unsigned y, unsigned mo, unsigned d) {
  Value x;
  x.t.year = y;
  x.t.month = mo;
  x.t.day = d;
  x.t.time_type = MYSQL_TIMESTAMP_DATE;
  return x;
}
Value datetimeValue(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
                    unsigned long us) {
  Value x = dateValue(y, mo, d);
  x.t.hour = h;
  x.t.minute = mi;
  x.t.second = s;
  x.t.second_part = us;
  x.t.time_type = MYSQL_TIMESTAMP_DATETIME;
  return x;
}
// TIME of any sign and up to 838 hours: the protocol carries days and hours < 24 separately.
Value timeValue(bool neg, unsigned hours, unsigned mi, unsigned s, unsigned long us) {
  Value x;
  x.t.neg = neg;
  x.t.day = hours / 24;
  x.t.hour = hours % 24;
  x.t.minute = mi;
  x.t.second = s;
  x.t.second_part = us;
  x.t.time_type = MYSQL_TIMESTAMP_TIME;
  return x;
}

std::string escapeBytes(const std::string& b, size_t limit = 48) {
  std::string out;
  for (size_t i = 0; i < b.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(b[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else if (c >= 0x80) {
      out += static_cast<char>(c);  // UTF-8 passes as is; invalid bytes show in the length
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (b.size() > limit) out += "...(" + std::to_string(b.size()) + " bytes)";
  return out;
}

std::string formatTime(const MYSQL_TIME& t, enum_field_types type) {
  char buf[96];
  if (type == MYSQL_TYPE_TIME) {
    unsigned long hours = t.day * 24UL + t.hour;
    std::snprintf(buf, sizeof buf, "%s%lu:%02u:%02u.%06lu", t.neg ? "-" : "", hours, t.minute,
                  t.second, t.second_part);
  } else if (type == MYSQL_TYPE_DATE) {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", t.year, t.month, t.day);
  } else {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u.%06lu", t.year, t.month, t.day,
                  t.hour, t.minute, t.second, t.second_part);
  }
  return buf;
}

std::string format(const Column& c, const Value& v) {
  if (v.null) return "NULL";
  char buf[64];
  switch (c.kind) {
    case Kind::kSigned:
      return std::to_string(v.s);
    case Kind::kUnsigned:
      return std::to_string(v.u);
    case Kind::kFloat:
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v.f));
      return buf;
    case Kind::kDouble:
      std::snprintf(buf, sizeof buf, "%.17g", v.d);
      return buf;
    case Kind::kTemporal:
      return formatTime(v.t, c.resultType);
    case Kind::kDecimal:
    case Kind::kBit:
    case Kind::kBytes:
      return "'" + escapeBytes(v.b) + "'";
  }
  return "?";
}

bool sameTime(const MYSQL_TIME& a, const MYSQL_TIME& b, enum_field_types type) {
  if (type == MYSQL_TYPE_TIME) {
    // libmariadb may hand back 100 hours as day 4 hour 4 or as hour 100
    return a.neg == b.neg && a.day * 24UL + a.hour == b.day * 24UL + b.hour &&
           a.minute == b.minute && a.second == b.second && a.second_part == b.second_part;
  }
  bool date = a.year == b.year && a.month == b.month && a.day == b.day;
  if (type == MYSQL_TYPE_DATE) return date;
  return date && a.hour == b.hour && a.minute == b.minute && a.second == b.second &&
         a.second_part == b.second_part && a.neg == b.neg;
}

bool same(const Column& c, const Value& want, const Value& got) {
  if (want.null || got.null) return want.null == got.null;
  switch (c.kind) {
    case Kind::kSigned:
      return want.s == got.s;
    case Kind::kUnsigned:
      return want.u == got.u;
    case Kind::kFloat:
      return want.f == got.f;
    case Kind::kDouble:
      return want.d == got.d;
    case Kind::kTemporal:
      return sameTime(want.t, got.t, c.resultType);
    case Kind::kDecimal:
    case Kind::kBit:
    case Kind::kBytes:
      return want.b == got.b;
  }
  return false;
}

// ---- bind buffers ------------------------------------------------------------------------------

constexpr size_t kMaxBytes = 70000;  // larger than any value: a BLOB holds at most 65535 bytes

// The storage a MYSQL_BIND points into. Its address must not change once bound, and neither must
// its byte buffer: values are copied in and out.
struct Slot {
  alignas(8) unsigned char num[8] = {};
  MYSQL_TIME t{};
  std::vector<char> bytes = std::vector<char>(kMaxBytes);
  unsigned long length = 0;
  my_bool isNull = 0;
  my_bool error = 0;
};

bool isIntegerType(enum_field_types t) {
  return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG ||
         t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR;
}

bool isTimeType(enum_field_types t) {
  return t == MYSQL_TYPE_DATE || t == MYSQL_TYPE_TIME || t == MYSQL_TYPE_DATETIME ||
         t == MYSQL_TYPE_TIMESTAMP;
}

size_t intWidth(enum_field_types t) {
  switch (t) {
    case MYSQL_TYPE_TINY:
      return 1;
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_YEAR:
      return 2;
    case MYSQL_TYPE_LONG:
      return 4;
    default:
      return 8;
  }
}

void bindSlot(MYSQL_BIND& b, Slot& s, enum_field_types type, bool isUnsigned) {
  std::memset(&b, 0, sizeof b);
  b.buffer_type = type;
  b.is_unsigned = isUnsigned;
  b.is_null = &s.isNull;
  b.length = &s.length;
  b.error = &s.error;
  if (isIntegerType(type) || type == MYSQL_TYPE_FLOAT || type == MYSQL_TYPE_DOUBLE) {
    b.buffer = s.num;
    b.buffer_length = sizeof s.num;
  } else if (isTimeType(type)) {
    b.buffer = &s.t;
    b.buffer_length = sizeof s.t;
  } else {
    b.buffer = s.bytes.data();
    b.buffer_length = s.bytes.size();
  }
}

void storeInt(Slot& s, enum_field_types type, bool isUnsigned, int64_t sv, uint64_t uv) {
  size_t w = intWidth(type);
  if (isUnsigned) {
    uint8_t u8 = static_cast<uint8_t>(uv);
    uint16_t u16 = static_cast<uint16_t>(uv);
    uint32_t u32 = static_cast<uint32_t>(uv);
    const void* p = w == 1   ? static_cast<const void*>(&u8)
                    : w == 2 ? static_cast<const void*>(&u16)
                    : w == 4 ? static_cast<const void*>(&u32)
                             : static_cast<const void*>(&uv);
    std::memcpy(s.num, p, w);
  } else {
    int8_t i8 = static_cast<int8_t>(sv);
    int16_t i16 = static_cast<int16_t>(sv);
    int32_t i32 = static_cast<int32_t>(sv);
    const void* p = w == 1   ? static_cast<const void*>(&i8)
                    : w == 2 ? static_cast<const void*>(&i16)
                    : w == 4 ? static_cast<const void*>(&i32)
                             : static_cast<const void*>(&sv);
    std::memcpy(s.num, p, w);
  }
}

void storeBytes(Slot& s, const std::string& b) {
  std::memcpy(s.bytes.data(), b.data(), b.size());
  s.length = b.size();
}

// Puts v into s for a parameter of column c bound as `type`.
void setParam(Slot& s, const Column& c, const Value& v, enum_field_types type) {
  s.isNull = v.null;
  s.length = 0;
  if (v.null) return;
  if (isIntegerType(type)) {
    bool isUnsigned = c.kind == Kind::kUnsigned || c.kind == Kind::kBit;
    storeInt(s, type, isUnsigned, v.s, v.u);
  } else if (type == MYSQL_TYPE_FLOAT) {
    std::memcpy(s.num, &v.f, sizeof v.f);
  } else if (type == MYSQL_TYPE_DOUBLE) {
    std::memcpy(s.num, &v.d, sizeof v.d);
  } else if (isTimeType(type)) {
    s.t = v.t;
  } else {
    storeBytes(s, v.b);
  }
}

// Reads the value a fetch left in s for column c bound as its resultType.
Value getResult(const Slot& s, const Column& c) {
  Value v;
  if (s.isNull) {
    v.null = true;
    return v;
  }
  enum_field_types type = c.resultType;
  if (isIntegerType(type)) {
    size_t w = intWidth(type);
    if (c.kind == Kind::kUnsigned) {
      uint8_t u8;
      uint16_t u16;
      uint32_t u32;
      switch (w) {
        case 1:
          std::memcpy(&u8, s.num, 1);
          v.u = u8;
          break;
        case 2:
          std::memcpy(&u16, s.num, 2);
          v.u = u16;
          break;
        case 4:
          std::memcpy(&u32, s.num, 4);
          v.u = u32;
          break;
        default:
          std::memcpy(&v.u, s.num, 8);
      }
    } else {
      int8_t i8;
      int16_t i16;
      int32_t i32;
      switch (w) {
        case 1:
          std::memcpy(&i8, s.num, 1);
          v.s = i8;
          break;
        case 2:
          std::memcpy(&i16, s.num, 2);
          v.s = i16;
          break;
        case 4:
          std::memcpy(&i32, s.num, 4);
          v.s = i32;
          break;
        default:
          std::memcpy(&v.s, s.num, 8);
      }
    }
  } else if (type == MYSQL_TYPE_FLOAT) {
    std::memcpy(&v.f, s.num, sizeof v.f);
  } else if (type == MYSQL_TYPE_DOUBLE) {
    std::memcpy(&v.d, s.num, sizeof v.d);
  } else if (isTimeType(type)) {
    v.t = s.t;
  } else {
    v.b.assign(s.bytes.data(), s.length);
  }
  return v;
}

// ---- the table ---------------------------------------------------------------------------------

std::vector<Column> makeColumns(const std::string& key) {
  constexpr unsigned kUns = UNSIGNED_FLAG;
  constexpr unsigned kBin = BINARY_FLAG;
  // clang-format off
  return {
    {key, "BIGINT NOT NULL PRIMARY KEY", Kind::kSigned, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, NOT_NULL_FLAG | PRI_KEY_FLAG, 0, true},
    {"ti", "TINYINT", Kind::kSigned, MYSQL_TYPE_TINY, MYSQL_TYPE_TINY, MYSQL_TYPE_TINY, 0, 0, true},
    {"tu", "TINYINT UNSIGNED", Kind::kUnsigned, MYSQL_TYPE_TINY, MYSQL_TYPE_TINY, MYSQL_TYPE_TINY, kUns, 0, true},
    {"si", "SMALLINT", Kind::kSigned, MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, 0, 0, true},
    {"su", "SMALLINT UNSIGNED", Kind::kUnsigned, MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, kUns, 0, true},
    {"mi", "MEDIUMINT", Kind::kSigned, MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, 0, 0, true},
    {"mu", "MEDIUMINT UNSIGNED", Kind::kUnsigned, MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, kUns, 0, true},
    {"i", "INT", Kind::kSigned, MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, 0, 0, true},
    {"iu", "INT UNSIGNED", Kind::kUnsigned, MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, kUns, 0, true},
    {"bi", "BIGINT", Kind::kSigned, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, 0, 0, true},
    {"bu", "BIGINT UNSIGNED", Kind::kUnsigned, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, kUns, 0, true},
    {"f", "FLOAT", Kind::kFloat, MYSQL_TYPE_FLOAT, MYSQL_TYPE_FLOAT, MYSQL_TYPE_FLOAT, 0, -1, true},
    {"d", "DOUBLE", Kind::kDouble, MYSQL_TYPE_DOUBLE, MYSQL_TYPE_DOUBLE, MYSQL_TYPE_DOUBLE, 0, -1, true},
    {"dc", "DECIMAL(30,10)", Kind::kDecimal, MYSQL_TYPE_NEWDECIMAL, MYSQL_TYPE_STRING, MYSQL_TYPE_NEWDECIMAL, 0, 10, true},
    {"dt", "DATE", Kind::kTemporal, MYSQL_TYPE_DATE, MYSQL_TYPE_DATE, MYSQL_TYPE_DATE, 0, 0, true},
    {"tm", "TIME(6)", Kind::kTemporal, MYSQL_TYPE_TIME, MYSQL_TYPE_TIME, MYSQL_TYPE_TIME, 0, 6, true},
    {"dtm", "DATETIME(6)", Kind::kTemporal, MYSQL_TYPE_DATETIME, MYSQL_TYPE_DATETIME, MYSQL_TYPE_DATETIME, 0, 6, true},
    {"ts", "TIMESTAMP(6) NULL DEFAULT NULL", Kind::kTemporal, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_TIMESTAMP, kUns | kBin, 6, true},
    {"yr", "YEAR", Kind::kSigned, MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, MYSQL_TYPE_YEAR, kUns | ZEROFILL_FLAG, 0, true},
    {"bt", "BIT(10)", Kind::kBit, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_BLOB, MYSQL_TYPE_BIT, kUns, 0, true},
    {"ch", "CHAR(10)", Kind::kBytes, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, 0, 0, false},
    {"vc", "VARCHAR(100)", Kind::kBytes, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_VAR_STRING, 0, 0, false},
    {"bn", "BINARY(8)", Kind::kBytes, MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB, MYSQL_TYPE_STRING, kBin, 0, true},
    {"vb", "VARBINARY(64)", Kind::kBytes, MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB, MYSQL_TYPE_VAR_STRING, kBin, 0, true},
    {"bl", "BLOB", Kind::kBytes, MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB, kBin | BLOB_FLAG, 0, true},
    {"tx", "TEXT", Kind::kBytes, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_BLOB, BLOB_FLAG, 0, false},
    // MariaDB's JSON is LONGTEXT (utf8mb4_bin) with a CHECK: the metadata says BLOB, not JSON (245)
    {"js", "JSON", Kind::kBytes, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_BLOB, BLOB_FLAG, 0, false},
    {"en", "ENUM('a','b','c')", Kind::kBytes, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, ENUM_FLAG, 0, false},
    {"st", "SET('x','y','z')", Kind::kBytes, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, SET_FLAG, 0, false},
  };
  // clang-format on
}

// clang-format off
enum Col {
  cId, cTi, cTu, cSi, cSu, cMi, cMu, cI, cIu, cBi, cBu, cF, cD, cDc, cDt, cTm, cDtm, cTs, cYr,
  cBt, cCh, cVc, cBn, cVb, cBl, cTx, cJs, cEn, cSt, kColumnCount
};
// clang-format on

std::string allBytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + i / 256) & 0xff);
  return s;
}

const std::string kEmoji = "\xF0\x9F\x98\x80";                     // U+1F600
const std::string kBadBytes = std::string("\x00\x27\x5c\xff", 4);  // NUL ' \ 0xff

// The largest FLOAT the proxy returns exactly: it reads backends in the text protocol, where
// MariaDB writes a FLOAT with 6 significant digits (FLT_MAX is "3.40282e38"), so a binary row
// carries the FLOAT nearest to that text (see README, Prepared statements).
const float kFloatMax = 3.40282e38f;

// Rows are tables of values, one per column in makeColumns() order.
// clang-format off
std::vector<Row> expectedRows() {
  std::vector<Row> rows;
  // 1: the smallest value of every type
  rows.push_back({sv(1), sv(-128), uv(0), sv(-32768), uv(0), sv(-8388608), uv(0),
                  sv(INT32_MIN), uv(0), sv(INT64_MIN), uv(0), fv(-kFloatMax), dv(-DBL_MAX),
                  bv("-99999999999999999999.9999999999"), dateValue(1000, 1, 1),
                  timeValue(true, 838, 59, 59, 0), datetimeValue(1000, 1, 1, 0, 0, 0, 0),
                  datetimeValue(1980, 1, 1, 0, 0, 0, 0), sv(1901), bitValue(0), bv(""), bv(""),
                  bv(std::string(8, '\0')), bv(""), bv(""), bv(""), bv("[]"), bv("a"), bv("")});
  // 2: the largest
  rows.push_back({sv(2), sv(127), uv(255), sv(32767), uv(65535), sv(8388607), uv(16777215),
                  sv(INT32_MAX), uv(UINT32_MAX), sv(INT64_MAX), uv(UINT64_MAX), fv(kFloatMax),
                  dv(DBL_MAX), bv("99999999999999999999.9999999999"), dateValue(9999, 12, 31),
                  timeValue(false, 838, 59, 59, 0),
                  datetimeValue(9999, 12, 31, 23, 59, 59, 999999),
                  datetimeValue(2037, 12, 31, 23, 59, 59, 999999), sv(2155), bitValue(1023),
                  bv("ab" + kEmoji), bv("gr\xC3\xBCn " + kEmoji + " 'q' \\ \"dq\" %_"),
                  bv(kBadBytes + "\x22\x0a\x0d\x1a"), bv(kBadBytes + std::string(1, '\0')),
                  bv(allBytes(256)), bv("text " + kEmoji + " \xE2\x82\xAC"),
                  bv("{\"a\": [1, 2.5, \"x" + kEmoji + "\"], \"b\": null}"), bv("c"),
                  bv("x,y,z")});
  // 3: zero DATE and DATETIME (0 bytes in a binary row), negative TIME over 24 hours with
  // microseconds
  rows.push_back({sv(3), sv(1), uv(2), sv(-3), uv(4), sv(-5), uv(6), sv(-7), uv(8),
                  sv(-9000000000LL), uv(9000000000ULL), fv(3.14159f), dv(0.1),
                  bv("0.0000000001"), dateValue(0, 0, 0), timeValue(true, 100, 11, 12, 345678),
                  datetimeValue(0, 0, 0, 0, 0, 0, 0),
                  datetimeValue(2001, 2, 3, 4, 5, 6, 70809), sv(2000), bitValue(683),
                  bv(kEmoji + kEmoji), bv("v3"), bv("\x01\x02\x03\x04\x05\x06\x07\x08"),
                  bv(kBadBytes), bv(kBadBytes + kBadBytes), bv("t3"), bv("{\"k\": 3}"), bv("b"),
                  bv("y")});
  // 4: zero TIME (0 bytes), a DATETIME at midnight (4 bytes), a TIMESTAMP without fraction (7)
  rows.push_back({sv(4), sv(-1), uv(1), sv(1), uv(1), sv(1), uv(1), sv(1), uv(1), sv(1), uv(1),
                  fv(-1.5e-10f), dv(1e-300), bv("-12345.6789000000"), dateValue(2024, 2, 29),
                  timeValue(false, 0, 0, 0, 0), datetimeValue(2020, 6, 15, 0, 0, 0, 0),
                  datetimeValue(2020, 6, 15, 12, 34, 56, 0), sv(0), bitValue(1), bv("four"),
                  bv("v4"), bv("abcdefgh"), bv("x"), bv(std::string(1, '\0')), bv("t4"),
                  bv("\"s\""), bv("a"), bv("x,z")});
  // 5: a blob sent with mysql_stmt_send_long_data in chunks
  rows.push_back({sv(5), sv(5), uv(5), sv(5), uv(5), sv(5), uv(5), sv(5), uv(5), sv(5), uv(5),
                  fv(5.5f), dv(5.5), bv("5.5000000000"), dateValue(2005, 5, 5),
                  timeValue(false, 5, 5, 5, 5), datetimeValue(2005, 5, 5, 5, 5, 5, 5),
                  datetimeValue(2005, 5, 5, 5, 5, 5, 5), sv(2005), bitValue(5), bv("five"),
                  bv("v5"), bv("55555555"), bv("5"), bv(allBytes(60000)),
                  bv(std::string(3000, 'x') + kEmoji), bv("{}"), bv("c"), bv("x,y")});
  // 6: NULL in every column but the key
  Row nulls(kColumnCount, nullValue());
  nulls[cId] = sv(6);
  rows.push_back(nulls);
  return rows;
}
// clang-format on

std::string selectList(const std::vector<Column>& cols) {
  std::string s;
  for (const Column& c : cols) s += (s.empty() ? "" : ", ") + c.name;
  return s;
}

// ---- statements --------------------------------------------------------------------------------

MYSQL_STMT* prepare(MYSQL* m, const std::string& sql, unsigned params, unsigned fields) {
  MYSQL_STMT* st = mysql_stmt_init(m);
  if (!st) dieConn("mysql_stmt_init", m);
  if (mysql_stmt_prepare(st, sql.data(), sql.size()) != 0) dieStmt("prepare " + sql, st);
  std::string what = "prepare " + (sql.size() > 70 ? sql.substr(0, 70) + "..." : sql);
  check(mysql_stmt_param_count(st) == params && mysql_stmt_field_count(st) == fields, what,
        std::to_string(params) + " params, " + std::to_string(fields) + " fields",
        std::to_string(mysql_stmt_param_count(st)) + " params, " +
            std::to_string(mysql_stmt_field_count(st)) + " fields");
  return st;
}

void execute(MYSQL_STMT* st, const std::string& what) {
  if (mysql_stmt_execute(st) != 0) dieStmt("execute " + what, st);
}

void query(MYSQL* m, const std::string& sql) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) dieConn(sql, m);
}

// Compares one fetched row with its expected values, one FAIL per differing column.
void checkRow(const std::string& what, const std::vector<Column>& cols, const Row& want,
              const std::vector<Slot>& slots) {
  int bad = 0;
  for (size_t i = 0; i < cols.size(); ++i) {
    Value got = getResult(slots[i], cols[i]);
    if (!same(cols[i], want[i], got)) {
      fail(what + " column " + cols[i].name, format(cols[i], want[i]), format(cols[i], got));
      ++bad;
    }
    if (slots[i].error) {
      fail(what + " column " + cols[i].name + " truncated", "no truncation", "error flag set");
      ++bad;
    }
  }
  if (!bad) pass(what + ": " + std::to_string(cols.size()) + " columns equal");
}

// Fetches every remaining row of st into slots and checks them against want, in order.
void checkAllRows(const std::string& what, MYSQL_STMT* st, const std::vector<Column>& cols,
                  const std::vector<Row>& want, std::vector<Slot>& slots) {
  size_t n = 0;
  int rc;
  while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
    if (n < want.size()) {
      checkRow(what + " row " + std::to_string(n + 1) + " (" + cols[0].name + " " +
                   std::to_string(want[n][cId].s) + ")",
               cols, want[n], slots);
    }
    ++n;
  }
  if (rc != MYSQL_NO_DATA) dieStmt(what + ": fetch", st);
  checkEq(what + ": row count", want.size(), n);
}

std::vector<Row> withoutId(const std::vector<Row>& rows, int64_t id) {
  std::vector<Row> out;
  for (const Row& r : rows) {
    if (r[cId].s != id) out.push_back(r);
  }
  return out;
}

const Row& rowById(const std::vector<Row>& rows, int64_t id) {
  for (const Row& r : rows) {
    if (r[cId].s == id) return r;
  }
  std::printf("FAIL internal: no expected row %" PRId64 "\n", id);
  std::exit(1);
}

Row& rowById(std::vector<Row>& rows, int64_t id) {
  return const_cast<Row&>(rowById(static_cast<const std::vector<Row>&>(rows), id));
}

void checkError(MYSQL* m, const std::string& sql, unsigned errnum, const char* state) {
  MYSQL_STMT* st = mysql_stmt_init(m);
  if (!st) dieConn("mysql_stmt_init", m);
  int rc = mysql_stmt_prepare(st, sql.data(), sql.size());
  std::string got = rc == 0 ? "success"
                            : std::to_string(mysql_stmt_errno(st)) + " (" +
                                  mysql_stmt_sqlstate(st) + ") " + mysql_stmt_error(st);
  check(
      rc != 0 && mysql_stmt_errno(st) == errnum && std::strcmp(mysql_stmt_sqlstate(st), state) == 0,
      "prepare " + sql + " fails", std::to_string(errnum) + " (" + state + ")", got);
  mysql_stmt_close(st);
}

class Client {
 public:
  Client(MYSQL* m, std::string db, std::string table, std::string key)
      : m_(m),
        db_(std::move(db)),
        table_(std::move(table)),
        key_(std::move(key)),
        cols_(makeColumns(key_)),
        rows_(expectedRows()),
        params_(kColumnCount),
        results_(kColumnCount) {}

  void run() {
    createTables();
    insertRows();
    checkResultMetadata();
    selectEachById();
    selectOrdered();
    selectWithCursor();
    resetDiscardsLongData();
    updateWithNewTypes();
    multiRowInsertAndRangeDelete();
    deleteOne();
    aggregate();
    transactions();
    autoIncrement();
    errors();
    selectOrdered();  // what is left: ids 1, 2, 3, 4, 6
  }

 private:
  void createTables() {
    std::string ddl = "CREATE TABLE " + table_ + " (";
    for (size_t i = 0; i < cols_.size(); ++i) {
      ddl += (i ? ", " : "") + cols_[i].name + " " + cols_[i].sqlType;
    }
    ddl += ") DEFAULT CHARSET=utf8mb4";
    query(m_, "DROP TABLE IF EXISTS " + table_);
    query(m_, ddl);
    query(m_, "DROP TABLE IF EXISTS " + table_ + "_ai");
    query(m_, "CREATE TABLE " + table_ + "_ai (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))");
    pass("created " + table_ + " and " + table_ + "_ai (text protocol)");
  }

  std::string insertSql() const {
    std::string marks;
    for (size_t i = 0; i < cols_.size(); ++i) marks += i ? ", ?" : "?";
    return "INSERT INTO " + table_ + " (" + selectList(cols_) + ") VALUES (" + marks + ")";
  }

  void bindInsertParams(MYSQL_STMT* st) {
    binds_.assign(kColumnCount, MYSQL_BIND{});
    for (size_t i = 0; i < cols_.size(); ++i) {
      bool isUnsigned = cols_[i].kind == Kind::kUnsigned || cols_[i].kind == Kind::kBit;
      bindSlot(binds_[i], params_[i], cols_[i].paramType, isUnsigned);
    }
    if (mysql_stmt_bind_param(st, binds_.data()) != 0) dieStmt("bind_param INSERT", st);
  }

  void setRow(const Row& r) {
    for (size_t i = 0; i < cols_.size(); ++i)
      setParam(params_[i], cols_[i], r[i], cols_[i].paramType);
  }

  void checkInserted(MYSQL_STMT* st, const std::string& what) {
    checkEq(what + ": affected rows", 1, mysql_stmt_affected_rows(st));
    checkEq(what + ": insert id (no AUTO_INCREMENT)", 0, mysql_stmt_insert_id(st));
  }

  // Rows 1..4 through one bind: each execute after the first sends new values but no types.
  void insertRows() {
    MYSQL_STMT* st = prepare(m_, insertSql(), kColumnCount, 0);
    MYSQL_RES* meta = mysql_stmt_result_metadata(st);
    check(meta == nullptr, "INSERT has no result metadata", "NULL", "a result set");
    if (meta) mysql_free_result(meta);
    bindInsertParams(st);
    for (int id = 1; id <= 4; ++id) {
      setRow(rowById(rows_, id));
      std::string what = "INSERT " + key_ + " " + std::to_string(id) +
                         (id == 1 ? " (types sent)" : " (re-executed, values only)");
      execute(st, what);
      checkInserted(st, what);
    }

    // 5: the blob parameter as long data, in chunks of 16 KiB
    const Row& five = rowById(rows_, 5);
    setRow(five);
    const std::string& blob = five[cBl].b;
    size_t chunks = 0;
    for (size_t off = 0; off < blob.size(); off += 16384, ++chunks) {
      size_t n = std::min<size_t>(16384, blob.size() - off);
      if (mysql_stmt_send_long_data(st, cBl, blob.data() + off, n) != 0) {
        dieStmt("send_long_data", st);
      }
    }
    execute(st, "INSERT 5 with long data");
    checkInserted(
        st, "INSERT " + key_ + " 5 (blob as " + std::to_string(chunks) + " send_long_data chunks)");

    setRow(rowById(rows_, 6));
    execute(st, "INSERT 6 (all NULL)");
    checkInserted(st, "INSERT " + key_ + " 6 (NULL in every other column)");

    // a duplicate key fails at execute, and the statement stays usable
    setRow(rowById(rows_, 1));
    int rc = mysql_stmt_execute(st);
    check(
        rc != 0 && mysql_stmt_errno(st) == 1062 && std::string(mysql_stmt_sqlstate(st)) == "23000",
        "INSERT duplicate " + key_ + " 1 fails at execute", "1062 (23000)",
        rc == 0 ? "success"
                : std::to_string(mysql_stmt_errno(st)) + " (" + mysql_stmt_sqlstate(st) + ")");
    Row nine = rowById(rows_, 2);
    nine[cId] = sv(9);
    setRow(nine);
    execute(st, "INSERT 9 after the error");
    checkInserted(st, "INSERT " + key_ + " 9 after the error");
    insert_ = st;
    rows_.push_back(nine);
  }

  std::string selectSql(const std::string& where) const {
    return "SELECT " + selectList(cols_) + " FROM " + table_ + " " + where;
  }

  void bindResults(MYSQL_STMT* st) {
    std::vector<MYSQL_BIND> b(kColumnCount);
    for (size_t i = 0; i < cols_.size(); ++i) {
      bindSlot(b[i], results_[i], cols_[i].resultType, cols_[i].kind == Kind::kUnsigned);
    }
    if (mysql_stmt_bind_result(st, b.data()) != 0) dieStmt("bind_result", st);
  }

  void checkResultMetadata() {
    MYSQL_STMT* st = prepare(m_, selectSql("WHERE " + key_ + " = ?"), 1, kColumnCount);
    MYSQL_RES* meta = mysql_stmt_result_metadata(st);
    if (!meta) dieStmt("result metadata", st);
    check(mysql_num_fields(meta) == kColumnCount, "result metadata: column count",
          std::to_string(kColumnCount), std::to_string(mysql_num_fields(meta)));
    MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    for (size_t i = 0; i < cols_.size() && i < mysql_num_fields(meta); ++i) {
      const Column& c = cols_[i];
      const MYSQL_FIELD& f = fields[i];
      std::string what = "metadata " + c.name;
      std::string want = "type " + std::to_string(c.metaType) + ", flags having " +
                         hex(c.metaFlags) + ", " + table_ + "." + c.name + " in " + db_;
      std::string got = "type " + std::to_string(f.type) + ", flags " + hex(f.flags) + ", " +
                        f.org_table + "." + f.org_name + " as " + f.table + "." + f.name + " in " +
                        f.db + ", charset " + std::to_string(f.charsetnr) + ", decimals " +
                        std::to_string(f.decimals);
      bool ok = f.type == c.metaType && (f.flags & c.metaFlags) == c.metaFlags &&
                c.name == f.name && c.name == f.org_name && table_ == f.table &&
                table_ == f.org_table && db_ == f.db;
      if (!(c.metaFlags & UNSIGNED_FLAG)) ok = ok && !(f.flags & UNSIGNED_FLAG);
      if (c.decimals >= 0) {
        ok = ok && f.decimals == static_cast<unsigned>(c.decimals);
        want += ", decimals " + std::to_string(c.decimals);
      }
      ok = ok && (f.charsetnr == 63) == c.binaryCharset;
      want += c.binaryCharset ? ", charset 63" : ", a text charset";
      check(ok, what, want, got);
    }
    checkEq("metadata " + key_ + " length", 20, fields[cId].length);
    checkEq("metadata vc length (VARCHAR(100) utf8mb4)", 400, fields[cVc].length);
    checkEq("metadata dc length (DECIMAL(30,10))", 32, fields[cDc].length);
    checkEq("metadata dtm length (DATETIME(6))", 26, fields[cDtm].length);
    mysql_free_result(meta);
    byId_ = st;
  }

  // SELECT ... WHERE KEY = ?: one shard per execute, buffered.
  void selectEachById() {
    MYSQL_STMT* st = byId_;
    int64_t id = 0;
    MYSQL_BIND p{};
    p.buffer_type = MYSQL_TYPE_LONGLONG;
    p.buffer = &id;
    if (mysql_stmt_bind_param(st, &p) != 0) dieStmt("bind_param SELECT", st);
    bindResults(st);
    for (const Row& want : rows_) {
      id = want[cId].s;
      std::string what = "SELECT WHERE " + key_ + " = " + std::to_string(id);
      execute(st, what);
      if (mysql_stmt_store_result(st) != 0) dieStmt(what + ": store_result", st);
      checkEq(what + ": num_rows", 1, mysql_stmt_num_rows(st));
      checkAllRows(what, st, cols_, {want}, results_);
      mysql_stmt_free_result(st);
    }
    id = 404;
    execute(st, "SELECT missing row");
    if (mysql_stmt_store_result(st) != 0) dieStmt("store_result", st);
    checkEq("SELECT WHERE " + key_ + " = 404: no row", MYSQL_NO_DATA, mysql_stmt_fetch(st));
    mysql_stmt_free_result(st);
  }

  std::vector<Row> sorted() const {
    std::vector<Row> out = rows_;
    std::sort(out.begin(), out.end(),
              [](const Row& a, const Row& b) { return a[cId].s < b[cId].s; });
    return out;
  }

  // SELECT ... ORDER BY KEY over both shards: buffered, then unbuffered.
  void selectOrdered() {
    MYSQL_STMT* st = prepare(m_, selectSql("ORDER BY " + key_), 0, kColumnCount);
    bindResults(st);
    std::vector<Row> want = sorted();
    execute(st, "SELECT ORDER BY");
    if (mysql_stmt_store_result(st) != 0) dieStmt("store_result", st);
    checkEq("SELECT ORDER BY " + key_ + " (buffered): num_rows", want.size(),
            mysql_stmt_num_rows(st));
    checkAllRows("SELECT ORDER BY " + key_ + " (buffered)", st, cols_, want, results_);
    mysql_stmt_free_result(st);
    execute(st, "SELECT ORDER BY (unbuffered)");
    checkAllRows("SELECT ORDER BY " + key_ + " (unbuffered)", st, cols_, want, results_);
    mysql_stmt_close(st);
  }

  // A read-only cursor fetching 2 rows per COM_STMT_FETCH; a reset closes it half-read.
  void selectWithCursor() {
    MYSQL_STMT* st = prepare(m_, selectSql("WHERE " + key_ + " > ? ORDER BY " + key_ + " DESC"), 1,
                             kColumnCount);
    unsigned long type = CURSOR_TYPE_READ_ONLY;
    unsigned long prefetch = 2;
    if (mysql_stmt_attr_set(st, STMT_ATTR_CURSOR_TYPE, &type) != 0 ||
        mysql_stmt_attr_set(st, STMT_ATTR_PREFETCH_ROWS, &prefetch) != 0) {
      dieStmt("attr_set cursor", st);
    }
    int64_t from = 1;
    MYSQL_BIND p{};
    p.buffer_type = MYSQL_TYPE_LONGLONG;
    p.buffer = &from;
    if (mysql_stmt_bind_param(st, &p) != 0) dieStmt("bind_param cursor", st);
    bindResults(st);
    std::vector<Row> want;
    for (const Row& r : sorted()) {
      if (r[cId].s > from) want.insert(want.begin(), r);
    }
    execute(st, "cursor SELECT");
    check(m_->server_status & SERVER_STATUS_CURSOR_EXISTS, "cursor SELECT: server opened a cursor",
          "SERVER_STATUS_CURSOR_EXISTS", "status " + hex(m_->server_status));
    checkAllRows("cursor SELECT " + key_ + " > 1 ORDER BY DESC (prefetch 2)", st, cols_, want,
                 results_);

    execute(st, "cursor SELECT again");
    int rc = mysql_stmt_fetch(st);
    check(rc == 0, "cursor: first row before reset", "0", std::to_string(rc));
    if (mysql_stmt_reset(st) != 0) dieStmt("reset with an open cursor", st);
    pass("mysql_stmt_reset with an open cursor");
    from = 3;
    want.clear();
    for (const Row& r : sorted()) {
      if (r[cId].s > from) want.insert(want.begin(), r);
    }
    execute(st, "cursor SELECT after reset");
    checkAllRows("cursor SELECT " + key_ + " > 3 after reset", st, cols_, want, results_);
    mysql_stmt_close(st);
  }

  // Long data sent and then reset must not reach the row: the bound value does.
  void resetDiscardsLongData() {
    MYSQL_STMT* st = insert_;
    Row ten = rowById(rows_, 3);
    ten[cId] = sv(10);
    ten[cBl] = bv("bound value");
    setRow(ten);
    std::string junk = "long data that a reset discards";
    if (mysql_stmt_send_long_data(st, cBl, junk.data(), junk.size()) != 0) {
      dieStmt("send_long_data before reset", st);
    }
    if (mysql_stmt_reset(st) != 0) dieStmt("mysql_stmt_reset", st);
    pass("mysql_stmt_reset after send_long_data");
    execute(st, "INSERT 10 after reset");
    checkInserted(st, "INSERT " + key_ + " 10 after reset");
    rows_.push_back(ten);
    byIdCheck(10, "after reset: the bound blob, not the long data");
  }

  void byIdCheck(int64_t id, const std::string& what) {
    MYSQL_STMT* st = byId_;  // parameters and results are still bound from selectEachById
    MYSQL_BIND p{};
    int64_t v = id;
    p.buffer_type = MYSQL_TYPE_LONGLONG;
    p.buffer = &v;
    if (mysql_stmt_bind_param(st, &p) != 0) dieStmt("bind_param", st);
    execute(st, what);
    if (mysql_stmt_store_result(st) != 0) dieStmt("store_result", st);
    checkAllRows("SELECT " + key_ + " " + std::to_string(id) + " " + what, st, cols_,
                 {rowById(rows_, id)}, results_);
    mysql_stmt_free_result(st);
  }

  // One UPDATE executed with one set of parameter types, then rebound with others.
  void updateWithNewTypes() {
    MYSQL_STMT* st =
        prepare(m_, "UPDATE " + table_ + " SET i = ?, d = ?, vc = ? WHERE " + key_ + " = ?", 4, 0);
    int32_t i = 42;
    double d = 2.5;
    char vc[16] = "upd";
    unsigned long vcLen = 3;
    int64_t id = 3;
    MYSQL_BIND b[4] = {};
    b[0].buffer_type = MYSQL_TYPE_LONG;
    b[0].buffer = &i;
    b[1].buffer_type = MYSQL_TYPE_DOUBLE;
    b[1].buffer = &d;
    b[2].buffer_type = MYSQL_TYPE_STRING;
    b[2].buffer = vc;
    b[2].length = &vcLen;
    b[3].buffer_type = MYSQL_TYPE_LONGLONG;
    b[3].buffer = &id;
    if (mysql_stmt_bind_param(st, b) != 0) dieStmt("bind_param UPDATE", st);
    execute(st, "UPDATE 3");
    checkEq("UPDATE " + key_ + " 3 (LONG, DOUBLE, STRING, LONGLONG): affected rows", 1,
            mysql_stmt_affected_rows(st));
    Row& three = rowById(rows_, 3);
    three[cI] = sv(42);
    three[cD] = dv(2.5);
    three[cVc] = bv("upd");
    execute(st, "UPDATE 3 again");
    checkEq("UPDATE " + key_ + " 3 again, nothing changes: affected rows", 0,
            mysql_stmt_affected_rows(st));

    char is[8] = "-7";
    unsigned long isLen = 2;
    int64_t dl = 9;
    char vc2[16] = "upd2";
    unsigned long vc2Len = 4;
    int32_t id32 = 4;
    MYSQL_BIND r[4] = {};
    r[0].buffer_type = MYSQL_TYPE_STRING;
    r[0].buffer = is;
    r[0].length = &isLen;
    r[1].buffer_type = MYSQL_TYPE_LONGLONG;
    r[1].buffer = &dl;
    r[2].buffer_type = MYSQL_TYPE_VAR_STRING;
    r[2].buffer = vc2;
    r[2].length = &vc2Len;
    r[3].buffer_type = MYSQL_TYPE_LONG;
    r[3].buffer = &id32;
    if (mysql_stmt_bind_param(st, r) != 0) dieStmt("rebind_param UPDATE", st);
    execute(st, "UPDATE 4 rebound");
    checkEq("UPDATE " + key_ + " 4 rebound as (STRING, LONGLONG, VAR_STRING, LONG): affected rows",
            1, mysql_stmt_affected_rows(st));
    Row& four = rowById(rows_, 4);
    four[cI] = sv(-7);
    four[cD] = dv(9);
    four[cVc] = bv("upd2");
    mysql_stmt_close(st);
    byIdCheck(3, "after UPDATE");
    byIdCheck(4, "after rebound UPDATE");

    // both shards in one statement
    st = prepare(m_, "UPDATE " + table_ + " SET si = ? WHERE " + key_ + " IN (?, ?)", 3, 0);
    int16_t si = 5;
    int64_t a = 1, c = 2;
    MYSQL_BIND u[3] = {};
    u[0].buffer_type = MYSQL_TYPE_SHORT;
    u[0].buffer = &si;
    u[1].buffer_type = MYSQL_TYPE_LONGLONG;
    u[1].buffer = &a;
    u[2].buffer_type = MYSQL_TYPE_LONGLONG;
    u[2].buffer = &c;
    if (mysql_stmt_bind_param(st, u) != 0) dieStmt("bind_param UPDATE IN", st);
    execute(st, "UPDATE IN (1, 2)");
    checkEq("UPDATE " + key_ + " IN (1, 2), both shards: affected rows", 2,
            mysql_stmt_affected_rows(st));
    rowById(rows_, 1)[cSi] = sv(5);
    rowById(rows_, 2)[cSi] = sv(5);
    mysql_stmt_close(st);
  }

  // A two-row INSERT whose rows go to different shards, then a range DELETE over both.
  void multiRowInsertAndRangeDelete() {
    MYSQL_STMT* st = prepare(
        m_, "INSERT INTO " + table_ + " (" + key_ + ", vc, bu) VALUES (?, ?, ?), (?, ?, ?)", 6, 0);
    int64_t id7 = 7, id8 = 8;
    uint64_t bu7 = UINT64_MAX - 7, bu8 = 8;
    char v7[] = "seven", v8[] = "eight";
    unsigned long l7 = 5, l8 = 5;
    MYSQL_BIND b[6] = {};
    b[0].buffer_type = MYSQL_TYPE_LONGLONG;
    b[0].buffer = &id7;
    b[1].buffer_type = MYSQL_TYPE_STRING;
    b[1].buffer = v7;
    b[1].length = &l7;
    b[2].buffer_type = MYSQL_TYPE_LONGLONG;
    b[2].buffer = &bu7;
    b[2].is_unsigned = 1;
    b[3].buffer_type = MYSQL_TYPE_LONGLONG;
    b[3].buffer = &id8;
    b[4].buffer_type = MYSQL_TYPE_STRING;
    b[4].buffer = v8;
    b[4].length = &l8;
    b[5].buffer_type = MYSQL_TYPE_LONGLONG;
    b[5].buffer = &bu8;
    b[5].is_unsigned = 1;
    if (mysql_stmt_bind_param(st, b) != 0) dieStmt("bind_param 2-row INSERT", st);
    execute(st, "2-row INSERT");
    checkEq("INSERT two rows (" + key_ + " 7 and 8, both shards): affected rows", 2,
            mysql_stmt_affected_rows(st));
    mysql_stmt_close(st);
    for (int64_t id : {7, 8}) {
      Row r(kColumnCount, nullValue());
      r[cId] = sv(id);
      r[cVc] = bv(id == 7 ? "seven" : "eight");
      r[cBu] = uv(id == 7 ? bu7 : bu8);
      rows_.push_back(r);
    }
    byIdCheck(7, "from the 2-row INSERT");
    byIdCheck(8, "from the 2-row INSERT");
    selectOrdered();

    st = prepare(m_, "DELETE FROM " + table_ + " WHERE " + key_ + " BETWEEN ? AND ?", 2, 0);
    int64_t lo = 7, hi = 10;
    MYSQL_BIND d[2] = {};
    d[0].buffer_type = MYSQL_TYPE_LONGLONG;
    d[0].buffer = &lo;
    d[1].buffer_type = MYSQL_TYPE_LONGLONG;
    d[1].buffer = &hi;
    if (mysql_stmt_bind_param(st, d) != 0) dieStmt("bind_param DELETE BETWEEN", st);
    execute(st, "DELETE BETWEEN");
    checkEq("DELETE " + key_ + " BETWEEN 7 AND 10 (both shards): affected rows", 4,
            mysql_stmt_affected_rows(st));
    mysql_stmt_close(st);
    for (int64_t id : {7, 8, 9, 10}) rows_ = withoutId(rows_, id);
  }

  void deleteOne() {
    MYSQL_STMT* st = prepare(m_, "DELETE FROM " + table_ + " WHERE " + key_ + " = ?", 1, 0);
    int64_t id = 5;
    MYSQL_BIND p{};
    p.buffer_type = MYSQL_TYPE_LONGLONG;
    p.buffer = &id;
    if (mysql_stmt_bind_param(st, &p) != 0) dieStmt("bind_param DELETE", st);
    execute(st, "DELETE 5");
    checkEq("DELETE " + key_ + " 5: affected rows", 1, mysql_stmt_affected_rows(st));
    execute(st, "DELETE 5 again");
    checkEq("DELETE " + key_ + " 5 again: affected rows", 0, mysql_stmt_affected_rows(st));
    mysql_stmt_close(st);
    rows_ = withoutId(rows_, 5);
  }

  // Aggregates over both shards, with the types MariaDB gives them.
  void aggregate() {
    MYSQL_STMT* st =
        prepare(m_,
                "SELECT COUNT(*), COUNT(ti), SUM(i), AVG(i), MIN(bi), MAX(bu), MAX(dtm) FROM " +
                    table_ + " WHERE " + key_ + " BETWEEN ? AND ?",
                2, 7);
    MYSQL_RES* meta = mysql_stmt_result_metadata(st);
    if (!meta) dieStmt("aggregate metadata", st);
    MYSQL_FIELD* f = mysql_fetch_fields(meta);
    struct {
      const char* name;
      enum_field_types type;
      bool isUnsigned;
      unsigned decimals;
    } wantMeta[] = {
        {"COUNT(*)", MYSQL_TYPE_LONGLONG, false, 0}, {"COUNT(ti)", MYSQL_TYPE_LONGLONG, false, 0},
        {"SUM(i)", MYSQL_TYPE_NEWDECIMAL, false, 0}, {"AVG(i)", MYSQL_TYPE_NEWDECIMAL, false, 4},
        {"MIN(bi)", MYSQL_TYPE_LONGLONG, false, 0},  {"MAX(bu)", MYSQL_TYPE_LONGLONG, true, 0},
        {"MAX(dtm)", MYSQL_TYPE_DATETIME, false, 6}};
    for (int k = 0; k < 7; ++k) {
      bool isUnsigned = f[k].flags & UNSIGNED_FLAG;
      check(f[k].type == wantMeta[k].type && isUnsigned == wantMeta[k].isUnsigned &&
                f[k].decimals == wantMeta[k].decimals && std::string(f[k].name) == wantMeta[k].name,
            std::string("aggregate metadata ") + wantMeta[k].name,
            "type " + std::to_string(wantMeta[k].type) +
                (wantMeta[k].isUnsigned ? " unsigned" : "") + ", decimals " +
                std::to_string(wantMeta[k].decimals),
            std::string(f[k].name) + ": type " + std::to_string(f[k].type) +
                (isUnsigned ? " unsigned" : "") + ", decimals " + std::to_string(f[k].decimals));
    }
    mysql_free_result(meta);

    int64_t lo = 1, hi = 6;
    MYSQL_BIND p[2] = {};
    p[0].buffer_type = MYSQL_TYPE_LONGLONG;
    p[0].buffer = &lo;
    p[1].buffer_type = MYSQL_TYPE_LONGLONG;
    p[1].buffer = &hi;
    if (mysql_stmt_bind_param(st, p) != 0) dieStmt("bind_param aggregate", st);

    // clang-format off
    std::vector<Column> cols = {
        {"COUNT(*)", "", Kind::kSigned, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, 0, 0, true},
        {"COUNT(ti)", "", Kind::kSigned, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, 0, 0, true},
        {"SUM(i)", "", Kind::kDecimal, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_NEWDECIMAL, 0, 0, true},
        {"AVG(i)", "", Kind::kDecimal, MYSQL_TYPE_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_NEWDECIMAL, 0, 4, true},
        {"MIN(bi)", "", Kind::kSigned, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, 0, 0, true},
        {"MAX(bu)", "", Kind::kUnsigned, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, 0, 0, true},
        {"MAX(dtm)", "", Kind::kTemporal, MYSQL_TYPE_DATETIME, MYSQL_TYPE_DATETIME, MYSQL_TYPE_DATETIME, 0, 6, true},
    };
    // clang-format on
    std::vector<Slot> slots(cols.size());
    std::vector<MYSQL_BIND> rb(cols.size());
    for (size_t k = 0; k < cols.size(); ++k) {
      bindSlot(rb[k], slots[k], cols[k].resultType, cols[k].kind == Kind::kUnsigned);
    }
    if (mysql_stmt_bind_result(st, rb.data()) != 0) dieStmt("bind_result aggregate", st);

    // expected, from the rows left (1, 2, 3, 4, 6)
    int64_t count = 0, countTi = 0, minBi = INT64_MAX;
    __int128 sum = 0;
    uint64_t maxBu = 0;
    Value maxDtm = nullValue();
    for (const Row& r : rows_) {
      ++count;
      if (!r[cTi].null) ++countTi;
      if (!r[cI].null) sum += r[cI].s;
      if (!r[cBi].null && r[cBi].s < minBi) minBi = r[cBi].s;
      if (!r[cBu].null && r[cBu].u > maxBu) maxBu = r[cBu].u;
      if (!r[cDtm].null && (maxDtm.null || formatTime(r[cDtm].t, MYSQL_TYPE_DATETIME) >
                                               formatTime(maxDtm.t, MYSQL_TYPE_DATETIME))) {
        maxDtm = r[cDtm];
      }
    }
    int64_t countI = 0;
    for (const Row& r : rows_) countI += r[cI].null ? 0 : 1;
    // AVG of integers: 4 decimals, rounded half away from zero
    __int128 scaled = sum * 10000;
    __int128 q = scaled / countI, rem = scaled % countI;
    if (2 * (rem < 0 ? -rem : rem) >= countI) q += scaled < 0 ? -1 : 1;
    bool neg = q < 0;
    __int128 mag = neg ? -q : q;
    char avg[64];
    std::snprintf(avg, sizeof avg, "%s%" PRId64 ".%04" PRId64, neg ? "-" : "",
                  static_cast<int64_t>(mag / 10000), static_cast<int64_t>(mag % 10000));
    Row want = {sv(count), sv(countTi), bv(std::to_string(static_cast<int64_t>(sum))), bv(avg)};
    want.insert(want.end(), {sv(minBi), uv(maxBu), maxDtm});

    execute(st, "aggregate");
    checkAllRows("SELECT COUNT/SUM/AVG/MIN/MAX over both shards", st, cols, {want}, slots);
    mysql_stmt_close(st);
  }

  int64_t countIds(int64_t a, int64_t b) {
    MYSQL_STMT* st =
        prepare(m_, "SELECT COUNT(*) FROM " + table_ + " WHERE " + key_ + " IN (?, ?)", 2, 1);
    MYSQL_BIND p[2] = {};
    p[0].buffer_type = MYSQL_TYPE_LONGLONG;
    p[0].buffer = &a;
    p[1].buffer_type = MYSQL_TYPE_LONGLONG;
    p[1].buffer = &b;
    int64_t n = -1;
    MYSQL_BIND r{};
    r.buffer_type = MYSQL_TYPE_LONGLONG;
    r.buffer = &n;
    if (mysql_stmt_bind_param(st, p) != 0 || mysql_stmt_bind_result(st, &r) != 0) {
      dieStmt("bind COUNT", st);
    }
    execute(st, "COUNT");
    if (mysql_stmt_fetch(st) != 0) dieStmt("fetch COUNT", st);
    if (mysql_stmt_fetch(st) != MYSQL_NO_DATA) dieStmt("fetch COUNT end", st);
    mysql_stmt_close(st);
    return n;
  }

  // Rows on both shards in transactions opened by autocommit=0. Clients such as Connector/J send
  // COMMIT and ROLLBACK only while the server status says a transaction is open.
  void transactions() {
    MYSQL_STMT* st =
        prepare(m_, "INSERT INTO " + table_ + " (" + key_ + ", vc) VALUES (?, 'tx')", 1, 0);
    int64_t id = 0;
    MYSQL_BIND p{};
    p.buffer_type = MYSQL_TYPE_LONGLONG;
    p.buffer = &id;
    if (mysql_stmt_bind_param(st, &p) != 0) dieStmt("bind_param tx INSERT", st);
    if (mysql_autocommit(m_, 0) != 0) dieConn("autocommit off", m_);
    for (bool commit : {false, true}) {
      for (id = 11; id <= 12; ++id) {
        execute(st, "INSERT in a transaction");
        unsigned status = m_->server_status;
        check((status & SERVER_STATUS_IN_TRANS) && !(status & SERVER_STATUS_AUTOCOMMIT),
              "INSERT " + key_ + " " + std::to_string(id) + " with autocommit off: server status",
              "IN_TRANS, not AUTOCOMMIT", hex(status));
      }
      checkEq("rows 11, 12 inside the transaction", 2, countIds(11, 12));
      unsigned status = m_->server_status;  // from the end of the merged binary result set
      check((status & SERVER_STATUS_IN_TRANS) && !(status & SERVER_STATUS_AUTOCOMMIT),
            "SELECT over both shards inside the transaction: server status",
            "IN_TRANS, not AUTOCOMMIT", hex(status));
      if ((commit ? mysql_commit(m_) : mysql_rollback(m_)) != 0) dieConn("end transaction", m_);
      checkEq(std::string("rows 11, 12 after ") + (commit ? "COMMIT" : "ROLLBACK"), commit ? 2 : 0,
              countIds(11, 12));
    }
    if (mysql_autocommit(m_, 1) != 0) dieConn("autocommit on", m_);
    mysql_stmt_close(st);
    st = prepare(m_, "DELETE FROM " + table_ + " WHERE " + key_ + " IN (?, ?)", 2, 0);
    int64_t a = 11, b = 12;
    MYSQL_BIND d[2] = {};
    d[0].buffer_type = MYSQL_TYPE_LONGLONG;
    d[0].buffer = &a;
    d[1].buffer_type = MYSQL_TYPE_LONGLONG;
    d[1].buffer = &b;
    if (mysql_stmt_bind_param(st, d) != 0) dieStmt("bind_param tx DELETE", st);
    execute(st, "DELETE 11, 12");
    unsigned status = m_->server_status;
    check((status & SERVER_STATUS_AUTOCOMMIT) && !(status & SERVER_STATUS_IN_TRANS),
          "DELETE with autocommit on: server status", "AUTOCOMMIT, not IN_TRANS", hex(status));
    checkEq("DELETE " + key_ + " IN (11, 12): affected rows", 2, mysql_stmt_affected_rows(st));
    mysql_stmt_close(st);
  }

  // Insert ids on an unsharded AUTO_INCREMENT table.
  void autoIncrement() {
    std::string ai = table_ + "_ai";
    MYSQL_STMT* st = prepare(m_, "INSERT INTO " + ai + " (v) VALUES (?)", 1, 0);
    char v[16] = "one";
    unsigned long len = 3;
    MYSQL_BIND p{};
    p.buffer_type = MYSQL_TYPE_STRING;
    p.buffer = v;
    p.length = &len;
    if (mysql_stmt_bind_param(st, &p) != 0) dieStmt("bind_param auto-increment", st);
    for (unsigned long long want = 1; want <= 2; ++want) {
      execute(st, "INSERT auto-increment");
      checkEq("INSERT INTO " + ai + ": insert id", want, mysql_stmt_insert_id(st));
      checkEq("INSERT INTO " + ai + ": affected rows", 1, mysql_stmt_affected_rows(st));
    }
    mysql_stmt_close(st);
    st = prepare(m_, "INSERT INTO " + ai + " (v) VALUES (?), (?)", 2, 0);
    MYSQL_BIND two[2] = {p, p};
    if (mysql_stmt_bind_param(st, two) != 0) dieStmt("bind_param auto-increment x2", st);
    execute(st, "INSERT 2 rows auto-increment");
    checkEq("INSERT two rows INTO " + ai + ": insert id (the first)", 3, mysql_stmt_insert_id(st));
    checkEq("INSERT two rows INTO " + ai + ": affected rows", 2, mysql_stmt_affected_rows(st));
    mysql_stmt_close(st);
  }

  void errors() {
    checkError(m_, "SELEC 1", 1064, "42000");
    checkError(m_, "SELECT * FROM no_such_table", 1146, "42S02");
    // the connection is still usable after failed prepares
    MYSQL_STMT* st = prepare(m_, "SELECT COUNT(*) FROM " + table_, 0, 1);
    int64_t n = -1;
    MYSQL_BIND r{};
    r.buffer_type = MYSQL_TYPE_LONGLONG;
    r.buffer = &n;
    if (mysql_stmt_bind_result(st, &r) != 0) dieStmt("bind_result count", st);
    execute(st, "SELECT COUNT(*)");
    int rc = mysql_stmt_fetch(st);
    check(rc == 0 && n == static_cast<int64_t>(rows_.size()), "SELECT COUNT(*) after the errors",
          std::to_string(rows_.size()), "rc " + std::to_string(rc) + ", " + std::to_string(n));
    mysql_stmt_close(st);
  }

  MYSQL* m_;
  std::string db_;
  std::string table_;
  std::string key_;
  std::vector<Column> cols_;
  std::vector<Row> rows_;  // what the table must hold
  std::vector<Slot> params_;
  std::vector<Slot> results_;
  std::vector<MYSQL_BIND> binds_;
  MYSQL_STMT* insert_ = nullptr;
  MYSQL_STMT* byId_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6 || argc > 8) {
    std::fprintf(stderr, "usage: %s HOST PORT USER PASSWORD DATABASE [TABLE [KEY]]\n", argv[0]);
    return 2;
  }
  std::string table = argc > 6 ? argv[6] : "t_types";
  std::string key = argc > 7 ? argv[7] : "id";
  MYSQL* m = mysql_init(nullptr);
  unsigned timeout = 10, rw = 60;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
  mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(m, argv[1], argv[3], argv[4], argv[5],
                          static_cast<unsigned>(std::atoi(argv[2])), nullptr, 0)) {
    dieConn("connect", m);
  }
  std::printf("connected to %s (%s)\n", mysql_get_server_info(m), mysql_get_host_info(m));
  Client(m, argv[5], table, key).run();
  mysql_close(m);
  if (failures) {
    std::printf("%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("all checks passed\n");
  return 0;
}
