#include "router/value_conversion.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

#include "router/inline_java.h"

namespace shardproxy::router {

namespace {

using metadata::TypeFamily;

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// `v` as exact decimal parts; false for Null and String.
bool partsOf(const Value& v, java::DecimalParts& p) {
  if (v.isIntegral()) {
    p.negative = v.integer < 0;
    uint64_t mag = p.negative ? 0 - static_cast<uint64_t>(v.integer) : static_cast<uint64_t>(v.integer);
    p.digits = std::to_string(mag);
    p.scale = 0;
    return true;
  }
  if (v.type == Value::Type::Decimal) return java::parseDecimal(v.text, p);
  return false;
}

// The integral part of `p` (rounded half away from zero when `round`); nullopt beyond 64 bits.
// `exact` tells whether the fraction was zero.
std::optional<int64_t> integral(const java::DecimalParts& p, bool round, bool& exact) {
  std::string digits = p.digits;
  exact = true;
  if (p.scale < 0) {
    if (-p.scale > 20) return digits == "0" ? std::optional<int64_t>(0) : std::nullopt;
    digits.append(static_cast<size_t>(-p.scale), '0');
  } else if (p.scale > 0) {
    size_t keep = digits.size() > static_cast<size_t>(p.scale)
                      ? digits.size() - static_cast<size_t>(p.scale)
                      : 0;
    std::string fraction = digits.substr(keep);
    if (static_cast<int64_t>(fraction.size()) < p.scale) {
      fraction.insert(0, static_cast<size_t>(p.scale) - fraction.size(), '0');
    }
    digits = keep == 0 ? "0" : digits.substr(0, keep);
    exact = fraction.find_first_not_of('0') == std::string::npos;
    if (round && !fraction.empty() && fraction[0] >= '5') {
      // Add one to the integral digits.
      int i = static_cast<int>(digits.size()) - 1;
      for (; i >= 0 && digits[static_cast<size_t>(i)] == '9'; --i) digits[static_cast<size_t>(i)] = '0';
      if (i < 0) {
        digits = "1" + digits;
      } else {
        ++digits[static_cast<size_t>(i)];
      }
    }
  }
  size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  if (digits.size() > 19) return std::nullopt;
  uint64_t mag = std::stoull(digits);
  if (!p.negative && mag > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  if (p.negative && mag > (uint64_t{1} << 63)) return std::nullopt;
  return p.negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
}

// The range of an integer column's type.
void integerRange(const metadata::ColumnSchema& c, int64_t& low, int64_t& high, bool& unsignedBig) {
  int bits = 32;
  if (c.dataType == "tinyint") bits = 8;
  if (c.dataType == "smallint") bits = 16;
  if (c.dataType == "mediumint") bits = 24;
  if (c.dataType == "bigint") bits = 64;
  unsignedBig = c.isUnsigned && bits == 64;
  if (c.isUnsigned) {
    low = 0;
    high = bits == 64 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << bits) - 1;
  } else {
    low = bits == 64 ? std::numeric_limits<int64_t>::min() : -(int64_t{1} << (bits - 1));
    high = bits == 64 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << (bits - 1)) - 1;
  }
}

// 2^53: beyond it a double no longer tells neighbouring integers apart.
constexpr int64_t kExactDouble = int64_t{1} << 53;

// A date or date-time as MySQL reads it from text or from a number: YYYY-MM-DD with any
// punctuation between parts, an optional time after a space or 'T', or the digits-only forms
// YYYYMMDD[HHMMSS] and YYMMDD[HHMMSS]. nullopt when it is none of these.
struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string fraction;
};

