// Auto-table algorithms (ShardingSphere 5.4/5.5): MOD, HASH_MOD, VOLUME_RANGE, BOUNDARY_RANGE,
// AUTO_INTERVAL. Each numbers its partitions 0..n-1 and finds a partition's target by suffix
// (ShardingAutoTableAlgorithmUtils). Range sharding returns exactly the partitions a range can
// reach; where ShardingSphere over-approximates (it ignores open bounds) or throws on a
// half-open range, we are exact or return every target, and say so below.
#include <algorithm>
#include <cmath>
#include <limits>

#include "router/algorithm_datetime.h"
#include "router/algorithm_internal.h"
#include "router/inline_java.h"

namespace shardproxy::router::algo {

namespace {

constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();
constexpr int64_t kLongMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();
// More partitions than any database can hold tables; a bound on memory for typos.
constexpr int64_t kMaxPartitions = 1'000'000;

Status noTarget(std::string_view type, std::string_view suffix, const DataNodeInfo& info) {
  std::string name = info.prefix;
  if (suffix.size() < info.suffixMinLength) {
    name.append(info.suffixMinLength - suffix.size(), info.paddingChar);
  }
  name.append(suffix);
  return shardingError(type, "the value routes to " + quoted(name) + ", which is not a data node");
}

Result<std::string> preciseBySuffix(std::string_view type, const std::vector<std::string>& targets,
                                    const std::string& suffix, const DataNodeInfo& info) {
  std::optional<size_t> index = findAutoTarget(targets, suffix, info);
  if (!index) return noTarget(type, suffix, info);
  return targets[*index];
}

// Partitions first..last (clamped to the partition count), in target order.
std::vector<std::string> partitionTargets(const std::vector<std::string>& targets,
                                          const DataNodeInfo& info, int64_t first, int64_t last) {
  std::vector<bool> selected(targets.size(), false);
  for (int64_t p = std::max<int64_t>(first, 0); p <= last; ++p) {
    if (std::optional<size_t> i = findAutoTarget(targets, std::to_string(p), info)) {
      selected[*i] = true;
    }
  }
  return selectedTargets(targets, selected);
}

// ---------------------------------------------------------------------------------------------
// MOD: the value (or the digits between start-offset and stop-offset of its text) modulo
// sharding-count, as BigInteger.mod (never negative); zero-padding pads the suffix to the
// digits of sharding-count - 1.
class ModAlgorithm final : public ShardingAlgorithm {
 public:
  ModAlgorithm(int64_t count, int64_t startOffset, int64_t stopOffset, bool zeroPadding)
      : count_(count),
        startOffset_(startOffset),
        stopOffset_(stopOffset),
        zeroPadding_(zeroPadding) {
    for (int64_t n = count - 1; n != 0; n /= 10) ++paddingSize_;
    paddingSize_ = std::max(paddingSize_, 1);
  }

  Kind kind() const override { return Kind::Standard; }
  const char* type() const override { return "MOD"; }
  std::optional<int> autoTablesAmount() const override { return static_cast<int>(count_); }

  Result<std::string> shardPrecise(const std::vector<std::string>& targets,
                                   const PreciseShardingValue& value) const override {
    const Value& v = value.value;
    if (v.isNull()) return nullValueError(type());
    int64_t remainder = 0;
    if (startOffset_ != 0 || stopOffset_ != 0) {
      // Offsets count Java chars (UTF-16 code units); ShardingValueOffsetException when the
      // cut is empty.
      std::string text = v.toString();
      std::u16string units;
      java::forEachUtf16(text, [&](uint16_t u) { units.push_back(static_cast<char16_t>(u)); });
      auto length = static_cast<int64_t>(units.size());
      if (length - stopOffset_ <= startOffset_) {
        return shardingError(type(), "sharding value " + quoted(text) + " is too short for " +
                                         "start-offset " + std::to_string(startOffset_) +
                                         " and stop-offset " + std::to_string(stopOffset_));
      }
      std::string cut;
      for (int64_t i = startOffset_; i < length - stopOffset_; ++i) {
        char16_t u = units[static_cast<size_t>(i)];
        cut += u < 0x80 ? static_cast<char>(u) : '?';
      }
      std::optional<BigDigits> digits = parseBigInteger(cut);
      if (!digits) {
        return shardingError(type(), "the digits " + quoted(cut) + " of sharding value " +
                                         quoted(text) + " are not an integer");
      }
      remainder = bigMod(*digits, count_);
    } else if (v.isIntegral()) {
      remainder = bigMod(*parseBigInteger(std::to_string(v.integer)), count_);
    } else if (v.type == Value::Type::Decimal) {
      // Number.longValue(): the fraction truncated, then the low 64 bits.
      std::optional<BigDigits> digits = decimalIntegerPart(v.text);
      if (!digits)
        return shardingError(type(), "sharding value " + quoted(v.text) + " is not a number");
      int64_t asLong = lowBitsAsLong(*digits);
      remainder = bigMod(*parseBigInteger(std::to_string(asLong)), count_);
    } else {
      std::optional<BigDigits> digits = parseBigInteger(v.text);
      if (!digits) {
        return shardingError(type(), "sharding value " + quoted(v.text) + " is not an integer");
      }
      remainder = bigMod(*digits, count_);
    }
    return preciseBySuffix(type(), targets, suffix(remainder), value.dataNodeInfo);
  }

