// Private to src/router: the decimal numbers of inline expressions, BigDecimals held in 128 bits,
// and the digit-string helpers their division and rounding need.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "router/inline_java.h"

namespace shardproxy::router::inline_expr {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr i128 kI128Max = static_cast<i128>((~u128{0}) >> 1);

u128 pow10u(int n);

std::string u128ToString(u128 v);

u128 absU(i128 v);

// A BigDecimal small enough for 128-bit arithmetic (|unscaled| < 2^127).
struct Dec {
  i128 unscaled = 0;
  int32_t scale = 0;
};

std::string decToString(const Dec& d);

// Decimal digits (no sign) to a magnitude; false beyond 2^127 - 1.
bool digitsToI128(std::string_view digits, i128& out);

bool partsToDec(const java::DecimalParts& p, Dec& out);

// Brings a and b to their larger scale; false when that overflows.
bool align(const Dec& a, const Dec& b, i128& ua, i128& ub, int32_t& scale);

// HALF_UP rounding of a digit string by dropping its last `drop` digits (drop may exceed the
// length: missing leading digits are zeros). Returns the kept digits, "0" when nothing is left.
std::string dropDigitsHalfUp(const std::string& digits, int64_t drop);

std::string stripLeadingZeros(std::string s);

// Low 64 bits of the integer part of a decimal (BigDecimal.longValue / intValue).
int64_t decTruncLow64(const Dec& d);

}  // namespace shardproxy::router::inline_expr
