// COM_STMT_EXECUTE: statement id, cursor flags, NULL bitmap, parameter types (sent when the
// client binds new ones, remembered otherwise) and the parameter values in the binary protocol.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/command.h"
#include "protocol/constants.h"

namespace shardproxy::protocol {

// Cursor flags of COM_STMT_EXECUTE.
namespace cursor {
inline constexpr uint8_t kNoCursor = 0;
inline constexpr uint8_t kReadOnly = 1;
inline constexpr uint8_t kForUpdate = 2;
inline constexpr uint8_t kScrollable = 4;
}  // namespace cursor

// A parameter's type as the client bound it: the type byte and the unsigned flag (0x80 of the
// second byte).
struct ParamType {
  ColumnType type = ColumnType::kNull;
  bool isUnsigned = false;
  bool operator==(const ParamType&) const = default;
};

// Binary DATE / DATETIME / TIMESTAMP (length 0, 4, 7 or 11 on the wire; absent parts are 0).
struct BinaryDateTime {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t microsecond = 0;
  bool operator==(const BinaryDateTime&) const = default;
};

// Binary TIME (length 0, 8 or 12): [-]days hours:minutes:seconds.micro.
struct BinaryTime {
  bool negative = false;
  uint32_t days = 0;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t microsecond = 0;
  bool operator==(const BinaryTime&) const = default;
};

// One decoded parameter value.
struct BinaryValue {
  enum class Kind : uint8_t {
    kNull,
    kSigned,    // TINY, SHORT, LONG, INT24, LONGLONG, YEAR without the unsigned flag
    kUnsigned,  // the same with the unsigned flag
    kFloat,     // FLOAT (4 bytes)
    kDouble,    // DOUBLE (8 bytes)
    kDecimal,   // DECIMAL / NEWDECIMAL: the digits as sent (length-encoded text)
    kBytes,     // every string, blob, BIT, ENUM, SET, JSON, GEOMETRY, VARCHAR ... (length-encoded)
    kDateTime,  // DATE, DATETIME, TIMESTAMP
    kTime,      // TIME
  };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;            // kFloat is widened to double exactly
  std::string_view bytes;  // kDecimal and kBytes; points into the packet
  BinaryDateTime dateTime;
  BinaryTime time;
};

// How the values of a column type travel in the binary protocol. kInvalid for the server's
// internal types (NEWDATE, TIMESTAMP2, DATETIME2, TIME2) and numbers that name no type: no client
// sends them and no server answers with them.
enum class BinaryForm : uint8_t {
  kInvalid,
  kNone,   // NULL: no bytes at all
  kInt8,   // TINY
  kInt16,  // SHORT, YEAR
  kInt32,  // LONG, INT24 (4 bytes too)
  kInt64,  // LONGLONG
  kFloat,
  kDouble,
  kDecimal,  // length-encoded digits
  kBytes,    // length-encoded
  kDateTime,
  kTime,
};
BinaryForm binaryFormOf(ColumnType type);

// Reads one value of `type` from the binary protocol (a parameter, or a column of a binary row)
// and advances `data` past it. A DATE sent with a time part reads as its date, as the server
// reads it. False (`data` and `out` untouched) on a truncated value, a date/time length the
// protocol does not define, a TIME sign byte other than 0 or 1, or a type whose form is kInvalid.
bool readBinaryValue(std::string_view& data, ParamType type, BinaryValue& out);

struct StmtExecute {
  uint32_t statementId = 0;
  uint8_t flags = 0;  // cursor::*
  uint32_t iterations = 1;
  bool newParamsBound = false;
  std::vector<ParamType> types;     // this execution's types (sent now, or `previousTypes`)
  std::vector<BinaryValue> params;  // one per parameter; a long-data parameter is kNull here
  // The NULL bitmap as sent, one per parameter. It tells a long-data parameter the client set to
  // NULL (true) from one whose value is the long data (false): both are kNull in `params`.
  std::vector<bool> nulls;
};

// The statement id, read before the rest so the caller can find the statement's parameter
// count. Every COM_STMT_* command except PREPARE starts with it.
std::optional<uint32_t> statementIdOf(const CommandPacket& c);

// Decodes COM_STMT_EXECUTE for a statement with `paramCount` parameters. `previousTypes` are the
// types of the last execution (used when the new-params-bound flag is 0). `longData[i]` is true
// when parameter i was sent by COM_STMT_SEND_LONG_DATA: its value is not in the packet (missing
// entries count as false). nullopt on a malformed packet, including no types at all for a
// statement with parameters, a new-params-bound flag other than 0 or 1, a type (sent or
// remembered) whose form is kInvalid, and bytes after the last value.
std::optional<StmtExecute> decodeStmtExecute(const CommandPacket& c, size_t paramCount,
                                             const std::vector<ParamType>& previousTypes,
                                             const std::vector<bool>& longData);

// Appends `v` in the binary form of `type` (the inverse of readBinaryValue). Integer types take
// `v.u` when `v.kind` is kUnsigned and `v.i` otherwise, cut to the type's width; dates and times
// get the shortest length that holds them (DATE only its date part). Nothing is written for NULL
// and kInvalid types.
void writeBinaryValue(std::string& out, ParamType type, const BinaryValue& v);

// The encoder, for tests and tools: the command byte, then `e` with every parameter's value
// (the types are sent when `e.newParamsBound`). `e.params` gives the parameter count and
// `e.types` needs one type per parameter. The NULL bitmap is set for the kNull parameters;
// `e.nulls` is not used.
void encodeStmtExecute(std::string& out, const StmtExecute& e);

}  // namespace shardproxy::protocol
