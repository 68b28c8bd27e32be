#include "protocol/binary_row.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "protocol/buffer.h"

namespace shardproxy::protocol {

namespace {

// The first two bits of a result row's NULL bitmap are reserved (COM_STMT_EXECUTE's bitmap has
// no such offset).
constexpr size_t kNullBitOffset = 2;

size_t bitmapBytes(size_t columns) { return (columns + 7 + kNullBitOffset) / 8; }

// Parses all of `text` as T; from_chars takes no '+', spaces or hex prefix, and neither does the
// server's text protocol produce them.
template <typename T>
bool parseWhole(std::string_view text, T& v) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  return ec == std::errc() && ptr == end;
}

bool parseInteger(std::string_view text, BinaryForm form, bool isUnsigned, BinaryValue& v) {
  int bits = form == BinaryForm::kInt8    ? 8
             : form == BinaryForm::kInt16 ? 16
             : form == BinaryForm::kInt32 ? 32
                                          : 64;
  if (isUnsigned) {
    uint64_t u;
    if (!parseWhole(text, u) || (bits < 64 && u >> bits != 0)) return false;
    v.kind = BinaryValue::Kind::kUnsigned;
    v.u = u;
  } else {
    int64_t i;
    if (!parseWhole(text, i)) return false;
    if (bits < 64) {
      int64_t limit = int64_t{1} << (bits - 1);
      if (i < -limit || i >= limit) return false;
    }
    v.kind = BinaryValue::Kind::kSigned;
    v.i = i;
  }
  return true;
}

// The server never sends inf or nan (a column cannot hold them), so such text is not a value.
template <typename T>
bool parseFloating(std::string_view text, double& d) {
  T v;
  if (!parseWhole(text, v) || !std::isfinite(v)) return false;
  d = v;
  return true;
}

bool takeChar(std::string_view& s, char c) {
  if (s.empty() || s[0] != c) return false;
  s.remove_prefix(1);
  return true;
}

size_t leadingDigits(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  return n;
}

// Exactly `n` (at most 9, so no overflow) decimal digits.
bool takeDigits(std::string_view& s, size_t n, uint32_t& v) {
  if (n == 0 || n > 9 || leadingDigits(s) < n) return false;
  uint32_t r = 0;
  for (size_t i = 0; i < n; ++i) r = r * 10 + static_cast<uint32_t>(s[i] - '0');
  s.remove_prefix(n);
  v = r;
  return true;
}

// An optional ".f" of 1 to 6 digits, scaled to microseconds.
bool takeFraction(std::string_view& s, uint32_t& micro) {
  micro = 0;
  if (s.empty()) return true;
  size_t digits = leadingDigits(s.substr(1));
  if (digits > 6 || !takeChar(s, '.') || !takeDigits(s, digits, micro)) return false;
  for (size_t i = digits; i < 6; ++i) micro *= 10;
  return true;
}

// "HH:MM:SS[.f]" after the hours, which the caller reads (TIME's exceed two digits).
bool takeMinutesSeconds(std::string_view& s, uint32_t& minute, uint32_t& second, uint32_t& micro) {
  return takeChar(s, ':') && takeDigits(s, 2, minute) && minute <= 59 && takeChar(s, ':') &&
         takeDigits(s, 2, second) && second <= 59 && takeFraction(s, micro) && s.empty();
}

// "YYYY-MM-DD[ HH:MM:SS[.f]]"; zero dates and zero parts are values (the server sends them
// unless NO_ZERO_DATE / NO_ZERO_IN_DATE forbade storing them).
bool parseDateTime(std::string_view s, bool dateOnly, BinaryDateTime& out) {
  uint32_t year, month, day, hour = 0, minute = 0, second = 0, micro = 0;
  if (!takeDigits(s, 4, year) || !takeChar(s, '-') || !takeDigits(s, 2, month) || month > 12 ||
      !takeChar(s, '-') || !takeDigits(s, 2, day) || day > 31) {
    return false;
  }
  if (!s.empty() && (dateOnly || !takeChar(s, ' ') || !takeDigits(s, 2, hour) || hour > 23 ||
                     !takeMinutesSeconds(s, minute, second, micro))) {
    return false;
  }
  out = {static_cast<uint16_t>(year),
         static_cast<uint8_t>(month),
         static_cast<uint8_t>(day),
         static_cast<uint8_t>(hour),
         static_cast<uint8_t>(minute),
         static_cast<uint8_t>(second),
         micro};
  return true;
}

// "[-]H:MM:SS[.f]" with the hours of TIME's range (-838:59:59 to 838:59:59), which the binary
// form splits into days and hours.
bool parseTime(std::string_view s, BinaryTime& out) {
  constexpr uint32_t kMaxHours = 838;
  bool negative = takeChar(s, '-');
  uint32_t hours, minute, second, micro;
  if (!takeDigits(s, leadingDigits(s), hours) || hours > kMaxHours ||
      !takeMinutesSeconds(s, minute, second, micro)) {
    return false;
  }
  out = {negative,
         hours / 24,
         static_cast<uint8_t>(hours % 24),
         static_cast<uint8_t>(minute),
         static_cast<uint8_t>(second),
         micro};
  return true;
}

}  // namespace