  // ShardingSphere returns every target for a range without an upper bound or spanning
  // sharding-count values, and otherwise maps each value of [lower, upper] (ignoring open
  // bounds and the offsets). We honour open bounds, return every target when the lower bound
  // is missing (ShardingSphere throws there) and, with offsets, always (the raw values of a
  // range say nothing about the digits between the offsets).
  Result<std::vector<std::string>> shardRange(const std::vector<std::string>& targets,
                                              const RangeShardingValue& value) const override {
    if (startOffset_ != 0 || stopOffset_ != 0) return targets;
    Result<IntegerBounds> bounds = integerBounds(type(), value.range);
    if (!bounds) return bounds.status();
    if (bounds->empty) return std::vector<std::string>{};
    if (!bounds->lower || !bounds->upper) return targets;
    __int128 span = static_cast<__int128>(*bounds->upper) - *bounds->lower;
    if (span >= count_ - 1) return targets;
    std::vector<bool> selected(targets.size(), false);
    for (__int128 i = *bounds->lower; i <= *bounds->upper; ++i) {
      int64_t r = static_cast<int64_t>(((i % count_) + count_) % count_);
      if (std::optional<size_t> t = findAutoTarget(targets, suffix(r), value.dataNodeInfo)) {
        selected[*t] = true;
      }
    }
    return selectedTargets(targets, selected);
  }

 private:
  std::string suffix(int64_t remainder) const {
    std::string s = std::to_string(remainder);
    if (zeroPadding_ && static_cast<int>(s.size()) < paddingSize_) {
      s.insert(0, static_cast<size_t>(paddingSize_) - s.size(), '0');
    }
    return s;
  }

  int64_t count_;
  int64_t startOffset_;
  int64_t stopOffset_;
  bool zeroPadding_;
  int paddingSize_ = 0;
};

// ---------------------------------------------------------------------------------------------
// HASH_MOD: Math.abs((long) value.hashCode()) % sharding-count. A range reaches every target.
class HashModAlgorithm final : public ShardingAlgorithm {
 public:
  explicit HashModAlgorithm(int64_t count) : count_(count) {}

  Kind kind() const override { return Kind::Standard; }
  const char* type() const override { return "HASH_MOD"; }
  std::optional<int> autoTablesAmount() const override { return static_cast<int>(count_); }

  Result<std::string> shardPrecise(const std::vector<std::string>& targets,
                                   const PreciseShardingValue& value) const override {
    if (value.value.isNull()) return nullValueError(type());
    int64_t hash = value.value.javaHashCode();
    int64_t remainder = (hash < 0 ? -hash : hash) % count_;
    return preciseBySuffix(type(), targets, std::to_string(remainder), value.dataNodeInfo);
  }

  Result<std::vector<std::string>> shardRange(const std::vector<std::string>& targets,
                                              const RangeShardingValue&) const override {
    return targets;
  }

