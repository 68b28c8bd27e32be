// The algorithm factory, the base class defaults, CLASS_BASED, and the helpers every algorithm
// family shares (algorithm_internal.h).
#include "router/algorithm.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "router/algorithm_internal.h"

namespace shardproxy::router {

namespace algo {

Status configError(std::string_view type, const std::string& message) {
  return makeError(er::kWrongArguments, std::string(type) + ": " + message);
}

Status shardingError(std::string_view type, const std::string& message) {
  return makeError(er::kUnknownError, std::string(type) + ": " + message);
}

Status nullValueError(std::string_view type) {
  return shardingError(type, "sharding value can't be null in SQL statement");
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

const std::string* findProp(const Props& props, const char* name) {
  auto it = props.find(name);
  return it == props.end() ? nullptr : &it->second;
}

Result<std::string> requireProp(std::string_view type, const Props& props, const char* name) {
  const std::string* text = findProp(props, name);
  if (text == nullptr || text->empty()) {
    return configError(type, std::string(name) + " is required");
  }
  return *text;
}

std::optional<int64_t> parseJavaLong(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i == text.size()) return std::nullopt;
  // Accumulate negatively so that Long.MIN_VALUE parses.
  int64_t value = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    int digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == kMin) return std::nullopt;
    value = -value;
  }
  return value;
}

Result<int64_t> parseLongProp(std::string_view type, const char* name, const std::string& text,
                              int64_t min, int64_t max, const char* what) {
  std::optional<int64_t> value = parseJavaLong(text);
  if (!value || *value < min || *value > max) {
    return configError(type, std::string(name) + " must be " + what + ", got " + quoted(text));
  }
  return *value;
}

Result<int64_t> longProp(std::string_view type, const Props& props, const char* name,
                         std::optional<int64_t> fallback, int64_t min, int64_t max,
                         const char* what) {
  const std::string* text = findProp(props, name);
  if (text == nullptr) {
    if (fallback) return *fallback;
    return configError(type, std::string(name) + " is required (" + what + ")");
  }
  return parseLongProp(type, name, *text, min, max, what);
}

Result<bool> boolProp(std::string_view type, const Props& props, const char* name, bool fallback) {
  const std::string* text = findProp(props, name);
  if (text == nullptr) return fallback;
  std::string lower = *text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return configError(type, std::string(name) + " must be true or false, got " + quoted(*text));
}

