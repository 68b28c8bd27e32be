#include "protocol/stmt_commands.h"

#include "protocol/buffer.h"

namespace shardproxy::protocol {

std::optional<StmtSendLongData> decodeStmtSendLongData(const CommandPacket& c) {
  Reader r(c.body);
  StmtSendLongData s;
  if (!r.u32(s.statementId) || !r.u16(s.paramId)) return std::nullopt;
  s.data = r.rest();
  return s;
}

namespace {

std::optional<uint32_t> decodeIdOnly(const CommandPacket& c) {
  Reader r(c.body);
  uint32_t id;
  if (!r.u32(id) || !r.atEnd()) return std::nullopt;
  return id;
}

}  // namespace

std::optional<uint32_t> decodeStmtClose(const CommandPacket& c) { return decodeIdOnly(c); }

std::optional<uint32_t> decodeStmtReset(const CommandPacket& c) { return decodeIdOnly(c); }

std::optional<StmtFetch> decodeStmtFetch(const CommandPacket& c) {
  Reader r(c.body);
  StmtFetch f;
  if (!r.u32(f.statementId) || !r.u32(f.rows) || !r.atEnd()) return std::nullopt;
  return f;
}

}  // namespace shardproxy::protocol