BinaryRowWriter::BinaryRowWriter(std::string& out, size_t columns)
    : out_(out), bitmapAt_(out.size() + 1), columns_(columns) {
  Writer w(out_);
  w.u8(0x00);
  w.zeros(bitmapBytes(columns));
}

void BinaryRowWriter::null() {
  if (column_ >= columns_) return;
  size_t bit = column_ + kNullBitOffset;
  out_[bitmapAt_ + bit / 8] |= static_cast<char>(1 << (bit % 8));
  ++column_;
}

bool BinaryRowWriter::value(ColumnType type, bool isUnsigned, std::string_view text) {
  if (column_ >= columns_) return false;
  BinaryValue v;
  BinaryForm form = binaryFormOf(type);
  switch (form) {
    case BinaryForm::kInvalid:
      return false;
    case BinaryForm::kNone:
      null();
      return true;
    case BinaryForm::kInt8:
    case BinaryForm::kInt16:
    case BinaryForm::kInt32:
    case BinaryForm::kInt64:
      if (!parseInteger(text, form, isUnsigned, v)) return false;
      break;
    case BinaryForm::kFloat:
      if (!parseFloating<float>(text, v.d)) return false;
      v.kind = BinaryValue::Kind::kFloat;
      break;
    case BinaryForm::kDouble:
      if (!parseFloating<double>(text, v.d)) return false;
      v.kind = BinaryValue::Kind::kDouble;
      break;
    case BinaryForm::kDecimal:
    case BinaryForm::kBytes:
      v.kind =
          form == BinaryForm::kDecimal ? BinaryValue::Kind::kDecimal : BinaryValue::Kind::kBytes;
      v.bytes = text;
      break;
    case BinaryForm::kDateTime:
      if (!parseDateTime(text, type == ColumnType::kDate, v.dateTime)) return false;
      v.kind = BinaryValue::Kind::kDateTime;
      break;
    case BinaryForm::kTime:
      if (!parseTime(text, v.time)) return false;
      v.kind = BinaryValue::Kind::kTime;
      break;
  }
  writeBinaryValue(out_, ParamType{type, isUnsigned}, v);
  ++column_;
  return true;
}

std::optional<std::vector<std::optional<std::string_view>>> decodeBinaryRow(
    std::string_view payload, const std::vector<ParamType>& types) {
  Reader r(payload);
  uint8_t header;
  std::string_view bitmap;
  if (!r.u8(header) || header != 0x00 || !r.bytes(bitmapBytes(types.size()), bitmap)) {
    return std::nullopt;
  }
  auto isNull = [&](size_t bit) {
    return (static_cast<uint8_t>(bitmap[bit / 8]) >> (bit % 8)) & 1;
  };
  for (size_t bit = 0; bit < bitmap.size() * 8; ++bit) {
    bool reserved = bit < kNullBitOffset || bit >= types.size() + kNullBitOffset;
    if (reserved && isNull(bit)) return std::nullopt;
  }
  std::vector<std::optional<std::string_view>> row;
  row.reserve(types.size());  // bounded by the payload: the bitmap has been read
  std::string_view values = r.rest();
  for (size_t i = 0; i < types.size(); ++i) {
    if (isNull(i + kNullBitOffset)) {
      row.emplace_back(std::nullopt);
      continue;
    }
    std::string_view before = values;
    BinaryValue v;
    if (!readBinaryValue(values, types[i], v)) return std::nullopt;
    bool lengthEncoded =
        v.kind == BinaryValue::Kind::kDecimal || v.kind == BinaryValue::Kind::kBytes;
    row.emplace_back(lengthEncoded ? v.bytes : before.substr(0, before.size() - values.size()));
  }
  if (!values.empty()) return std::nullopt;
  return row;
}

}  // namespace shardproxy::protocol