namespace {

BigDigits normalized(bool negative, std::string digits) {
  size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  return BigDigits{negative && digits != "0", std::move(digits)};
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<BigDigits> parseBigInteger(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (!allDigits(text)) return std::nullopt;
  return normalized(negative, std::string(text));
}

std::optional<BigDigits> decimalIntegerPart(std::string_view text, bool* exact) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  int64_t exponent = 0;
  size_t e = text.find_first_of("eE");
  if (e != std::string_view::npos) {
    std::optional<int64_t> exp = parseJavaLong(text.substr(e + 1));
    if (!exp || *exp > 100000 || *exp < -100000) return std::nullopt;
    exponent = *exp;
    text = text.substr(0, e);
  }
  std::string_view intPart = text;
  std::string_view fracPart;
  size_t dot = text.find('.');
  if (dot != std::string_view::npos) {
    intPart = text.substr(0, dot);
    fracPart = text.substr(dot + 1);
  }
  if (intPart.empty() && fracPart.empty()) return std::nullopt;
  if ((!intPart.empty() && !allDigits(intPart)) || (!fracPart.empty() && !allDigits(fracPart))) {
    return std::nullopt;
  }
  std::string mantissa = std::string(intPart) + std::string(fracPart);
  int64_t pointAt = static_cast<int64_t>(intPart.size()) + exponent;  // digits before the point
  size_t keep = pointAt <= 0 ? 0 : static_cast<size_t>(pointAt);
  if (exact != nullptr) {
    *exact = keep >= mantissa.size() || mantissa.find_first_not_of('0', keep) == std::string::npos;
  }
  if (keep >= mantissa.size()) {
    mantissa.append(keep - mantissa.size(), '0');
  } else {
    mantissa.resize(keep);
  }
  return normalized(negative, mantissa.empty() ? "0" : std::move(mantissa));
}

int64_t lowBitsAsLong(const BigDigits& n) {
  uint64_t value = 0;
  for (char c : n.digits) value = value * 10 + static_cast<uint64_t>(c - '0');  // wraps mod 2^64
  if (n.negative) value = ~value + 1;
  return static_cast<int64_t>(value);
}

int64_t bigMod(const BigDigits& n, int64_t m) {
  __int128 r = 0;
  for (char c : n.digits) r = (r * 10 + (c - '0')) % m;
  if (n.negative && r != 0) r = m - r;
  return static_cast<int64_t>(r);
}

std::optional<int64_t> bigToLong(const BigDigits& n) {
  return parseJavaLong((n.negative ? "-" : "") + n.digits);
}

namespace {

enum class Side : uint8_t { Lower, Upper };

// One bound as an integer; `overflow` -1 / +1 when it lies below / above every long.
struct IntegerBound {
  int64_t value = 0;
  int overflow = 0;
};

Result<IntegerBound> integerBound(std::string_view type, const Value& v, bool closed, Side side) {
  std::optional<BigDigits> truncated;
  bool exact = true;
  bool negative = false;
  switch (v.type) {
    case Value::Type::Integer:
    case Value::Type::Long:
      truncated = parseBigInteger(std::to_string(v.integer));
      break;
    case Value::Type::Decimal:
      truncated = decimalIntegerPart(v.text, &exact);
      negative = !v.text.empty() && v.text[0] == '-';
      break;
    case Value::Type::String:
      truncated = parseBigInteger(v.text);
      if (!truncated) {
        return shardingError(type, "range bound " + quoted(v.text) + " is not an integer");
      }
      break;
    case Value::Type::Null:
      return shardingError(type, "range bound is NULL");
  }
  if (!truncated) {
    return shardingError(type, "range bound " + quoted(v.toString()) + " is not a number");
  }
  IntegerBound b;
  std::optional<int64_t> t = bigToLong(*truncated);
  if (!t) {
    b.overflow = truncated->negative ? -1 : 1;
    return b;
  }
  __int128 value = *t;
  if (!exact) {
    // Truncation moved a fraction toward zero: the smallest integer inside a lower bound is
    // one up for a positive value, the largest inside an upper bound one down for a negative.
    if (side == Side::Lower && !negative) value += 1;
    if (side == Side::Upper && negative) value -= 1;
  } else if (!closed) {
    value += side == Side::Lower ? 1 : -1;
  }
  if (value > std::numeric_limits<int64_t>::max()) {
    b.overflow = 1;
  } else if (value < std::numeric_limits<int64_t>::min()) {
    b.overflow = -1;
  } else {
    b.value = static_cast<int64_t>(value);
  }
  return b;
}

}  // namespace

Result<IntegerBounds> integerBounds(std::string_view type, const Range& range) {
  IntegerBounds result;
  if (range.lower) {
    Result<IntegerBound> b = integerBound(type, *range.lower, range.lowerClosed, Side::Lower);
    if (!b) return b.status();
    if (b->overflow > 0) result.empty = true;
    if (b->overflow == 0) result.lower = b->value;
  }
  if (range.upper) {
    Result<IntegerBound> b = integerBound(type, *range.upper, range.upperClosed, Side::Upper);
    if (!b) return b.status();
    if (b->overflow < 0) result.empty = true;
    if (b->overflow == 0) result.upper = b->value;
  }
  if (result.lower && result.upper && *result.lower > *result.upper) result.empty = true;
  return result;
}

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<size_t> findTarget(const std::vector<std::string>& targets, std::string_view name) {
  for (size_t i = 0; i < targets.size(); ++i) {
    if (targets[i] == name) return i;
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    if (equalsIgnoreCase(targets[i], name)) return i;
  }
  return std::nullopt;
}

std::optional<size_t> findAutoTarget(const std::vector<std::string>& targets,
                                     std::string_view suffix, const DataNodeInfo& info) {
  std::string name = info.prefix;
  if (suffix.size() < info.suffixMinLength) {
    name.append(info.suffixMinLength - suffix.size(), info.paddingChar);
  }
  name.append(suffix);
  return findTarget(targets, name);
}

std::vector<std::string> selectedTargets(const std::vector<std::string>& targets,
                                         const std::vector<bool>& selected) {
  std::vector<std::string> result;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (selected[i]) result.push_back(targets[i]);
  }
  return result;
}

}  // namespace algo

