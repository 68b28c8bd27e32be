// Generic response packets: OK, ERR and EOF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::protocol {

struct OkPacket {
  uint64_t affectedRows = 0;
  uint64_t lastInsertId = 0;
  uint16_t statusFlags = 0;
  uint16_t warnings = 0;
  std::string info;  // human-readable ("Rows matched: 1  Changed: 1  Warnings: 0")
};

// `eofHeader`: an OK that ends a result set under CLIENT_DEPRECATE_EOF starts with 0xfe.
void encodeOk(std::string& out, const OkPacket& ok, bool eofHeader = false);
std::optional<OkPacket> decodeOk(std::string_view payload);

struct ErrPacket {
  uint16_t code = 0;
  std::string sqlState;  // 5 characters
  std::string message;
};

// The longest message an ERR carries: MySQL formats errors into MYSQL_ERRMSG_SIZE (512) bytes,
// its terminating NUL included, and clients keep no more.
inline constexpr size_t kMaxErrorMessageBytes = 511;

// `text` cut to at most `maxBytes` bytes without splitting a UTF-8 character.
std::string_view cutUtf8(std::string_view text, size_t maxBytes);

// The message is cut to kMaxErrorMessageBytes, so that no error echoes more of what a client sent
// than MySQL would.
void encodeErr(std::string& out, const ErrPacket& err);
std::optional<ErrPacket> decodeErr(std::string_view payload);

struct EofPacket {
  uint16_t warnings = 0;
  uint16_t statusFlags = 0;
};

void encodeEof(std::string& out, const EofPacket& eof);
std::optional<EofPacket> decodeEof(std::string_view payload);

}  // namespace shardproxy::protocol
