// Fuzz target for the binary protocol: COM_STMT_EXECUTE, binary result rows and BinaryRowWriter.
// The first byte picks what is fuzzed (its value modulo 3):
//   0  decodeStmtExecute. Then the parameter count (1 byte), the long-data mask (8 bytes; bit
//      i % 64 for parameter i), a byte whose bit 0 says whether types are remembered, the type
//      and flags byte they all have, then the COM_STMT_EXECUTE payload with its command byte.
//      What decodes must re-encode to at most as many bytes that decode to the same values.
//   1  decodeBinaryRow. Then the column count (1 byte), a type and a flags byte per column (0x80:
//      unsigned), then the row. Every value must be one readBinaryValue reads exactly.
//   2  BinaryRowWriter. The column count and types as for 1, then each column's text, ended by
//      NUL (the input's end before a column's text makes it NULL). What it writes must decode.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/binary_row.h"
#include "protocol/command.h"
#include "protocol/stmt_execute.h"

namespace {

using namespace shardproxy::protocol;
using Kind = BinaryValue::Kind;

// Takes input bytes from the front; out of input it yields zeros, so every layout field exists.
struct Input {
  std::string_view rest;

  uint8_t byte() {
    if (rest.empty()) return 0;
    auto b = static_cast<uint8_t>(rest[0]);
    rest.remove_prefix(1);
    return b;
  }
  ParamType type() {
    auto t = static_cast<ColumnType>(byte());
    return ParamType{t, (byte() & 0x80) != 0};
  }
};

// `part` is a view into `whole`.
bool within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

Kind kindOf(ParamType type) {
  switch (binaryFormOf(type.type)) {
    case BinaryForm::kInt8:
    case BinaryForm::kInt16:
    case BinaryForm::kInt32:
    case BinaryForm::kInt64:
      return type.isUnsigned ? Kind::kUnsigned : Kind::kSigned;
    case BinaryForm::kFloat:
      return Kind::kFloat;
    case BinaryForm::kDouble:
      return Kind::kDouble;
    case BinaryForm::kDecimal:
      return Kind::kDecimal;
    case BinaryForm::kBytes:
      return Kind::kBytes;
    case BinaryForm::kDateTime:
      return Kind::kDateTime;
    case BinaryForm::kTime:
      return Kind::kTime;
    default:
      return Kind::kNull;
  }
}

bool sameValue(const BinaryValue& a, const BinaryValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::kNull:
      return true;
    case Kind::kSigned:
      return a.i == b.i;
    case Kind::kUnsigned:
      return a.u == b.u;
    case Kind::kFloat:
    case Kind::kDouble:
      return std::bit_cast<uint64_t>(a.d) == std::bit_cast<uint64_t>(b.d);
    case Kind::kDecimal:
    case Kind::kBytes:
      return a.bytes == b.bytes;
    case Kind::kDateTime:
      return a.dateTime == b.dateTime;
    case Kind::kTime:
      return a.time == b.time;
  }
  return false;
}