namespace {

// Calling an entry point of another kind is a router bug, but it must not crash a session.
Status wrongKind(const ShardingAlgorithm& algorithm, const char* call) {
  static constexpr const char* kKinds[] = {"standard", "complex", "hint"};
  return makeError(er::kUnknownError, std::string(algorithm.type()) + ": a " +
                                          kKinds[static_cast<int>(algorithm.kind())] +
                                          " sharding algorithm cannot do " + call + " sharding");
}

Status classBasedError(const Props& props) {
  const std::string* strategy = algo::findProp(props, "strategy");
  const std::string* className = algo::findProp(props, "algorithmClassName");
  std::string message = "CLASS_BASED: sharding algorithm classes are Java code";
  if (className != nullptr) message += " (algorithmClassName " + algo::quoted(*className) + ")";
  message += " and cannot run in shardproxy; use a built-in algorithm instead: ";
  std::string upper = strategy == nullptr ? "" : *strategy;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (upper == "COMPLEX") {
    message += "COMPLEX_INLINE for this complex strategy";
  } else if (upper == "HINT") {
    message += "HINT_INLINE for this hint strategy";
  } else if (upper == "STANDARD") {
    message +=
        "INLINE, INTERVAL, MOD, HASH_MOD, VOLUME_RANGE, BOUNDARY_RANGE or AUTO_INTERVAL for this "
        "standard strategy";
  } else {
    message +=
        "INLINE, INTERVAL, MOD, HASH_MOD, VOLUME_RANGE, BOUNDARY_RANGE or AUTO_INTERVAL "
        "(standard), "
        "COMPLEX_INLINE (complex) or HINT_INLINE (hint)";
  }
  return makeError(er::kWrongArguments, message);
}

}  // namespace

Result<std::string> ShardingAlgorithm::shardPrecise(const std::vector<std::string>&,
                                                    const PreciseShardingValue&) const {
  return wrongKind(*this, "precise");
}

Result<std::vector<std::string>> ShardingAlgorithm::shardRange(const std::vector<std::string>&,
                                                               const RangeShardingValue&) const {
  return wrongKind(*this, "range");
}

Result<std::vector<std::string>> ShardingAlgorithm::shardComplex(
    const std::vector<std::string>&, const ComplexShardingValue&) const {
  return wrongKind(*this, "complex");
}

Result<std::vector<std::string>> ShardingAlgorithm::shardHint(const std::vector<std::string>&,
                                                              const HintShardingValue&) const {
  return wrongKind(*this, "hint");
}

Result<std::unique_ptr<ShardingAlgorithm>> createShardingAlgorithm(std::string_view type,
                                                                   const Props& props) {
  std::string upper(type);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (upper == "MOD") return algo::createMod(props);
  if (upper == "HASH_MOD") return algo::createHashMod(props);
  if (upper == "VOLUME_RANGE") return algo::createVolumeRange(props);
  if (upper == "BOUNDARY_RANGE") return algo::createBoundaryRange(props);
  if (upper == "AUTO_INTERVAL") return algo::createAutoInterval(props);
  if (upper == "INTERVAL") return algo::createInterval(props);
  if (upper == "INLINE") return algo::createInline(props);
  if (upper == "COMPLEX_INLINE") return algo::createComplexInline(props);
  if (upper == "HINT_INLINE") return algo::createHintInline(props);
  if (upper == "CLASS_BASED") return classBasedError(props);
  return makeError(er::kWrongArguments,
                   "unknown sharding algorithm type " + algo::quoted(type) +
                       "; supported: MOD, HASH_MOD, VOLUME_RANGE, BOUNDARY_RANGE, AUTO_INTERVAL, "
                       "INTERVAL, INLINE, COMPLEX_INLINE, HINT_INLINE");
}

}  // namespace shardproxy::router
