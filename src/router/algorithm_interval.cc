// INTERVAL (ShardingSphere 5.4/5.5 IntervalShardingAlgorithm): intervals of
// datetime-interval-amount x datetime-interval-unit from datetime-lower while their start is not
// after datetime-upper; an interval's targets are those whose name ends with its start
// formatted by sharding-suffix-pattern.
//
// As in ShardingSphere, the temporal type follows datetime-pattern: date and time
// (LocalDateTime), date (LocalDate), year and month (YearMonth) or year (Year). Month-only and
// time-only patterns (Month, LocalTime) are refused: ShardingSphere's handling of them wraps
// around and can loop forever. Values of any type are read through their text (numbers too,
// e.g. 20240115 with yyyyMMdd), cut to the pattern; a shorter text is read as far as it goes,
// like ShardingSphere's relaxed pattern. Extension: a date alone is read as its midnight when
// the pattern has a time (ShardingSphere cannot parse it).
//
// Divergences, all towards answering where ShardingSphere throws: datetime-upper defaults to
// the current UTC time (ShardingSphere: the JVM zone's); an open-ended range reaches every
// interval from its bound on (ShardingSphere caps it at datetime-upper/lower, and throws when
// the bound lies beyond); an empty range reaches nothing (ShardingSphere throws).
#include <algorithm>
#include <cctype>
#include <limits>

#include "router/algorithm_datetime.h"
#include "router/algorithm_internal.h"

