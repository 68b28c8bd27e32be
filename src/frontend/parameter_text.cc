#include "frontend/parameter_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/sql_text.h"
#include "parser/normalizer.h"

namespace shardproxy::frontend {

namespace {

using protocol::BinaryValue;
using protocol::ColumnType;

bool isBlobType(ColumnType t) {
  return t == ColumnType::kTinyBlob || t == ColumnType::kMediumBlob || t == ColumnType::kLongBlob ||
         t == ColumnType::kBlob;
}

std::string hexLiteral(std::string_view bytes, std::string_view charset) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2 + charset.size() + 5);
  if (!charset.empty()) {
    out += '_';
    out += charset;
    out += ' ';
  }
  out += "X'";
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  out += '\'';
  return out;
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF); with
// `maxBytes` 3, utf8mb3.
bool validUtf8(std::string_view s, int maxBytes) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n > maxBytes || i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      unsigned char t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n;
  }
  return true;
}

// Whether `bytes` are text in `charset`, as far as the proxy can tell (it checks the UTF-8
// family; other character sets take any bytes).
bool validIn(std::string_view bytes, std::string_view charset) {
  if (charset == "utf8mb4") return validUtf8(bytes, 4);
  if (charset == "utf8" || charset == "utf8mb3") return validUtf8(bytes, 3);
  return true;
}

std::string stringLiteral(std::string_view bytes, const LiteralStyle& style) {
  bool hex = false;
  bool high = false;
  for (unsigned char c : bytes) {
    if (c == '\\' || c == 0) hex = true;
    if (c >= 0x80) high = true;
  }
  // Bytes that are not text in the client's character set reach the server unconverted, as a
  // parameter's bytes do: a binary string.
  if (high && !validIn(bytes, style.clientCharset)) return hexLiteral(bytes, {});
  if (hex || (high && style.backslashUnsafe)) return hexLiteral(bytes, style.clientCharset);
  return quoteString(bytes, /*noBackslashEscapes=*/true);  // quotes doubled, nothing else
}

// [+-]digits[.digits] or [+-].digits, optionally with an exponent: what a DECIMAL parameter
// may hold. Anything else is sent as a string and judged by the server.
bool isNumberText(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t expDigits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++expDigits;
    if (expDigits == 0) return false;
  }
  return i == s.size();
}

bool leapYear(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool validDate(const protocol::BinaryDateTime& t) {
  static constexpr uint8_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1) return false;
  unsigned days = kDays[t.month - 1] + (t.month == 2 && leapYear(t.year) ? 1 : 0);
  return t.day <= days;
}

std::string dateTimeLiteral(ColumnType type, const protocol::BinaryDateTime& t) {
  char buf[64];
  bool dateOnly = type == ColumnType::kDate || type == ColumnType::kNewDate;
  bool valid =
      validDate(t) && t.hour < 24 && t.minute < 60 && t.second < 60 && t.microsecond < 1000000;
  if (dateOnly) {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", unsigned{t.year}, unsigned{t.month},
                  unsigned{t.day});
  } else if (t.microsecond != 0) {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u.%06u", unsigned{t.year},
                  unsigned{t.month}, unsigned{t.day}, unsigned{t.hour}, unsigned{t.minute},
                  unsigned{t.second}, unsigned{t.microsecond});
  } else {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u", unsigned{t.year},
                  unsigned{t.month}, unsigned{t.day}, unsigned{t.hour}, unsigned{t.minute},
                  unsigned{t.second});
  }
  // A typed literal makes the value a DATE or DATETIME, as the bound parameter is; zero and
  // invalid dates are not literals MySQL takes, so they go as strings the server converts (and
  // judges by its sql_mode), as it does the parameter.
  if (!valid) return std::string("'") + buf + "'";
  return std::string(dateOnly ? "DATE'" : "TIMESTAMP'") + buf + "'";
}

