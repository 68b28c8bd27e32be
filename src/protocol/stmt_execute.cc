#include "protocol/stmt_execute.h"

#include <bit>
#include <cmath>
#include <limits>

#include "protocol/buffer.h"

namespace shardproxy::protocol {

BinaryForm binaryFormOf(ColumnType type) {
  switch (type) {
    case ColumnType::kNull:
      return BinaryForm::kNone;
    case ColumnType::kTiny:
      return BinaryForm::kInt8;
    case ColumnType::kShort:
    case ColumnType::kYear:
      return BinaryForm::kInt16;
    case ColumnType::kLong:
    case ColumnType::kInt24:
      return BinaryForm::kInt32;
    case ColumnType::kLongLong:
      return BinaryForm::kInt64;
    case ColumnType::kFloat:
      return BinaryForm::kFloat;
    case ColumnType::kDouble:
      return BinaryForm::kDouble;
    case ColumnType::kDecimal:
    case ColumnType::kNewDecimal:
      return BinaryForm::kDecimal;
    case ColumnType::kVarchar:
    case ColumnType::kBit:
    case ColumnType::kJson:
    case ColumnType::kEnum:
    case ColumnType::kSet:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kVarString:
    case ColumnType::kString:
    case ColumnType::kGeometry:
      return BinaryForm::kBytes;
    case ColumnType::kDate:
    case ColumnType::kDatetime:
    case ColumnType::kTimestamp:
      return BinaryForm::kDateTime;
    case ColumnType::kTime:
      return BinaryForm::kTime;
    case ColumnType::kNewDate:
    case ColumnType::kTimestamp2:
    case ColumnType::kDatetime2:
    case ColumnType::kTime2:
      return BinaryForm::kInvalid;
  }
  return BinaryForm::kInvalid;  // a byte from the wire that names no enumerator
}

namespace {

size_t intWidth(BinaryForm form) {
  switch (form) {
    case BinaryForm::kInt8:
      return 1;
    case BinaryForm::kInt16:
      return 2;
    case BinaryForm::kInt32:
      return 4;
    default:
      return 8;
  }
}

int64_t signExtend(uint64_t raw, size_t width) {
  switch (width) {
    case 1:
      return static_cast<int8_t>(raw);
    case 2:
      return static_cast<int16_t>(raw);
    case 4:
      return static_cast<int32_t>(raw);
    default:
      return static_cast<int64_t>(raw);
  }
}

bool readDateTime(Reader& r, BinaryDateTime& out) {
  uint8_t length;
  if (!r.u8(length) || (length != 0 && length != 4 && length != 7 && length != 11)) return false;
  BinaryDateTime dt;
  if (length >= 4 && (!r.u16(dt.year) || !r.u8(dt.month) || !r.u8(dt.day))) return false;
  if (length >= 7 && (!r.u8(dt.hour) || !r.u8(dt.minute) || !r.u8(dt.second))) return false;
  if (length == 11 && !r.u32(dt.microsecond)) return false;
  out = dt;
  return true;
}

bool readTime(Reader& r, BinaryTime& out) {
  uint8_t length;
  if (!r.u8(length) || (length != 0 && length != 8 && length != 12)) return false;
  BinaryTime t;
  if (length >= 8) {
    uint8_t negative;
    if (!r.u8(negative) || negative > 1 || !r.u32(t.days) || !r.u8(t.hour) || !r.u8(t.minute) ||
        !r.u8(t.second)) {
      return false;
    }
    t.negative = negative == 1;
  }
  if (length == 12 && !r.u32(t.microsecond)) return false;
  out = t;
  return true;
}

void writeDateTime(Writer& w, const BinaryDateTime& dt, bool dateOnly) {
  bool hasDate = dt.year != 0 || dt.month != 0 || dt.day != 0;
  bool hasTime = !dateOnly && (dt.hour != 0 || dt.minute != 0 || dt.second != 0);
  bool hasMicro = !dateOnly && dt.microsecond != 0;
  uint8_t length = hasMicro ? 11 : hasTime ? 7 : hasDate ? 4 : 0;
  w.u8(length);
  if (length >= 4) {
    w.u16(dt.year);
    w.u8(dt.month);
    w.u8(dt.day);
  }
  if (length >= 7) {
    w.u8(dt.hour);
    w.u8(dt.minute);
    w.u8(dt.second);
  }
  if (length == 11) w.u32(dt.microsecond);
}

void writeTime(Writer& w, const BinaryTime& t) {
  // The sign counts as a part: a negative zero keeps its 8 bytes so that it reads back equal.
  bool hasTime = t.negative || t.days != 0 || t.hour != 0 || t.minute != 0 || t.second != 0;
  uint8_t length = t.microsecond != 0 ? 12 : hasTime ? 8 : 0;
  w.u8(length);
  if (length >= 8) {
    w.u8(t.negative ? 1 : 0);
    w.u32(t.days);
    w.u8(t.hour);
    w.u8(t.minute);
    w.u8(t.second);
  }
  if (length == 12) w.u32(t.microsecond);
}

// Converting a finite double beyond the float range is undefined behaviour; IEEE says infinity.
float toFloat(double d) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (d > kMax) return std::numeric_limits<float>::infinity();
  if (d < -kMax) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(d);
}

}  // namespace