namespace shardproxy::router::algo {

namespace {

using datetime::LocalDateTime;

constexpr const char* kType = "INTERVAL";
constexpr size_t kMaxIntervals = 1'000'000;

enum class Temporal : uint8_t { DateTime, Date, YearMonth, Year };

enum class UnitKind : uint8_t { Nanos, Days, Months };

struct Unit {
  const char* javaName;  // ChronoUnit.toString(), which ShardingSphere matches ignoring case
  const char* enumName;  // ChronoUnit.name(), accepted too
  UnitKind kind;
  int64_t amount;  // of nanos, days or months
};

constexpr Unit kUnits[] = {
    {"Nanos", "NANOS", UnitKind::Nanos, 1},
    {"Micros", "MICROS", UnitKind::Nanos, 1'000},
    {"Millis", "MILLIS", UnitKind::Nanos, 1'000'000},
    {"Seconds", "SECONDS", UnitKind::Nanos, 1'000'000'000},
    {"Minutes", "MINUTES", UnitKind::Nanos, 60'000'000'000},
    {"Hours", "HOURS", UnitKind::Nanos, 3'600'000'000'000},
    {"HalfDays", "HALF_DAYS", UnitKind::Nanos, 43'200'000'000'000},
    {"Days", "DAYS", UnitKind::Days, 1},
    {"Weeks", "WEEKS", UnitKind::Days, 7},
    {"Months", "MONTHS", UnitKind::Months, 1},
    {"Years", "YEARS", UnitKind::Months, 12},
    {"Decades", "DECADES", UnitKind::Months, 120},
    {"Centuries", "CENTURIES", UnitKind::Months, 1'200},
    {"Millennia", "MILLENNIA", UnitKind::Months, 12'000},
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const char* temporalName(Temporal t) {
  switch (t) {
    case Temporal::DateTime:
      return "date and time";
    case Temporal::Date:
      return "date";
    case Temporal::YearMonth:
      return "year and month";
    case Temporal::Year:
      return "year";
  }
  return "";
}

class IntervalAlgorithm final : public ShardingAlgorithm {
 public:
  IntervalAlgorithm(datetime::Pattern pattern, Temporal temporal, datetime::Pattern suffix,
                    std::vector<LocalDateTime> bounds)
      : pattern_(std::move(pattern)),
        temporal_(temporal),
        suffix_(std::move(suffix)),
        bounds_(std::move(bounds)) {}

  Kind kind() const override { return Kind::Standard; }
  const char* type() const override { return kType; }

  Result<std::string> shardPrecise(const std::vector<std::string>& targets,
                                   const PreciseShardingValue& value) const override {
    if (value.value.isNull()) return nullValueError(type());
    Result<LocalDateTime> v = read(value.value);
    if (!v) return v.status();
    // The interval whose [start, end) holds v.
    auto after = std::upper_bound(bounds_.begin(), bounds_.end(), *v);
    if (after == bounds_.begin() || after == bounds_.end()) {
      return shardingError(type(), "sharding value " + quoted(value.value.toString()) +
                                       " is outside the intervals from datetime-lower " +
                                       quoted(pattern_.format(bounds_.front())) +
                                       " up to datetime-upper");
    }
    std::string suffix = suffix_.format(*(after - 1));
    for (const std::string& target : targets) {
      if (target.ends_with(suffix)) return target;
    }
    return shardingError(type(), "sharding value " + quoted(value.value.toString()) +
                                     " routes to suffix " + quoted(suffix) +
                                     ", which no data node ends with");
  }

  Result<std::vector<std::string>> shardRange(const std::vector<std::string>& targets,
                                              const RangeShardingValue& value) const override {
    const Range& r = value.range;
    std::optional<LocalDateTime> lo;
    std::optional<LocalDateTime> hi;
    if (r.lower) {
      Result<LocalDateTime> v = read(*r.lower);
      if (!v) return v.status();
      lo = *v;
    }
    if (r.upper) {
      Result<LocalDateTime> v = read(*r.upper);
      if (!v) return v.status();
      hi = *v;
    }
    if (lo && hi && (*lo > *hi || (*lo == *hi && !(r.lowerClosed && r.upperClosed)))) {
      return std::vector<std::string>{};
    }
    // First interval whose (open) end is after lo; then every interval starting before hi (or
    // at hi when hi is closed).
    size_t first = 0;
    if (lo)
      first = static_cast<size_t>(std::upper_bound(bounds_.begin(), bounds_.end(), *lo) -
                                  bounds_.begin());
    first = first == 0 ? 0 : first - 1;
    std::vector<bool> selected(targets.size(), false);
    size_t remaining = targets.size();
    for (size_t i = first; i + 1 < bounds_.size() && remaining > 0; ++i) {
      const LocalDateTime& start = bounds_[i];
      const LocalDateTime& end = bounds_[i + 1];
      if (lo && !(end > *lo)) continue;
      if (hi && (start > *hi || (start == *hi && !r.upperClosed))) break;
      std::string suffix = suffix_.format(start);
      for (size_t t = 0; t < targets.size(); ++t) {
        if (!selected[t] && targets[t].ends_with(suffix)) {
          selected[t] = true;
          --remaining;
        }
      }
    }
    return selectedTargets(targets, selected);
  }

 private:
  Result<LocalDateTime> read(const Value& v) const {
    std::string text = v.toString();
    std::optional<datetime::Parsed> p = pattern_.parse(text);
    if (p) {
      switch (temporal_) {
        case Temporal::DateTime:
          if (p->hasDate()) return datetime::fromCivil(p->year, p->month, p->day, p->nanoOfDay);
          break;
        case Temporal::Date:
          if (p->hasDate()) return datetime::fromCivil(p->year, p->month, p->day);
          break;
        case Temporal::YearMonth:
          if (p->fields.year && p->fields.month) return datetime::fromCivil(p->year, p->month, 1);
          break;
        case Temporal::Year:
          if (p->fields.year) return datetime::fromCivil(p->year, 1, 1);
          break;
      }
    }
    return shardingError(type(), "sharding value " + quoted(text) +
                                     " does not match datetime-pattern " + quoted(pattern_.text()));
  }

  datetime::Pattern pattern_;
  Temporal temporal_;
  datetime::Pattern suffix_;
  // Interval starts, then the end of the last interval: interval i is [bounds_[i], bounds_[i+1]).
  std::vector<LocalDateTime> bounds_;
};

bool sameFields(const datetime::Fields& a, const datetime::Fields& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
         a.minute == b.minute && a.second == b.second && a.nano == b.nano;
}

}  // namespace

Result<std::unique_ptr<ShardingAlgorithm>> createInterval(const Props& props) {
  Result<std::string> patternText = requireProp(kType, props, "datetime-pattern");
  if (!patternText) return patternText.status();
  std::string error;
  std::optional<datetime::Pattern> pattern = datetime::Pattern::compile(*patternText, &error);
  if (!pattern) {
    return configError(kType, "datetime-pattern " + quoted(*patternText) + ": " + error);
  }
  const datetime::Fields& f = pattern->fields();
  bool date = f.year && f.month && f.day;
  Temporal temporal;
  if (f.hour && date) {
    temporal = Temporal::DateTime;
  } else if (!f.hour && !f.minute && !f.second && !f.nano && date) {
    temporal = Temporal::Date;
  } else if (!f.hour && !f.minute && !f.second && !f.nano && !f.day && f.year && f.month) {
    temporal = Temporal::YearMonth;
  } else if (!f.hour && !f.minute && !f.second && !f.nano && !f.day && !f.month && f.year) {
    temporal = Temporal::Year;
  } else {
    return configError(kType, "datetime-pattern " + quoted(*patternText) +
                                  " must hold a date and time, a date, a year and month, or a "
                                  "year (month-only and time-only patterns are not supported)");
  }

  auto readBound = [&](const char* name, const std::string& text) -> Result<LocalDateTime> {
    std::optional<datetime::Parsed> p = pattern->parse(text);
    if (!p || p->trailing || !sameFields(p->fields, pattern->fields())) {
      return configError(kType, std::string(name) + " " + quoted(text) +
                                    " does not match datetime-pattern " + quoted(*patternText));
    }
    return datetime::fromCivil(p->year, p->month, p->day, p->nanoOfDay);
  };
  Result<std::string> lowerText = requireProp(kType, props, "datetime-lower");
  if (!lowerText) return lowerText.status();
  Result<LocalDateTime> lower = readBound("datetime-lower", *lowerText);
  if (!lower) return lower.status();
  LocalDateTime upper;
  if (const std::string* upperText = findProp(props, "datetime-upper")) {
    Result<LocalDateTime> parsed = readBound("datetime-upper", *upperText);
    if (!parsed) return parsed.status();
    if (*parsed < *lower) {
      return configError(kType, "datetime-upper " + quoted(*upperText) +
                                    " is before datetime-lower " + quoted(*lowerText));
    }
    upper = *parsed;
  } else {
    LocalDateTime now = datetime::nowUtc();
    switch (temporal) {
      case Temporal::DateTime:
        upper = now;
        break;
      case Temporal::Date:
        upper = {now.epochDay, 0};
        break;
      case Temporal::YearMonth:
        upper = datetime::fromCivil(now.year(), now.month(), 1);
        break;
      case Temporal::Year:
        upper = datetime::fromCivil(now.year(), 1, 1);
        break;
    }
  }

  Result<std::string> suffixText = requireProp(kType, props, "sharding-suffix-pattern");
  if (!suffixText) return suffixText.status();
  std::optional<datetime::Pattern> suffix = datetime::Pattern::compile(*suffixText, &error);
  if (!suffix) {
    return configError(kType, "sharding-suffix-pattern " + quoted(*suffixText) + ": " + error);
  }
  const datetime::Fields& s = suffix->fields();
  bool suffixFits =
      temporal == Temporal::DateTime ||
      (temporal == Temporal::Date && !s.hour && !s.minute && !s.second && !s.nano) ||
      (temporal == Temporal::YearMonth && !s.day && !s.hour && !s.minute && !s.second && !s.nano) ||
      (temporal == Temporal::Year && !s.month && !s.day && !s.hour && !s.minute && !s.second &&
       !s.nano);
  if (!suffixFits) {
    return configError(kType, "sharding-suffix-pattern " + quoted(*suffixText) +
                                  " uses fields that datetime-pattern " + quoted(*patternText) +
                                  " (a " + temporalName(temporal) + ") does not have");
  }

  Result<int64_t> amount = longProp(kType, props, "datetime-interval-amount", 1, 1,
                                    std::numeric_limits<int32_t>::max(), "a positive integer");
  if (!amount) return amount.status();
  const Unit* unit = &kUnits[7];  // DAYS by default
  if (const std::string* unitText = findProp(props, "datetime-interval-unit")) {
    unit = nullptr;
    for (const Unit& u : kUnits) {
      if (equalsIgnoreCase(*unitText, u.javaName) || equalsIgnoreCase(*unitText, u.enumName)) {
        unit = &u;
      }
    }
    if (unit == nullptr) {
      return configError(kType,
                         "datetime-interval-unit must be a ChronoUnit from NANOS to "
                         "MILLENNIA (e.g. DAYS, MONTHS), got " +
                             quoted(*unitText));
    }
  }
  bool unitFits =
      temporal == Temporal::DateTime ||
      (temporal == Temporal::Date && unit->kind != UnitKind::Nanos) ||
      (temporal == Temporal::YearMonth && unit->kind == UnitKind::Months) ||
      (temporal == Temporal::Year && unit->kind == UnitKind::Months && unit->amount % 12 == 0);
  if (!unitFits) {
    return configError(kType, std::string("datetime-interval-unit ") + unit->enumName +
                                  " cannot step a " + temporalName(temporal) +
                                  " (datetime-pattern " + quoted(*patternText) + ")");
  }

  // Each start is the previous one plus the step, as ShardingSphere iterates (so month ends
  // clamp cumulatively: Jan 31, Feb 29, Mar 29 ...).
  std::vector<LocalDateTime> bounds;
  LocalDateTime at = *lower;
  for (;;) {
    bounds.push_back(at);
    if (at > upper) break;  // the end of the last interval
    if (bounds.size() > kMaxIntervals) {
      return configError(kType, "datetime-lower to datetime-upper holds more than " +
                                    std::to_string(kMaxIntervals) +
                                    " intervals; raise datetime-interval-amount or the unit");
    }
    switch (unit->kind) {
      case UnitKind::Nanos:
        at = at.plusNanos(static_cast<__int128>(*amount) * unit->amount);
        break;
      case UnitKind::Days:
        at = at.plusDays(*amount * unit->amount);
        break;
      case UnitKind::Months:
        at = at.plusMonths(*amount * unit->amount);
        break;
    }
  }
  return std::unique_ptr<ShardingAlgorithm>(std::make_unique<IntervalAlgorithm>(
      std::move(*pattern), temporal, std::move(*suffix), std::move(bounds)));
}

}  // namespace shardproxy::router::algo