std::string timeLiteral(const protocol::BinaryTime& t) {
  uint64_t hours = uint64_t{t.days} * 24 + t.hour;
  char buf[64];
  if (t.microsecond != 0) {
    std::snprintf(buf, sizeof buf, "%s%02llu:%02u:%02u.%06u", t.negative ? "-" : "",
                  static_cast<unsigned long long>(hours), unsigned{t.minute}, unsigned{t.second},
                  unsigned{t.microsecond});
  } else {
    std::snprintf(buf, sizeof buf, "%s%02llu:%02u:%02u", t.negative ? "-" : "",
                  static_cast<unsigned long long>(hours), unsigned{t.minute}, unsigned{t.second});
  }
  bool valid = hours <= 838 && t.minute < 60 && t.second < 60 && t.microsecond < 1000000;
  if (!valid) return std::string("'") + buf + "'";
  return std::string("TIME'") + buf + "'";
}

}  // namespace

Result<std::string> parameterLiteral(protocol::ParamType type, const BinaryValue& v,
                                     const LiteralStyle& style) {
  switch (v.kind) {
    case BinaryValue::Kind::kNull:
      return std::string("NULL");
    case BinaryValue::Kind::kSigned:
      return std::to_string(v.i);
    case BinaryValue::Kind::kUnsigned:
      return std::to_string(v.u);
    case BinaryValue::Kind::kFloat:
    case BinaryValue::Kind::kDouble: {
      if (!std::isfinite(v.d)) {
        return Status(er::kWrongArguments, "HY000", "Incorrect arguments to mysqld_stmt_execute");
      }
      // The shortest text that reads back as the same double, in exponent form so that MySQL
      // types it DOUBLE (a plain 1.5 would be DECIMAL).
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.d);
      std::string out(buf, end);
      if (out.find('e') == std::string::npos) out += "e0";
      return out;
    }
    case BinaryValue::Kind::kDecimal:
      if (isNumberText(v.bytes)) return std::string(v.bytes);
      return stringLiteral(v.bytes, style);
    case BinaryValue::Kind::kBytes:
      if (isBlobType(type.type)) return hexLiteral(v.bytes, {});
      return stringLiteral(v.bytes, style);
    case BinaryValue::Kind::kDateTime:
      return dateTimeLiteral(type.type, v.dateTime);
    case BinaryValue::Kind::kTime:
      return timeLiteral(v.time);
  }
  return std::string("NULL");
}

std::string longDataLiteral(protocol::ParamType type, std::string_view data,
                            const LiteralStyle& style) {
  // MySQL takes long data as a binary string for blob types and as a character string in the
  // client's character set for the others.
  if (isBlobType(type.type)) return hexLiteral(data, {});
  return stringLiteral(data, style);
}

std::optional<std::vector<uint32_t>> parameterMarkers(std::string_view sql, parser::LexMode mode) {
  std::vector<std::pair<uint32_t, uint32_t>> tokens;
  if (!parser::tokenBounds(sql, tokens, mode)) return std::nullopt;
  std::vector<uint32_t> markers;
  for (const auto& [b, e] : tokens) {
    if (e == b + 1 && sql[b] == '?') markers.push_back(b);
  }
  return markers;
}

std::string integerLiteral(std::string literal) {
  if (literal.size() < 3 || literal.front() != '\'' || literal.back() != '\'') return literal;
  std::string_view digits(literal);
  digits = digits.substr(1, digits.size() - 2);
  if (digits.empty()) return literal;
  for (char c : digits) {
    if (c < '0' || c > '9') return literal;
  }
  return std::string(digits);
}

std::string bindParameters(std::string_view sql, const std::vector<uint32_t>& markers,
                           const std::vector<std::string>& literals) {
  size_t size = sql.size();
  for (const std::string& l : literals) size += l.size();
  std::string out;
  out.reserve(size);
  size_t at = 0;
  for (size_t i = 0; i < markers.size() && i < literals.size(); ++i) {
    out.append(sql.substr(at, markers[i] - at));
    out += literals[i];
    at = markers[i] + 1;
  }
  out.append(sql.substr(at));
  return out;
}

bool backslashUnsafeCharset(std::string_view charset) {
  return charset == "big5" || charset == "cp932" || charset == "gbk" || charset == "gb18030" ||
         charset == "sjis";
}

}  // namespace shardproxy::frontend
