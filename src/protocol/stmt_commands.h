// The small COM_STMT_* commands: SEND_LONG_DATA, CLOSE, RESET and FETCH (arguments after the
// command byte).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/command.h"

namespace shardproxy::protocol {

struct StmtSendLongData {
  uint32_t statementId = 0;
  uint16_t paramId = 0;
  std::string_view data;  // the rest of the packet
};
std::optional<StmtSendLongData> decodeStmtSendLongData(const CommandPacket& c);

// COM_STMT_CLOSE and COM_STMT_RESET: just the statement id (4 bytes, nothing after).
std::optional<uint32_t> decodeStmtClose(const CommandPacket& c);
std::optional<uint32_t> decodeStmtReset(const CommandPacket& c);

struct StmtFetch {
  uint32_t statementId = 0;
  uint32_t rows = 0;
};
std::optional<StmtFetch> decodeStmtFetch(const CommandPacket& c);

}  // namespace shardproxy::protocol
