// Civil-calendar arithmetic (days from civil, Howard Hinnant's algorithms) and the
// DateTimeFormatter pattern subset of algorithm_datetime.h.
#include "router/algorithm_datetime.h"

#include <algorithm>
#include <chrono>

namespace shardproxy::router::datetime {

namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t floorMod(int64_t a, int64_t b) { return a - floorDiv(a, b) * b; }

bool isLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

// Java's year range; keeps every computation far from int64 overflow.
constexpr int64_t kMaxYear = 999'999'999;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string padded(int64_t value, int width) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  if (static_cast<int>(digits.size()) < width) {
    digits.insert(0, static_cast<size_t>(width) - digits.size(), '0');
  }
  return value < 0 ? "-" + digits : digits;
}

}  // namespace

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = floorDiv(y, 400);
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

void civilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = floorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2);
}

unsigned lengthOfMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeap(year) ? 29 : kDays[month - 1];
}

int64_t LocalDateTime::year() const {
  int64_t y;
  unsigned m, d;
  civilFromDays(epochDay, &y, &m, &d);
  return y;
}

unsigned LocalDateTime::month() const {
  int64_t y;
  unsigned m, d;
  civilFromDays(epochDay, &y, &m, &d);
  return m;
}

unsigned LocalDateTime::day() const {
  int64_t y;
  unsigned m, d;
  civilFromDays(epochDay, &y, &m, &d);
  return d;
}

LocalDateTime LocalDateTime::plusNanos(__int128 nanos) const {
  __int128 total = static_cast<__int128>(nanoOfDay) + nanos;
  __int128 days = total / kNanosPerDay;
  __int128 rest = total % kNanosPerDay;
  if (rest < 0) {
    rest += kNanosPerDay;
    days -= 1;
  }
  return {epochDay + static_cast<int64_t>(days), static_cast<int64_t>(rest)};
}

LocalDateTime LocalDateTime::plusMonths(int64_t months) const {
  int64_t y;
  unsigned m, d;
  civilFromDays(epochDay, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + months;
  int64_t newYear = floorDiv(total, 12);
  auto newMonth = static_cast<unsigned>(floorMod(total, 12) + 1);
  unsigned newDay = std::min(d, lengthOfMonth(newYear, newMonth));
  return {daysFromCivil(newYear, newMonth, newDay), nanoOfDay};
}

LocalDateTime fromCivil(int64_t year, unsigned month, unsigned day, int64_t nanoOfDay) {
  return {daysFromCivil(year, month, day), nanoOfDay};
}

LocalDateTime nowUtc() {
  auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  int64_t days = floorDiv(since, kNanosPerDay);
  return {days, since - days * kNanosPerDay};
}

std::optional<Pattern> Pattern::compile(std::string_view pattern, std::string* error) {
  Pattern result;
  result.text_ = std::string(pattern);
  auto fail = [&](const std::string& message) -> std::optional<Pattern> {
    *error = message;
    return std::nullopt;
  };
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      int count = static_cast<int>(j - i);
      Token t;
      t.letter = c;
      t.count = count;
      switch (c) {
        case 'y':
        case 'u':
          t.letter = 'y';
          t.minWidth = count == 2 ? 2 : count;
          t.maxWidth = count == 2 ? 2 : 19;
          result.fields_.year = true;
          break;
        case 'M':
        case 'd':
        case 'H':
        case 'm':
        case 's':
          if (count > 2) {
            return fail(c == 'M' ? "month names (MMM) are not supported"
                                 : std::string("too many pattern letters: ") + c);
          }
          t.minWidth = count;
          t.maxWidth = count == 1 ? 19 : 2;
          (c == 'M'   ? result.fields_.month
           : c == 'd' ? result.fields_.day
           : c == 'H' ? result.fields_.hour
           : c == 'm' ? result.fields_.minute
                      : result.fields_.second) = true;
          break;
        case 'S':
          if (count > 9) return fail("too many pattern letters: S");
          t.minWidth = t.maxWidth = count;
          result.fields_.nano = true;
          break;
        default:
          return fail(std::string("pattern letter '") + c +
                      "' is not supported (supported: y u M d H m s S)");
      }
      result.tokens_.push_back(std::move(t));
      i = j;
    } else if (c == '\'') {
      size_t j = i + 1;
      std::string literal;
      if (j < pattern.size() && pattern[j] == '\'') {
        literal.push_back('\'');  // (not `= "'"`: GCC 12 warns falsely of an overlapping copy)
        j += 1;
      } else {
        for (;;) {
          if (j >= pattern.size()) return fail("unterminated quote");
          if (pattern[j] == '\'') {
            if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
              literal += '\'';
              j += 2;
              continue;
            }
            ++j;
            break;
          }
          literal += pattern[j++];
        }
      }
      Token t;
      t.literal = std::move(literal);
      result.tokens_.push_back(std::move(t));
      i = j;
    } else if (c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
      return fail(std::string("'") + c + "' is not supported in patterns");
    } else {
      Token t;
      t.literal = std::string(1, c);
      result.tokens_.push_back(std::move(t));
      ++i;
    }
  }
  if (result.tokens_.empty()) return fail("empty pattern");
  return result;
}