 private:
  int64_t count_;
};

// ---------------------------------------------------------------------------------------------
// VOLUME_RANGE and BOUNDARY_RANGE: sorted boundaries b0 <= b1 <= ... split the longs into
// partition 0 = (-inf, b0), i = [b(i-1), bi), last = [b(n-1), +inf). A value is read with
// Long.parseLong(value.toString()) (a decimal or a non-number is an error, as in
// ShardingSphere).
class RangeAlgorithm final : public ShardingAlgorithm {
 public:
  RangeAlgorithm(const char* type, std::vector<int64_t> boundaries)
      : type_(type), boundaries_(std::move(boundaries)) {}

  Kind kind() const override { return Kind::Standard; }
  const char* type() const override { return type_; }
  std::optional<int> autoTablesAmount() const override {
    return static_cast<int>(boundaries_.size() + 1);
  }

  Result<std::string> shardPrecise(const std::vector<std::string>& targets,
                                   const PreciseShardingValue& value) const override {
    const Value& v = value.value;
    if (v.isNull()) return nullValueError(type());
    std::optional<int64_t> n =
        v.isIntegral() ? std::optional<int64_t>(v.integer) : parseJavaLong(v.toString());
    if (!n) {
      return shardingError(type(), "sharding value " + quoted(v.toString()) +
                                       " is not an integer within the range of a long");
    }
    return preciseBySuffix(type(), targets, std::to_string(partition(*n)), value.dataNodeInfo);
  }

  // ShardingSphere maps both endpoints to partitions (ignoring open bounds; a decimal bound
  // throws); we move open bounds inward and round decimal bounds inward.
  Result<std::vector<std::string>> shardRange(const std::vector<std::string>& targets,
                                              const RangeShardingValue& value) const override {
    Result<IntegerBounds> bounds = integerBounds(type(), value.range);
    if (!bounds) return bounds.status();
    if (bounds->empty) return std::vector<std::string>{};
    int64_t first = bounds->lower ? partition(*bounds->lower) : 0;
    int64_t last =
        bounds->upper ? partition(*bounds->upper) : static_cast<int64_t>(boundaries_.size());
    return partitionTargets(targets, value.dataNodeInfo, first, last);
  }

 private:
  int64_t partition(int64_t v) const {
    return std::upper_bound(boundaries_.begin(), boundaries_.end(), v) - boundaries_.begin();
  }

  const char* type_;
  std::vector<int64_t> boundaries_;
};

// ---------------------------------------------------------------------------------------------
// AUTO_INTERVAL: seconds since datetime-lower divided by sharding-seconds, formatted with
// DecimalFormat("0.00") (HALF_EVEN) and rounded up, clamped to [0, amount - 1]; the amount is
// (upper - lower) / sharding-seconds (integer division, as ShardingSphere computes it) + 2.
// Values are read as "yyyy-MM-dd HH:mm:ss" from the start of their text; text after it (a
// fraction) is ignored, as ShardingSphere's parse with a ParsePosition does.
class AutoIntervalAlgorithm final : public ShardingAlgorithm {
 public:
  AutoIntervalAlgorithm(datetime::Pattern pattern, int64_t lowerSecond, int64_t shardingSeconds,
                        int64_t amount)
      : pattern_(std::move(pattern)),
        lowerSecond_(lowerSecond),
        shardingSeconds_(shardingSeconds),
        amount_(amount) {}

  Kind kind() const override { return Kind::Standard; }
  const char* type() const override { return "AUTO_INTERVAL"; }
  std::optional<int> autoTablesAmount() const override { return static_cast<int>(amount_); }

  Result<std::string> shardPrecise(const std::vector<std::string>& targets,
                                   const PreciseShardingValue& value) const override {
    if (value.value.isNull()) return nullValueError(type());
    Result<Seconds> s = secondsOf(value.value);
    if (!s) return s.status();
    return preciseBySuffix(type(), targets, std::to_string(partition(s->seconds)),
                           value.dataNodeInfo);
  }

