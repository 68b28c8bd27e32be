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

void encodeErr(std::string& out, const ErrPacket& err);
std::optional<ErrPacket> decodeErr(std::string_view payload);

struct EofPacket {
  uint16_t warnings = 0;
  uint16_t statusFlags = 0;
};

void encodeEof(std::string& out, const EofPacket& eof);
std::optional<EofPacket> decodeEof(std::string_view payload);

}  // namespace shardproxy::protocol