std::optional<DateTime> parseDateTime(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  DateTime d;
  auto twoDigitYear = [](int y) { return y < 70 ? 2000 + y : 1900 + y; };
  bool allDigits = !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  if (allDigits) {
    auto num = [&](size_t at, size_t n) { return std::stoi(std::string(s.substr(at, n))); };
    size_t n = s.size();
    if (n == 8 || n == 14) {
      d.year = num(0, 4), d.month = num(4, 2), d.day = num(6, 2);
      if (n == 14) d.hour = num(8, 2), d.minute = num(10, 2), d.second = num(12, 2);
    } else if (n == 6 || n == 12) {
      d.year = twoDigitYear(num(0, 2)), d.month = num(2, 2), d.day = num(4, 2);
      if (n == 12) d.hour = num(6, 2), d.minute = num(8, 2), d.second = num(10, 2);
    } else {
      return std::nullopt;
    }
  } else {
    int parts[6] = {0, 0, 0, 0, 0, 0};
    size_t at = 0;
    int count = 0;
    size_t yearDigits = 0;
    while (count < 6 && at < s.size()) {
      if (!isDigit(s[at])) return std::nullopt;
      size_t start = at;
      int v = 0;
      while (at < s.size() && isDigit(s[at]) && at - start < 4) v = v * 10 + (s[at++] - '0');
      if (count == 0) yearDigits = at - start;
      parts[count++] = v;
      if (at >= s.size()) break;
      char sep = s[at];
      if (count == 6 && sep == '.') {
        ++at;
        while (at < s.size() && isDigit(s[at])) d.fraction.push_back(s[at++]);
        break;
      }
      if (isDigit(sep)) return std::nullopt;
      ++at;  // any punctuation, the space or 'T' between date and time
    }
    if (at < s.size() || count < 3 || (count > 3 && count < 5)) return std::nullopt;
    d.year = yearDigits <= 2 ? twoDigitYear(parts[0]) : parts[0];
    d.month = parts[1], d.day = parts[2], d.hour = parts[3], d.minute = parts[4];
    d.second = parts[5];
  }
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31 || d.hour > 23 || d.minute > 59 ||
      d.second > 59) {
    return std::nullopt;
  }
  return d;
}

std::string formatDateTime(const DateTime& d, const metadata::ColumnSchema& c) {
  char buf[32];
  if (c.family == TypeFamily::Date) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", d.year, d.month, d.day, d.hour,
                d.minute, d.second);
  std::string out = buf;
  if (c.precision > 0) {
    std::string f = d.fraction.substr(0, std::min<size_t>(d.fraction.size(), c.precision));
    f.append(c.precision - f.size(), '0');
    out += "." + f;
  }
  return out;
}

Converted exact(Value v) { return Converted{Converted::Kind::Exact, std::move(v)}; }
Converted noMatch() { return Converted{Converted::Kind::NoMatch, Value::null()}; }
Converted unknown() { return Converted{Converted::Kind::Unknown, Value::null()}; }

// A number (or number text) for an integer column.
Converted toInteger(const java::DecimalParts& p, const metadata::ColumnSchema& c, bool store,
                    bool forRange) {
  bool wasExact = true;
  auto v = integral(p, store, wasExact);
  int64_t low, high;
  bool unsignedBig;
  integerRange(c, low, high, unsignedBig);
  if (store) {
    // Out of range: strict mode refuses it on the backend; otherwise the server clamps it.
    if (!v) return p.negative ? exact(Value::ofInteger(low)) : unknown();
    return exact(Value::ofInteger(std::clamp(*v, low, high)));
  }
  if (!v) return unknown();
  if (!wasExact) {
    if (forRange || *v >= kExactDouble || *v <= -kExactDouble) {
      Value d;
      d.type = Value::Type::Decimal;
      d.text = java::formatDecimal(p.negative, p.digits, p.scale);
      return forRange ? exact(d) : unknown();
    }
    return noMatch();
  }
  return exact(Value::ofInteger(*v));
}

}  // namespace

std::string numericPrefix(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && isSpace(text[i])) ++i;
  std::string out;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    if (text[i] == '-') out.push_back('-');
    ++i;
  }
  size_t mantissa = 0;
  while (i < text.size() && isDigit(text[i])) out.push_back(text[i++]), ++mantissa;
  if (i < text.size() && text[i] == '.') {
    size_t dot = i++;
    std::string fraction;
    while (i < text.size() && isDigit(text[i])) fraction.push_back(text[i++]);
    if (!fraction.empty() || mantissa > 0) {
      if (mantissa == 0) out.push_back('0');
      if (!fraction.empty()) out += "." + fraction;
      mantissa += fraction.size();
    } else {
      i = dot;
    }
  }
  if (mantissa == 0) return "0";
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    std::string exponent = "e";
    if (j < text.size() && (text[j] == '-' || text[j] == '+')) exponent.push_back(text[j++]);
    size_t digits = 0;
    while (j < text.size() && isDigit(text[j]) && digits < 6) exponent.push_back(text[j++]), ++digits;
    if (digits > 0) out += exponent;
  }
  return out;
}

