// Private to INTERVAL and AUTO_INTERVAL: Java LocalDateTime arithmetic without zones (civil
// calendar, proleptic Gregorian) and the subset of java.time DateTimeFormatter patterns that
// sharding configurations use.
//
// Pattern letters supported: y and u (year; yy = two digits based on 2000), M (month as a
// number: M or MM), d (day of month), H (hour 0-23), m (minute), s (second), S (fraction of a
// second, 1 to 9 digits). Anything else that is not a letter is a literal; 'quoted text' and ''
// too. Other letters (month names, am/pm, zones, week fields) are refused when the pattern is
// compiled, as are [optional] sections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shardproxy::router::datetime {

int64_t daysFromCivil(int64_t year, unsigned month, unsigned day);
void civilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);
unsigned lengthOfMonth(int64_t year, unsigned month);

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

// Java's LocalDateTime: a day and a time of day, no zone.
struct LocalDateTime {
  int64_t epochDay = 0;
  int64_t nanoOfDay = 0;

  int64_t year() const;
  unsigned month() const;
  unsigned day() const;
  int64_t epochSecond() const { return epochDay * 86'400 + nanoOfDay / kNanosPerSecond; }

  LocalDateTime plusNanos(__int128 nanos) const;
  LocalDateTime plusDays(int64_t days) const { return {epochDay + days, nanoOfDay}; }
  // LocalDate.plusMonths: the day is clamped to the new month's length.
  LocalDateTime plusMonths(int64_t months) const;

  friend auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
  friend bool operator==(const LocalDateTime&, const LocalDateTime&) = default;
};

LocalDateTime fromCivil(int64_t year, unsigned month, unsigned day, int64_t nanoOfDay = 0);
// The current UTC time (ShardingSphere uses LocalDateTime.now() in the JVM's zone; a proxy's
// routing must not depend on the host's zone).
LocalDateTime nowUtc();

// Which fields a pattern (or a parsed text) holds.
struct Fields {
  bool year = false;
  bool month = false;
  bool day = false;
  bool hour = false;
  bool minute = false;
  bool second = false;
  bool nano = false;
};

// The outcome of parsing: the fields found, resolved SMART-style (day of month clamped to the
// month's length, missing minute/second/nano 0).
struct Parsed {
  Fields fields;
  int64_t year = 0;
  unsigned month = 1;
  unsigned day = 1;
  int64_t nanoOfDay = 0;
  bool trailing = false;  // text left after the pattern (ignored)
  bool hasDate() const { return fields.year && fields.month && fields.day; }
  bool hasTime() const { return fields.hour; }
};

class Pattern {
 public:
  // nullopt with *error set when the pattern uses something unsupported.
  static std::optional<Pattern> compile(std::string_view pattern, std::string* error);

  // Parses the start of `text`. Text after the pattern is ignored (ShardingSphere cuts values
  // to the pattern's length); text that ends early at a field boundary parses the fields seen
  // (ShardingSphere's relaxed prefix pattern for short values). nullopt when the text does not
  // match or a field is out of range.
  std::optional<Parsed> parse(std::string_view text) const;
  // Formats with the pattern; every field the pattern uses must be meaningful for `value`.
  std::string format(const LocalDateTime& value) const;

  const Fields& fields() const { return fields_; }
  const std::string& text() const { return text_; }

 private:
  struct Token {
    char letter = 0;  // 0 for a literal
    int count = 0;
    std::string literal;
    int minWidth = 0;
    int maxWidth = 0;
  };
  std::vector<Token> tokens_;
  Fields fields_;
  std::string text_;
};

}  // namespace shardproxy::router::datetime
