#include "router/value.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "router/inline_java.h"

namespace shardproxy::router {

namespace java {

bool parseDecimal(std::string_view text, DecimalParts& out) {
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  int64_t fraction = 0;
  bool any = false;
  while (i < n && text[i] >= '0' && text[i] <= '9') {
    digits.push_back(text[i++]);
    any = true;
  }
  if (i < n && text[i] == '.') {
    ++i;
    while (i < n && text[i] >= '0' && text[i] <= '9') {
      digits.push_back(text[i++]);
      ++fraction;
      any = true;
    }
  }
  if (!any) return false;
  int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool expNegative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      expNegative = text[i] == '-';
      ++i;
    }
    if (i >= n) return false;
    while (i < n && text[i] >= '0' && text[i] <= '9') {
      exponent = exponent * 10 + (text[i++] - '0');
      // Beyond int32 Java throws; stop before int64 could overflow.
      if (exponent > (int64_t{1} << 40)) return false;
    }
    if (expNegative) exponent = -exponent;
  }
  if (i != n) return false;
  const int64_t scale = fraction - exponent;
  if (scale < std::numeric_limits<int32_t>::min() || scale > std::numeric_limits<int32_t>::max()) {
    return false;
  }
  size_t firstNonZero = digits.find_first_not_of('0');
  if (firstNonZero == std::string::npos) {
    out.negative = false;
    out.digits.assign(1, '0');  // not = "0": GCC 12 -Wrestrict false positive
  } else {
    out.negative = negative;
    out.digits = digits.substr(firstNonZero);
  }
  out.scale = scale;
  return true;
}

std::string formatDecimal(bool negative, std::string_view digits, int64_t scale) {
  std::string out;
  if (negative) out.push_back('-');
  const auto ndigits = static_cast<int64_t>(digits.size());
  if (scale == 0) {
    out.append(digits);
    return out;
  }
  const int64_t adjusted = -scale + (ndigits - 1);
  if (scale > 0 && adjusted >= -6) {
    const int64_t pad = scale - ndigits;
    if (pad >= 0) {
      out.append("0.");
      out.append(static_cast<size_t>(pad), '0');
      out.append(digits);
    } else {
      out.append(digits.substr(0, static_cast<size_t>(-pad)));
      out.push_back('.');
      out.append(digits.substr(static_cast<size_t>(-pad)));
    }
    return out;
  }
  out.push_back(digits[0]);
  if (ndigits > 1) {
    out.push_back('.');
    out.append(digits.substr(1));
  }
  if (adjusted != 0) {
    out.push_back('E');
    if (adjusted > 0) out.push_back('+');
    out.append(std::to_string(adjusted));
  }
  return out;
}

