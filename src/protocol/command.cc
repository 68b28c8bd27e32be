#include "protocol/command.h"

#include "protocol/buffer.h"

namespace shardproxy::protocol {

std::optional<CommandPacket> decodeCommand(std::string_view payload) {
  if (payload.empty()) return std::nullopt;
  return CommandPacket{static_cast<Command>(static_cast<uint8_t>(payload[0])), payload.substr(1)};
}

std::string_view queryText(const CommandPacket& c) { return c.body; }

std::string_view initDbSchema(const CommandPacket& c) { return c.body; }

std::optional<FieldList> decodeFieldList(const CommandPacket& c) {
  Reader r(c.body);
  FieldList f;
  if (!r.nulString(f.table)) return std::nullopt;
  f.wildcard = r.rest();
  return f;
}

std::optional<uint16_t> decodeSetOption(const CommandPacket& c) {
  Reader r(c.body);
  uint16_t v;
  if (!r.u16(v) || !r.atEnd()) return std::nullopt;
  return v;
}

}  // namespace shardproxy::protocol