bool readBinaryValue(std::string_view& data, ParamType type, BinaryValue& out) {
  Reader r(data);
  BinaryValue v;
  BinaryForm form = binaryFormOf(type.type);
  switch (form) {
    case BinaryForm::kInvalid:
      return false;
    case BinaryForm::kNone:
      v.kind = BinaryValue::Kind::kNull;
      break;
    case BinaryForm::kInt8:
    case BinaryForm::kInt16:
    case BinaryForm::kInt32:
    case BinaryForm::kInt64: {
      uint64_t raw;
      if (!r.fixedInt(intWidth(form), raw)) return false;
      if (type.isUnsigned) {
        v.kind = BinaryValue::Kind::kUnsigned;
        v.u = raw;
      } else {
        v.kind = BinaryValue::Kind::kSigned;
        v.i = signExtend(raw, intWidth(form));
      }
      break;
    }
    case BinaryForm::kFloat: {
      uint32_t raw;
      if (!r.u32(raw)) return false;
      v.kind = BinaryValue::Kind::kFloat;
      v.d = std::bit_cast<float>(raw);
      break;
    }
    case BinaryForm::kDouble: {
      uint64_t raw;
      if (!r.u64(raw)) return false;
      v.kind = BinaryValue::Kind::kDouble;
      v.d = std::bit_cast<double>(raw);
      break;
    }
    case BinaryForm::kDecimal:
    case BinaryForm::kBytes:
      if (!r.lenencString(v.bytes)) return false;
      v.kind =
          form == BinaryForm::kDecimal ? BinaryValue::Kind::kDecimal : BinaryValue::Kind::kBytes;
      break;
    case BinaryForm::kDateTime:
      if (!readDateTime(r, v.dateTime)) return false;
      // A DATE has no time of day, whatever length the client sent; the server drops it too.
      if (type.type == ColumnType::kDate) {
        v.dateTime = BinaryDateTime{v.dateTime.year, v.dateTime.month, v.dateTime.day};
      }
      v.kind = BinaryValue::Kind::kDateTime;
      break;
    case BinaryForm::kTime:
      if (!readTime(r, v.time)) return false;
      v.kind = BinaryValue::Kind::kTime;
      break;
  }
  data.remove_prefix(data.size() - r.remaining());
  out = v;
  return true;
}

void writeBinaryValue(std::string& out, ParamType type, const BinaryValue& v) {
  Writer w(out);
  uint64_t bits = v.kind == BinaryValue::Kind::kUnsigned ? v.u : static_cast<uint64_t>(v.i);
  switch (binaryFormOf(type.type)) {
    case BinaryForm::kInvalid:
    case BinaryForm::kNone:
      break;
    case BinaryForm::kInt8:
      w.u8(static_cast<uint8_t>(bits));
      break;
    case BinaryForm::kInt16:
      w.u16(static_cast<uint16_t>(bits));
      break;
    case BinaryForm::kInt32:
      w.u32(static_cast<uint32_t>(bits));
      break;
    case BinaryForm::kInt64:
      w.u64(bits);
      break;
    case BinaryForm::kFloat:
      w.u32(std::bit_cast<uint32_t>(toFloat(v.d)));
      break;
    case BinaryForm::kDouble:
      w.u64(std::bit_cast<uint64_t>(v.d));
      break;
    case BinaryForm::kDecimal:
    case BinaryForm::kBytes:
      w.lenencString(v.bytes);
      break;
    case BinaryForm::kDateTime:
      writeDateTime(w, v.dateTime, type.type == ColumnType::kDate);
      break;
    case BinaryForm::kTime:
      writeTime(w, v.time);
      break;
  }
}

