// Private to the algorithm*.cc files: the factories of each algorithm family and the helpers
// they share (property parsing with errors that name the algorithm and the property, target
// matching, Java number conversions).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "router/algorithm.h"

namespace shardproxy::router::algo {

// Config error, "TYPE: message".
Status configError(std::string_view type, const std::string& message);
// Error while sharding one statement (bad value, no target): "TYPE: message".
Status shardingError(std::string_view type, const std::string& message);
// ShardingSphere's NullShardingValueException.
Status nullValueError(std::string_view type);
std::string quoted(std::string_view s);  // 'text'

// Properties. Each fails with "TYPE: name must be ..., got 'text'" (Java parse rules: optional
// sign then ASCII digits, nothing else, within range).
const std::string* findProp(const Props& props, const char* name);
Result<std::string> requireProp(std::string_view type, const Props& props, const char* name);
Result<int64_t> parseLongProp(std::string_view type, const char* name, const std::string& text,
                              int64_t min, int64_t max, const char* what);
Result<int64_t> longProp(std::string_view type, const Props& props, const char* name,
                         std::optional<int64_t> fallback, int64_t min, int64_t max,
                         const char* what);
// "true"/"false" in any case (Java's Boolean.parseBoolean reads anything else as false; we
// refuse it so a typo does not silently disable an option).
Result<bool> boolProp(std::string_view type, const Props& props, const char* name, bool fallback);

// Java Long.parseLong: [+-]digits, in range. nullopt otherwise.
std::optional<int64_t> parseJavaLong(std::string_view text);

// A BigInteger's sign and decimal digits (no leading zeros except "0").
struct BigDigits {
  bool negative = false;
  std::string digits;
};
// Java new BigInteger(text): [+-]digits.
std::optional<BigDigits> parseBigInteger(std::string_view text);
// Java BigDecimal.toBigInteger() of a BigDecimal's text ("12.50", "-3", "1E+3"): truncated
// toward zero. `exact` (optional) tells whether no non-zero fraction digit was cut off.
std::optional<BigDigits> decimalIntegerPart(std::string_view text, bool* exact = nullptr);
// Java BigInteger.longValue(): the low 64 bits, two's complement.
int64_t lowBitsAsLong(const BigDigits& n);
// BigInteger.mod(m), m > 0: always in [0, m).
int64_t bigMod(const BigDigits& n, int64_t m);
// The exact value when it fits 64 bits.
std::optional<int64_t> bigToLong(const BigDigits& n);

// A range over integers, closed at both ends, after open bounds moved inward and decimal bounds
// rounded inward (a column of integers holds no value strictly between). Missing bound =
// unbounded. `empty` when no integer fits.
struct IntegerBounds {
  std::optional<int64_t> lower;
  std::optional<int64_t> upper;
  bool empty = false;
};
// Bounds from Integer/Long/Decimal values and from Strings holding an integer; a String that is
// no integer fails (ShardingSphere's NumberFormatException). A bound beyond 64 bits becomes
// unbounded on its side (or makes the range empty when it excludes every long).
Result<IntegerBounds> integerBounds(std::string_view type, const Range& range);

// ShardingAutoTableAlgorithmUtils.findMatchedTargetName: prefix + suffix padded on the left.
// Exact match first, then ignoring ASCII case (SQL identifiers); returns the target's index.
std::optional<size_t> findAutoTarget(const std::vector<std::string>& targets,
                                     std::string_view suffix, const DataNodeInfo& info);
// A name among targets (exact, then ignoring ASCII case).
std::optional<size_t> findTarget(const std::vector<std::string>& targets, std::string_view name);
// The chosen targets in target order.
std::vector<std::string> selectedTargets(const std::vector<std::string>& targets,
                                         const std::vector<bool>& selected);

// Factories per family; `type` is the canonical upper-case name.
Result<std::unique_ptr<ShardingAlgorithm>> createMod(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createHashMod(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createVolumeRange(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createBoundaryRange(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createAutoInterval(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createInterval(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createInline(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createComplexInline(const Props& props);
Result<std::unique_ptr<ShardingAlgorithm>> createHintInline(const Props& props);

}  // namespace shardproxy::router::algo