namespace {

Converted convert(const Value& v, const metadata::ColumnSchema& c, bool store, bool forRange) {
  if (v.isNull()) return exact(v);
  switch (c.family) {
    case TypeFamily::Integer:
    case TypeFamily::Year: {
      java::DecimalParts p;
      if (v.type == Value::Type::String) {
        if (!java::parseDecimal(numericPrefix(v.text), p)) return unknown();
      } else if (!partsOf(v, p)) {
        return unknown();
      }
      if (v.isIntegral() && c.family == TypeFamily::Integer && !store) return exact(v);
      return toInteger(p, c, store, forRange);
    }
    case TypeFamily::Decimal:
    case TypeFamily::Float: {
      // Numbers keep the form they were written in (ShardingSphere places rows by it); a string
      // becomes the number the server reads from it.
      if (v.type != Value::Type::String) return exact(v);
      auto n = Value::ofNumberText(numericPrefix(v.text));
      return n ? exact(*n) : unknown();
    }
    case TypeFamily::String:
    case TypeFamily::Binary:
      if (v.type == Value::Type::String) return exact(v);
      // A string column compared with a number compares as numbers: '10', '010' and '10.0' all
      // equal 10. Stored, the number becomes its text.
      if (!store) return unknown();
      if (v.type == Value::Type::Decimal && v.text.find_first_of("eE") != std::string::npos) {
        return unknown();
      }
      return exact(Value::ofString(v.toString()));
    case TypeFamily::Date:
    case TypeFamily::DateTime: {
      std::string text = v.type == Value::Type::String ? v.text
                         : v.isIntegral()              ? std::to_string(v.integer)
                                                       : std::string();
      if (text.empty()) return exact(v);
      auto d = parseDateTime(text);
      return d ? exact(Value::ofString(formatDateTime(*d, c))) : exact(v);
    }
    case TypeFamily::Time:
    case TypeFamily::Other:
      return exact(v);
  }
  return exact(v);
}

uint32_t foldCase(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;  // Latin-1
  if (cp >= 0x100 && cp <= 0x17F) {  // Latin Extended-A: pairs, upper case first
    bool oddPairs = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (oddPairs) return cp % 2 == 1 ? cp + 1 : cp;
    if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x178) return cp;
    return cp % 2 == 0 ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;  // Greek
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;                 // Cyrillic
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

}  // namespace

Converted forComparison(const Value& v, const metadata::ColumnSchema& c, bool forRange) {
  return convert(v, c, false, forRange);
}

Converted forStorage(const Value& v, const metadata::ColumnSchema& c) {
  return convert(v, c, true, false);
}

Value normalizedByCollation(const Value& v, const metadata::ColumnSchema& c) {
  if (v.type != Value::Type::String || c.family != TypeFamily::String) return v;
  std::string text = v.text;
  if (c.padSpace()) {
    while (!text.empty() && text.back() == ' ') text.pop_back();
  }
  if (!c.caseInsensitive()) return Value::ofString(std::move(text));
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    uint32_t cp = n == 1 ? lead : lead & (0x7F >> n);
    bool valid = n > 0 && i + n <= text.size();
    for (size_t k = 1; valid && k < n; ++k) {
      auto cont = static_cast<unsigned char>(text[i + k]);
      valid = (cont & 0xC0) == 0x80;
      cp = (cp << 6) | (cont & 0x3F);
    }
    if (!valid) {  // not UTF-8: the byte as it is
      out.push_back(text[i++]);
      continue;
    }
    java::appendUtf8(out, foldCase(cp));
    i += n;
  }
  return Value::ofString(std::move(out));
}

}  // namespace shardproxy::router