std::optional<uint32_t> statementIdOf(const CommandPacket& c) {
  Reader r(c.body);
  uint32_t id;
  if (!r.u32(id)) return std::nullopt;
  return id;
}

std::optional<StmtExecute> decodeStmtExecute(const CommandPacket& c, size_t paramCount,
                                             const std::vector<ParamType>& previousTypes,
                                             const std::vector<bool>& longData) {
  Reader r(c.body);
  StmtExecute e;
  if (!r.u32(e.statementId) || !r.u8(e.flags) || !r.u32(e.iterations)) return std::nullopt;
  if (paramCount == 0) {
    if (!r.atEnd()) return std::nullopt;
    return e;
  }
  // Reading the bitmap first also bounds paramCount by the packet size before anything is
  // allocated for it. Its padding bits are ignored, as the server does.
  std::string_view bitmap;
  uint8_t bound;
  if (!r.bytes(paramCount / 8 + (paramCount % 8 != 0), bitmap) || !r.u8(bound) || bound > 1) {
    return std::nullopt;
  }
  e.newParamsBound = bound == 1;
  if (e.newParamsBound) {
    if (r.remaining() / 2 < paramCount) return std::nullopt;
    e.types.reserve(paramCount);
    for (size_t i = 0; i < paramCount; ++i) {
      uint8_t type, flags;
      if (!r.u8(type) || !r.u8(flags)) return std::nullopt;
      e.types.push_back(ParamType{static_cast<ColumnType>(type), (flags & 0x80) != 0});
    }
  } else {
    if (previousTypes.size() != paramCount) return std::nullopt;
    e.types = previousTypes;
  }
  // Checked for every parameter, NULL and long data too, and for remembered types as well, so
  // that a caller can rely on every type of a decoded execution having a binary form.
  for (const ParamType& t : e.types) {
    if (binaryFormOf(t.type) == BinaryForm::kInvalid) return std::nullopt;
  }
  e.nulls.resize(paramCount);
  e.params.resize(paramCount);
  std::string_view values = r.rest();
  for (size_t i = 0; i < paramCount; ++i) {
    e.nulls[i] = (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8) & 1) != 0;
    // The server ignores the NULL bit of a long-data parameter; `nulls` keeps it for the caller.
    if (e.nulls[i] || (i < longData.size() && longData[i])) continue;
    if (!readBinaryValue(values, e.types[i], e.params[i])) return std::nullopt;
  }
  if (!values.empty()) return std::nullopt;
  return e;
}

void encodeStmtExecute(std::string& out, const StmtExecute& e) {
  Writer w(out);
  w.u8(static_cast<uint8_t>(Command::kStmtExecute));
  w.u32(e.statementId);
  w.u8(e.flags);
  w.u32(e.iterations);
  size_t count = e.params.size();
  if (count == 0) return;
  auto typeOf = [&](size_t i) { return i < e.types.size() ? e.types[i] : ParamType{}; };
  size_t bitmapAt = out.size();
  w.zeros((count + 7) / 8);
  for (size_t i = 0; i < count; ++i) {
    if (e.params[i].kind == BinaryValue::Kind::kNull) {
      out[bitmapAt + i / 8] |= static_cast<char>(1 << (i % 8));
    }
  }
  w.u8(e.newParamsBound ? 1 : 0);
  if (e.newParamsBound) {
    for (size_t i = 0; i < count; ++i) {
      w.u8(static_cast<uint8_t>(typeOf(i).type));
      w.u8(typeOf(i).isUnsigned ? 0x80 : 0x00);
    }
  }
  for (size_t i = 0; i < count; ++i) {
    if (e.params[i].kind != BinaryValue::Kind::kNull) writeBinaryValue(out, typeOf(i), e.params[i]);
  }
}

}  // namespace shardproxy::protocol
