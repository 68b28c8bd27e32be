// Private to src/router: Java number and string semantics shared by value.cc and the inline
// expression lexer and evaluator (BigDecimal text, BigInteger hashing, UTF-16 and UTF-8).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parser/code_points.h"

namespace shardproxy::router::java {

// A BigDecimal as sign, unscaled magnitude digits and scale: value = -1^negative * digits *
// 10^-scale. `digits` has no leading zeros ("0" for zero, which is never negative).
struct DecimalParts {
  bool negative = false;
  std::string digits = "0";
  int64_t scale = 0;
};

// `new BigDecimal(text)`: [+-] digits [. digits] [(e|E) [+-] digits], at least one mantissa
// digit, scale within int32. False when Java would throw NumberFormatException.
bool parseDecimal(std::string_view text, DecimalParts& out);

// BigDecimal.toString(): plain when scale >= 0 and the adjusted exponent >= -6, else E-notation.
std::string formatDecimal(bool negative, std::string_view digits, int64_t scale);

// BigInteger.hashCode() of the magnitude `digits` (decimal, no sign) with the given sign.
int32_t bigIntegerHashCode(bool negative, std::string_view digits);

// Numeric compareTo of two decimals: -1, 0 or 1.
int compareDecimal(const DecimalParts& a, const DecimalParts& b);

// Decodes UTF-8 into UTF-16 code units, calling `unit(uint16_t)` for each. An invalid byte
// (bad lead, bad continuation, overlong form, surrogate, beyond U+10FFFF, cut short) counts as
// one U+FFFD, then decoding resumes at the next byte.
template <typename F>
void forEachUtf16(std::string_view s, F&& unit) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      unit(static_cast<uint16_t>(b0));
      ++i;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (b & 0x3F);
      }
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
      unit(static_cast<uint16_t>(0xFFFD));
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      unit(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      unit(static_cast<uint16_t>(cp));
    }
    i += len;
  }
}

// Appends code point `cp` as UTF-8; a lone surrogate gets the three bytes of its code point.
inline void appendUtf8(std::string& out, uint32_t cp) {
  parser::appendUtf8(out, static_cast<char32_t>(cp));
}

// String.hashCode over the UTF-16 form of UTF-8 text.
int32_t stringHashCode(std::string_view s);

// String.compareTo by UTF-16 code units: -1, 0 or 1.
int compareUtf16(std::string_view a, std::string_view b);

}  // namespace shardproxy::router::java
