#include "merger/compare.h"

#include <charconv>
#include <cstdlib>
#include <optional>

#include "merger/decimal.h"
#include "protocol/constants.h"

namespace shardproxy::merger {

namespace {

using protocol::ColumnType;

constexpr uint16_t kBinaryCollation = 63;

// Collations that compare trailing spaces (NO PAD): MySQL 8's utf8mb4_0900_* (255-323) and
// MariaDB's *_nopad_* (1024 + the PAD SPACE collation's id). MariaDB's UCA-14 ids (2048+) are
// taken as PAD SPACE: an approximation.
bool noPad(uint16_t collation) {
  return (collation >= 255 && collation <= 323) || (collation >= 1024 && collation < 2048);
}

int sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

int compareExact(std::string_view a, std::string_view b) {
  int64_t x = 0;
  int64_t y = 0;
  auto rx = std::from_chars(a.data(), a.data() + a.size(), x);
  auto ry = std::from_chars(b.data(), b.data() + b.size(), y);
  if (rx.ec == std::errc() && rx.ptr == a.data() + a.size() && ry.ec == std::errc() &&
      ry.ptr == b.data() + b.size()) {
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  auto da = parseDecimal(a);
  auto db = parseDecimal(b);
  if (da && db) return compareDecimal(*da, *db);
  // Not a number as MySQL writes one: fall back to doubles, then bytes, never a crash.
  std::string sa(a);
  std::string sb(b);
  char* ea = nullptr;
  char* eb = nullptr;
  double fa = std::strtod(sa.c_str(), &ea);
  double fb = std::strtod(sb.c_str(), &eb);
  if (*ea == '\0' && *eb == '\0' && ea != sa.c_str() && eb != sb.c_str()) {
    return fa < fb ? -1 : (fa > fb ? 1 : 0);
  }
  return sign(a.compare(b));
}

int compareDouble(std::string_view a, std::string_view b) {
  std::string sa(a);
  std::string sb(b);
  double x = std::strtod(sa.c_str(), nullptr);
  double y = std::strtod(sb.c_str(), nullptr);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// TIME text "[-]h...h:mm:ss[.ffffff]" as a signed count of microseconds.
std::optional<int64_t> timeValue(std::string_view t) {
  bool negative = !t.empty() && t[0] == '-';
  if (negative) t.remove_prefix(1);
  int64_t parts[3] = {0, 0, 0};
  int part = 0;
  size_t i = 0;
  for (; i < t.size() && t[i] != '.'; ++i) {
    char c = t[i];
    if (c == ':') {
      if (++part > 2) return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      parts[part] = parts[part] * 10 + (c - '0');
      if (parts[part] > 100'000'000) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  int64_t micros = 0;
  int digits = 0;
  if (i < t.size()) {
    for (++i; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      if (digits < 6) micros = micros * 10 + (t[i] - '0');
      ++digits;
    }
  }
  for (; digits < 6; ++digits) micros *= 10;
  // "12:34" is hh:mm, "12" alone would be seconds: MySQL always writes all three parts.
  int64_t seconds = part == 2 ? parts[0] * 3600 + parts[1] * 60 + parts[2]
                              : (part == 1 ? parts[0] * 3600 + parts[1] * 60 : parts[0]);
  int64_t v = seconds * 1'000'000 + micros;
  return negative ? -v : v;
}

int compareTime(std::string_view a, std::string_view b) {
  auto x = timeValue(a);
  auto y = timeValue(b);
  if (!x || !y) return sign(a.compare(b));
  return *x < *y ? -1 : (*x > *y ? 1 : 0);
}

// One UTF-8 code point from `s` at `i` (advanced); an invalid byte is taken as itself.
uint32_t decode(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  if (c < 0x80) {
    ++i;
    return c;
  }
  if ((c & 0xE0) == 0xC0 && cont(i + 1)) {
    uint32_t cp = ((c & 0x1Fu) << 6) | (byte(i + 1) & 0x3Fu);
    i += 2;
    return cp;
  }
  if ((c & 0xF0) == 0xE0 && cont(i + 1) && cont(i + 2)) {
    uint32_t cp = ((c & 0x0Fu) << 12) | ((byte(i + 1) & 0x3Fu) << 6) | (byte(i + 2) & 0x3Fu);
    i += 3;
    return cp;
  }
  if ((c & 0xF8) == 0xF0 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
    uint32_t cp = ((c & 0x07u) << 18) | ((byte(i + 1) & 0x3Fu) << 12) |
                  ((byte(i + 2) & 0x3Fu) << 6) | (byte(i + 3) & 0x3Fu);
    i += 4;
    return cp;
  }
  ++i;
  return 0xDC00u + c;  // a lone byte: a lone-surrogate code point no valid text produces
}

// The weight of a code point under a simplified utf8mb4_general_ci: upper case (general_ci
// weighs letters by their upper case, so 'a' < '_'), Latin-1 letters without their accents
// ('é' = 'E', 'ß' = 'S'), Latin Extended-A, Greek and Cyrillic letters case-folded. Other
// scripts compare by code point.
uint32_t fold(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') ? cp - 0x20 : cp;
  if (cp >= 0xC0 && cp <= 0xFF) {
    static constexpr char kBase[] =
        // C0-DF: ÀÁÂÃÄÅÆÇ ÈÉÊËÌÍÎÏ ÐÑÒÓÔÕÖ× ØÙÚÛÜÝÞß
        "AAAAAA\0C"
        "EEEEIIII"
        "DNOOOOO\0"
        "OUUUUY\0S"
        // E0-FF: àáâãäåæç èéêëìíîï ðñòóôõö÷ øùúûüýþÿ
        "AAAAAA\0C"
        "EEEEIIII"
        "DNOOOOO\0"
        "OUUUUY\0Y";
    char base = kBase[cp - 0xC0];
    if (base != '\0') return static_cast<unsigned char>(base);
    if (cp == 0xE6 || cp == 0xFE) return cp - 0x20;  // æ þ
    return cp;
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    // Pairs upper/lower, even/odd, except 0x138-0x148 and 0x179-0x17E (odd/even).
    bool oddUpper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (oddUpper) return (cp % 2 == 0) ? cp - 1 : cp;
    if (cp == 0x17F) return 'S';
    return (cp % 2 == 1 && cp != 0x131 && cp != 0x138) ? cp - 1 : cp;
  }
  if (cp >= 0x3B1 && cp <= 0x3C9) return cp == 0x3C2 ? 0x3A3 : cp - 0x20;
  if (cp >= 0x430 && cp <= 0x44F) return cp - 0x20;
  if (cp >= 0x450 && cp <= 0x45F) return cp - 0x50;
  return cp;
}

int compareFolded(std::string_view a, std::string_view b, bool pad) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    uint32_t x = fold(decode(a, i));
    uint32_t y = fold(decode(b, j));
    if (x != y) return x < y ? -1 : 1;
  }
  if (i == a.size() && j == b.size()) return 0;
  if (!pad) return i == a.size() ? -1 : 1;
  // PAD SPACE: the shorter one compares as if followed by spaces.
  std::string_view rest = i < a.size() ? a.substr(i) : b.substr(j);
  int longer = i < a.size() ? 1 : -1;
  for (size_t k = 0; k < rest.size();) {
    uint32_t x = fold(decode(rest, k));
    if (x != ' ') return x > ' ' ? longer : -longer;
  }
  return 0;
}

int compareBytesPadded(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  if (int c = a.substr(0, n).compare(b.substr(0, n)); c != 0) return sign(c);
  std::string_view rest = a.size() > n ? a.substr(n) : b.substr(n);
  int longer = a.size() > n ? 1 : -1;
  for (char c : rest) {
    auto u = static_cast<unsigned char>(c);
    if (u != ' ') return u > ' ' ? longer : -longer;
  }
  return 0;
}

}  // namespace

ColumnComparator::ColumnComparator(const ColumnInfo& column) {
  switch (static_cast<ColumnType>(column.type)) {
    case ColumnType::kDecimal:
    case ColumnType::kNewDecimal:
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kInt24:
    case ColumnType::kYear:
      kind_ = Kind::Exact;
      break;
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      kind_ = Kind::Double;
      break;
    case ColumnType::kDate:
    case ColumnType::kNewDate:
    case ColumnType::kDatetime:
    case ColumnType::kDatetime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
      kind_ = Kind::Lexical;
      break;
    case ColumnType::kTime:
    case ColumnType::kTime2:
      kind_ = Kind::Time;
      break;
    case ColumnType::kBit:
    case ColumnType::kJson:
    case ColumnType::kGeometry:
    case ColumnType::kNull:
      kind_ = Kind::Bytes;
      break;
    default:  // strings, blobs, ENUM, SET
      if (column.collation == kBinaryCollation) {
        kind_ = Kind::Bytes;
      } else if (column.binary) {
        kind_ = noPad(column.collation) ? Kind::Bytes : Kind::BytesPadded;
      } else {
        kind_ = noPad(column.collation) ? Kind::CaseFoldedNoPad : Kind::CaseFolded;
      }
      break;
  }
}

int ColumnComparator::compareText(std::string_view a, std::string_view b) const {
  switch (kind_) {
    case Kind::Exact:
      return compareExact(a, b);
    case Kind::Double:
      return compareDouble(a, b);
    case Kind::Lexical:
    case Kind::Bytes:
      return sign(a.compare(b));
    case Kind::Time:
      return compareTime(a, b);
    case Kind::BytesPadded:
      return compareBytesPadded(a, b);
    case Kind::CaseFolded:
      return compareFolded(a, b, true);
    case Kind::CaseFoldedNoPad:
      return compareFolded(a, b, false);
  }
  return 0;
}

int ColumnComparator::compare(const Cell& a, const Cell& b) const {
  if (a.null || b.null) return a.null == b.null ? 0 : (a.null ? -1 : 1);
  return compareText(a.text, b.text);
}

int RowComparator::compare(const Row& a, const Row& b) const {
  for (const SortKey& key : keys_) {
    int c = key.comparator.compare(a[key.column], b[key.column]);
    if (c != 0) return key.desc ? -c : c;
  }
  return 0;
}

}  // namespace shardproxy::merger