  // ShardingSphere maps both endpoints to partitions; an open bound that is a whole second
  // moves one second inward (values are compared at second precision).
  Result<std::vector<std::string>> shardRange(const std::vector<std::string>& targets,
                                              const RangeShardingValue& value) const override {
    const Range& r = value.range;
    std::optional<int64_t> lo;
    std::optional<int64_t> hi;
    if (r.lower) {
      Result<Seconds> s = secondsOf(*r.lower);
      if (!s) return s.status();
      lo = s->seconds + (!r.lowerClosed && s->exact ? 1 : 0);
    }
    if (r.upper) {
      Result<Seconds> s = secondsOf(*r.upper);
      if (!s) return s.status();
      hi = s->seconds - (!r.upperClosed && s->exact ? 1 : 0);
    }
    if (lo && hi && *lo > *hi) return std::vector<std::string>{};
    int64_t first = lo ? partition(*lo) : 0;
    int64_t last = hi ? partition(*hi) : amount_ - 1;
    return partitionTargets(targets, value.dataNodeInfo, first, last);
  }

 private:
  struct Seconds {
    int64_t seconds;
    bool exact;  // nothing after the seconds
  };

  Result<Seconds> secondsOf(const Value& v) const {
    std::string text = v.toString();
    std::optional<datetime::Parsed> p = pattern_.parse(text);
    // Extension: a date alone is read as its midnight (ShardingSphere fails on it).
    if (!p || !p->hasDate() || (p->fields.minute && !p->fields.second) ||
        (p->fields.hour && !p->fields.second)) {
      return shardingError(type(), "sharding value " + quoted(text) +
                                       " is not a datetime in the format yyyy-MM-dd HH:mm:ss");
    }
    datetime::LocalDateTime t = datetime::fromCivil(p->year, p->month, p->day, p->nanoOfDay);
    return Seconds{t.epochSecond() - lowerSecond_, !p->trailing};
  }

  int64_t partition(int64_t seconds) const {
    // The quotient as Java's double, rounded to two decimals half-even on its exact binary
    // value (DecimalFormat since JDK 8), then Math.ceil. long double holds q * 100 exactly.
    double q = static_cast<double>(seconds) / static_cast<double>(shardingSeconds_);
    long double scaled = static_cast<long double>(q) * 100.0L;
    long double whole = std::floor(scaled);
    long double fraction = scaled - whole;
    auto hundredths = static_cast<int64_t>(whole);
    if (fraction > 0.5L || (fraction == 0.5L && hundredths % 2 != 0)) ++hundredths;
    int64_t position = hundredths / 100 + (hundredths % 100 > 0 ? 1 : 0);  // ceil
    return std::min(std::max<int64_t>(0, position), amount_ - 1);
  }