std::optional<Parsed> Pattern::parse(std::string_view text) const {
  Parsed out;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, nano = 0;
  size_t pos = 0;
  for (size_t k = 0; k < tokens_.size(); ++k) {
    const Token& t = tokens_[k];
    if (pos == text.size() && k > 0) break;  // a shorter value: the fields seen so far
    if (t.letter == 0) {
      size_t n = std::min(t.literal.size(), text.size() - pos);
      if (text.compare(pos, n, t.literal, 0, n) != 0) return std::nullopt;
      pos += n;
      continue;
    }
    size_t avail = 0;
    while (pos + avail < text.size() && isDigit(text[pos + avail])) ++avail;
    // Adjacent value parsing: a variable-width field leaves room for the fixed-width numeric
    // fields right after it ("yyyyMMdd").
    size_t reserved = 0;
    if (t.minWidth != t.maxWidth) {
      for (size_t n = k + 1; n < tokens_.size(); ++n) {
        const Token& next = tokens_[n];
        if (next.letter == 0 || next.minWidth != next.maxWidth) break;
        reserved += static_cast<size_t>(next.minWidth);
      }
    }
    size_t width =
        std::min(static_cast<size_t>(t.maxWidth), avail > reserved ? avail - reserved : 0);
    width = std::max(width, static_cast<size_t>(t.minWidth));
    if (width > avail) return std::nullopt;
    int64_t value = 0;
    for (size_t n = 0; n < width; ++n) {
      if (value > (INT64_MAX - 9) / 10) return std::nullopt;
      value = value * 10 + (text[pos + n] - '0');
    }
    pos += width;
    switch (t.letter) {
      case 'y':
        year = t.count == 2 ? 2000 + value : value;
        if (year > kMaxYear) return std::nullopt;
        out.fields.year = true;
        break;
      case 'M':
        month = value;
        out.fields.month = true;
        break;
      case 'd':
        day = value;
        out.fields.day = true;
        break;
      case 'H':
        hour = value;
        out.fields.hour = true;
        break;
      case 'm':
        minute = value;
        out.fields.minute = true;
        break;
      case 's':
        second = value;
        out.fields.second = true;
        break;
      case 'S':
        nano = value;
        for (int n = t.count; n < 9; ++n) nano *= 10;
        out.fields.nano = true;
        break;
    }
  }
  out.trailing = pos < text.size();
  if (out.fields.month && (month < 1 || month > 12)) return std::nullopt;
  if (out.fields.day && (day < 1 || day > 31)) return std::nullopt;
  if (out.fields.hour && hour > 23) return std::nullopt;
  if (out.fields.minute && minute > 59) return std::nullopt;
  if (out.fields.second && second > 59) return std::nullopt;
  // A time needs its leading fields (Java cannot resolve a minute without an hour).
  if ((out.fields.minute && !out.fields.hour) || (out.fields.second && !out.fields.minute) ||
      (out.fields.nano && !out.fields.second)) {
    out.fields.hour = out.fields.minute = out.fields.second = out.fields.nano = false;
  }
  out.year = year;
  out.month = out.fields.month ? static_cast<unsigned>(month) : 1;
  out.day = out.fields.day ? static_cast<unsigned>(day) : 1;
  if (out.fields.year && out.fields.month && out.fields.day) {
    // ResolverStyle.SMART: 29-31 beyond the month's end become its last day.
    out.day = std::min(out.day, lengthOfMonth(year, out.month));
  }
  out.nanoOfDay = ((hour * 60 + minute) * 60 + second) * kNanosPerSecond + nano;
  return out;
}

std::string Pattern::format(const LocalDateTime& value) const {
  int64_t year;
  unsigned month, day;
  civilFromDays(value.epochDay, &year, &month, &day);
  int64_t secondOfDay = value.nanoOfDay / kNanosPerSecond;
  std::string out;
  for (const Token& t : tokens_) {
    switch (t.letter) {
      case 0:
        out += t.literal;
        break;
      case 'y':
        if (t.count == 2) {
          out += padded(floorMod(year, 100), 2);
        } else {
          std::string digits = padded(year, t.count);
          // SignStyle.EXCEEDS_PAD (4 letters or more): '+' when wider than the pattern.
          if (t.count >= 4 && year > 0 && static_cast<int>(digits.size()) > t.count) out += '+';
          out += digits;
        }
        break;
      case 'M':
        out += padded(month, t.count);
        break;
      case 'd':
        out += padded(day, t.count);
        break;
      case 'H':
        out += padded(secondOfDay / 3600, t.count);
        break;
      case 'm':
        out += padded(secondOfDay / 60 % 60, t.count);
        break;
      case 's':
        out += padded(secondOfDay % 60, t.count);
        break;
      case 'S':
        out += padded(value.nanoOfDay % kNanosPerSecond, 9).substr(0, static_cast<size_t>(t.count));
        break;
    }
  }
  return out;
}

}  // namespace shardproxy::router::datetime
