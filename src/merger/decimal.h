// Exact arithmetic on numbers as MySQL writes them in text results ("-12.340"): what merging
// SUM, AVG and numeric comparisons needs without going through double. Plus the one place
// doubles are written back as text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::merger {

// A decimal number's text split into its parts; views into the parsed text.
struct DecimalText {
  bool negative = false;
  std::string_view intDigits;   // no leading zeros ("" for 0.5)
  std::string_view fracDigits;  // as written, trailing zeros kept
};

// [+-]digits[.digits] with at least one digit; nullopt for anything else (exponents included).
std::optional<DecimalText> parseDecimal(std::string_view text);

// <0, 0, >0; -0 equals 0 and trailing fraction zeros do not matter ("1.50" == "1.5").
int compareDecimal(const DecimalText& a, const DecimalText& b);

// a + b, exactly, with the larger of the two scales ("1.10" + "2.205" = "3.305").
std::string addDecimal(const DecimalText& a, const DecimalText& b);

// sum / count to `scale` fraction digits, rounded half away from zero; count > 0.
std::string divideDecimal(const DecimalText& sum, uint64_t count, unsigned scale);

// A double as MySQL writes one: the shortest text that reads back as the same value, plain
// up to 15 integer digits ("0.30000000000000004", "123"), else with an exponent ("1e20").
std::string formatDouble(double value);

}  // namespace shardproxy::merger
