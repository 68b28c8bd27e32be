#include "merger/decimal.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace shardproxy::merger {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isZero(const DecimalText& d) {
  return d.intDigits.empty() &&
         std::all_of(d.fracDigits.begin(), d.fracDigits.end(), [](char c) { return c == '0'; });
}

// |a| vs |b|.
int compareMagnitude(const DecimalText& a, const DecimalText& b) {
  if (a.intDigits.size() != b.intDigits.size()) {
    return a.intDigits.size() < b.intDigits.size() ? -1 : 1;
  }
  if (int c = a.intDigits.compare(b.intDigits); c != 0) return c < 0 ? -1 : 1;
  size_t n = std::max(a.fracDigits.size(), b.fracDigits.size());
  for (size_t i = 0; i < n; ++i) {
    char x = i < a.fracDigits.size() ? a.fracDigits[i] : '0';
    char y = i < b.fracDigits.size() ? b.fracDigits[i] : '0';
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// The magnitude's digits with exactly `scale` fraction digits (scale >= its own), no point.
std::string scaledDigits(const DecimalText& d, size_t scale) {
  std::string out(d.intDigits);
  out += d.fracDigits;
  out.append(scale - d.fracDigits.size(), '0');
  return out;
}

// Digits with `scale` fraction digits back to text: leading zeros dropped, "0" kept.
std::string withPoint(std::string digits, size_t scale, bool negative) {
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  size_t intLen = digits.size() - scale;
  size_t skip = 0;
  while (skip + 1 < intLen && digits[skip] == '0') ++skip;
  std::string out;
  bool zero = std::all_of(digits.begin(), digits.end(), [](char c) { return c == '0'; });
  if (negative && !zero) out.push_back('-');
  out.append(digits, skip, intLen - skip);
  if (scale > 0) {
    out.push_back('.');
    out.append(digits, intLen, scale);
  }
  return out;
}

// Equal-length digit strings: x + y and x - y (x >= y).
std::string addDigits(const std::string& x, const std::string& y) {
  std::string out(x.size() + 1, '0');
  int carry = 0;
  for (size_t i = x.size(); i-- > 0;) {
    int s = (x[i] - '0') + (y[i] - '0') + carry;
    out[i + 1] = static_cast<char>('0' + s % 10);
    carry = s / 10;
  }
  out[0] = static_cast<char>('0' + carry);
  return out;
}

std::string subtractDigits(const std::string& x, const std::string& y) {
  std::string out(x.size(), '0');
  int borrow = 0;
  for (size_t i = x.size(); i-- > 0;) {
    int s = (x[i] - '0') - (y[i] - '0') - borrow;
    borrow = s < 0 ? 1 : 0;
    out[i] = static_cast<char>('0' + (s + 10) % 10);
  }
  return out;
}

}  // namespace

std::optional<DecimalText> parseDecimal(std::string_view text) {
  DecimalText d;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    d.negative = text[i] == '-';
    ++i;
  }
  size_t intBegin = i;
  while (i < text.size() && isDigit(text[i])) ++i;
  std::string_view intPart = text.substr(intBegin, i - intBegin);
  std::string_view fracPart;
  if (i < text.size() && text[i] == '.') {
    size_t fracBegin = ++i;
    while (i < text.size() && isDigit(text[i])) ++i;
    fracPart = text.substr(fracBegin, i - fracBegin);
  }
  if (i != text.size() || (intPart.empty() && fracPart.empty())) return std::nullopt;
  size_t skip = 0;
  while (skip < intPart.size() && intPart[skip] == '0') ++skip;
  d.intDigits = intPart.substr(skip);
  d.fracDigits = fracPart;
  return d;
}

int compareDecimal(const DecimalText& a, const DecimalText& b) {
  bool aNeg = a.negative && !isZero(a);
  bool bNeg = b.negative && !isZero(b);
  if (aNeg != bNeg) return aNeg ? -1 : 1;
  int m = compareMagnitude(a, b);
  return aNeg ? -m : m;
}

std::string addDecimal(const DecimalText& a, const DecimalText& b) {
  size_t scale = std::max(a.fracDigits.size(), b.fracDigits.size());
  size_t width = std::max(a.intDigits.size(), b.intDigits.size()) + scale;
  auto aligned = [&](const DecimalText& d) {
    std::string s = scaledDigits(d, scale);
    s.insert(0, width - s.size(), '0');
    return s;
  };
  std::string x = aligned(a);
  std::string y = aligned(b);
  if (a.negative == b.negative) return withPoint(addDigits(x, y), scale, a.negative);
  if (compareMagnitude(a, b) >= 0) return withPoint(subtractDigits(x, y), scale, a.negative);
  return withPoint(subtractDigits(y, x), scale, b.negative);
}

std::string divideDecimal(const DecimalText& sum, uint64_t count, unsigned scale) {
  // Long division of the digits, carried to one digit past `scale`: the quotient truncated
  // there rounds half away from zero exactly when that digit is 5 or more.
  size_t ownScale = sum.fracDigits.size();
  std::string digits = scaledDigits(sum, ownScale);
  size_t wantScale = static_cast<size_t>(scale) + 1;
  if (wantScale > ownScale) {
    digits.append(wantScale - ownScale, '0');
  } else {
    digits.resize(digits.size() - (ownScale - wantScale));
  }
  // `digits` now holds the value times 10^wantScale, truncated (truncating the dividend
  // before dividing by a positive integer truncates the quotient the same way).
  std::string quotient;
  quotient.reserve(digits.size());
  unsigned __int128 rest = 0;
  for (char c : digits) {
    rest = rest * 10 + static_cast<unsigned>(c - '0');
    quotient.push_back(static_cast<char>('0' + static_cast<int>(rest / count)));
    rest %= count;
  }
  bool roundUp = !quotient.empty() && quotient.back() >= '5';
  quotient.pop_back();
  if (quotient.empty()) quotient = "0";
  if (roundUp) {
    size_t i = quotient.size();
    while (i > 0 && quotient[i - 1] == '9') quotient[--i] = '0';
    if (i == 0) {
      quotient.insert(0, 1, '1');
    } else {
      ++quotient[i - 1];
    }
  }
  return withPoint(std::move(quotient), scale, sum.negative);
}

std::string formatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return "0";
  char buf[64];
  int precision = 1;
  for (; precision < 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", precision - 1, value);
  // buf: [-]d[.ddd]e[+-]xx
  std::string text(buf);
  size_t e = text.find('e');
  int exponent = std::atoi(text.c_str() + e + 1);
  bool negative = text[0] == '-';
  std::string digits;
  for (size_t i = negative ? 1 : 0; i < e; ++i) {
    if (text[i] != '.') digits.push_back(text[i]);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent >= 15 || exponent < -15) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += "e" + std::to_string(exponent);
  } else if (exponent < 0) {
    out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else {
    size_t intLen = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= intLen) {
      out += digits + std::string(intLen - digits.size(), '0');
    } else {
      out += digits.substr(0, intLen) + "." + digits.substr(intLen);
    }
  }
  return out;
}

}  // namespace shardproxy::merger
