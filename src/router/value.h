// Sharding values: what ShardingSphere's algorithms receive, as Java objects. The router turns
// SQL literals and bound parameters into these; algorithms and inline expressions compute on
// them with Java semantics (integer overflow, `%` with the dividend's sign, hashCode, toString).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::router {

// An integer literal is an Integer when it fits 32 bits and a Long otherwise (as ShardingSphere
// reads SQL number literals); a number with a fraction or exponent is a BigDecimal; quoted text
// is a String. Temporal values reach algorithms as the Strings the client wrote.
struct Value {
  enum class Type : uint8_t { Null, Integer, Long, Decimal, String };
  Type type = Type::Null;
  int64_t integer = 0;  // Integer, Long
  std::string text;     // Decimal: canonical digits ("12.50", "-3", "1E+3" as BigDecimal prints);
                        // String: the value (UTF-8)

  static Value null() { return Value{}; }
  // Integer when -2^31 <= v < 2^31, else Long.
  static Value ofInteger(int64_t v);
  static Value ofLong(int64_t v) { return Value{Type::Long, v, {}}; }
  static Value ofString(std::string s) { return Value{Type::String, 0, std::move(s)}; }
  // From SQL number text ("42", "-7", "3.14", "1e3"): Integer, Long, or Decimal beyond 64 bits
  // or with a fraction. nullopt when the text is not a number.
  static std::optional<Value> ofNumberText(std::string_view text);

  bool isNull() const { return type == Type::Null; }
  bool isIntegral() const { return type == Type::Integer || type == Type::Long; }

  // Java's String.valueOf(value): "42", "3.14", the string itself; "null" for Null.
  std::string toString() const;
  // Java's hashCode(): Integer.hashCode, Long.hashCode, BigDecimal.hashCode, String.hashCode
  // (over UTF-16 code units).
  int32_t javaHashCode() const;
};

// Java compareTo for two values of comparable types: numbers numerically (Integer, Long and
// Decimal mixed), strings by UTF-16 code unit. nullopt when the types cannot be compared (a
// number with a string, or Null), where Java would throw ClassCastException.
std::optional<int> compare(const Value& a, const Value& b);

bool operator==(const Value& a, const Value& b);

}  // namespace shardproxy::router