int32_t bigIntegerHashCode(bool negative, std::string_view digits) {
  // Magnitude in base 2^32, least significant word first, built 9 decimal digits at a time.
  std::vector<uint32_t> words;
  size_t i = 0;
  while (i < digits.size()) {
    const size_t take = std::min<size_t>(9, digits.size() - i);
    uint32_t chunk = 0;
    uint32_t mul = 1;
    for (size_t k = 0; k < take; ++k) {
      chunk = chunk * 10 + static_cast<uint32_t>(digits[i + k] - '0');
      mul *= 10;
    }
    i += take;
    uint64_t carry = chunk;
    for (uint32_t& w : words) {
      const uint64_t v = uint64_t{w} * mul + carry;
      w = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
    if (carry != 0) words.push_back(static_cast<uint32_t>(carry));
  }
  uint32_t h = 0;
  for (auto it = words.rbegin(); it != words.rend(); ++it) h = 31 * h + *it;
  // Zero has no words, so its hash is 0 whatever the sign.
  if (negative) h = 0u - h;
  return static_cast<int32_t>(h);
}

int compareDecimal(const DecimalParts& a, const DecimalParts& b) {
  const bool aZero = a.digits == "0";
  const bool bZero = b.digits == "0";
  const int aSign = aZero ? 0 : (a.negative ? -1 : 1);
  const int bSign = bZero ? 0 : (b.negative ? -1 : 1);
  if (aSign != bSign) return aSign < bSign ? -1 : 1;
  if (aSign == 0) return 0;
  // Same sign, both non-zero: compare magnitudes by the position of the leading digit, then
  // digit by digit (trailing zeros do not change the value).
  const int64_t aLead = static_cast<int64_t>(a.digits.size()) - a.scale;
  const int64_t bLead = static_cast<int64_t>(b.digits.size()) - b.scale;
  int mag = 0;
  if (aLead != bLead) {
    mag = aLead < bLead ? -1 : 1;
  } else {
    const size_t n = std::max(a.digits.size(), b.digits.size());
    for (size_t i = 0; i < n && mag == 0; ++i) {
      const char ca = i < a.digits.size() ? a.digits[i] : '0';
      const char cb = i < b.digits.size() ? b.digits[i] : '0';
      if (ca != cb) mag = ca < cb ? -1 : 1;
    }
  }
  return aSign > 0 ? mag : -mag;
}

int32_t stringHashCode(std::string_view s) {
  uint32_t h = 0;
  forEachUtf16(s, [&h](uint16_t u) { h = 31 * h + u; });
  return static_cast<int32_t>(h);
}

int compareUtf16(std::string_view a, std::string_view b) {
  // Decode lazily into small buffers; UTF-8 byte order differs from UTF-16 unit order only for
  // supplementary characters against U+E000..U+FFFF, so compare units, not bytes.
  std::u16string ua;
  std::u16string ub;
  ua.reserve(a.size());
  ub.reserve(b.size());
  forEachUtf16(a, [&ua](uint16_t u) { ua.push_back(static_cast<char16_t>(u)); });
  forEachUtf16(b, [&ub](uint16_t u) { ub.push_back(static_cast<char16_t>(u)); });
  const int c = ua.compare(ub);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace java

namespace {

bool isNumber(const Value& v) { return v.isIntegral() || v.type == Value::Type::Decimal; }

java::DecimalParts toParts(const Value& v) {
  java::DecimalParts p;
  if (v.type == Value::Type::Decimal) {
    // The text is canonical, so it always parses; fall back to zero only for a hand-built Value.
    if (!java::parseDecimal(v.text, p)) p = java::DecimalParts{};
    return p;
  }
  p.negative = v.integer < 0;
  const uint64_t mag =
      p.negative ? 0 - static_cast<uint64_t>(v.integer) : static_cast<uint64_t>(v.integer);
  p.digits = std::to_string(mag);
  p.scale = 0;
  return p;
}

}  // namespace

Value Value::ofInteger(int64_t v) {
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    return Value{Type::Integer, v, {}};
  }
  return Value{Type::Long, v, {}};
}

std::optional<Value> Value::ofNumberText(std::string_view text) {
  java::DecimalParts parts;
  if (!java::parseDecimal(text, parts)) return std::nullopt;
  // ShardingSphere tries new BigInteger(text) first: only plain digits (with a sign) qualify.
  const bool plainInteger = text.find_first_of(".eE") == std::string_view::npos;
  if (plainInteger && parts.digits.size() <= 19) {
    const uint64_t mag = std::stoull(parts.digits);
    if (!parts.negative && mag <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return ofInteger(static_cast<int64_t>(mag));
    }
    if (parts.negative && mag <= uint64_t{1} << 63) {
      return ofInteger(static_cast<int64_t>(0 - mag));
    }
  }
  Value v;
  v.type = Type::Decimal;
  v.text = java::formatDecimal(parts.negative, parts.digits, parts.scale);
  return v;
}

std::string Value::toString() const {
  switch (type) {
    case Type::Null:
      return "null";
    case Type::Integer:
    case Type::Long:
      return std::to_string(integer);
    case Type::Decimal:
    case Type::String:
      return text;
  }
  return "null";
}

int32_t Value::javaHashCode() const {
  switch (type) {
    case Type::Null:
      return 0;
    case Type::Integer:
      return static_cast<int32_t>(integer);
    case Type::Long: {
      const auto u = static_cast<uint64_t>(integer);
      return static_cast<int32_t>(static_cast<uint32_t>(u ^ (u >> 32)));
    }
    case Type::Decimal: {
      const java::DecimalParts p = toParts(*this);
      const uint32_t h = static_cast<uint32_t>(java::bigIntegerHashCode(p.negative, p.digits));
      return static_cast<int32_t>(31 * h + static_cast<uint32_t>(static_cast<int32_t>(p.scale)));
    }
    case Type::String:
      return java::stringHashCode(text);
  }
  return 0;
}

std::optional<int> compare(const Value& a, const Value& b) {
  if (a.isIntegral() && b.isIntegral()) {
    return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
  }
  if (isNumber(a) && isNumber(b)) return java::compareDecimal(toParts(a), toParts(b));
  if (a.type == Value::Type::String && b.type == Value::Type::String) {
    return java::compareUtf16(a.text, b.text);
  }
  return std::nullopt;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Value::Type::Null:
      return true;
    case Value::Type::Integer:
    case Value::Type::Long:
      return a.integer == b.integer;
    case Value::Type::Decimal:  // canonical text: equal value and equal scale, as BigDecimal.equals
    case Value::Type::String:
      return a.text == b.text;
  }
  return false;
}

}  // namespace shardproxy::router