  datetime::Pattern pattern_;
  int64_t lowerSecond_;
  int64_t shardingSeconds_;
  int64_t amount_;
};

}  // namespace

Result<std::unique_ptr<ShardingAlgorithm>> createMod(const Props& props) {
  Result<int64_t> count =
      longProp("MOD", props, "sharding-count", std::nullopt, 1, kIntMax, "a positive integer");
  if (!count) return count.status();
  Result<int64_t> start =
      longProp("MOD", props, "start-offset", 0, 0, kIntMax, "a non-negative integer");
  if (!start) return start.status();
  Result<int64_t> stop =
      longProp("MOD", props, "stop-offset", 0, 0, kIntMax, "a non-negative integer");
  if (!stop) return stop.status();
  Result<bool> zeroPadding = boolProp("MOD", props, "zero-padding", false);
  if (!zeroPadding) return zeroPadding.status();
  return std::unique_ptr<ShardingAlgorithm>(
      std::make_unique<ModAlgorithm>(*count, *start, *stop, *zeroPadding));
}

Result<std::unique_ptr<ShardingAlgorithm>> createHashMod(const Props& props) {
  Result<int64_t> count =
      longProp("HASH_MOD", props, "sharding-count", std::nullopt, 1, kIntMax, "a positive integer");
  if (!count) return count.status();
  return std::unique_ptr<ShardingAlgorithm>(std::make_unique<HashModAlgorithm>(*count));
}

Result<std::unique_ptr<ShardingAlgorithm>> createVolumeRange(const Props& props) {
  const char* type = "VOLUME_RANGE";
  Result<int64_t> lower =
      longProp(type, props, "range-lower", std::nullopt, kLongMin, kLongMax, "a long integer");
  if (!lower) return lower.status();
  Result<int64_t> upper =
      longProp(type, props, "range-upper", std::nullopt, kLongMin, kLongMax, "a long integer");
  if (!upper) return upper.status();
  Result<int64_t> volume = longProp(type, props, "sharding-volume", std::nullopt, 1, kLongMax,
                                    "a positive long integer");
  if (!volume) return volume.status();
  __int128 width = static_cast<__int128>(*upper) - *lower;
  if (width < *volume) {
    return configError(type, "range-upper - range-lower can not be smaller than sharding-volume");
  }
  __int128 partitions = (width + *volume - 1) / *volume;
  if (partitions + 2 > kMaxPartitions) {
    return configError(type, "(range-upper - range-lower) / sharding-volume makes " +
                                 std::to_string(static_cast<int64_t>(partitions)) +
                                 " partitions, more than " + std::to_string(kMaxPartitions));
  }
  std::vector<int64_t> boundaries;
  for (__int128 i = 0; i < partitions; ++i) {
    boundaries.push_back(static_cast<int64_t>(*lower + i * *volume));
  }
  boundaries.push_back(*upper);
  return std::unique_ptr<ShardingAlgorithm>(
      std::make_unique<RangeAlgorithm>("VOLUME_RANGE", std::move(boundaries)));
}

// ShardingSphere drops entries that are not longs; we refuse them (a typo would silently
// change the number of tables).
Result<std::unique_ptr<ShardingAlgorithm>> createBoundaryRange(const Props& props) {
  const char* type = "BOUNDARY_RANGE";
  Result<std::string> text = requireProp(type, props, "sharding-ranges");
  if (!text) return text.status();
  std::vector<int64_t> boundaries;
  std::string_view rest = *text;
  for (;;) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    item = b == std::string_view::npos ? std::string_view() : item.substr(b, e - b + 1);
    std::optional<int64_t> n = parseJavaLong(item);
    if (!n) {
      return configError(type, "sharding-ranges must be comma-separated long integers, got " +
                                   quoted(item) + " in " + quoted(*text));
    }
    boundaries.push_back(*n);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (static_cast<int64_t>(boundaries.size()) + 1 > kMaxPartitions) {
    return configError(type, "sharding-ranges has too many boundaries");
  }
  std::sort(boundaries.begin(), boundaries.end());
  return std::unique_ptr<ShardingAlgorithm>(
      std::make_unique<RangeAlgorithm>("BOUNDARY_RANGE", std::move(boundaries)));
}

Result<std::unique_ptr<ShardingAlgorithm>> createAutoInterval(const Props& props) {
  const char* type = "AUTO_INTERVAL";
  std::string error;
  std::optional<datetime::Pattern> pattern =
      datetime::Pattern::compile("yyyy-MM-dd HH:mm:ss", &error);
  auto readTime = [&](const char* name) -> Result<datetime::LocalDateTime> {
    Result<std::string> text = requireProp(type, props, name);
    if (!text) return text.status();
    std::optional<datetime::Parsed> p = pattern->parse(*text);
    if (!p || p->trailing || !p->hasDate() || !p->fields.second) {
      return configError(type, std::string(name) + " must be a datetime in the format " +
                                   "yyyy-MM-dd HH:mm:ss, got " + quoted(*text));
    }
    return datetime::fromCivil(p->year, p->month, p->day, p->nanoOfDay);
  };
  Result<datetime::LocalDateTime> lower = readTime("datetime-lower");
  if (!lower) return lower.status();
  Result<datetime::LocalDateTime> upper = readTime("datetime-upper");
  if (!upper) return upper.status();
  if (*upper < *lower) {
    return configError(type, "datetime-upper must not be before datetime-lower");
  }
  Result<int64_t> seconds =
      longProp(type, props, "sharding-seconds", std::nullopt, 1, kLongMax, "a positive integer");
  if (!seconds) return seconds.status();
  int64_t amount = (upper->epochSecond() - lower->epochSecond()) / *seconds + 2;
  if (amount > kMaxPartitions) {
    return configError(type, "(datetime-upper - datetime-lower) / sharding-seconds makes " +
                                 std::to_string(amount) + " tables, more than " +
                                 std::to_string(kMaxPartitions));
  }
  return std::unique_ptr<ShardingAlgorithm>(std::make_unique<AutoIntervalAlgorithm>(
      std::move(*pattern), lower->epochSecond(), *seconds, amount));
}

}  // namespace shardproxy::router::algo
