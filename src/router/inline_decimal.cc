#include "router/inline_decimal.h"

#include <algorithm>

namespace shardproxy::router::inline_expr {

namespace {

// Multiplies by 10^by (by >= 0); false on overflow.
bool scaleUp(i128 v, int64_t by, i128& out) {
  if (v == 0) {
    out = 0;
    return true;
  }
  if (by > 38) return false;
  i128 r = v;
  for (int64_t i = 0; i < by; ++i) {
    if (__builtin_mul_overflow(r, 10, &r)) return false;
  }
  out = r;
  return true;
}

}  // namespace

u128 pow10u(int n) {
  u128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

std::string u128ToString(u128 v) {
  if (v == 0) return "0";
  char buf[48];
  int n = 0;
  while (v != 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  std::string s(static_cast<size_t>(n), '0');
  for (int i = 0; i < n; ++i) s[static_cast<size_t>(i)] = buf[n - 1 - i];
  return s;
}

u128 absU(i128 v) { return v < 0 ? u128{0} - static_cast<u128>(v) : static_cast<u128>(v); }

std::string decToString(const Dec& d) {
  return java::formatDecimal(d.unscaled < 0, u128ToString(absU(d.unscaled)), d.scale);
}

bool digitsToI128(std::string_view digits, i128& out) {
  u128 v = 0;
  for (char c : digits) {
    if (v > (static_cast<u128>(kI128Max) - 9) / 10) return false;
    v = v * 10 + static_cast<u128>(c - '0');
  }
  out = static_cast<i128>(v);
  return true;
}

bool partsToDec(const java::DecimalParts& p, Dec& out) {
  i128 mag = 0;
  if (!digitsToI128(p.digits, mag)) return false;
  out.unscaled = p.negative ? -mag : mag;
  out.scale = static_cast<int32_t>(p.scale);
  return true;
}

bool align(const Dec& a, const Dec& b, i128& ua, i128& ub, int32_t& scale) {
  scale = std::max(a.scale, b.scale);
  return scaleUp(a.unscaled, int64_t{scale} - a.scale, ua) &&
         scaleUp(b.unscaled, int64_t{scale} - b.scale, ub);
}

std::string dropDigitsHalfUp(const std::string& digits, int64_t drop) {
  const auto len = static_cast<int64_t>(digits.size());
  if (drop <= 0) return digits;
  if (drop > len) return "0";
  std::string kept = digits.substr(0, static_cast<size_t>(len - drop));
  const bool up = digits[static_cast<size_t>(len - drop)] >= '5';
  if (kept.empty()) return up ? "1" : "0";
  if (up) {
    size_t i = kept.size();
    while (i > 0) {
      --i;
      if (kept[i] == '9') {
        kept[i] = '0';
      } else {
        ++kept[i];
        break;
      }
      if (i == 0) kept.insert(kept.begin(), '1');
    }
  }
  return kept;
}

std::string stripLeadingZeros(std::string s) {
  const size_t p = s.find_first_not_of('0');
  if (p == std::string::npos) return "0";
  s.erase(0, p);
  return s;
}

int64_t decTruncLow64(const Dec& d) {
  i128 v = d.unscaled;
  if (d.scale > 0) {
    if (d.scale > 38) return 0;
    v /= static_cast<i128>(pow10u(d.scale));
  } else if (d.scale < 0) {
    if (d.scale < -128) return 0;  // a multiple of 2^128: no low bits left
    u128 m = static_cast<u128>(v);
    for (int k = 0; k < -d.scale; ++k) m *= 10;  // wraps: only the low bits matter
    return static_cast<int64_t>(static_cast<uint64_t>(m));
  }
  return static_cast<int64_t>(static_cast<uint64_t>(static_cast<u128>(v)));
}

}  // namespace shardproxy::router::inline_expr