void checkExecute(Input in) {
  size_t paramCount = in.byte();
  uint64_t mask = 0;
  for (int i = 0; i < 8; ++i) mask |= uint64_t{in.byte()} << (8 * i);
  bool remembered = (in.byte() & 1) != 0;
  ParamType rememberedType = in.type();
  std::vector<bool> longData(paramCount);
  for (size_t i = 0; i < paramCount; ++i) longData[i] = (mask >> (i % 64) & 1) != 0;
  std::vector<ParamType> previous;
  if (remembered) previous.assign(paramCount, rememberedType);

  std::string_view payload = in.rest;
  auto cmd = decodeCommand(payload);
  if (!cmd) return;
  auto e = decodeStmtExecute(*cmd, paramCount, previous, longData);
  if (!e) return;
  FUZZ_CHECK(statementIdOf(*cmd) == e->statementId);
  FUZZ_CHECK(e->types.size() == paramCount && e->params.size() == paramCount &&
             e->nulls.size() == paramCount);
  FUZZ_CHECK(e->newParamsBound || e->types == previous);
  for (size_t i = 0; i < paramCount; ++i) {
    const BinaryValue& v = e->params[i];
    FUZZ_CHECK(binaryFormOf(e->types[i].type) != BinaryForm::kInvalid);
    if (e->nulls[i] || longData[i]) {
      FUZZ_CHECK(v.kind == Kind::kNull);
    } else {
      FUZZ_CHECK(v.kind == kindOf(e->types[i]));
    }
    FUZZ_CHECK(within(v.bytes, cmd->body));
  }

  // Long-data parameters re-encode as NULL; lenencs and dates may come out shorter.
  std::string out;
  encodeStmtExecute(out, *e);
  FUZZ_CHECK(out.size() <= payload.size());
  auto again = decodeStmtExecute(*decodeCommand(out), paramCount, e->types, {});
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->statementId == e->statementId && again->flags == e->flags &&
             again->iterations == e->iterations && again->types == e->types);
  for (size_t i = 0; i < paramCount; ++i) {
    FUZZ_CHECK(sameValue(e->params[i], again->params[i]));
    FUZZ_CHECK(again->nulls[i] == (e->params[i].kind == Kind::kNull));
  }
}

std::vector<ParamType> columnTypes(Input& in) {
  std::vector<ParamType> types(in.byte());
  for (auto& t : types) t = in.type();
  return types;
}

void checkRow(Input in) {
  std::vector<ParamType> types = columnTypes(in);
  std::string_view payload = in.rest;
  auto row = decodeBinaryRow(payload, types);
  if (!row) return;
  FUZZ_CHECK(row->size() == types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    const auto& raw = (*row)[i];
    if (!raw) continue;
    FUZZ_CHECK(within(*raw, payload));
    BinaryForm form = binaryFormOf(types[i].type);
    FUZZ_CHECK(form != BinaryForm::kInvalid);
    if (form == BinaryForm::kBytes || form == BinaryForm::kDecimal) continue;
    std::string_view data = *raw;
    BinaryValue v;
    FUZZ_CHECK(readBinaryValue(data, types[i], v) && data.empty());
  }
}

void checkWriter(Input in) {
  std::vector<ParamType> types = columnTypes(in);
  std::string out;
  BinaryRowWriter w(out, types.size());
  // Per column: nullopt for NULL, else the text a length-encoded type must decode to, or "" for
  // the other types.
  std::vector<std::optional<std::string_view>> expected;
  for (const ParamType& t : types) {
    if (in.rest.empty()) {
      w.null();
      expected.emplace_back(std::nullopt);
      continue;
    }
    size_t end = in.rest.find('\0');
    std::string_view text = in.rest.substr(0, end);
    in.rest.remove_prefix(end == std::string_view::npos ? in.rest.size() : end + 1);
    size_t before = out.size();
    if (!w.value(t.type, t.isUnsigned, text)) {
      FUZZ_CHECK(out.size() == before);
      return;  // the row is unusable
    }
    BinaryForm form = binaryFormOf(t.type);
    if (form == BinaryForm::kNone) {
      expected.emplace_back(std::nullopt);  // a NULL-typed column holds only NULL
    } else if (form == BinaryForm::kBytes || form == BinaryForm::kDecimal) {
      expected.emplace_back(text);
    } else {
      expected.emplace_back(std::string_view());
    }
  }
  auto row = decodeBinaryRow(out, types);
  FUZZ_CHECK(row.has_value() && row->size() == types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    const auto& got = (*row)[i];
    FUZZ_CHECK(got.has_value() == expected[i].has_value());
    if (got && !expected[i]->empty()) FUZZ_CHECK(*got == *expected[i]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{std::string_view(reinterpret_cast<const char*>(data), size)};
  switch (in.byte() % 3) {
    case 0:
      checkExecute(in);
      break;
    case 1:
      checkRow(in);
      break;
    default:
      checkWriter(in);
      break;
  }
  return 0;
}
